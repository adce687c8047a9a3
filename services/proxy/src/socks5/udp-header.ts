/**
 * UDP relay header (RFC 1928 section 7): RSV(2) FRAG ATYP DST.ADDR DST.PORT DATA. A datagram is
 * whole, so a short one is an error, never 'incomplete'.
 */
import { addressSpan, encodeAddressAfter, readAddress, readPort, Span, type SocksAddress } from './address';
import { parseError, SocksErrorCode, type ParseError, type ParseOk } from './parse-result';

export interface UdpHeader {
  /** Fragment number; 0 is a standalone datagram. Servers without reassembly drop the rest. */
  frag: number;
  address: SocksAddress;
  port: number;
  /** Offset of DATA in the datagram (equals the header length and `consumed`). */
  dataOffset: number;
}

export type UdpParseResult = ParseOk<UdpHeader> | ParseError;

function truncated(len: number): ParseError {
  return parseError(SocksErrorCode.UdpTruncated, `UDP datagram of ${len} bytes is shorter than its header`);
}

/** Parses the header of a client datagram. RSV is not checked (lenient). */
export function parseUdpHeader(buf: Buffer): UdpParseResult {
  const len = buf.length;
  if (len < 4) return truncated(len);
  const span = addressSpan(buf, 3);
  if (span <= 0) {
    if (span === Span.NeedMore) return truncated(len);
    if (span === Span.BadType) return parseError(SocksErrorCode.AddressType, `unsupported address type ${buf[3]!}`);
    return parseError(SocksErrorCode.Domain, 'empty domain name');
  }
  const end = 3 + span;
  if (len < end) return truncated(len);
  const address = readAddress(buf, 3);
  if (address === undefined) {
    return parseError(SocksErrorCode.Domain, 'domain name has a space, control byte or invalid UTF-8');
  }
  return {
    status: 'ok',
    value: { frag: buf[2]!, address, port: readPort(buf, end - 2), dataOffset: end },
    consumed: end,
  };
}

/** RSV RSV FRAG=0 ATYP ADDR PORT, to prepend to data relayed back to the client. */
export function encodeUdpHeader(host: string, port: number): Buffer {
  const out = encodeAddressAfter(3, host, port);
  out[0] = 0;
  out[1] = 0;
  out[2] = 0;
  return out;
}
