/**
 * CIDRs as policy fields (client CIDRs, destinations): parsed with net/parseCidr, and
 * rejected when host bits are set, since "10.0.0.1/8" almost always means a typo.
 */
import { formatCidr, parseCidr, type Cidr } from '../net/ip';

export { formatCidr, formatIPv6 } from '../net/ip';

/** Parses a CIDR or bare address; returns an error message when it is invalid or has host bits set. */
export function parseNetwork(s: string): Cidr | string {
  const cidr = parseCidr(s);
  if (typeof cidr === 'string') return cidr;
  const slash = s.indexOf('/');
  if (slash < 0) return cidr;
  const host = parseCidr(s.slice(0, slash));
  if (typeof host !== 'string' && host.value !== cidr.value) {
    return `${JSON.stringify(s)} has host bits set; the network address is ${JSON.stringify(formatCidr(cidr))}`;
  }
  return cidr;
}
