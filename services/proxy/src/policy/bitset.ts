/**
 * Rule sets as bitsets over global rule indexes (bit r of word r >>> 5).
 *
 * Dense sets are Int32Arrays with one word per 32 rules: command, subject and port sets, which
 * are few. Sparse sets are Int32Arrays of interleaved `[wordIndex, bits, wordIndex, bits, ...]`
 * pairs sorted by word index holding only non-zero words: destination sets, of which there is
 * one per prefix or domain, each usually touching a handful of rules.
 */
export type DenseBits = Int32Array;
export type SparseBits = Int32Array;

export const EMPTY_SPARSE: SparseBits = new Int32Array(0);

/** Words needed for `ruleCount` rules (at least one, so empty sets still index safely). */
export function wordCount(ruleCount: number): number {
  return Math.max(1, (ruleCount + 31) >>> 5);
}

export function setBit(bits: DenseBits, r: number): void {
  bits[r >>> 5] = (bits[r >>> 5] as number) | (1 << (r & 31));
}

export function hasBit(bits: DenseBits, r: number): boolean {
  return ((bits[r >>> 5] as number) & (1 << (r & 31))) !== 0;
}

/** Sets bits [start, end). */
export function setRange(bits: DenseBits, start: number, end: number): void {
  for (let r = start; r < end; ) {
    const w = r >>> 5;
    const lo = r & 31;
    const hi = Math.min(32, end - (w << 5));
    const mask = hi - lo === 32 ? -1 : ((1 << (hi - lo)) - 1) << lo;
    bits[w] = (bits[w] as number) | mask;
    r = (w + 1) << 5;
  }
}

/** Index of the lowest set bit of a non-zero word. */
export function lowestBit(word: number): number {
  return 31 - Math.clz32(word & -word);
}

export function denseFrom(rules: Iterable<number>, words: number): DenseBits {
  const bits = new Int32Array(words);
  for (const r of rules) setBit(bits, r);
  return bits;
}

export function denseAnd(a: DenseBits, b: DenseBits): DenseBits {
  const out = new Int32Array(a.length);
  for (let w = 0; w < a.length; w++) out[w] = (a[w] as number) & (b[w] as number);
  return out;
}

export function denseOr(a: DenseBits, b: DenseBits): DenseBits {
  const out = new Int32Array(a.length);
  for (let w = 0; w < a.length; w++) out[w] = (a[w] as number) | (b[w] as number);
  return out;
}

export function sparseFrom(rules: Iterable<number>): SparseBits {
  const sorted = [...new Set(rules)].sort((x, y) => x - y);
  const pairs: number[] = [];
  for (const r of sorted) {
    const w = r >>> 5;
    if (pairs.length > 0 && pairs[pairs.length - 2] === w) pairs[pairs.length - 1] = (pairs[pairs.length - 1] as number) | (1 << (r & 31));
    else pairs.push(w, 1 << (r & 31));
  }
  return pairs.length === 0 ? EMPTY_SPARSE : Int32Array.from(pairs);
}

/** a ∪ b; returns `a` or `b` itself when the other adds nothing. */
export function sparseUnion(a: SparseBits, b: SparseBits): SparseBits {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const out: number[] = [];
  let i = 0;
  let j = 0;
  let changedA = false;
  let changedB = false;
  while (i < a.length || j < b.length) {
    const wa = i < a.length ? (a[i] as number) : 0x7fffffff;
    const wb = j < b.length ? (b[j] as number) : 0x7fffffff;
    if (wa === wb) {
      const ba = a[i + 1] as number;
      const bb = b[j + 1] as number;
      const u = ba | bb;
      if (u !== ba) changedA = true;
      if (u !== bb) changedB = true;
      out.push(wa, u);
      i += 2;
      j += 2;
    } else if (wa < wb) {
      out.push(wa, a[i + 1] as number);
      changedB = true;
      i += 2;
    } else {
      out.push(wb, b[j + 1] as number);
      changedA = true;
      j += 2;
    }
  }
  if (!changedA) return a;
  if (!changedB) return b;
  return Int32Array.from(out);
}

/** s ∩ d; returns `s` itself when nothing is removed. */
export function sparseAndDense(s: SparseBits, d: DenseBits): SparseBits {
  const out: number[] = [];
  for (let i = 0; i < s.length; i += 2) {
    const bits = (s[i + 1] as number) & (d[s[i] as number] as number);
    if (bits !== 0) out.push(s[i] as number, bits);
  }
  if (out.length === s.length && out.every((v, i) => v === s[i])) return s;
  return out.length === 0 ? EMPTY_SPARSE : Int32Array.from(out);
}

/** Membership test by binary search over the word indexes. */
export function sparseHas(s: SparseBits, r: number): boolean {
  const w = r >>> 5;
  let lo = 0;
  let hi = (s.length >>> 1) - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const mw = s[mid << 1] as number;
    if (mw === w) return ((s[(mid << 1) + 1] as number) & (1 << (r & 31))) !== 0;
    if (mw < w) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** Rule indexes in a sparse set, ascending (tests and diagnostics). */
export function sparseMembers(s: SparseBits): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i += 2) {
    let bits = s[i + 1] as number;
    while (bits !== 0) {
      out.push(((s[i] as number) << 5) | lowestBit(bits));
      bits &= bits - 1;
    }
  }
  return out;
}
