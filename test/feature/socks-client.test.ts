import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { createSocket } from 'node:dgram';
import { randomBytes, createHash } from 'node:crypto';
import { SocksClient, type SocksProxy } from 'socks';
import { normalizeIp } from '@sockscale/common';
import { SockscaleProcess, tempPolicy } from '../helpers/sockscale-process';
import { startEchoServer, startUdpEcho, type TcpTarget, type UdpEcho } from '../helpers/targets';

// The npm `socks` client (CONNECT, BIND, UDP ASSOCIATE) against `sockscale serve`.
let proxy: SockscaleProcess;
let echo: TcpTarget;
let echo6: TcpTarget;
let udp4: UdpEcho;
let udp6: UdpEcho;
let forbidden: TcpTarget;

before(async () => {
  [echo, echo6, udp4, udp6, forbidden] = await Promise.all([startEchoServer('127.0.0.1'), startEchoServer('::1'), startUdpEcho('udp4', '127.0.0.1'), startUdpEcho('udp6', '::1'), startEchoServer('127.0.0.2')]);
  // The example policy plus one rule that denies the "forbidden" target's port on 127.0.0.2.
  const policy = tempPolicy(`
apiVersion: sockscale.io/v1alpha1
kind: SocksUser
metadata: {name: alice}
spec: {groups: [staff], password: {value: wonderland}}
---
apiVersion: sockscale.io/v1alpha1
kind: SocksPolicy
metadata: {name: staff}
spec:
  subjects: {groups: [staff]}
  rules:
    - {name: forbidden, action: Deny, destinations: ["127.0.0.2/32"], ports: ["${forbidden.port}"]}
    - {name: lab, action: Allow, destinations: ["127.0.0.0/8", "::1/128", "localhost"]}
`);
  proxy = await SockscaleProcess.start({ policy, args: ['--bind-timeout', '3s'] });
});
after(async () => {
  await proxy?.stop();
  await Promise.all([echo?.close(), echo6?.close(), forbidden?.close()]);
  udp4?.close();
  udp6?.close();
});

function socksProxy(): SocksProxy {
  return { host: proxy.socksHost, port: proxy.socksPort, type: 5, userId: 'alice', password: 'wonderland' };
}

async function roundTrip(sock: Socket, payload: Buffer): Promise<Buffer> {
  const chunks: Buffer[] = [];
  sock.on('data', (c: Buffer) => chunks.push(c));
  sock.end(payload); // half-close: the echo server answers everything, then closes its side
  await once(sock, 'end');
  sock.destroy();
  return Buffer.concat(chunks);
}

test('CONNECT to IPv4, IPv6 and a domain; 1 MiB echoes back intact through a half-close', async () => {
  for (const destination of [
    { host: '127.0.0.1', port: echo.port },
    { host: '::1', port: echo6.port },
    { host: 'localhost', port: echo.port },
  ]) {
    const { socket } = await SocksClient.createConnection({ proxy: socksProxy(), command: 'connect', destination, timeout: 10_000 });
    const payload = randomBytes(1 << 20);
    const back = await roundTrip(socket, payload);
    assert.equal(back.length, payload.length, JSON.stringify(destination));
    assert.ok(back.equals(payload));
  }
});

test('denied destination: reply 0x02 (NotAllowed) and the target sees no connection', async () => {
  const before = forbidden.connections;
  await assert.rejects(
    SocksClient.createConnection({ proxy: socksProxy(), command: 'connect', destination: { host: '127.0.0.2', port: forbidden.port }, timeout: 10_000 }),
    /NotAllowed|not allowed/i,
  );
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(forbidden.connections, before);
  const line = await proxy.waitForLog((l) => l.msg === 'session' && l.destination === `127.0.0.2:${forbidden.port}`);
  assert.equal(line.outcome, 'denied');
  assert.equal(line.rule, 'forbidden');
});

test('connection refused maps to reply 0x05', async () => {
  const closed = await startEchoServer('127.0.0.1');
  const port = closed.port;
  await closed.close();
  await assert.rejects(
    SocksClient.createConnection({ proxy: socksProxy(), command: 'connect', destination: { host: '127.0.0.1', port }, timeout: 10_000 }),
    /ConnectionRefused/,
  );
});

test('unknown host maps to reply 0x04', async () => {
  await assert.rejects(
    SocksClient.createConnection({ proxy: socksProxy(), command: 'connect', destination: { host: 'no-such-host.invalid', port: 80 }, timeout: 10_000 }),
    /HostUnreachable|NotAllowed/,
  );
});

test('BIND: first reply names the listening address, second the peer; data flows both ways', async () => {
  const client = new SocksClient({ proxy: socksProxy(), command: 'bind', destination: { host: '0.0.0.0', port: 0 }, timeout: 10_000 });
  const bound = once(client, 'bound') as Promise<[{ remoteHost: { host: string; port: number } }]>;
  const established = once(client, 'established') as Promise<[{ socket: Socket; remoteHost: { host: string; port: number } }]>;
  client.on('error', () => undefined);
  client.connect();
  const [{ remoteHost: listen }] = await bound;
  assert.equal(listen.host, '127.0.0.1');
  assert.ok(listen.port > 0);
  const peer = connect({ host: listen.host, port: listen.port });
  await once(peer, 'connect');
  const [{ socket, remoteHost: peerAddr }] = await established;
  assert.equal(peerAddr.host, '127.0.0.1');
  assert.equal(peerAddr.port, peer.localPort);
  peer.write('from-peer');
  const [got] = (await once(socket, 'data')) as [Buffer];
  assert.equal(got.toString(), 'from-peer');
  socket.write('from-client');
  const [got2] = (await once(peer, 'data')) as [Buffer];
  assert.equal(got2.toString(), 'from-client');
  socket.destroy();
  peer.destroy();
});

test('BIND with nobody connecting times out with reply 0x06', async () => {
  await assert.rejects(
    new Promise((resolve, reject) => {
      const client = new SocksClient({ proxy: socksProxy(), command: 'bind', destination: { host: '0.0.0.0', port: 0 }, timeout: 20_000 });
      client.on('error', reject);
      client.on('established', resolve);
      client.connect();
    }),
    /TTLExpired/,
  );
});

async function associate(): Promise<{ socket: Socket; remoteHost: { host: string; port: number } }> {
  const client = new SocksClient({ proxy: socksProxy(), command: 'associate', destination: { host: '0.0.0.0', port: 0 }, timeout: 10_000 });
  const established = new Promise<{ socket: Socket; remoteHost?: { host: string; port: number } }>((resolve, reject) => {
    client.once('established', resolve);
    client.once('error', reject);
  });
  client.connect();
  const { socket, remoteHost } = await established;
  assert.ok(remoteHost !== undefined, 'UDP ASSOCIATE reply names the relay');
  return { socket, remoteHost };
}

test('UDP ASSOCIATE: datagrams to IPv4, IPv6 and localhost echo back with the source in the header', async () => {
  const { socket, remoteHost } = await associate();
  const udp = createSocket('udp4');
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
  try {
    for (const target of [
      { host: '127.0.0.1', port: udp4.port },
      { host: '::1', port: udp6.port },
      { host: 'localhost', port: udp4.port },
    ]) {
      const data = randomBytes(512);
      const reply = once(udp, 'message') as Promise<[Buffer]>;
      udp.send(SocksClient.createUDPFrame({ remoteHost: target, data }), remoteHost.port, remoteHost.host);
      const [msg] = await reply;
      const frame = SocksClient.parseUDPFrame(msg);
      assert.ok(frame.data.equals(data), JSON.stringify(target));
      assert.equal(frame.remoteHost.port, target.port);
      // The socks client spells IPv6 in full; compare canonical forms.
      assert.equal(normalizeIp(frame.remoteHost.host), target.host === 'localhost' ? '127.0.0.1' : target.host);
    }
  } finally {
    udp.close();
    socket.destroy();
  }
  const line = await proxy.waitForLog((l) => l.msg === 'session' && l.command === 'udp_associate');
  assert.equal(line.outcome, 'success');
  assert.equal(line.user, 'alice');
  assert.equal(line.bytesUp, 3 * 512);
  assert.equal(line.bytesDown, 3 * 512);
});

test('UDP: datagrams from a stranger and fragments are dropped and counted; the association ends with its TCP connection', async () => {
  const { socket, remoteHost } = await associate();
  const me = createSocket('udp4');
  const stranger = createSocket('udp4');
  await Promise.all([new Promise<void>((r) => me.bind(0, '127.0.0.1', r)), new Promise<void>((r) => stranger.bind(0, '127.0.0.1', r))]);
  const droppedBefore = await proxy.metric('sockscale_proxy_udp_dropped_total', { reason: 'stranger' });
  const fragBefore = await proxy.metric('sockscale_proxy_udp_dropped_total', { reason: 'fragmented' });
  const frame = (data: Buffer): Buffer => SocksClient.createUDPFrame({ remoteHost: { host: '127.0.0.1', port: udp4.port }, data });
  // First datagram teaches the relay our port; the stranger's comes from another port.
  const first = once(me, 'message');
  me.send(frame(Buffer.from('hello')), remoteHost.port, remoteHost.host);
  await first;
  const echoedBefore = udp4.received;
  stranger.send(frame(Buffer.from('intruder')), remoteHost.port, remoteHost.host);
  const fragmented = frame(Buffer.from('frag'));
  fragmented[2] = 1;
  me.send(fragmented, remoteHost.port, remoteHost.host);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(udp4.received, echoedBefore, 'neither datagram reached the target');
  assert.equal(await proxy.metric('sockscale_proxy_udp_dropped_total', { reason: 'stranger' }), droppedBefore + 1);
  assert.equal(await proxy.metric('sockscale_proxy_udp_dropped_total', { reason: 'fragmented' }), fragBefore + 1);
  socket.destroy();
  await new Promise((r) => setTimeout(r, 300));
  me.send(frame(Buffer.from('after-close')), remoteHost.port, remoteHost.host);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(udp4.received, echoedBefore, 'nothing relayed after the TCP connection closed');
  me.close();
  stranger.close();
});

test('200 concurrent sessions each echo their own data', async () => {
  const n = 200;
  const results = await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const { socket } = await SocksClient.createConnection({ proxy: socksProxy(), command: 'connect', destination: { host: '127.0.0.1', port: echo.port }, timeout: 20_000 });
      const payload = randomBytes(16 * 1024 + i);
      const back = await roundTrip(socket, payload);
      return createHash('sha256').update(back).digest('hex') === createHash('sha256').update(payload).digest('hex');
    }),
  );
  assert.equal(results.filter(Boolean).length, n);
  // Everything closed: no session left behind.
  for (let i = 0; i < 50 && (await proxy.metric('sockscale_proxy_sessions_active')) > 0; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(await proxy.metric('sockscale_proxy_sessions_active'), 0);
});
