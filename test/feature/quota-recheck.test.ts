import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { SockscaleProcess, tempPolicy } from '../helpers/sockscale-process';
import { connectReply, settle, startSink, upload } from '../helpers/quota-traffic';

// Open sessions re-checked when a policy snapshot changes their quotas (embedded mode, SIGHUP
// reload of the policy file): a quota that appears gates a running tunnel from then on; a
// removed one stops gating it.
const CHUNK = 65_536;
const QUOTA = 1024 * 1024;

const base = `
apiVersion: sockscale.io/v1alpha1
kind: SocksUser
metadata: {name: erin}
spec: {password: {value: e-pass}}
---
apiVersion: sockscale.io/v1alpha1
kind: SocksUser
metadata: {name: frank}
spec: {password: {value: f-pass}}
---
apiVersion: sockscale.io/v1alpha1
kind: SocksPolicy
metadata: {name: lab}
spec:
  subjects: {anonymous: true, users: [erin, frank]}
  rules: [{action: Allow, destinations: ["127.0.0.0/8"]}]
`;

const quota = (user: string, onExhausted: string) => `---
apiVersion: sockscale.io/v1alpha1
kind: SocksQuota
metadata: {name: q-${user}}
spec:
  subject: {user: ${user}}
  bytes: ${QUOTA}
  period: {type: Daily, timeZone: Europe/Berlin}
  onExhausted: ${onExhausted}
`;

async function reload(p: SockscaleProcess, file: string, yaml: string): Promise<void> {
  const seen = p.logs.filter((l) => l.msg === 'policy reloaded').length;
  writeFileSync(file, yaml);
  p.child.kill('SIGHUP');
  for (let i = 0; i < 100 && p.logs.filter((l) => l.msg === 'policy reloaded').length === seen; i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(p.logs.filter((l) => l.msg === 'policy reloaded').length > seen, 'the proxy reloaded the policy');
}

async function rate(f: () => number, ms: number): Promise<number> {
  const start = f();
  const t = Date.now();
  await new Promise((r) => setTimeout(r, ms));
  return ((f() - start) * 1000) / (Date.now() - t);
}

// Group quota: erin becomes its subject when the reload adds her to the group.
const groupQuota = `---
apiVersion: sockscale.io/v1alpha1
kind: SocksQuota
metadata: {name: q-metered}
spec:
  subject: {group: metered}
  bytes: ${QUOTA}
  period: {type: Daily, timeZone: Europe/Berlin}
`;

for (const [how, start, next] of [
  ['its SocksQuota appears', base, base + quota('erin', '{action: Block}')],
  ['its user joins a group with a SocksQuota', base + groupQuota, base.replace('{password: {value: e-pass}}', '{groups: [metered], password: {value: e-pass}}') + groupQuota],
] as const) {
  test(`a tunnel opened before ${how} stops at the quota once the snapshot arrives (0 bytes over at the target), Block closes it, a new one gets 0x02; an anonymous tunnel is not affected`, async () => {
    const sink = await startSink();
    const anonSink = await startSink();
    const file = tempPolicy(start);
    const p = await SockscaleProcess.start({ policy: file });
    try {
      const proxy = { host: p.socksHost, port: p.socksPort };
      const u = await upload(proxy, 'erin', 'e-pass', sink.port);
      const anon = await upload(proxy, null, '', anonSink.port);
      // 2 MB through the open tunnel before any quota: all of it at the target, nothing in flight.
      u.write(2_000_000);
      await settle(sink.received, 300, 10_000);
      const before = sink.received();
      assert.equal(before, 2_000_000);
      await reload(p, file, next);
      u.write();
      const received = await settle(sink.received, 2500, 30_000);
      const charged = received - before;
      assert.ok(charged <= QUOTA, `${charged} bytes reached the target after the quota appeared; quota ${QUOTA}`);
      // Stopped at the limit, not merely paused early: at most the session's two chunk reservations (up, down) stay unspent.
      assert.ok(charged >= QUOTA - 3 * CHUNK, `only ${charged} bytes of ${QUOTA} relayed`);
      await settle(() => (u.closed ? 1 : 0), 300, 5000);
      assert.equal(u.closed, true, 'Block closed the open tunnel');
      const line = await p.waitForLog((l) => l.msg === 'session' && l.user === 'erin', 5000);
      assert.equal(line.outcome, 'quota_exhausted');
      assert.ok(Number(line.bytesUp) - before <= QUOTA, JSON.stringify(line));
      assert.equal(await connectReply(proxy, 'erin', 'e-pass', sink.port), 2);
      // Anonymous sessions have no quota subject: re-checked like the others, never gated.
      anon.write(2 * QUOTA);
      assert.equal(await settle(anonSink.received, 300, 10_000), 2 * QUOTA);
      assert.equal(anon.closed, false);
      anon.socket.destroy();
      process.stdout.write(`# ${how} mid-tunnel: ${charged} of ${QUOTA} bytes relayed after it (${QUOTA - charged} unspent)\n`);
    } finally {
      await p.stop();
      await sink.close();
      await anonSink.close();
    }
  });
}

test('a removed SocksQuota stops gating an open tunnel: a throttled upload runs at full speed again', async () => {
  const sink = await startSink();
  const file = tempPolicy(base + quota('frank', '{action: Throttle, rate: 64Ki}'));
  const p = await SockscaleProcess.start({ policy: file });
  try {
    const u = await upload({ host: p.socksHost, port: p.socksPort }, 'frank', 'f-pass', sink.port);
    u.write();
    await p.waitForLog((l) => l.msg === 'quota used up: throttling', 15_000);
    const throttled = await rate(sink.received, 1500);
    assert.ok(throttled < 200 * 1024, `throttled upload at ${Math.round(throttled)} B/s, expected about 64 KiB/s`);
    await reload(p, file, base);
    const free = await rate(sink.received, 1000);
    assert.ok(free > 2_000_000, `after the quota was removed the upload runs at ${Math.round(free)} B/s`);
    assert.equal(u.closed, false);
    u.stop();
    u.socket.destroy();
    process.stdout.write(`# quota removed mid-tunnel: ${Math.round(throttled / 1024)} KiB/s throttled -> ${Math.round(free / 1e6)} MB/s\n`);
  } finally {
    await p.stop();
    await sink.close();
  }
});
