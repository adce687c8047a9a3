import { performance } from 'node:perf_hooks';
import { API_VERSION, COMMANDS, formatIPv4, type Command, type PolicySnapshot, type Rule, type SocksPolicy } from '@sockscale/common';
import { compilePolicy } from './compile-policy';
import { Prng } from './prng';
import type { PolicyRequest, Subject } from './types';

/**
 * Micro-benchmark: policy decisions per second on one core for a synthetic snapshot of
 * `ruleCount` rules (IPv4/IPv6 prefixes, exact and wildcard domains, named private ranges,
 * catch-alls, port lists), against a fixed mix of requests: addresses inside rule prefixes,
 * random public addresses (mostly no match: the worst case), domains with and without a
 * resolved address, special addresses; 30% of CONNECTs carry a detected protocol (and an SNI).
 * 10% of rules have protocols, 10% time windows, 1% are Shadow (rules on trial). The subject sees ~90% of the
 * rules. Evaluation uses the current time (time windows hit the once-a-minute cache).
 *
 * Run directly (`node services/proxy/dist/policy/bench-decisions.js [seconds]`) for 10, 1,000
 * and 10,000 rules.
 */
export interface BenchResult {
  decisionsPerSecond: number;
  /** Decisions per second of CPU time used by this process (steadier on a busy machine). */
  decisionsPerCpuSecond: number;
  ruleCount: number;
  decisions: number;
  seconds: number;
  compileMs: number;
  allowed: number;
}

const RULES_PER_POLICY = 100;

function randomPublicV4(rng: Prng): number {
  for (;;) {
    const v = rng.u32();
    const top = v >>> 24;
    if (top !== 0 && top !== 10 && top !== 127 && top < 224 && top !== 169 && top !== 172 && top !== 192 && top !== 100) return v;
  }
}

function v6Text(rng: Prng, k: number): string {
  return `2001:db8:${(k & 0xffff).toString(16)}:${rng.int(0, 0xffff).toString(16)}::`;
}

interface Pools {
  v4: { net: number; prefix: number }[];
  v6: string[];
  exact: string[];
  wild: string[];
}

function syntheticRule(rng: Prng, index: number, pools: Pools, features: boolean): Rule {
  const destinations: string[] = [];
  const kind = rng.next();
  const count = rng.int(1, 3);
  for (let i = 0; i < count; i++) {
    if (kind < 0.35) {
      const prefix = rng.int(16, 32);
      const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
      const net = (randomPublicV4(rng) & mask) >>> 0;
      pools.v4.push({ net, prefix });
      destinations.push(`${formatIPv4(net)}/${prefix}`);
    } else if (kind < 0.45) {
      const text = v6Text(rng, index);
      pools.v6.push(text);
      destinations.push(`${text}/64`);
    } else if (kind < 0.65) {
      const name = `svc-${index}-${i}.corp.example`;
      pools.exact.push(name);
      destinations.push(name);
    } else if (kind < 0.75) {
      const suffix = `team-${index}.example.net`;
      pools.wild.push(suffix);
      destinations.push(`*.${suffix}`);
    } else if (kind < 0.85) {
      destinations.push(`10.${rng.int(0, 255)}.${rng.int(0, 255)}.0/24`);
    } else if (kind < 0.9) {
      if (i === 0 && rng.chance(0.5)) destinations.push('0.0.0.0/0');
    } else {
      destinations.push(rng.chance(0.5) ? `${formatIPv4(randomPublicV4(rng))}/32` : `host-${index}.example.org`);
    }
  }
  const ports = rng.chance(0.5) ? [] : rng.subset(['80', '443', '22', '8080-8090', '1024-65535', String(rng.int(1, 65535))], 0.3);
  if (kind >= 0.85 && kind < 0.9 && ports.length === 0) ports.push(String(rng.int(1, 65535)));
  const commands: Command[] = rng.chance(0.7) ? ['Connect'] : [...COMMANDS];
  const rule: Rule = { name: `rule-${index}`, action: rng.chance(0.7) ? 'Allow' : 'Deny', commands, destinations, ports };
  // The policy-engine features at realistic shares: protocol rules, time windows, shadow rules, limits.
  if (!features) return rule;
  if (rng.chance(0.1)) rule.protocols = rng.chance(0.5) ? ['tls'] : ['http', 'tls'];
  if (rng.chance(0.1)) rule.timeWindows = [{ days: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri'], start: '08:00', end: '18:00', timeZone: rng.pick(['UTC', 'Europe/Berlin', 'America/New_York']) }];
  if (rng.chance(0.01)) rule.mode = 'Shadow';
  if (rng.chance(0.1)) rule.limits = { bandwidth: { total: 2_000_000 } };
  return rule;
}

/** The synthetic snapshot, the bench subject and a request mix; exported for tests. */
export function syntheticWorkload(ruleCount: number, seed = 1, features = true): { snapshot: PolicySnapshot; subject: Subject; requests: PolicyRequest[] } {
  const rng = new Prng(seed);
  const pools: Pools = { v4: [], v6: [], exact: [], wild: [] };
  const policies: SocksPolicy[] = [];
  for (let p = 0, made = 0; made < ruleCount; p++) {
    const n = Math.min(RULES_PER_POLICY, ruleCount - made);
    const rules = Array.from({ length: n }, (_, i) => syntheticRule(rng, made + i, pools, features));
    made += n;
    policies.push({
      apiVersion: API_VERSION,
      kind: 'SocksPolicy',
      metadata: { name: `policy-${p}` },
      spec: {
        priority: rng.int(0, 10) * 100,
        subjects: { users: [], groups: rng.chance(0.9) ? ['staff'] : ['other'], anonymous: false, clientCIDRs: [] },
        rules,
      },
    });
  }
  const requests: PolicyRequest[] = [];
  const specials = ['127.0.0.1', '10.1.2.3', '169.254.169.254', '192.168.1.1', '::1', '::ffff:10.0.0.1'];
  for (let i = 0; i < 4096; i++) {
    const r = rng.next();
    const port = rng.pick([80, 443, 443, 22, 8080, 53, rng.int(1, 65535)]);
    const command: Command = rng.chance(0.9) ? 'Connect' : 'UdpAssociate';
    let destination: { ip?: string; domain?: string };
    if (r < 0.3 && pools.v4.length > 0) {
      const c = rng.pick(pools.v4);
      destination = { ip: formatIPv4((c.net + Math.floor(rng.next() * 2 ** (32 - c.prefix))) >>> 0) };
    } else if (r < 0.4 && pools.v6.length > 0) {
      destination = { ip: `${rng.pick(pools.v6)}${rng.int(1, 0xffff).toString(16)}` };
    } else if (r < 0.6) {
      destination = { ip: formatIPv4(randomPublicV4(rng)) };
    } else if (r < 0.75 && pools.exact.length > 0) {
      destination = { domain: rng.pick(pools.exact), ...(rng.chance(0.5) ? { ip: formatIPv4(randomPublicV4(rng)) } : {}) };
    } else if (r < 0.85 && pools.wild.length > 0) {
      destination = { domain: `api.${rng.pick(pools.wild)}` };
    } else if (r < 0.95) {
      destination = { ip: rng.pick(specials) };
    } else {
      destination = { domain: `unknown-${i}.example.com` };
    }
    const request: PolicyRequest = { command, destination, port };
    if (features && command === 'Connect' && rng.chance(0.3)) {
      request.protocol = rng.pick(['tls', 'http', 'unknown'] as const);
      if (request.protocol !== 'unknown' && pools.exact.length > 0) request.serverName = rng.pick(pools.exact);
    }
    requests.push(request);
  }
  return { snapshot: { version: 1, users: [], policies }, subject: { user: 'bench', groups: ['staff'], clientIp: '192.0.2.1' }, requests };
}

export function benchDecisions(ruleCount: number, seconds: number, features = true): BenchResult {
  const { snapshot, subject, requests } = syntheticWorkload(ruleCount, 1, features);
  const t0 = performance.now();
  const compiled = compilePolicy(snapshot);
  const compileMs = performance.now() - t0;
  const rules = compiled.forSubject(subject);
  const mask = requests.length - 1;
  // Warm up so the optimising compiler has run before timing.
  let allowed = 0;
  for (let i = 0; i < 20000; i++) if (rules.evaluate(requests[i & mask] as PolicyRequest).action === 'Allow') allowed++;
  allowed = 0;
  let decisions = 0;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const deadline = start + seconds * 1000;
  let now = start;
  do {
    for (let i = 0; i < 4096; i++) if (rules.evaluate(requests[(decisions + i) & mask] as PolicyRequest).action === 'Allow') allowed++;
    decisions += 4096;
    now = performance.now();
  } while (now < deadline);
  const elapsed = (now - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return {
    decisionsPerSecond: Math.round(decisions / elapsed),
    decisionsPerCpuSecond: Math.round(decisions / cpuSeconds),
    ruleCount,
    decisions,
    seconds: elapsed,
    compileMs: Math.round(compileMs),
    allowed,
  };
}

if (require.main === module) {
  const seconds = Number(process.argv[2] ?? 2);
  const counts = process.argv[3] !== undefined ? process.argv[3].split(',').map(Number) : [10, 1000, 10000];
  for (const n of counts) {
    const r = benchDecisions(n, seconds, process.argv[4] !== 'plain');
    const pct = Math.round((100 * r.allowed) / r.decisions);
    console.log(
      `${String(n).padStart(6)} rules: ${r.decisionsPerSecond.toLocaleString('en-US')} decisions/s wall, ` +
        `${r.decisionsPerCpuSecond.toLocaleString('en-US')} per CPU second (compile ${r.compileMs} ms, ${pct}% allowed)`,
    );
  }
}
