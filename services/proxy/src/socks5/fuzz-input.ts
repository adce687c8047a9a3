/**
 * Test utility: a seeded generator of random and mutated SOCKS5 client input, shared by the
 * randomized unit test and `npm run fuzz` so both exercise exactly the same distribution.
 * Every case is a pure function of one 32-bit seed, which is what a failure report prints.
 */

/** Small, fast, seedable PRNG (mulberry32). Not for anything but tests. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform unsigned 32-bit integer. */
  u32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Integer in [0, n). */
  below(n: number): number {
    return Math.floor((this.u32() / 0x1_0000_0000) * n);
  }

  /** Integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.below(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.u32() < p * 0x1_0000_0000;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)]!;
  }

  byte(): number {
    return this.u32() & 0xff;
  }
}

/** Seed of case `index` of a run started with `seed` (splitmix-style mixing of both). */
export function caseSeed(seed: number, index: number): number {
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index >>> 0, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

export type FuzzCase =
  /** Bytes a client sends on a TCP connection, delivered to the server in `chunks` (sizes). */
  | { kind: 'handshake'; seed: number; input: Buffer; chunks: number[] }
  /** One datagram sent to the UDP relay. */
  | { kind: 'udp'; seed: number; input: Buffer };

/** Byte values that sit on the boundaries the parsers care about. */
const INTERESTING = [
  0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x1f, 0x20, 0x21, 0x2e, 0x3a, 0x41, 0x7e, 0x7f,
  0x80, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xfe, 0xff,
];

const HOST_CHARS: readonly number[] = [...Buffer.from('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._')];
const EXAMPLE: readonly number[] = [...Buffer.from('.example')];

/** UTF-8 of code points that take 2, 3 and 4 bytes, plus some awkward ones (NEL, NBSP, ZWSP, BOM). */
const WIDE_CHARS: readonly (readonly number[])[] = ['é', 'ß', 'ж', '中', '文', '€', '\u0085', '\u00a0', '\u200b', '\ufeff', '\ufffd', '😀', '𝔘'].map(
  (c) => [...Buffer.from(c, 'utf8')],
);

/** Message under construction, remembering where its length fields are so they can be lied about. */
interface Draft {
  bytes: number[];
  lengthFields: number[];
}

/** A length byte and up to `maxBytes` of host-like ASCII, mixed UTF-8, or arbitrary bytes. */
function pushText(rng: Rng, d: Draft, maxBytes: number, hostLike: boolean): void {
  const b = d.bytes;
  const lenAt = b.length;
  b.push(0);
  d.lengthFields.push(lenAt);
  const style = rng.below(10);
  if (style < 6) {
    const n = rng.chance(0.8) ? rng.range(1, 40) : rng.range(0, maxBytes);
    for (let i = 0; i < n; i++) b.push(rng.pick(HOST_CHARS));
    if (hostLike && n > 0 && n + EXAMPLE.length <= maxBytes && rng.chance(0.5)) b.push(...EXAMPLE);
  } else if (style < 9) {
    for (let i = rng.range(0, 30); i > 0; i--) {
      const c = rng.chance(0.5) ? rng.pick(WIDE_CHARS) : undefined;
      if (c === undefined) b.push(rng.pick(HOST_CHARS));
      else b.push(...c);
    }
  } else {
    for (let i = rng.range(0, rng.chance(0.5) ? 16 : maxBytes); i > 0; i--) b.push(rng.chance(0.3) ? rng.pick(INTERESTING) : rng.byte());
  }
  const len = Math.min(b.length - lenAt - 1, maxBytes);
  b[lenAt] = len;
  b.length = lenAt + 1 + len;
}

/** 16 IPv6 bytes with the structure that exercises `::` compression and embedded IPv4. */
function pushIPv6(rng: Rng, d: Draft): void {
  const shape = rng.below(6);
  const words: number[] = [];
  for (let i = 0; i < 8; i++) {
    if (shape === 0) words.push(rng.u32() & 0xffff);
    else if (shape === 1) words.push(rng.chance(0.5) ? 0 : rng.u32() & 0xffff);
    else if (shape === 2) words.push(i < 5 ? 0 : i === 5 ? 0xffff : rng.u32() & 0xffff); // mapped
    else if (shape === 3) words.push(i < 6 ? 0 : rng.u32() & 0xffff); // compatible
    else if (shape === 4) words.push(rng.chance(0.7) ? 0 : rng.pick([1, 0xffff, rng.u32() & 0xffff]));
    else words.push(rng.chance(0.5) ? 0 : rng.pick([1, 0x10, 0x100, 0x1000, 0xabcd]));
  }
  for (const w of words) d.bytes.push(w >>> 8, w & 0xff);
}

function pushAddress(rng: Rng, d: Draft): void {
  const atyp = rng.chance(0.95) ? rng.pick([1, 3, 4]) : rng.pick([0, 2, 5, 0xff, rng.byte()]);
  d.bytes.push(atyp);
  if (atyp === 1) for (let i = 0; i < 4; i++) d.bytes.push(rng.chance(0.2) ? rng.pick([0, 255]) : rng.byte());
  else if (atyp === 4) pushIPv6(rng, d);
  else if (atyp === 3) pushText(rng, d, 255, true);
  else for (let i = rng.below(20); i > 0; i--) d.bytes.push(rng.byte());
  const port = rng.chance(0.2) ? rng.pick([0, 1, 80, 443, 1080, 65535]) : rng.below(65536);
  d.bytes.push(port >>> 8, port & 0xff);
}

/** Mostly NO AUTH and USERNAME/PASSWORD, as real clients offer. */
const METHOD_CHOICES = [0x00, 0x02, 0x02, 0x01, 0xff];

/** Greeting, optional RFC 1929 sub-negotiation, request, and maybe pipelined payload. */
function draftHandshake(rng: Rng): Draft {
  const d: Draft = { bytes: [], lengthFields: [] };
  d.bytes.push(rng.chance(0.97) ? 5 : rng.pick([4, 0x16, 0x47, 0, 1, rng.byte()]));
  const n = rng.chance(0.03) ? 0 : rng.chance(0.85) ? rng.range(1, 4) : rng.range(1, 255);
  d.lengthFields.push(d.bytes.length);
  d.bytes.push(n);
  const methods: number[] = [];
  for (let i = 0; i < n; i++) methods.push(rng.chance(0.8) ? rng.pick(METHOD_CHOICES) : rng.byte());
  for (const m of methods) d.bytes.push(m);
  if (methods.includes(2)) {
    d.bytes.push(rng.chance(0.97) ? 1 : rng.pick([0, 5, rng.byte()]));
    pushText(rng, d, 255, false);
    pushText(rng, d, 255, false);
  }
  d.bytes.push(rng.chance(0.97) ? 5 : rng.byte());
  d.bytes.push(rng.chance(0.95) ? rng.pick([1, 2, 3]) : rng.pick([0, 4, 5, 0xff, rng.byte()]));
  d.bytes.push(rng.chance(0.9) ? 0 : rng.byte()); // RSV
  pushAddress(rng, d);
  if (rng.chance(0.2)) for (let i = rng.range(1, 32); i > 0; i--) d.bytes.push(rng.byte());
  return d;
}

function draftUdp(rng: Rng): Draft {
  const d: Draft = { bytes: [], lengthFields: [] };
  d.bytes.push(rng.chance(0.9) ? 0 : rng.byte(), rng.chance(0.9) ? 0 : rng.byte());
  d.bytes.push(rng.chance(0.85) ? 0 : rng.byte()); // FRAG
  pushAddress(rng, d);
  for (let i = rng.chance(0.5) ? rng.below(64) : 0; i > 0; i--) d.bytes.push(rng.byte());
  return d;
}

/** Applies 0-5 random mutations in place: flips, overwrites, truncation, extension, length lies. */
function mutate(rng: Rng, d: Draft): void {
  const b = d.bytes;
  const count = rng.chance(0.35) ? 0 : rng.range(1, 5);
  for (let m = 0; m < count; m++) {
    const at = b.length === 0 ? 0 : rng.below(b.length);
    switch (rng.below(9)) {
      case 0: // flip one bit
        if (b.length > 0) b[at] = b[at]! ^ (1 << rng.below(8));
        break;
      case 1: // boundary value
        if (b.length > 0) b[at] = rng.pick(INTERESTING);
        break;
      case 2: // random byte
        if (b.length > 0) b[at] = rng.byte();
        break;
      case 3: // truncate
        b.length = rng.below(b.length + 1);
        break;
      case 4: // extend
        for (let i = rng.range(1, rng.chance(0.8) ? 8 : 300); i > 0; i--) b.push(rng.byte());
        break;
      case 5: // insert
        b.splice(at, 0, ...Array.from({ length: rng.range(1, 4) }, () => rng.byte()));
        break;
      case 6: // delete
        b.splice(at, rng.range(1, 4));
        break;
      case 7: {
        // lie about a length: off by one, zero, max, or random
        const field = d.lengthFields.length > 0 ? rng.pick(d.lengthFields) : at;
        if (field < b.length) {
          const v = b[field]!;
          b[field] = rng.pick([v + 1, v - 1, 0, 255, rng.byte()]) & 0xff;
        }
        break;
      }
      default: {
        // duplicate a slice somewhere else (repeated or reordered messages)
        const from = rng.below(b.length + 1);
        const slice = b.slice(from, from + rng.range(1, 24));
        b.splice(rng.below(b.length + 1), 0, ...slice);
        break;
      }
    }
  }
}

function randomBytes(rng: Rng): number[] {
  const n = rng.chance(0.5) ? rng.below(16) : rng.below(600);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(rng.chance(0.25) ? rng.pick(INTERESTING) : rng.byte());
  if (out.length > 0 && rng.chance(0.5)) out[0] = 5;
  return out;
}

/** How a TCP stream arrives: whole, a few pieces, byte by byte, or small random pieces. */
function splitChunks(rng: Rng, length: number): number[] {
  if (length === 0) return [];
  const style = rng.below(10);
  if (style < 4) return [length];
  const chunks: number[] = [];
  let left = length;
  while (left > 0) {
    const size = style < 7 ? rng.range(1, Math.max(1, Math.ceil(length / 2))) : style < 8 ? 1 : rng.range(1, 7);
    const take = Math.min(left, size);
    chunks.push(take);
    left -= take;
  }
  return chunks;
}

/** The case for `seed`: the same seed always yields the same bytes and chunking. */
export function generateFuzzCase(seed: number): FuzzCase {
  const rng = new Rng(seed);
  const udp = rng.chance(0.2);
  let bytes: number[];
  if (rng.chance(0.08)) {
    bytes = randomBytes(rng);
  } else {
    const d = udp ? draftUdp(rng) : draftHandshake(rng);
    mutate(rng, d);
    bytes = d.bytes;
  }
  const input = Buffer.from(bytes);
  if (udp) return { kind: 'udp', seed, input };
  return { kind: 'handshake', seed, input, chunks: splitChunks(rng, input.length) };
}
