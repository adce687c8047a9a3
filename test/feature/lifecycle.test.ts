import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { SocksClient, type SocksProxy } from 'socks';
import { SockscaleProcess, tempPolicy, EXAMPLE_POLICY } from '../helpers/sockscale-process';
import { startEchoServer } from '../helpers/targets';
import { sleep } from '../helpers/raw-client';

// Start-up, reload, re-check and shutdown of `sockscale serve` as a process.

const policyFor = (ports: string): string => `
apiVersion: sockscale.io/v1alpha1
kind: SocksPolicy
metadata: {name: anon}
spec:
  subjects: {anonymous: true}
  rules:
    - {name: echo, action: Allow, destinations: ["127.0.0.0/8"], ports: [${ports}]}
`;

function anon(p: SockscaleProcess): SocksProxy {
  return { host: p.socksHost, port: p.socksPort, type: 5 };
}

test('start-up prints where it listens and which objects it loaded; admin endpoints answer', async () => {
  const p = await SockscaleProcess.start();
  try {
    const loaded = await p.waitForLog((l) => l.msg === 'policy loaded');
    assert.deepEqual(loaded.objects, ['SocksUser/alice', 'SocksUser/bob', 'SocksPolicy/staff-lab', 'SocksPolicy/local-anonymous']);
    assert.deepEqual(loaded.files, [EXAMPLE_POLICY]);
    assert.equal((await fetch(`${p.adminUrl}/healthz`)).status, 200);
    assert.equal((await fetch(`${p.adminUrl}/readyz`)).status, 200);
    assert.equal((await fetch(`${p.adminUrl}/nope`)).status, 404);
    const metrics = await p.metrics();
    for (const name of [
      'sockscale_proxy_sessions_active',
      'sockscale_proxy_sessions_total',
      'sockscale_proxy_bytes_total',
      'sockscale_proxy_auth_failures_total',
      'sockscale_proxy_handshake_duration_seconds',
      'sockscale_proxy_udp_datagrams_total',
      'sockscale_proxy_udp_dropped_total',
      'sockscale_proxy_policy_decisions_total',
      'sockscale_proxy_policy_version',
      'sockscale_process_cpu_seconds_total',
    ]) {
      assert.match(metrics, new RegExp(`^# TYPE ${name} `, 'm'), name);
    }
    assert.doesNotMatch(metrics, /127\.0\.0\.1|alice/, 'no addresses or user names as labels');
  } finally {
    await p.stop();
  }
});

test('an invalid policy file stops start-up with file, document, path and reason', async () => {
  const bad = tempPolicy(`${policyFor('"80"')}---
apiVersion: sockscale.io/v1alpha1
kind: SocksPolicy
metadata: {name: broken}
spec:
  priorty: 5
  subjects: {anonymous: true}
  rules:
    - {action: Allow, ports: ["70000"]}
`);
  const r = await SockscaleProcess.runToExit(['serve', '--policy', bad, '--listen', '127.0.0.1:0', '--admin', 'off', '--log-format', 'json']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`${bad.replace(/[/.]/g, '\\$&')}:\\d+`), 'names the file and line');
  assert.match(r.stderr, /document 2/);
  assert.match(r.stderr, /priorty.*did you mean.*priority/);
  assert.match(r.stderr, /spec\.rules\[0\]\.ports\[0\]/);
});

test('bad flags and environment are all reported at once', async () => {
  const r = await SockscaleProcess.runToExit(['serve', '--listen', 'nope', '--idle-timeout', '5 minutes'], { SOCKSCALE_LOG_LEVEL: 'chatty' });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--policy/);
  assert.match(r.stderr, /--listen: "nope" is not HOST:PORT/);
  assert.match(r.stderr, /--idle-timeout: "5 minutes" is not a duration/);
  assert.match(r.stderr, /SOCKSCALE_LOG_LEVEL: "chatty" is not one of/);
});

test('SIGHUP and file changes reload; an invalid change is rejected and the old policy stays; open tunnels are re-checked', async () => {
  const echo = await startEchoServer();
  const file = tempPolicy(policyFor(`"${echo.port}"`));
  const p = await SockscaleProcess.start({ policy: file });
  try {
    const { socket } = await SocksClient.createConnection({ proxy: anon(p), command: 'connect', destination: { host: '127.0.0.1', port: echo.port }, timeout: 5000 });
    socket.on('error', () => undefined);
    // Invalid edit: rejected, version unchanged, old rules still in force.
    writeFileSync(file, policyFor('"not-a-port"'));
    process.kill(p.child.pid as number, 'SIGHUP');
    const rejected = await p.waitForLog((l) => l.msg === 'new policy is invalid; keeping the previous one');
    assert.match(JSON.stringify(rejected.issues), /not-a-port/);
    assert.equal(await p.metric('sockscale_proxy_policy_version'), 1);
    socket.write('still-open');
    const [echoed] = (await once(socket, 'data')) as [Buffer];
    assert.equal(echoed.toString(), 'still-open');
    // Valid edit picked up by the file watcher (no signal): the port is no longer allowed,
    // so the open tunnel is closed and new connections are refused.
    const closed = once(socket, 'close');
    writeFileSync(file, policyFor('"1-2"'));
    await p.waitForLog((l) => l.msg === 'policy reloaded' && l.version === 2);
    await closed;
    const line = await p.waitForLog((l) => l.msg === 'session' && l.outcome === 'closed_by_policy');
    assert.equal(line.command, 'connect');
    assert.equal(await p.metric('sockscale_sessions_terminated_total', { reason: 'policy' }), 1);
    await assert.rejects(SocksClient.createConnection({ proxy: anon(p), command: 'connect', destination: { host: '127.0.0.1', port: echo.port }, timeout: 5000 }), /NotAllowed/);
  } finally {
    await p.stop();
    await echo.close();
  }
});

test('SIGTERM: /readyz turns 503, open sessions may finish, then exit 0', async () => {
  const echo = await startEchoServer();
  const p = await SockscaleProcess.start({ policy: tempPolicy(policyFor(`"${echo.port}"`)), args: ['--drain-timeout', '5s'] });
  const { socket } = await SocksClient.createConnection({ proxy: anon(p), command: 'connect', destination: { host: '127.0.0.1', port: echo.port }, timeout: 5000 });
  const exited = once(p.child, 'exit') as Promise<[number | null]>;
  p.child.kill('SIGTERM');
  await p.waitForLog((l) => l.msg === 'draining');
  const ready = await fetch(`${p.adminUrl}/readyz`);
  assert.equal(ready.status, 503);
  assert.match(await ready.text(), /draining/);
  // The open session still works while draining.
  socket.write('during-drain');
  const [echoed] = (await once(socket, 'data')) as [Buffer];
  assert.equal(echoed.toString(), 'during-drain');
  // New connections are refused.
  await assert.rejects(SocksClient.createConnection({ proxy: anon(p), command: 'connect', destination: { host: '127.0.0.1', port: echo.port }, timeout: 2000 }));
  await sleep(200);
  socket.end();
  const [code] = await exited;
  assert.equal(code, 0);
  const stopped = await p.waitForLog((l) => l.msg === 'stopped');
  assert.equal(stopped.cut, 0);
  await echo.close();
});

test('drain deadline cuts sessions that do not finish, still exiting 0', async () => {
  const echo = await startEchoServer();
  const p = await SockscaleProcess.start({ policy: tempPolicy(policyFor(`"${echo.port}"`)), args: ['--drain-timeout', '1s'] });
  const { socket } = await SocksClient.createConnection({ proxy: anon(p), command: 'connect', destination: { host: '127.0.0.1', port: echo.port }, timeout: 5000 });
  socket.on('error', () => undefined);
  const t0 = Date.now();
  const code = await p.stop('SIGTERM');
  assert.equal(code, 0);
  assert.ok(Date.now() - t0 >= 900, 'waited for the deadline');
  const stopped = await p.waitForLog((l) => l.msg === 'stopped');
  assert.equal(stopped.cut, 1);
  socket.destroy();
  await echo.close();
});
