/**
 * Method negotiation (RFC 1928 section 3): the client's VER NMETHODS METHODS greeting and the
 * server's VER METHOD selection.
 */
import { Method, SOCKS_VERSION } from './constants';
import { checkByte } from './encode-error';
import { INCOMPLETE, parseError, SocksErrorCode, type ParseResult } from './parse-result';

export interface Greeting {
  /** METHOD bytes offered by the client, in order (a copy, not a view of the input). */
  methods: Uint8Array;
}

/** Human hint for a first byte that is not 5: other protocols aimed at the SOCKS port. */
export function describeVersion(ver: number): string {
  if (ver === 4) return 'unsupported SOCKS version 4 (only SOCKS5 is served)';
  if (ver === 0x16) return 'unsupported version byte 0x16 (looks like a TLS handshake)';
  if (ver >= 0x41 && ver <= 0x5a) return `unsupported version byte 0x${ver.toString(16)} (looks like HTTP)`;
  return `unsupported SOCKS version ${ver}`;
}

/**
 * Parses VER NMETHODS METHODS. A wrong VER is rejected with no reply (the peer does not speak
 * SOCKS5: just close); zero methods is rejected with VER 0xFF (no acceptable methods).
 */
export function parseGreeting(buf: Buffer): ParseResult<Greeting> {
  const len = buf.length;
  if (len < 1) return INCOMPLETE;
  const ver = buf[0]!;
  if (ver !== SOCKS_VERSION) return parseError(SocksErrorCode.Version, describeVersion(ver));
  if (len < 2) return INCOMPLETE;
  const n = buf[1]!;
  if (n === 0) {
    return parseError(
      SocksErrorCode.NoMethods,
      'greeting offers no authentication methods',
      encodeMethodSelection(Method.NoAcceptable),
    );
  }
  const end = 2 + n;
  if (len < end) return INCOMPLETE;
  const methods = new Uint8Array(n);
  for (let i = 0; i < n; i++) methods[i] = buf[2 + i]!;
  return { status: 'ok', value: { methods }, consumed: end };
}

/** VER METHOD: the server's choice, or Method.NoAcceptable before closing. */
export function encodeMethodSelection(method: number): Buffer {
  checkByte('method', method);
  const out = Buffer.allocUnsafe(2);
  out[0] = SOCKS_VERSION;
  out[1] = method;
  return out;
}
