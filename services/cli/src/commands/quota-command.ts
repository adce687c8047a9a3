/**
 * `sockscale quota status [SUBJECT]`: the current period of every quota account from the
 * QuotaAdmin API (used, limit, remaining, resets at). SUBJECT is a user name, a SocksQuota
 * name, or QUOTA/MEMBER ("*" is the member of a Shared group quota). Exit 0, 1 when the server
 * failed or SUBJECT matched nothing, 2 on bad usage.
 */
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { formatQuantity, loadSockscaleProto, type QuotaStatusResponse__Output } from '@sockscale/common';
import type { ClientConfig } from '../config';
import { reportCallError } from './admin-client';

export async function quotaCommand(config: ClientConfig): Promise<number> {
  const [sub, subject, ...extra] = config.args;
  if (sub !== 'status' || extra.length > 0) {
    process.stderr.write('usage: sockscale quota status [USER|QUOTA|QUOTA/MEMBER] [-o table|json|yaml]\n');
    return 2;
  }
  const proto = loadSockscaleProto();
  let creds = grpc.credentials.createInsecure();
  if (config.tls !== undefined) {
    creds = grpc.credentials.createSsl(readFileSync(config.tls.ca), config.tls.key === undefined ? null : readFileSync(config.tls.key), config.tls.cert === undefined ? null : readFileSync(config.tls.cert));
  }
  const client = new proto.sockscale.usage.v1.QuotaAdmin(config.server, creds);
  const md = new grpc.Metadata();
  if (config.token !== undefined) md.set('authorization', `Bearer ${config.token}`);
  try {
    const res = await new Promise<QuotaStatusResponse__Output>((resolve, reject) =>
      client.Status({}, md, { deadline: Date.now() + config.timeoutMs }, (err, r) => (err !== null ? reject(err) : resolve(r as QuotaStatusResponse__Output))),
    );
    const rows = res.accounts
      .filter((a) => subject === undefined || a.member === subject || a.quota === subject || `${a.quota}/${a.member}` === subject)
      .map((a) => ({
        quota: a.quota,
        member: a.member,
        used: Number(a.used),
        limit: Number(a.limit),
        outstanding: Number(a.outstanding),
        remaining: Number(a.remaining),
        periodStart: new Date(Number(a.periodStart)).toISOString(),
        resetsAt: new Date(Number(a.periodEnd)).toISOString(),
      }));
    if (subject !== undefined && rows.length === 0) {
      process.stderr.write(`sockscale quota: no quota account matches "${subject}"\n`);
      return 1;
    }
    if (config.output === 'json' || config.output === 'yaml') {
      process.stdout.write(`${JSON.stringify({ replica: res.replica, accounts: rows }, null, 2)}\n`);
      return 0;
    }
    const table = [['QUOTA', 'MEMBER', 'USED', 'LIMIT', 'GRANTED', 'REMAINING', 'RESETS AT']];
    for (const r of rows) table.push([r.quota, r.member, formatBytes(r.used), formatBytes(r.limit), formatBytes(r.outstanding), formatBytes(r.remaining), r.resetsAt]);
    const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => (row[i] ?? '').length)));
    process.stdout.write(table.map((row) => row.map((c, i) => c.padEnd(widths[i] ?? 0)).join('   ').trimEnd()).join('\n') + '\n');
    return 0;
  } catch (err) {
    return reportCallError('quota', config.server, err);
  } finally {
    client.close();
  }
}

function formatBytes(n: number): string {
  const q = formatQuantity(n);
  if (q !== String(n) || n < 1e6) return q;
  return `${(n / 2 ** 20).toFixed(1)}Mi`;
}
