/**
 * Port sets: parsing rule port specs into merged ranges, and a port index that maps a port to
 * the dense set of rules accepting it.
 */

/** Parses `N` or `LO-HI` (0-65535, LO <= HI); undefined when malformed. */
export function parsePortSpec(spec: string): [number, number] | undefined {
  const m = /^\s*(\d{1,5})\s*(?:-\s*(\d{1,5})\s*)?$/.exec(spec);
  if (m === null) return undefined;
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  if (lo > 65535 || hi > 65535 || lo > hi) return undefined;
  return [lo, hi];
}

/**
 * A rule's ports as sorted, merged, inclusive ranges flattened to `[lo, hi, lo, hi, ...]`, or
 * null for "any port" (an empty list). Malformed specs (the validator rejects them) match nothing.
 */
export function portRanges(specs: readonly string[]): Int32Array | null {
  if (specs.length === 0) return null;
  const ranges = specs
    .map(parsePortSpec)
    .filter((r): r is [number, number] => r !== undefined)
    .sort((a, b) => a[0] - b[0]);
  const merged: number[] = [];
  for (const [lo, hi] of ranges) {
    const last = merged.length - 1;
    if (last > 0 && lo <= (merged[last] as number) + 1) merged[last] = Math.max(merged[last] as number, hi);
    else merged.push(lo, hi);
  }
  return Int32Array.from(merged);
}

export function rangesContain(ranges: Int32Array | null, port: number): boolean {
  if (ranges === null) return true;
  for (let i = 0; i < ranges.length; i += 2) {
    if (port < (ranges[i] as number)) return false;
    if (port <= (ranges[i + 1] as number)) return true;
  }
  return false;
}

/** True for an integer 0-65535. */
export function isPort(port: number): boolean {
  return Number.isInteger(port) && port >= 0 && port <= 65535;
}

/** Default cap on the memory the per-port sets may use, in 32-bit words (16 MiB). */
export const PORT_INDEX_BUDGET_WORDS = 1 << 22;

/**
 * Port → rules accepting that port. The port space is cut at every range boundary into
 * elementary intervals; each interval's dense rule set is computed once (identical sets are
 * shared) and a 64K-entry table maps a port to its set in O(1).
 *
 * When the sets would exceed the memory budget (thousands of distinct port ranges times
 * thousands of rules), the index degrades instead of exploding: `bitsFor` returns the
 * all-rules set and `exact` is false, telling the evaluator to confirm each candidate rule
 * with `ruleAccepts`.
 */
export class PortIndex {
  /** False when `bitsFor` over-approximates and candidates must be confirmed with `ruleAccepts`. */
  readonly exact: boolean;
  private readonly classOf: Uint16Array;
  private readonly classes: Int32Array[];
  private readonly ranges: (Int32Array | null)[];

  constructor(ranges: (Int32Array | null)[], words: number, budgetWords = PORT_INDEX_BUDGET_WORDS) {
    this.ranges = ranges;
    this.classOf = new Uint16Array(65536);
    const starts = new Set<number>([0]);
    for (const r of ranges) {
      if (r === null) continue;
      for (let i = 0; i < r.length; i += 2) {
        starts.add(r[i] as number);
        if ((r[i + 1] as number) < 65535) starts.add((r[i + 1] as number) + 1);
      }
    }
    const cuts = [...starts].sort((a, b) => a - b);
    if (cuts.length * words > budgetWords) {
      const all = new Int32Array(words).fill(-1);
      this.classes = [all];
      this.exact = false;
      return;
    }
    this.exact = true;
    // Sweep: rules whose range starts at a cut enter, rules whose range ended before it leave.
    const enter = new Map<number, number[]>();
    const leave = new Map<number, number[]>();
    const active = new Int32Array(words);
    ranges.forEach((r, rule) => {
      if (r === null) {
        active[rule >>> 5] = (active[rule >>> 5] as number) | (1 << (rule & 31));
        return;
      }
      for (let i = 0; i < r.length; i += 2) {
        push(enter, r[i] as number, rule);
        push(leave, (r[i + 1] as number) + 1, rule);
      }
    });
    // Identical sets share one id: bucket by content hash, confirm by comparing words.
    const interned = new Map<number, number[]>();
    const classes: Int32Array[] = [];
    cuts.forEach((cut, k) => {
      for (const rule of leave.get(cut) ?? []) active[rule >>> 5] = (active[rule >>> 5] as number) & ~(1 << (rule & 31));
      for (const rule of enter.get(cut) ?? []) active[rule >>> 5] = (active[rule >>> 5] as number) | (1 << (rule & 31));
      let h = 0x811c9dc5;
      for (let w = 0; w < words; w++) h = Math.imul(h ^ (active[w] as number), 0x01000193);
      const bucket = interned.get(h) ?? [];
      let id = bucket.find((c) => sameWords(classes[c] as Int32Array, active));
      if (id === undefined) {
        id = classes.length;
        classes.push(active.slice());
        bucket.push(id);
        interned.set(h, bucket);
      }
      this.classOf.fill(id, cut, k + 1 < cuts.length ? cuts[k + 1] : 65536);
    });
    this.classes = classes;
  }

  /** Dense set of rules accepting `port` (0-65535); a superset when `exact` is false. */
  bitsFor(port: number): Int32Array {
    return this.classes[this.classOf[port] as number] as Int32Array;
  }

  /** Id of the set of rules accepting `port` (ports with equal sets share an id). */
  classFor(port: number): number {
    return this.classOf[port] as number;
  }

  /** The dense set with id `id` (see classFor). */
  classBits(id: number): Int32Array {
    return this.classes[id] as Int32Array;
  }

  ruleAccepts(rule: number, port: number): boolean {
    return rangesContain(this.ranges[rule] ?? null, port);
  }

  /** Number of distinct per-port sets (diagnostics). */
  get classCount(): number {
    return this.classes.length;
  }
}

function sameWords(a: Int32Array, b: Int32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function push(map: Map<number, number[]>, key: number, value: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
