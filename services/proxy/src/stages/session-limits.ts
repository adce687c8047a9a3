import type { SessionGates } from '../limits';
import type { ByteGate } from '../relay/byte-gate';
import type { Decision } from '../policy';
import type { ProxyContext } from '../server/proxy-context';

/** A session's hold on the limits: its gates and connection slot, released by `release`. */
export interface LimitHold {
  gates?: SessionGates;
  ruleKey: string;
  userKey: string;
  /** What the relay charges: the bandwidth gates and the quota gates together (undefined = ungated). */
  relay?: { up?: ByteGate; down?: ByteGate };
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
  const quota = ctx.quota?.hold(user, onQuotaBlock);
  if (quota !== undefined && 'rejected' in quota) {
    ctx.metrics.limitRejections.inc({ limit: 'quota' });
    return { rejected: quota.rejected };
  }
  const slot = ctx.limits.acquire(userKey, ruleKey, d.limits);
  if (!slot.ok) {
    quota?.release();
    ctx.metrics.limitRejections.inc({ limit: 'max_connections' });
    return { rejected: `user has ${slot.max} sessions under rule ${ruleKey} (limits.maxConnections)` };
  }
  const gates = ctx.limits.gatesFor(userKey, ruleKey, d.limits);
  const untrack = gates === undefined ? undefined : ctx.limits.track(userKey, gates, d.limits?.bandwidth !== undefined ? ruleKey : undefined);
  let released = false;
  const hold: LimitHold = {
    ruleKey,
    userKey,
    release: () => {
      if (released) return;
      released = true;
      ctx.limits.release(slot.slot);
      untrack?.();
      quota?.release();
    },
  };
  if (gates !== undefined) hold.gates = gates;
  const up = both(gates?.up, quota?.gates?.up);
  const down = both(gates?.down, quota?.gates?.down);
  if (up !== undefined || down !== undefined) {
    hold.relay = {};
    if (up !== undefined) hold.relay.up = up;
    if (down !== undefined) hold.relay.down = down;
  }
  return hold;
}

/** After a policy change: the rule that now allows the session sets its rates, in place. */
export function rewireLimits(ctx: ProxyContext, hold: LimitHold, d: Decision): void {
  if (hold.gates === undefined) return;
  ctx.limits.rewire(hold.userKey, hold.gates, ruleKeyOf(d), d.limits);
}
