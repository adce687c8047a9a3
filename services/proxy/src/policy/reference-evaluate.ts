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

const DAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const SHORT_DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** Local weekday (0 = Monday) and minute of day, read from a formatted string. */
const localFormats = new Map<string, Intl.DateTimeFormat>();

function localTime(at: number, timeZone: string): { day: number; minute: number } {
  let f = localFormats.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'long', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' });
    localFormats.set(timeZone, f);
  }
  const text = f.format(at);
  const m = /^(\w+),? (\d+):(\d+)/.exec(text);
  if (m === null) throw new Error(`unexpected date format ${text}`);
  return { day: DAY_NAMES.indexOf(m[1] as string), minute: Number(m[2]) * 60 + Number(m[3]) };
}

function clockMinutes(hhmm: string): number {
  const [h = '0', mm = '0'] = hhmm.split(':');
  return Number(h) * 60 + Number(mm);
}

function timeMatches(rule: Rule, at: number): boolean {
  if (rule.timeWindows === undefined) return true;
  for (const w of rule.timeWindows) {
    const now = localTime(at, w.timeZone);
    const start = clockMinutes(w.start);
    let end = clockMinutes(w.end);
    if (end <= start) end += 1440;
    // The window may have started today or (when it runs past midnight) yesterday.
    for (const back of [0, 1]) {
      const day = (now.day + 7 - back) % 7;
      if (!w.days.includes(SHORT_DAYS[day] as never)) continue;
      const t = now.minute + back * 1440;
      if (t >= start && t < end) return true;
    }
  }
  return false;
}

function protocolMatches(rule: Rule, request: PolicyRequest): boolean {
  if (rule.protocols === undefined) return true;
  return request.command === 'Connect' && request.protocol !== undefined && rule.protocols.includes(request.protocol);
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

function destinationMatches(rule: Rule, ip: ParsedIp | undefined, domain: string | undefined, serverName?: string): boolean {
  if (rule.destinations.length === 0) return true;
  for (const entry of rule.destinations) {
    const c = cidrOf(entry);
    if (c !== undefined) {
      if (ip !== undefined && cidrContains(c, ip)) return true;
    } else if (domain !== undefined && domainEntryMatches(entry, domain)) {
      return true;
    } else if (serverName !== undefined && domainEntryMatches(entry, serverName)) {
      return true;
    }
  }
  return false;
}

/** The SNI/Host name counts for rules with `protocols` once a protocol was detected. */
function nameFor(rule: Rule, request: PolicyRequest): string | undefined {
  return rule.protocols !== undefined && request.protocol !== undefined && request.command === 'Connect' ? request.serverName : undefined;
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
  const at = request.at ?? Date.now();
  const shadow: Decision[] = [];
  const finish = (d: Decision): Decision => (shadow.length > 0 ? { ...d, shadow } : d);
  for (const policy of referenceApplicablePolicies(snapshot, subject)) {
    for (const rule of policy.spec.rules) {
      if (!rule.commands.includes(request.command)) continue;
      if (!portMatches(rule, request.port)) continue;
      if (!protocolMatches(rule, request)) continue;
      if (!timeMatches(rule, at)) continue;
      if (!destinationMatches(rule, ip, request.destination.domain, nameFor(rule, request))) continue;
      const policyName = policy.metadata.name;
      let d: Decision;
      if (rule.action === 'Deny') d = { action: 'Deny', policy: policyName, rule: rule.name, reason: 'rule' };
      else if (ip !== undefined && isSpecial(ip) && !ruleNamesSpecial(rule, ip)) d = { action: 'Deny', policy: policyName, rule: rule.name, reason: 'special-destination' };
      else d = { action: 'Allow', policy: policyName, rule: rule.name, reason: 'rule' };
      if (rule.mode === 'Shadow') {
        shadow.push(d);
        continue;
      }
      if (d.action === 'Allow' && rule.limits !== undefined) d = { ...d, limits: rule.limits };
      return finish(d);
    }
  }
  return finish(noMatch());
}

/**
 * CONNECT: true when some rule with `protocols` (any mode) whose command, port and time fit
 * could match (by address/domain, or by SNI/Host when it has a domain entry) before the first
 * Enforce rule without `protocols` that matches.
 */
export function referenceNeedsProtocol(snapshot: PolicySnapshot, subject: Subject, request: PolicyRequest): boolean {
  if (request.command !== 'Connect' || !usable(request.command, request.port)) return false;
  let ip: ParsedIp | undefined;
  if (request.destination.ip !== undefined) {
    ip = parseIp(request.destination.ip);
    if (ip === undefined) return false;
  }
  const at = request.at ?? Date.now();
  for (const policy of referenceApplicablePolicies(snapshot, subject)) {
    for (const rule of policy.spec.rules) {
      if (!rule.commands.includes('Connect') || !portMatches(rule, request.port) || !timeMatches(rule, at)) continue;
      const byAddress = destinationMatches(rule, ip, request.destination.domain);
      if (rule.protocols !== undefined) {
        if (byAddress || rule.destinations.some((e) => cidrOf(e) === undefined)) return true;
      } else if (rule.mode !== 'Shadow' && byAddress) {
        return false;
      }
    }
  }
  return false;
}

/**
 * True unless no resolution of `domain` can be allowed: walking the Enforce rules without
 * `protocols` in order (command, port and time fitting), an Allow rule that matches the domain, has a CIDR entry or has empty
 * destinations means "maybe"; a Deny rule matching the domain (or with empty destinations)
 * decides every resolution not caught earlier, so it means "no".
 */
export function referenceMightAllowDomain(snapshot: PolicySnapshot, subject: Subject, command: Command, domain: string, port: number, at = Date.now()): boolean {
  if (!usable(command, port)) return false;
  for (const policy of referenceApplicablePolicies(snapshot, subject)) {
    for (const rule of policy.spec.rules) {
      if (!rule.commands.includes(command) || !portMatches(rule, port)) continue;
      // Shadow rules never decide; rules with protocols never match an uninspected request.
      if (rule.mode === 'Shadow' || rule.protocols !== undefined || !timeMatches(rule, at)) continue;
      const byDomain = rule.destinations.length === 0 || rule.destinations.some((e) => cidrOf(e) === undefined && domainEntryMatches(e, domain));
      const hasCidr = rule.destinations.some((e) => cidrOf(e) !== undefined);
      if (rule.action === 'Allow' && (byDomain || hasCidr)) return true;
      if (byDomain) return false;
    }
  }
  return false;
}
