/**
 * Rule destinations: a CIDR or bare address (IPv4/IPv6), an exact domain name, or a
 * `*.suffix` wildcard (matches names strictly below the suffix). Domains are lower-cased.
 */
import type { Cidr } from '../net/ip';
import { parseNetwork } from './network';

export type Destination =
  | { kind: 'cidr'; text: string; cidr: Cidr }
  | { kind: 'domain'; text: string }
  | { kind: 'wildcard'; text: string; suffix: string };

export const DOMAIN_MAX_LENGTH = 253;
const LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const LABEL_MAX_LENGTH = 63;

/** Looks like an address rather than a name: has ':' or '/', or only digits and dots. */
function looksLikeAddress(s: string): boolean {
  return s.includes(':') || s.includes('/') || /^[\d.]+$/.test(s);
}

/** Checks a lower-cased domain name; returns an error message or undefined. */
export function checkDomain(name: string, original = name): string | undefined {
  const q = JSON.stringify(original);
  if (name === '') return 'a domain name must not be empty';
  if (name.endsWith('.')) return `${q} ends with a dot; write ${JSON.stringify(original.replace(/\.+$/, ''))}`;
  if (name.length > DOMAIN_MAX_LENGTH) return `${q} is ${name.length} characters long; a domain name is at most ${DOMAIN_MAX_LENGTH}`;
  const labels = name.split('.');
  for (const label of labels) {
    if (label === '') return `${q} has an empty label (two dots in a row or a leading dot)`;
    if (label.length > LABEL_MAX_LENGTH) return `${q} has a label longer than ${LABEL_MAX_LENGTH} characters`;
    if (!LABEL.test(label)) {
      return `${q} is not a valid domain name: label ${JSON.stringify(label)} may contain only letters, digits and "-", and must not start or end with "-"`;
    }
  }
  if (/^\d+$/.test(labels[labels.length - 1] ?? '')) return `${q} is neither an IP address nor a domain name (the last label is all digits)`;
  return undefined;
}

/** Parses one `destinations` entry; returns it normalised, or an error message. */
export function parseDestination(input: string): Destination | string {
  if (input === '*') return '"*" alone is not allowed; omit destinations to match any destination';
  if (looksLikeAddress(input)) {
    const cidr = parseNetwork(input);
    return typeof cidr === 'string' ? cidr : { kind: 'cidr', text: input.toLowerCase(), cidr };
  }
  const lower = input.toLowerCase();
  if (lower.startsWith('*.')) {
    const suffix = lower.slice(2);
    if (suffix.includes('*')) return `${JSON.stringify(input)}: "*" is allowed only as the whole first label, as in "*.example.com"`;
    const err = checkDomain(suffix, input.slice(2));
    if (err !== undefined) return `wildcard ${JSON.stringify(input)}: ${err}`;
    return { kind: 'wildcard', text: lower, suffix };
  }
  if (lower.includes('*')) return `${JSON.stringify(input)}: "*" is allowed only as the whole first label, as in "*.example.com"`;
  const err = checkDomain(lower, input);
  return err === undefined ? { kind: 'domain', text: lower } : err;
}
