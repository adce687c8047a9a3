/** The server's reply to a request (RFC 1928 section 6): VER REP RSV ATYP BND.ADDR BND.PORT. */
import { encodeAddressAfter } from './address';
import { SOCKS_VERSION } from './constants';
import { checkByte } from './encode-error';

export interface BoundAddress {
  /** IPv4 or IPv6 literal (IPv4-mapped IPv6 is sent as IPv4) or a domain. */
  host: string;
  port: number;
}

/**
 * Encodes a reply. `bound` defaults to 0.0.0.0:0, which is what failures and clients that
 * ignore BND.ADDR get.
 */
export function encodeReply(reply: number, bound?: BoundAddress): Buffer {
  checkByte('reply', reply);
  if (bound === undefined) {
    const out = Buffer.alloc(10);
    out[0] = SOCKS_VERSION;
    out[1] = reply;
    out[3] = 1; // ATYP IPv4, address and port stay zero
    return out;
  }
  const out = encodeAddressAfter(3, bound.host, bound.port);
  out[0] = SOCKS_VERSION;
  out[1] = reply;
  out[2] = 0;
  return out;
}
