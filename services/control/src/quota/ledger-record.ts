/**
 * The ledger of one quota account (a quota object and a member) for one period, and the pure
 * function that applies one proxy's sync item to it. Both ledger implementations (etcd, memory)
 * read a record, call `applySync`, and write it back in one compare-and-swap, so the rules live
 * here once:
 *
 * - Each proxy spends through a *lease* (a proxy-chosen id, new per process and per period).
 *   Per lease the record keeps `granted` (cumulative bytes granted), `reported` (cumulative
 *   bytes the proxy said it relayed), `seq` (last applied report) and `expiresAt`.
 * - Reports are cumulative and numbered: an item whose `seq` is not above the lease's `seq` is a
 *   retry and changes nothing; a newer one sets `reported = max(reported, usedTotal)`. A report
 *   is therefore never counted twice, and a lost report is covered by the next one.
 * - used = base + Σ reported. committed = base + Σ max(granted, reported) (bytes that are used or
 *   promised). A grant never exceeds limit − committed, so committed never passes the limit
 *   through grants.
 * - Settlement: a lease not renewed by its proxy for the TTL is settled as fully used:
 *   base += max(granted, reported), lease removed. A dead proxy's unspent grant is thus counted
 *   as used (the quota is never exceeded, at the cost of under-using at most that grant).
 *   A report (seq > 1) for a lease that no longer exists is answered `lapsed` (the proxy starts
 *   a new lease). When the lease was settled and its proxy was only cut off, the report is
 *   exact (the proxy stops spending a grant at send time + TTL, before the ledger settles it),
 *   so the settled charge is corrected to what it says: the unspent grant returns to the pool. A lease's first request
 *   (seq 1) may carry bytes relayed from the offline allowance: they count as used. A proxy
 *   repeats seq 1 until the ledger has answered it (so a first report that never arrived is not
 *   taken for a settled lease's); a lease opened and closed by one seq-1 report is remembered
 *   like a settled one, so that report applied twice counts once.
 * - Release (drain): the proxy's final report; base += reported, lease removed, the unspent
 *   grant returns to the pool.
 */
export interface LeaseEntry {
  granted: number;
  reported: number;
  seq: number;
  /** Control-plane clock, epoch ms. */
  expiresAt: number;
}

export interface LedgerRecord {
  limit: number;
  periodStart: number;
  periodEnd: number;
  /** Bytes of settled and released leases. */
  base: number;
  leases: Record<string, LeaseEntry>;
  /**
   * Leases settled after their TTL, kept for SETTLED_MEMORY_MS: if the proxy was only cut off
   * (not dead) its later report is exact, and the unspent part it never relayed is refunded.
   */
  settled?: Record<string, { charged: number; seq: number; at: number }>;
}

/** How long a settled lease is remembered for a late report. */
export const SETTLED_MEMORY_MS = 10 * 60_000;

export interface SyncItem {
  lease: string;
  seq: number;
  /** Cumulative bytes relayed under this lease. */
  usedTotal: number;
  /** Bytes the proxy would like to hold unspent (grant target); 0 = report only. */
  want: number;
  /** Final report: return the unspent grant and close the lease. */
  release: boolean;
}

export interface SyncOutcome {
  /** Cumulative bytes granted to the lease (0 when lapsed or released). */
  grantedTotal: number;
  /** The lease is unknown (settled after its TTL, or never existed) while the proxy had used bytes. */
  lapsed: boolean;
  /** The item was a retry (seq not above the last applied one). */
  duplicate: boolean;
  /** Nothing more can be granted in this period. */
  exhausted: boolean;
  used: number;
  remaining: number;
  /** Leases settled as used during this call (their expiry passed). */
  settled: { lease: string; bytes: number; unspent: number }[];
  /** Whether the record changed (callers skip the write when not). */
  changed: boolean;
}

export function newRecord(limit: number, periodStart: number, periodEnd: number): LedgerRecord {
  return { limit, periodStart, periodEnd, base: 0, leases: {} };
}

export function usedOf(r: LedgerRecord): number {
  let u = r.base;
  for (const l of Object.values(r.leases)) u += l.reported;
  return u;
}

export function committedOf(r: LedgerRecord): number {
  let c = r.base;
  for (const l of Object.values(r.leases)) c += Math.max(l.granted, l.reported);
  return c;
}

export function outstandingOf(r: LedgerRecord): number {
  let o = 0;
  for (const l of Object.values(r.leases)) o += Math.max(0, l.granted - l.reported);
  return o;
}

/** Settles every lease whose expiry has passed (mutates r). */
export function settleExpired(r: LedgerRecord, now: number): { lease: string; bytes: number; unspent: number }[] {
  const out: { lease: string; bytes: number; unspent: number }[] = [];
  for (const [id, l] of Object.entries(r.leases)) {
    if (l.expiresAt > now) continue;
    const bytes = Math.max(l.granted, l.reported);
    r.base += bytes;
    delete r.leases[id];
    (r.settled ??= {})[id] = { charged: bytes, seq: l.seq, at: now };
    out.push({ lease: id, bytes, unspent: bytes - l.reported });
  }
  for (const [id, t] of Object.entries(r.settled ?? {})) if (now - t.at > SETTLED_MEMORY_MS) delete r.settled?.[id];
  return out;
}

/**
 * Applies one item to `r` (mutated). `grantable` is false for a past period (reports and
 * releases only). `limit` is the quota's current byte limit (a changed quota applies at once).
 */
export function applySync(r: LedgerRecord, item: SyncItem, opts: { now: number; ttlMs: number; limit: number; grantable: boolean }): SyncOutcome {
  let changed = false;
  if (r.limit !== opts.limit) {
    r.limit = opts.limit;
    changed = true;
  }
  const settled = settleExpired(r, opts.now);
  if (settled.length > 0) changed = true;
  const finish = (o: Omit<SyncOutcome, 'used' | 'remaining' | 'settled' | 'changed' | 'exhausted'>): SyncOutcome => {
    const remaining = Math.max(0, r.limit - committedOf(r));
    return { ...o, used: usedOf(r), remaining, exhausted: remaining === 0, settled, changed };
  };
  let lease = r.leases[item.lease];
  if (lease === undefined) {
    const t = r.settled?.[item.lease];
    if (t !== undefined && item.seq <= t.seq) return finish({ grantedTotal: 0, lapsed: true, duplicate: true });
    // seq 1 is a lease's first request; it may carry bytes spent offline (no grant yet).
    if (item.seq > 1) {
      if (t !== undefined) {
        r.base += item.usedTotal - t.charged;
        t.charged = item.usedTotal;
        t.seq = item.seq;
        if (item.release) delete r.settled?.[item.lease];
        changed = true;
      }
      return finish({ grantedTotal: 0, lapsed: true, duplicate: false });
    }
    if (item.release) {
      // A lease opened and closed in one report (offline bytes at drain, or a probe). Remembered
      // like a settled lease, so the same report applied again (a retry) is not counted twice.
      if (item.usedTotal > 0) {
        r.base += item.usedTotal;
        (r.settled ??= {})[item.lease] = { charged: item.usedTotal, seq: 1, at: opts.now };
        changed = true;
      }
      return finish({ grantedTotal: 0, lapsed: false, duplicate: false });
    }
    lease = { granted: 0, reported: 0, seq: 0, expiresAt: 0 };
    r.leases[item.lease] = lease;
    changed = true;
  }
  // A release may repeat the last seq: a proxy repeats seq 1 until answered, and a release is never
  // applied twice (it removes the lease).
  if (item.seq < lease.seq || (item.seq === lease.seq && !item.release)) return finish({ grantedTotal: lease.granted, lapsed: false, duplicate: true });
  lease.seq = item.seq;
  lease.reported = Math.max(lease.reported, item.usedTotal);
  changed = true;
  if (item.release) {
    r.base += lease.reported;
    delete r.leases[item.lease];
    return finish({ grantedTotal: 0, lapsed: false, duplicate: false });
  }
  lease.expiresAt = opts.now + opts.ttlMs;
  if (opts.grantable) {
    const outstanding = Math.max(0, lease.granted - lease.reported);
    if (item.want > outstanding) {
      const available = Math.max(0, r.limit - committedOf(r));
      // Raise granted so that the unspent part reaches `want`, within what is left.
      const base = Math.max(lease.granted, lease.reported);
      const extra = Math.min(item.want - outstanding, available);
      if (extra > 0) lease.granted = base + extra;
    }
  }
  return finish({ grantedTotal: lease.granted, lapsed: false, duplicate: false });
}
