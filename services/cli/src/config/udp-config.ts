/**
 * `sockscale serve` settings for UDP ASSOCIATE behind load balancers (README "UDP behind load
 * balancers"). Kept in their own table so serve-config.ts only merges them.
 */
import { normalizeIp, type ValidationIssue } from '@sockscale/common';
import { parseDuration, parseHostPort, type HostPort } from './parse-values';
import { SettingsReader, type Setting } from './settings-reader';

export const UDP_MODES = ['per-association', 'per-pod', 'shared'] as const;
export type UdpMode = (typeof UDP_MODES)[number];

export interface UdpConfig {
  mode: UdpMode;
  /** Relay port (per-pod, shared). */
  listen?: HostPort;
  /** Named in replies; port 0 = the bound port. */
  advertise?: HostPort;
  leaseTtlSeconds: number;
}

export const UDP_SETTINGS = [
  { flag: 'udp-mode', env: 'SOCKSCALE_UDP_MODE', default: 'per-association (per-pod with --udp-listen)', help: `One of ${UDP_MODES.join(', ')}: a socket per association, one relay port per proxy, or one address shared by all proxies (needs --control-plane).` },
  { flag: 'udp-listen', env: 'SOCKSCALE_UDP_LISTEN', default: '(none)', help: 'Relay port HOST:PORT for per-pod and shared modes.' },
  { flag: 'udp-advertise', env: 'SOCKSCALE_UDP_ADVERTISE', default: 'the --udp-listen address', help: 'IP:PORT named in UDP ASSOCIATE replies (node IP + hostPort, per-pod Service, or the shared Service); port 0 = the bound port.' },
  { flag: 'udp-lease-ttl', env: 'SOCKSCALE_UDP_LEASE_TTL', default: '10s', help: 'Relay registry lease (2s-300s, whole seconds): how long a dead proxy\'s associations outlive it.' },
] as const satisfies readonly Setting[];

const S = Object.fromEntries(UDP_SETTINGS.map((s) => [s.flag, s])) as Record<(typeof UDP_SETTINGS)[number]['flag'], Setting>;

export function parseUdpConfig(argv: readonly string[], env: NodeJS.ProcessEnv, hasControlPlane: boolean): { config: UdpConfig; issues: ValidationIssue[] } {
  const r = new SettingsReader(UDP_SETTINGS, argv, env, { strict: false, allowPositionals: true });
  const listen = r.get(S['udp-listen'], parseHostPort);
  const advertiseRaw = r.get(S['udp-advertise'], (s) => {
    const hp = parseHostPort(s);
    if (typeof hp === 'string') return hp;
    const ip = normalizeIp(hp.host);
    if (ip === undefined) return `"${hp.host}" is not an IP address (replies name an IP)`;
    if (ip === '0.0.0.0' || ip === '::') return `${hp.host} cannot be advertised: clients need a reachable address`;
    return { host: ip, port: hp.port };
  });
  const modeSetting = r.get(S['udp-mode'], (s) => ((UDP_MODES as readonly string[]).includes(s) ? { v: s as UdpMode } : `"${s}" is not one of ${UDP_MODES.join(', ')}`));
  const mode: UdpMode = modeSetting?.v ?? (listen !== undefined ? 'per-pod' : 'per-association');
  const ttl = r.get(S['udp-lease-ttl'], (s) => {
    const ms = parseDuration(s);
    if (typeof ms === 'string') return ms;
    if (ms % 1000 !== 0 || ms < 2000 || ms > 300_000) return `"${s}" must be whole seconds from 2s to 300s`;
    return ms / 1000;
  });
  const config: UdpConfig = { mode, leaseTtlSeconds: ttl ?? 10 };
  if (mode === 'per-association') {
    if (listen !== undefined || advertiseRaw !== undefined) r.problem(S['udp-listen'], '--udp-listen/--udp-advertise need --udp-mode per-pod or shared');
  } else {
    if (listen === undefined && r.raw(S['udp-listen']) === undefined) r.problem(S['udp-listen'], `--udp-mode ${mode} needs --udp-listen HOST:PORT`);
    if (mode === 'shared' && !hasControlPlane) r.problem(S['udp-mode'], '--udp-mode shared needs --control-plane (the relay registry)');
    if (listen !== undefined) {
      config.listen = listen;
      let advertise = advertiseRaw;
      if (advertise === undefined && r.raw(S['udp-advertise']) === undefined) {
        const ip = normalizeIp(listen.host);
        if (ip === undefined || ip === '0.0.0.0' || ip === '::') r.problem(S['udp-advertise'], `--udp-listen ${listen.host} is not an address clients can use: give --udp-advertise IP:PORT`);
        else advertise = { host: ip, port: listen.port };
      }
      if (advertise !== undefined) config.advertise = advertise;
    }
  }
  return { config, issues: r.issues.filter((i) => i.path !== 'flags') };
}
