import { parseArgs } from 'node:util';
import {
  PROTOCOLS,
  assemblePolicySnapshot,
  formatIssue,
  formatQuantity,
  loadPolicyPaths,
  normalizeIp,
  type Command,
  type Protocol,
  type RuleLimits,
} from '@sockscale/common';
import { compilePolicy, type Decision, type PolicyRequest } from '@sockscale/proxy';

export const EXPLAIN_USAGE = `Usage: sockscale explain --policy FILE|DIR --user NAME|--anonymous --dest HOST:PORT [options]

Prints what the proxy would decide for one request under a policy, and why.

  --policy PATH         policy file or directory (repeatable)
  --user NAME           the authenticated user (a SocksUser in the policy), or
  --anonymous           an anonymous (no authentication) session
  --client IP           the client's address (default 127.0.0.1)
  --dest HOST:PORT      destination: an IP ([v6]:port) or a domain name
  --ip ADDR             with a domain --dest: the address it resolved to (checks CIDR rules
                        and special ranges as the proxy does after DNS)
  --command CMD         connect (default), bind or udp-associate
  --protocol P          detected protocol of a CONNECT tunnel: ${PROTOCOLS.join(', ')}
  --sni NAME            TLS SNI or HTTP Host the client sent (needs --protocol tls or http)
  --at TIME             evaluate at this instant (ISO 8601, e.g. 2026-01-05T10:00:00Z; default now)

Exit status: 0 allow, 1 deny, 2 bad input.
`;

const COMMAND_FLAGS: Readonly<Record<string, Command>> = { connect: 'Connect', bind: 'Bind', 'udp-associate': 'UdpAssociate' };

/** `sockscale explain ...`: one decision, its policy and rule, limits, shadow hits. */
export async function explainCommand(argv: readonly string[]): Promise<number> {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        policy: { type: 'string', multiple: true },
        user: { type: 'string' },
        anonymous: { type: 'boolean' },
        client: { type: 'string' },
        dest: { type: 'string' },
        ip: { type: 'string' },
        command: { type: 'string' },
        protocol: { type: 'string' },
        sni: { type: 'string' },
        at: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    return bad([(err as Error).message]);
  }
  if (values.help === true) {
    process.stdout.write(EXPLAIN_USAGE);
    return 0;
  }
  const problems: string[] = [];
  const str = (k: string): string | undefined => (typeof values[k] === 'string' ? values[k] : undefined);
  const policies = (values.policy as string[] | undefined) ?? [];
  if (policies.length === 0) problems.push('--policy: at least one policy file or directory is required');
  const user = str('user');
  const anonymous = values.anonymous === true;
  if (user === undefined && !anonymous) problems.push('--user NAME or --anonymous is required');
  if (user !== undefined && anonymous) problems.push('--user and --anonymous exclude each other');
  const clientText = str('client') ?? '127.0.0.1';
  const client = normalizeIp(clientText);
  if (client === undefined) problems.push(`--client: "${clientText}" is not an IP address`);
  const destText = str('dest');
  let dest: { host: string; port: number; ip?: string } | undefined;
  if (destText === undefined) problems.push('--dest HOST:PORT is required');
  else {
    const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(destText);
    const port = Number(m?.[3]);
    if (m === null || port > 65535) problems.push(`--dest: "${destText}" is not HOST:PORT (IPv6 as [addr]:port, port 0-65535)`);
    else dest = { host: m[1] ?? m[2] ?? '', port };
  }
  const ipText = str('ip');
  if (ipText !== undefined) {
    const ip = normalizeIp(ipText);
    if (ip === undefined) problems.push(`--ip: "${ipText}" is not an IP address`);
    else if (dest !== undefined) dest.ip = ip;
  }
  const commandText = str('command') ?? 'connect';
  const command = COMMAND_FLAGS[commandText];
  if (command === undefined) problems.push(`--command: "${commandText}" is not one of ${Object.keys(COMMAND_FLAGS).join(', ')}`);
  const protocolText = str('protocol');
  const protocol = protocolText === undefined ? undefined : (PROTOCOLS as readonly string[]).includes(protocolText) ? (protocolText as Protocol) : null;
  if (protocol === null) problems.push(`--protocol: "${protocolText}" is not one of ${PROTOCOLS.join(', ')}`);
  if (protocol !== undefined && command !== undefined && command !== 'Connect') problems.push('--protocol applies to --command connect only');
  const sni = str('sni');
  if (sni !== undefined && protocol !== 'tls' && protocol !== 'http') problems.push('--sni needs --protocol tls or --protocol http');
  const atText = str('at');
  const at = atText === undefined ? Date.now() : Date.parse(atText);
  if (Number.isNaN(at)) problems.push(`--at: "${atText}" is not an ISO 8601 time such as 2026-01-05T10:00:00Z`);
  if (problems.length > 0) return bad(problems);

  const loaded = await loadPolicyPaths(policies, { allowPlaintextPasswords: true });
  if (loaded.issues.length > 0) {
    process.stderr.write(`${loaded.issues.map(formatIssue).join('\n')}\nsockscale explain: the policy is invalid (${loaded.issues.length} problem(s))\n`);
    return 2;
  }
  const snapshot = assemblePolicySnapshot(loaded.objects, 1);
  const compiled = compilePolicy(snapshot);
  let groups: readonly string[] = [];
  if (user !== undefined) {
    const u = compiled.users.get(user);
    if (u === undefined) return bad([`--user: no SocksUser "${user}" in the policy (users: ${[...compiled.users.keys()].join(', ') || 'none'})`]);
    if (u.spec.disabled) {
      process.stdout.write(`decision: Deny\nreason:   user "${user}" is disabled (authentication fails)\n`);
      return 1;
    }
    groups = u.spec.groups;
  } else if (!compiled.anonymousAllowed(client as string)) {
    process.stdout.write(`decision: Deny\nreason:   no policy with anonymous: true covers client ${client as string} (method 0x00 refused)\n`);
    return 1;
  }
  const d0 = dest as { host: string; port: number; ip?: string };
  const hostIp = normalizeIp(d0.host);
  const destination = hostIp !== undefined ? { ip: hostIp } : { domain: d0.host.toLowerCase().replace(/\.$/, ''), ...(d0.ip !== undefined ? { ip: d0.ip } : {}) };
  const rules = compiled.forSubject({ user: user ?? null, groups, clientIp: client as string });
  const request: PolicyRequest = { command: command as Command, destination, port: d0.port, at };
  const notes: string[] = [];
  if (protocol === undefined && rules.needsProtocol(request)) {
    notes.push('the proxy reads this tunnel\'s first bytes before deciding (rules with "protocols" apply); assuming protocol "unknown": pass --protocol / --sni');
    request.protocol = 'unknown';
  } else if (protocol !== undefined && protocol !== null) {
    request.protocol = protocol;
    if (sni !== undefined) request.serverName = sni.toLowerCase();
  }
  if (destination.ip === undefined && 'domain' in destination) notes.push('no --ip given: CIDR rules and special ranges are checked again once the name resolves');
  const d = rules.evaluate(request);
  process.stdout.write(render(d, rules.policies, notes));
  return d.action === 'Allow' ? 0 : 1;
}

function render(d: Decision, applicable: readonly string[], notes: readonly string[]): string {
  const lines = [`decision: ${d.action}`];
  lines.push(`policy:   ${d.policy ?? '(none)'}`);
  lines.push(`rule:     ${d.rule ?? '(none)'}`);
  const why: Record<string, string> = {
    rule: d.action === 'Allow' ? 'the rule allows it' : 'the rule denies it',
    'no-match': 'no rule matched (default deny)',
    'special-destination': 'the rule allows, but the address is loopback/private/link-local/metadata and the rule does not name that range',
  };
  lines.push(`reason:   ${d.reason} (${why[d.reason] ?? d.reason})`);
  lines.push(`checked:  ${applicable.length === 0 ? 'no policy applies to this subject' : `policies ${applicable.join(', ')} (in order)`}`);
  lines.push(`limits:   ${describeLimits(d.limits)}`);
  for (const h of d.shadow ?? []) lines.push(`shadow:   ${h.policy ?? ''}/${h.rule ?? ''} would have decided ${h.action} (${h.reason}); not enforced`);
  for (const n of notes) lines.push(`note:     ${n}`);
  return `${lines.join('\n')}\n`;
}

function describeLimits(l: RuleLimits | undefined): string {
  if (l === undefined) return 'none from this rule';
  const parts: string[] = [];
  const b = l.bandwidth;
  if (b !== undefined) {
    for (const k of ['up', 'down', 'total'] as const) {
      const v = b[k];
      if (v !== undefined) parts.push(`bandwidth ${k} ${formatQuantity(v)}B/s (${v} bytes/s)`);
    }
  }
  if (l.maxConnections !== undefined) parts.push(`maxConnections ${l.maxConnections}`);
  return `${parts.join(', ')} — per user, shared by all of the user's sessions under this rule`;
}

function bad(problems: readonly string[]): number {
  process.stderr.write(`${problems.map((p) => `sockscale explain: ${p}`).join('\n')}\nRun "sockscale explain --help" for usage.\n`);
  return 2;
}
