import type { Cidr, CidrTrie } from '@sockscale/common';

/**
 * Longest-prefix match flattened for lookup speed. A set of prefixes cuts the address space
 * into at most 2n+1 ranges within which the longest matching prefix does not change; the
 * table holds the sorted range starts and each range's value. A lookup is a binary search in
 * one compact array (cache-friendly, unlike a 32/128-step walk through a large trie). For
 * IPv4 an index on the top address bits (up to 16, about one bucket per range) narrows the
 * search to the few ranges inside that block.
 *
 * Built from a CidrTrie holding the same prefixes (the trie answers the longest match at each
 * range start while building).
 *
 * Addresses may be passed as unsigned or signed 32-bit numbers (`x >>> 0` or `x | 0`). Keys are
 * kept as signed int32 with the top bit flipped, which orders like the unsigned address: hot
 * callers can pass Int32Array reads, which V8 keeps as small integers instead of allocating a
 * heap number for every address at or above 128.0.0.0.
 */
export class V4RangeTable<T> {
  /** Range starts, sign-flipped (see above). */
  private readonly starts: Int32Array;
  private readonly values: T[];
  private readonly index: Int32Array;
  private readonly shift: number;

  constructor(trie: CidrTrie<T>, prefixes: readonly Cidr[], none: T) {
    const cuts = new Set<number>([0]);
    for (const c of prefixes) {
      const start = c.value as number;
      cuts.add(start);
      const end = start + 2 ** (32 - c.prefix);
      if (end < 2 ** 32) cuts.add(end);
    }
    const sorted = [...cuts].sort((a, b) => a - b);
    const starts: number[] = [];
    const values: T[] = [];
    for (const s of sorted) {
      const v = trie.matchV4(s) ?? none;
      if (values.length > 0 && values[values.length - 1] === v) continue;
      starts.push(s);
      values.push(v);
    }
    this.starts = Int32Array.from(starts, flip);
    this.values = values;
    const bits = Math.min(16, Math.max(1, Math.ceil(Math.log2(starts.length + 1))));
    const buckets = 2 ** bits;
    this.shift = 32 - bits;
    this.index = new Int32Array(buckets + 1);
    let r = 0;
    for (let top = 0; top < buckets; top++) {
      const base = top * 2 ** this.shift;
      while (r + 1 < starts.length && (starts[r + 1] as number) <= base) r++;
      this.index[top] = r;
    }
    this.index[buckets] = starts.length - 1;
  }

  get rangeCount(): number {
    return this.starts.length;
  }

  match(address: number): T {
    const top = address >>> this.shift;
    const key = flip(address);
    const starts = this.starts;
    let lo = this.index[top] as number;
    let hi = this.index[top + 1] as number;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((starts[mid] as number) <= key) lo = mid;
      else hi = mid - 1;
    }
    return this.values[lo] as T;
  }
}

/** The IPv6 counterpart: range starts as four 32-bit words each, binary-searched. */
export class V6RangeTable<T> {
  /** Range starts, four sign-flipped words each. */
  private readonly starts: Int32Array;
  private readonly values: T[];

  constructor(trie: CidrTrie<T>, prefixes: readonly Cidr[], none: T) {
    // Range starts as 32-digit hex strings: they dedupe and sort (natively) in address order.
    const limit = 1n << 128n;
    const cuts = new Set<string>([ZERO_HEX]);
    for (const c of prefixes) {
      const start = c.value as bigint;
      cuts.add(start.toString(16).padStart(32, '0'));
      const end = start + (1n << BigInt(128 - c.prefix));
      if (end < limit) cuts.add(end.toString(16).padStart(32, '0'));
    }
    const sorted = [...cuts].sort();
    const words: number[] = [];
    const values: T[] = [];
    for (const hex of sorted) {
      const w0 = parseInt(hex.slice(0, 8), 16);
      const w1 = parseInt(hex.slice(8, 16), 16);
      const w2 = parseInt(hex.slice(16, 24), 16);
      const w3 = parseInt(hex.slice(24, 32), 16);
      const v = trie.matchV6(w0, w1, w2, w3) ?? none;
      if (values.length > 0 && values[values.length - 1] === v) continue;
      words.push(w0, w1, w2, w3);
      values.push(v);
    }
    this.starts = Int32Array.from(words, flip);
    this.values = values;
  }

  get rangeCount(): number {
    return this.values.length;
  }

  /** `w0`..`w3`: the address as 32-bit words, most significant first (signed or unsigned). */
  match(w0: number, w1: number, w2: number, w3: number): T {
    const k0 = flip(w0);
    const k1 = flip(w1);
    const k2 = flip(w2);
    const k3 = flip(w3);
    const s = this.starts;
    let lo = 0;
    let hi = this.values.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      const k = mid << 2;
      const a = s[k] as number;
      let le: boolean;
      if (a !== k0) le = a < k0;
      else {
        const b = s[k + 1] as number;
        if (b !== k1) le = b < k1;
        else {
          const c = s[k + 2] as number;
          le = c !== k2 ? c < k2 : (s[k + 3] as number) <= k3;
        }
      }
      if (le) lo = mid;
      else hi = mid - 1;
    }
    return this.values[lo] as T;
  }
}

const ZERO_HEX = '0'.repeat(32);

/** Signed int32 that orders like the unsigned value of `x`. */
function flip(x: number): number {
  return x ^ 0x80000000;
}
