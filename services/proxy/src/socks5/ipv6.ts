/**
 * IPv6 text <-> bytes. The formatter reproduces exactly what Node's `net` reports for an address
 * (libuv's inet_ntop: lower-case hex, no leading zeros, the first longest run of two or more zero
 * groups as `::`, and `::a.b.c.d` / `::ffff:a.b.c.d` for IPv4-compatible and IPv4-mapped
 * addresses), so hosts parsed off the wire compare equal to `socket.remoteAddress` strings.
 */
import { formatIPv4Bytes, parseIPv4Literal } from './ipv4';

/** Hex text of every byte value without padding ('0'..'ff'), and padded to two digits. */
const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16));
const HEX2: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hexGroup(hi: number, lo: number): string {
  return hi === 0 ? HEX[lo]! : HEX[hi]! + HEX2[lo]!;
}

/** Compressed text of the 16 bytes at `offset` (caller guarantees they exist). */
export function formatIPv6Bytes(buf: Uint8Array, offset: number): string {
  // Longest run of zero groups; on a tie the first wins; a run of one is not compressed.
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    const p = offset + 2 * i;
    if (buf[p] === 0 && buf[p + 1] === 0) {
      if (curBase < 0) {
        curBase = i;
        curLen = 1;
      } else {
        curLen++;
      }
    } else if (curBase >= 0) {
      if (curLen > bestLen) {
        bestBase = curBase;
        bestLen = curLen;
      }
      curBase = -1;
    }
  }
  if (curBase >= 0 && curLen > bestLen) {
    bestBase = curBase;
    bestLen = curLen;
  }
  if (bestLen < 2) bestBase = -1;

  if (bestBase === 0) {
    if (bestLen === 6) return `::${formatIPv4Bytes(buf, offset + 12)}`;
    if (bestLen === 5 && buf[offset + 10] === 0xff && buf[offset + 11] === 0xff) {
      return `::ffff:${formatIPv4Bytes(buf, offset + 12)}`;
    }
  }

  // As inet_ntop: the run contributes one ':', every other group is preceded by ':' unless it
  // is first, and a run that reaches the end adds the closing ':'.
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestBase) {
      s += ':';
      i += bestLen - 1;
      continue;
    }
    if (i !== 0) s += ':';
    const p = offset + 2 * i;
    s += hexGroup(buf[p]!, buf[p + 1]!);
  }
  if (bestBase >= 0 && bestBase + bestLen === 8) s += ':';
  return s;
}

const COLON = 0x3a;
const DOT = 0x2e;

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20; // ASCII lower-case
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

/** Scratch groups for the parser; the codec is synchronous so one instance is enough. */
const groups = new Uint16Array(8);

/**
 * Parses an IPv6 literal (with `::`, an optional trailing dotted quad, and an optional `%zone`
 * suffix, which is dropped) and writes its 16 bytes to `out[offset..]`. Returns false, leaving
 * `out` untouched, if `s` is not an IPv6 literal.
 */
export function parseIPv6Literal(s: string, out: Uint8Array, offset: number): boolean {
  let end = s.indexOf('%');
  if (end < 0) end = s.length;
  else if (end === s.length - 1) return false; // empty zone
  if (end < 2) return false;

  let i = 0;
  let n = 0;
  let gap = -1;
  if (s.charCodeAt(0) === COLON) {
    if (s.charCodeAt(1) !== COLON) return false;
    gap = 0;
    i = 2;
  }
  while (i < end) {
    if (n === 8) return false;
    const groupStart = i;
    let value = 0;
    for (; i < end; i++) {
      const h = hexValue(s.charCodeAt(i));
      if (h < 0) break;
      if (i - groupStart === 4) return false; // fifth digit
      value = value * 16 + h;
    }
    if (i === groupStart) return false; // empty group: ':::' or a stray ':'
    if (i < end && s.charCodeAt(i) === DOT) {
      if (n > 6) return false;
      const v4 = parseIPv4Literal(s, groupStart, end);
      if (v4 < 0) return false;
      groups[n++] = v4 >>> 16;
      groups[n++] = v4 & 0xffff;
      i = end;
      break;
    }
    groups[n++] = value;
    if (i === end) break;
    if (s.charCodeAt(i) !== COLON) return false;
    i++;
    if (i === end) return false; // trailing single ':'
    if (s.charCodeAt(i) === COLON) {
      if (gap >= 0) return false; // second '::'
      gap = n;
      i++;
    }
  }
  if (gap >= 0) {
    if (n === 8) return false; // '::' must stand for at least one group
    const move = n - gap;
    for (let k = 0; k < move; k++) groups[7 - k] = groups[n - 1 - k]!;
    for (let k = gap; k < 8 - move; k++) groups[k] = 0;
  } else if (n !== 8) {
    return false;
  }
  for (let k = 0; k < 8; k++) {
    const g = groups[k]!;
    out[offset + 2 * k] = g >>> 8;
    out[offset + 2 * k + 1] = g & 0xff;
  }
  return true;
}

/** True if the 16 bytes at `offset` are an IPv4-mapped address (::ffff:a.b.c.d). */
export function isIPv4MappedBytes(buf: Uint8Array, offset: number): boolean {
  for (let k = 0; k < 10; k++) if (buf[offset + k] !== 0) return false;
  return buf[offset + 10] === 0xff && buf[offset + 11] === 0xff;
}
