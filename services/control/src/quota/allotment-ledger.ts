/**
 * The allotment ledger: one etcd record per account (ALLOT_PREFIX/<quota>/<member>) holding
 * every proxy's bandwidth share and connection slots; the rules are in allotment-record.ts.
 * Every update is a compare-and-swap on the record (retried on conflict), so replicas may
 * serve proxies of the same account concurrently and a control-plane restart loses nothing.
 */
import type { SocksQuota } from '@sockscale/common';
import { ALLOT_PREFIX, ANY_VERSION, type LedgerBackend } from './ledger-backend';
import { applyAllotment, newAllotmentRecord, slotsHeld, type AllotmentLimits, type AllotmentOutcome, type AllotmentRecord, type AllotmentReportItem } from './allotment-record';
import type { AccountRef } from './quota-ledger';
import { QuotaLedgerConflictError } from './quota-errors';

export function allotmentKey(quota: string, member: string): string {
  return `${ALLOT_PREFIX}${quota}/${member}`;
}

/** What a quota allots cluster-wide (undefined when it allots nothing: no bandwidth, no maxConnections, no Throttle). */
export function allotmentLimits(q: SocksQuota | undefined): AllotmentLimits | undefined {
  if (q === undefined) return undefined;
  const out: AllotmentLimits = {};
  if (q.spec.bandwidth !== undefined) out.bandwidth = q.spec.bandwidth;
  if (q.spec.maxConnections !== undefined) out.maxConnections = q.spec.maxConnections;
  if (q.spec.bytes !== undefined && q.spec.onExhausted.action === 'Throttle' && q.spec.onExhausted.rate !== undefined) out.throttleRate = q.spec.onExhausted.rate;
  return Object.keys(out).length === 0 ? undefined : out;
}

export interface AllotmentReply extends AllotmentOutcome {
  unknown: boolean;
  connectionsLimit: number;
}

export class AllotmentLedger {
  constructor(
    readonly backend: LedgerBackend,
    private readonly opts: { ttlMs: number; now: () => number; quotas: () => ReadonlyMap<string, SocksQuota>; maxAttempts?: number },
  ) {}

  async sync(account: AccountRef, proxyId: string, item: AllotmentReportItem): Promise<AllotmentReply> {
    const limits = allotmentLimits(this.opts.quotas().get(account.quota));
    if (limits === undefined && !item.release) return { unknown: true, bandwidthShare: 0, throttleShare: 0, connections: 0, connectionsLimit: 0, changed: false };
    const key = allotmentKey(account.quota, account.member);
    const attempts = this.opts.maxAttempts ?? 20;
    for (let i = 0; i < attempts; i++) {
      const now = this.opts.now();
      const cur = await this.backend.read<AllotmentRecord>(key);
      if (cur === undefined && item.release) return { unknown: limits === undefined, bandwidthShare: 0, throttleShare: 0, connections: 0, connectionsLimit: 0, changed: false };
      const record = cur?.record ?? newAllotmentRecord();
      const out = applyAllotment(record, proxyId, item, limits ?? {}, { now, ttlMs: this.opts.ttlMs });
      const ok = Object.keys(record.proxies).length === 0 ? await this.backend.remove(key, cur?.version ?? ANY_VERSION) : await this.backend.swap(key, record, cur?.version ?? 0);
      if (ok) return { ...out, unknown: limits === undefined, connectionsLimit: limits?.maxConnections ?? 0 };
      if (i > 2) await new Promise((r) => setTimeout(r, Math.random() * 5 * i));
    }
    throw new QuotaLedgerConflictError(`quota allotment record ${key}: ${attempts} concurrent updates in a row; not applied`);
  }

  /** Connection slots held and proxies sharing, per account (status and tests). */
  async status(account: AccountRef): Promise<{ slots: number; proxies: Record<string, { fraction: number; slots: number; inUse: number }> }> {
    const cur = await this.backend.read<AllotmentRecord>(allotmentKey(account.quota, account.member));
    const now = this.opts.now();
    const proxies: Record<string, { fraction: number; slots: number; inUse: number }> = {};
    for (const [id, e] of Object.entries(cur?.record.proxies ?? {})) if (e.expiresAt > now) proxies[id] = { fraction: e.fraction, slots: e.slots, inUse: e.inUse };
    return { slots: cur === undefined ? 0 : slotsHeld(cur.record, now), proxies };
  }
}
