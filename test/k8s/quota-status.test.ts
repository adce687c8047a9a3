import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SocksClient } from 'socks';
import { periodBounds } from '@sockscale/common';
import { ControlProcess, sockscaleCli } from '../helpers/control-process';
import { SockscaleProcess } from '../helpers/sockscale-process';
import { startEchoServer, type TcpTarget } from '../helpers/targets';
import { connectReply, download, startFirehose } from '../helpers/quota-traffic';
import { CHART_DIR, helm, KubeCluster } from './kube-tools';

/**
 * SocksQuota through Kubernetes end to end: etcd + kube-apiserver on loopback with the chart's
 * CRDs; `sockscale control --etcd <that etcd> --kubeconfig ... --quota-status-interval 1s` (so
 * the quota ledger is the real etcd one); one `sockscale serve --control-plane` proxy; CRs
 * applied with kubectl; bytes pushed through a real SOCKS client (npm `socks`). "Relayed" is
 * what the proxy's access log says it relayed for alice.
 */
const NS = 'quota';
const LIMIT = 2 * 1024 * 1024;
const INTERVAL_MS = 1000;
const PERIOD = { type: 'Daily' as const, timeZone: 'UTC' };
let cluster: KubeCluster | undefined;
let cp: ControlProcess | undefined;
let proxy: SockscaleProcess | undefined;
let echo: TcpTarget | undefined;
let firehose: Awaited<ReturnType<typeof startFirehose>> | undefined;

function k(): KubeCluster {
  assert.ok(cluster !== undefined, 'the API server started');
  return cluster;
}
function ok(r: { status: number | null; stdout: string; stderr: string }, what: string): string {
  assert.equal(r.status, 0, `${what} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}
function apply(objects: object[]): string {
  return ok(k().kubectl(['apply', '-n', NS, '-f', '-'], { input: objects.map((o) => JSON.stringify(o)).join('\n---\n') }), 'kubectl apply');
}

const V = 'sockscale.io/v1alpha1';
const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'alice-password' }, stringData: { password: 'wonderland-1' } };
const alice = { apiVersion: V, kind: 'SocksUser', metadata: { name: 'alice' }, spec: { groups: ['staff'], passwordSecretRef: { name: 'alice-password', key: 'password' } } };
const policy = { apiVersion: V, kind: 'SocksPolicy', metadata: { name: 'loopback' }, spec: { subjects: { users: ['alice'] }, rules: [{ action: 'Allow', destinations: ['127.0.0.1/32'] }] } };
const quota = { apiVersion: V, kind: 'SocksQuota', metadata: { name: 'q-alice' }, spec: { subject: { user: 'alice' }, bytes: LIMIT, period: PERIOD } };
/** A PerMember group quota alice's bytes count against too (large: it never blocks). */
const groupQuota = { apiVersion: V, kind: 'SocksQuota', metadata: { name: 'q-staff' }, spec: { subject: { group: 'staff' }, bytes: '1Gi', period: PERIOD } };

interface Cond { type: string; status: string; reason: string; message: string; observedGeneration: number }
interface QuotaStatus {
  conditions?: Cond[];
  limit?: number;
  used?: number;
  outstanding?: number;
  remaining?: number;
  periodStart?: string;
  resetsAt?: string;
  observedAt?: string;
  members?: number;
  exhaustedMembers?: number;
  usedTotal?: number;
  topMembers?: { member: string; used: number; outstanding: number; remaining: number }[];
}
function get(name = 'q-alice'): { generation: number; resourceVersion: string; status: QuotaStatus } {
  const o = JSON.parse(ok(k().kubectl(['get', '-n', NS, 'socksquota', name, '-o', 'json']), `get socksquota ${name}`)) as { metadata: { generation: number; resourceVersion: string }; status?: QuotaStatus };
  return { generation: o.metadata.generation, resourceVersion: o.metadata.resourceVersion, status: o.status ?? {} };
}
const cond = (s: QuotaStatus, type: string) => s.conditions?.find((c) => c.type === type);

async function until<T>(what: string, probe: () => Promise<T> | T, want: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (want(v)) return v;
    if (Date.now() > end) assert.fail(`${what}: still ${JSON.stringify(v)} after ${timeoutMs} ms\ncontrol log:\n${(cp?.logs ?? []).slice(-15).map((l) => JSON.stringify(l)).join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Bytes the proxy relayed for alice (access log lines of finished sessions). */
function relayed(): number {
  let n = 0;
  for (const l of proxy?.logs ?? []) if (l.msg === 'session' && l.user === 'alice') n += Number(l.bytesUp) + Number(l.bytesDown);
  return n;
}
function sessions(): number {
  return (proxy?.logs ?? []).filter((l) => l.msg === 'session' && l.user === 'alice').length;
}

/** CONNECT to the echo server as alice, send `bytes`, read them back, close. */
async function echoRound(bytes: number): Promise<void> {
  assert.ok(proxy !== undefined && echo !== undefined);
  const { socket } = await SocksClient.createConnection({
    proxy: { host: proxy.socksHost, port: proxy.socksPort, type: 5, userId: 'alice', password: 'wonderland-1' },
    command: 'connect',
    destination: { host: '127.0.0.1', port: echo.port },
    timeout: 5000,
  });
  let got = 0;
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`echo: ${got} of ${bytes} bytes back after 10 s`)), 10_000);
    socket.on('data', (b: Buffer) => {
      got += b.length;
      if (got >= bytes) {
        clearTimeout(t);
        resolve();
      }
    });
    socket.on('error', reject);
    socket.write(Buffer.alloc(bytes, 0x62));
  });
  socket.destroy();
}

/** One row of a kubectl table as column -> cell (cells cut at the header's column starts; empty cells are ''). */
function columns(table: string, name: string): Record<string, string> {
  const lines = table.split('\n');
  const header = lines[0] ?? '';
  const starts = [...header.matchAll(/\S+/g)].map((m) => ({ name: m[0], at: m.index }));
  const row = lines.find((l) => l.startsWith(`${name} `)) ?? '';
  return Object.fromEntries(starts.map((c, i) => [c.name, row.slice(c.at, starts[i + 1]?.at ?? row.length).trim()]));
}

const via = () => ({ host: proxy?.socksHost ?? '', port: proxy?.socksPort ?? 0 });
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

before(async () => {
  cluster = await KubeCluster.start();
  ok(k().kubectl(['create', 'namespace', NS]), 'create namespace');
  const files = ['sockspolicies', 'socksusers', 'socksquotas'];
  const crds = ok(helm(['template', 'rel', CHART_DIR, '--namespace', NS, ...files.flatMap((f) => ['--show-only', `templates/crds/${f}.yaml`])]), 'render CRDs');
  ok(k().kubectl(['apply', '-f', '-'], { input: crds }), 'install CRDs');
  ok(k().kubectl(['wait', '--for=condition=Established', ...files.map((f) => `crd/${f}.sockscale.io`), '--timeout=30s']), 'CRDs established');
  echo = await startEchoServer();
  firehose = await startFirehose();
  cp = await ControlProcess.start({ etcd: k().etcdUrl }, [
    '--kubeconfig', k().kubeconfig, '--namespace', NS, '--lease-name', 'quota-test-leader', '--identity', 'replica-a',
    '--quota-status-interval', `${INTERVAL_MS}ms`, '--grant-ttl', '4s', '--log-level', 'debug',
  ]);
});
after(async () => {
  await proxy?.stop();
  await cp?.stop();
  await echo?.close();
  await firehose?.close();
  await cluster?.stop();
});

void test('kubectl apply: a SocksQuota is synced into the store, Accepted and Programmed, with usage at zero in status', async () => {
  apply([secret, alice, policy, quota, groupQuota]);
  await until('q-alice stored', async () => (await sockscaleCli(['get', 'socksquota', 'q-alice', '-o', 'json'], cp?.grpc ?? '')).code, (c) => c === 0);
  const stored = await sockscaleCli(['get', 'socksquota', 'q-alice', '-o', 'json'], cp?.grpc ?? '');
  assert.match(stored.out, /sockscale\.io\/managed-by/);
  proxy = await SockscaleProcess.start({ policy: [], args: ['--control-plane', cp?.grpc ?? '', '--node-id', 'proxy-0'] });
  const q = await until('q-alice programmed with usage', () => get(), (x) => cond(x.status, 'Programmed')?.status === 'True' && x.status.used !== undefined);
  assert.deepEqual(
    q.status.conditions?.map((c) => [c.type, c.status, c.reason, c.observedGeneration]).sort(),
    [['Accepted', 'True', 'Accepted', q.generation], ['Programmed', 'True', 'Programmed', q.generation]],
  );
  const b = periodBounds(PERIOD, Date.now());
  assert.deepEqual([q.status.limit, q.status.used, q.status.outstanding, q.status.remaining, q.status.periodStart, q.status.resetsAt], [LIMIT, 0, 0, LIMIT, iso(b.start), iso(b.end)]);
});

void test('bytes through a real SOCKS client: status used = bytes relayed, remaining = limit - used - outstanding, resetsAt ahead; kubectl get shows them', async () => {
  await echoRound(100 * 1024);
  await until('the session logged', () => sessions(), (n) => n === 1);
  const r = relayed();
  assert.equal(r, 2 * 100 * 1024, 'echo: 100 KiB up and 100 KiB down');
  // Bound: the proxy reports about once a second, the controller reads the ledger once per interval.
  const q = await until('status used = relayed', () => get(), (x) => x.status.used === r, INTERVAL_MS + 5000);
  const { limit, used, outstanding, remaining, resetsAt } = q.status;
  assert.equal(limit, LIMIT);
  assert.equal(remaining, LIMIT - r - (outstanding ?? NaN));
  assert.ok(Date.parse(resetsAt ?? '') > Date.now(), `resetsAt ${resetsAt} is in the future`);
  assert.equal(resetsAt, iso(periodBounds(PERIOD, Date.now()).end));
  assert.ok(used !== undefined && used > 0);
  // The table: USED, REMAINING and RESETS columns (wide adds PERIOD, OUTSTANDING, MEMBERS), read in one go.
  const table = ok(k().kubectl(['get', '-n', NS, 'socksquotas', '-o', 'wide']), 'kubectl get socksquotas');
  assert.match(table, /^NAME\s+USER\s+GROUP\s+LIMIT\s+USED\s+REMAINING\s+RESETS\s+PERIOD\s+OUTSTANDING\s+MEMBERS\s+ACCEPTED\s+PROGRAMMED\s+AGE$/m);
  const row = columns(table, 'q-alice');
  assert.deepEqual(
    ['NAME', 'USER', 'GROUP', 'LIMIT', 'USED', 'RESETS', 'PERIOD', 'MEMBERS', 'ACCEPTED', 'PROGRAMMED'].map((c) => row[c]),
    ['q-alice', 'alice', '', String(LIMIT), String(r), resetsAt, 'Daily', '', 'True', 'True'],
    table,
  );
  assert.equal(Number(row.REMAINING), LIMIT - r - Number(row.OUTSTANDING), table);
  // The PerMember group quota: one member so far, shown at the top level and in topMembers.
  const g = await until('q-staff used = relayed', () => get('q-staff'), (x) => x.status.used === r, INTERVAL_MS + 5000);
  assert.deepEqual([g.status.limit, g.status.members, g.status.exhaustedMembers, g.status.usedTotal, g.status.topMembers?.map((m) => [m.member, m.used])], [1024 ** 3, 1, 0, r, [['alice', r]]]);
  assert.equal(g.status.remaining, 1024 ** 3 - r - (g.status.outstanding ?? NaN));
  assert.equal(columns(ok(k().kubectl(['get', '-n', NS, 'squota', '-o', 'wide']), 'get'), 'q-staff').MEMBERS, '1');
});

void test('usage writes are bounded: at most one per --quota-status-interval per object while bytes flow', async () => {
  const writes = () => (cp?.logs ?? []).filter((l) => l.msg === 'status written' && l.object === `${NS}/q-alice` && l.used !== undefined).map((l) => Date.parse(String(l.time)));
  const before = writes().length;
  const start = Date.now();
  // 20 KiB every 150 ms for 3.5 s: the ledger changes about every second (proxy reports).
  while (Date.now() - start < 3500) {
    await echoRound(10 * 1024);
    await new Promise((r) => setTimeout(r, 150));
  }
  await new Promise((r) => setTimeout(r, INTERVAL_MS + 1000));
  const times = writes().slice(before);
  assert.ok(times.length >= 2, `usage was rewritten while it changed (${times.length} writes)`);
  const gaps = times.slice(1).map((t, i) => t - (times[i] ?? 0));
  assert.ok(gaps.every((g) => g >= INTERVAL_MS - 200), `writes at least ${INTERVAL_MS} ms apart: gaps ${gaps.join(', ')} ms`);
});

void test('exhausting the quota: Block closes the session and refuses a new one (0x02); status shows the quota used up', async () => {
  assert.ok(firehose !== undefined);
  const logged = sessions();
  const d = await download(via(), 'alice', 'wonderland-1', firehose.port);
  await until('Block closes the open session', () => d.closed, (c) => c, 20_000);
  assert.equal(await until('new session refused', () => connectReply(via(), 'alice', 'wonderland-1', echo?.port ?? 0), (c) => c === 2, 5000), 2);
  await until('the download logged', () => sessions(), (n) => n > logged);
  const total = relayed();
  assert.ok(total <= LIMIT, `relayed ${total} <= limit ${LIMIT}`);
  const q = await until('status used = relayed', () => get(), (x) => x.status.used === relayed(), INTERVAL_MS + 5000);
  const { used, outstanding, remaining } = q.status;
  assert.equal(remaining, LIMIT - (used ?? NaN) - (outstanding ?? NaN));
  assert.ok((remaining ?? Infinity) < 256 * 1024, `less than the 256 KiB Block needs to reopen: ${remaining}`);
});

void test('steady state: once the grants are returned, the status is not rewritten', async () => {
  // The proxy releases an idle account's lease after 5 s: outstanding returns to 0.
  await until('outstanding 0', () => [get(), get('q-staff')], (x) => x.every((q) => q.status.outstanding === 0), 15_000);
  const first = [get().resourceVersion, get('q-staff').resourceVersion];
  await new Promise((r) => setTimeout(r, 2.5 * INTERVAL_MS));
  assert.deepEqual([get().resourceVersion, get('q-staff').resourceVersion], first);
});

void test('a bad SocksQuota is refused by kubectl apply with a clear message; one only the validator catches gets Accepted=False', async () => {
  const bad = { ...quota, metadata: { name: 'both' }, spec: { subject: { user: 'alice', group: 'staff' }, maxConnections: 1 } };
  const r = k().kubectl(['apply', '-n', NS, '-f', '-'], { input: JSON.stringify(bad) });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /The SocksQuota "both" is invalid: spec\.subject: Invalid value: .*set exactly one of "user" or "group"/);
  // bytes "0" passes the CRD pattern; the controller's validator refuses it.
  apply([{ ...quota, metadata: { name: 'zero' }, spec: { ...quota.spec, bytes: '0' } }]);
  const z = await until('zero refused', () => get('zero'), (x) => cond(x.status, 'Accepted')?.reason === 'Invalid');
  assert.equal(cond(z.status, 'Accepted')?.status, 'False');
  assert.match(cond(z.status, 'Accepted')?.message ?? '', /^spec\.bytes: /);
  assert.equal(cond(z.status, 'Programmed')?.status, 'False');
  assert.equal(z.status.used, undefined, 'no usage for a quota that is not in force');
  assert.notEqual((await sockscaleCli(['get', 'socksquota', 'zero', '-o', 'json'], cp?.grpc ?? '')).code, 0, 'not stored');
});
