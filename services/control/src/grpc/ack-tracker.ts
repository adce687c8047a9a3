/**
 * Which proxy has which snapshot: per Watch stream, the version sent, ACKed and NACKed. This
 * replica's own streams are tracked here (metrics count them by state); ProxyStatusWriter
 * persists them to the store, and `list()` (the admin API's ListProxies, the CRD `Programmed`
 * condition) merges them with the other replicas' records from the store, so any replica sees
 * every proxy of the cluster. Disconnected proxies are remembered for `retainMs` so a NACK stays
 * visible after a restart.
 */
import type { ProxyStatus } from '@sockscale/common';
import type { ProxyRecord } from '../store';

/** A proxy on one of this replica's Watch streams: its persisted record (minus the replica) plus stream state. */
export interface TrackedProxy extends Omit<ProxyRecord, 'replica'> {
  sentAt: number;
  /** Increments per stream so a stale stream closing does not mark a newer one disconnected. */
  stream: number;
}

export class AckTracker {
  private readonly proxies = new Map<string, TrackedProxy>();
  private streams = 0;
  private prunedAt = 0;
  private readonly listeners: ((id: string) => void)[] = [];
  private remote: () => readonly ProxyRecord[] = () => [];

  constructor(
    private readonly retainMs = 10 * 60_000,
    /** This replica's identity (host:pid), stamped on its records. */
    readonly replica = '',
  ) {}

  /** `listener(id)` after every change of one of this replica's records (including removal). */
  onChange(listener: (id: string) => void): void {
    this.listeners.push(listener);
  }

  /** Where the other replicas' records come from (the store); this replica's own are skipped there. */
  setRemote(source: () => readonly ProxyRecord[]): void {
    this.remote = source;
  }

  connect(node: { id: string; build: string; metadata: Record<string, string> }, peer: string, haveVersion: number): TrackedProxy {
    this.prune();
    const p: TrackedProxy = {
      id: node.id,
      build: node.build,
      metadata: node.metadata,
      peer,
      connected: true,
      sentVersion: haveVersion,
      sentAt: Date.now(),
      ackedVersion: haveVersion,
      nackedVersion: 0,
      nackError: '',
      lastSeenMs: Date.now(),
      stream: ++this.streams,
    };
    this.proxies.set(node.id, p);
    this.changed(p.id);
    return p;
  }

  disconnect(p: TrackedProxy): void {
    const cur = this.proxies.get(p.id);
    if (cur?.stream === p.stream) {
      cur.connected = false;
      cur.lastSeenMs = Date.now();
      this.changed(p.id);
    }
  }

  sent(p: TrackedProxy, version: number): void {
    p.sentVersion = version;
    p.sentAt = Date.now();
    // Not a change worth a store write by itself (the ACK or NACK follows within milliseconds
    // and carries sentVersion along); a push wave to 1,000 proxies then costs one write wave.
  }

  ack(p: TrackedProxy, version: number): void {
    p.ackedVersion = version;
    if (p.nackedVersion <= version) {
      p.nackedVersion = 0;
      p.nackError = '';
    }
    p.lastSeenMs = Date.now();
    this.changed(p.id, p);
  }

  nack(p: TrackedProxy, version: number, appliedVersion: number, error: string): void {
    p.nackedVersion = version;
    p.nackError = error;
    p.ackedVersion = appliedVersion;
    p.lastSeenMs = Date.now();
    this.changed(p.id, p);
  }

  /**
   * Every proxy of the cluster, sorted by id: this replica's own records and the other replicas'
   * from the store. A proxy known to several replicas (it moved) appears once: the connected
   * record wins, else the one seen last.
   */
  list(): ProxyStatus[] {
    this.prune();
    const best = new Map<string, ProxyRecord>();
    const offer = (r: ProxyRecord): void => {
      const cur = best.get(r.id);
      if (cur === undefined || (r.connected && !cur.connected) || (r.connected === cur.connected && r.lastSeenMs > cur.lastSeenMs)) best.set(r.id, r);
    };
    for (const p of this.proxies.values()) offer(this.record(p));
    for (const r of this.remote()) if (r.replica !== this.replica) offer(r);
    return [...best.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** This replica's record of one proxy (undefined once forgotten). */
  get(id: string): ProxyRecord | undefined {
    const p = this.proxies.get(id);
    return p === undefined ? undefined : this.record(p);
  }

  /** Ids of this replica's records. */
  ids(): string[] {
    return [...this.proxies.keys()];
  }

  /** Connected proxies by state relative to `version`. */
  states(version: number): Record<'current' | 'pending' | 'nacked', number> {
    const out = { current: 0, pending: 0, nacked: 0 };
    for (const p of this.proxies.values()) {
      if (!p.connected) continue;
      if (p.ackedVersion === version) out.current++;
      else if (p.nackedVersion === version) out.nacked++;
      else out.pending++;
    }
    return out;
  }

  /** Forgets old disconnected records; at most once a second (connect storms must stay O(n)). */
  private prune(): void {
    const now = Date.now();
    if (now - this.prunedAt < Math.min(1000, this.retainMs)) return;
    this.prunedAt = now;
    const cutoff = now - this.retainMs;
    for (const [id, p] of this.proxies) {
      if (p.connected || p.lastSeenMs >= cutoff) continue;
      this.proxies.delete(id);
      this.changed(id);
    }
  }

  private record(p: TrackedProxy): ProxyRecord {
    return {
      id: p.id,
      build: p.build,
      metadata: p.metadata,
      peer: p.peer,
      connected: p.connected,
      ackedVersion: p.ackedVersion,
      nackedVersion: p.nackedVersion,
      nackError: p.nackError,
      sentVersion: p.sentVersion,
      lastSeenMs: p.lastSeenMs,
      replica: this.replica,
    };
  }

  /** Notifies listeners; a record of a replaced stream (`p` no longer current) changes nothing. */
  private changed(id: string, p?: TrackedProxy): void {
    if (p !== undefined && this.proxies.get(id) !== p) return;
    for (const l of this.listeners) l(id);
  }
}
