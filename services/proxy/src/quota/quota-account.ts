/**
 * One quota account (a SocksQuota and a member) on one proxy: the lease it spends through,
 * session reservations, demand, offline allowance and exhaustion.
 *
 * No overshoot: a session may read its next chunk only while it holds a reservation of a
 * whole chunk (CHUNK_BYTES, the most a socket read or a datagram delivers) taken from the
 * granted-but-unspent bytes. A session that cannot reserve a whole chunk pauses (the relay
 * stops reading; nothing is dropped) until a grant arrives; a new session's relay asks before its
 * first read too. So the bytes relayed never exceed the bytes granted. At the end of a quota
 * less than one chunk stays unreserved, plus one reserved chunk per direction that holds its
 * reservation without reading (e.g. the upload side of a download).
 * Exception (documented): when a lease rolls over (period end, or grant lapse during a
 * control-plane outage) reservations are cancelled and each open session may relay one chunk
 * against the new lease before it is charged.
 */
import type { SocksQuota } from '@sockscale/common';
import { TokenBucket } from '../limits';

/** Max bytes one 'data' event can carry (libuv reads at most 64 KiB; a UDP datagram ≤ 65,535). */
export const CHUNK_BYTES = 65_536;
/** Grants are sized to this many seconds of recent demand. */
export const DEMAND_SECONDS = 3;
/** Smallest grant asked for (a new or slow account). */
export const MIN_WANT = 4 * CHUNK_BYTES;
/**
 * Largest ramp-up request: while sessions keep waiting for grant between syncs, each sync asks
 * for twice the last ramp (from MIN_WANT), so a fast transfer reaches its rate within a few
 * syncs instead of waiting for the once-a-second demand estimate. The ledger still never grants
 * more than remains.
 */
export const MAX_RAMP = 256 * 1024 * 1024;
/** An exhausted account blocks (Block action) after this long without a new grant. */
export const BLOCK_GRACE_MS = 1500;
/** An account without traffic for this long returns its unspent grant. */
export const IDLE_RELEASE_MS = 5000;

export interface Lease {
  id: string;
  /** 0 until the first grant names the period. */
  periodStart: number;
  periodEnd: number;
  seq: number;
  /**
   * The ledger answered a report of this lease. Until then every report is seq 1 (a lease's
   * first): a ledger that never saw the lease would take a higher seq for a settled lease's and
   * drop its bytes (offline bytes reported after a failed first attempt).
   */
  known: boolean;
  usedTotal: number;
  grantedTotal: number;
  /** Bytes this lease may spend without a grant (offline allowance); 0 once the server answered. */
  offlineCredit: number;
  /** Local monotonic ms after which the grant may not be spent (0 = no grant yet). */
  lapseAt: number;
  /** Final report queued (period over, lapse, idle or drain). */
  closing: boolean;
}

export interface ReservationHolder {
  reserved: number;
  /** Called when the account blocks (Block at exhaustion): the session closes. */
  block(): void;
}

export class QuotaAccount {
  current: Lease | undefined;
  /** Leases whose final report has not been acknowledged. */
  readonly closing: Lease[] = [];
  readonly holders = new Set<ReservationHolder>();
  private reservedTotal = 0;
  exhaustedSince = 0;
  blocked = false;
  /** Bytes/s, exponentially weighted over about 2 s. */
  demand = 0;
  private spentSinceTick = 0;
  lastSpentAt = 0;
  offlineSpent = 0;
  throttle: TokenBucket | undefined;
  /** Last server view, for status and metrics. */
  serverUsed = 0;
  serverRemaining = 0;
  limit = 0;

  constructor(
    readonly quota: SocksQuota,
    readonly member: string,
    private readonly now: () => number,
    private readonly newLeaseId: () => string,
  ) {}

  get key(): string {
    return `${this.quota.metadata.name}/${this.member}`;
  }

  get counts(): { up: boolean; down: boolean } {
    const d = this.quota.spec.direction;
    return { up: d !== 'Down', down: d !== 'Up' };
  }

  /** Unspent, unreserved bytes of the current lease (0 when lapsed). */
  available(): number {
    const l = this.current;
    if (l === undefined || l.closing) return 0;
    if (l.offlineCredit === 0 && (l.lapseAt === 0 || this.now() >= l.lapseAt)) return 0;
    return Math.max(0, l.grantedTotal + l.offlineCredit - l.usedTotal - this.reservedTotal);
  }

  /** Charges n relayed bytes to the current lease (creating one if needed) and to the holder's reservation. */
  charge(holder: ReservationHolder, n: number): void {
    if (n <= 0) return;
    const l = this.ensureLease();
    l.usedTotal += n;
    if (l.offlineCredit > 0) this.offlineSpent += n;
    const fromReservation = Math.min(holder.reserved, n);
    holder.reserved -= fromReservation;
    this.reservedTotal -= fromReservation;
    this.spentSinceTick += n;
    this.lastSpentAt = this.now();
  }

  /**
   * Tops the holder's reservation up to one chunk; true when it holds a whole chunk. All or
   * nothing: a holder that cannot complete its chunk gives back what it holds, so the last
   * bytes of a grant are not split into partial reservations that no session can read with
   * (another waiting session completes its chunk from them instead).
   */
  reserve(holder: ReservationHolder): boolean {
    const need = CHUNK_BYTES - holder.reserved;
    if (need <= 0) return true;
    if (this.available() >= need) {
      holder.reserved += need;
      this.reservedTotal += need;
      return true;
    }
    this.reservedTotal -= holder.reserved;
    holder.reserved = 0;
    return false;
  }

  release(holder: ReservationHolder): void {
    this.reservedTotal -= holder.reserved;
    holder.reserved = 0;
    this.holders.delete(holder);
  }

  /** Cancels every reservation (the lease they were taken from is gone). */
  dropReservations(): void {
    for (const h of this.holders) h.reserved = 0;
    this.reservedTotal = 0;
  }

  ensureLease(): Lease {
    if (this.current === undefined || this.current.closing) {
      this.current = { id: this.newLeaseId(), periodStart: 0, periodEnd: 0, seq: 0, known: false, usedTotal: 0, grantedTotal: 0, offlineCredit: 0, lapseAt: 0, closing: false };
    }
    return this.current;
  }

  /** Moves the current lease to the closing list (its final report goes out with the next sync). */
  closeCurrent(): void {
    const l = this.current;
    if (l === undefined) return;
    l.closing = true;
    this.closing.push(l);
    this.current = undefined;
    this.dropReservations();
  }

  /** Once a second: demand estimate. */
  tick(dtMs: number): void {
    const rate = dtMs > 0 ? (this.spentSinceTick * 1000) / dtMs : 0;
    this.spentSinceTick = 0;
    this.demand = this.demand * 0.5 + rate * 0.5;
  }

  /** Sessions waited for grant since the last sync (set by the gates). */
  starved = false;
  /** Current ramp-up request size (0 = none); see MAX_RAMP. */
  private ramp = 0;

  /** Before each sync: double the ramp while sessions starve, drop it once they do not. */
  updateRamp(): void {
    this.ramp = this.starved ? Math.min(MAX_RAMP, Math.max(MIN_WANT, this.ramp * 2)) : 0;
    this.starved = false;
  }

  /** Unspent bytes to ask for: a few seconds of demand (or the ramp), at least a chunk per waiting session. */
  want(): number {
    return Math.max(MIN_WANT, Math.ceil(this.demand * DEMAND_SECONDS), this.ramp, (this.holders.size + 1) * CHUNK_BYTES);
  }

  blockAll(): void {
    this.blocked = true;
    for (const h of [...this.holders]) h.block();
  }
}
