import type { Histogram } from '@sockscale/common';

interface Pending {
  /** Observations per bucket: index i is (bounds[i-1], bounds[i]]; the last is above every bound. */
  counts: Float64Array;
  /** Sum of the observations per bucket (exact sums when replayed through observe). */
  sums: Float64Array;
  count: number;
}

/** prom-client 15's per-label-set histogram state (see `flush`). */
interface PromEntry {
  labels: Record<string, string>;
  bucketValues: Record<string, number>;
  sum: number;
  count: number;
}

/**
 * Observations of a one-label prom-client histogram counted in plain arrays on the hot path
 * (one bucket search, three additions, no label object, hashing or float-keyed property lookup),
 * and added to the histogram when it is scraped (`flush`, from the histogram's `collect`).
 *
 * `flush` adds the counts to prom-client's per-label-set state directly (bucket counts, sum and
 * count, exactly what `observe` would have added). Should that state not have the expected shape
 * (another prom-client version), it replays every bucket through `observe` with the bucket's
 * mean, which gives the same bucket counts, sum and count.
 */
export class HistogramTally<L extends string> {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly histogram: Histogram<L>,
    private readonly label: L,
    private readonly bounds: readonly number[],
  ) {}

  observe(value: string, v: number): void {
    let p = this.pending.get(value);
    if (p === undefined) {
      p = { counts: new Float64Array(this.bounds.length + 1), sums: new Float64Array(this.bounds.length + 1), count: 0 };
      this.pending.set(value, p);
    }
    const b = this.bounds;
    let i = 0;
    while (i < b.length && v > (b[i] as number)) i++;
    p.counts[i] = (p.counts[i] as number) + 1;
    p.sums[i] = (p.sums[i] as number) + v;
    p.count++;
  }

  flush(): void {
    for (const [value, p] of this.pending) {
      if (p.count === 0) continue;
      const entry = this.entry(value);
      for (let i = 0; i < p.counts.length; i++) {
        const n = p.counts[i] as number;
        if (n === 0) continue;
        if (entry !== undefined) {
          if (i < this.bounds.length) entry.bucketValues[String(this.bounds[i])] = (entry.bucketValues[String(this.bounds[i])] as number) + n;
        } else {
          const mean = (p.sums[i] as number) / n;
          for (let k = 0; k < n; k++) this.histogram.observe({ [this.label]: value } as Partial<Record<L, string>>, mean);
        }
        p.counts[i] = 0;
      }
      if (entry !== undefined) {
        let sum = 0;
        for (let i = 0; i < p.sums.length; i++) sum += p.sums[i] as number;
        entry.sum += sum;
        entry.count += p.count;
      }
      p.sums.fill(0);
      p.count = 0;
    }
  }

  /** prom-client's state for `label=value`, made (zeroed) if missing; undefined if unrecognised. */
  private entry(value: string): PromEntry | undefined {
    const find = (): PromEntry | undefined => {
      const map = (this.histogram as unknown as { hashMap?: Record<string, PromEntry> }).hashMap;
      if (map === undefined || typeof map !== 'object') return undefined;
      for (const e of Object.values(map)) if (e?.labels?.[this.label] === value && Object.keys(e.labels).length === 1) return e;
      return undefined;
    };
    let e = find();
    if (e === undefined) {
      this.histogram.zero({ [this.label]: value } as Partial<Record<L, string>>);
      e = find();
    }
    if (e === undefined || typeof e.sum !== 'number' || typeof e.count !== 'number' || typeof e.bucketValues !== 'object') return undefined;
    for (const b of this.bounds) if (typeof e.bucketValues[String(b)] !== 'number') return undefined;
    return e;
  }
}
