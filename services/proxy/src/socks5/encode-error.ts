/**
 * Encoders take values from the server itself, not from the network, so bad input is a bug in
 * the caller: they throw a SockscaleError with one of these codes instead of returning a result.
 */
import { SockscaleError } from '@sockscale/common';

export const SocksEncodeErrorCode = {
  /** Host is neither an IP literal nor a sendable DOMAINNAME (1-255 UTF-8 bytes, no controls). */
  Address: 'ERR_SOCKS_ENCODE_ADDRESS',
  /** Port is not an integer 0-65535. */
  Port: 'ERR_SOCKS_ENCODE_PORT',
  /** A one-byte field (METHOD, REP) is not an integer 0-255. */
  Byte: 'ERR_SOCKS_ENCODE_BYTE',
} as const;
export type SocksEncodeErrorCodeValue = (typeof SocksEncodeErrorCode)[keyof typeof SocksEncodeErrorCode];

export function checkPort(port: number): void {
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) {
    throw new SockscaleError(SocksEncodeErrorCode.Port, `port must be an integer 0-65535, got ${String(port)}`);
  }
}

export function checkByte(what: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xff) {
    throw new SockscaleError(SocksEncodeErrorCode.Byte, `${what} must be an integer 0-255, got ${String(value)}`);
  }
}
