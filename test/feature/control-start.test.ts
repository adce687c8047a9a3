import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { SocksClient } from 'socks';
import { loadSockscaleProto, type Snapshot__Output } from '@sockscale/common';
import { ControlProcess, sockscaleCli } from '../helpers/control-process';
import { SockscaleProcess, tempPolicy } from '../helpers/sockscale-process';
import { startEchoServer } from '../helpers/targets';

// Start behaviour of `serve --control-plane` when no snapshot comes (--initial-policy), the
// embedded file store, and option errors. No etcd needed: `control --store ...`.
const cleanup: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen({ host: '127.0.0.1', port: 0 }, r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const allowAll = (port: number): string => `
apiVersion: sockscale.io/v1alpha1
kind: SocksPolicy
metadata: {name: open}
spec:
  subjects: {anonymous: true}
  rules: [{action: Allow, destinations: ["127.0.0.1/32"], ports: ["${port}"]}]
`;

async function connects(p: SockscaleProcess, port: number): Promise<boolean> {
  try {
    const { socket } = await SocksClient.createConnection({ proxy: { host: p.socksHost, port: p.socksPort, type: 5 }, command: 'connect', destination: { host: '127.0.0.1', port }, timeout: 3000 });
    socket.destroy();
    return true;
  } catch (err) {
    // Denied by a rule (0x02), or refused at the greeting: no policy lets anonymous clients in (0xFF).
    if (/NotAllowed|not allowed|ruleset|no accepted authentication type/i.test((err as Error).message)) return false;
    throw err;
  }
}

test('--initial-policy fail: exits 1 when no snapshot comes in time', async () => {
  const dead = `127.0.0.1:${await freePort()}`;
  const r = await SockscaleProcess.runToExit(['serve', '--control-plane', dead, '--initial-policy', 'fail', '--initial-policy-timeout', '1s', '--listen', '127.0.0.1:0', '--admin', 'off', '--log-format', 'json']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /no policy snapshot from the control plane in time; exiting \(--initial-policy fail\)/);
});

test('default wait: not ready and not listening until the first apply; deny-all: listens and denies until then', async () => {
  const echo = await startEchoServer();
  cleanup.push(() => echo.close());
  const cp = await ControlProcess.start({ store: 'memory' });
  cleanup.push(() => cp.stop());
  const adminPort = await freePort();
  const waiting = SockscaleProcess.start({ policy: [], args: ['--control-plane', cp.grpc, '--admin', `127.0.0.1:${adminPort}`] });
  const denyAll = await SockscaleProcess.start({ policy: [], args: ['--control-plane', cp.grpc, '--initial-policy', 'deny-all', '--initial-policy-timeout', '300ms'] });
  cleanup.push(() => denyAll.stop());
  assert.equal(await connects(denyAll, echo.port), false, 'deny-all before any policy');
  assert.match(await (await fetch(`${denyAll.adminUrl}/readyz`)).text(), /^ready/);
  // The waiting proxy answers /readyz 503 with the reason, and has no SOCKS listener yet.
  let body = '';
  for (let i = 0; i < 50 && !body.includes('waiting'); i++) {
    body = await fetch(`http://127.0.0.1:${adminPort}/readyz`).then((r) => r.text(), () => '');
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(body, 'not ready: waiting for the first policy snapshot from the control plane\n');
  const applied = await sockscaleCli(['apply', '-f', tempPolicy(allowAll(echo.port))], cp.grpc);
  assert.equal(applied.code, 0, applied.stderr);
  const waited = await waiting;
  cleanup.push(() => waited.stop());
  assert.equal(await connects(waited, echo.port), true);
  for (let i = 0; i < 50 && !(await connects(denyAll, echo.port)); i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(await connects(denyAll, echo.port), true, 'deny-all proxy took the real policy');
  assert.equal((await fetch(`http://127.0.0.1:${adminPort}/readyz`)).status, 200);
});

test('PolicyDiscovery/Get: UNAVAILABLE before the first apply, then the snapshot with versions and hashed passwords', async () => {
  const cp = await ControlProcess.start({ store: 'memory' });
  cleanup.push(() => cp.stop());
  const proto = loadSockscaleProto();
  const client = new proto.sockscale.policy.v1.PolicyDiscovery(cp.grpc, grpc.credentials.createInsecure());
  const get = (): Promise<Snapshot__Output> =>
    new Promise((resolve, reject) => client.Get({ node: { id: 'debug' } }, { deadline: Date.now() + 5000 }, (e, r) => (e !== null ? reject(e) : resolve(r!))));
  try {
    await assert.rejects(get(), (e: grpc.ServiceError) => e.code === grpc.status.UNAVAILABLE && /no policy snapshot yet/.test(e.details));
    const user = 'apiVersion: sockscale.io/v1alpha1\nkind: SocksUser\nmetadata: {name: alice}\nspec: {groups: [staff], password: {value: wonderland}}\n';
    assert.equal((await sockscaleCli(['apply', '-f', tempPolicy(user + '---\n' + allowAll(1))], cp.grpc)).code, 0);
    let snap = await get().catch(() => undefined);
    for (let i = 0; i < 50 && snap === undefined; i++) snap = await new Promise((r) => setTimeout(r, 50)).then(() => get().catch(() => undefined));
    assert.ok(snap !== undefined);
    assert.equal(snap.version, 1);
    assert.deepEqual(snap.objects.map((o) => [o.kind, o.name, o.generation]), [['SocksPolicy', 'open', 1], ['SocksUser', 'alice', 1]]);
    const spec = snap.objects[1]!.specJson;
    assert.doesNotMatch(spec, /wonderland/, 'no plain-text password leaves the control plane');
    assert.match(spec, /"hash":"\$scrypt\$/);
    // Re-applying the same plain-text password keeps the stored hash: unchanged, no new version.
    const again = await sockscaleCli(['apply', '-f', tempPolicy(user)], cp.grpc);
    assert.match(again.out, /socksuser\.sockscale\.io\/alice unchanged/);
  } finally {
    client.close();
  }
});

test('--store file: objects survive a control-plane restart', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'sockscale-cpfile-')), 'state.json');
  const cp1 = await ControlProcess.start({ store: `file:${file}` });
  assert.equal((await sockscaleCli(['apply', '-f', tempPolicy(allowAll(1234))], cp1.grpc)).code, 0);
  await cp1.stop();
  const cp2 = await ControlProcess.start({ store: `file:${file}` });
  cleanup.push(() => cp2.stop());
  const got = await sockscaleCli(['get', 'policies'], cp2.grpc);
  assert.match(got.out, /^open\s+1000\s+anonymous\s+1\s+1$/m);
});

test('option errors are all reported at once with exit 2', async () => {
  const serveBad = await SockscaleProcess.runToExit(['serve', '--control-plane', 'nohost', '--initial-policy', 'maybe', '--max-policy-rules', '0']);
  assert.equal(serveBad.code, 2);
  assert.match(serveBad.stderr, /--control-plane: "nohost" is not HOST:PORT/);
  assert.match(serveBad.stderr, /--initial-policy: "maybe" is not one of wait, fail, deny-all/);
  assert.match(serveBad.stderr, /--max-policy-rules: "0" is not a positive integer/);
  const both = await SockscaleProcess.runToExit(['serve', '--control-plane', '127.0.0.1:1', '--policy', 'x.yaml']);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /give --policy \(files\) or --control-plane, not both/);
  const controlBad = await SockscaleProcess.runToExit(['control', '--grpc', 'x', '--etcd', 'ftp://a', '--admin-token-file', '/nonexistent']);
  assert.equal(controlBad.code, 2);
  assert.match(controlBad.stderr, /--grpc: "x" is not HOST:PORT/);
  assert.match(controlBad.stderr, /--etcd: "ftp:\/\/a": scheme must be http or https/);
  assert.match(controlBad.stderr, /--admin-token-file: cannot read \/nonexistent: ENOENT/);
  const noStore = await SockscaleProcess.runToExit(['control']);
  assert.equal(noStore.code, 2);
  assert.match(noStore.stderr, /a store is required/);
  const getBad = await SockscaleProcess.runToExit(['get', 'pods', '--server', '127.0.0.1:1']);
  assert.equal(getBad.code, 2);
  assert.match(getBad.stderr, /unknown resource "pods"/);
  const applyNoFile = await SockscaleProcess.runToExit(['apply']);
  assert.equal(applyNoFile.code, 2);
  const applyInvalid = await SockscaleProcess.runToExit(['apply', '-f', tempPolicy('apiVersion: sockscale.io/v1alpha1\nkind: SocksPolicy\nmetadata: {name: bad}\nspec: {rules: [{action: Maybe}]}\n'), '--server', '127.0.0.1:1']);
  assert.equal(applyInvalid.code, 1);
  assert.match(applyInvalid.stderr, /policy\.yaml:4:\d+ document 1 SocksPolicy\/bad: spec\.rules\[0\]\.action/);
  assert.match(applyInvalid.stderr, /nothing sent/);
  const unreachable = await SockscaleProcess.runToExit(['get', 'users', '--server', `127.0.0.1:${await freePort()}`, '--token', 'x', '--timeout', '2s']);
  assert.equal(unreachable.code, 1);
  assert.match(unreachable.stderr, /UNAVAILABLE|DEADLINE_EXCEEDED/);
});
