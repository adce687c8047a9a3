import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { SocksClient } from 'socks';
import { SockscaleProcess, SOCKSCALE_BIN, REPO_ROOT, EXAMPLE_POLICY, tempPolicy } from '../helpers/sockscale-process';
import { startEchoServer } from '../helpers/targets';
import { run } from '../helpers/run';

// The `sockscale` command's other subcommands, as a user runs them.

test('hash-password reads stdin and prints a hash that logs the user in', async () => {
  const r = await run(process.execPath, [SOCKSCALE_BIN, 'hash-password', '--cost', '12'], { input: 's3cret pass\n' });
  assert.equal(r.code, 0, r.stderr);
  const hash = r.stdout.toString().trim();
  assert.match(hash, /^\$scrypt\$ln=12,r=8,p=1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
  assert.doesNotMatch(r.stdout.toString() + r.stderr, /s3cret/);
  const echo = await startEchoServer();
  const p = await SockscaleProcess.start({
    policy: tempPolicy(`
apiVersion: sockscale.io/v1alpha1
kind: SocksUser
metadata: {name: carol}
spec: {password: {hash: "${hash}"}}
---
apiVersion: sockscale.io/v1alpha1
kind: SocksPolicy
metadata: {name: carol}
spec:
  subjects: {users: [carol]}
  rules: [{action: Allow, destinations: ["127.0.0.1/32"]}]
`),
  });
  try {
    const proxy = { host: p.socksHost, port: p.socksPort, type: 5 as const, userId: 'carol', password: 's3cret pass' };
    const { socket } = await SocksClient.createConnection({ proxy, command: 'connect', destination: { host: '127.0.0.1', port: echo.port }, timeout: 10_000 });
    socket.destroy();
    await assert.rejects(SocksClient.createConnection({ proxy: { ...proxy, password: 's3cret' }, command: 'connect', destination: { host: '127.0.0.1', port: echo.port }, timeout: 10_000 }), /Authentication failed/i);
  } finally {
    await p.stop();
    await echo.close();
  }
});

test('hash-password refuses an empty password and a silly cost', async () => {
  assert.equal((await run(process.execPath, [SOCKSCALE_BIN, 'hash-password'], { input: '\n' })).code, 1);
  const r = await run(process.execPath, [SOCKSCALE_BIN, 'hash-password', '--cost', '40'], { input: 'x\n' });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--cost must be an integer 10-20/);
});

test('validate accepts the example and lists the problems of a bad file', async () => {
  const ok = await run(process.execPath, [SOCKSCALE_BIN, 'validate', EXAMPLE_POLICY]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout.toString(), /4 object\(s\) in 1 file\(s\): valid/);
  const bad = tempPolicy('apiVersion: sockscale.io/v1alpha1\nkind: SocksPolicy\nmetadata: {name: x}\nspec:\n  subjects: {}\n  rules: [{action: allow, destinations: ["10.0.0.1/8", "*"]}]\n');
  const r = await run(process.execPath, [SOCKSCALE_BIN, 'validate', bad]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /spec\.subjects: subjects match no one/);
  assert.match(r.stderr, /did you mean "Allow"/);
  assert.match(r.stderr, /host bits set; the network address is "10\.0\.0\.0\/8"/);
  assert.match(r.stderr, /omit destinations to match any/);
  assert.match(r.stderr, /4 problem\(s\) in 1 file\(s\)/);
});

test('unknown commands and no command print usage with exit 2', async () => {
  const r = await run(process.execPath, [SOCKSCALE_BIN, 'frobnicate']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown command "frobnicate"/);
  assert.match(r.stderr, /sockscale serve --policy/);
});

test('npm start serves examples/local.yaml on the default ports and `--` flags override', async () => {
  // Default ports may be taken on a developer machine; use --listen/--admin overrides like a user would.
  const child = spawn('npm', ['start', '--silent', '--', '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--log-format', 'json'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  try {
    const deadline = Date.now() + 60_000;
    while (!out.includes('sockscale listening') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
    assert.match(out, /"msg":"policy loaded"/);
    assert.match(out, /SocksPolicy\/local-anonymous/);
    const m = /"socks":"127\.0\.0\.1:(\d+)"/.exec(out);
    assert.ok(m !== null, out);
  } finally {
    process.kill(-(child.pid as number), 'SIGTERM');
    await once(child, 'exit');
  }
});
