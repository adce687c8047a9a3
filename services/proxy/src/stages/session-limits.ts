import type { SessionGates } from '../limits';
import type { ByteGate } from '../relay/byte-gate';
import type { Decision } from '../policy';
import type { ProxyContext } from '../server/proxy-context';
import type { QuotaSessionHold } from '../quota';
import { quotaSignature } from './session-quota';

/** A session's hold on the limits: its gates and connection slot, released by `release`. */
export interface LimitHold {
  gates?: SessionGates;
  ruleKey: string;
  userKey: string;
  /** What the relay charges: the bandwidth gates and the quota gates together (undefined = ungated). */
  relay?: RelayGates;
  /**
   * Set by the session once its relay runs: called when a session that started without
   * bandwidth gates gets them (a reload added a rule limit, or a user rate was set), with the
   * relay's new gates (bandwidth and quota together), to attach them in place.
   */
  onGates?: (gates: RelayGates) => void;
  /** Gives the hold gates that appeared after it started (tracked under `rule` from then on). */
  attach(gates: SessionGates, rule: string | undefined): void;
  /** The quota accounts the session is charged to (see quotaSignature); compared on policy change. */
  quotaSignature: string;
  /** Replaces the quota part (the old one is released); the relay gets its new gates via onGates. */
  setQuota(q: QuotaSessionHold | undefined): void;
  release(): void;
}

/** Charges both gates, waits for the slower. */
function both(a: ByteGate | undefined, b: ByteGate | undefined): ByteGate | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return { consume: (n) => Math.max(a.consume(n), b.consume(n)) };
}

/** The key limits use for a session's user: the user name, or `anonymous@<client ip>`. */
export function limitUserKey(user: string | null, clientIp: string): string {
  return user ?? `anonymous@${clientIp}`;
}

export function ruleKeyOf(d: Decision): string {
  return `${d.policy ?? ''}/${d.rule ?? ''}`;
}

/**
 * The limits stage, for an allowed session: takes a connection slot (rule maxConnections) and
 * builds gates (user bandwidth, rule bandwidth). `{ rejected }` when the user is at the rule's
 * maxConnections: the caller replies 0x02.
 */
export function holdLimits(ctx: ProxyContext, user: string | null, clientIp: string, d: Decision, onQuotaBlock: () => void = () => undefined): LimitHold | { rejected: string } {
  const userKey = limitUserKey(user, clientIp);
  const ruleKey = ruleKeyOf(d);
  const signature = quotaSignature(ctx.quota, user);
  const first = ctx.quota?.hold(user, onQuotaBlock);
  if (first !== undefined && 'rejected' in first) {
    ctx.metrics.limitRejections.inc({ limit: 'quota' });
    return { rejected: first.rejected };
  }
  let quota: QuotaSessionHold | undefined = first;
  const slot = ctx.limits.acquire(userKey, ruleKey, d.limits);
  if (!slot.ok) {
    quota?.release();
    ctx.metrics.limitRejections.inc({ limit: 'max_connections' });
    return { rejected: `user has ${slot.max} sessions under rule ${ruleKey} (limits.maxConnections)` };
  }
  const gates = ctx.limits.gatesFor(userKey, ruleKey, d.limits);
  let released = false;
  const gatesAppeared = (g: SessionGates): void => {
    hold.gates = g;
    const relay = relayGates(g, quota?.gates);
    if (relay !== undefined) hold.relay = relay;
    if (relay !== undefined) hold.onGates?.(relay);
  };
  const hold: LimitHold = {
    ruleKey,
    userKey,
    quotaSignature: signature,
    setQuota: (q) => {
      quota?.release();
      quota = q;
      if (released) {
        q?.release();
        quota = undefined;
      }
      const relay = relayGates(hold.gates, quota?.gates);
      if (relay !== undefined) hold.relay = relay;
      else delete hold.relay;
      hold.onGates?.(relay ?? {});
    },
    attach: (g, rule) => {
      if (released || hold.gates !== undefined) return;
      untrack();
      untrack = ctx.limits.track(userKey, g, rule);
      gatesAppeared(g);
    },
    release: () => {
      if (released) return;
      released = true;
      ctx.limits.release(slot.slot);
      untrack();
      quota?.release();
    },
  };
  // Every session is tracked (no per-chunk cost): one without gates gets them if a limit appears.
  let untrack = ctx.limits.track(userKey, gates, d.limits?.bandwidth !== undefined ? ruleKey : undefined, gates === undefined ? gatesAppeared : undefined);
  if (gates !== undefined) hold.gates = gates;
  const relay = relayGates(gates, quota?.gates);
  if (relay !== undefined) hold.relay = relay;
  return hold;
}

/**
 * holdLimits after taking the session's cluster-wide connection slots (SocksQuota
 * maxConnections). Without a free slot on this proxy the session waits for one control-plane
 * round trip (at most SLOT_WAIT_MS); `{ rejected }` (reply 0x02) when none can be had. The
 * slots are released with the hold.
 */
export async function holdLimitsWithSlots(ctx: ProxyContext, user: string | null, clientIp: string, d: Decision, onQuotaBlock: () => void = () => undefined): Promise<LimitHold | { rejected: string }> {
  const slots = ctx.quota === undefined ? undefined : await ctx.quota.acquireConnection(user);
  if (slots !== undefined && 'rejected' in slots) {
    ctx.metrics.limitRejections.inc({ limit: 'quota_connections' });
    return { rejected: slots.rejected };
  }
  const hold = holdLimits(ctx, user, clientIp, d, onQuotaBlock);
  if ('rejected' in hold) {
    slots?.release();
    return hold;
  }
  if (slots !== undefined) {
    const release = hold.release.bind(hold);
    hold.release = () => {
      release();
      slots.release();
    };
  }
  return hold;
}

/** The relay's gates per direction: bandwidth and quota together; undefined when neither applies. */
export interface RelayGates {
  up?: ByteGate;
  down?: ByteGate;
}

function relayGates(bandwidth: SessionGates | undefined, quota: RelayGates | undefined): RelayGates | undefined {
  const up = both(bandwidth?.up, quota?.up);
  const down = both(bandwidth?.down, quota?.down);
  if (up === undefined && down === undefined) return undefined;
  const out: RelayGates = {};
  if (up !== undefined) out.up = up;
  if (down !== undefined) out.down = down;
  return out;
}

/** After a policy change: the rule that now allows the session sets its rates, in place. */
export function rewireLimits(ctx: ProxyContext, hold: LimitHold, d: Decision): void {
  if (hold.gates !== undefined) {
    ctx.limits.rewire(hold.userKey, hold.gates, ruleKeyOf(d), d.limits);
    return;
  }
  // Started without a limit: one that now applies is attached to the running relay.
  const ruleKey = ruleKeyOf(d);
  const gates = ctx.limits.gatesFor(hold.userKey, ruleKey, d.limits);
  if (gates !== undefined) hold.attach(gates, d.limits?.bandwidth !== undefined ? ruleKey : undefined);
}
