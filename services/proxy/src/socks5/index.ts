/**
 * SOCKS5 wire codec (RFC 1928, RFC 1929): incremental parsers and encoders, no policy, no
 * sockets. Other modules import only from here.
 */
export {
  AddressType,
  Command,
  MaxLength,
  Method,
  Reply,
  SOCKS_VERSION,
  USERPASS_VERSION,
  UserPassStatus,
  type AddressTypeValue,
  type CommandValue,
  type MethodValue,
  type ReplyValue,
} from './constants';
export {
  INCOMPLETE,
  SocksErrorCode,
  type ParseError,
  type ParseIncomplete,
  type ParseOk,
  type ParseResult,
  type SocksErrorCodeValue,
} from './parse-result';
export { SocksEncodeErrorCode, type SocksEncodeErrorCodeValue } from './encode-error';
export { encodeAddress, type SocksAddress, type SocksAddressType } from './address';
export { encodeMethodSelection, parseGreeting, type Greeting } from './greeting';
export { encodeUserPassStatus, parseUserPass, type UserPassCredentials } from './user-pass';
export { parseRequest, type SocksRequest } from './request';
export { encodeReply, type BoundAddress } from './reply';
export { encodeUdpHeader, parseUdpHeader, type UdpHeader, type UdpParseResult } from './udp-header';
export { formatIPv4Bytes } from './ipv4';
export { formatIPv6Bytes } from './ipv6';

// Test utilities: the shared mutation fuzzer (unit test and `npm run fuzz`).
export { caseSeed, generateFuzzCase, Rng, type FuzzCase } from './fuzz-input';
export { FuzzViolation, runFuzzCase, type FuzzOptions, type FuzzStats } from './fuzz-harness';
