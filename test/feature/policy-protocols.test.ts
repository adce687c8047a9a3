import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { SocksClient } from 'socks';
import { SockscaleProcess, tempPolicy } from '../helpers/sockscale-process';
import { startHttpTarget, type HttpTarget } from '../helpers/targets';
import { requireTool } from '../helpers/tools';
import { run } from '../helpers/run';

// Protocol-aware rules through the real proxy process: TLS by SNI (a real Node TLS client and
// server), HTTP by Host (curl), other protocols to the same port refused, and a server-first
// protocol under a protocols rule that must not hang.
const OPENSSL = requireTool('openssl', 'Debian package openssl');
const CURL = requireTool('curl', 'Debian package curl');

let proxy: SockscaleProcess;
let tlsTarget: { port: number; accepted: number; close(): Promise<void> };
let http: HttpTarget;
let banner: { port: number; close(): Promise<void> };

function selfSigned(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'sockscale-tls-'));
  execFileSync(OPENSSL, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=ok.example.org', '-days', '1', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem')], { stdio: 'ignore' });
  return { key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) };
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

before(async () => {
  const { key, cert } = selfSigned();
  const t = { port: 0, accepted: 0, close: (): Promise<void> => Promise.resolve() };
  const ts = createTlsServer({ key, cert }, (s: TLSSocket) => {
    s.on('error', () => undefined);
    s.pipe(s);
  });
  ts.on('connection', () => t.accepted++);
  t.port = await listen(ts);
  t.close = () => new Promise((r) => ts.close(() => r()));
  tlsTarget = t;
  // A server-first protocol (SMTP style): it greets before the client says anything.
  const bs = createServer((s: Socket) => {
    s.on('error', () => undefined);
    s.end('220 banner.example ESMTP\r\n');
  });
  banner = { port: await listen(bs), close: () => new Promise((r) => bs.close(() => r())) };
  http = await startHttpTarget('127.0.0.1', 4096);
  const policy = tempPolicy(`
apiVersion: sockscale.io/v1alpha1
kind: SocksPolicy
metadata: {name: inspect}
spec:
  subjects: {anonymous: true, clientCIDRs: ["127.0.0.0/8"]}
  rules:
    - {name: no-blocked-sni, action: Deny, protocols: [tls], destinations: ["*.blocked.example"], ports: ["${tlsTarget.port}"]}
    - {name: lab-tls, action: Allow, protocols: [tls], destinations: ["127.0.0.0/8"], ports: ["${tlsTarget.port}"]}
    - {name: no-forbidden-host, action: Deny, protocols: [http], destinations: ["forbidden.example"], ports: ["${http.port}"]}
    - {name: lab-http, action: Allow, protocols: [http], destinations: ["127.0.0.0/8"], ports: ["${http.port}"]}
    - {name: banner-unknown, action: Allow, protocols: [unknown], destinations: ["127.0.0.0/8"], ports: ["${banner.port}"]}
`);
  proxy = await SockscaleProcess.start({ policy, args: ['--protocol-peek-timeout', '300ms'] });
});

after(async () => {
  await Promise.all([proxy?.stop(), tlsTarget?.close(), http?.close(), banner?.close()]);
});

async function tunnel(port: number): Promise<Socket> {
  const { socket } = await SocksClient.createConnection({ proxy: { host: proxy.socksHost, port: proxy.socksPort, type: 5 }, command: 'connect', destination: { host: '127.0.0.1', port }, timeout: 5000 });
  socket.on('error', () => undefined);
  return socket;
}

test('TLS: a real ClientHello is allowed or denied by its SNI; the handshake completes when allowed', async () => {
  const before = tlsTarget.accepted;
  const ok = tlsConnect({ socket: await tunnel(tlsTarget.port), servername: 'ok.example.org', rejectUnauthorized: false });
  ok.on('error', () => undefined);
  await once(ok, 'secureConnect');
  ok.write('ping');
  const [echo] = (await once(ok, 'data')) as [Buffer];
  assert.equal(echo.toString(), 'ping');
  ok.destroy();
  const access = await proxy.waitForLog((l) => l.msg === 'session' && l.rule === 'lab-tls');
  assert.equal(access.protocol, 'tls');
  assert.equal(access.serverName, 'ok.example.org');
  assert.equal(access.outcome, 'success');

  const denied = tlsConnect({ socket: await tunnel(tlsTarget.port), servername: 'video.blocked.example', rejectUnauthorized: false });
  let secure = false;
  denied.on('secureConnect', () => (secure = true));
  denied.on('error', () => undefined);
  await new Promise((r) => denied.on('close', r));
  assert.equal(secure, false);
  assert.equal(tlsTarget.accepted, before + 1, 'the denied tunnel never reached the target');
  const line = await proxy.waitForLog((l) => l.msg === 'session' && l.rule === 'no-blocked-sni');
  assert.equal(line.outcome, 'denied');
  assert.equal(await proxy.metric('sockscale_proxy_protocol_detections_total', { protocol: 'tls', ended: 'classified' }), 2);
});

test('HTTP: curl is allowed by Host; a forbidden Host and other protocols to the same port are refused', async () => {
  const url = `http://127.0.0.1:${http.port}/blob`;
  const ok = await run(CURL, ['-sS', '--max-time', '10', '--socks5', `${proxy.socksHost}:${proxy.socksPort}`, url]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout.length, 4096);
  const forbidden = await run(CURL, ['-sS', '--max-time', '10', '--socks5', `${proxy.socksHost}:${proxy.socksPort}`, '-H', 'Host: forbidden.example', url]);
  assert.notEqual(forbidden.code, 0, 'curl fails: the tunnel is closed before any response');
  for (const payload of ['SSH-2.0-OpenSSH_9.6\r\n', '\x16\x03\x01\x00\x05hello', 'HELO x\r\n']) {
    const s = await tunnel(http.port);
    s.write(payload);
    const got: Buffer[] = [];
    s.on('data', (d: Buffer) => got.push(d));
    await once(s, 'close');
    assert.equal(Buffer.concat(got).length, 0, `${JSON.stringify(payload)} got no response`);
  }
});

test('server-first protocol under a protocols rule: decided "unknown" at the peek deadline, banner delivered', async () => {
  const t0 = Date.now();
  const s = await tunnel(banner.port);
  const [data] = (await once(s, 'data')) as [Buffer];
  const ms = Date.now() - t0;
  assert.equal(data.toString(), '220 banner.example ESMTP\r\n');
  assert.ok(ms >= 250 && ms < 3000, `banner after ${ms} ms (peek timeout 300 ms)`);
  s.destroy();
  assert.ok((await proxy.metric('sockscale_proxy_protocol_detections_total', { protocol: 'unknown', ended: 'timeout' })) >= 1);
});
