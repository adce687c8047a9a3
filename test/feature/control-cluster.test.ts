import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { SocksClient } from 'socks';
import { loadSockscaleProto, type PolicyAdminClient } from '@sockscale/common';
import { ControlProcess, sockscaleCli, TEST_TOKEN } from '../helpers/control-process';
import { EtcdProcess } from '../helpers/etcd';
import { SockscaleProcess, tempPolicy } from '../helpers/sockscale-process';
import { startEchoServer, type TcpTarget } from '../helpers/targets';

// A cluster without Kubernetes on loopback: a real etcd, 2 control-plane replicas, 3 proxies
// (`serve --control-plane cp1,cp2`), real SOCKS clients. Tests run in order on one cluster.

let etcd: EtcdProcess;
const cps: ControlProcess[] = [];
const proxies: SockscaleProcess[] = [];
const targets: TcpTarget[] = [];
/** proxies[STRICT] runs with --max-policy-rules 4 (a small proxy guarding its memory). */
const STRICT = 2;

const policyYaml = (name: string, port: number, priority = 100, rules = 1): string => `
apiVersion: sockscale.io/v1alpha1
kind: SocksPolicy
metadata: {name: ${name}}
spec:
  priority: ${priority}
  subjects: {anonymous: true, clientCIDRs: ["127.0.0.0/8"]}
  rules:
${Array.from({ length: rules }, (_, i) => `    - {name: r${i}, action: Allow, destinations: ["127.0.0.1/32"], ports: ["${port}"]}`).join('\n')}
`;

/** CONNECT through `proxy` to 127.0.0.1:port: true when allowed, false when denied (0x02). */
async function canConnect(proxy: SockscaleProcess, port: number): Promise<boolean> {
  try {
    const { socket } = await SocksClient.createConnection({
      proxy: { host: proxy.socksHost, port: proxy.socksPort, type: 5 },
      command: 'connect',
      destination: { host: '127.0.0.1', port },
      timeout: 3000,
    });
    socket.destroy();
    return true;
  } catch (err) {
    if (/NotAllowed|not allowed|ruleset/i.test((err as Error).message)) return false;
    throw err;
  }
}

/** Polls until every proxy gives `want` for `port`; returns the milliseconds it took. */
async function untilAll(port: number, want: boolean, timeoutMs = 5000, which: SockscaleProcess[] = proxies): Promise<number> {
  const start = Date.now();
  for (;;) {
    const got = await Promise.all(which.map((p) => canConnect(p, port)));
    if (got.every((g) => g === want)) return Date.now() - start;
    if (Date.now() - start > timeoutMs) assert.fail(`after ${timeoutMs} ms proxies answer ${JSON.stringify(got)} for port ${port}, want all ${want}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function adminGrpc(cp: ControlProcess): PolicyAdminClient {
  const proto = loadSockscaleProto();
  return new proto.sockscale.admin.v1.PolicyAdmin(cp.grpc, grpc.credentials.createInsecure());
}

function call<Res>(fn: (req: object, md: grpc.Metadata, opts: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r?: Res) => void) => unknown, req: object, token: string | null = TEST_TOKEN): Promise<Res> {
  const md = new grpc.Metadata();
  if (token !== null) md.set('authorization', `Bearer ${token}`);
  return new Promise((resolve, reject) => fn(req, md, { deadline: Date.now() + 10_000 }, (e, r) => (e !== null ? reject(e) : resolve(r as Res))));
}

/** grpc.health.v1.Health/Check for the whole server ("") on a replica. */
async function health(cp: ControlProcess): Promise<string> {
  const proto = loadSockscaleProto();
  const client = new proto.grpc.health.v1.Health(cp.grpc, grpc.credentials.createInsecure());
  try {
    return await new Promise<string>((resolve, reject) =>
      client.Check({ service: '' }, { deadline: Date.now() + 5000 }, (e, r) => (e !== null ? reject(e) : resolve(String(r?.status)))),
    );
  } finally {
    client.close();
  }
}

async function proxiesOn(cp: ControlProcess): Promise<{ id: string; connected: boolean; ackedVersion: number; nackedVersion: number; nackError: string }[]> {
  const r = await sockscaleCli(['get', 'proxies', '-o', 'json'], cp.grpc);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.out) as { proxies: { id: string; connected: boolean; ackedVersion: number; nackedVersion: number; nackError: string }[] }).proxies;
}

before(async () => {
  etcd = await EtcdProcess.start();
  cps.push(...(await Promise.all([ControlProcess.start({ etcd: etcd.url }), ControlProcess.start({ etcd: etcd.url })])));
  targets.push(...(await Promise.all([startEchoServer(), startEchoServer(), startEchoServer(), startEchoServer()])));
  const base = await sockscaleCli(['apply', '-f', tempPolicy(policyYaml('base', targets[0]!.port))], cps[0]!.grpc);
  assert.equal(base.code, 0, base.stderr);
  const cp = `${cps[0]!.grpc},${cps[1]!.grpc}`;
  proxies.push(
    ...(await Promise.all(
      [0, 1, 2].map((i) => SockscaleProcess.start({ policy: [], args: ['--control-plane', cp, '--node-id', `proxy-${i}`, ...(i === STRICT ? ['--max-policy-rules', '4'] : [])] })),
    )),
  );
});

after(async () => {
  await Promise.all(proxies.map((p) => p.stop()));
  await Promise.all(cps.map((c) => c.stop()));
  await Promise.all(targets.map((t) => t.close()));
  await etcd?.destroy();
});

test('proxies start with the snapshot from the control plane and enforce it', async () => {
  await untilAll(targets[0]!.port, true, 1000);
  await untilAll(targets[1]!.port, false, 1000);
  for (const p of proxies) assert.match(await p.metrics(), /sockscale_proxy_control_plane_connected 1/);
});

test('sockscale apply: every proxy enforces the new policy within 1 s; delete: denied within 1 s', async () => {
  const file = tempPolicy(policyYaml('extra', targets[1]!.port, 50));
  const applied = await sockscaleCli(['apply', '-f', file], cps[1]!.grpc);
  assert.equal(applied.code, 0, applied.stderr);
  assert.match(applied.out, /sockspolicy\.sockscale\.io\/extra created/);
  const allowMs = await untilAll(targets[1]!.port, true, 1000);
  const deleted = await sockscaleCli(['delete', '-f', file], cps[0]!.grpc);
  assert.equal(deleted.code, 0, deleted.stderr);
  assert.match(deleted.out, /sockspolicy\.sockscale\.io\/extra deleted/);
  const denyMs = await untilAll(targets[1]!.port, false, 1000);
  // Enforced within 1 s (untilAll fails beyond); the figures are in the test output.
  process.stdout.write(`# propagation via CLI: allow ${allowMs} ms, deny ${denyMs} ms\n`);
  const listed = await sockscaleCli(['get', 'policies'], cps[1]!.grpc);
  assert.match(listed.out, /^base\s+100\s+anonymous,from:127\.0\.0\.0\/8\s+1\s+\d+$/m);
  assert.doesNotMatch(listed.out, /extra/);
});

test('a snapshot a proxy cannot accept is NACKed, shown by the admin API, and its old policy holds', async () => {
  // 6 rules: valid for the store and two proxies; proxy-2 accepts at most 4 (--max-policy-rules).
  const file = tempPolicy(policyYaml('big', targets[2]!.port, 60, 6));
  const r = await sockscaleCli(['apply', '-f', file], cps[0]!.grpc);
  assert.equal(r.code, 0, r.stderr);
  await untilAll(targets[2]!.port, true, 2000, [proxies[0]!, proxies[1]!]);
  assert.equal(await canConnect(proxies[STRICT]!, targets[2]!.port), false, 'the strict proxy keeps the old policy');
  assert.equal(await canConnect(proxies[STRICT]!, targets[0]!.port), true, 'and still serves it');
  let strict;
  for (let i = 0; i < 50; i++) {
    const all = [...(await proxiesOn(cps[0]!)), ...(await proxiesOn(cps[1]!))];
    strict = all.find((p) => p.id === 'proxy-2' && p.connected);
    if (strict !== undefined && strict.nackedVersion > 0) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.ok(strict !== undefined && strict.nackedVersion > 0, `proxy-2 NACK visible: ${JSON.stringify(strict)}`);
  // 7 rules: base (1) + big (6).
  assert.match(strict.nackError, /snapshot has 7 rules; this proxy accepts at most 4 \(--max-policy-rules\)/);
  assert.ok(strict.ackedVersion > 0 && strict.ackedVersion < strict.nackedVersion);
  const table = await sockscaleCli(['get', 'proxies'], cps[0]!.grpc);
  assert.equal(table.code, 0);
  assert.match(await proxies[STRICT]!.metrics(), /sockscale_proxy_control_plane_snapshots_total\{result="nack"\} [1-9]/);
  // Removing the offending policy: everyone converges again and the NACK clears.
  assert.equal((await sockscaleCli(['delete', 'policy', 'big'], cps[1]!.grpc)).code, 0);
  await untilAll(targets[2]!.port, false, 2000);
  for (let i = 0; i < 50; i++) {
    const all = [...(await proxiesOn(cps[0]!)), ...(await proxiesOn(cps[1]!))];
    strict = all.find((p) => p.id === 'proxy-2' && p.connected);
    if (strict?.nackedVersion === 0) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.equal(strict?.nackedVersion, 0);
});

test('bad admin input gets a clear gRPC status', async () => {
  const cp = cps[0]!;
  const file = tempPolicy(policyYaml('x', targets[3]!.port));
  const wrong = await sockscaleCli(['apply', '-f', file], cp.grpc, { token: 'not-the-token-at-all' });
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /UNAUTHENTICATED\): invalid admin token/);
  const none = await sockscaleCli(['get', 'policies'], cp.grpc, { token: null });
  assert.equal(none.code, 1);
  assert.match(none.stderr, /UNAUTHENTICATED\): missing credential/);

  const client = adminGrpc(cp);
  try {
    // Invalid objects straight at the API (the CLI would catch these locally): every problem, by field.
    const bad = [
      JSON.stringify({ apiVersion: 'sockscale.io/v1alpha1', kind: 'SocksPolicy', metadata: { name: 'bad' }, spec: { rules: [{ action: 'Permit', ports: ['99999'] }] } }),
      '{not json',
      JSON.stringify({ apiVersion: 'sockscale.io/v1alpha1', kind: 'SocksGroup', metadata: { name: 'g' }, spec: {} }),
    ];
    await assert.rejects(call(client.Apply.bind(client), { objectsJson: bad, sources: ['a.yaml', 'b.yaml', 'c.yaml'] }), (e: grpc.ServiceError) => {
      assert.equal(e.code, grpc.status.INVALID_ARGUMENT);
      assert.match(e.details, /a\.yaml SocksPolicy\/bad: spec\.rules\[0\]\.action: /);
      assert.match(e.details, /ports\[0\]/);
      assert.match(e.details, /b\.yaml: not JSON/);
      assert.match(e.details, /c\.yaml.*kind/);
      return true;
    });
    // A 5 MiB request: refused before any handler runs.
    await assert.rejects(call(client.Apply.bind(client), { objectsJson: ['x'.repeat(5 * 1024 * 1024)] }), (e: grpc.ServiceError) => {
      assert.equal(e.code, grpc.status.RESOURCE_EXHAUSTED);
      assert.match(e.details, /larger than max/i);
      return true;
    });
    await assert.rejects(call(client.Delete.bind(client), { objects: [{ kind: 'SocksPolicy', name: 'never-existed' }] }), (e: grpc.ServiceError) => {
      assert.equal(e.code, grpc.status.NOT_FOUND);
      assert.match(e.details, /SocksPolicy\/never-existed/);
      return true;
    });
    await assert.rejects(call(client.List.bind(client), { kind: 'Pods' }), (e: grpc.ServiceError) => e.code === grpc.status.INVALID_ARGUMENT);
  } finally {
    client.close();
  }
  // Nothing of the refused input was stored; the CLI reports a missing object with exit 1.
  const missing = await sockscaleCli(['delete', 'policy', 'never-existed'], cp.grpc);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /NOT_FOUND\): not found: SocksPolicy\/never-existed/);
  const listed = await sockscaleCli(['get', 'policies', '-o', 'json'], cp.grpc);
  assert.deepEqual((JSON.parse(listed.out) as { items: { metadata: { name: string } }[] }).items.map((o) => o.metadata.name), ['base']);
});

test('killing a control-plane replica: proxies move to the other, open sessions keep flowing', async () => {
  const port = targets[0]!.port;
  const sessions: Socket[] = [];
  for (const p of proxies) {
    const { socket } = await SocksClient.createConnection({ proxy: { host: p.socksHost, port: p.socksPort, type: 5 }, command: 'connect', destination: { host: '127.0.0.1', port } });
    sessions.push(socket);
  }
  const echo = async (s: Socket, text: string): Promise<void> => {
    s.write(text);
    const [d] = (await once(s, 'data')) as [Buffer];
    assert.equal(d.toString(), text);
  };
  for (const s of sessions) await echo(s, 'before');
  const [dead, alive] = [cps[0]!, cps[1]!];
  await dead.stop('SIGKILL');
  const start = Date.now();
  let onAlive: { id: string; connected: boolean }[] = [];
  while (Date.now() - start < 10_000) {
    onAlive = (await proxiesOn(alive)).filter((p) => p.connected);
    if (onAlive.length === 3) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual(onAlive.map((p) => p.id).sort(), ['proxy-0', 'proxy-1', 'proxy-2']);
  process.stdout.write(`# all proxies on the surviving replica after ${Date.now() - start} ms\n`);
  for (const s of sessions) await echo(s, 'after');
  for (const s of sessions) s.destroy();
  // Policy still flows through the surviving replica.
  const file = tempPolicy(policyYaml('extra', targets[1]!.port, 50));
  assert.equal((await sockscaleCli(['apply', '-f', file], alive.grpc)).code, 0);
  await untilAll(targets[1]!.port, true, 1000);
});

test('etcd down: proxies keep serving the last snapshot, control plane not ready; etcd back: updates flow again', async () => {
  const cp = cps[1]!;
  assert.equal(await cp.readyz(), 200);
  await etcd.stop();
  const start = Date.now();
  while ((await cp.readyz()) !== 503) {
    assert.ok(Date.now() - start < 10_000, 'readyz did not turn 503 within 10 s of etcd stopping');
    await new Promise((r) => setTimeout(r, 100));
  }
  const body = await (await fetch(`${cp.adminUrl}/readyz`)).text();
  assert.match(body, /not ready: etcd unreachable/);
  assert.equal(await health(cp), 'NOT_SERVING');
  // Fail static: the last snapshot (base + extra) is still enforced, new sessions work.
  await untilAll(targets[0]!.port, true, 1000);
  await untilAll(targets[1]!.port, true, 1000);
  await untilAll(targets[3]!.port, false, 1000);
  const refused = await sockscaleCli(['apply', '-f', tempPolicy(policyYaml('late', targets[3]!.port, 40))], cp.grpc, { timeoutMs: 30_000 });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /UNAVAILABLE\): etcd (read|write) failed/);

  await etcd.start();
  const back = Date.now();
  while ((await cp.readyz()) !== 200) {
    assert.ok(Date.now() - back < 15_000, 'readyz did not return to 200 within 15 s of etcd returning');
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(await health(cp), 'SERVING');
  const ok = await sockscaleCli(['apply', '-f', tempPolicy(policyYaml('late', targets[3]!.port, 40))], cp.grpc);
  assert.equal(ok.code, 0, ok.stderr);
  await untilAll(targets[3]!.port, true, 1000);
  // Nothing lost: everything applied before the outage is still there.
  const listed = await sockscaleCli(['get', 'policies', '-o', 'json'], cp.grpc);
  assert.deepEqual((JSON.parse(listed.out) as { items: { metadata: { name: string } }[] }).items.map((o) => o.metadata.name).sort(), ['base', 'extra', 'late']);
});
