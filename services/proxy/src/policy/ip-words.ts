import { parseIp } from '@sockscale/common';

/**
 * Address parsing for the hot path: the address lands in a caller-owned Uint32Array (out[0]
 * for IPv4; out[0..3], most significant first, for IPv6) instead of a new object or bigint.
 *
 * The usual spellings (dotted quad, colon-hex with or without `::`) are parsed here without
 * allocating. Anything else (embedded dotted tails, zone ids, invalid text) is handed to
 * parseIp, which stays the single authority: this parser only ever accepts strings that parseIp
 * accepts, with the same value. IPv4-mapped IPv6 (::ffff:a.b.c.d) comes back as IPv4.
 *
 * Returns 4, 6, or 0 when `s` is not an address.
 */
export function parseIpWords(s: string, out: Uint32Array): 0 | 4 | 6 {
  if (fastV4(s, out)) return 4;
  const v6 = fastV6(s, out);
  if (v6 !== 0) return v6;
  return slowPath(s, out);
}

const groups = new Uint16Array(8);

/**
 * A dotted quad exactly as node:net isIPv4 accepts it (no leading zeros), stored in out[0].
 * Writes instead of returning the address: a uint32 return value at or above 2^31 would be
 * boxed into a heap number on every call.
 */
function fastV4(s: string, out: Uint32Array): boolean {
  const len = s.length;
  if (len < 7 || len > 15) return false;
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  let leadingZero = false;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits === 0) leadingZero = c === 48;
      else if (leadingZero) return false;
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return false;
    } else if (c === 46) {
      if (digits === 0 || ++dots > 3) return false;
      value = (value << 8) | part;
      part = 0;
      digits = 0;
    } else {
      return false;
    }
  }
  if (digits === 0 || dots !== 3) return false;
  out[0] = (value << 8) | part;
  return true;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Colon-hex IPv6 with at most one `::` and no dotted tail or zone; else 0 (let parseIp decide). */
function fastV6(s: string, out: Uint32Array): 0 | 4 | 6 {
  const len = s.length;
  if (len < 2 || len > 39) return 0;
  let i = 0;
  let n = 0;
  let gap = -1;
  if (s.charCodeAt(0) === 58) {
    if (s.charCodeAt(1) !== 58) return 0;
    gap = 0;
    i = 2;
  }
  while (i < len) {
    let value = 0;
    let digits = 0;
    while (i < len) {
      const h = hexValue(s.charCodeAt(i));
      if (h < 0) break;
      value = (value << 4) | h;
      digits++;
      i++;
    }
    if (digits === 0 || digits > 4 || n === 8) return 0;
    groups[n++] = value;
    if (i === len) break;
    if (s.charCodeAt(i) !== 58) return 0;
    i++;
    if (i < len && s.charCodeAt(i) === 58) {
      if (gap >= 0) return 0;
      gap = n;
      i++;
    } else if (i === len) {
      return 0;
    }
  }
  if (gap < 0 ? n !== 8 : n > 7) return 0;
  // Expand: groups before the gap, zeros, groups after it.
  const tail = gap < 0 ? 0 : n - gap;
  const head = n - tail;
  let w0 = 0;
  let w1 = 0;
  let w2 = 0;
  let w3 = 0;
  for (let g = 0; g < 8; g++) {
    let v = 0;
    if (g < head) v = groups[g] as number;
    else if (g >= 8 - tail) v = groups[g - (8 - n)] as number;
    if (g < 2) w0 = (w0 << 16) | v;
    else if (g < 4) w1 = (w1 << 16) | v;
    else if (g < 6) w2 = (w2 << 16) | v;
    else w3 = (w3 << 16) | v;
  }
  if (w0 === 0 && w1 === 0 && w2 === 0xffff) {
    out[0] = w3 >>> 0;
    return 4;
  }
  out[0] = w0 >>> 0;
  out[1] = w1 >>> 0;
  out[2] = w2 >>> 0;
  out[3] = w3 >>> 0;
  return 6;
}

function slowPath(s: string, out: Uint32Array): 0 | 4 | 6 {
  const ip = parseIp(s);
  if (ip === undefined) return 0;
  if (ip.family === 4) {
    out[0] = ip.value;
    return 4;
  }
  const v = ip.value;
  out[0] = Number((v >> 96n) & 0xffffffffn);
  out[1] = Number((v >> 64n) & 0xffffffffn);
  out[2] = Number((v >> 32n) & 0xffffffffn);
  out[3] = Number(v & 0xffffffffn);
  return 6;
}
