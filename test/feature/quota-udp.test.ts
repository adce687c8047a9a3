import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SocksClient } from 'socks';
import { ControlProcess, sockscaleCli } from '../helpers/control-process';
import { EtcdProcess } from '../helpers/etcd';
import { REPO_ROOT, SockscaleProcess, tempPolicy } from '../helpers/sockscale-process';
import { startUdpEcho, type UdpEcho } from '../helpers/targets';
import { requirePySocks } from '../helpers/tools';
import { run } from '../helpers/run';
import { associate, closeAssociation, relayPortOf } from '../helpers/udp-cluster';

// Byte quotas on UDP ASSOCIATE, in every UDP mode, against the cluster ledger: a real etcd, one
// control plane, proxies in-process (one socket per association), per-pod (one relay port) and
// shared (owner A advertises B's relay port, so every datagram lands on B, which relays on A's
// behalf). PySocks sends echo round trips until the quota stops it. Each mode has its own user
// and SocksQuota, so the usage must land on the right one.

const PYTHON = requirePySocks();
const SCRIPT = join(REPO_ROOT, 'test', 'fixtures', 'pysocks_udp_quota.py');
const QUOTA = 1_000_000;
const CHUNK = 65_536;
const SIZE = 1200;
const USERS = ['alice', 'bob', 'carol'] as const;
const THROTTLE = 64 * 1024;

const POLICY = `
${USERS.map(
  (u) => `apiVersion: sockscale.io/v1alpha1
kind: SocksUser
metadata: {name: ${u}}
spec: {password: {value: ${u}-pass}}
---
apiVersion: sockscale.io/v1alpha1
kind: SocksQuota
metadata: {name: q-${u}}
spec:
  subject: {user: ${u}}
  bytes: ${QUOTA}
  period: {type: Monthly, timeZone: Europe/Berlin}
  onExhausted: {action: Block}
---`,
).join('\n')}
apiVersion: sockscale.io/v1alpha1
kind: SocksUser
metadata: {name: dave}
spec: {password: {value: dave-pass}}
---
apiVersion: sockscale.io/v1alpha1
kind: SocksQuota
metadata: {name: q-dave}
spec:
  subject: {user: dave}
  bytes: 200000
  period: {type: Monthly, timeZone: Europe/Berlin}
  onExhausted: {action: Throttle, rate: ${THROTTLE}}
---
apiVersion: sockscale.io/v1alpha1
kind: SocksPolicy
metadata: {name: udp-quota}
spec:
  subjects: {anonymous: true, users: [${USERS.join(', ')}, dave], clientCIDRs: ["127.0.0.0/8"]}
  rules:
    - {name: trial-deny, action: Deny, mode: Shadow, commands: [UdpAssociate], destinations: ["127.0.0.1/32"]}
    - {name: echo, action: Allow, commands: [UdpAssociate], destinations: ["127.0.0.1/32"]}
`;

let etcd: EtcdProcess;
let cp: ControlProcess;
let inProcess: SockscaleProcess;
let perPod: SockscaleProcess;
let sharedA: SockscaleProcess;
let sharedB: SockscaleProcess;

before(async () => {
  etcd = await EtcdProcess.start();
  cp = await ControlProcess.start({ etcd: etcd.url });
  const applied = await sockscaleCli(['apply', '-f', tempPolicy(POLICY)], cp.grpc);
  assert.equal(applied.code, 0, applied.stderr);
  const serve = (id: string, udp: string[]) => SockscaleProcess.start({ policy: [], args: ['--control-plane', cp.grpc, '--node-id', id, ...udp] });
  [inProcess, perPod, sharedB] = await Promise.all([
    serve('inproc', []),
    serve('perpod', ['--udp-mode', 'per-pod', '--udp-listen', '127.0.0.1:0']),
    serve('shared-b', ['--udp-mode', 'shared', '--udp-listen', '127.0.0.1:0']),
  ]);
  const b = relayPortOf(sharedB);
  sharedA = await serve('shared-a', ['--udp-mode', 'shared', '--udp-listen', '127.0.0.1:0', '--udp-advertise', `${b.host}:${b.port}`]);
});

after(async () => {
  await Promise.all([inProcess, perPod, sharedA, sharedB].map((p) => p?.stop()));
  await cp?.stop();
  await etcd?.destroy();
});

interface QuotaRun {
  sent: number;
  received: number;
  intact: number;
  control_closed: boolean;
  seconds: number;
}

async function pysocks(p: SockscaleProcess, echo: UdpEcho, user: string[], count: number): Promise<QuotaRun> {
  const r = await run(PYTHON, [SCRIPT, p.socksHost, String(p.socksPort), '127.0.0.1', String(echo.port), String(count), String(SIZE), ...user], { timeoutMs: 60_000 });
  assert.equal(r.code, 0, r.stderr.toString());
  return JSON.parse(r.stdout.toString()) as QuotaRun;
}

/** The ledger's view (QuotaAdmin through `sockscale quota status`) once no grant is outstanding. */
async function ledger(quota: string): Promise<{ used: number; outstanding: number; remaining: number }> {
  let acc: { quota: string; used: number; outstanding: number; remaining: number } | undefined;
  for (let i = 0; i < 60; i++) {
    const st = await sockscaleCli(['quota', 'status', quota, '-o', 'json'], cp.grpc);
    assert.equal(st.code, 0, st.stderr);
    acc = (JSON.parse(st.out) as { accounts: { quota: string; used: number; outstanding: number; remaining: number }[] }).accounts.find((a) => a.quota === quota);
    if (acc !== undefined && acc.outstanding === 0) return acc;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.fail(`grants of ${quota} still outstanding: ${JSON.stringify(acc)}`);
}

/** Bytes relayed for `user` by these proxies: their sessions and their on-behalf relays (access log). */
function relayed(user: string, ps: SockscaleProcess[]): number {
  let n = 0;
  for (const p of ps) for (const l of p.logs) if ((l.msg === 'session' || l.msg === 'udp relay on behalf') && l.user === user) n += Number(l.bytesUp) + Number(l.bytesDown);
  return n;
}

async function quotaMetrics(p: SockscaleProcess, direction: 'up' | 'down'): Promise<{ charged: number; dropped: number }> {
  const m = (outcome: string) => p.metric('sockscale_proxy_udp_quota_datagrams_total', { direction, outcome });
  const [charged, noGrant, throttled, blocked] = await Promise.all([m('charged'), m('no_grant'), m('throttled'), m('blocked')]);
  return { charged, dropped: noGrant + throttled + blocked };
}

/**
 * quotaMetrics once they stopped moving (two reads 300 ms apart agree, within 5 s): datagrams of
 * an earlier test that were still in socket buffers when it ended may be charged a little later.
 */
async function settledQuotaMetrics(p: SockscaleProcess, direction: 'up' | 'down'): Promise<{ charged: number; dropped: number }> {
  let last = await quotaMetrics(p, direction);
  for (let i = 0; i < 16; i++) {
    await new Promise((r) => setTimeout(r, 300));
    const now = await quotaMetrics(p, direction);
    if (now.charged === last.charged && now.dropped === last.dropped) return now;
    last = now;
  }
  return last;
}

/** UDP ASSOCIATE with the npm socks client: 0 on success, else the reply code it names. */
async function associateReply(p: SockscaleProcess, user: string): Promise<number> {
  const client = new SocksClient({
    proxy: { host: p.socksHost, port: p.socksPort, type: 5, userId: user, password: `${user}-pass` },
    command: 'associate',
    destination: { host: '0.0.0.0', port: 0 },
    timeout: 5000,
  });
  const result = new Promise<number>((resolve) => {
    client.once('established', ({ socket }: { socket: { destroy(): void } }) => (socket.destroy(), resolve(0)));
    client.once('error', (err: Error) => resolve(/NotAllowed/.test(err.message) ? 2 : -1));
  });
  client.connect();
  return result;
}

for (const [mode, user] of [['in-process', 'alice'], ['per-pod', 'bob']] as const) {
  test(`${mode}: PySocks UDP echo stops at the quota (0 bytes over at the target), Block closes the association's TCP connection, ledger used = bytes relayed, a new association gets 0x02`, async () => {
    const p = mode === 'in-process' ? inProcess : perPod;
    const echo = await startUdpEcho();
    try {
      const shadowBefore = await p.metric('sockscale_proxy_shadow_rule_hits_total', { policy: 'udp-quota', rule: 'trial-deny', action: 'deny', differs: 'true' });
      const out = await pysocks(p, echo, [user, `${user}-pass`], 2 * Math.ceil(QUOTA / SIZE));
      assert.ok(echo.bytes <= QUOTA, `${echo.bytes} bytes reached the echo target; quota ${QUOTA}`);
      assert.equal(out.control_closed, true, `Block closed the TCP control connection: ${JSON.stringify(out)}`);
      const line = await p.waitForLog((l) => l.msg === 'session' && l.user === user && l.command === 'udp_associate', 5000);
      assert.equal(line.outcome, 'quota_exhausted');
      const r = relayed(user, [p]);
      assert.ok(r <= QUOTA, `relayed ${r} > quota`);
      assert.ok(r >= QUOTA - 3 * CHUNK, `relayed only ${r} of ${QUOTA}`);
      const l = await ledger(`q-${user}`);
      assert.equal(l.used, r, 'ledger used equals the bytes relayed exactly');
      // Every datagram counted once: up datagrams charged = datagrams at the echo target; the rest
      // dropped. The quota may run out on either side of a round trip (the last request charged,
      // its echo dropped), so at least one drop in either direction.
      const up = await quotaMetrics(p, 'up');
      const down = await quotaMetrics(p, 'down');
      assert.equal(up.charged, echo.received);
      assert.ok(up.dropped <= out.sent - echo.received, `up: dropped ${up.dropped}, sent ${out.sent}, echoed ${echo.received}`);
      assert.ok(up.dropped + down.dropped >= 1, `nothing dropped at the quota: up ${JSON.stringify(up)}, down ${JSON.stringify(down)}`);
      assert.equal(await p.metric('sockscale_proxy_udp_dropped_total', { reason: 'quota' }), up.dropped + down.dropped);
      assert.equal(await associateReply(p, user), 2);
      // The association's decision went through the shared decision stage: the Shadow rule's hit is counted.
      const shadow = (await p.metric('sockscale_proxy_shadow_rule_hits_total', { policy: 'udp-quota', rule: 'trial-deny', action: 'deny', differs: 'true' })) - shadowBefore;
      assert.equal(shadow, 1, 'one shadow hit (one decision for the one destination)');
      process.stdout.write(`# ${mode}: ${r} of ${QUOTA} bytes relayed (${out.intact} echoes), ledger ${l.used}, ${up.dropped} datagrams dropped at the quota, closed after ${out.seconds} s\n`);
    } finally {
      echo.close();
    }
  });
}

test('shared mode: proxy B relaying on behalf of owner A charges the owner\'s user through its own grants; 0 bytes over; the usage lands on that user only', async () => {
  const echo = await startUdpEcho();
  try {
    const otherBefore = await Promise.all(['q-alice', 'q-bob'].map(async (q) => (await ledger(q)).used));
    const out = await pysocks(sharedA, echo, ['carol', 'carol-pass'], 2 * Math.ceil(QUOTA / SIZE));
    assert.ok(echo.bytes <= QUOTA, `${echo.bytes} bytes reached the echo target; quota ${QUOTA}`);
    assert.ok(out.intact > 100, JSON.stringify(out));
    // The owner's TCP session ended (the client closed it): B stops and logs its on-behalf relay.
    const line = await sharedB.waitForLog((l) => l.msg === 'udp relay on behalf' && l.user === 'carol', 5000);
    assert.equal(line.owner, 'shared-a');
    const r = relayed('carol', [sharedA, sharedB]);
    assert.equal(r, Number(line.bytesUp) + Number(line.bytesDown), 'every byte was relayed by B');
    assert.ok(r <= QUOTA, `relayed ${r} > quota`);
    assert.ok(r >= QUOTA - 3 * CHUNK, `relayed only ${r} of ${QUOTA}`);
    const l = await ledger('q-carol');
    assert.equal(l.used, r, 'ledger used (carol) equals the bytes B relayed exactly');
    assert.deepEqual(await Promise.all(['q-alice', 'q-bob'].map(async (q) => (await ledger(q)).used)), otherBefore, 'no other user was charged');
    const up = await quotaMetrics(sharedB, 'up');
    assert.equal(up.charged, echo.received);
    assert.ok(up.dropped >= 1, 'datagrams over the quota dropped and counted on B');
    const shadow = await sharedB.metric('sockscale_proxy_shadow_rule_hits_total', { policy: 'udp-quota', rule: 'trial-deny', action: 'deny', differs: 'true' });
    assert.equal(shadow, 1, 'the on-behalf decision counted its shadow hit on B');
    process.stdout.write(`# shared: B relayed ${r} of ${QUOTA} bytes for A's association (${out.intact} echoes), ledger ${l.used}, ${up.dropped} datagrams dropped at the quota\n`);
  } finally {
    echo.close();
  }
});

test('Throttle: once the quota is used up the association stays open and its datagrams pass at the throttle rate (the rest dropped and counted)', async () => {
  const echo = await startUdpEcho();
  const a = await associate({ host: inProcess.socksHost, port: inProcess.socksPort }, { user: ['dave', 'dave-pass'] });
  let down = 0;
  a.udp.on('message', (m: Buffer) => (down += SocksClient.parseUDPFrame(m).data.length));
  const frame = SocksClient.createUDPFrame({ remoteHost: { host: '127.0.0.1', port: echo.port }, data: Buffer.alloc(SIZE, 7) });
  // Offered: 4 datagrams every 5 ms, about 1 MB/s, far above the throttle rate.
  const flood = setInterval(() => {
    for (let i = 0; i < 4; i++) a.udp.send(frame, a.relay.port, a.relay.host);
  }, 5);
  try {
    await inProcess.waitForLog((l) => l.msg === 'quota used up: throttling' && l.quota === 'q-dave', 15_000);
    await new Promise((r) => setTimeout(r, 1000));
    const start = { up: echo.bytes, down, at: Date.now() };
    await new Promise((r) => setTimeout(r, 2000));
    const rate = ((echo.bytes - start.up + down - start.down) * 1000) / (Date.now() - start.at);
    assert.ok(rate > THROTTLE * 0.5 && rate < THROTTLE * 1.5, `throttled UDP at ${Math.round(rate)} B/s (up + down), throttle ${THROTTLE} B/s`);
    assert.equal(a.tcp.destroyed, false, 'Throttle keeps the association open');
    assert.ok((await inProcess.metric('sockscale_proxy_udp_quota_datagrams_total', { direction: 'up', outcome: 'throttled' })) > 0);
    process.stdout.write(`# Throttle: UDP through a used-up quota at ${Math.round(rate)} B/s (throttle ${THROTTLE} B/s)\n`);
  } finally {
    clearInterval(flood);
    await closeAssociation(a);
    echo.close();
  }
});

test('anonymous UDP sessions are not subject to quotas: they relay, are not charged and nothing crashes', async () => {
  const echo = await startUdpEcho();
  try {
    for (const p of [inProcess, perPod, sharedA]) {
      const before = await settledQuotaMetrics(p === sharedA ? sharedB : p, 'up');
      const out = await pysocks(p, echo, [], 50);
      assert.equal(out.intact, 50, JSON.stringify(out));
      assert.deepEqual(await quotaMetrics(p === sharedA ? sharedB : p, 'up'), before, 'no quota gate on anonymous datagrams');
    }
  } finally {
    echo.close();
  }
});
