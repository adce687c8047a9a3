/** Small value parsers for flags and environment variables; each returns a value or an error message. */

export interface HostPort {
  host: string;
  port: number;
}

/** `HOST:PORT`, `[v6]:PORT`, or `:PORT` (all interfaces is not the default: say 0.0.0.0). */
export function parseHostPort(s: string): HostPort | string {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]*)):(\d{1,5})$/.exec(s);
  if (m === null) return `"${s}" is not HOST:PORT (IPv6 as [addr]:port)`;
  const host = m[1] ?? m[2] ?? '';
  const port = Number(m[3]);
  if (port > 65535) return `port ${port} is out of range 0-65535`;
  if (host === '') return `"${s}" has no host; use 0.0.0.0:${port} or [::]:${port} to listen on all interfaces`;
  return { host, port };
}

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `250ms`, `10s`, `5m`, `1h`, or `0` (disabled). */
export function parseDuration(s: string): number | string {
  if (s === '0') return 0;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(s);
  if (m === null) return `"${s}" is not a duration (examples: 500ms, 10s, 5m, 1h, 0)`;
  return Math.round(Number(m[1]) * (UNIT_MS[m[2] as string] as number));
}

export function parsePositiveInt(s: string): number | string {
  if (!/^\d+$/.test(s) || Number(s) < 1 || !Number.isSafeInteger(Number(s))) return `"${s}" is not a positive integer`;
  return Number(s);
}

export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
