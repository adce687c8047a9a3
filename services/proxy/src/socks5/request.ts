/** The client's request (RFC 1928 section 4): VER CMD RSV ATYP DST.ADDR DST.PORT. */
import { addressSpan, readAddress, readPort, Span, type SocksAddress } from './address';
import { Command, Reply, SOCKS_VERSION, type CommandValue } from './constants';
import { INCOMPLETE, parseError, SocksErrorCode, type ParseResult } from './parse-result';
import { encodeReply } from './reply';

export interface SocksRequest {
  command: CommandValue;
  address: SocksAddress;
  port: number;
}

function isCommand(cmd: number): cmd is CommandValue {
  return cmd === Command.Connect || cmd === Command.Bind || cmd === Command.UdpAssociate;
}

/**
 * Parses a request. Every rejection carries the reply to send before closing, and is decided as
 * soon as the offending byte arrives (VER, CMD, ATYP, an empty DOMAINNAME length) rather than
 * after the rest of the request. A non-zero RSV byte is tolerated.
 */
export function parseRequest(buf: Buffer): ParseResult<SocksRequest> {
  const len = buf.length;
  if (len < 1) return INCOMPLETE;
  const ver = buf[0]!;
  if (ver !== SOCKS_VERSION) {
    return parseError(SocksErrorCode.Version, `unsupported SOCKS version ${ver} in request`, encodeReply(Reply.GeneralFailure));
  }
  if (len < 2) return INCOMPLETE;
  const cmd = buf[1]!;
  if (!isCommand(cmd)) {
    return parseError(SocksErrorCode.Command, `unsupported command ${cmd}`, encodeReply(Reply.CommandNotSupported));
  }
  if (len < 4) return INCOMPLETE;
  const span = addressSpan(buf, 3);
  if (span <= 0) {
    if (span === Span.NeedMore) return INCOMPLETE;
    if (span === Span.BadType) {
      return parseError(SocksErrorCode.AddressType, `unsupported address type ${buf[3]!}`, encodeReply(Reply.AddressTypeNotSupported));
    }
    return parseError(SocksErrorCode.Domain, 'empty domain name', encodeReply(Reply.HostUnreachable));
  }
  const end = 3 + span;
  if (len < end) return INCOMPLETE;
  const address = readAddress(buf, 3);
  if (address === undefined) {
    return parseError(SocksErrorCode.Domain, 'domain name has a space, control byte or invalid UTF-8', encodeReply(Reply.HostUnreachable));
  }
  return { status: 'ok', value: { command: cmd, address, port: readPort(buf, end - 2) }, consumed: end };
}
