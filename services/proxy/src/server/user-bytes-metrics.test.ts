import assert from 'node:assert/strict';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, it } from 'node:test';
import { API_VERSION, createMetricsRegistry, createRootLogger, Registry, type PolicySnapshot } from '@sockscale/common';
import { ProxyServer } from './proxy-server';
import { ANONYMOUS_USER_LABEL, OTHER_USERS_LABEL, ProxyMetrics } from './proxy-metrics';

// sockscale_proxy_user_bytes_total through a real in-process ProxyServer: two users and an
// anonymous client push bytes over TCP (CONNECT) and UDP (UDP ASSOCIATE) to loopback echo
// servers; the per-user counters match the bytes each one sent and got back, with sessions
// still open (live counts) and after they closed (no double counting).

const user = (name: string): PolicySnapshot['users'][number] => ({ apiVersion: API_VERSION, kind: 'SocksUser', metadata: { name }, spec: { groups: [], password: { value: 'pw' }, disabled: false } });
const snapshot: PolicySnapshot = {
  version: 1,
  users: [user('alice'), user('bob')],
  policies: [
    {
      apiVersion: API_VERSION,
      kind: 'SocksPolicy',
      metadata: { name: 'lab' },
      spec: { priority: 1, subjects: { users: ['alice', 'bob'], groups: [], anonymous: true, clientCIDRs: [] }, rules: [{ name: 'loop', action: 'Allow', commands: ['Connect', 'UdpAssociate'], destinations: ['127.0.0.0/8'], ports: [] }] },
    },
  ],
};

let proxy: ProxyServer;
let registry: Registry;
let port = 0;
const echo = createServer({ allowHalfOpen: true }, (s) => {
  s.on('error', () => undefined);
  s.pipe(s);
});
const udpEcho: UdpSocket = createSocket('udp4', (msg, rinfo) => udpEcho.send(msg, rinfo.port, rinfo.address));

before(async () => {
  registry = createMetricsRegistry();
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  proxy = new ProxyServer({ logger: createRootLogger({ level: 'silent', format: 'json', destination: sink }), registry });
  proxy.applySnapshot(snapshot);
  port = (await proxy.listen('127.0.0.1', 0)).port;
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => udpEcho.bind(0, '127.0.0.1', r));
});
after(async () => {
  echo.close();
  udpEcho.close();
  await proxy.drain(100);
});

/** Reads from `s` until `n` bytes arrived in total (`buf` accumulates). */
function reader(s: Socket): (n: number) => Promise<Buffer> {
  let buf = Buffer.alloc(0);
  let waiter: (() => void) | undefined;
  s.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    waiter?.();
  });
  return async (n) => {
    while (buf.length < n) await new Promise<void>((r) => (waiter = r));
    const out = buf.subarray(0, n);
    buf = buf.subarray(n);
    return out;
  };
}

/** Greeting (+ RFC 1929 login) and a request; returns the socket, its reader and the reply's bound port. */
async function open(name: string | null, request: Buffer): Promise<{ s: Socket; read: (n: number) => Promise<Buffer>; boundPort: number }> {
  const s = connect(port, '127.0.0.1');
  s.on('error', () => undefined);
  await once(s, 'connect');
  const read = reader(s);
  if (name === null) {
    s.write(Buffer.from([5, 1, 0]));
    assert.deepEqual([...(await read(2))], [5, 0]);
  } else {
    s.write(Buffer.concat([Buffer.from([5, 1, 2, 1, name.length]), Buffer.from(name), Buffer.from([2]), Buffer.from('pw')]));
    assert.deepEqual([...(await read(4))], [5, 2, 1, 0]);
  }
  s.write(request);
  const reply = await read(10);
  assert.equal(reply[1], 0, 'request succeeded');
  return { s, read, boundPort: reply.readUInt16BE(8) };
}

/** A CONNECT session to the echo server; `bytes` sent and echoed; left open. */
async function tcpSession(name: string | null, bytes: number): Promise<{ s: Socket; read: (n: number) => Promise<Buffer> }> {
  const p = (echo.address() as AddressInfo).port;
  const { s, read } = await open(name, Buffer.from([5, 1, 0, 1, 127, 0, 0, 1, p >> 8, p & 0xff]));
  const payload = Buffer.alloc(bytes, 9);
  s.write(payload);
  assert.deepEqual(await read(bytes), payload);
  return { s, read };
}

async function close(s: Socket): Promise<void> {
  s.end();
  await once(s, 'close');
  for (let i = 0; i < 100 && proxy.activeSessions > 0; i++) await new Promise((r) => setTimeout(r, 10));
}

/** `sockscale_proxy_user_bytes_total` by user -> [up, down]. */
async function userBytes(): Promise<Map<string, [number, number]>> {
  const out = new Map<string, [number, number]>();
  for (const line of (await registry.metrics()).split('\n')) {
    const m = /^sockscale_proxy_user_bytes_total\{user="([^"]*)",direction="(up|down)"\} (\S+)$/.exec(line);
    if (m?.[1] === undefined) continue;
    const v = out.get(m[1]) ?? [0, 0];
    v[m[2] === 'up' ? 0 : 1] = Number(m[3]);
    out.set(m[1], v);
  }
  return out;
}

it('counts payload bytes per user (TCP and UDP, live and finished sessions), anonymous as _anonymous', async () => {
  const a1 = await tcpSession('alice', 1000);
  await close(a1.s);
  const b1 = await tcpSession('bob', 3000);
  const anon = await tcpSession(null, 500);
  // bob and the anonymous client are still connected: their live counts are in the scrape.
  assert.deepEqual(
    await userBytes(),
    new Map([
      ['alice', [1000, 1000]],
      ['bob', [3000, 3000]],
      [ANONYMOUS_USER_LABEL, [500, 500]],
    ]),
  );
  // More bytes on the open session; then it closes: counted once.
  b1.s.write(Buffer.alloc(700, 1));
  await b1.read(700);
  await close(b1.s);
  await close(anon.s);
  assert.deepEqual((await userBytes()).get('bob'), [3700, 3700]);

  // UDP ASSOCIATE as alice: two datagrams of 100 payload bytes to the UDP echo server and back.
  const ctl = await open('alice', Buffer.from([5, 3, 0, 1, 0, 0, 0, 0, 0, 0]));
  const client = createSocket('udp4');
  await new Promise<void>((r) => client.bind(0, '127.0.0.1', r));
  const target = udpEcho.address().port;
  const header = Buffer.from([0, 0, 0, 1, 127, 0, 0, 1, target >> 8, target & 0xff]);
  for (let i = 0; i < 2; i++) {
    const got = once(client, 'message');
    client.send(Buffer.concat([header, Buffer.alloc(100, i)]), ctl.boundPort, '127.0.0.1');
    const [msg] = (await got) as [Buffer];
    assert.equal(msg.length, 10 + 100);
  }
  assert.deepEqual((await userBytes()).get('alice'), [1200, 1200], 'UDP payload added to the TCP bytes while the association is open');
  client.close();
  await close(ctl.s);
  const final = await userBytes();
  assert.deepEqual(final.get('alice'), [1200, 1200], 'and kept after it closed');
  // The per-user counters add up to the proxy's byte counter.
  const total = /^sockscale_proxy_bytes_total\{direction="up"\} (\S+)$/m.exec(await registry.metrics());
  assert.equal(Number(total?.[1]), [...final.values()].reduce((n, v) => n + v[0], 0));
});

it('folds users beyond the cap into _other; counters never go down', async () => {
  const r = new Registry();
  const live: [string | null, number, number][] = [];
  const m = new ProxyMetrics(r, () => ({ up: 0, down: 0 }), (visit) => live.forEach(([u, up, down]) => visit(u, up, down)), 2);
  const scrape = async (): Promise<Record<string, number>> => {
    const out: Record<string, number> = {};
    for (const line of (await r.metrics()).split('\n')) {
      const x = /^sockscale_proxy_user_bytes_total\{user="([^"]*)",direction="up"\} (\S+)$/.exec(line);
      if (x?.[1] !== undefined) out[x[1]] = Number(x[2]);
    }
    return out;
  };
  m.addClosedBytes(10, 1, 'u1');
  m.addClosedBytes(0, 0, 'failed-login'); // no bytes: takes no slot
  live.push(['u2', 20, 2], ['u3', 30, 3], [null, 5, 5]);
  assert.deepEqual(await scrape(), { u1: 10, u2: 20, [OTHER_USERS_LABEL]: 30, [ANONYMOUS_USER_LABEL]: 5 });
  // u3's live session ends; u4 arrives: both are beyond the cap, u2 keeps its slot.
  live.splice(1, 1);
  m.addClosedBytes(31, 3, 'u3');
  m.addClosedBytes(7, 0, 'u4');
  assert.deepEqual(await scrape(), { u1: 10, u2: 20, [OTHER_USERS_LABEL]: 38, [ANONYMOUS_USER_LABEL]: 5 });
  live.length = 0;
  m.addClosedBytes(25, 2, 'u2');
  m.addClosedBytes(6, 6, null);
  assert.deepEqual(await scrape(), { u1: 10, u2: 25, [OTHER_USERS_LABEL]: 38, [ANONYMOUS_USER_LABEL]: 6 });
});
