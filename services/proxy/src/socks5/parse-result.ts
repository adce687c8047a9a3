/**
 * Outcome of an incremental parser. Parsers take everything received so far (from offset 0)
 * and either need more bytes, produce a value and how many bytes it took, or reject the input
 * with a stable `code` and, when the RFC defines one, the `reply` to send before closing.
 */

/** Stable machine-readable codes of every way a parser can reject input. */
export const SocksErrorCode = {
  /** VER is not 5 (greeting, request). */
  Version: 'ERR_SOCKS_VERSION',
  /** Greeting offers zero methods. */
  NoMethods: 'ERR_SOCKS_NO_METHODS',
  /** RFC 1929 VER is not 1. */
  UserPassVersion: 'ERR_SOCKS_USERPASS_VERSION',
  /** RFC 1929 UNAME or PASSWD is not valid UTF-8. */
  UserPassEncoding: 'ERR_SOCKS_USERPASS_ENCODING',
  /** CMD is not CONNECT, BIND or UDP ASSOCIATE. */
  Command: 'ERR_SOCKS_COMMAND',
  /** ATYP is not IPv4, DOMAINNAME or IPv6. */
  AddressType: 'ERR_SOCKS_ATYP',
  /** DOMAINNAME is empty, has a control/space byte or 0x7f, or is not valid UTF-8. */
  Domain: 'ERR_SOCKS_DOMAIN',
  /** UDP datagram shorter than its own header. */
  UdpTruncated: 'ERR_SOCKS_UDP_TRUNCATED',
} as const;
export type SocksErrorCodeValue = (typeof SocksErrorCode)[keyof typeof SocksErrorCode];

export interface ParseIncomplete {
  status: 'incomplete';
}

export interface ParseOk<T> {
  status: 'ok';
  value: T;
  /** Bytes of the input this message occupied; bytes after it belong to the next message. */
  consumed: number;
}

export interface ParseError {
  status: 'error';
  code: SocksErrorCodeValue;
  message: string;
  /** Bytes to send before closing, when the RFC defines a reply for this failure. */
  reply?: Buffer;
}

export type ParseResult<T> = ParseIncomplete | ParseOk<T> | ParseError;

/** Shared, frozen: parsers return this instead of allocating a new object per call. */
export const INCOMPLETE: ParseIncomplete = Object.freeze({ status: 'incomplete' });

export function parseError(code: SocksErrorCodeValue, message: string, reply?: Buffer): ParseError {
  return reply === undefined ? { status: 'error', code, message } : { status: 'error', code, message, reply };
}
