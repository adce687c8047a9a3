import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SockscaleProcess, tempPolicy } from '../helpers/sockscale-process';
import { connectReply, download, settle, startFirehose } from '../helpers/quota-traffic';

// Embedded mode (policy file, in-process memory ledger): the same grant path as a cluster.
const QUOTA = 4 * 1024 * 1024;
const CHUNK = 65_536;

const policy = (action: string) => `
apiVersion: sockscale.io/v1alpha1
kind: SocksUser
metadata: {name: alice}
spec: {groups: [students], password: {value: a-pass}}
---
apiVersion: sockscale.io/v1alpha1
kind: SocksUser
metadata: {name: bob}
spec: {password: {value: b-pass}}
---
apiVersion: sockscale.io/v1alpha1
kind: SocksPolicy
metadata: {name: lab}
spec:
  subjects: {users: [alice, bob]}
  rules: [{action: Allow, destinations: ["127.0.0.0/8"]}]
---
apiVersion: sockscale.io/v1alpha1
kind: SocksQuota
metadata: {name: students-daily}
spec:
  subject: {group: students}
  bytes: ${QUOTA}
  period: {type: Daily, timeZone: Europe/Berlin}
  onExhausted: ${action}
`;

test('embedded: a user downloading over 3 sessions stops at the quota (0 bytes over), open sessions are closed, new ones get 0x02; others unaffected', async () => {
  const target = await startFirehose();
  const p = await SockscaleProcess.start({ policy: tempPolicy(policy('{action: Block}')) });
  try {
    const proxy = { host: p.socksHost, port: p.socksPort };
    const downloads = await Promise.all([0, 1, 2].map(() => download(proxy, 'alice', 'a-pass', target.port)));
    const total = (): number => downloads.reduce((s, d) => s + d.received, 0);
    const received = await settle(total, 2500, 20_000);
    assert.ok(received <= QUOTA, `received ${received} > quota ${QUOTA}`);
    // Under-use bound: less than one chunk unreserved, plus the chunk each idle upload side holds.
    assert.ok(received > QUOTA - 4 * CHUNK, `received ${received}, expected more than ${QUOTA - 4 * CHUNK}`);
    // Block: the open sessions were closed, a new one is refused with 0x02.
    await settle(() => downloads.filter((d) => d.closed).length, 500, 5000);
    assert.deepEqual(downloads.map((d) => d.closed), [true, true, true]);
    assert.equal(await connectReply(proxy, 'alice', 'a-pass', target.port), 2);
    // bob has no quota.
    const b = await download(proxy, 'bob', 'b-pass', target.port);
    await settle(() => (b.received > QUOTA ? 1 : b.received), 100, 10_000);
    assert.ok(b.received > QUOTA, 'a user without quota is not limited');
    b.socket.destroy();
    assert.ok(p.logs.some((l) => l.msg === 'quota used up: blocking'));
  } finally {
    await p.stop();
    await target.close();
  }
});

test('embedded: sessions that join late (quota almost spent, then spent but not yet blocked) relay no byte over the quota', async () => {
  // Staggered logins: a session that starts when the grant is (almost) all spent or reserved by
  // others must not read a chunk it holds no reservation for.
  const target = await startFirehose();
  const p = await SockscaleProcess.start({ policy: tempPolicy(policy('{action: Block}')) });
  try {
    const proxy = { host: p.socksHost, port: p.socksPort };
    const until = async (f: () => boolean, maxMs: number): Promise<void> => {
      const end = Date.now() + maxMs;
      while (!f() && Date.now() < end) await new Promise((r) => setTimeout(r, 2));
    };
    const downloads = [await download(proxy, 'alice', 'a-pass', target.port)];
    const total = (): number => downloads.reduce((s, d) => s + d.received, 0);
    // Second session: while the first spends its last grant.
    await until(() => total() >= QUOTA - 8 * CHUNK, 15_000);
    downloads.push(await download(proxy, 'alice', 'a-pass', target.port));
    // Third and fourth: once nothing is left to grant (traffic stopped for 100 ms), inside the
    // grace before Block (BLOCK_GRACE_MS).
    await settle(total, 100, 5000);
    downloads.push(await download(proxy, 'alice', 'a-pass', target.port));
    downloads.push(await download(proxy, 'alice', 'a-pass', target.port));
    const received = await settle(total, 2500, 20_000);
    assert.ok(received <= QUOTA, `received ${received} > quota ${QUOTA} (${downloads.map((d) => d.received).join(' + ')})`);
    await settle(() => downloads.filter((d) => d.closed).length, 500, 5000);
    assert.deepEqual(downloads.map((d) => d.closed), [true, true, true, true]);
  } finally {
    await p.stop();
    await target.close();
  }
});

test('embedded: Throttle keeps sessions open at the throttle rate once the quota is used up', async () => {
  const target = await startFirehose();
  const p = await SockscaleProcess.start({ policy: tempPolicy(policy('{action: Throttle, rate: 256Ki}')) });
  try {
    const proxy = { host: p.socksHost, port: p.socksPort };
    const d = await download(proxy, 'alice', 'a-pass', target.port);
    await settle(() => (d.received >= QUOTA ? 1 : d.received), 100, 15_000);
    await p.waitForLog((l) => l.msg === 'quota used up: throttling', 10_000);
    const start = d.received;
    await new Promise((r) => setTimeout(r, 2000));
    const rate = (d.received - start) / 2;
    assert.equal(d.closed, false);
    assert.ok(rate > 100 * 1024 && rate < 400 * 1024, `throttled rate ${rate} B/s, expected about 256 KiB/s`);
    d.socket.destroy();
  } finally {
    await p.stop();
    await target.close();
  }
});
