import assert from 'node:assert/strict';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, it } from 'node:test';
import { API_VERSION, createMetricsRegistry, createRootLogger, type PolicySnapshot, type RuleLimits } from '@sockscale/common';
import { ProxyServer } from '../server';
import { encodeUdpHeader } from '../socks5';

// In-process: limits that appear while sessions are open (a reload adds a rule limit, a user
// rate is set at run time) apply in place to open sessions without closing them, the tighter of
// a rule and a user limit wins; UDP datagrams are held to the rule's limit and to the user rate
// (policed: dropped and counted).

function snapshot(version: number, limits: RuleLimits | undefined): PolicySnapshot {
  const rule: PolicySnapshot['policies'][number]['spec']['rules'][number] = { name: 'lab', action: 'Allow', commands: ['Connect', 'UdpAssociate'], destinations: ['127.0.0.0/8'], ports: [] };
  if (limits !== undefined) rule.limits = limits;
  return {
    version,
    users: [],
    policies: [
      {
        apiVersion: API_VERSION,
        kind: 'SocksPolicy',
        metadata: { name: 'anon' },
        spec: { priority: 1, subjects: { users: [], groups: [], anonymous: true, clientCIDRs: ['127.0.0.0/8'] }, rules: [rule] },
      },
    ],
  };
}

let proxy: ProxyServer;
let port = 0;
let hosePort = 0;
const hoseSockets = new Set<Socket>();
const hose = createServer((s) => {
  hoseSockets.add(s);
  s.on('error', () => undefined);
  const chunk = Buffer.alloc(8192, 1);
  const pump = (): void => {
    while (!s.destroyed && s.write(chunk));
  };
  s.on('drain', pump);
  pump();
});

before(async () => {
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  proxy = new ProxyServer({ logger: createRootLogger({ level: 'silent', format: 'json', destination: sink }), registry: createMetricsRegistry() });
  proxy.applySnapshot(snapshot(1, undefined));
  port = (await proxy.listen('127.0.0.1', 0)).port;
  await new Promise<void>((r) => hose.listen(0, '127.0.0.1', r));
  hosePort = (hose.address() as AddressInfo).port;
});
after(async () => {
  for (const s of hoseSockets) s.destroy();
  hose.close();
  await proxy.drain(100);
});

/** Greeting (no auth) and one request; resolves with the socket and the reply. */
async function socks(cmd: number, dstPort: number): Promise<{ s: Socket; reply: Buffer }> {
  const s = connect(port, '127.0.0.1');
  s.on('error', () => undefined);
  await once(s, 'connect');
  const req = Buffer.from([5, 1, 0, 5, cmd, 0, 1, 127, 0, 0, 1, 0, 0]);
  req.writeUInt16BE(dstPort, 11);
  s.write(req);
  let buf = Buffer.alloc(0);
  while (buf.length < 12) buf = Buffer.concat([buf, (await once(s, 'data'))[0] as Buffer]);
  s.pause();
  return { s, reply: buf.subarray(2, 12) };
}

async function rateOver(s: Socket, ms: number): Promise<number> {
  let n = 0;
  const onData = (d: Buffer): void => void (n += d.length);
  s.on('data', onData);
  s.resume();
  await new Promise((r) => setTimeout(r, ms));
  s.removeListener('data', onData);
  return (n * 1000) / ms;
}

let version = 1;

async function rateLimitedDrops(): Promise<number> {
  return (await proxy.metrics.udpDropped.get()).values.find((v) => v.labels.reason === 'rate_limited')?.value ?? 0;
}

it('a reload that adds a bandwidth limit to the rule slows an open, unlimited tunnel in place', async () => {
  const { s, reply } = await socks(1, hosePort);
  assert.equal(reply[1], 0);
  let closed = false;
  s.on('close', () => (closed = true));
  try {
    await rateOver(s, 200);
    const before = await rateOver(s, 500);
    assert.ok(before > 2_000_000, `unlimited at first: ${Math.round(before)} B/s`);
    proxy.applySnapshot(snapshot(++version, { bandwidth: { down: 300_000 } }));
    await rateOver(s, 400); // socket buffers drain, the bucket's burst is spent
    const after = await rateOver(s, 2000);
    assert.ok(after > 300_000 * 0.7 && after < 300_000 * 1.3, `after the reload: ${Math.round(after)} B/s, limit 300000 (±30%)`);
    assert.equal(closed, false, 'the tunnel was closed');
    assert.equal(s.destroyed, false);
  } finally {
    proxy.applySnapshot(snapshot(++version, undefined));
    s.destroy();
  }
});

it('a user rate set at run time applies in place to a tunnel that started with no limit', async () => {
  const { s, reply } = await socks(1, hosePort);
  assert.equal(reply[1], 0);
  try {
    await rateOver(s, 200);
    assert.ok((await rateOver(s, 500)) > 2_000_000, 'unlimited at first');
    proxy.limits.setUserBandwidth('anonymous@127.0.0.1', { down: 200_000 });
    await rateOver(s, 400);
    const limited = await rateOver(s, 1500);
    assert.ok(limited > 200_000 * 0.7 && limited < 200_000 * 1.3, `user rate: ${Math.round(limited)} B/s, limit 200000 (±30%)`);
    assert.equal(s.destroyed, false);
  } finally {
    proxy.limits.setUserBandwidth('anonymous@127.0.0.1', undefined);
    s.destroy();
  }
});

/**
 * One UDP association; 100 datagrams of 1000 B sent at once towards an echo target. A 20 kB/s
 * bucket (burst 2 kB) lets only a few through: the rest must be counted as rate_limited. (A few
 * of the 100 may be lost by the loopback socket buffers themselves.)
 */
async function assertUdpBurstPoliced(): Promise<void> {
  const echo: UdpSocket = createSocket('udp4');
  let received = 0;
  echo.on('message', () => void received++);
  await new Promise<void>((r) => echo.bind(0, '127.0.0.1', r));
  const { s, reply } = await socks(3, 0);
  const client = createSocket('udp4');
  try {
    assert.equal(reply[1], 0);
    const relayPort = reply.readUInt16BE(8);
    await new Promise<void>((r) => client.bind(0, '127.0.0.1', r));
    const datagram = Buffer.concat([encodeUdpHeader('127.0.0.1', echo.address().port), Buffer.alloc(1000, 7)]);
    const before = await rateLimitedDrops();
    for (let i = 0; i < 100; i++) client.send(datagram, relayPort, '127.0.0.1');
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(received >= 1 && received <= 12, `delivered ${received} of 100`);
    const limited = (await rateLimitedDrops()) - before;
    assert.ok(limited >= 80 && limited + received <= 100, `rate_limited ${limited}, delivered ${received}`);
  } finally {
    client.close();
    echo.close();
    s.destroy();
  }
}

it('UDP datagrams are held to the bandwidth limit of the rule that allowed them', async () => {
  proxy.applySnapshot(snapshot(++version, { bandwidth: { up: 20_000 } }));
  try {
    await assertUdpBurstPoliced();
  } finally {
    proxy.applySnapshot(snapshot(++version, undefined));
  }
});

it('a user rate set at run time applies in place to an open, rule-limited session (the tighter wins)', async () => {
  proxy.applySnapshot(snapshot(++version, { bandwidth: { down: 400_000 } }));
  const { s, reply } = await socks(1, hosePort);
  assert.equal(reply[1], 0);
  try {
    await rateOver(s, 300);
    const ruleOnly = await rateOver(s, 1200);
    assert.ok(ruleOnly > 400_000 * 0.75 && ruleOnly < 400_000 * 1.25, `rule limit: ${Math.round(ruleOnly)} B/s`);
    proxy.limits.setUserBandwidth('anonymous@127.0.0.1', { down: 100_000 });
    await rateOver(s, 400);
    const both = await rateOver(s, 1200);
    assert.ok(both > 100_000 * 0.75 && both < 100_000 * 1.25, `user limit (tighter) now applies: ${Math.round(both)} B/s`);
  } finally {
    proxy.limits.setUserBandwidth('anonymous@127.0.0.1', undefined);
    proxy.applySnapshot(snapshot(++version, undefined));
    s.destroy();
  }
});

it('UDP datagrams beyond the user rate are dropped and counted', async () => {
  proxy.limits.setUserBandwidth('anonymous@127.0.0.1', { up: 20_000 });
  try {
    await assertUdpBurstPoliced();
  } finally {
    proxy.limits.setUserBandwidth('anonymous@127.0.0.1', undefined);
  }
});
