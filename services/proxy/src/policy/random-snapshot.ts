import {
  API_VERSION,
  COMMANDS,
  PROTOCOLS,
  WEEKDAYS,
  formatIPv4,
  parseCidr,
  type Cidr,
  type Command,
  type TimeWindow,
  type PolicySnapshot,
  type Rule,
  type SocksPolicy,
  type SocksUser,
} from '@sockscale/common';
import type { Prng } from './prng';
import { SPECIAL_CIDRS } from './special-ranges';
import type { PolicyRequest, Subject } from './types';

/**
 * Random (validated-shape) policy snapshots and requests aimed at the corners: nested and
 * overlapping v4/v6 prefixes, special ranges, prefixes of 0/1/31/32/127/128, addresses on and
 * just outside prefix boundaries, every IPv6 spelling, domains one label above and below the
 * generated names, ports on range edges. Used by the randomized equivalence test.
 */
export interface RandomWorld {
  snapshot: PolicySnapshot;
  /** Every prefix appearing in the snapshot, plus the special ranges. */
  cidrs: Cidr[];
  /** Every domain / wildcard suffix appearing in the snapshot, plus a few others. */
  domains: string[];
}

const USERS = ['alice', 'bob', 'carol', 'dave'];
const GROUPS = ['staff', 'ops', 'dev'];
const V4_BASES = ['127.0.0.1', '10.1.2.3', '172.16.5.4', '172.31.255.255', '192.168.1.1', '100.64.0.1', '169.254.169.254', '169.254.1.1', '0.0.0.0', '8.8.8.8', '1.2.3.4', '224.0.0.1', '255.255.255.255', '203.0.113.7', '11.0.0.0'];
const V6_BASES = ['::1', '::', 'fe80::1', 'fc00::1', 'fd00:ec2::254', 'fd00:ec2::253', '2001:db8::1', '2001:db8:1::', 'ff02::1', '2606:4700::1111', '::ffff:7f00:1', '::2'];
const DOMAIN_POOL = ['example.com', 'a.example.com', 'b.a.example.com', 'example.org', 'localhost', 'com', 'test', 'x.test', 'metadata.google.internal', 'internal', 'sub.example.org'];
const PORT_SPECS = ['22', '25', '53', '80', '443', '0', '65535', '1-1024', '1000-2000', '80-80', '443-8443', '1024-65535', '0-65535', '24-26'];
const PORT_POOL = [0, 1, 21, 22, 23, 24, 25, 26, 27, 52, 53, 79, 80, 81, 442, 443, 444, 999, 1000, 1023, 1024, 1025, 2000, 2001, 8443, 8444, 65534, 65535];
const PRIORITIES = [0, 10, 100, 1000, 1000, 5000];
const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Pacific/Chatham'];
const CLOCKS = ['00:00', '00:30', '01:00', '02:00', '02:30', '03:00', '08:00', '09:15', '12:00', '17:59', '18:00', '22:00', '23:30', '23:59', '24:00'];
/** Instants around DST changes (Berlin, New York, Lord Howe) and ordinary days, as ms. */
const INSTANT_BASES = [
  '2026-01-05T00:00:00Z',
  '2026-03-08T06:00:00Z',
  '2026-03-29T00:00:00Z',
  '2026-04-04T14:00:00Z',
  '2026-10-04T15:00:00Z',
  '2026-10-25T00:00:00Z',
  '2026-11-01T05:00:00Z',
  '2026-07-01T12:00:00Z',
].map((t) => Date.parse(t));
const MAX128 = (1n << 128n) - 1n;

export function formatIPv6(v: bigint, rng: Prng, zone = true): string {
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((v >> BigInt(16 * i)) & 0xffffn));
  const style = rng.int(0, 4);
  let text: string;
  if (style === 0) {
    text = groups.map((g) => g.toString(16)).join(':');
  } else if (style === 1) {
    text = groups.map((g) => g.toString(16).padStart(4, '0')).join(':');
  } else {
    // Compress the longest run of zero groups (possibly a single group).
    let best = -1;
    let bestLen = 0;
    for (let i = 0; i < 8; ) {
      if (groups[i] !== 0) {
        i++;
        continue;
      }
      let j = i;
      while (j < 8 && groups[j] === 0) j++;
      if (j - i > bestLen) {
        best = i;
        bestLen = j - i;
      }
      i = j;
    }
    const hex = groups.map((g) => g.toString(16));
    text = best < 0 ? hex.join(':') : `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
  }
  if (rng.chance(0.15)) text = text.toUpperCase();
  if (zone && rng.chance(0.05)) text += '%eth0';
  return text;
}

function v4Text(v: number, rng: Prng): string {
  const dotted = formatIPv4(v >>> 0);
  const r = rng.next();
  if (r < 0.08) return `::ffff:${dotted}`;
  if (r < 0.12) return `::ffff:${(v >>> 16).toString(16)}:${(v & 0xffff).toString(16)}`;
  if (r < 0.14) return `0:0:0:0:0:FFFF:${dotted}`;
  return dotted;
}

function randomCidrText(rng: Prng): string {
  if (rng.chance(0.6)) {
    const base = rng.chance(0.75) ? rng.pick(V4_BASES) : formatIPv4(rng.u32());
    const prefix = rng.chance(0.6) ? rng.pick([0, 1, 4, 7, 8, 9, 10, 12, 15, 16, 23, 24, 25, 30, 31, 32]) : rng.int(0, 32);
    return prefix === 32 && rng.chance(0.5) ? base : `${base}/${prefix}`;
  }
  const base = rng.chance(0.75) ? rng.pick(V6_BASES) : randomV6Text(rng, false);
  const prefix = rng.chance(0.6) ? rng.pick([0, 1, 7, 8, 10, 16, 32, 48, 64, 96, 104, 120, 127, 128]) : rng.int(0, 128);
  return prefix === 128 && rng.chance(0.5) ? base : `${base}/${prefix}`;
}

function randomV6Text(rng: Prng, zone = true): string {
  let v = 0n;
  for (let i = 0; i < 4; i++) v = (v << 32n) | BigInt(rng.u32());
  return formatIPv6(v, rng, zone);
}

function randomDomainEntry(rng: Prng): string {
  const name = rng.chance(0.8) ? rng.pick(DOMAIN_POOL) : `${rng.pick(['q', 'zz', 'host-1'])}.${rng.pick(DOMAIN_POOL)}`;
  return rng.chance(0.4) ? `*.${name}` : name;
}

function randomRule(rng: Prng, index: number): Rule {
  const destinations: string[] = [];
  if (!rng.chance(0.12)) {
    const n = rng.int(1, 4);
    for (let i = 0; i < n; i++) destinations.push(rng.chance(0.65) ? randomCidrText(rng) : randomDomainEntry(rng));
  }
  const ports: string[] = [];
  if (rng.chance(0.5)) {
    const n = rng.int(1, 3);
    for (let i = 0; i < n; i++) {
      if (rng.chance(0.7)) ports.push(rng.pick(PORT_SPECS));
      else {
        const lo = rng.int(0, 65535);
        ports.push(rng.chance(0.5) ? String(lo) : `${lo}-${rng.int(lo, Math.min(65535, lo + rng.pick([0, 1, 10, 1000, 65535])))}`);
      }
    }
  }
  const commands: Command[] = rng.chance(0.5) ? [...COMMANDS] : rng.subset(COMMANDS, 0.5);
  if (commands.length === 0 && rng.chance(0.9)) commands.push(rng.pick(COMMANDS));
  const rule: Rule = {
    name: rng.chance(0.9) ? `rule-${index}` : rng.pick(['allow-web', 'no-canary', 'lab']),
    action: rng.chance(0.6) ? 'Allow' : 'Deny',
    commands,
    destinations,
    ports,
  };
  if (rng.chance(0.3)) {
    const protocols = rng.subset(PROTOCOLS, 0.4);
    rule.protocols = protocols.length > 0 ? protocols : [rng.pick(PROTOCOLS)];
  }
  if (rng.chance(0.15)) rule.mode = 'Shadow';
  else if (rng.chance(0.1)) rule.mode = 'Enforce';
  if (rng.chance(0.2)) rule.timeWindows = Array.from({ length: rng.int(1, 2) }, () => randomWindow(rng));
  if (rng.chance(0.1)) rule.limits = { maxConnections: rng.int(1, 5) };
  return rule;
}

function randomWindow(rng: Prng): TimeWindow {
  let start = rng.pick(CLOCKS.slice(0, -1));
  let end = rng.pick(CLOCKS);
  if (start === end) end = '24:00';
  if (start === end) start = '00:00';
  const days = rng.chance(0.4) ? [...WEEKDAYS] : rng.subset(WEEKDAYS, 0.4);
  return { days: days.length > 0 ? days : ['Sun'], start, end, timeZone: rng.pick(ZONES) };
}

function randomPolicy(rng: Prng, name: string): SocksPolicy {
  const clientCIDRs = rng.chance(0.6) ? [] : Array.from({ length: rng.int(1, 2) }, () => randomCidrText(rng));
  let users = rng.subset(USERS, 0.3);
  let groups = rng.subset(GROUPS, 0.3);
  let anonymous = rng.chance(0.3);
  if (rng.chance(0.15)) {
    users = [];
    groups = [];
    anonymous = false;
  }
  const ruleCount = rng.int(1, rng.pick([3, 10, 25, 50]));
  return {
    apiVersion: API_VERSION,
    kind: 'SocksPolicy',
    metadata: { name },
    spec: {
      priority: rng.pick(PRIORITIES),
      subjects: { users, groups, anonymous, clientCIDRs },
      rules: Array.from({ length: ruleCount }, (_, i) => randomRule(rng, i)),
    },
  };
}

export function randomWorld(rng: Prng, version = 1): RandomWorld {
  const policyCount = rng.int(1, 4);
  const names = ['p-b', 'p-a', 'p-d', 'p-c', 'p-e'];
  const policies = Array.from({ length: policyCount }, (_, i) => randomPolicy(rng, names[i] ?? `p-${i}`));
  const users: SocksUser[] = USERS.map((u) => ({
    apiVersion: API_VERSION,
    kind: 'SocksUser',
    metadata: { name: u },
    spec: { groups: rng.subset(GROUPS, 0.4), password: { value: 'x' }, disabled: false },
  }));
  const cidrs: Cidr[] = SPECIAL_CIDRS.map((s) => s.cidr);
  const domains = [...DOMAIN_POOL];
  for (const p of policies) {
    for (const text of p.spec.subjects.clientCIDRs) {
      const c = parseCidr(text);
      if (typeof c !== 'string') cidrs.push(c);
    }
    for (const r of p.spec.rules) {
      for (const d of r.destinations) {
        const c = parseCidr(d);
        if (typeof c !== 'string') cidrs.push(c);
        else domains.push(d.startsWith('*.') ? d.slice(2) : d);
      }
    }
  }
  return { snapshot: { version, users, policies }, cidrs, domains };
}

/** An address on, inside, or just outside one of the world's prefixes (or anywhere). */
export function randomIpText(rng: Prng, world: RandomWorld): string {
  if (rng.chance(0.08)) return rng.chance(0.5) ? formatIPv4(rng.u32()) : randomV6Text(rng);
  const c = rng.pick(world.cidrs);
  const mode = rng.int(0, 4);
  if (c.family === 4) {
    const size = 2 ** (32 - c.prefix);
    const net = c.value as number;
    const offset = mode === 0 ? 0 : mode === 1 ? size - 1 : mode === 2 ? Math.floor(rng.next() * size) : mode === 3 ? -1 : size;
    return v4Text((net + offset + 4294967296) % 4294967296, rng);
  }
  const size = 1n << BigInt(128 - c.prefix);
  const net = c.value as bigint;
  let offset: bigint;
  if (mode === 0) offset = 0n;
  else if (mode === 1) offset = size - 1n;
  else if (mode === 2) offset = (BigInt(rng.u32()) | (BigInt(rng.u32()) << 32n) | (BigInt(rng.u32()) << 64n) | (BigInt(rng.u32()) << 96n)) % size;
  else if (mode === 3) offset = -1n;
  else offset = size;
  return formatIPv6((net + offset) & MAX128, rng);
}

export function randomDomainText(rng: Prng, world: RandomWorld): string {
  let d = rng.pick(world.domains);
  const r = rng.next();
  if (r < 0.25) d = `${rng.pick(['x', 'a', 'b', 'deep.er'])}.${d}`;
  else if (r < 0.32) d = `x${d}`;
  else if (r < 0.4) d = d.includes('.') ? d.slice(d.indexOf('.') + 1) : d;
  if (rng.chance(0.15)) d = d.toUpperCase();
  if (rng.chance(0.1)) d += '.';
  if (rng.chance(0.01)) d = rng.pick(['', '.', '..', `.${d}`, `a..${d}`]);
  return d;
}

export function randomSubject(rng: Prng, world: RandomWorld): Subject {
  const user = rng.chance(0.25) ? null : rng.pick([...USERS, 'mallory']);
  const groups = user === null && rng.chance(0.9) ? [] : rng.subset(GROUPS, 0.35);
  return { user, groups, clientIp: rng.chance(0.05) ? 'not-an-ip' : randomIpText(rng, world) };
}

export function randomRequest(rng: Prng, world: RandomWorld): PolicyRequest {
  const r = rng.next();
  const destination: { ip?: string; domain?: string } = {};
  if (r < 0.5) destination.ip = randomIpText(rng, world);
  else if (r < 0.75) destination.domain = randomDomainText(rng, world);
  else if (r < 0.97) {
    destination.domain = randomDomainText(rng, world);
    destination.ip = randomIpText(rng, world);
  }
  if (rng.chance(0.005)) destination.ip = rng.pick(['999.1.1.1', 'bogus', '0x7f.1', '127.1', '']);
  const port = rng.chance(0.9) ? rng.pick(PORT_POOL) : rng.chance(0.95) ? rng.int(0, 65535) : rng.pick([-1, 65536, 1.5]);
  const request: PolicyRequest = { command: rng.pick(COMMANDS), destination, port };
  if (rng.chance(0.5)) request.protocol = rng.pick(PROTOCOLS);
  if (rng.chance(0.5)) request.serverName = randomDomainText(rng, world);
  if (request.serverName !== undefined && rng.chance(0.3)) request.command = 'Connect';
  // Around a DST change or an ordinary day, on minute boundaries and in between.
  request.at = rng.pick(INSTANT_BASES) + rng.int(-36, 36) * 3_600_000 + rng.pick([0, 1, 59_999, rng.int(0, 3_599_999)]);
  return request;
}
