/**
 * `sockscale serve` settings for getting policy from a control plane instead of files. Kept in
 * their own table so serve-config.ts only merges them.
 */
import { hostname } from 'node:os';
import type { ValidationIssue } from '@sockscale/common';
import { formatHostPort, parseDuration, parseHostPort, parsePositiveInt } from './parse-values';
import { SettingsReader, type Setting } from './settings-reader';

export const INITIAL_POLICY_MODES = ['wait', 'fail', 'deny-all'] as const;
export type InitialPolicyMode = (typeof INITIAL_POLICY_MODES)[number];

export interface DiscoveryConfig {
  /** `host:port` of each replica. */
  addresses: string[];
  nodeId: string;
  initialPolicy: InitialPolicyMode;
  initialPolicyTimeoutMs: number;
  maxPolicyRules: number;
  tls: { ca: string; cert?: string; key?: string } | undefined;
}

export const DISCOVERY_SETTINGS = [
  { flag: 'control-plane', env: 'SOCKSCALE_CONTROL_PLANE', default: '(policy from files)', help: 'Get policy from control-plane replicas HOST:PORT[,HOST:PORT] instead of --policy.' },
  { flag: 'initial-policy', env: 'SOCKSCALE_INITIAL_POLICY', default: 'wait', help: `Until the first snapshot: wait (not listening, not ready), fail (exit 1 after the timeout), deny-all (after the timeout, listen and deny everything).` },
  { flag: 'initial-policy-timeout', env: 'SOCKSCALE_INITIAL_POLICY_TIMEOUT', default: '30s', help: 'How long fail/deny-all wait for the first snapshot.' },
  { flag: 'node-id', env: 'SOCKSCALE_NODE_ID', default: 'HOSTNAME-PID', help: 'Identity reported to the control plane (use the pod name).' },
  { flag: 'max-policy-rules', env: 'SOCKSCALE_MAX_POLICY_RULES', default: '100000', help: 'Snapshots with more rules than this are NACKed (memory guard for small proxies).' },
  { flag: 'control-plane-ca', env: 'SOCKSCALE_CONTROL_PLANE_CA', default: '(plain TCP)', help: 'CA (PEM) of the control plane certificate: use TLS.' },
  { flag: 'control-plane-cert', env: 'SOCKSCALE_CONTROL_PLANE_CERT', default: '(none)', help: 'Client certificate (PEM) for mTLS to the control plane.' },
  { flag: 'control-plane-key', env: 'SOCKSCALE_CONTROL_PLANE_KEY', default: '(none)', help: 'Client key (PEM) for mTLS.' },
] as const satisfies readonly Setting[];

const S = Object.fromEntries(DISCOVERY_SETTINGS.map((s) => [s.flag, s])) as Record<(typeof DISCOVERY_SETTINGS)[number]['flag'], Setting>;

/** Reads the discovery settings out of serve's argv (other flags are serve's business). */
export function parseDiscoveryConfig(argv: readonly string[], env: NodeJS.ProcessEnv): { config: DiscoveryConfig | undefined; issues: ValidationIssue[] } {
  const r = new SettingsReader(DISCOVERY_SETTINGS, argv, env, { strict: false, allowPositionals: true });
  const addresses = r.get(S['control-plane'], (s) => {
    const out: string[] = [];
    for (const part of s.split(',').map((x) => x.trim()).filter((x) => x !== '')) {
      const hp = parseHostPort(part);
      if (typeof hp === 'string') return hp;
      out.push(formatHostPort(hp.host, hp.port));
    }
    return out.length === 0 ? 'no address given' : { v: out };
  })?.v;
  const initialPolicy = r.get(S['initial-policy'], (s) => ((INITIAL_POLICY_MODES as readonly string[]).includes(s) ? { v: s as InitialPolicyMode } : `"${s}" is not one of ${INITIAL_POLICY_MODES.join(', ')}`))?.v ?? 'wait';
  const initialPolicyTimeoutMs = r.get(S['initial-policy-timeout'], parseDuration) ?? 30_000;
  const nodeId = r.get(S['node-id'], (s) => (s.length > 253 ? 'at most 253 characters' : { v: s }))?.v ?? `${hostname()}-${process.pid}`;
  const maxPolicyRules = r.get(S['max-policy-rules'], parsePositiveInt) ?? 100_000;
  const ca = r.raw(S['control-plane-ca'])?.value;
  const cert = r.raw(S['control-plane-cert'])?.value;
  const key = r.raw(S['control-plane-key'])?.value;
  let tls: DiscoveryConfig['tls'];
  if ((cert === undefined) !== (key === undefined)) r.problem(S['control-plane-cert'], '--control-plane-cert and --control-plane-key go together');
  if (ca !== undefined) tls = cert !== undefined && key !== undefined ? { ca, cert, key } : { ca };
  else if (cert !== undefined) r.problem(S['control-plane-ca'], 'a client certificate needs --control-plane-ca too');
  // parseArgs in non-strict mode reports nothing about serve's own flags; its issues are ours.
  const issues = r.issues.filter((i) => i.path !== 'flags');
  if (addresses === undefined) return { config: undefined, issues };
  return { config: { addresses, nodeId, initialPolicy, initialPolicyTimeoutMs, maxPolicyRules, tls }, issues };
}
