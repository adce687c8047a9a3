/**
 * Checks of what proxies send to the registry: each problem is a message naming the field, and
 * the gRPC service answers INVALID_ARGUMENT with all of them.
 */
import { normalizeIp } from '@sockscale/common';
import type { AssociationRecord, EndpointRecord, RelayRecord } from './relay-types';

const ID_RE = /^[A-Za-z0-9._:-]{1,253}$/;
export const RELAY_MODES = ['per-pod', 'shared'] as const;
export const MIN_TTL_SECONDS = 2;
export const MAX_TTL_SECONDS = 300;
const MAX_ENDPOINTS = 16;
const MAX_USER = 256;

interface EndpointIn {
  host?: string;
  port?: number;
}

function endpoint(path: string, e: EndpointIn | null | undefined, problems: string[], opts: { portZeroOk: boolean; ipOnly: boolean }): EndpointRecord {
  const host = e?.host ?? '';
  const port = e?.port ?? 0;
  if (host === '' || host.length > 253) problems.push(`${path}.host: required, at most 253 characters`);
  else if (opts.ipOnly && normalizeIp(host) === undefined) problems.push(`${path}.host: "${host}" is not an IP address`);
  if (!Number.isInteger(port) || port < 0 || port > 65535 || (!opts.portZeroOk && port === 0)) problems.push(`${path}.port: ${String(port)} is not a port${opts.portZeroOk ? '' : ' 1-65535'}`);
  return { host: opts.ipOnly ? (normalizeIp(host) ?? host) : host, port };
}

export function checkId(path: string, id: string | undefined, problems: string[]): string {
  const v = id ?? '';
  if (!ID_RE.test(v)) problems.push(`${path}: "${v.slice(0, 80)}" must be 1-253 characters of A-Z a-z 0-9 . _ : -`);
  return v;
}

export function checkRelay(r: { id?: string; mode?: string; advertised?: EndpointIn[]; internal?: EndpointIn | null } | null | undefined, problems: string[]): RelayRecord {
  if (r === null || r === undefined) {
    problems.push('relay: required');
    return { id: '', mode: '', advertised: [], internal: { host: '', port: 0 } };
  }
  const id = checkId('relay.id', r.id, problems);
  const mode = r.mode ?? '';
  if (!(RELAY_MODES as readonly string[]).includes(mode)) problems.push(`relay.mode: "${mode}" is not one of ${RELAY_MODES.join(', ')}`);
  const adv = r.advertised ?? [];
  if (adv.length === 0 || adv.length > MAX_ENDPOINTS) problems.push(`relay.advertised: 1-${MAX_ENDPOINTS} endpoints required, got ${adv.length}`);
  const advertised = adv.slice(0, MAX_ENDPOINTS).map((e, i) => endpoint(`relay.advertised[${i}]`, e, problems, { portZeroOk: false, ipOnly: false }));
  const internal = endpoint('relay.internal', r.internal, problems, { portZeroOk: false, ipOnly: false });
  return { id, mode, advertised, internal };
}

export function checkAssociation(
  a: { id?: string; owner?: string; user?: string; client?: EndpointIn | null; expected?: EndpointIn | null; createdUnixMs?: number | string | object } | null | undefined,
  problems: string[],
): AssociationRecord {
  if (a === null || a === undefined) {
    problems.push('association: required');
    return { id: '', owner: '', user: '', client: { host: '', port: 0 }, expected: { host: '', port: 0 }, createdUnixMs: 0 };
  }
  const id = checkId('association.id', a.id, problems);
  const owner = checkId('association.owner', a.owner, problems);
  const user = a.user ?? '';
  if (user.length > MAX_USER) problems.push(`association.user: at most ${MAX_USER} characters`);
  const client = endpoint('association.client', a.client, problems, { portZeroOk: true, ipOnly: true });
  const expected = a.expected === null || a.expected === undefined ? { host: '0.0.0.0', port: 0 } : endpoint('association.expected', a.expected, problems, { portZeroOk: true, ipOnly: false });
  const created = Number(a.createdUnixMs ?? 0);
  return { id, owner, user, client, expected, createdUnixMs: Number.isSafeInteger(created) && created > 0 ? created : Date.now() };
}

export function checkTtl(ttl: number | undefined, problems: string[]): number {
  const v = ttl ?? 0;
  if (!Number.isInteger(v) || v < MIN_TTL_SECONDS || v > MAX_TTL_SECONDS) problems.push(`ttl_seconds: ${String(v)} is not in ${MIN_TTL_SECONDS}-${MAX_TTL_SECONDS}`);
  return v;
}

export function checkLeaseId(id: string | undefined, problems: string[]): string {
  const v = id ?? '';
  if (!/^\d{1,20}$/.test(v)) problems.push(`lease_id: "${v.slice(0, 40)}" is not a lease id`);
  return v;
}
