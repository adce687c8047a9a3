import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SocksClient } from 'socks';
import { ControlProcess, sockscaleCli } from '../helpers/control-process';
import { SockscaleProcess } from '../helpers/sockscale-process';
import { startEchoServer, type TcpTarget } from '../helpers/targets';
import { CHART_DIR, helm, KubeCluster } from './kube-tools';

/**
 * The Kubernetes controller end to end: etcd + kube-apiserver on loopback with the chart's CRDs,
 * `sockscale control --kubeconfig` run locally against it (memory store), one
 * `sockscale serve --control-plane` proxy, CRs applied with kubectl, a real SOCKS client.
 */
const NS = 'ctl';
const LEASE = 'test-control-leader';
let cluster: KubeCluster | undefined;
let cp: ControlProcess | undefined;
let proxy: SockscaleProcess | undefined;
let echo: TcpTarget | undefined;

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

const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'alice-password' }, stringData: { password: 'wonderland-1' } };
const alice = { apiVersion: 'sockscale.io/v1alpha1', kind: 'SocksUser', metadata: { name: 'alice' }, spec: { groups: ['staff'], passwordSecretRef: { name: 'alice-password', key: 'password' } } };
const policy = (port: number) => ({
  apiVersion: 'sockscale.io/v1alpha1',
  kind: 'SocksPolicy',
  metadata: { name: 'staff-echo' },
  spec: { priority: 100, subjects: { users: ['alice'] }, rules: [{ name: 'echo', action: 'Allow', destinations: ['127.0.0.1/32'], ports: [String(port)] }] },
});

/** CONNECT to the echo server as alice: 'allowed', 'denied' (0x02) or 'auth-failed'. */
async function attempt(password = 'wonderland-1'): Promise<'allowed' | 'denied' | 'auth-failed'> {
  assert.ok(proxy !== undefined && echo !== undefined);
  try {
    const { socket } = await SocksClient.createConnection({
      proxy: { host: proxy.socksHost, port: proxy.socksPort, type: 5, userId: 'alice', password },
      command: 'connect',
      destination: { host: '127.0.0.1', port: echo.port },
      timeout: 3000,
    });
    socket.destroy();
    return 'allowed';
  } catch (err) {
    const m = (err as Error).message;
    if (/NotAllowed|not allowed|ruleset/i.test(m)) return 'denied';
    if (/Authentication failed/i.test(m)) return 'auth-failed';
    throw err;
  }
}

async function until<T>(what: string, probe: () => Promise<T> | T, want: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (want(v)) return v;
    if (Date.now() > end) assert.fail(`${what}: still ${JSON.stringify(v)} after ${timeoutMs} ms\ncontrol log:\n${(cp?.logs ?? []).slice(-15).map((l) => JSON.stringify(l)).join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Cond { type: string; status: string; reason: string; message: string; observedGeneration: number }
function conditions(resource: string): { generation: number; conditions: Cond[] } {
  const o = JSON.parse(ok(k().kubectl(['get', '-n', NS, resource, '-o', 'json']), `get ${resource}`)) as { metadata: { generation: number }; status?: { conditions?: Cond[] } };
  return { generation: o.metadata.generation, conditions: o.status?.conditions ?? [] };
}
const cond = (c: { conditions: Cond[] }, type: string) => c.conditions.find((x) => x.type === type);

before(async () => {
  cluster = await KubeCluster.start();
  ok(k().kubectl(['create', 'namespace', NS]), 'create namespace');
  const files = ['sockspolicies', 'socksusers', 'socksquotas'];
  const crds = ok(helm(['template', 'rel', CHART_DIR, '--namespace', NS, ...files.flatMap((f) => ['--show-only', `templates/crds/${f}.yaml`])]), 'render CRDs');
  ok(k().kubectl(['apply', '-f', '-'], { input: crds }), 'install CRDs');
  ok(k().kubectl(['wait', '--for=condition=Established', ...files.map((f) => `crd/${f}.sockscale.io`), '--timeout=30s']), 'CRDs established');
  echo = await startEchoServer();
  cp = await ControlProcess.start({ store: 'memory' }, ['--kubeconfig', k().kubeconfig, '--namespace', NS, '--lease-name', LEASE, '--identity', 'replica-a']);
});
after(async () => {
  await proxy?.stop();
  await cp?.stop();
  await echo?.close();
  await cluster?.stop();
});

void test('leader election: the replica takes the Lease', async () => {
  const holder = await until('lease holder', () => k().kubectl(['get', 'lease', '-n', NS, LEASE, '-o', 'jsonpath={.spec.holderIdentity}']).stdout, (h) => h === 'replica-a');
  assert.equal(holder, 'replica-a');
  await cp?.waitForLog((l) => l.msg === 'controller started', 10_000);
});

void test('kubectl apply: a Secret-backed user and a policy are enforced, with Accepted and Programmed conditions', async () => {
  apply([secret, alice]);
  await until('alice stored', async () => (await sockscaleCli(['get', 'socksuser', 'alice', '-o', 'json'], cp?.grpc ?? '')).code, (c) => c === 0);
  // The proxy waits for a first snapshot; the user gives one.
  proxy = await SockscaleProcess.start({ policy: [], args: ['--control-plane', cp?.grpc ?? '', '--node-id', 'proxy-0'] });
  assert.equal(await attempt('wrong-password'), 'auth-failed', 'the password comes from the Secret');
  assert.equal(await attempt(), 'denied', 'alice authenticates; no policy allows her yet (default deny)');
  apply([policy(echo?.port ?? 0)]);
  await until('alice through the proxy', () => attempt(), (v) => v === 'allowed');
  for (const r of ['sockspolicy/staff-echo', 'socksuser/alice']) {
    const c = await until(`${r} Programmed`, () => conditions(r), (x) => cond(x, 'Programmed')?.status === 'True');
    assert.deepEqual(
      c.conditions.map((x) => [x.type, x.status, x.reason, x.observedGeneration]).sort(),
      [['Accepted', 'True', 'Accepted', c.generation], ['Programmed', 'True', 'Programmed', c.generation]],
      r,
    );
  }
  // The Secret's plain text never reaches the control plane's store: it holds an scrypt hash.
  const got = await sockscaleCli(['get', 'socksuser', 'alice', '-o', 'json'], cp?.grpc ?? '');
  assert.equal(got.code, 0, got.stderr);
  assert.match(got.out, /\$scrypt\$/);
  assert.ok(!got.out.includes('wonderland-1'));
  assert.match(got.out, /sockscale\.io\/managed-by/);
});

void test('status is written once per change: a steady state makes no further status writes', async () => {
  const rv = () => k().kubectl(['get', '-n', NS, 'sockspolicy/staff-echo', '-o', 'jsonpath={.metadata.resourceVersion}']).stdout;
  const first = rv();
  await new Promise((r) => setTimeout(r, 1500)); // three status polls
  assert.equal(rv(), first);
});

void test('a new generation is re-accepted and re-programmed with its observedGeneration', async () => {
  const changed = policy(echo?.port ?? 0);
  changed.spec.priority = 200;
  apply([changed]);
  const c = await until('generation 2 programmed', () => conditions('sockspolicy/staff-echo'), (x) => x.generation === 2 && cond(x, 'Programmed')?.observedGeneration === 2 && cond(x, 'Programmed')?.status === 'True');
  assert.equal(cond(c, 'Accepted')?.observedGeneration, 2);
});

void test('a bad spec is refused by kubectl apply with a message naming the field', () => {
  const bad = policy(1);
  (bad.spec.rules[0] as { action: string }).action = 'Maybe';
  const r = k().kubectl(['apply', '-n', NS, '-f', '-'], { input: JSON.stringify({ ...bad, metadata: { name: 'bad' } }) });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /spec\.rules\[0\]\.action/);
});

void test('ownership: an object applied with sockscale apply is not overwritten; the CR says Conflict', async () => {
  const own = { apiVersion: 'sockscale.io/v1alpha1', kind: 'SocksPolicy', metadata: { name: 'hand-made' }, spec: { subjects: { groups: ['ops'] }, rules: [{ action: 'Deny' }] } };
  const file = join(mkdtempSync(join(tmpdir(), 'ctl-')), 'p.yaml');
  writeFileSync(file, JSON.stringify(own));
  const a = await sockscaleCli(['apply', '-f', file], cp?.grpc ?? '');
  assert.equal(a.code, 0, a.stderr);
  apply([{ ...own, spec: { ...own.spec, rules: [{ action: 'Allow' }] } }]);
  const c = await until('Conflict', () => conditions('sockspolicy/hand-made'), (x) => cond(x, 'Accepted')?.reason === 'Conflict');
  assert.equal(cond(c, 'Accepted')?.status, 'False');
  assert.equal(cond(c, 'Programmed')?.status, 'False');
  const got = await sockscaleCli(['get', 'sockspolicy', 'hand-made', '-o', 'json'], cp?.grpc ?? '');
  assert.match(got.out, /"Deny"/, 'the hand-applied object stays as it was');
  // Deleting the CR does not delete the object the controller does not own.
  ok(k().kubectl(['delete', '-n', NS, 'sockspolicy/hand-made']), 'delete');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await sockscaleCli(['get', 'sockspolicy', 'hand-made', '-o', 'json'], cp?.grpc ?? '')).code, 0);
  // An object the controller owns, deleted through the admin API, is put back from its CR.
  const d = await sockscaleCli(['delete', 'socksuser', 'alice'], cp?.grpc ?? '');
  assert.equal(d.code, 0, d.stderr);
  await until('alice restored', async () => (await sockscaleCli(['get', 'socksuser', 'alice', '-o', 'json'], cp?.grpc ?? '')).code, (c) => c === 0, 5000);
});

void test('kubectl delete of the policy changes enforcement within 1 s', async () => {
  assert.equal(await attempt(), 'allowed');
  const start = Date.now();
  ok(k().kubectl(['delete', '-n', NS, 'sockspolicy/staff-echo']), 'kubectl delete');
  await until('denied after delete', () => attempt(), (v) => v === 'denied', 3000);
  const ms = Date.now() - start;
  assert.ok(ms < 1000, `enforcement changed after ${ms} ms`);
});

void test('leader election: a second replica serves gRPC but stays passive; it takes over when the leader stops', async () => {
  const b = await ControlProcess.start({ store: 'memory' }, ['--kubeconfig', k().kubeconfig, '--namespace', NS, '--lease-name', LEASE, '--identity', 'replica-b']);
  try {
    assert.equal(await b.readyz(), 200, 'the passive replica is ready and serves');
    await new Promise((r) => setTimeout(r, 2500)); // a retry period: it tried and lost
    assert.equal(k().kubectl(['get', 'lease', '-n', NS, LEASE, '-o', 'jsonpath={.spec.holderIdentity}']).stdout, 'replica-a');
    assert.ok(!b.logs.some((l) => l.msg === 'controller started' || l.msg === 'became leader'), 'no controller on the passive replica');
    await cp?.stop(); // releases the Lease
    await b.waitForLog((l) => l.msg === 'controller started', 10_000);
    assert.equal(k().kubectl(['get', 'lease', '-n', NS, LEASE, '-o', 'jsonpath={.spec.holderIdentity}']).stdout, 'replica-b');
    // The new leader reconciles the CRs into its own store.
    await until('alice in the new leader', async () => (await sockscaleCli(['get', 'socksuser', 'alice', '-o', 'json'], b.grpc)).code, (c) => c === 0, 5000);
  } finally {
    await b.stop();
  }
});
