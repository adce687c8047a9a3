/**
 * SocksQuota usage status: what the controller writes next to the conditions, computed from the
 * quota ledger's account status (QuotaLedger.status, the same numbers as `sockscale quota
 * status`). Pure: the controller decides when to read the ledger and when to write.
 *
 * - A user quota or a Shared group quota has one account: its numbers are the status.
 * - A PerMember group quota has one account per member, each with the full limit. The top-level
 *   used/outstanding/remaining are those of the member nearest to the limit (least remaining,
 *   then most used, then name), so `kubectl get socksquotas` shows the worst case; `topMembers`
 *   lists at most TOP_MEMBERS members in that order, and `members`, `exhaustedMembers` and
 *   `usedTotal` summarise the rest. The status stays bounded whatever the group's size.
 */
import { periodBounds, type SocksQuotaSpec } from '@sockscale/common';
import type { AccountStatus } from '../quota';

export const TOP_MEMBERS = 10;

export interface QuotaMemberUsage {
  member: string;
  used: number;
  outstanding: number;
  remaining: number;
}

export interface QuotaUsageStatus {
  limit: number;
  used: number;
  outstanding: number;
  remaining: number;
  periodStart: string;
  resetsAt: string;
  /** When the ledger was read; not compared (values are rewritten only when they change). */
  observedAt: string;
  members?: number;
  exhaustedMembers?: number;
  usedTotal?: number;
  topMembers?: QuotaMemberUsage[];
}

/** Every status field the usage owns (removed when the quota no longer has a byte limit). */
export const USAGE_FIELDS = ['limit', 'used', 'outstanding', 'remaining', 'periodStart', 'resetsAt', 'observedAt', 'members', 'exhaustedMembers', 'usedTotal', 'topMembers'] as const;

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

/**
 * The usage status of one quota from its accounts (current period, as QuotaLedger.status gives
 * them). Undefined when the quota has no byte limit, or when the ledger does not know it yet
 * (a user or Shared quota with no account: not in the published snapshot).
 */
export function quotaUsageStatus(spec: SocksQuotaSpec, accounts: readonly AccountStatus[], now: number): QuotaUsageStatus | undefined {
  if (spec.bytes === undefined || spec.period === undefined) return undefined;
  const perMember = spec.subject.group !== undefined && spec.subject.scope !== 'Shared';
  if (!perMember) {
    const a = accounts[0];
    if (a === undefined) return undefined;
    return { limit: a.limit, used: a.used, outstanding: a.outstanding, remaining: a.remaining, periodStart: iso(a.periodStart), resetsAt: iso(a.periodEnd), observedAt: iso(now) };
  }
  const ranked = [...accounts].sort((x, y) => x.remaining - y.remaining || y.used - x.used || (x.member < y.member ? -1 : x.member > y.member ? 1 : 0));
  const top = ranked[0];
  const bounds = top === undefined ? periodBounds(spec.period, now) : { start: top.periodStart, end: top.periodEnd };
  return {
    limit: top?.limit ?? spec.bytes,
    used: top?.used ?? 0,
    outstanding: top?.outstanding ?? 0,
    remaining: top?.remaining ?? spec.bytes,
    periodStart: iso(bounds.start),
    resetsAt: iso(bounds.end),
    observedAt: iso(now),
    members: accounts.length,
    exhaustedMembers: accounts.filter((a) => a.remaining === 0).length,
    usedTotal: accounts.reduce((s, a) => s + a.used, 0),
    topMembers: ranked.slice(0, TOP_MEMBERS).map((a) => ({ member: a.member, used: a.used, outstanding: a.outstanding, remaining: a.remaining })),
  };
}

/** True when `status` already carries `usage` (observedAt aside). */
export function sameUsage(status: Record<string, unknown> | undefined, usage: QuotaUsageStatus): boolean {
  return canonical(usageValues(status ?? {})) === canonical(usageValues(usage as unknown as Record<string, unknown>));
}

/** True when `status` has any usage field (to be removed when the quota has no byte limit any more). */
export function hasUsage(status: Record<string, unknown> | undefined): boolean {
  return status !== undefined && USAGE_FIELDS.some((f) => status[f] !== undefined);
}

/** JSON with object keys sorted (the API server returns objects with sorted keys). */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

function usageValues(s: Record<string, unknown>): unknown[] {
  return USAGE_FIELDS.filter((f) => f !== 'observedAt').map((f) => s[f] ?? null);
}
