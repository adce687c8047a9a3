import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SOCKSCALE_BIN, REPO_ROOT, tempPolicy } from '../helpers/sockscale-process';
import { run } from '../helpers/run';

// `sockscale explain` against the shipped example policy, as a user runs it.
const STUDENTS = join(REPO_ROOT, 'examples', 'students.yaml');

async function explain(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const r = await run(process.execPath, [SOCKSCALE_BIN, 'explain', ...args]);
  return { code: r.code, out: r.stdout.toString(), err: r.stderr.toString() };
}

test('the example policy validates', async () => {
  const r = await run(process.execPath, [SOCKSCALE_BIN, 'validate', STUDENTS]);
  assert.equal(r.code, 0, r.stderr.toString());
  assert.match(r.stdout.toString(), /SocksPolicy\/students/);
});

test('explain: allow by SNI in school hours, with limits and the shadow rule that would have fired', async () => {
  const r = await explain('--policy', STUDENTS, '--user', 'sam', '--dest', '203.0.113.10:443', '--protocol', 'tls', '--sni', 'video.example.edu', '--at', '2026-01-05T10:00:00Z');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^decision: Allow$/m);
  assert.match(r.out, /^policy: +students$/m);
  assert.match(r.out, /^rule: +web$/m);
  assert.match(r.out, /bandwidth total 2MB\/s \(2000000 bytes\/s\), maxConnections 8/);
  assert.match(r.out, /^shadow: +students\/trial-no-video would have decided Deny/m);
});

test('explain: deny outside the time window, for other protocols, and for other hosts (exit 1)', async () => {
  const night = await explain('--policy', STUDENTS, '--user', 'sam', '--dest', '203.0.113.10:443', '--protocol', 'tls', '--sni', 'www.example.edu', '--at', '2026-01-05T22:00:00Z');
  assert.equal(night.code, 1, night.out + night.err);
  assert.match(night.out, /^rule: +nothing-else$/m);
  const ssh = await explain('--policy', STUDENTS, '--user', 'sam', '--dest', 'www.example.edu:443', '--protocol', 'ssh', '--at', '2026-01-05T10:00:00Z');
  assert.equal(ssh.code, 1);
  const uninspected = await explain('--policy', STUDENTS, '--user', 'sam', '--dest', 'www.example.edu:443', '--at', '2026-01-05T10:00:00Z');
  assert.equal(uninspected.code, 1);
  assert.match(uninspected.out, /reads this tunnel's first bytes/);
  // DST: 07:30 Berlin is 06:30 UTC in winter, 05:30 UTC in summer.
  const summer = await explain('--policy', STUDENTS, '--user', 'sam', '--dest', '203.0.113.10:80', '--protocol', 'http', '--sni', 'example.edu', '--at', '2026-07-06T05:45:00Z');
  assert.equal(summer.code, 0, summer.out);
  const winter = await explain('--policy', STUDENTS, '--user', 'sam', '--dest', '203.0.113.10:80', '--protocol', 'http', '--sni', 'example.edu', '--at', '2026-01-05T05:45:00Z');
  assert.equal(winter.code, 1, winter.out);
});

test('explain: bad input exits 2 with the reason', async () => {
  const cases: [string[], RegExp][] = [
    [['--user', 'sam', '--dest', 'x:1'], /--policy/],
    [['--policy', STUDENTS, '--dest', 'x:1'], /--user NAME or --anonymous/],
    [['--policy', STUDENTS, '--user', 'nobody', '--dest', 'x:1'], /no SocksUser "nobody"/],
    [['--policy', STUDENTS, '--user', 'sam', '--dest', 'nope'], /not HOST:PORT/],
    [['--policy', STUDENTS, '--user', 'sam', '--dest', 'x:1', '--protocol', 'quic'], /not one of tls, http, ssh, unknown/],
    [['--policy', STUDENTS, '--user', 'sam', '--dest', 'x:1', '--sni', 'a'], /--sni needs --protocol/],
    [['--policy', STUDENTS, '--user', 'sam', '--dest', 'x:1', '--at', 'monday'], /not an ISO 8601 time/],
    [['--policy', tempPolicy('kind: SocksPolicy\n'), '--user', 'sam', '--dest', 'x:1'], /policy is invalid/],
    [['--bogus'], /Unknown option/],
  ];
  for (const [args, re] of cases) {
    const r = await explain(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.out}${r.err}`);
    assert.match(r.err, re, args.join(' '));
  }
});
