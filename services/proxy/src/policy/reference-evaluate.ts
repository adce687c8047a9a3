import {
  COMMANDS,
  cidrContains,
  cidrWithin,
  parseCidr,
  parseIp,
  type Cidr,
  type Command,
  type ParsedIp,
  type PolicySnapshot,
  type Rule,
  type SocksPolicy,
} from '@sockscale/common';
import type { Decision, PolicyRequest, Subject } from './types';

/**
 * The policy semantics as plain loops over the snapshot objects, written straight from the
 * documented rules and sharing nothing with the compiled structures (not even the special
 * range table). Slow on purpose; tests check the compiled engine against it.
 */

const SPECIAL_RANGES_TEXT = [
  '127.0.0.0/8',
  '::1/128',
  '0.0.0.0/8',
  '::/128',
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '100.64.0.0/10',
  'fc00::/7',
  '169.254.0.0/16',
  'fe80::/10',
  '169.254.169.254/32',
  'fd00:ec2::254/128',
  '224.0.0.0/4',
  '240.0.0.0/4',
  'ff00::/8',
];

const cidrCache = new Map<string, Cidr | undefined>();

function cidrOf(text: string): Cidr | undefined {
  if (!cidrCache.has(text)) {
    const c = parseCidr(text);
    cidrCache.set(text, typeof c === 'string' ? undefined : c);
  }
  return cidrCache.get(text);
}

function normalizeName(name: string): string {
  let n = name;
  if (n.endsWith('.')) n = n.slice(0, -1);
  let out = '';
  for (const ch of n) out += ch >= 'A' && ch <= 'Z' ? ch.toLowerCase() : ch;
  return out;
}

export function referenceOrder(policies: readonly SocksPolicy[]): SocksPolicy[] {
  const out = [...policies];
  out.sort((a, b) => {
    if (a.spec.priority < b.spec.priority) return -1;
    if (a.spec.priority > b.spec.priority) return 1;
    if (a.metadata.name < b.metadata.name) return -1;
    if (a.metadata.name > b.metadata.name) return 1;
    return 0;
  });
  return out;
}

function policyApplies(policy: SocksPolicy, subject: Subject): boolean {
  const s = policy.spec.subjects;
  let identity = false;
  if (subject.user !== null && s.users.includes(subject.user)) identity = true;
  for (const g of subject.groups) if (s.groups.includes(g)) identity = true;
  if (s.anonymous && subject.user === null) identity = true;
  const onlyClientCidrs = s.users.length === 0 && s.groups.length === 0 && !s.anonymous && s.clientCIDRs.length > 0;
  if (onlyClientCidrs && subject.user !== null) identity = true;
  if (!identity) return false;
  if (s.clientCIDRs.length === 0) return true;
  const ip = parseIp(subject.clientIp);
  if (ip === undefined) return false;
  for (const text of s.clientCIDRs) {
    const c = cidrOf(text);
    if (c !== undefined && cidrContains(c, ip)) return true;
  }
  return false;
}

export function referenceApplicablePolicies(snapshot: PolicySnapshot, subject: Subject): SocksPolicy[] {
  return referenceOrder(snapshot.policies).filter((p) => policyApplies(p, subject));
}

export function referenceAnonymousAllowed(snapshot: PolicySnapshot, clientIp: string): boolean {
  for (const p of snapshot.policies) {
    if (p.spec.subjects.anonymous && policyApplies(p, { user: null, groups: [], clientIp })) return true;
  }
  return false;
}

function portMatches(rule: Rule, port: number): boolean {
  if (rule.ports.length === 0) return true;
  for (const spec of rule.ports) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(spec);
    if (m === null) continue;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (lo <= port && port <= hi) return true;
  }
  return false;
}

function domainEntryMatches(entry: string, domain: string): boolean {
  const d = normalizeName(domain);
  if (entry.startsWith('*.')) {
    const suffix = normalizeName(entry.slice(2));
    return suffix !== '' && d.endsWith(`.${suffix}`);
  }
  const name = normalizeName(entry);
  return name !== '' && d === name;
}

function destinationMatches(rule: Rule, ip: ParsedIp | undefined, domain: string | undefined): boolean {
  if (rule.destinations.length === 0) return true;
  for (const entry of rule.destinations) {
    const c = cidrOf(entry);
    if (c !== undefined) {
      if (ip !== undefined && cidrContains(c, ip)) return true;
    } else if (domain !== undefined && domainEntryMatches(entry, domain)) {
      return true;
    }
  }
  return false;
}

function isSpecial(ip: ParsedIp): boolean {
  for (const text of SPECIAL_RANGES_TEXT) if (cidrContains(cidrOf(text) as Cidr, ip)) return true;
  return false;
}

function ruleNamesSpecial(rule: Rule, ip: ParsedIp): boolean {
  for (const entry of rule.destinations) {
    const c = cidrOf(entry);
    if (c === undefined || !cidrContains(c, ip)) continue;
    for (const text of SPECIAL_RANGES_TEXT) if (cidrWithin(c, cidrOf(text) as Cidr)) return true;
  }
  return false;
}

function usable(command: Command, port: number): boolean {
  return COMMANDS.includes(command) && Number.isInteger(port) && port >= 0 && port <= 65535;
}

const noMatch = (): Decision => ({ action: 'Deny', policy: null, rule: null, reason: 'no-match' });

export function referenceEvaluate(snapshot: PolicySnapshot, subject: Subject, request: PolicyRequest): Decision {
  if (!usable(request.command, request.port)) return noMatch();
  let ip: ParsedIp | undefined;
  if (request.destination.ip !== undefined) {
    ip = parseIp(request.destination.ip);
    if (ip === undefined) return noMatch();
  }
  for (const policy of referenceApplicablePolicies(snapshot, subject)) {
    for (const rule of policy.spec.rules) {
      if (!rule.commands.includes(request.command)) continue;
      if (!portMatches(rule, request.port)) continue;
      if (!destinationMatches(rule, ip, request.destination.domain)) continue;
      const policyName = policy.metadata.name;
      if (rule.action === 'Deny') return { action: 'Deny', policy: policyName, rule: rule.name, reason: 'rule' };
      if (ip !== undefined && isSpecial(ip) && !ruleNamesSpecial(rule, ip)) {
        return { action: 'Deny', policy: policyName, rule: rule.name, reason: 'special-destination' };
      }
      return { action: 'Allow', policy: policyName, rule: rule.name, reason: 'rule' };
    }
  }
  return noMatch();
}

/**
 * True unless no resolution of `domain` can be allowed: walking the rules in order (command and
 * port fitting), an Allow rule that matches the domain, has a CIDR entry or has empty
 * destinations means "maybe"; a Deny rule matching the domain (or with empty destinations)
 * decides every resolution not caught earlier, so it means "no".
 */
export function referenceMightAllowDomain(snapshot: PolicySnapshot, subject: Subject, command: Command, domain: string, port: number): boolean {
  if (!usable(command, port)) return false;
  for (const policy of referenceApplicablePolicies(snapshot, subject)) {
    for (const rule of policy.spec.rules) {
      if (!rule.commands.includes(command) || !portMatches(rule, port)) continue;
      const byDomain = rule.destinations.length === 0 || rule.destinations.some((e) => cidrOf(e) === undefined && domainEntryMatches(e, domain));
      const hasCidr = rule.destinations.some((e) => cidrOf(e) !== undefined);
      if (rule.action === 'Allow' && (byDomain || hasCidr)) return true;
      if (byDomain) return false;
    }
  }
  return false;
}
