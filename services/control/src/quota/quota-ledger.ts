/**
 * The quota ledger: account resolution (quota object + member -> period record), the
 * compare-and-swap loop around the pure rules in ledger-record.ts, status and settlement
 * sweeps. The clock is injectable (`now`), so period rollover and TTL settlement are tested
 * without waiting.
 */
import { periodBounds, type SocksQuota } from '@sockscale/common';
import { ANY_VERSION, ENDS_INDEX_PREFIX, ledgerKey, LEDGER_PREFIX, OPEN_INDEX_PREFIX, parseLedgerKey, prefixEnd, type LedgerBackend, type SideWrites } from './ledger-backend';
import { applySync, committedOf, newRecord, outstandingOf, settleExpired, usedOf, type LedgerRecord, type SyncItem, type SyncOutcome } from './ledger-record';
import { QuotaLedgerConflictError } from './quota-errors';
import { AllotmentLedger } from './allotment-ledger';

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
  /** Records of periods that ended longer ago than this are deleted by the sweep (default DEFAULT_RETENTION_MS). */
  retentionMs?: number;
}

/** Ledger records are kept this long after their period ended (35 days: last month stays visible all this month). */
export const DEFAULT_RETENTION_MS = 35 * 24 * 3600_000;

/** What one sweep did (tests and metrics). */
export interface SweepStats {
  /** Open-lease index entries read. */
  indexed: number;
  /** Ledger records read (only those with an expired lease, or past the retention). */
  recordsRead: number;
  /** Records of old periods deleted. */
  deleted: number;
}

/** Index keys of a record (see ledger-backend.ts). */
function indexKeys(key: string, periodEnd: number): { open: string; ends: string } {
  const rest = key.slice(LEDGER_PREFIX.length);
  return { open: OPEN_INDEX_PREFIX + rest, ends: `${ENDS_INDEX_PREFIX}${String(periodEnd).padStart(15, '0')}/${rest}` };
}

/** Side writes that keep the indexes in step with a record write: open-lease index present exactly while leases are open. */
function indexWrites(key: string, record: LedgerRecord): SideWrites {
  const k = indexKeys(key, record.periodEnd);
  const expiries = Object.values(record.leases).map((l) => l.expiresAt);
  const put: [string, string][] = [[k.ends, '']];
  if (expiries.length > 0) return { put: [...put, [k.open, String(Math.min(...expiries))]] };
  return { put, del: [k.open] };
}

export class QuotaLedger {
  readonly now: () => number;
  /** Bandwidth shares and connection slots (same backend, TTL and clock). */
  readonly allotments: AllotmentLedger;

  constructor(
    readonly backend: LedgerBackend,
    private readonly opts: QuotaLedgerOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.allotments = new AllotmentLedger(backend, { ttlMs: opts.ttlMs, now: this.now, quotas: opts.quotas, ...(opts.maxAttempts === undefined ? {} : { maxAttempts: opts.maxAttempts }) });
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
      (r) => applySync(r ?? newRecord(limit, bounds.start, bounds.end), item, { now, ttlMs: this.opts.ttlMs, limit, grantable }),
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

  /** What the last sweep read and deleted. */
  lastSweep: SweepStats = { indexed: 0, recordsRead: 0, deleted: 0 };
  private indexed = false;

  /**
   * Settles expired leases (any replica may run it; writes are compare-and-swap) and deletes
   * records of periods that ended more than the retention ago. Reads only the open-lease index
   * (records with open leases), the records whose earliest lease expiry has passed, and the
   * period-end index up to the retention cut-off. The first sweep of a process also indexes
   * records written before the index existed (one full read). Returns the settlements.
   */
  async sweep(): Promise<{ key: string; lease: string; bytes: number; unspent: number }[]> {
    const now = this.now();
    const stats: SweepStats = { indexed: 0, recordsRead: 0, deleted: 0 };
    if (!this.indexed) {
      await this.backfillIndex();
      this.indexed = true;
    }
    const out: { key: string; lease: string; bytes: number; unspent: number }[] = [];
    for (const { key: ik, value } of await this.backend.scan(OPEN_INDEX_PREFIX, prefixEnd(OPEN_INDEX_PREFIX))) {
      stats.indexed++;
      if (Number(value) > now) continue;
      const key = LEDGER_PREFIX + ik.slice(OPEN_INDEX_PREFIX.length);
      stats.recordsRead++;
      const cur = await this.backend.read(key);
      if (cur === undefined) {
        await this.backend.remove(ik, ANY_VERSION);
        continue;
      }
      const r = await this.update(key, undefined, (rec) => {
        if (rec === undefined) return { settled: [], changed: false };
        const settled = settleExpired(rec, now);
        return { settled, changed: settled.length > 0 || Object.keys(rec.leases).length === 0 };
      });
      for (const s of r.settled) out.push({ key, ...s });
    }
    const cutoff = `${ENDS_INDEX_PREFIX}${String(Math.max(0, now - (this.opts.retentionMs ?? DEFAULT_RETENTION_MS))).padStart(15, '0')}`;
    for (const { key: ek } of await this.backend.scan(ENDS_INDEX_PREFIX, cutoff)) {
      const rest = ek.slice(ENDS_INDEX_PREFIX.length).split('/').slice(1).join('/');
      const key = LEDGER_PREFIX + rest;
      stats.recordsRead++;
      const cur = await this.backend.read(key);
      if (cur === undefined || Object.keys(cur.record.leases).length > 0) {
        // Gone already, or (a proxy silent since the period ended) settled first by the pass above.
        if (cur === undefined) await this.backend.remove(ek, ANY_VERSION);
        continue;
      }
      if (await this.backend.remove(key, cur.version, { del: [ek, OPEN_INDEX_PREFIX + rest] })) stats.deleted++;
    }
    this.lastSweep = stats;
    return out;
  }

  /** Indexes records that have no index entries yet (written before the index existed). */
  private async backfillIndex(): Promise<void> {
    const ends = new Set((await this.backend.scan(ENDS_INDEX_PREFIX, prefixEnd(ENDS_INDEX_PREFIX))).map((e) => e.key));
    for (const { key, record } of await this.backend.list(LEDGER_PREFIX)) {
      if (ends.has(indexKeys(key, record.periodEnd).ends)) continue;
      await this.update(key, undefined, () => ({ changed: true }));
    }
  }

  /** Read, apply, compare-and-swap; retried on conflict. `fn` mutates the record it is given. */
  /** `init` undefined: the record must exist (the sweep never re-creates a record deleted meanwhile); `fn` then sees undefined. */
  private async update<T extends { changed: boolean }>(key: string, init: (() => LedgerRecord) | undefined, fn: (r: LedgerRecord | undefined) => T): Promise<T> {
    const attempts = this.opts.maxAttempts ?? 20;
    for (let i = 0; i < attempts; i++) {
      const cur = await this.backend.read(key);
      const record = cur?.record ?? init?.();
      const result = fn(record);
      if (record === undefined) return { ...result, changed: false };
      if (!result.changed) return result;
      if (await this.backend.swap(key, record, cur?.version ?? 0, indexWrites(key, record))) return result;
      if (i > 2) await new Promise((r) => setTimeout(r, Math.random() * 5 * i));
    }
    throw new QuotaLedgerConflictError(`quota ledger record ${key}: ${attempts} concurrent updates in a row; not applied`);
  }
}

function statusOf(quota: string, member: string, r: LedgerRecord, limit: number): AccountStatus {
  const used = usedOf(r);
  return { quota, member, periodStart: r.periodStart, periodEnd: r.periodEnd, limit, used, outstanding: outstandingOf(r), remaining: Math.max(0, limit - committedOf(r)), leases: Object.keys(r.leases).length };
}
