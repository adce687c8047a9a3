import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, it } from 'node:test';
import { API_VERSION, createMetricsRegistry, createRootLogger, type PolicySnapshot, type Registry } from '@sockscale/common';
import { ProxyServer } from './proxy-server';

// In-process sessions (no auth, and RFC 1929 with a plain password: the synchronous login path)
// through a real ProxyServer to a loopback echo server; the handshake histogram (tallied, added
// at scrape) and the session counters count every one of them.

const snapshot: PolicySnapshot = {
  version: 1,
  users: [{ apiVersion: API_VERSION, kind: 'SocksUser', metadata: { name: 'bench' }, spec: { groups: [], password: { value: 'pw' }, disabled: false } }],
  policies: [
    {
      apiVersion: API_VERSION,
      kind: 'SocksPolicy',
      metadata: { name: 'lab' },
      spec: { priority: 1, subjects: { users: ['bench'], groups: [], anonymous: true, clientCIDRs: [] }, rules: [{ name: 'loop', action: 'Allow', commands: ['Connect'], destinations: ['127.0.0.0/8'], ports: [] }] },
    },
  ],
};

let proxy: ProxyServer;
let registry: Registry;
let port = 0;
const echo = createServer({ allowHalfOpen: true }, (s) => {
  s.on('error', () => undefined);
  s.on('data', (d: Buffer) => s.end(d));
});

before(async () => {
  registry = createMetricsRegistry();
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  proxy = new ProxyServer({ logger: createRootLogger({ level: 'silent', format: 'json', destination: sink }), registry });
  proxy.applySnapshot(snapshot);
  port = (await proxy.listen('127.0.0.1', 0)).port;
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
});
after(async () => {
  echo.close();
  await proxy.drain(100);
});

/** One whole session: greeting (+ auth), CONNECT to the echo server, 32 bytes echoed, close. */
async function session(auth: boolean): Promise<void> {
  const s: Socket = connect(port, '127.0.0.1');
  s.on('error', () => undefined);
  await once(s, 'connect');
  const echoPort = (echo.address() as AddressInfo).port;
  const req = Buffer.from([5, 1, 0, 1, 127, 0, 0, 1, echoPort >> 8, echoPort & 0xff]);
  const login = Buffer.from([1, 5, ...Buffer.from('bench'), 2, ...Buffer.from('pw')]);
  const payload = Buffer.alloc(32, 7);
  // Everything in one write: the proxy must answer each stage in order from one read.
  s.write(Buffer.concat([auth ? Buffer.from([5, 1, 2]) : Buffer.from([5, 1, 0]), ...(auth ? [login] : []), req, payload]));
  const want = 2 + (auth ? 2 : 0) + 10 + 32;
  let got = Buffer.alloc(0);
  s.on('data', (d: Buffer) => (got = Buffer.concat([got, d])));
  await once(s, 'end');
  assert.equal(got.length, want);
  assert.deepEqual([...got.subarray(0, 2)], [5, auth ? 2 : 0]);
  if (auth) assert.deepEqual([...got.subarray(2, 4)], [1, 0]);
  assert.equal(got[auth ? 5 : 3], 0, 'CONNECT succeeded');
  assert.deepEqual(got.subarray(want - 32), payload);
  s.end();
  await once(s, 'close');
}

async function value(name: string, labels: string): Promise<number> {
  const text = await registry.metrics();
  const m = new RegExp(`^${name}\\{${labels}\\} (\\S+)$`, 'm').exec(text);
  return m === null ? 0 : Number(m[1]);
}

it('counts every handshake in the histogram and every session, across scrapes', async () => {
  for (let i = 0; i < 3; i++) await session(false);
  for (let i = 0; i < 2; i++) await session(true);
  for (let i = 0; i < 50 && proxy.activeSessions > 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(await value('sockscale_proxy_handshake_duration_seconds_count', 'method="none"'), 3);
  assert.equal(await value('sockscale_proxy_handshake_duration_seconds_count', 'method="password"'), 2);
  assert.equal(await value('sockscale_proxy_handshake_duration_seconds_bucket', 'le="\\+Inf",method="password"'), 2);
  assert.ok((await value('sockscale_proxy_handshake_duration_seconds_sum', 'method="none"')) > 0);
  assert.equal(await value('sockscale_proxy_sessions_total', 'command="connect",result="success"'), 5);
  await session(true);
  for (let i = 0; i < 50 && proxy.activeSessions > 0; i++) await new Promise((r) => setTimeout(r, 20));
  // A second scrape adds only what came since the first.
  assert.equal(await value('sockscale_proxy_handshake_duration_seconds_count', 'method="password"'), 3);
  assert.equal(await value('sockscale_proxy_handshake_duration_seconds_count', 'method="none"'), 3);
});
