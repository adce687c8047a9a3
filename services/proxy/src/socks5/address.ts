/**
 * The ATYP / ADDR / PORT triple shared by requests, replies and UDP headers (RFC 1928 sections
 * 4-7): sizing and decoding it off the wire, and encoding a host string onto it.
 */
import { SockscaleError } from '@sockscale/common';
import { AddressType } from './constants';
import { decodeDomain, isEncodableDomain } from './domain';
import { checkPort, SocksEncodeErrorCode } from './encode-error';
import { formatIPv4Bytes, parseIPv4Literal } from './ipv4';
import { formatIPv6Bytes, isIPv4MappedBytes, parseIPv6Literal } from './ipv6';

export type SocksAddressType = 'ipv4' | 'ipv6' | 'domain';

/**
 * A destination or bound address. IPv4 as a dotted quad, IPv6 in the compressed lower-case form
 * Node reports (`::1`, `::ffff:1.2.3.4`), a domain exactly as sent (case kept).
 */
export interface SocksAddress {
  type: SocksAddressType;
  host: string;
}

/** `addressSpan` results that are not a size. */
export const Span = {
  /** The DOMAINNAME length byte has not arrived yet. */
  NeedMore: 0,
  /** ATYP is not 1, 3 or 4. */
  BadType: -1,
  /** DOMAINNAME length is 0. */
  EmptyDomain: -2,
} as const;

/**
 * Bytes that ATYP ADDR PORT occupies starting at `offset` (the ATYP byte must be present), or
 * one of the non-positive `Span` values. Decides as early as the bytes allow.
 */
export function addressSpan(buf: Uint8Array, offset: number): number {
  switch (buf[offset]) {
    case AddressType.IPv4:
      return 1 + 4 + 2;
    case AddressType.IPv6:
      return 1 + 16 + 2;
    case AddressType.Domain: {
      const len = buf[offset + 1];
      if (len === undefined) return Span.NeedMore;
      if (len === 0) return Span.EmptyDomain;
      return 1 + 1 + len + 2;
    }
    default:
      return Span.BadType;
  }
}

/**
 * Decodes the address whose ATYP byte is at `offset`; the whole span must be present and ATYP
 * known (check with `addressSpan` first). Undefined if the DOMAINNAME is not acceptable.
 */
export function readAddress(buf: Buffer, offset: number): SocksAddress | undefined {
  const atyp = buf[offset];
  if (atyp === AddressType.IPv4) return { type: 'ipv4', host: formatIPv4Bytes(buf, offset + 1) };
  if (atyp === AddressType.IPv6) return { type: 'ipv6', host: formatIPv6Bytes(buf, offset + 1) };
  const start = offset + 2;
  const host = decodeDomain(buf, start, start + buf[offset + 1]!);
  return host === undefined ? undefined : { type: 'domain', host };
}

/** Big-endian port at `offset` (both bytes must be present). */
export function readPort(buf: Uint8Array, offset: number): number {
  return (buf[offset]! << 8) | buf[offset + 1]!;
}

/** Classified host, kept between sizing and writing (the codec is synchronous). */
const v6Bytes = new Uint8Array(16);
let v4Value = 0;

/**
 * ATYP for `host`, filling the scratch state; throws if it cannot be encoded. Anything that is
 * not an IP literal is a DOMAINNAME, so every host `readAddress` returns can be sent back.
 */
function classifyHost(host: string): number {
  const v4 = parseIPv4Literal(host);
  if (v4 >= 0) {
    v4Value = v4;
    return AddressType.IPv4;
  }
  if (host.includes(':') && parseIPv6Literal(host, v6Bytes, 0)) {
    if (isIPv4MappedBytes(v6Bytes, 0)) {
      v4Value = ((v6Bytes[12]! << 24) | (v6Bytes[13]! << 16) | (v6Bytes[14]! << 8) | v6Bytes[15]!) >>> 0;
      return AddressType.IPv4;
    }
    return AddressType.IPv6;
  }
  if (!isEncodableDomain(host)) {
    throw new SockscaleError(
      SocksEncodeErrorCode.Address,
      `not an IP address or a domain of 1-255 bytes without spaces or control characters: ${JSON.stringify(host)}`,
    );
  }
  return AddressType.Domain;
}

/**
 * Allocates `prefix` bytes (left for the caller to fill) followed by ATYP ADDR PORT for `host`.
 * IP literals become ATYP IPv4/IPv6 (IPv4-mapped IPv6 becomes IPv4); anything else a DOMAINNAME.
 */
export function encodeAddressAfter(prefix: number, host: string, port: number): Buffer {
  checkPort(port);
  const atyp = classifyHost(host);
  let out: Buffer;
  let p = prefix;
  if (atyp === AddressType.IPv4) {
    out = Buffer.allocUnsafe(prefix + 1 + 4 + 2);
    out[p++] = atyp;
    out.writeUInt32BE(v4Value, p);
    p += 4;
  } else if (atyp === AddressType.IPv6) {
    out = Buffer.allocUnsafe(prefix + 1 + 16 + 2);
    out[p++] = atyp;
    out.set(v6Bytes, p);
    p += 16;
  } else {
    const len = Buffer.byteLength(host, 'utf8');
    out = Buffer.allocUnsafe(prefix + 1 + 1 + len + 2);
    out[p++] = atyp;
    out[p++] = len;
    p += out.write(host, p, 'utf8');
  }
  out[p] = port >>> 8;
  out[p + 1] = port & 0xff;
  return out;
}

/** ATYP ADDR PORT for `host` and `port`, as used in replies and UDP headers. */
export function encodeAddress(host: string, port: number): Buffer {
  return encodeAddressAfter(0, host, port);
}
