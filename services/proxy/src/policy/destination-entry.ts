import { parseCidr, type Cidr } from '@sockscale/common';
import { normalizeDomain } from './domain-table';

/**
 * One entry of a rule's `destinations`: an IPv4/IPv6 CIDR (a bare address is a host route),
 * an exact domain, or `*.suffix` matching strict subdomains of `suffix`.
 */
export type DestinationEntry =
  | { kind: 'cidr'; cidr: Cidr }
  | { kind: 'exact'; name: string }
  | { kind: 'wildcard'; suffix: string };

/** Classifies a validated destination string; undefined for an empty name (matches nothing). */
export function parseDestinationEntry(entry: string): DestinationEntry | undefined {
  const cidr = parseCidr(entry);
  if (typeof cidr !== 'string') return { kind: 'cidr', cidr };
  if (entry.startsWith('*.')) {
    const suffix = normalizeDomain(entry.slice(2));
    return suffix === '' ? undefined : { kind: 'wildcard', suffix };
  }
  const name = normalizeDomain(entry);
  return name === '' ? undefined : { kind: 'exact', name };
}
