/**
 * `sockscale apply -f`, `sockscale delete -f | KIND NAME...`, `sockscale get policies|users|proxies`:
 * the admin API from the command line, with kubectl-like output. Exit codes: 0 done, 1 the
 * server or the files said no (every problem printed), 2 bad usage.
 */
import { stringify } from 'yaml';
import {
  API_GROUP,
  formatIssue,
  formatQuantity,
  fromEnvelope,
  loadPolicyPaths,
  objectKey,
  POLICY_KINDS,
  type ApplyResponse__Output,
  type DeleteResponse__Output,
  type ListProxiesResponse__Output,
  type ListResponse__Output,
  type PolicyObject,
} from '@sockscale/common';
import type { ClientConfig } from '../config';
import { adminClient, reportCallError, unary } from './admin-client';

const KIND_ALIASES: Readonly<Record<string, string>> = {
  policy: 'SocksPolicy',
  policies: 'SocksPolicy',
  sockspolicy: 'SocksPolicy',
  sockspolicies: 'SocksPolicy',
  user: 'SocksUser',
  users: 'SocksUser',
  socksuser: 'SocksUser',
  socksusers: 'SocksUser',
  quota: 'SocksQuota',
  quotas: 'SocksQuota',
  socksquota: 'SocksQuota',
  socksquotas: 'SocksQuota',
};

function resourceName(kind: string, name: string): string {
  return `${kind.toLowerCase()}.${API_GROUP}/${name}`;
}

async function loadFiles(cmd: string, files: readonly string[]): Promise<PolicyObject[] | number> {
  if (files.length === 0) {
    process.stderr.write(`sockscale ${cmd}: -f FILE|DIR is required\n`);
    return 2;
  }
  const { objects, issues } = await loadPolicyPaths([...files], { allowPlaintextPasswords: true });
  if (issues.length > 0) {
    process.stderr.write(`${issues.map(formatIssue).join('\n')}\nsockscale ${cmd}: ${issues.length} problem(s); nothing sent\n`);
    return 1;
  }
  if (objects.length === 0) {
    process.stderr.write(`sockscale ${cmd}: no objects in ${files.join(', ')}\n`);
    return 1;
  }
  return objects;
}

export async function applyCommand(config: ClientConfig): Promise<number> {
  const objects = await loadFiles('apply', config.files);
  if (typeof objects === 'number') return objects;
  const call = adminClient(config);
  try {
    const res = await unary<object, ApplyResponse__Output>(call.client.Apply.bind(call.client), call, {
      objectsJson: objects.map((o) => JSON.stringify(o)),
      sources: objects.map(objectKey),
      dryRun: config.dryRun,
    });
    const suffix = config.dryRun ? ' (server dry run)' : '';
    for (const r of res.results) process.stdout.write(`${resourceName(r.kind, r.name)} ${r.outcome}${suffix}\n`);
    return 0;
  } catch (err) {
    return reportCallError('apply', config.server, err);
  } finally {
    call.close();
  }
}

export async function deleteCommand(config: ClientConfig): Promise<number> {
  let refs: { kind: string; name: string }[];
  if (config.files.length > 0) {
    const objects = await loadFiles('delete', config.files);
    if (typeof objects === 'number') return objects;
    refs = objects.map((o) => ({ kind: o.kind, name: o.metadata.name }));
  } else {
    const [kindArg, ...names] = config.args;
    const kind = kindArg === undefined ? undefined : (KIND_ALIASES[kindArg.toLowerCase()] ?? (POLICY_KINDS as readonly string[]).find((k) => k === kindArg));
    if (kind === undefined || names.length === 0) {
      process.stderr.write('usage: sockscale delete -f FILE|DIR  |  sockscale delete policy|user NAME...\n');
      return 2;
    }
    refs = names.map((name) => ({ kind, name }));
  }
  const call = adminClient(config);
  try {
    const res = await unary<object, DeleteResponse__Output>(call.client.Delete.bind(call.client), call, { objects: refs });
    for (const r of res.results) process.stdout.write(`${resourceName(r.kind, r.name)} deleted\n`);
    return 0;
  } catch (err) {
    return reportCallError('delete', config.server, err);
  } finally {
    call.close();
  }
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd((widths[i] ?? 0) + 3))).join('').trimEnd()).join('\n') + '\n';
}

function age(ms: number): string {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.round(s / 60)}m` : `${Math.round(s / 3600)}h`;
}

export async function getCommand(config: ClientConfig): Promise<number> {
  const [what, ...names] = config.args;
  const usage = 'usage: sockscale get policies|users|proxies [NAME...] [-o table|json|yaml]\n';
  if (what === undefined) {
    process.stderr.write(usage);
    return 2;
  }
  const call = adminClient(config);
  try {
    if (what === 'proxies' || what === 'proxy') {
      const res = await unary<object, ListProxiesResponse__Output>(call.client.ListProxies.bind(call.client), call, {});
      const proxies = res.proxies.filter((p) => names.length === 0 || names.includes(p.id));
      if (config.output !== 'table') {
        const doc = { replica: res.replica, version: res.version, proxies };
        process.stdout.write(config.output === 'json' ? `${JSON.stringify(doc, null, 2)}\n` : stringify(doc));
        return 0;
      }
      const rows = [['ID', 'REPLICA', 'PEER', 'CONNECTED', 'ACKED', 'NACKED', 'LAST SEEN', 'ERROR']];
      for (const p of proxies) rows.push([p.id, p.replica, p.peer, String(p.connected), String(p.ackedVersion), p.nackedVersion === 0 ? '-' : String(p.nackedVersion), age(p.lastSeenMs), p.nackError]);
      process.stdout.write(`replica ${res.replica} serves version ${res.version}\n${table(rows)}`);
      return 0;
    }
    const kind = KIND_ALIASES[what.toLowerCase()];
    if (kind === undefined) {
      process.stderr.write(`sockscale get: unknown resource "${what}"\n${usage}`);
      return 2;
    }
    const res = await unary<object, ListResponse__Output>(call.client.List.bind(call.client), call, { kind });
    const objects: PolicyObject[] = [];
    for (const e of res.objects) {
      const o = fromEnvelope(e).object;
      if (o !== undefined && (names.length === 0 || names.includes(o.metadata.name))) objects.push(o);
    }
    const missing = names.filter((n) => !objects.some((o) => o.metadata.name === n));
    if (config.output === 'json') process.stdout.write(`${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }, null, 2)}\n`);
    else if (config.output === 'yaml') process.stdout.write(objects.map((o) => stringify(o)).join('---\n'));
    else if (objects.length === 0) process.stderr.write(`No ${kind} objects found.\n`);
    else if (kind === 'SocksPolicy') {
      const rows = [['NAME', 'PRIORITY', 'SUBJECTS', 'RULES', 'GENERATION']];
      for (const o of objects) {
        if (o.kind !== 'SocksPolicy') continue;
        const s = o.spec.subjects;
        const subj = [...s.users.map((u) => `user:${u}`), ...s.groups.map((g) => `group:${g}`), ...(s.anonymous ? ['anonymous'] : []), ...s.clientCIDRs.map((c) => `from:${c}`)].join(',');
        rows.push([o.metadata.name, String(o.spec.priority), subj === '' ? '-' : subj, String(o.spec.rules.length), String(o.metadata.generation ?? 0)]);
      }
      process.stdout.write(table(rows));
    } else if (kind === 'SocksQuota') {
      const rows = [['NAME', 'SUBJECT', 'BYTES', 'PERIOD', 'BANDWIDTH', 'MAXCONN', 'GENERATION']];
      for (const o of objects) {
        if (o.kind !== 'SocksQuota') continue;
        const q = o.spec;
        const subj = q.subject.user !== undefined ? `user:${q.subject.user}` : `group:${q.subject.group ?? ''}(${q.subject.scope ?? 'PerMember'})`;
        const period = q.period === undefined ? '-' : q.period.type === 'Days' ? `${q.period.days ?? 0}d` : q.period.type;
        rows.push([o.metadata.name, subj, q.bytes === undefined ? '-' : formatQuantity(q.bytes), period, q.bandwidth === undefined ? '-' : `${formatQuantity(q.bandwidth)}/s`, String(q.maxConnections ?? '-'), String(o.metadata.generation ?? 0)]);
      }
      process.stdout.write(table(rows));
    } else {
      const rows = [['NAME', 'GROUPS', 'DISABLED', 'GENERATION']];
      for (const o of objects) {
        if (o.kind !== 'SocksUser') continue;
        rows.push([o.metadata.name, o.spec.groups.join(',') || '-', String(o.spec.disabled), String(o.metadata.generation ?? 0)]);
      }
      process.stdout.write(table(rows));
    }
    for (const n of missing) process.stderr.write(`Error from server (NotFound): ${kind} "${n}" not found\n`);
    return missing.length > 0 ? 1 : 0;
  } catch (err) {
    return reportCallError('get', config.server, err);
  } finally {
    call.close();
  }
}
