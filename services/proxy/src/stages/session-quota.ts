import type { QuotaManager } from '../quota';
import type { ProxyContext } from '../server/proxy-context';
import type { LimitHold } from './session-limits';

/**
 * Which quota accounts a session of `user` is charged to, as a comparable string (byte accounts
 * with their counted direction, and allotment accounts: bandwidth share, Throttle split; '' = none: no quota names the user or a group of theirs, or the session
 * is anonymous). A session compares it after each policy snapshot to learn whether its quota
 * gates must change.
 */
export function quotaSignature(quota: QuotaManager | undefined, user: string | null): string {
  if (quota === undefined || user === null) return '';
  const bytes = quota.accountsFor(user).map((a) => `${a.key}:${a.quota.spec.direction}`);
  const allotted = quota.allotmentsFor(user).map((a) => `allot:${a.quota.metadata.name}/${a.member}`);
  return [...bytes, ...allotted].join(',');
}

/**
 * After a policy snapshot (quota manager already updated): an open CONNECT/BIND session whose
 * quota accounts changed gets new quota gates in place. A quota that appeared (or a group
 * membership that made the user its subject) gates the running relay from its next chunk on; a
 * removed quota stops gating it (its reservations are returned). When the new account is
 * already blocked (Block, used up) the session is closed through `onBlock`, as a new session
 * would be refused.
 */
export function recheckQuota(ctx: ProxyContext, hold: LimitHold, user: string | null, onBlock: () => void): void {
  const quota = ctx.quota;
  if (quota === undefined) return;
  const sig = quotaSignature(quota, user);
  if (sig === hold.quotaSignature) return;
  hold.quotaSignature = sig;
  hold.setQuota(undefined);
  if (sig === '') return;
  const q = quota.hold(user, onBlock);
  if ('rejected' in q) {
    ctx.metrics.limitRejections.inc({ limit: 'quota' });
    onBlock();
    return;
  }
  hold.setQuota(q);
}
