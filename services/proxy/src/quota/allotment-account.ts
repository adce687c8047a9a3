/**
 * One account's cluster-wide allotment on one proxy (SocksQuota `bandwidth`, `maxConnections`,
 * and the `Throttle` rate at exhaustion): its share of the rate, applied to one token bucket
 * shared by the account's sessions on this proxy, its connection slots, and the demand it
 * reports (bytes/s relayed, sessions active, whether it used ≥ 80 % of its share).
 *
 * - Bandwidth: every session of the account gets a DirectionGate over the account's bucket
 *   (sessions take turns; the proxy's total is the share). A new share changes the bucket's
 *   rate in place. Before the first share the bucket runs at 5 % of the rate (also the
 *   Throttle rate's stand-in).
 *   Control plane unreachable: the last share stays in force.
 * - Connections: a session needs a slot; a free held slot is taken at once, otherwise the
 *   session waits (at most SLOT_WAIT_MS, re-asking every SLOT_RETRY_MS) for the control plane
 *   to grant one. A closed session's slot goes back with the next report (sent at once).
 *   Without an answer for the TTL, the proxy opens no new sessions beyond those it has open.
 */
import type { SocksQuota } from '@sockscale/common';
import { DirectionGate, TokenBucket } from '../limits';

/** A session with no free slot waits this long for the control plane to grant one, then gets 0x02. */
export const SLOT_WAIT_MS = 1000;
/** While sessions wait for a slot, the proxy re-asks this often. */
export const SLOT_RETRY_MS = 100;
/** Share of the rate used before the first answer (the control plane's floor). */
export const INITIAL_SHARE_FRACTION = 0.05;
/**
 * A session counts as active (demand weight) while it relayed or opened within this window: a
 * session pausing for a byte grant (up to the 1.5 s exhaustion grace) keeps its weight.
 */
export const ACTIVE_WINDOW_MS = 3000;
/** A proxy that relayed at least this fraction of its share reports itself limited. */
export const LIMITED_FRACTION = 0.8;

export interface AllotHolder {
  lastBytesAt: number;
  openedAt: number;
  up?: DirectionGate;
  down?: DirectionGate;
}

export class AllotmentAccount {
  bucket: TokenBucket | undefined;
  readonly holders = new Set<AllotHolder>();
  bandwidthShare = 0;
  throttleShare = 0;
  /** Slots granted by the control plane; in use; sessions waiting. */
  slots = 0;
  inUse = 0;
  waiting = 0;
  connectionsLimit = 0;
  /** Next report due (local ms); 0 = at once. */
  dueAt = 0;
  lastReportAt: number;
  /** When the control plane last answered for this account (local ms). */
  lastAnswerAt = -Infinity;
  ttlMs = Infinity;
  private bytesSinceReport = 0;
  idleSince: number;
  private readonly waiters = new Set<() => void>();

  constructor(
    public quota: SocksQuota,
    readonly member: string,
    private readonly now: () => number,
  ) {
    const rate = quota.spec.bandwidth;
    this.bucket = rate === undefined ? undefined : new TokenBucket(Math.max(1, Math.floor(rate * INITIAL_SHARE_FRACTION)));
    this.lastReportAt = now();
    this.idleSince = now();
  }

  /** A changed quota object: a bandwidth that appeared gets a bucket (new sessions use it); one that went stops limiting. */
  setQuota(q: SocksQuota): void {
    this.quota = q;
    if (q.spec.bandwidth === undefined) {
      this.bucket?.setRate(Number.MAX_SAFE_INTEGER);
      this.bucket = undefined;
    } else {
      this.bucket ??= new TokenBucket(Math.max(1, Math.floor(q.spec.bandwidth * INITIAL_SHARE_FRACTION)));
    }
    this.dueAt = 0;
  }

  get key(): string {
    return `${this.quota.metadata.name}/${this.member}`;
  }

  get counts(): { up: boolean; down: boolean } {
    const d = this.quota.spec.direction;
    return { up: d !== 'Down', down: d !== 'Up' };
  }

  get limitsConnections(): boolean {
    return this.quota.spec.maxConnections !== undefined;
  }

  /** Registers a session; with a bandwidth, its per-direction gates over the shared bucket. */
  open(): AllotHolder {
    const t = this.now();
    const h: AllotHolder = { lastBytesAt: 0, openedAt: t };
    // The first session after a quiet spell: report at once (the share follows demand sooner).
    if (this.holders.size === 0) this.dueAt = 0;
    if (this.bucket !== undefined) {
      if (this.counts.up) h.up = new DirectionGate([this.bucket]);
      if (this.counts.down) h.down = new DirectionGate([this.bucket]);
    }
    this.holders.add(h);
    return h;
  }

  close(h: AllotHolder): void {
    this.holders.delete(h);
    if (this.holders.size === 0) this.idleSince = this.now();
  }

  /** Counts relayed bytes (demand); returns how long the session must wait for the bandwidth share. */
  charge(h: AllotHolder, dir: 'up' | 'down', n: number): number {
    if (n > 0 && this.counts[dir]) {
      this.bytesSinceReport += n;
      h.lastBytesAt = this.now();
    }
    const g = h[dir];
    return g === undefined ? 0 : g.consume(n);
  }

  /** A slot for a new session: true at once when one is free, else waits (see SLOT_WAIT_MS). `ask` requests a report. */
  async takeSlot(ask: () => void): Promise<boolean> {
    const deadline = this.now() + SLOT_WAIT_MS;
    this.waiting++;
    try {
      for (;;) {
        if (this.inUse < this.usableSlots()) {
          this.inUse++;
          return true;
        }
        const left = deadline - this.now();
        if (left <= 0) return false;
        this.dueAt = 0;
        ask();
        await new Promise<void>((resolve) => {
          const done = (): void => {
            clearTimeout(t);
            this.waiters.delete(done);
            resolve();
          };
          const t = setTimeout(done, Math.min(SLOT_RETRY_MS, left));
          this.waiters.add(done);
        });
      }
    } finally {
      this.waiting--;
    }
  }

  returnSlot(): void {
    this.inUse = Math.max(0, this.inUse - 1);
    this.dueAt = 0;
    this.wake();
  }

  /** Slots that may be used: none beyond those in use once the control plane has not answered for the TTL. */
  private usableSlots(): number {
    if (this.now() - this.lastAnswerAt > this.ttlMs) return Math.min(this.slots, this.inUse);
    return this.slots;
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  /** The report for the next sync; resets the interval's counters. */
  report(release: boolean): { rate: number; activeSessions: number; limited: boolean; connectionsInUse: number; connectionsWant: number; release: boolean } {
    const t = this.now();
    const dt = Math.max(1, t - this.lastReportAt);
    const rate = Math.round((this.bytesSinceReport * 1000) / dt);
    let active = 0;
    for (const h of this.holders) if (Math.max(h.lastBytesAt, h.openedAt) >= t - ACTIVE_WINDOW_MS) active++;
    const share = this.quota.spec.bandwidth !== undefined ? this.bandwidthShare : this.throttleShare;
    const limited = share > 0 ? rate >= LIMITED_FRACTION * share : active > 0;
    this.bytesSinceReport = 0;
    this.lastReportAt = t;
    return { rate, activeSessions: active, limited, connectionsInUse: this.inUse, connectionsWant: this.inUse + this.waiting, release };
  }

  /** Applies the control plane's answer. */
  apply(g: { bandwidthShare: number; throttleShare: number; connections: number; connectionsLimit: number; ttlMs: number }): void {
    this.lastAnswerAt = this.now();
    if (g.ttlMs > 0) this.ttlMs = g.ttlMs;
    // No share (new, or without demand until now, while the others still enforce the whole
    // rate): 5 % of the rate until the next answer; a near-zero bucket would pause sessions for
    // very long.
    this.throttleShare = g.throttleShare;
    this.bandwidthShare = g.bandwidthShare;
    if (this.bucket !== undefined) this.bucket.setRate(g.bandwidthShare > 0 ? g.bandwidthShare : this.standIn(this.quota.spec.bandwidth));
    this.slots = g.connections;
    this.connectionsLimit = g.connectionsLimit;
    this.wake();
  }

  /** 5 % of a cluster rate: what a proxy without a share relays at. */
  standIn(rate: number | undefined): number {
    return Math.max(1, Math.floor((rate ?? 1) * INITIAL_SHARE_FRACTION));
  }

  /** The Throttle bucket's rate: this proxy's share of the throttle rate, or the stand-in. */
  throttleRate(): number {
    return this.throttleShare > 0 ? this.throttleShare : this.standIn(this.quota.spec.onExhausted.rate);
  }

  /** Idle (no sessions, no slots in use, nobody waiting) since `ms` ago. */
  idleFor(ms: number): boolean {
    return this.holders.size === 0 && this.inUse === 0 && this.waiting === 0 && this.now() - this.idleSince >= ms;
  }
}
