import { Reply } from '../socks5';

/**
 * Outbound failure -> SOCKS5 reply code (RFC 1928 section 6). Anything not listed is 0x01
 * general failure.
 */
export const ERRNO_REPLY: Readonly<Record<string, number>> = {
  ENETUNREACH: Reply.NetworkUnreachable,
  ENETDOWN: Reply.NetworkUnreachable,
  EAFNOSUPPORT: Reply.NetworkUnreachable,
  EADDRNOTAVAIL: Reply.NetworkUnreachable,
  EHOSTUNREACH: Reply.HostUnreachable,
  EHOSTDOWN: Reply.HostUnreachable,
  ENOTFOUND: Reply.HostUnreachable,
  EAI_AGAIN: Reply.HostUnreachable,
  EAI_FAIL: Reply.HostUnreachable,
  EAI_NONAME: Reply.HostUnreachable,
  ENODATA: Reply.HostUnreachable,
  ECONNREFUSED: Reply.ConnectionRefused,
  ETIMEDOUT: Reply.TtlExpired,
  ERR_SOCKSCALE_CONNECT_TIMEOUT: Reply.TtlExpired,
  ERR_SOCKSCALE_DNS_TIMEOUT: Reply.TtlExpired,
};

/** Outcome label (metrics, access log) for a reply code. */
export const REPLY_OUTCOME: Readonly<Record<number, string>> = {
  [Reply.Succeeded]: 'success',
  [Reply.GeneralFailure]: 'error',
  [Reply.NotAllowed]: 'denied',
  [Reply.NetworkUnreachable]: 'network_unreachable',
  [Reply.HostUnreachable]: 'host_unreachable',
  [Reply.ConnectionRefused]: 'refused',
  [Reply.TtlExpired]: 'timeout',
  [Reply.CommandNotSupported]: 'bad_command',
  [Reply.AddressTypeNotSupported]: 'bad_address_type',
};

export function replyForError(err: unknown): number {
  const code = (err as { code?: unknown } | null)?.code;
  return (typeof code === 'string' ? ERRNO_REPLY[code] : undefined) ?? Reply.GeneralFailure;
}
