import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect as netConnect, type AddressInfo } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { classify } from './classify';
import { peekProtocol } from './peek';

/** The first bytes a real Node TLS client sends (its ClientHello) for `servername`. */
async function realClientHello(servername: string | undefined): Promise<Buffer> {
  let resolveBytes: (b: Buffer) => void = () => undefined;
  const got = new Promise<Buffer>((r) => (resolveBytes = r));
  const server = createServer((s) => {
    s.once('data', (b: Buffer) => {
      // Give the rest of the flight a moment, then take everything.
      const chunks = [b];
      s.on('data', (c: Buffer) => chunks.push(c));
      setTimeout(() => {
        resolveBytes(Buffer.concat(chunks));
        s.destroy();
      }, 50);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const c = tlsConnect({ host: '127.0.0.1', port, ...(servername !== undefined ? { servername } : {}), rejectUnauthorized: false });
  c.on('error', () => undefined);
  const bytes = await got;
  c.destroy();
  server.close();
  return bytes;
}

/** Re-frames the handshake bytes of a single-record ClientHello into records of `sizes` bytes. */
function splitRecords(hello: Buffer, sizes: number[]): Buffer {
  const body = hello.subarray(5, 5 + hello.readUInt16BE(3));
  const out: Buffer[] = [];
  let p = 0;
  for (const n of [...sizes, body.length]) {
    if (p >= body.length) break;
    const part = body.subarray(p, Math.min(body.length, p + n));
    const h = Buffer.from([0x16, 0x03, 0x01, 0, 0]);
    h.writeUInt16BE(part.length, 3);
    out.push(h, part);
    p += part.length;
  }
  return Buffer.concat(out);
}

void test('classify: a real TLS ClientHello, whole, byte by byte, and split across records', async () => {
  const hello = await realClientHello('Video.Example.com');
  assert.deepEqual(classify(hello), { status: 'done', protocol: 'tls', serverName: 'video.example.com' });
  // Every prefix is incomplete (never misclassified), and final on a prefix still says tls.
  for (let i = 1; i < Math.min(hello.length, 5 + hello.readUInt16BE(3)); i += 7) {
    assert.deepEqual(classify(hello.subarray(0, i)), { status: 'incomplete' }, `prefix ${i}`);
    assert.deepEqual(classify(hello.subarray(0, i), true), { status: 'done', protocol: 'tls' }, `final prefix ${i}`);
  }
  for (const sizes of [[1], [3], [4], [40, 40], [100], [1, 1, 1, 1, 1]]) {
    const split = splitRecords(hello, sizes);
    assert.deepEqual(classify(split), { status: 'done', protocol: 'tls', serverName: 'video.example.com' }, `records ${JSON.stringify(sizes)}`);
    assert.deepEqual(classify(split.subarray(0, split.length - 1)), { status: 'incomplete' });
  }
  const noSni = await realClientHello(undefined);
  assert.deepEqual(classify(noSni), { status: 'done', protocol: 'tls' });
});

void test('classify: HTTP/1.x request line and Host', () => {
  const t = (s: string, final = false): unknown => classify(Buffer.from(s, 'latin1'), final);
  assert.deepEqual(t('GET / HTTP/1.1\r\nHost: WWW.Example.edu:8080\r\nAccept: */*\r\n\r\n'), { status: 'done', protocol: 'http', serverName: 'www.example.edu' });
  assert.deepEqual(t('POST /x HTTP/1.0\r\nhost: [::1]:80\r\n\r\n'), { status: 'done', protocol: 'http', serverName: '::1' });
  assert.deepEqual(t('GET http://abs.example.org/p HTTP/1.1\r\n\r\n'), { status: 'done', protocol: 'http', serverName: 'abs.example.org' });
  assert.deepEqual(t('GET / HTTP/1.0\r\n\r\n'), { status: 'done', protocol: 'http' });
  assert.deepEqual(t('GE'), { status: 'incomplete' });
  assert.deepEqual(t('GET / HTTP/1.1\r\nAccept: x\r\n'), { status: 'incomplete' });
  assert.deepEqual(t('GET / HTTP/1.1\r\nAccept: x\r\n', true), { status: 'done', protocol: 'http' });
  assert.deepEqual(t('GET / HTTP/1.1\r\nHost: a.example\r\n'), { status: 'done', protocol: 'http', serverName: 'a.example' });
  assert.deepEqual(t('GET / HTTP/2.0\r\n\r\n'), { status: 'done', protocol: 'unknown' });
  assert.deepEqual(t('HELO mail.example\r\n'), { status: 'done', protocol: 'unknown' });
  assert.deepEqual(t('get / HTTP/1.1\r\n\r\n'), { status: 'done', protocol: 'unknown' });
});

void test('classify: SSH banner, unknown, empty', () => {
  const t = (s: string, final = false): unknown => classify(Buffer.from(s, 'latin1'), final);
  assert.deepEqual(t('SSH-2.0-OpenSSH_9.6\r\n'), { status: 'done', protocol: 'ssh' });
  assert.deepEqual(t('SSH-1.99-x\r\n'), { status: 'done', protocol: 'ssh' });
  assert.deepEqual(t('SSH-2'), { status: 'incomplete' });
  assert.deepEqual(t('SSH-2', true), { status: 'done', protocol: 'unknown' });
  assert.deepEqual(t('SSH-3.0-x'), { status: 'done', protocol: 'unknown' });
  assert.deepEqual(t('\x00\x01binary'), { status: 'done', protocol: 'unknown' });
  assert.deepEqual(classify(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 0x02, 0, 0, 1, 0])), { status: 'done', protocol: 'unknown' }, 'handshake that is not a ClientHello');
  assert.deepEqual(classify(Buffer.alloc(0)), { status: 'incomplete' });
  assert.deepEqual(classify(Buffer.alloc(0), true), { status: 'done', protocol: 'unknown' });
});

void test('classify: random and mutated input never throws', () => {
  let seed = 12345;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const base = Buffer.from('160301002e0100002a0303' + '00'.repeat(32) + '0000020000010000', 'hex');
  for (let i = 0; i < 20000; i++) {
    const b = Buffer.from(rnd() < 0.5 ? base : Buffer.alloc(Math.floor(rnd() * 64)));
    for (let k = 0; k < 4; k++) if (b.length > 0) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
    classify(b);
    classify(b, true);
  }
});

void test('peekProtocol: returns every byte, stops at the deadline for server-first clients, honours the byte limit', async () => {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const accept = (): Promise<import('node:net').Socket> => new Promise((r) => server.once('connection', (s) => r(s)));

  // Split request: early bytes + two writes.
  let side = accept();
  let client = netConnect(port, '127.0.0.1');
  let s = await side;
  client.write('T / HTTP/1.1\r\nHo');
  setTimeout(() => client.write('st: x.example\r\n\r\nBODY'), 30);
  let r = await peekProtocol(s, Buffer.from('GE'), { maxBytes: 4096, timeoutMs: 2000 });
  assert.equal(r.protocol, 'http');
  assert.equal(r.serverName, 'x.example');
  assert.equal(r.ended, 'classified');
  // Bytes after the peek stay readable; together nothing is lost.
  const rest = await new Promise<Buffer>((res) => {
    const got: Buffer[] = [];
    s.on('data', (c: Buffer) => {
      got.push(c);
      if (Buffer.concat([r.data, ...got]).toString().endsWith('BODY')) res(Buffer.concat(got));
    });
    s.resume();
    if (r.data.toString().endsWith('BODY')) res(Buffer.alloc(0));
  });
  assert.equal(Buffer.concat([r.data, rest]).toString(), 'GET / HTTP/1.1\r\nHost: x.example\r\n\r\nBODY');
  client.destroy();
  s.destroy();

  // Server-first: the client sends nothing; the deadline decides 'unknown'.
  side = accept();
  client = netConnect(port, '127.0.0.1');
  s = await side;
  const t0 = Date.now();
  r = await peekProtocol(s, Buffer.alloc(0), { maxBytes: 4096, timeoutMs: 150 });
  assert.equal(r.protocol, 'unknown');
  assert.equal(r.ended, 'timeout');
  assert.ok(Date.now() - t0 >= 140 && Date.now() - t0 < 1000);
  client.destroy();
  s.destroy();

  // Limit: an endless request line is cut at maxBytes and decided.
  side = accept();
  client = netConnect(port, '127.0.0.1');
  s = await side;
  client.write(`GET /${'a'.repeat(300)}`);
  r = await peekProtocol(s, Buffer.alloc(0), { maxBytes: 100, timeoutMs: 2000 });
  assert.equal(r.ended, 'limit');
  assert.equal(r.protocol, 'unknown');
  assert.ok(r.data.length >= 100);
  client.destroy();
  s.destroy();
  server.close();
});
