/**
 * Reconnect delays: exponential with full jitter (a random delay between 0 and
 * min(max, initial * 2^attempt)), so proxies that lost the same replica do not all reconnect
 * in the same instant. The first retry is quick: another replica is usually there.
 */
export class Backoff {
  private attempt = 0;

  constructor(
    readonly initialMs = 100,
    readonly maxMs = 10_000,
    private readonly random: () => number = Math.random,
  ) {}

  next(): number {
    const cap = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.round(this.random() * cap);
  }

  reset(): void {
    this.attempt = 0;
  }
}
