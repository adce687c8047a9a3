/**
 * The quota ledger: account resolution (quota object + member -> period record), the
 * compare-and-swap loop around the pure rules in ledger-record.ts, status and settlement
 * sweeps. The clock is injectable (`now`), so period rollover and TTL settlement are tested
 * without waiting.
 */
import { periodBounds, type SocksQuota } from '@sockscale/common';
import { ledgerKey, LEDGER_PREFIX, parseLedgerKey, type LedgerBackend } from './ledger-backend';
import { applySync, committedOf, newRecord, outstandingOf, settleExpired, usedOf, type LedgerRecord, type SyncItem, type SyncOutcome } from './ledger-record';
import { QuotaLedgerConflictError } from './quota-errors';

/** A member of a quota: a user name, or SHARED_MEMBER for a group quota with scope Shared. */
export const SHARED_MEMBER = '*';

export interface AccountRef {
  quota: string;
  member: string;
}

export interface LedgerSyncReply extends SyncOutcome {
  periodStart: number;
  periodEnd: number;
  limit: number;
  /** How long the proxy may spend this grant: min(grant TTL, time left in the period). */
  ttlMs: number;
  /** The quota does not exist (or has no byte limit): the proxy drops the account. */
  unknown: boolean;
}

export interface AccountStatus {
  quota: string;
  member: string;
  periodStart: number;
  periodEnd: number;
  limit: number;
  used: number;
  /** Granted to proxies and not yet reported as used. */
  outstanding: number;
  remaining: number;
  leases: number;
}

export interface QuotaLedgerOptions {
  /** Grant TTL: a lease not renewed for this long is settled as used. */
  ttlMs: number;
  now?: () => number;
  /** The quota objects in force (from the policy snapshot). */
  quotas: () => ReadonlyMap<string, SocksQuota>;
  /** Compare-and-swap attempts before giving up (default 20). */
  maxAttempts?: number;
}

export class QuotaLedger {
  readonly now: () => number;

  constructor(
    readonly backend: LedgerBackend,
    private readonly opts: QuotaLedgerOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  get ttlMs(): number {
    return this.opts.ttlMs;
  }

  /** Applies one proxy item. periodStart 0 = the current period. */
  async sync(account: AccountRef, periodStart: number, item: SyncItem): Promise<LedgerSyncReply> {
    const q = this.opts.quotas().get(account.quota);
    const now = this.now();
    if (q?.spec.bytes === undefined || q.spec.period === undefined) {
      return { unknown: true, periodStart, periodEnd: 0, limit: 0, ttlMs: 0, grantedTotal: 0, lapsed: false, duplicate: false, exhausted: true, used: 0, remaining: 0, settled: [], changed: false };
    }
    const period = q.spec.period;
    const limit = q.spec.bytes;
    const current = periodBounds(period, now);
    const start = periodStart === 0 ? current.start : periodStart;
    const grantable = start === current.start;
    const bounds = grantable ? current : periodBounds(period, start);
    const key = ledgerKey(account.quota, account.member, start);
    const outcome = await this.update(
      key,
      () => newRecord(limit, bounds.start, bounds.end),
      (r) => applySync(r, item, { now, ttlMs: this.opts.ttlMs, limit, grantable }),
    );
    const ttlMs = grantable ? Math.max(0, Math.min(this.opts.ttlMs, bounds.end - now)) : 0;
    return { ...outcome, unknown: false, periodStart: bounds.start, periodEnd: bounds.end, limit, ttlMs };
  }

  /**
   * Current-period state of every account with a record, plus accounts not yet seen at zero: user
   * quotas, Shared group quotas and `extra` (PerMember group members the caller knows of).
   */
  async status(filter: { quota?: string; member?: string } = {}, extra: readonly AccountRef[] = []): Promise<AccountStatus[]> {
    const now = this.now();
    const quotas = this.opts.quotas();
    const prefix = filter.quota === undefined ? LEDGER_PREFIX : `${LEDGER_PREFIX}${filter.quota}/`;
    const seen = new Set<string>();
    const out: AccountStatus[] = [];
    for (const { key, record } of await this.backend.list(prefix)) {
      const k = parseLedgerKey(key);
      const q = k === undefined ? undefined : quotas.get(k.quota);
      if (k === undefined || q?.spec.period === undefined || q.spec.bytes === undefined) continue;
      if (filter.member !== undefined && k.member !== filter.member) continue;
      if (periodBounds(q.spec.period, now).start !== k.periodStart) continue;
      settleExpired(record, now);
      seen.add(`${k.quota}/${k.member}`);
      out.push(statusOf(k.quota, k.member, record, q.spec.bytes));
    }
    const implicit: AccountRef[] = [];
    for (const q of quotas.values()) {
      const subj = q.spec.subject;
      if (subj.user !== undefined) implicit.push({ quota: q.metadata.name, member: subj.user });
      else if (subj.scope === 'Shared') implicit.push({ quota: q.metadata.name, member: SHARED_MEMBER });
    }
    for (const a of [...implicit, ...extra]) {
      const q = quotas.get(a.quota);
      if (q?.spec.period === undefined || q.spec.bytes === undefined || seen.has(`${a.quota}/${a.member}`)) continue;
      if ((filter.quota !== undefined && a.quota !== filter.quota) || (filter.member !== undefined && a.member !== filter.member)) continue;
      const b = periodBounds(q.spec.period, now);
      seen.add(`${a.quota}/${a.member}`);
      out.push(statusOf(a.quota, a.member, newRecord(q.spec.bytes, b.start, b.end), q.spec.bytes));
    }
    return out.sort((a, b) => (a.quota === b.quota ? (a.member < b.member ? -1 : 1) : a.quota < b.quota ? -1 : 1));
  }

  /** Settles expired leases in every record (any replica may run it; writes are compare-and-swap). Returns the settlements. */
  async sweep(): Promise<{ key: string; lease: string; bytes: number; unspent: number }[]> {
    const now = this.now();
    const out: { key: string; lease: string; bytes: number; unspent: number }[] = [];
    for (const { key, record } of await this.backend.list(LEDGER_PREFIX)) {
      if (!Object.values(record.leases).some((l) => l.expiresAt <= now)) continue;
      const r = await this.update(
        key,
        () => record,
        (rec) => {
          const settled = settleExpired(rec, now);
          return { settled, changed: settled.length > 0 };
        },
      );
      for (const s of r.settled) out.push({ key, ...s });
    }
    return out;
  }

  /** Read, apply, compare-and-swap; retried on conflict. `fn` mutates the record it is given. */
  private async update<T extends { changed: boolean }>(key: string, init: () => LedgerRecord, fn: (r: LedgerRecord) => T): Promise<T> {
    const attempts = this.opts.maxAttempts ?? 20;
    for (let i = 0; i < attempts; i++) {
      const cur = await this.backend.read(key);
      const record = cur?.record ?? init();
      const result = fn(record);
      if (!result.changed) return result;
      if (await this.backend.swap(key, record, cur?.version ?? 0)) return result;
      if (i > 2) await new Promise((r) => setTimeout(r, Math.random() * 5 * i));
    }
    throw new QuotaLedgerConflictError(`quota ledger record ${key}: ${attempts} concurrent updates in a row; not applied`);
  }
}

function statusOf(quota: string, member: string, r: LedgerRecord, limit: number): AccountStatus {
  const used = usedOf(r);
  return { quota, member, periodStart: r.periodStart, periodEnd: r.periodEnd, limit, used, outstanding: outstandingOf(r), remaining: Math.max(0, limit - committedOf(r)), leases: Object.keys(r.leases).length };
}
