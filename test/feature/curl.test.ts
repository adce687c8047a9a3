import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SockscaleProcess } from '../helpers/sockscale-process';
import { startHttpTarget, type HttpTarget } from '../helpers/targets';
import { requireTool } from '../helpers/tools';
import { run } from '../helpers/run';

// curl against `sockscale serve` running the example policy (examples/local.yaml).
const CURL = requireTool('curl', 'Debian package curl');
let proxy: SockscaleProcess;
let v4: HttpTarget;
let v6: HttpTarget;

before(async () => {
  [proxy, v4, v6] = await Promise.all([SockscaleProcess.start(), startHttpTarget('127.0.0.1'), startHttpTarget('::1')]);
});
after(async () => {
  await Promise.all([proxy?.stop(), v4?.close(), v6?.close()]);
});

function sha(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

function curl(mode: '--socks5' | '--socks5-hostname', url: string, user?: string): ReturnType<typeof run> {
  const args = ['-sS', '--max-time', '20', mode, `${proxy.socksHost}:${proxy.socksPort}`, url];
  if (user !== undefined) args.push('--proxy-user', user);
  return run(CURL, args);
}

for (const mode of ['--socks5', '--socks5-hostname'] as const) {
  test(`curl ${mode}: anonymous download from IPv4, IPv6 and localhost targets, checksums match`, async () => {
    for (const url of [`http://127.0.0.1:${v4.port}/blob`, `http://[::1]:${v6.port}/blob`]) {
      const r = await curl(mode, url);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(sha(r.stdout), url.includes('[::1]') ? v6.sha256 : v4.sha256, url);
    }
    const r = await curl(mode, `http://localhost:${v4.port}/blob`);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(sha(r.stdout), v4.sha256);
  });

  test(`curl ${mode}: alice (plain password) and bob (scrypt hash) log in; wrong passwords are refused`, async () => {
    for (const user of ['alice:wonderland', 'bob:builder']) {
      const r = await curl(mode, `http://127.0.0.1:${v4.port}/blob`, user);
      if (user.startsWith('bob')) {
        // bob is in group guests, which no policy covers: authenticated, then denied.
        assert.notEqual(r.code, 0);
        assert.match(r.stderr, /SOCKS5|connection|proxy/i);
      } else {
        assert.equal(r.code, 0, r.stderr);
        assert.equal(sha(r.stdout), v4.sha256);
      }
    }
    for (const user of ['alice:Wonderland', 'bob:wrong', 'mallory:x']) {
      const r = await curl(mode, `http://127.0.0.1:${v4.port}/`, user);
      assert.notEqual(r.code, 0, `${user} must fail`);
      assert.match(r.stderr, /auth|User was rejected|denied|SOCKS5/i, r.stderr);
    }
  });
}

test('upload through the proxy arrives intact (POST body checksum)', async () => {
  const body = Buffer.alloc(3 << 20, 7);
  const file = join(mkdtempSync(join(tmpdir(), 'sockscale-up-')), 'body');
  writeFileSync(file, body);
  const r = await run(CURL, ['-sS', '--max-time', '20', '--socks5', `${proxy.socksHost}:${proxy.socksPort}`, '--proxy-user', 'alice:wonderland', '--data-binary', `@${file}`, `http://127.0.0.1:${v4.port}/sha256`]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), sha(body));
});

test('rule no-canary: 127.0.0.1 port 25 is denied with reply 0x02 before any connect', async () => {
  const r = await curl('--socks5', `http://127.0.0.1:25/`, 'alice:wonderland');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /not allowed|ruleset|\(2\)/i, r.stderr);
  const line = await proxy.waitForLog((l) => l.msg === 'session' && l.destination === '127.0.0.1:25');
  assert.equal(line.outcome, 'denied');
  assert.equal(line.rule, 'no-canary');
  assert.equal(line.user, 'alice');
});

test('destinations outside the rules (public, private, metadata) are denied with 0x02 without connecting', async () => {
  for (const url of ['http://10.1.2.3/', 'http://169.254.169.254/latest/meta-data/', 'http://192.0.2.1/']) {
    const r = await curl('--socks5', url, 'alice:wonderland');
    assert.notEqual(r.code, 0, url);
    assert.match(r.stderr, /not allowed|ruleset|\(2\)/i, `${url}: ${r.stderr}`);
  }
});

test('access log: one line per session with user, client, command, destination, bytes, duration, outcome; no password', async () => {
  const r = await curl('--socks5-hostname', `http://localhost:${v4.port}/blob`, 'alice:wonderland');
  assert.equal(r.code, 0, r.stderr);
  const line = await proxy.waitForLog((l) => l.msg === 'session' && l.destination === `localhost:${v4.port}` && l.user === 'alice');
  assert.equal(line.command, 'connect');
  assert.equal(line.outcome, 'success');
  assert.match(String(line.client), /^127\.0\.0\.1:\d+$/);
  assert.ok((line.bytesDown as number) > v4.body.length, 'bytes down include the whole body');
  assert.ok((line.bytesUp as number) > 0);
  assert.equal(typeof line.durationMs, 'number');
  assert.equal(line.rule, 'lab');
  assert.doesNotMatch(proxy.stdout + proxy.stderr, /wonderland|builder/);
});
