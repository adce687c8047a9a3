import { parseArgs } from 'node:util';
import { ConfigError, LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel, type ValidationIssue } from '@sockscale/common';
import type { ProxyOptions } from '@sockscale/proxy';
import { DISCOVERY_SETTINGS, parseDiscoveryConfig, type DiscoveryConfig } from './discovery-config';
import { parseDuration, parseHostPort, parsePositiveInt, type HostPort } from './parse-values';

export interface ServeConfig {
  policyPaths: string[];
  listen: HostPort;
  admin: HostPort | null;
  logLevel: LogLevel;
  logFormat: LogFormat;
  proxy: Partial<ProxyOptions>;
  /** Policy from control-plane replicas instead of files (discovery-config.ts). */
  controlPlane?: DiscoveryConfig;
}

/**
 * Every `serve` setting: flag, environment variable, default. Flags win over the environment.
 * This table is the reference printed by `sockscale serve --help` and copied in the README.
 */
export const SERVE_SETTINGS = [
  { flag: 'policy', env: 'SOCKSCALE_POLICY', default: '(required)', help: 'Policy YAML file or directory; repeatable (env: comma-separated).' },
  { flag: 'listen', env: 'SOCKSCALE_LISTEN', default: '127.0.0.1:1080', help: 'SOCKS5 listener HOST:PORT.' },
  { flag: 'admin', env: 'SOCKSCALE_ADMIN', default: '127.0.0.1:9080', help: 'Admin HTTP (/metrics, /healthz, /readyz) HOST:PORT, or "off".' },
  { flag: 'log-level', env: 'SOCKSCALE_LOG_LEVEL', default: 'info', help: `One of ${LOG_LEVELS.join(', ')}.` },
  { flag: 'log-format', env: 'SOCKSCALE_LOG_FORMAT', default: 'pretty on a terminal, else json', help: `One of ${LOG_FORMATS.join(', ')}.` },
  { flag: 'handshake-timeout', env: 'SOCKSCALE_HANDSHAKE_TIMEOUT', default: '10s', help: 'Deadline for greeting, authentication and request.' },
  { flag: 'connect-timeout', env: 'SOCKSCALE_CONNECT_TIMEOUT', default: '10s', help: 'Deadline for DNS + outbound connect (expiry replies 0x06).' },
  { flag: 'idle-timeout', env: 'SOCKSCALE_IDLE_TIMEOUT', default: '10m', help: 'Close sessions with no traffic for this long; 0 disables.' },
  { flag: 'bind-timeout', env: 'SOCKSCALE_BIND_TIMEOUT', default: '60s', help: 'How long BIND waits for the incoming connection.' },
  { flag: 'drain-timeout', env: 'SOCKSCALE_DRAIN_TIMEOUT', default: '30s', help: 'On SIGTERM, how long open sessions may finish.' },
  { flag: 'max-connections', env: 'SOCKSCALE_MAX_CONNECTIONS', default: '20000', help: 'Concurrent client connections; more are closed at once.' },
  { flag: 'protocol-peek-bytes', env: 'SOCKSCALE_PROTOCOL_PEEK_BYTES', default: '16389', help: 'Protocol detection: most client bytes read before deciding (a TLS record fits).' },
  { flag: 'protocol-peek-timeout', env: 'SOCKSCALE_PROTOCOL_PEEK_TIMEOUT', default: '1s', help: 'Protocol detection: wait this long for the client to speak, then decide "unknown".' },
] as const;

const DURATION_OPTION: Readonly<Record<string, keyof ProxyOptions>> = {
  'handshake-timeout': 'handshakeTimeoutMs',
  'connect-timeout': 'connectTimeoutMs',
  'idle-timeout': 'idleTimeoutMs',
  'bind-timeout': 'bindTimeoutMs',
  'drain-timeout': 'drainTimeoutMs',
  'protocol-peek-timeout': 'protocolPeekTimeoutMs',
};

/**
 * Reads flags and environment into a ServeConfig. Collects every problem and throws one
 * ConfigError listing them all, so a user fixes everything in one go.
 */
export function parseServeConfig(argv: readonly string[], env: NodeJS.ProcessEnv, stdoutIsTty: boolean): ServeConfig {
  const issues: ValidationIssue[] = [];
  const options: Record<string, { type: 'string'; multiple?: boolean }> = {};
  for (const s of [...SERVE_SETTINGS, ...DISCOVERY_SETTINGS]) options[s.flag] = s.flag === 'policy' ? { type: 'string', multiple: true } : { type: 'string' };
  let values: Record<string, string | string[] | undefined> = {};
  try {
    const parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false });
    values = parsed.values;
  } catch (err) {
    issues.push({ path: 'flags', message: (err as Error).message });
  }
  const get = (flag: string, envName: string): { value: string; source: string } | undefined => {
    const v = values[flag];
    if (typeof v === 'string') return { value: v, source: `--${flag}` };
    const e = env[envName];
    if (e !== undefined && e !== '') return { value: e, source: envName };
    return undefined;
  };
  /** Parses one setting; a parse error (a string) becomes an issue naming the flag or variable. */
  const check = <T>(flag: string, envName: string, parse: (s: string) => T | string): T | undefined => {
    const v = get(flag, envName);
    if (v === undefined) return undefined;
    const r = parse(v.value);
    if (typeof r === 'string') {
      issues.push({ path: v.source, message: r });
      return undefined;
    }
    return r;
  };
  const oneOf =
    <T extends string>(allowed: readonly T[]) =>
    (s: string): { v: T } | string =>
      (allowed as readonly string[]).includes(s) ? { v: s as T } : `"${s}" is not one of ${allowed.join(', ')}`;

  let policyPaths = (values.policy as string[] | undefined) ?? [];
  if (policyPaths.length === 0 && env.SOCKSCALE_POLICY !== undefined && env.SOCKSCALE_POLICY !== '') {
    policyPaths = env.SOCKSCALE_POLICY.split(',').map((p) => p.trim()).filter((p) => p !== '');
  }
  const discovery = parseDiscoveryConfig(argv, env);
  issues.push(...discovery.issues);
  if (discovery.config !== undefined && policyPaths.length > 0) issues.push({ path: '--policy', message: 'give --policy (files) or --control-plane, not both' });
  if (policyPaths.length === 0 && discovery.config === undefined && !discovery.issues.some((i) => i.path.includes('CONTROL_PLANE') || i.path === '--control-plane')) {
    issues.push({ path: '--policy', message: 'at least one policy file or directory is required (try examples/local.yaml), or --control-plane' });
  }

  const listen = check('listen', 'SOCKSCALE_LISTEN', parseHostPort) ?? { host: '127.0.0.1', port: 1080 };
  const admin = check('admin', 'SOCKSCALE_ADMIN', (s) => {
    if (s === 'off') return { v: null };
    const r = parseHostPort(s);
    return typeof r === 'string' ? `${r}, or "off"` : { v: r };
  });
  const logLevel = check('log-level', 'SOCKSCALE_LOG_LEVEL', oneOf(LOG_LEVELS))?.v ?? 'info';
  const logFormat = check('log-format', 'SOCKSCALE_LOG_FORMAT', oneOf(LOG_FORMATS))?.v ?? (stdoutIsTty ? 'pretty' : 'json');
  const proxy: Partial<ProxyOptions> = { listenHost: listen.host, listenPort: listen.port };
  for (const [flag, key] of Object.entries(DURATION_OPTION)) {
    const setting = SERVE_SETTINGS.find((s) => s.flag === flag);
    const v = check(flag, setting?.env ?? '', parseDuration);
    if (typeof v === 'number') (proxy as Record<string, number>)[key] = v;
  }
  const maxConn = check('max-connections', 'SOCKSCALE_MAX_CONNECTIONS', parsePositiveInt);
  if (typeof maxConn === 'number') proxy.maxConnections = maxConn;
  const peekBytes = check('protocol-peek-bytes', 'SOCKSCALE_PROTOCOL_PEEK_BYTES', (s) => {
    const n = parsePositiveInt(s);
    return typeof n === 'number' && (n < 64 || n > 1_048_576) ? `${n} is out of range 64-1048576` : n;
  });
  if (typeof peekBytes === 'number') proxy.protocolPeekBytes = peekBytes;
  if (proxy.protocolPeekTimeoutMs === 0) issues.push({ path: '--protocol-peek-timeout', message: 'must be greater than 0 (a server-first protocol waits this long)' });
  if (issues.length > 0) throw new ConfigError(issues);
  const config: ServeConfig = { policyPaths, listen, admin: admin === undefined ? { host: '127.0.0.1', port: 9080 } : admin.v, logLevel, logFormat, proxy };
  if (discovery.config !== undefined) config.controlPlane = discovery.config;
  return config;
}
