/**
 * Status conditions (Gateway API style): a list keyed by `type`, each with `observedGeneration`.
 * `lastTransitionTime` changes only when `status` flips; `sameConditions` lets the controller
 * skip a status write when nothing but the timestamp would change.
 */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  observedGeneration: number;
  lastTransitionTime: string;
}

export type DesiredCondition = Omit<Condition, 'lastTransitionTime'>;

/** Condition messages are bounded (the CRD schema allows 32768; keep status small). */
export const MAX_MESSAGE = 1024;

export function mergeConditions(current: readonly Condition[] | undefined, desired: readonly DesiredCondition[], now: Date): Condition[] {
  const byType = new Map((current ?? []).map((c) => [c.type, c]));
  const ts = now.toISOString().replace(/\.\d+Z$/, 'Z');
  return desired.map((d) => {
    const old = byType.get(d.type);
    const message = d.message.length > MAX_MESSAGE ? `${d.message.slice(0, MAX_MESSAGE - 1)}…` : d.message;
    return { ...d, message, lastTransitionTime: old !== undefined && old.status === d.status ? old.lastTransitionTime : ts };
  });
}

/** True when `current` already says what `desired` says (ignoring lastTransitionTime and order). */
export function sameConditions(current: readonly Condition[] | undefined, desired: readonly DesiredCondition[]): boolean {
  const cur = current ?? [];
  if (cur.length !== desired.length) return false;
  return desired.every((d) => {
    const c = cur.find((x) => x.type === d.type);
    const message = d.message.length > MAX_MESSAGE ? `${d.message.slice(0, MAX_MESSAGE - 1)}…` : d.message;
    return c !== undefined && c.status === d.status && c.reason === d.reason && c.message === message && c.observedGeneration === d.observedGeneration;
  });
}

export interface ProxyAckView {
  connected: boolean;
  ackedVersion: number;
  nackedVersion: number;
  nackError: string;
}

/**
 * `Programmed`: every connected proxy has ACKed a snapshot at least as new as the store
 * revision that holds this generation of the object. `proxies` is the cluster-wide list (every
 * replica's proxies, from the proxy status records in the store); a SIGKILLed replica's proxies
 * count as connected until its record lease expires (--proxy-status-ttl).
 */
export function programmedCondition(storeRevision: number, publishedVersion: number, proxies: readonly ProxyAckView[], generation: number): DesiredCondition {
  const base = { type: 'Programmed', observedGeneration: generation };
  if (publishedVersion < storeRevision) return { ...base, status: 'False', reason: 'Pending', message: `waiting for the snapshot with store revision ${storeRevision} (published: ${publishedVersion})` };
  const connected = proxies.filter((p) => p.connected);
  if (connected.length === 0) return { ...base, status: 'False', reason: 'NoProxies', message: 'no proxy is connected to any control-plane replica' };
  const rejected = connected.filter((p) => p.nackedVersion >= storeRevision && p.ackedVersion < storeRevision);
  if (rejected.length > 0) return { ...base, status: 'False', reason: 'Rejected', message: `${rejected.length} of ${connected.length} proxies rejected the snapshot: ${rejected[0]?.nackError ?? ''}` };
  const acked = connected.filter((p) => p.ackedVersion >= storeRevision).length;
  if (acked < connected.length) return { ...base, status: 'False', reason: 'Pending', message: `${acked} of ${connected.length} proxies have ACKed snapshot ${storeRevision} or newer` };
  return { ...base, status: 'True', reason: 'Programmed', message: `all ${connected.length} connected proxies ACKed snapshot ${storeRevision} or newer` };
}
