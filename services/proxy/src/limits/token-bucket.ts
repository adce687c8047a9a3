/**
 * A token bucket in bytes that may go into debt: bytes are charged after they were relayed
 * (a relay cannot un-read a chunk), and a bucket in debt tells the caller how long to wait
 * until it is back to zero. Long-run throughput is exactly `rate`, plus at most one `burst`
 * after an idle period. Rate and burst change in place (`setRate`), keeping the balance, so a
 * cluster allotment can move a pod's share without touching the sessions using the bucket.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private rate: number;
  private burst: number;

  constructor(
    rate: number,
    private readonly now: () => number = monotonicMs,
    burstSeconds = DEFAULT_BURST_SECONDS,
  ) {
    this.rate = rate;
    this.burst = Math.max(1, rate * burstSeconds);
    this.tokens = this.burst;
    this.last = this.now();
  }

  get bytesPerSecond(): number {
    return this.rate;
  }

  setRate(rate: number, burstSeconds = DEFAULT_BURST_SECONDS): void {
    this.refill();
    this.rate = rate;
    this.burst = Math.max(1, rate * burstSeconds);
    if (this.tokens > this.burst) this.tokens = this.burst;
  }

  /** Charges n bytes; returns 0, or the milliseconds until the debt is paid. */
  consume(n: number): number {
    this.refill();
    this.tokens -= n;
    if (this.tokens >= 0) return 0;
    return Math.max(1, Math.ceil((-this.tokens / this.rate) * 1000));
  }

  private refill(): void {
    const t = this.now();
    const dt = t - this.last;
    this.last = t;
    if (dt > 0) this.tokens = Math.min(this.burst, this.tokens + (dt * this.rate) / 1000);
  }
}

/** Burst allowance: 100 ms worth of the rate (keeps a 10 s average within 1% of the rate). */
export const DEFAULT_BURST_SECONDS = 0.1;

export function monotonicMs(): number {
  return performance.now();
}
