import { cidrContains, cidrWithin, parseCidr, type Cidr, type ParsedIp } from '@sockscale/common';

/**
 * Special destination ranges. An Allow decision for an address inside any of these stands only
 * when the allowing rule *names* the range: it has a CIDR entry that lies entirely within one
 * of these ranges (cidrWithin) and contains the address. Catch-alls (0.0.0.0/0, ::/0, empty
 * destinations) and domain-only matches therefore never open loopback, private networks or
 * the cloud metadata endpoint. IPv4-mapped IPv6 addresses are normalised to IPv4 before the
 * check (see parseIp), so ::ffff:127.0.0.1 is loopback.
 */
export type SpecialRangeName =
  | 'loopback'
  | 'unspecified'
  | 'private'
  | 'link-local'
  | 'cloud-metadata'
  | 'multicast-broadcast';

export interface SpecialRange {
  readonly name: SpecialRangeName;
  readonly cidr: string;
}

export const SPECIAL_RANGES: readonly SpecialRange[] = Object.freeze(
  (
    [
      ['loopback', '127.0.0.0/8'],
      ['loopback', '::1/128'],
      ['unspecified', '0.0.0.0/8'],
      ['unspecified', '::/128'],
      ['private', '10.0.0.0/8'],
      ['private', '172.16.0.0/12'],
      ['private', '192.168.0.0/16'],
      ['private', '100.64.0.0/10'],
      ['private', 'fc00::/7'],
      ['link-local', '169.254.0.0/16'],
      ['link-local', 'fe80::/10'],
      ['cloud-metadata', '169.254.169.254/32'],
      ['cloud-metadata', 'fd00:ec2::254/128'],
      ['multicast-broadcast', '224.0.0.0/4'],
      ['multicast-broadcast', '240.0.0.0/4'],
      ['multicast-broadcast', 'ff00::/8'],
    ] as const
  ).map(([name, cidr]) => Object.freeze({ name, cidr })),
);

/** SPECIAL_RANGES with parsed prefixes. */
export const SPECIAL_CIDRS: readonly { readonly name: SpecialRangeName; readonly cidr: Cidr }[] = Object.freeze(
  SPECIAL_RANGES.map((r) => {
    const cidr = parseCidr(r.cidr);
    if (typeof cidr === 'string') throw new Error(cidr);
    return Object.freeze({ name: r.name, cidr });
  }),
);

/** Names of the special ranges containing `ip` (empty when it is an ordinary address). */
export function specialRangesOf(ip: ParsedIp): SpecialRangeName[] {
  const names: SpecialRangeName[] = [];
  for (const r of SPECIAL_CIDRS) if (cidrContains(r.cidr, ip) && !names.includes(r.name)) names.push(r.name);
  return names;
}

export function isSpecialIp(ip: ParsedIp): boolean {
  return SPECIAL_CIDRS.some((r) => cidrContains(r.cidr, ip));
}

/** True when `cidr` lies entirely within a special range, i.e. a rule entry that names it. */
export function namesSpecialRange(cidr: Cidr): boolean {
  return SPECIAL_CIDRS.some((r) => cidrWithin(cidr, r.cidr));
}
