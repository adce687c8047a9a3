/** `sockscale control` settings (flags win over the environment; README copies this table). */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { ConfigError, LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from '@sockscale/common';
import { formatHostPort, parseDuration, parseHostPort, type HostPort } from './parse-values';
import { SettingsReader, type Setting } from './settings-reader';

export type StoreConfig = { kind: 'etcd'; endpoints: string[] } | { kind: 'memory' } | { kind: 'file'; path: string };

export interface KubeSettings {
  access: { kind: 'kubeconfig'; path: string } | { kind: 'in-cluster' };
  /** Namespace whose CRs and Secrets are watched; undefined = all namespaces. */
  namespace: string | undefined;
  leaseNamespace: string;
  leaseName: string;
  identity: string;
  /** SocksQuota usage in status: at most one ledger read and one write per object per this many ms. */
  quotaStatusIntervalMs: number;
}

export interface ControlConfig {
  store: StoreConfig;
  /** gRPC listen address for grpc-js, e.g. `127.0.0.1:9090`. */
  grpc: string;
  admin: HostPort | null;
  adminToken: string | undefined;
  adminCertCNs: string[];
  tls: { cert: string; key: string; clientCa?: string } | undefined;
  holdOffMs: number;
  maxDelayMs: number;
  /** The Kubernetes controller (leader only), or undefined without --kubeconfig/--in-cluster. */
  kube: KubeSettings | undefined;
  /** Quota grant TTL: a proxy lease not renewed for this long is settled as used. */
  grantTtlMs: number;
  /** etcd lease TTL of this replica's proxy status records. */
  proxyStatusTtlMs: number;
  logLevel: LogLevel;
  logFormat: LogFormat;
}

export const CONTROL_SETTINGS = [
  { flag: 'etcd', env: 'SOCKSCALE_ETCD', default: '(none)', help: 'etcd endpoints URL[,URL] (http://127.0.0.1:2379). One of --etcd or --store.' },
  { flag: 'store', env: 'SOCKSCALE_STORE', default: '(none)', help: 'Instead of etcd: "memory" or "file:PATH" (one machine, one replica).' },
  { flag: 'grpc', env: 'SOCKSCALE_GRPC', default: '127.0.0.1:9090', help: 'gRPC listener HOST:PORT (discovery, admin API, health).' },
  { flag: 'admin', env: 'SOCKSCALE_ADMIN', default: '127.0.0.1:9091', help: 'Admin HTTP (/metrics, /healthz, /readyz) HOST:PORT, or "off".' },
  { flag: 'admin-token-file', env: 'SOCKSCALE_ADMIN_TOKEN_FILE', default: '(admin API disabled)', help: 'File holding the bearer token the admin API requires.' },
  { flag: 'admin-cert-cn', env: 'SOCKSCALE_ADMIN_CERT_CN', default: '(none)', help: 'With mTLS: client certificate CNs accepted as admin credentials (comma-separated).' },
  { flag: 'tls-cert', env: 'SOCKSCALE_TLS_CERT', default: '(plain TCP)', help: 'Server certificate (PEM) for the gRPC port; needs --tls-key.' },
  { flag: 'tls-key', env: 'SOCKSCALE_TLS_KEY', default: '(none)', help: 'Server private key (PEM).' },
  { flag: 'tls-client-ca', env: 'SOCKSCALE_TLS_CLIENT_CA', default: '(no client certs)', help: 'CA (PEM) client certificates must chain to: mTLS for proxies and admin clients.' },
  { flag: 'hold-off', env: 'SOCKSCALE_HOLD_OFF', default: '20ms', help: 'Batch store changes: wait this long after the last one.' },
  { flag: 'proxy-status-ttl', env: 'SOCKSCALE_PROXY_STATUS_TTL', default: '15s', help: "etcd lease TTL of this replica's proxy ACK records: after a replica dies, its proxies leave `get proxies` this much later." },
  { flag: 'grant-ttl', env: 'SOCKSCALE_GRANT_TTL', default: '10s', help: 'Quota grant TTL: a proxy that has not reported for this long has its unspent grant settled as used.' },
  { flag: 'max-delay', env: 'SOCKSCALE_MAX_DELAY', default: '200ms', help: 'Batch store changes: publish at most this long after the first one.' },
  { flag: 'kubeconfig', env: 'SOCKSCALE_KUBECONFIG', default: '(no controller)', help: 'Run the Kubernetes controller (leader only) with this kubeconfig file.' },
  { flag: 'in-cluster', env: 'SOCKSCALE_K8S_IN_CLUSTER', default: 'false', boolean: true, help: 'Run the Kubernetes controller with the pod\'s service account.' },
  { flag: 'namespace', env: 'SOCKSCALE_K8S_WATCH_NAMESPACE', default: '(all namespaces)', help: 'Watch SocksPolicy/SocksUser/Secrets in this namespace only.' },
  { flag: 'lease-namespace', env: 'SOCKSCALE_POD_NAMESPACE', default: '--namespace, else "default"', help: 'Namespace of the leader-election Lease.' },
  { flag: 'lease-name', env: 'SOCKSCALE_K8S_LEASE_NAME', default: 'sockscale-control-leader', help: 'Name of the leader-election Lease (coordination.k8s.io).' },
  { flag: 'identity', env: 'SOCKSCALE_POD_NAME', default: 'hostname_pid', help: 'This replica\'s name in the Lease (holderIdentity).' },
  { flag: 'quota-status-interval', env: 'SOCKSCALE_K8S_QUOTA_STATUS_INTERVAL', default: '10s', help: 'SocksQuota status: read the quota ledger and write an object\'s usage at most this often (only when a value changed).' },
  { flag: 'log-level', env: 'SOCKSCALE_LOG_LEVEL', default: 'info', help: `One of ${LOG_LEVELS.join(', ')}.` },
  { flag: 'log-format', env: 'SOCKSCALE_LOG_FORMAT', default: 'pretty on a terminal, else json', help: `One of ${LOG_FORMATS.join(', ')}.` },
] as const satisfies readonly Setting[];

const S = Object.fromEntries(CONTROL_SETTINGS.map((s) => [s.flag, s])) as Record<(typeof CONTROL_SETTINGS)[number]['flag'], Setting>;

export function parseEtcdEndpoints(s: string): string[] | string {
  const urls = s.split(',').map((x) => x.trim()).filter((x) => x !== '');
  if (urls.length === 0) return 'no endpoints given';
  for (const u of urls) {
    let url: URL;
    try {
      url = new URL(u);
    } catch {
      return `"${u}" is not a URL (example: http://127.0.0.1:2379)`;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return `"${u}": scheme must be http or https`;
    if (url.port === '') return `"${u}" has no port (etcd listens on 2379 by default)`;
  }
  return urls;
}

function readableFile(path: string): { v: string } | string {
  try {
    readFileSync(path);
    return { v: path };
  } catch (err) {
    return `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
  }
}

export function parseControlConfig(argv: readonly string[], env: NodeJS.ProcessEnv, stdoutIsTty: boolean): ControlConfig {
  const r = new SettingsReader(CONTROL_SETTINGS, argv, env);
  const endpoints = r.get(S.etcd, parseEtcdEndpoints);
  const storeFlag = r.get(S.store, (s): { v: StoreConfig } | string => {
    if (s === 'memory') return { v: { kind: 'memory' } };
    if (s.startsWith('file:') && s.length > 5) return { v: { kind: 'file', path: s.slice(5) } };
    return `"${s}" is not "memory" or "file:PATH"`;
  });
  let store: StoreConfig = { kind: 'memory' };
  if (endpoints !== undefined && storeFlag !== undefined) r.problem(S.store, 'give either --etcd or --store, not both');
  else if (endpoints !== undefined) store = { kind: 'etcd', endpoints };
  else if (storeFlag !== undefined) store = storeFlag.v;
  else if (r.raw(S.etcd) === undefined && r.raw(S.store) === undefined) r.problem(S.etcd, 'a store is required: --etcd URL[,URL] or --store memory|file:PATH');

  const grpcAddr = r.get(S.grpc, parseHostPort) ?? { host: '127.0.0.1', port: 9090 };
  const admin = r.get(S.admin, (s) => {
    if (s === 'off') return { v: null };
    const hp = parseHostPort(s);
    return typeof hp === 'string' ? `${hp}, or "off"` : { v: hp };
  });
  const tokenFile = r.get(S['admin-token-file'], readableFile);
  let adminToken: string | undefined;
  if (tokenFile !== undefined) {
    adminToken = readFileSync(tokenFile.v, 'utf8').trim();
    if (adminToken.length < 16) r.problem(S['admin-token-file'], `${tokenFile.v}: the token must be at least 16 characters`);
  }
  const cert = r.get(S['tls-cert'], readableFile);
  const key = r.get(S['tls-key'], readableFile);
  const clientCa = r.get(S['tls-client-ca'], readableFile);
  let tls: ControlConfig['tls'];
  if ((cert === undefined) !== (key === undefined)) r.problem(S['tls-cert'], '--tls-cert and --tls-key go together');
  else if (cert !== undefined && key !== undefined) tls = clientCa === undefined ? { cert: cert.v, key: key.v } : { cert: cert.v, key: key.v, clientCa: clientCa.v };
  if (clientCa !== undefined && cert === undefined) r.problem(S['tls-client-ca'], 'mTLS needs a server certificate too (--tls-cert, --tls-key)');
  const adminCertCNs = r.get(S['admin-cert-cn'], (v) => ({ v: v.split(',').map((x) => x.trim()).filter((x) => x !== '') }))?.v ?? [];
  if (adminCertCNs.length > 0 && clientCa === undefined) r.problem(S['admin-cert-cn'], 'client certificates need mTLS (--tls-client-ca)');
  const holdOffMs = r.get(S['hold-off'], parseDuration) ?? 20;
  const maxDelayMs = r.get(S['max-delay'], parseDuration) ?? 200;
  const grantTtlMs = r.get(S['grant-ttl'], parseDuration) ?? 10_000;
  const proxyStatusTtlMs = r.get(S['proxy-status-ttl'], parseDuration) ?? 15_000;
  if (proxyStatusTtlMs < 2000 || proxyStatusTtlMs % 1000 !== 0) r.problem(S['proxy-status-ttl'], 'must be whole seconds, at least 2s (an etcd lease TTL)');
  if (grantTtlMs < 1000) r.problem(S['grant-ttl'], 'must be at least 1s (proxies report about once a second)');
  if (maxDelayMs < holdOffMs) r.problem(S['max-delay'], `must be at least --hold-off (${holdOffMs} ms)`);
  const kubeconfig = r.get(S.kubeconfig, readableFile);
  const inCluster = r.flag(S['in-cluster']);
  let kube: KubeSettings | undefined;
  const dnsName = (what: string) => (v: string): { v: string } | string =>
    /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(v) ? { v } : `"${v}" is not a valid ${what} (lower-case letters, digits, "-" and ".")`;
  const namespace = r.get(S.namespace, dnsName('namespace'))?.v;
  const leaseNamespace = r.get(S['lease-namespace'], dnsName('namespace'))?.v;
  const leaseName = r.get(S['lease-name'], dnsName('Lease name'))?.v ?? 'sockscale-control-leader';
  const identity = r.get(S.identity, (v) => ({ v }))?.v ?? `${hostname()}_${process.pid}`;
  const quotaStatusIntervalMs = r.get(S['quota-status-interval'], parseDuration) ?? 10_000;
  if (quotaStatusIntervalMs < 1000) r.problem(S['quota-status-interval'], 'must be at least 1s (proxies report usage about once a second)');
  if (kubeconfig !== undefined && inCluster) r.problem(S['in-cluster'], 'give either --kubeconfig or --in-cluster, not both');
  else if (kubeconfig !== undefined || inCluster) {
    kube = {
      access: kubeconfig !== undefined ? { kind: 'kubeconfig', path: kubeconfig.v } : { kind: 'in-cluster' },
      namespace,
      leaseNamespace: leaseNamespace ?? namespace ?? 'default',
      leaseName,
      identity,
      quotaStatusIntervalMs,
    };
  }
  const oneOf =
    <T extends string>(allowed: readonly T[]) =>
    (s: string): { v: T } | string =>
      (allowed as readonly string[]).includes(s) ? { v: s as T } : `"${s}" is not one of ${allowed.join(', ')}`;
  const logLevel = r.get(S['log-level'], oneOf(LOG_LEVELS))?.v ?? 'info';
  const logFormat = r.get(S['log-format'], oneOf(LOG_FORMATS))?.v ?? (stdoutIsTty ? 'pretty' : 'json');
  if (r.issues.length > 0) throw new ConfigError(r.issues);
  return {
    store,
    grpc: formatHostPort(grpcAddr.host, grpcAddr.port),
    admin: admin === undefined ? { host: '127.0.0.1', port: 9091 } : admin.v,
    adminToken,
    adminCertCNs,
    tls,
    holdOffMs,
    maxDelayMs,
    kube,
    grantTtlMs,
    proxyStatusTtlMs,
    logLevel,
    logFormat,
  };
}
