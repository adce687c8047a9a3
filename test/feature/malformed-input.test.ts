import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { SockscaleProcess } from '../helpers/sockscale-process';
import { RawClient, sleep } from '../helpers/raw-client';
import { startEchoServer, type TcpTarget } from '../helpers/targets';

// Malformed, truncated, slow and garbage input against `sockscale serve` (example policy):
// a proper reply where RFC 1928 gives one, else a clean close; never a crash, hang or leak.
let proxy: SockscaleProcess;
let echo: TcpTarget;

before(async () => {
  [proxy, echo] = await Promise.all([SockscaleProcess.start({ args: ['--handshake-timeout', '2s', '--max-connections', '300'] }), startEchoServer()]);
});
after(async () => {
  await Promise.all([proxy?.stop(), echo?.close()]);
});

async function exchange(bytes: number[] | Buffer, expectBytes: number): Promise<{ reply: Buffer; closedMs: number }> {
  const c = await RawClient.open(proxy.socksHost, proxy.socksPort);
  c.write(bytes);
  const reply = await c.waitBytes(expectBytes);
  const closedMs = await c.waitEnd(5000);
  c.destroy();
  return { reply, closedMs };
}

const GREET_NOAUTH = [5, 1, 0];
const ipv4Request = (cmd: number, port: number): number[] => [5, cmd, 0, 1, 127, 0, 0, 1, port >> 8, port & 255];

test('SOCKS4 and HTTP greetings are closed without a reply', async () => {
  for (const bytes of [[4, 1, 0, 80, 127, 0, 0, 1, 0], [...Buffer.from('GET / HTTP/1.1\r\n\r\n')]]) {
    const { reply, closedMs } = await exchange(bytes, 1);
    assert.equal(reply.length, 0);
    assert.ok(closedMs >= 0, 'closed');
  }
});

test('greeting with zero methods gets 0xFF', async () => {
  const { reply, closedMs } = await exchange([5, 0], 2);
  assert.deepEqual([...reply], [5, 0xff]);
  assert.ok(closedMs >= 0);
});

test('only GSS-API offered gets 0xFF (no acceptable method)', async () => {
  const { reply } = await exchange([5, 1, 1], 2);
  assert.deepEqual([...reply], [5, 0xff]);
});

test('unknown command gets 0x07, unknown address type 0x08', async () => {
  let r = await exchange([...GREET_NOAUTH, 5, 9, 0, 1, 127, 0, 0, 1, 0, 80], 12);
  assert.deepEqual([...r.reply.subarray(0, 4)], [5, 0, 5, 7]);
  r = await exchange([...GREET_NOAUTH, 5, 1, 0, 9, 1, 2, 3, 4, 0, 80], 12);
  assert.deepEqual([...r.reply.subarray(0, 4)], [5, 0, 5, 8]);
  assert.ok(r.closedMs >= 0);
});

test('bad RFC 1929 version gets status failure and close', async () => {
  const { reply, closedMs } = await exchange([5, 1, 2, 9, 1, 97, 1, 98], 4);
  assert.deepEqual([...reply], [5, 2, 1, 1]);
  assert.ok(closedMs >= 0);
});

test('a pipelined handshake with early data works (greeting + request + payload in one write)', async () => {
  const c = await RawClient.open(proxy.socksHost, proxy.socksPort);
  c.write([...GREET_NOAUTH, ...ipv4Request(1, echo.port), ...Buffer.from('early-bytes')]);
  const got = await c.waitBytes(2 + 10 + 11);
  assert.deepEqual([...got.subarray(0, 4)], [5, 0, 5, 0]);
  assert.equal(got.subarray(12).toString(), 'early-bytes');
  c.destroy();
});

test('truncated handshakes and a 1 byte/s client are cut at the handshake deadline', async () => {
  const t0 = Date.now();
  const truncated = await RawClient.open(proxy.socksHost, proxy.socksPort);
  truncated.write([5, 1, 0, 5, 1, 0, 1, 127]);
  const slow = await RawClient.open(proxy.socksHost, proxy.socksPort);
  const bytes = [...GREET_NOAUTH, ...ipv4Request(1, echo.port)];
  let i = 0;
  while (!slow.closed && !slow.ended && i < bytes.length && Date.now() - t0 < 8000) {
    slow.write([bytes[i++] as number]);
    await sleep(1000);
  }
  assert.ok(slow.ended || slow.closed, 'slow client cut');
  assert.ok(i < bytes.length, 'before it could finish');
  assert.ok((await truncated.waitEnd(5000)) >= 0, 'truncated client cut');
  const elapsed = Date.now() - t0;
  assert.ok(elapsed >= 1500 && elapsed < 6000, `cut after ${elapsed} ms with a 2 s deadline`);
  truncated.destroy();
  slow.destroy();
});

test('oversized input during the handshake is cut without growing buffers', async () => {
  const { closedMs } = await exchange(randomBytes(64 * 1024).fill(5, 0, 1), 0);
  assert.ok(closedMs >= 0);
});

test('10,000 garbage connections: no crash, no leaked socket, sessions drain to zero', async () => {
  await sleep(300);
  const fdBefore = proxy.fdCount();
  const seedBase = 1234;
  const batches = 50;
  for (let b = 0; b < batches; b++) {
    await Promise.all(
      Array.from({ length: 200 }, async (_, k) => {
        const i = b * 200 + k;
        let bytes: Buffer;
        switch (i % 5) {
          case 0:
            bytes = randomBytes(1 + (i % 300));
            break;
          case 1:
            bytes = Buffer.from([5, 1 + (i % 3), 0, 2, 1, ...randomBytes(i % 40)]);
            break;
          case 2:
            bytes = Buffer.from([...GREET_NOAUTH, 5, i % 8, 0, i % 6, ...randomBytes(i % 30)]);
            break;
          case 3:
            bytes = Buffer.from([5, 2, 0, 2, 1, i % 5, ...randomBytes(i % 9)]);
            break;
          default:
            bytes = Buffer.from([5, 1, 0, 5, 1, 0, 3, i % 256, ...randomBytes(seedBase % 7)]);
        }
        const c = await RawClient.open(proxy.socksHost, proxy.socksPort);
        c.write(bytes);
        await sleep(i % 3 === 0 ? 20 : 1);
        c.destroy();
      }),
    );
  }
  let active = -1;
  for (let i = 0; i < 60; i++) {
    active = await proxy.metric('sockscale_proxy_sessions_active');
    if (active === 0) break;
    await sleep(100);
  }
  assert.equal(active, 0, 'all sessions finished');
  assert.equal(proxy.child.exitCode, null, 'proxy still running');
  const fdAfter = proxy.fdCount();
  assert.ok(fdAfter <= fdBefore + 5, `fds ${fdBefore} -> ${fdAfter}`);
  // Still serving after the storm.
  const c = await RawClient.open(proxy.socksHost, proxy.socksPort);
  c.write([...GREET_NOAUTH, ...ipv4Request(1, echo.port)]);
  const got = await c.waitBytes(12);
  assert.deepEqual([...got.subarray(0, 4)], [5, 0, 5, 0]);
  c.destroy();
});

test('max-connections: connections beyond the limit are closed at once and counted', async () => {
  const held = await Promise.all(Array.from({ length: 300 }, () => RawClient.open(proxy.socksHost, proxy.socksPort)));
  await sleep(200);
  const extra = await RawClient.open(proxy.socksHost, proxy.socksPort);
  assert.ok((await extra.waitEnd(3000)) >= 0, 'extra connection closed');
  assert.ok((await proxy.metric('sockscale_proxy_connections_rejected_total', { reason: 'max_connections' })) >= 1);
  for (const c of held) c.destroy();
  extra.destroy();
});
