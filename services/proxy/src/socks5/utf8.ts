/**
 * Strict UTF-8 decoding of a byte range: pure ASCII (the common case) is decoded as latin1 with
 * no validation pass; anything else must be well-formed UTF-8 (no overlongs, surrogates or
 * truncated sequences), because a lossy decode would map different byte strings to one text.
 */
import { isUtf8 } from 'node:buffer';

/** Text of `buf[start, end)`, or undefined if it is not valid UTF-8. */
export function decodeStrictUtf8(buf: Buffer, start: number, end: number): string | undefined {
  for (let i = start; i < end; i++) {
    if (buf[i]! >= 0x80) {
      if (!isUtf8(buf.subarray(start, end))) return undefined;
      return buf.toString('utf8', start, end);
    }
  }
  return buf.toString('latin1', start, end);
}
