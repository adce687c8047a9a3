/**
 * Counts by two label values in plain numbers on the hot path (two Map lookups, no label
 * hashing, no allocation once a pair has been seen) and hands the increments to a prom-client
 * counter when it is scraped. Flushing adds deltas, so code that increments the same prom-client
 * counter directly keeps working.
 */
export class PairTally {
  private readonly counts = new Map<string, Map<string, number>>();

  add(a: string, b: string, n = 1): void {
    let inner = this.counts.get(a);
    if (inner === undefined) {
      inner = new Map();
      this.counts.set(a, inner);
    }
    inner.set(b, (inner.get(b) ?? 0) + n);
  }

  /** Calls `inc` for every pair counted since the last flush. */
  flush(inc: (a: string, b: string, n: number) => void): void {
    for (const [a, inner] of this.counts) {
      for (const [b, n] of inner) {
        if (n === 0) continue;
        inner.set(b, 0);
        inc(a, b, n);
      }
    }
  }
}
