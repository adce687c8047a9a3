import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { SocksClient, type SocksProxy } from 'socks';
import { SockscaleProcess, tempPolicy } from '../helpers/sockscale-process';
import { startEchoServer } from '../helpers/targets';
import { sleep } from '../helpers/raw-client';

// Limits, shadow rules and live re-checks through the real proxy process.

const users = `
apiVersion: sockscale.io/v1alpha1
kind: SocksUser
metadata: {name: alice}
spec: {groups: [students], password: {value: a-pass}}
---
apiVersion: sockscale.io/v1alpha1
kind: SocksUser
metadata: {name: bob}
spec: {groups: [staff], password: {value: b-pass}}
`;

function proxyOf(p: SockscaleProcess, user: string, password: string): SocksProxy {
  return { host: p.socksHost, port: p.socksPort, type: 5, userId: user, password };
}

async function connect(p: SockscaleProcess, user: string, password: string, port: number): Promise<Socket> {
  const { socket } = await SocksClient.createConnection({ proxy: proxyOf(p, user, password), command: 'connect', destination: { host: '127.0.0.1', port }, timeout: 5000 });
  socket.on('error', () => undefined);
  return socket;
}

/** A target that streams bytes to every connection as fast as the reader takes them. */
async function startFirehose(): Promise<{ port: number; close(): Promise<void> }> {
  const chunk = Buffer.alloc(16 * 1024, 0x61);
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    const pump = (): void => {
      while (!s.destroyed && s.write(chunk));
    };
    s.on('drain', pump);
    pump();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

test('bandwidth: a rule limit holds for one user across parallel sessions while another user shares the proxy unlimited', async () => {
  const hose = await startFirehose();
  const rate = 400_000;
  const policy = tempPolicy(`${users}
---
apiVersion: sockscale.io/v1alpha1
kind: SocksPolicy
metadata: {name: students}
spec:
  subjects: {groups: [students]}
  rules:
    - {name: slow, action: Allow, destinations: ["127.0.0.0/8"], limits: {bandwidth: {down: "400k"}}}
---
apiVersion: sockscale.io/v1alpha1
kind: SocksPolicy
metadata: {name: staff}
spec:
  subjects: {groups: [staff]}
  rules:
    - {name: fast, action: Allow, destinations: ["127.0.0.0/8"]}
`);
  const p = await SockscaleProcess.start({ policy });
  try {
    const sockets = [...(await Promise.all([0, 1, 2].map(() => connect(p, 'alice', 'a-pass', hose.port)))), await connect(p, 'bob', 'b-pass', hose.port)];
    const counts = sockets.map(() => 0);
    // Skip the first 0.5 s (bucket burst, socket buffers filling), then count for 2.5 s.
    await sleep(500);
    sockets.forEach((s, i) => s.on('data', (d: Buffer) => (counts[i] = (counts[i] as number) + d.length)));
    const t0 = Date.now();
    await sleep(2500);
    const seconds = (Date.now() - t0) / 1000;
    for (const s of sockets) s.destroy();
    const alice = ((counts[0] as number) + (counts[1] as number) + (counts[2] as number)) / seconds;
    const bob = (counts[3] as number) / seconds;
    assert.ok(alice > rate * 0.8 && alice < rate * 1.2, `alice: ${Math.round(alice)} B/s over 3 sessions, limit ${rate} (±20%)`);
    assert.ok(bob > rate * 5, `bob (no limit) should be far faster: ${Math.round(bob)} B/s`);
  } finally {
    await p.stop();
    await hose.close();
  }
});

test('maxConnections: the user gets 0x02 beyond the limit, with a log reason; a closed session frees its slot', async () => {
  const echo = await startEchoServer();
  const policy = tempPolicy(`${users}
---
apiVersion: sockscale.io/v1alpha1
kind: SocksPolicy
metadata: {name: students}
spec:
  subjects: {groups: [students]}
  rules:
    - {name: two, action: Allow, destinations: ["127.0.0.0/8"], limits: {maxConnections: 2}}
`);
  const p = await SockscaleProcess.start({ policy });
  try {
    const a = await connect(p, 'alice', 'a-pass', echo.port);
    const b = await connect(p, 'alice', 'a-pass', echo.port);
    await assert.rejects(connect(p, 'alice', 'a-pass', echo.port), /NotAllowed/);
    const line = await p.waitForLog((l) => l.msg === 'session refused by limit');
    assert.match(String(line.why), /2 sessions under rule students\/two/);
    assert.equal(await p.metric('sockscale_proxy_limit_rejections_total', { limit: 'max_connections' }), 1);
    const closed = once(a, 'close');
    a.destroy();
    await closed;
    await p.waitForLog((l) => l.msg === 'session' && l.outcome === 'success');
    const c = await connect(p, 'alice', 'a-pass', echo.port);
    c.destroy();
    b.destroy();
  } finally {
    await p.stop();
    await echo.close();
  }
});

test('shadow rule: traffic flows, the hit is counted and logged; reload closes a now-denied tunnel within 1 s', async () => {
  const echo = await startEchoServer();
  const policyText = (extra: string): string => `${users}
---
apiVersion: sockscale.io/v1alpha1
kind: SocksPolicy
metadata: {name: students}
spec:
  subjects: {groups: [students]}
  rules:
${extra}
    - {name: trial-block, action: Deny, mode: Shadow, destinations: ["127.0.0.0/8"], ports: ["${echo.port}"]}
    - {name: lab, action: Allow, destinations: ["127.0.0.0/8"]}
`;
  const file = tempPolicy(policyText(''));
  const p = await SockscaleProcess.start({ policy: file });
  try {
    const s = await connect(p, 'alice', 'a-pass', echo.port);
    s.write('flows');
    const [echoed] = (await once(s, 'data')) as [Buffer];
    assert.equal(echoed.toString(), 'flows');
    assert.equal(await p.metric('sockscale_proxy_shadow_rule_hits_total', { policy: 'students', rule: 'trial-block', action: 'deny', differs: 'true' }), 1);
    const hit = await p.waitForLog((l) => l.msg === 'shadow rule would have decided');
    assert.equal(hit.shadowRule, 'trial-block');
    assert.equal(hit.enforced, 'Allow');

    // Enforce it: the open tunnel is closed within 1 s of the reload signal.
    writeFileSync(file, policyText(`    - {name: enforced-block, action: Deny, destinations: ["127.0.0.0/8"], ports: ["${echo.port}"]}`));
    const closed = new Promise<number>((r) => s.on('close', () => r(Date.now())));
    const t0 = Date.now();
    process.kill(p.child.pid as number, 'SIGHUP');
    const ms = (await closed) - t0;
    assert.ok(ms < 1000, `closed ${ms} ms after the reload`);
    const log = await p.waitForLog((l) => l.msg === 'session closed by policy change');
    assert.equal(log.rule, 'enforced-block');
    assert.equal(await p.metric('sockscale_sessions_terminated_total', { reason: 'policy' }), 1);
  } finally {
    await p.stop();
    await echo.close();
  }
});

test('reload: a bandwidth limit added to the rule slows an open, unlimited tunnel in place without closing it', async () => {
  const hose = await startFirehose();
  const rate = 300_000;
  const policyText = (limits: string): string => `${users}
---
apiVersion: sockscale.io/v1alpha1
kind: SocksPolicy
metadata: {name: students}
spec:
  subjects: {groups: [students]}
  rules:
    - {name: lab, action: Allow, destinations: ["127.0.0.0/8"]${limits}}
`;
  const file = tempPolicy(policyText(''));
  const p = await SockscaleProcess.start({ policy: file });
  try {
    const s = await connect(p, 'alice', 'a-pass', hose.port);
    let closed = false;
    s.on('close', () => (closed = true));
    let n = 0;
    s.on('data', (d: Buffer) => (n += d.length));
    await sleep(500);
    assert.ok(n > rate * 5, `unlimited before the reload: ${n} bytes in 0.5 s`);
    writeFileSync(file, policyText(`, limits: {bandwidth: {down: "300k"}}`));
    process.kill(p.child.pid as number, 'SIGHUP');
    await sleep(700); // reload, socket buffers drain, the burst is spent
    n = 0;
    const t0 = Date.now();
    await sleep(2000);
    const got = n / ((Date.now() - t0) / 1000);
    assert.ok(got > rate * 0.7 && got < rate * 1.3, `after the reload: ${Math.round(got)} B/s, limit ${rate} (±30%)`);
    assert.equal(closed, false, 'the tunnel was closed by the reload');
    assert.equal(await p.metric('sockscale_sessions_terminated_total', { reason: 'policy' }), 0);
    s.destroy();
  } finally {
    await p.stop();
    await hose.close();
  }
});

test('BIND: the rule bandwidth limit holds for the accepted peer connection too', async () => {
  const rate = 400_000;
  const policy = tempPolicy(`${users}
---
apiVersion: sockscale.io/v1alpha1
kind: SocksPolicy
metadata: {name: students}
spec:
  subjects: {groups: [students]}
  rules:
    - {name: slow-bind, action: Allow, commands: [Bind], destinations: ["127.0.0.0/8"], limits: {bandwidth: {down: "400k"}}}
`);
  const p = await SockscaleProcess.start({ policy });
  const chunk = Buffer.alloc(16 * 1024, 0x62);
  let peer: Socket | undefined;
  try {
    const client = new SocksClient({ proxy: proxyOf(p, 'alice', 'a-pass'), command: 'bind', destination: { host: '0.0.0.0', port: 0 }, timeout: 10_000 });
    const bound = once(client, 'bound') as Promise<[{ remoteHost: { host: string; port: number } }]>;
    const established = once(client, 'established') as Promise<[{ socket: Socket }]>;
    client.on('error', () => undefined);
    client.connect();
    const [{ remoteHost: listen }] = await bound;
    const { connect: netConnect } = await import('node:net');
    const s = netConnect({ host: listen.host, port: listen.port });
    peer = s;
    s.on('error', () => undefined);
    await once(s, 'connect');
    const [{ socket }] = await established;
    socket.on('error', () => undefined);
    // The peer streams to the client as fast as the proxy takes it (down = peer -> client).
    const pump = (): void => {
      while (!s.destroyed && s.write(chunk));
    };
    s.on('drain', pump);
    pump();
    let count = 0;
    await sleep(500);
    socket.on('data', (d: Buffer) => (count += d.length));
    const t0 = Date.now();
    await sleep(2500);
    const measured = count / ((Date.now() - t0) / 1000);
    socket.destroy();
    assert.ok(measured > rate * 0.7 && measured < rate * 1.3, `BIND peer -> client: ${Math.round(measured)} B/s, limit ${rate} (±30%)`);
  } finally {
    peer?.destroy();
    await p.stop();
  }
});
