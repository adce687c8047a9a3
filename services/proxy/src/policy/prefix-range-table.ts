import type { Cidr, CidrTrie } from '@sockscale/common';

/**
 * Longest-prefix match flattened for lookup speed. A set of prefixes cuts the address space
 * into at most 2n+1 ranges within which the longest matching prefix does not change; the
 * table holds the sorted range starts and each range's value. A lookup is a binary search in
 * one compact array (cache-friendly, unlike a 32/128-step walk through a large trie). For
 * IPv4 a 64K-entry index on the top 16 bits narrows the search to the few ranges in that /16.
 *
 * Built from a CidrTrie holding the same prefixes (the trie answers the longest match at each
 * range start while building).
 */
export class V4RangeTable<T> {
  private readonly starts: Uint32Array;
  private readonly values: T[];
  private readonly index: Int32Array;

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
    this.starts = Uint32Array.from(starts);
    this.values = values;
    this.index = new Int32Array(65537);
    let r = 0;
    for (let top = 0; top < 65536; top++) {
      const base = top * 65536;
      while (r + 1 < starts.length && (starts[r + 1] as number) <= base) r++;
      this.index[top] = r;
    }
    this.index[65536] = starts.length - 1;
  }

  get rangeCount(): number {
    return this.starts.length;
  }

  match(address: number): T {
    const top = address >>> 16;
    const starts = this.starts;
    let lo = this.index[top] as number;
    let hi = this.index[top + 1] as number;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((starts[mid] as number) <= address) lo = mid;
      else hi = mid - 1;
    }
    return this.values[lo] as T;
  }
}

/** The IPv6 counterpart: range starts as four 32-bit words each, binary-searched. */
export class V6RangeTable<T> {
  private readonly starts: Uint32Array;
  private readonly values: T[];

  constructor(trie: CidrTrie<T>, prefixes: readonly Cidr[], none: T) {
    const limit = 1n << 128n;
    const cuts = new Set<bigint>([0n]);
    for (const c of prefixes) {
      const start = c.value as bigint;
      cuts.add(start);
      const end = start + (1n << BigInt(128 - c.prefix));
      if (end < limit) cuts.add(end);
    }
    const sorted = [...cuts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const words: number[] = [];
    const values: T[] = [];
    for (const s of sorted) {
      const w0 = Number((s >> 96n) & 0xffffffffn);
      const w1 = Number((s >> 64n) & 0xffffffffn);
      const w2 = Number((s >> 32n) & 0xffffffffn);
      const w3 = Number(s & 0xffffffffn);
      const v = trie.matchV6(w0, w1, w2, w3) ?? none;
      if (values.length > 0 && values[values.length - 1] === v) continue;
      words.push(w0, w1, w2, w3);
      values.push(v);
    }
    this.starts = Uint32Array.from(words);
    this.values = values;
  }

  get rangeCount(): number {
    return this.values.length;
  }

  match(w0: number, w1: number, w2: number, w3: number): T {
    const s = this.starts;
    let lo = 0;
    let hi = this.values.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      const k = mid << 2;
      const a = s[k] as number;
      let le: boolean;
      if (a !== w0) le = a < w0;
      else {
        const b = s[k + 1] as number;
        if (b !== w1) le = b < w1;
        else {
          const c = s[k + 2] as number;
          le = c !== w2 ? c < w2 : (s[k + 3] as number) <= w3;
        }
      }
      if (le) lo = mid;
      else hi = mid - 1;
    }
    return this.values[lo] as T;
  }
}
