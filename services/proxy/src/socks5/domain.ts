/**
 * DOMAINNAME validation (RFC 1928 section 5): one to 255 bytes of UTF-8 with no space, control
 * byte or DEL. Anything else cannot be a host name and is refused before it reaches a resolver
 * or a log line. Case is kept as sent; callers normalise.
 */
import { decodeStrictUtf8 } from './utf8';

/** Host name in `buf[start, end)`, or undefined if it is not an acceptable DOMAINNAME. */
export function decodeDomain(buf: Buffer, start: number, end: number): string | undefined {
  if (end <= start) return undefined;
  for (let i = start; i < end; i++) {
    const b = buf[i]!;
    if (b <= 0x20 || b === 0x7f) return undefined;
  }
  return decodeStrictUtf8(buf, start, end);
}

/**
 * True if `host` can be sent as a DOMAINNAME that `decodeDomain` reads back unchanged: 1-255
 * UTF-8 bytes, no space, control char or DEL, no unpaired surrogate (it would encode as U+FFFD).
 */
export function isEncodableDomain(host: string): boolean {
  const bytes = Buffer.byteLength(host, 'utf8');
  if (bytes === 0 || bytes > 255) return false;
  for (let i = 0; i < host.length; i++) {
    const c = host.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f) return false;
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = host.charCodeAt(i + 1); // NaN past the end
      if (c >= 0xdc00 || !(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
    }
  }
  return true;
}
