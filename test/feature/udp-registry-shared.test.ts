import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { SocksClient } from 'socks';
import { loadSockscaleProto } from '@sockscale/common';
import { ControlProcess, sockscaleCli } from '../helpers/control-process';
import { EtcdProcess } from '../helpers/etcd';
import { TcpFront, UdpFront } from '../helpers/fronts';
import { REPO_ROOT, SockscaleProcess, tempPolicy } from '../helpers/sockscale-process';
import { startUdpEcho, type UdpEcho } from '../helpers/targets';
import { requirePySocks } from '../helpers/tools';
import { run } from '../helpers/run';
import { associate, closeAssociation, listRegistry, relayPortOf, roundTrips, untilRegistry } from '../helpers/udp-cluster';

// Shared-address mode on loopback: a real etcd, one control plane, 3 proxies on 127.0.1.1-3 that
// all advertise the UDP front's one address; a TCP front round-robins SOCKS connections and a
// UDP front hashes each datagram's 5-tuple to a proxy (tests/helpers/fronts.ts). Both fronts
// masquerade clients as 127.0.1.20. Tests run in order on one cluster.

const PYTHON = requirePySocks();
const SCRIPT = join(REPO_ROOT, 'test', 'fixtures', 'pysocks_udp.py');
const FRONT = '127.0.1.10';
const MASQ = '127.0.1.20';
const TTL_S = 2;

let etcd: EtcdProcess;
let cp: ControlProcess;
let tcpFront: TcpFront;
let udpFront: UdpFront;
let echo: UdpEcho;
const proxies: SockscaleProcess[] = [];

const POLICY = `
apiVersion: sockscale.io/v1alpha1
kind: SocksUser
metadata: {name: alice}
spec: {groups: [staff], password: {value: wonderland}}
---
apiVersion: sockscale.io/v1alpha1
kind: SocksUser
metadata: {name: bob}
spec: {groups: [guests], password: {value: builder}}
---
apiVersion: sockscale.io/v1alpha1
kind: SocksPolicy
metadata: {name: udp-lab}
spec:
  priority: 100
  subjects: {anonymous: true, groups: [staff, guests], clientCIDRs: ["127.0.0.0/8"]}
  rules:
    - {name: echo, action: Allow, commands: [UdpAssociate], destinations: ["127.0.0.1/32"]}
`;

async function sum(metric: string, labels: Record<string, string> = {}): Promise<number[]> {
  return Promise.all(proxies.filter((p) => p.child.exitCode === null && p.child.signalCode === null).map((p) => p.metric(metric, labels)));
}

before(async () => {
  [etcd, echo] = await Promise.all([EtcdProcess.start(), startUdpEcho('udp4', '127.0.0.1')]);
  cp = await ControlProcess.start({ etcd: etcd.url });
  const applied = await sockscaleCli(['apply', '-f', tempPolicy(POLICY)], cp.grpc);
  assert.equal(applied.code, 0, applied.stderr);
  udpFront = await UdpFront.start(FRONT, MASQ, []);
  proxies.push(
    ...(await Promise.all(
      [1, 2, 3].map((i) =>
        SockscaleProcess.start({
          policy: [],
          args: ['--listen', `127.0.1.${i}:0`, '--control-plane', cp.grpc, '--node-id', `proxy-${i}`, '--udp-mode', 'shared', '--udp-listen', `127.0.1.${i}:0`, '--udp-advertise', `${FRONT}:${udpFront.port}`, '--udp-lease-ttl', `${TTL_S}s`],
        }),
      ),
    )),
  );
  udpFront.backends = proxies.map(relayPortOf);
  tcpFront = await TcpFront.start(FRONT, MASQ, proxies.map((p) => ({ host: p.socksHost, port: p.socksPort })));
  await untilRegistry(cp.grpc, (r) => r.relays.length === 3, 5000, '3 relays registered');
});

after(async () => {
  await Promise.all(proxies.map((p) => p.stop()));
  await cp?.stop();
  await tcpFront?.close();
  udpFront?.close();
  echo?.close();
  await etcd?.destroy();
});

test('every proxy registers its relay with the shared advertised address and its internal address', async () => {
  const r = await listRegistry(cp.grpc);
  assert.deepEqual(r.relays.map((x) => x.id).sort(), ['proxy-1', 'proxy-2', 'proxy-3']);
  for (const relay of r.relays) {
    assert.equal(relay.mode, 'shared');
    assert.deepEqual(relay.advertised.map((e) => `${e.host}:${e.port}`), [`${FRONT}:${udpFront.port}`]);
    assert.match(relay.internal?.host ?? '', /^127\.0\.1\.[123]$/);
  }
  assert.equal(r.associations.length, 0);
});

test('bad registry input gets a clear gRPC status naming what was wrong', async () => {
  const proto = loadSockscaleProto();
  const c = new proto.sockscale.relay.v1.RelayRegistry(cp.grpc, grpc.credentials.createInsecure());
  const call = (method: 'Register' | 'KeepAlive', req: object): Promise<grpc.ServiceError | null> =>
    new Promise((resolve) => (c[method] as (r: object, o: grpc.CallOptions, cb: (e: grpc.ServiceError | null) => void) => void).call(c, req, { deadline: Date.now() + 5000 }, (e) => resolve(e)));
  const bad = await call('Register', { relay: { id: 'a/b', mode: 'anycast', advertised: [], internal: { host: '', port: 0 } }, ttlSeconds: 1 });
  assert.equal(bad?.code, grpc.status.INVALID_ARGUMENT);
  for (const want of [/relay\.id: "a\/b" must be/, /relay\.mode: "anycast" is not one of per-pod, shared/, /relay\.advertised: 1-16 endpoints required, got 0/, /relay\.internal\.host: required/, /ttl_seconds: 1 is not in 2-300/]) assert.match(bad?.details ?? '', want);
  const gone = await call('KeepAlive', { leaseId: '12345' });
  assert.equal(gone?.code, grpc.status.NOT_FOUND);
  assert.match(gone?.details ?? '', /relay lease 12345 not found \(expired or revoked\); register again/);
  c.close();
});

test('PySocks through the fronts: 6 clients x 100 echo round trips, at most 1% lost, some relayed on behalf of the owner', async () => {
  const before = (await sum('sockscale_proxy_udp_relayed_on_behalf_total')).reduce((a, b) => a + b, 0);
  const runs = await Promise.all(
    [0, 1, 2, 3, 4, 5].map((i) =>
      run(PYTHON, [SCRIPT, FRONT, String(tcpFront.port), '127.0.0.1', String(echo.port), '100', '512', ...(i % 2 === 0 ? [] : ['alice', 'wonderland'])], { timeoutMs: 60_000 }),
    ),
  );
  let sent = 0;
  let intact = 0;
  for (const r of runs) {
    assert.equal(r.code, 0, r.stderr.toString());
    const out = JSON.parse(r.stdout.toString()) as { sent: number; intact: number };
    sent += out.sent;
    intact += out.intact;
  }
  assert.equal(sent, 600);
  assert.ok(intact >= 594, `intact ${intact}/600`);
  const after = (await sum('sockscale_proxy_udp_relayed_on_behalf_total')).reduce((a, b) => a + b, 0);
  process.stdout.write(`# PySocks shared mode: ${intact}/600 intact, ${after - before} datagrams relayed on behalf of another proxy\n`);
  await untilRegistry(cp.grpc, (r) => r.associations.length === 0, 2000, 'associations removed after the PySocks sessions closed');
});

test('npm socks: an association owned by proxy A whose datagrams land on proxy B works, is charged to the user, and stops within 1 s of the TCP session closing', async () => {
  const owner = tcpFront.last >= 0 ? (tcpFront.last + 1) % 3 : 0; // the next connection's backend
  // A client port whose datagrams the UDP front hashes to another proxy than the owner.
  const a = await associate({ host: FRONT, port: tcpFront.port }, { user: ['alice', 'wonderland'], acceptPort: (p) => udpFront.backendFor('127.0.0.1', p) !== owner });
  assert.equal(tcpFront.last, owner);
  const lander = udpFront.backendFor('127.0.0.1', a.udp.address().port);
  assert.deepEqual(a.relay, { host: FRONT, port: udpFront.port }, 'the reply names the shared address');
  const reg = await listRegistry(cp.grpc);
  const rec = reg.associations.find((x) => x.owner === `proxy-${owner + 1}`);
  assert.ok(rec !== undefined, `association recorded for the owner: ${JSON.stringify(reg.associations)}`);
  assert.equal(rec.user, 'alice');
  assert.deepEqual(rec.client, { host: MASQ, port: a.udp.address().port });

  const onBehalfBefore = await proxies[lander]!.metric('sockscale_proxy_udp_relayed_on_behalf_total');
  const ok = await roundTrips(a, echo.port, 200, 300);
  assert.ok(ok >= 198, `${ok}/200 round trips`);
  const onBehalf = (await proxies[lander]!.metric('sockscale_proxy_udp_relayed_on_behalf_total')) - onBehalfBefore;
  assert.ok(onBehalf >= 200, `proxy-${lander + 1} relayed ${onBehalf} datagrams for proxy-${owner + 1}`);

  // Close the TCP session: the lander stops relaying within 1 s (its access-log line says so).
  const echoed = echo.received;
  const closedAt = Date.now();
  a.tcp.destroy();
  const line = await proxies[lander]!.waitForLog((l) => l.msg === 'udp relay on behalf' && l.association === `proxy-${owner + 1}/${rec.id}`, 1000);
  const stopMs = Date.now() - closedAt;
  assert.equal(line.outcome, 'owner_closed');
  assert.equal(line.user, 'alice', 'usage on the relaying proxy is charged to the owner\'s user');
  assert.ok((line.bytesUp as number) >= 198 * 300 && (line.bytesDown as number) >= 198 * 300, JSON.stringify(line));
  const ownerLine = await proxies[owner]!.waitForLog((l) => l.msg === 'session' && l.command === 'udp_associate' && l.user === 'alice' && l.bytesUp === 0, 2000);
  assert.equal(ownerLine.outcome, 'success');
  // After the stop, datagrams from the same client are not relayed any more: held while the
  // registry is asked, then dropped as a stranger's.
  const strangerBefore = await proxies[lander]!.metric('sockscale_proxy_udp_dropped_total', { reason: 'stranger' });
  a.udp.send(SocksClient.createUDPFrame({ remoteHost: { host: '127.0.0.1', port: echo.port }, data: Buffer.from('late') }), a.relay.port, a.relay.host);
  for (let i = 0; i < 30 && (await proxies[lander]!.metric('sockscale_proxy_udp_dropped_total', { reason: 'stranger' })) === strangerBefore; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(await proxies[lander]!.metric('sockscale_proxy_udp_dropped_total', { reason: 'stranger' }), strangerBefore + 1, 'the late datagram is dropped');
  assert.equal(echo.received, echoed, 'nothing relayed after the session ended');
  a.udp.close();
  process.stdout.write(`# shared mode: proxy-${lander + 1} relayed ${onBehalf} datagrams for proxy-${owner + 1}; stopped ${stopMs} ms after the TCP close\n`);
});

test('datagrams from a stranger\'s address are dropped and counted; nothing reaches the destination', async () => {
  const a = await associate({ host: FRONT, port: tcpFront.port }, { user: ['bob', 'builder'] });
  assert.equal(await roundTrips(a, echo.port, 5), 5);
  const before = (await sum('sockscale_proxy_udp_dropped_total', { reason: 'stranger' })).reduce((x, y) => x + y, 0);
  const echoed = echo.received;
  // Same masqueraded IP as the client, another port: a stranger.
  const s2 = createSocket('udp4');
  await new Promise<void>((r) => s2.bind(0, '127.0.0.1', r));
  for (let i = 0; i < 5; i++) s2.send(SocksClient.createUDPFrame({ remoteHost: { host: '127.0.0.1', port: echo.port }, data: Buffer.from('intruder') }), a.relay.port, a.relay.host);
  // A stranger is held for at most 1 s while the registry is asked, then dropped.
  let dropped = 0;
  for (let i = 0; i < 40 && dropped < 5; i++) {
    await new Promise((r) => setTimeout(r, 100));
    dropped = (await sum('sockscale_proxy_udp_dropped_total', { reason: 'stranger' })).reduce((x, y) => x + y, 0) - before;
  }
  assert.equal(dropped, 5, 'five stranger datagrams counted');
  assert.equal(echo.received, echoed, 'none reached the echo server');
  s2.close();
  await closeAssociation(a);
});

test('a proxy killed with SIGKILL: its registrations vanish after the lease TTL; the registry returns to zero associations', async () => {
  const victim = proxies[2]!;
  // Held directly on the victim (no front), so the victim owns it.
  const a = await associate({ host: victim.socksHost, port: victim.socksPort }, { user: ['alice', 'wonderland'] });
  await untilRegistry(cp.grpc, (r) => r.associations.some((x) => x.owner === 'proxy-3'), 2000, 'victim association recorded');
  victim.child.kill('SIGKILL');
  const killedAt = Date.now();
  await new Promise((r) => victim.child.once('exit', r));
  const still = await listRegistry(cp.grpc);
  assert.ok(still.relays.some((r) => r.id === 'proxy-3'), 'held by the lease right after the kill');
  await untilRegistry(cp.grpc, (r) => !r.relays.some((x) => x.id === 'proxy-3') && !r.associations.some((x) => x.owner === 'proxy-3'), TTL_S * 1000 + 3000, 'victim entries removed');
  const goneMs = Date.now() - killedAt;
  process.stdout.write(`# SIGKILL: registry entries gone ${goneMs} ms after the kill (lease TTL ${TTL_S} s)\n`);
  a.udp.close();
  a.tcp.destroy();
  const r = await listRegistry(cp.grpc);
  assert.equal(r.associations.length, 0, JSON.stringify(r.associations));
  assert.deepEqual(r.relays.map((x) => x.id).sort(), ['proxy-1', 'proxy-2']);
  for (const p of proxies.slice(0, 2)) assert.match(await p.metrics(), /sockscale_proxy_udp_relay_associations\{owner="remote"\} 0/);
});
