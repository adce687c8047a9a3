import { isIPv6 } from 'node:net';

/**
 * IP addresses as fixed-size numbers so matching is arithmetic, not string work:
 * IPv4 as a 32-bit unsigned number, IPv6 as a 128-bit bigint. IPv4-mapped IPv6 addresses
 * (::ffff:a.b.c.d) are normalised to IPv4 so a policy cannot be side-stepped by spelling.
 */
export type ParsedIp = { family: 4; value: number } | { family: 6; value: bigint };

export interface Cidr {
  family: 4 | 6;
  /** Network address with host bits cleared. */
  value: number | bigint;
  prefix: number;
}

/**
 * Dotted-quad IPv4 (exactly what `net.isIPv4` accepts: four decimal parts 0-255, no leading
 * zeros, nothing else), parsed by hand: it runs per session and per datagram, and the regex
 * plus split it replaces cost more than the rest of a policy lookup.
 */
export function parseIPv4(s: string): number | undefined {
  const n = s.length;
  if (n < 7 || n > 15) return undefined;
  let v = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return undefined;
      v = v * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits === 1 && part === 0) return undefined; // leading zero
      part = part * 10 + (c - 48);
      if (part > 255) return undefined;
      digits++;
    } else {
      return undefined;
    }
  }
  if (dots !== 3 || digits === 0) return undefined;
  return (v * 256 + part) >>> 0;
}

export function parseIPv6(s: string): bigint | undefined {
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (!isIPv6(s)) return undefined;
  let head = s;
  let tailV4: number | undefined;
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.', lastColon)) {
    tailV4 = parseIPv4(s.slice(lastColon + 1));
    if (tailV4 === undefined) return undefined;
    head = `${s.slice(0, lastColon + 1)}0:0`;
  }
  const [left = '', right] = head.split('::') as [string, string | undefined];
  const l = left === '' ? [] : left.split(':');
  const r = right === undefined || right === '' ? [] : right.split(':');
  const groups = right === undefined ? l : [...l, ...new Array<string>(8 - l.length - r.length).fill('0'), ...r];
  if (groups.length !== 8) return undefined;
  let v = 0n;
  for (const g of groups) v = (v << 16n) | BigInt(parseInt(g, 16));
  if (tailV4 !== undefined) v = (v & ~0xffffffffn) | BigInt(tailV4);
  return v;
}

const MAPPED_PREFIX = 0xffffn << 32n;

/** Parses an IPv4 or IPv6 literal; IPv4-mapped IPv6 becomes IPv4. */
export function parseIp(s: string): ParsedIp | undefined {
  const v4 = parseIPv4(s);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const v6 = parseIPv6(s);
  if (v6 === undefined) return undefined;
  if (v6 >> 32n === 0xffffn && (v6 & ~0xffffffffn) === MAPPED_PREFIX) return { family: 4, value: Number(v6 & 0xffffffffn) };
  return { family: 6, value: v6 };
}

/**
 * Canonical text for an address, so equal addresses compare equal as strings: IPv4 dotted quad
 * (IPv4-mapped IPv6 included), other IPv6 in RFC 5952 compressed form, zone dropped.
 */
export function normalizeIp(s: string): string | undefined {
  if (parseIPv4(s) !== undefined) return s; // a valid dotted quad is already canonical
  const p = parseIp(s);
  if (p === undefined) return undefined;
  return p.family === 4 ? formatIPv4(p.value) : formatIPv6(p.value);
}

/** Compressed IPv6 text (RFC 5952: longest run of two or more zero groups becomes `::`). */
export function formatIPv6(v: bigint): string {
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((v >> BigInt(i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength && j - i > 1) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (g: number[]): string => g.map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}

export function formatCidr(c: Cidr): string {
  const addr = c.family === 4 ? formatIPv4(c.value as number) : formatIPv6(c.value as bigint);
  return `${addr}/${c.prefix}`;
}

export function formatIPv4(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/**
 * Parses `a.b.c.d/n`, `x::y/n`, or a bare address (a host route). Returns an error message
 * instead of throwing so validators can report every problem at once.
 */
export function parseCidr(s: string): Cidr | string {
  const slash = s.indexOf('/');
  const addr = slash >= 0 ? s.slice(0, slash) : s;
  const prefixText = slash >= 0 ? s.slice(slash + 1) : undefined;
  const v4 = parseIPv4(addr);
  const v6 = v4 === undefined && !addr.includes('%') ? parseIPv6(addr) : undefined;
  if (v4 === undefined && v6 === undefined) return `"${s}" is not an IPv4 or IPv6 address or CIDR`;
  const max = v4 !== undefined ? 32 : 128;
  let prefix = max;
  if (prefixText !== undefined) {
    if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) {
      return `"${s}" has an invalid prefix length (expected 0-${max})`;
    }
    prefix = Number(prefixText);
  }
  if (v4 !== undefined) {
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    return { family: 4, value: (v4 & mask) >>> 0, prefix };
  }
  const mask = prefix === 0 ? 0n : ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - prefix)) - 1n);
  return { family: 6, value: (v6 as bigint) & mask, prefix };
}

export function cidrContains(c: Cidr, ip: ParsedIp): boolean {
  if (c.family !== ip.family) return false;
  if (c.family === 4) {
    const mask = c.prefix === 0 ? 0 : (0xffffffff << (32 - c.prefix)) >>> 0;
    return ((ip.value as number) & mask) >>> 0 === c.value;
  }
  const shift = BigInt(128 - c.prefix);
  return (ip.value as bigint) >> shift === (c.value as bigint) >> shift;
}

/** True when `inner` lies entirely inside `outer`. */
export function cidrWithin(inner: Cidr, outer: Cidr): boolean {
  if (inner.family !== outer.family || inner.prefix < outer.prefix) return false;
  return cidrContains(outer, { family: inner.family, value: inner.value } as ParsedIp);
}
