/** Settings of the admin-API client commands: `sockscale apply|delete|get`. */
import { readFileSync } from 'node:fs';
import { ConfigError } from '@sockscale/common';
import { formatHostPort, parseDuration, parseHostPort } from './parse-values';
import { SettingsReader, type Setting } from './settings-reader';

export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface ClientConfig {
  /** `host:port` of a control-plane replica's gRPC port. */
  server: string;
  token: string | undefined;
  tls: { ca: string; cert?: string; key?: string } | undefined;
  timeoutMs: number;
  files: string[];
  output: OutputFormat;
  dryRun: boolean;
  /** Positional arguments (e.g. `get policies`). */
  args: string[];
}

export const CLIENT_SETTINGS = [
  { flag: 'server', env: 'SOCKSCALE_SERVER', default: '127.0.0.1:9090', help: 'Control-plane gRPC HOST:PORT.' },
  { flag: 'token', env: 'SOCKSCALE_TOKEN', default: '(none)', help: 'Admin bearer token (prefer the env variable or --token-file: flags show in ps).' },
  { flag: 'token-file', env: 'SOCKSCALE_TOKEN_FILE', default: '(none)', help: 'File holding the admin bearer token.' },
  { flag: 'tls-ca', env: 'SOCKSCALE_TLS_CA', default: '(plain TCP)', help: 'CA (PEM) that signed the control plane certificate: use TLS.' },
  { flag: 'tls-cert', env: 'SOCKSCALE_TLS_CERT', default: '(none)', help: 'Client certificate (PEM) for mTLS.' },
  { flag: 'tls-key', env: 'SOCKSCALE_TLS_KEY', default: '(none)', help: 'Client key (PEM) for mTLS.' },
  { flag: 'timeout', env: 'SOCKSCALE_TIMEOUT', default: '10s', help: 'Deadline of the call.' },
  { flag: 'filename', short: 'f', env: 'SOCKSCALE_FILENAME', default: '(none)', help: 'apply/delete: policy YAML file or directory; repeatable.', multiple: true },
  { flag: 'output', short: 'o', env: 'SOCKSCALE_OUTPUT', default: 'table', help: `get: one of ${OUTPUT_FORMATS.join(', ')}.` },
  { flag: 'dry-run', env: 'SOCKSCALE_DRY_RUN', default: 'false', help: 'apply: validate on the server, store nothing.', boolean: true },
] as const satisfies readonly Setting[];

const S = Object.fromEntries(CLIENT_SETTINGS.map((s) => [s.flag, s])) as Record<(typeof CLIENT_SETTINGS)[number]['flag'], Setting>;

export function parseClientConfig(argv: readonly string[], env: NodeJS.ProcessEnv): ClientConfig {
  const r = new SettingsReader(CLIENT_SETTINGS, argv, env, { allowPositionals: true });
  const server = r.get(S.server, parseHostPort) ?? { host: '127.0.0.1', port: 9090 };
  const read = (s: Setting): string | undefined =>
    r.get(s, (path) => {
      try {
        return { v: readFileSync(path, 'utf8') };
      } catch (err) {
        return `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
      }
    })?.v;
  let token = r.raw(S.token)?.value;
  const fromFile = read(S['token-file'])?.trim();
  if (token !== undefined && fromFile !== undefined) r.problem(S.token, 'give --token or --token-file, not both');
  token ??= fromFile;
  const ca = r.get(S['tls-ca'], (p) => ({ v: p }))?.v;
  const cert = r.get(S['tls-cert'], (p) => ({ v: p }))?.v;
  const key = r.get(S['tls-key'], (p) => ({ v: p }))?.v;
  let tls: ClientConfig['tls'];
  if ((cert === undefined) !== (key === undefined)) r.problem(S['tls-cert'], '--tls-cert and --tls-key go together');
  if (ca !== undefined) tls = cert !== undefined && key !== undefined ? { ca, cert, key } : { ca };
  else if (cert !== undefined) r.problem(S['tls-ca'], 'a client certificate needs --tls-ca too');
  const timeoutMs = r.get(S.timeout, parseDuration) ?? 10_000;
  if (timeoutMs === 0) r.problem(S.timeout, 'must be positive');
  const output = r.get(S.output, (s) => ((OUTPUT_FORMATS as readonly string[]).includes(s) ? { v: s as OutputFormat } : `"${s}" is not one of ${OUTPUT_FORMATS.join(', ')}`))?.v ?? 'table';
  if (r.issues.length > 0) throw new ConfigError(r.issues);
  return { server: formatHostPort(server.host, server.port), token, tls, timeoutMs, files: r.list(S.filename), output, dryRun: r.flag(S['dry-run']), args: r.positionals };
}
