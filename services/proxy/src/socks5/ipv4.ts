/**
 * IPv4 text <-> bytes without regexes or intermediate arrays: the formatter is table lookups
 * and concatenation, the parser is one pass of char-code arithmetic.
 */

/** Decimal text of every byte value, so formatting never calls Number#toString. */
const DECIMAL: readonly string[] = Array.from({ length: 256 }, (_, i) => String(i));

/** Dotted-quad text of the 4 bytes at `offset` (caller guarantees they exist). */
export function formatIPv4Bytes(buf: Uint8Array, offset: number): string {
  return `${DECIMAL[buf[offset]!]!}.${DECIMAL[buf[offset + 1]!]!}.${DECIMAL[buf[offset + 2]!]!}.${DECIMAL[buf[offset + 3]!]!}`;
}

const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/**
 * Parses `s[start, end)` as a strict dotted quad (what `net.isIPv4` accepts: four decimal parts
 * 0-255 without leading zeros) and returns it as an unsigned 32-bit number, or -1 if it is not one.
 */
export function parseIPv4Literal(s: string, start = 0, end = s.length): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === DOT) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= ZERO && c <= NINE) {
      if (digits !== 0 && part === 0) return -1; // leading zero
      part = part * 10 + (c - ZERO);
      if (part > 255) return -1;
      digits++;
    } else {
      return -1;
    }
  }
  if (digits === 0 || dots !== 3) return -1;
  return value * 256 + part;
}
