import type { BandwidthLimits, RuleLimits } from '@sockscale/common';
import { DirectionGate, type SessionGates } from './session-gate';
import { TokenBucket } from './token-bucket';

/** Buckets of one owner (a user, or a user within a rule): per direction and total. */
interface BucketSet {
  up?: TokenBucket;
  down?: TokenBucket;
  total?: TokenBucket;
}

/** What a session holds: its gates (if any limit applies) and its connection slot. */
export interface SessionLimits {
  gates?: SessionGates;
  /** Key of the connection counter it occupies (release on close). */
  slot?: string;
}

/** An open session as the registry tracks it (gates absent while no limit applies). */
interface OpenSession {
  gates?: SessionGates;
  rule?: string;
  onGates?: (gates: SessionGates) => void;
}

/**
 * Limits inside one proxy process.
 *
 * - Bandwidth per user: `setUserBandwidth(user, {up, down, total})` (the cluster allotment
 *   will push per-pod shares here; changes apply in place to open sessions).
 * - Bandwidth per rule: a rule's `limits.bandwidth` is per user within that rule: one bucket
 *   set per (policy, rule, user), shared by all of that user's sessions the rule allowed.
 * - Connections per rule: `limits.maxConnections` concurrent sessions per (policy, rule, user).
 *
 * All of a user's sessions, TCP and UDP, share the same buckets. A session with no applicable
 * limit gets no gate, so its relay pays nothing per chunk. Anonymous sessions are keyed by
 * client address ("anonymous@10.1.2.3").
 */
export class LimitRegistry {
  private readonly users = new Map<string, BucketSet>();
  private readonly rules = new Map<string, BucketSet>();
  private readonly connections = new Map<string, number>();
  /** Open sessions' gates by user key, to re-attach when a user rate appears or goes. */
  private readonly open = new Map<string, Set<OpenSession>>();

  constructor(private readonly now?: () => number) {}

  /** Sets (or with undefined clears) the bandwidth of `userKey`; open sessions follow in place. */
  setUserBandwidth(userKey: string, limits: BandwidthLimits | undefined): void {
    if (limits === undefined) this.users.delete(userKey);
    else this.users.set(userKey, this.updateSet(this.users.get(userKey), limits));
    for (const s of this.open.get(userKey) ?? []) {
      if (s.gates !== undefined) this.wire(s.gates, userKey, s.rule);
      else if (limits !== undefined && s.onGates !== undefined) {
        // A session that started unlimited: it gets gates now, in place.
        const gates: SessionGates = { up: new DirectionGate([], this.now), down: new DirectionGate([], this.now) };
        this.wire(gates, userKey, undefined);
        s.gates = gates;
        s.onGates(gates);
      }
    }
  }

  /**
   * Takes a connection slot when the rule has maxConnections; false when the user already has
   * that many sessions under the rule (the caller replies 0x02).
   */
  acquire(userKey: string, ruleKey: string, limits: RuleLimits | undefined): { ok: true; slot?: string } | { ok: false; max: number } {
    const max = limits?.maxConnections;
    if (max === undefined) return { ok: true };
    const key = `${ruleKey}\u0000${userKey}`;
    const n = this.connections.get(key) ?? 0;
    if (n >= max) return { ok: false, max };
    this.connections.set(key, n + 1);
    return { ok: true, slot: key };
  }

  release(slot: string | undefined): void {
    if (slot === undefined) return;
    const n = (this.connections.get(slot) ?? 1) - 1;
    if (n <= 0) this.connections.delete(slot);
    else this.connections.set(slot, n);
  }

  /** Open connection count of a (rule, user) slot key, for tests and metrics. */
  slotCount(slot: string): number {
    return this.connections.get(slot) ?? 0;
  }

  /**
   * Gates for a session of `userKey` allowed by `ruleKey` with `limits`, or undefined when no
   * limit applies (then the relay runs ungated). Updates the rule's rates in place.
   */
  gatesFor(userKey: string, ruleKey: string, limits: RuleLimits | undefined): SessionGates | undefined {
    const rule = limits?.bandwidth !== undefined ? ruleKey : undefined;
    if (rule !== undefined && limits?.bandwidth !== undefined) this.rules.set(this.ruleBucketKey(rule, userKey), this.updateSet(this.rules.get(this.ruleBucketKey(rule, userKey)), limits.bandwidth));
    if (rule === undefined && !this.users.has(userKey)) return undefined;
    const gates: SessionGates = { up: new DirectionGate([], this.now), down: new DirectionGate([], this.now) };
    this.wire(gates, userKey, rule);
    return gates;
  }

  /**
   * Registers an open session so later rate changes reach it; returns the unregister function.
   * A session without gates passes `onGates`: a user rate set later makes its gates and hands
   * them over (the relay attaches them in place).
   */
  track(userKey: string, gates: SessionGates | undefined, ruleKey: string | undefined, onGates?: (gates: SessionGates) => void): () => void {
    const entry: OpenSession = {};
    if (gates !== undefined) entry.gates = gates;
    if (ruleKey !== undefined) entry.rule = ruleKey;
    if (onGates !== undefined) entry.onGates = onGates;
    let set = this.open.get(userKey);
    if (set === undefined) this.open.set(userKey, (set = new Set()));
    set.add(entry);
    return () => {
      set.delete(entry);
      if (set.size === 0) this.open.delete(userKey);
    };
  }

  /** Re-points open gates after a policy change: new rule, new rates (in place, no reconnect). */
  rewire(userKey: string, gates: SessionGates, ruleKey: string, limits: RuleLimits | undefined): string | undefined {
    const rule = limits?.bandwidth !== undefined ? ruleKey : undefined;
    if (rule !== undefined && limits?.bandwidth !== undefined) this.rules.set(this.ruleBucketKey(rule, userKey), this.updateSet(this.rules.get(this.ruleBucketKey(rule, userKey)), limits.bandwidth));
    this.wire(gates, userKey, rule);
    for (const e of this.open.get(userKey) ?? []) if (e.gates === gates) (e as { rule?: string }).rule = rule;
    return rule;
  }

  private ruleBucketKey(ruleKey: string, userKey: string): string {
    return `${ruleKey}\u0000${userKey}`;
  }

  private wire(gates: SessionGates, userKey: string, ruleKey: string | undefined): void {
    const u = this.users.get(userKey);
    const r = ruleKey === undefined ? undefined : this.rules.get(this.ruleBucketKey(ruleKey, userKey));
    const pick = (dir: 'up' | 'down'): TokenBucket[] => [u?.[dir], u?.total, r?.[dir], r?.total].filter((b): b is TokenBucket => b !== undefined);
    gates.up.set(pick('up'));
    gates.down.set(pick('down'));
  }

  private updateSet(existing: BucketSet | undefined, limits: BandwidthLimits): BucketSet {
    const out: BucketSet = {};
    for (const k of ['up', 'down', 'total'] as const) {
      const rate = limits[k];
      if (rate === undefined) continue;
      const b = existing?.[k];
      if (b !== undefined) {
        b.setRate(rate);
        out[k] = b;
      } else {
        out[k] = new TokenBucket(rate, this.now);
      }
    }
    return out;
  }
}
