/**
 * Wire constants from RFC 1928 (SOCKS Protocol Version 5) and RFC 1929 (Username/Password
 * Authentication for SOCKS V5), as named `as const` tables so call sites read like the RFC.
 */

/** VER byte of every SOCKS5 message except the RFC 1929 sub-negotiation. */
export const SOCKS_VERSION = 5;

/** VER byte of the RFC 1929 username/password sub-negotiation (request and response). */
export const USERPASS_VERSION = 1;

/** Authentication METHOD values (RFC 1928 section 3). */
export const Method = {
  NoAuth: 0x00,
  Gssapi: 0x01,
  UserPass: 0x02,
  NoAcceptable: 0xff,
} as const;
export type MethodValue = (typeof Method)[keyof typeof Method];

/** CMD values of a request (RFC 1928 section 4). */
export const Command = {
  Connect: 1,
  Bind: 2,
  UdpAssociate: 3,
} as const;
export type CommandValue = (typeof Command)[keyof typeof Command];

/** ATYP values (RFC 1928 section 5). */
export const AddressType = {
  IPv4: 1,
  Domain: 3,
  IPv6: 4,
} as const;
export type AddressTypeValue = (typeof AddressType)[keyof typeof AddressType];

/** REP values of a reply (RFC 1928 section 6). */
export const Reply = {
  Succeeded: 0,
  GeneralFailure: 1,
  NotAllowed: 2,
  NetworkUnreachable: 3,
  HostUnreachable: 4,
  ConnectionRefused: 5,
  TtlExpired: 6,
  CommandNotSupported: 7,
  AddressTypeNotSupported: 8,
} as const;
export type ReplyValue = (typeof Reply)[keyof typeof Reply];

/** STATUS values of the RFC 1929 response: 0 is success, anything else is failure. */
export const UserPassStatus = {
  Success: 0x00,
  Failure: 0x01,
} as const;

/**
 * Largest size of each client message. Every length field is one byte, so a server that has
 * buffered this many bytes without a complete parse has a bug, not a slow client.
 */
export const MaxLength = {
  /** VER NMETHODS METHODS[255] */
  Greeting: 2 + 255,
  /** VER ULEN UNAME[255] PLEN PASSWD[255] */
  UserPass: 3 + 255 + 255,
  /** VER CMD RSV ATYP LEN DOMAIN[255] PORT */
  Request: 4 + 1 + 255 + 2,
  /** RSV[2] FRAG ATYP LEN DOMAIN[255] PORT, before DATA */
  UdpHeader: 4 + 1 + 255 + 2,
} as const;
