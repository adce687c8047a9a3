import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ControlProcess, sockscaleCli } from '../helpers/control-process';
import { TcpFront, UdpFront } from '../helpers/fronts';
import { REPO_ROOT, SockscaleProcess, tempPolicy } from '../helpers/sockscale-process';
import { startUdpEcho, type UdpEcho } from '../helpers/targets';
import { requirePySocks } from '../helpers/tools';
import { run } from '../helpers/run';
import { associate, closeAssociation, listRegistry, relayPortOf, roundTrips, untilRegistry } from '../helpers/udp-cluster';

// Per-pod mode on loopback with the control plane's memory store (`control --store memory`):
// 3 proxies on 127.0.1.1-3, each with one relay port that a per-pod UDP forwarder on the front
// address exposes (node IP + hostPort, or a per-pod Service); a TCP front round-robins SOCKS
// connections. Each UDP ASSOCIATE reply names the owning proxy's advertised endpoint.

const PYTHON = requirePySocks();
const SCRIPT = join(REPO_ROOT, 'test', 'fixtures', 'pysocks_udp.py');
const FRONT = '127.0.1.10';
const MASQ = '127.0.1.20';
const TTL_S = 2;

let cp: ControlProcess;
let tcpFront: TcpFront;
const forwarders: UdpFront[] = [];
let echo: UdpEcho;
const proxies: SockscaleProcess[] = [];

const POLICY = `
apiVersion: sockscale.io/v1alpha1
kind: SocksUser
metadata: {name: alice}
spec: {groups: [staff], password: {value: wonderland}}
---
apiVersion: sockscale.io/v1alpha1
kind: SocksPolicy
metadata: {name: udp-lab}
spec:
  priority: 100
  subjects: {anonymous: true, groups: [staff], clientCIDRs: ["127.0.0.0/8"]}
  rules:
    - {name: echo, action: Allow, commands: [UdpAssociate], destinations: ["127.0.0.1/32"]}
`;

before(async () => {
  [cp, echo] = await Promise.all([ControlProcess.start({ store: 'memory' }), startUdpEcho('udp4', '127.0.0.1')]);
  const applied = await sockscaleCli(['apply', '-f', tempPolicy(POLICY)], cp.grpc);
  assert.equal(applied.code, 0, applied.stderr);
  forwarders.push(...(await Promise.all([0, 1, 2].map(() => UdpFront.start(FRONT, MASQ, [])))));
  proxies.push(
    ...(await Promise.all(
      [1, 2, 3].map((i) =>
        SockscaleProcess.start({
          policy: [],
          args: ['--listen', `127.0.1.${i}:0`, '--control-plane', cp.grpc, '--node-id', `pod-${i}`, '--udp-mode', 'per-pod', '--udp-listen', `127.0.1.${i}:0`, '--udp-advertise', `${FRONT}:${forwarders[i - 1]!.port}`, '--udp-lease-ttl', `${TTL_S}s`],
        }),
      ),
    )),
  );
  proxies.forEach((p, i) => (forwarders[i]!.backends = [relayPortOf(p)]));
  tcpFront = await TcpFront.start(FRONT, MASQ, proxies.map((p) => ({ host: p.socksHost, port: p.socksPort })));
  await untilRegistry(cp.grpc, (r) => r.relays.length === 3, 5000, '3 relays registered');
});

after(async () => {
  await Promise.all(proxies.map((p) => p.stop()));
  await cp?.stop();
  await tcpFront?.close();
  for (const f of forwarders) f.close();
  echo?.close();
});

test('PySocks through the fronts, anonymous and alice, 3 sessions each (one per proxy): at most 1% lost', async () => {
  for (const user of [[], ['alice', 'wonderland']]) {
    const runs = await Promise.all([0, 1, 2].map(() => run(PYTHON, [SCRIPT, FRONT, String(tcpFront.port), '127.0.0.1', String(echo.port), '100', '1200', ...user], { timeoutMs: 60_000 })));
    let intact = 0;
    for (const r of runs) {
      assert.equal(r.code, 0, r.stderr.toString());
      intact += (JSON.parse(r.stdout.toString()) as { intact: number }).intact;
    }
    assert.ok(intact >= 297, `${intact}/300 intact (${user[0] ?? 'anonymous'})`);
  }
  // Every proxy carried associations on its one relay port (no per-association sockets).
  for (const f of forwarders) assert.ok((f.forwarded[0] ?? 0) >= 100, `forwarded ${JSON.stringify(f.forwarded)}`);
  await untilRegistry(cp.grpc, (r) => r.associations.length === 0, 2000, 'associations removed after the sessions closed');
});

test('npm socks: the reply names the owner\'s advertised endpoint; the association is recorded while the session lives and removed after', async () => {
  const held = [];
  for (let i = 0; i < 3; i++) {
    const a = await associate({ host: FRONT, port: tcpFront.port }, { user: ['alice', 'wonderland'] });
    const owner = tcpFront.last;
    assert.deepEqual(a.relay, { host: FRONT, port: forwarders[owner]!.port }, `reply names pod-${owner + 1}'s endpoint`);
    assert.equal(await roundTrips(a, echo.port, 50), 50);
    held.push({ a, owner });
  }
  const r = await listRegistry(cp.grpc);
  assert.equal(r.associations.length, 3);
  for (const { a, owner } of held) {
    const rec = r.associations.find((x) => x.owner === `pod-${owner + 1}`);
    assert.ok(rec !== undefined);
    assert.equal(rec.user, 'alice');
    assert.deepEqual(rec.client, { host: MASQ, port: a.udp.address().port });
  }
  await Promise.all(held.map(({ a }) => closeAssociation(a)));
  const ms = await untilRegistry(cp.grpc, (x) => x.associations.length === 0, 1000, 'registry back to zero');
  process.stdout.write(`# per-pod: registry back to zero ${ms} ms after the TCP sessions closed\n`);
});

test('several associations without a port from one NATed IP: same user shares first come first bound; different users are refused as ambiguous', async () => {
  const pod = proxies[0]!;
  // Straight to pod-1, TCP and UDP (no fronts): every session comes from 127.0.0.1, as clients
  // behind one NAT do.
  const internal = relayPortOf(pod);
  const direct = async (o: { announce: boolean; user?: [string, string] }): Promise<Awaited<ReturnType<typeof associate>>> => {
    const a = await associate({ host: pod.socksHost, port: pod.socksPort }, o);
    assert.deepEqual(a.relay, { host: FRONT, port: forwarders[0]!.port }, 'reply names the advertised endpoint');
    return { ...a, relay: internal };
  };
  const a1 = await direct({ announce: false });
  const a2 = await direct({ announce: false });
  // Both anonymous: the first datagram from each port binds one waiting association.
  assert.equal(await roundTrips(a1, echo.port, 10), 10);
  assert.equal(await roundTrips(a2, echo.port, 10), 10);
  await Promise.all([closeAssociation(a1), closeAssociation(a2)]);
  const b1 = await direct({ announce: false });
  const b2 = await direct({ announce: false, user: ['alice', 'wonderland'] });
  const before = await pod.metric('sockscale_proxy_udp_dropped_total', { reason: 'ambiguous' });
  assert.equal(await roundTrips(b1, echo.port, 3, 64, 300), 0, 'anonymous and alice both waiting: refused');
  assert.equal((await pod.metric('sockscale_proxy_udp_dropped_total', { reason: 'ambiguous' })) - before, 3);
  await closeAssociation(b2);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(await roundTrips(b1, echo.port, 5), 5, 'once alone it binds');
  await closeAssociation(b1);
});

test('a proxy killed with SIGKILL disappears from the memory registry after the lease TTL', async () => {
  const victim = proxies[1]!;
  const a = await associate({ host: victim.socksHost, port: victim.socksPort });
  await untilRegistry(cp.grpc, (r) => r.associations.some((x) => x.owner === 'pod-2'), 2000, 'recorded');
  victim.child.kill('SIGKILL');
  await new Promise((r) => victim.child.once('exit', r));
  assert.ok((await listRegistry(cp.grpc)).relays.some((r) => r.id === 'pod-2'), 'still held by its lease');
  await untilRegistry(cp.grpc, (r) => !r.relays.some((x) => x.id === 'pod-2') && r.associations.length === 0, TTL_S * 1000 + 2000, 'lease expired');
  a.udp.close();
  a.tcp.destroy();
});

test('a proxy that drains (SIGTERM) deregisters at once, well before its lease would expire', async () => {
  const p = proxies[2]!;
  assert.ok((await listRegistry(cp.grpc)).relays.some((r) => r.id === 'pod-3'));
  const stopped = p.stop('SIGTERM');
  const ms = await untilRegistry(cp.grpc, (r) => !r.relays.some((x) => x.id === 'pod-3'), TTL_S * 1000 - 500, 'deregistered on drain');
  assert.equal(await stopped, 0);
  process.stdout.write(`# per-pod: relay gone ${ms} ms after SIGTERM (lease TTL ${TTL_S} s)\n`);
});
