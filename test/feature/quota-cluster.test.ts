import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Etcd3 } from 'etcd3';
import { periodBounds } from '@sockscale/common';
import { ControlProcess, sockscaleCli } from '../helpers/control-process';
import { EtcdProcess } from '../helpers/etcd';
import { SockscaleProcess, tempPolicy } from '../helpers/sockscale-process';
import { download, settle, startFirehose, type Download } from '../helpers/quota-traffic';

// Cluster quotas on loopback: a real etcd, 2 control-plane replicas (grant TTL 4 s), 3 proxies
// (`serve --control-plane cp1,cp2`), real SOCKS clients and a firehose target. Tests run in
// order on one cluster. "Relayed" is what the proxies' access logs say they relayed.

const TTL_MS = 4000;
const QUOTA = 50_000_000;
let etcd: EtcdProcess;
let kv: Etcd3;
const cps: ControlProcess[] = [];
const proxies: SockscaleProcess[] = [];
let target: Awaited<ReturnType<typeof startFirehose>>;

const objects = `
apiVersion: sockscale.io/v1alpha1
kind: SocksPolicy
metadata: {name: lab}
spec:
  subjects: {users: [alice, carol, dave]}
  rules: [{action: Allow, destinations: ["127.0.0.0/8"]}]
${['alice', 'carol', 'dave']
  .map(
    (u) => `---
apiVersion: sockscale.io/v1alpha1
kind: SocksUser
metadata: {name: ${u}}
spec: {password: {value: ${u}-pass}}
---
apiVersion: sockscale.io/v1alpha1
kind: SocksQuota
metadata: {name: q-${u}}
spec:
  subject: {user: ${u}}
  bytes: ${u === 'alice' ? QUOTA : '1Ti'}
  period: {type: Monthly, timeZone: Europe/Berlin}
`,
  )
  .join('')}`;

interface Ledger {
  used: number;
  leases: Record<string, { granted: number; reported: number }>;
}

async function ledger(quota: string, member: string): Promise<Ledger> {
  const all = await kv.getAll().prefix(`/sockscale/v1/quota/ledger/${quota}/${member}/`).strings();
  const values = Object.values(all);
  assert.equal(values.length, 1, `one period record for ${quota}/${member}`);
  const r = JSON.parse(values[0] as string) as { base: number; leases: Record<string, { granted: number; reported: number }> };
  return { used: r.base + Object.values(r.leases).reduce((s, l) => s + l.reported, 0), leases: r.leases };
}

/** Bytes the proxies relayed for `user` (access log lines of finished sessions). */
function relayed(user: string, ps: readonly SockscaleProcess[] = proxies): number {
  let n = 0;
  for (const p of ps) for (const l of p.logs) if (l.msg === 'session' && l.user === user) n += Number(l.bytesUp) + Number(l.bytesDown);
  return n;
}

async function untilNoLeases(quota: string, member: string, maxMs: number): Promise<Ledger> {
  const end = Date.now() + maxMs;
  let l = await ledger(quota, member);
  while (Object.keys(l.leases).length > 0 && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 200));
    l = await ledger(quota, member);
  }
  assert.deepEqual(Object.keys(l.leases), [], 'every lease released or settled');
  return l;
}

before(async () => {
  etcd = await EtcdProcess.start();
  kv = new Etcd3({ hosts: etcd.url });
  target = await startFirehose();
  cps.push(...(await Promise.all([0, 1].map(() => ControlProcess.start({ etcd: etcd.url }, ['--grant-ttl', `${TTL_MS}ms`])))));
  const applied = await sockscaleCli(['apply', '-f', tempPolicy(objects)], cps[0]!.grpc);
  assert.equal(applied.code, 0, applied.stderr);
  const cp = `${cps[0]!.grpc},${cps[1]!.grpc}`;
  proxies.push(...(await Promise.all([0, 1, 2].map((i) => SockscaleProcess.start({ policy: [], args: ['--control-plane', cp, '--node-id', `proxy-${i}`] })))));
});

after(async () => {
  await Promise.all(proxies.map((p) => p.stop()));
  await Promise.all(cps.map((c) => c.stop()));
  await target?.close();
  kv?.close();
  await etcd?.destroy();
});

const via = (p: SockscaleProcess) => ({ host: p.socksHost, port: p.socksPort });

test('one user downloading through 3 proxies at once: 0 bytes over the quota; ledger used = bytes relayed', async () => {
  const downloads = await Promise.all(proxies.map((p) => download(via(p), 'alice', 'alice-pass', target.port)));
  const received = await settle(() => downloads.reduce((s, d) => s + d.received, 0), 2500, 30_000);
  assert.ok(received <= QUOTA, `received ${received} > quota ${QUOTA}`);
  await settle(() => downloads.filter((d) => d.closed).length, 300, 5000);
  assert.deepEqual(downloads.map((d) => d.closed), [true, true, true], 'Block closed the open sessions');
  const l = await untilNoLeases('q-alice', 'alice', 10_000);
  const r = relayed('alice');
  assert.ok(r <= QUOTA, `relayed ${r} > quota`);
  assert.ok(received <= r);
  const settledLogs = cps.flatMap((c) => c.logs.filter((x) => x.msg === 'expired quota lease settled as used'));
  const sessions = proxies.flatMap((p) => p.logs.filter((x) => x.msg === 'session').map((x) => [x.bytesUp, x.bytesDown, x.outcome]));
  assert.equal(l.used, r, `ledger used equals bytes relayed exactly; settled: ${JSON.stringify(settledLogs)} sessions: ${JSON.stringify(sessions)} leases: ${JSON.stringify(await kv.getAll().prefix('/sockscale/v1/quota/ledger/q-alice/').strings())}`);
  // The same numbers through the admin API and the CLI.
  const st = await sockscaleCli(['quota', 'status', 'alice', '-o', 'json'], cps[1]!.grpc);
  assert.equal(st.code, 0, st.stderr);
  const acc = (JSON.parse(st.out) as { accounts: { quota: string; used: number; limit: number; remaining: number; resetsAt: string }[] }).accounts;
  assert.deepEqual(
    acc.map((a) => [a.quota, a.used, a.limit, a.remaining, a.resetsAt]),
    [['q-alice', r, QUOTA, QUOTA - r, new Date(periodBounds({ type: 'Monthly', timeZone: 'Europe/Berlin' }, Date.now()).end).toISOString()]],
  );
  const table = await sockscaleCli(['quota', 'status'], cps[1]!.grpc);
  assert.match(table.out, /^QUOTA\s+MEMBER\s+USED\s+LIMIT\s+GRANTED\s+REMAINING\s+RESETS AT$/m);
  assert.match(table.out, /^q-carol\s+carol\s+0\s+1Ti/m);
  const none = await sockscaleCli(['quota', 'status', 'nobody'], cps[1]!.grpc);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /no quota account matches "nobody"/);
  // Under-use: at most one chunk per session, plus the proxies' unspent partial reservations.
  assert.ok(QUOTA - r <= 3 * 2 * 65_536, `relayed ${r}: ${QUOTA - r} bytes of the quota unused`);
});

test('SIGKILL a proxy mid-transfer: others keep flowing; after the TTL its grant is settled as used (used ≥ relayed, used − relayed ≤ its grant)', async () => {
  const downloads: Download[] = await Promise.all(proxies.map((p) => download(via(p), 'carol', 'carol-pass', target.port)));
  await new Promise((r) => setTimeout(r, 1500));
  const victim = proxies[2]!;
  victim.child.kill('SIGKILL');
  await new Promise((r) => victim.child.once('exit', r));
  proxies.pop();
  const atKill = await ledger('q-carol', 'carol');
  const killedGrant = Object.entries(atKill.leases)
    .filter(([id]) => id.startsWith('proxy-2:'))
    .reduce((s, [, l]) => s + Math.max(l.granted, l.reported), 0);
  assert.ok(killedGrant > 0, 'the killed proxy held a grant');
  const before1 = downloads[0]!.received + downloads[1]!.received;
  await new Promise((r) => setTimeout(r, 700));
  assert.ok(downloads[0]!.received + downloads[1]!.received > before1 + 1_000_000, 'sessions on the other proxies keep flowing');
  for (const d of downloads) d.socket.destroy();
  const l = await untilNoLeases('q-carol', 'carol', 15_000);
  const known = relayed('carol') + downloads[2]!.received;
  assert.ok(l.used >= known, `used ${l.used} < relayed ${known}`);
  assert.ok(l.used - known <= killedGrant, `used - relayed = ${l.used - known} > the killed proxy's grant ${killedGrant}`);
  const raw = Object.values(await kv.getAll().prefix('/sockscale/v1/quota/ledger/q-carol/').strings());
  const settled = Object.keys((JSON.parse(raw[0] as string) as { settled?: Record<string, unknown> }).settled ?? {});
  assert.ok(settled.some((id) => id.startsWith('proxy-2:')), `the killed proxy's lease was settled (${settled.join(', ')})`);
});

test('control-plane replica killed and etcd restarted during traffic: no report lost or counted twice', async () => {
  const downloads = await Promise.all(proxies.map((p) => download(via(p), 'dave', 'dave-pass', target.port)));
  await new Promise((r) => setTimeout(r, 800));
  cps[0]!.child.kill('SIGKILL');
  await new Promise((r) => setTimeout(r, 800));
  await etcd.stop();
  await new Promise((r) => setTimeout(r, 1000));
  await etcd.start();
  await new Promise((r) => setTimeout(r, 1500));
  const flowing = downloads.map((d) => d.received);
  await new Promise((r) => setTimeout(r, 500));
  assert.ok(downloads.every((d, i) => d.received > (flowing[i] ?? 0)), 'traffic flows again after the outage');
  for (const d of downloads) d.socket.destroy();
  const l = await untilNoLeases('q-dave', 'dave', 12_000);
  assert.equal(l.used, relayed('dave'), 'ledger used equals bytes relayed exactly');
});
