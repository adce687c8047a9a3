#!/usr/bin/env node
// Quota benchmark (`npm run bench -- quota [--quick]`, or `node scripts/bench/quota-bench.mjs`).
//
//   cost       embedded `sockscale serve`, one user downloading over 3 parallel CONNECT streams
//              from a local firehose for --seconds; MB/s without a SocksQuota and with one (1 TiB,
//              so it never runs out): the cost of grant accounting (reservations, syncs).
//   overshoot  a real etcd, one `sockscale control` replica, 3 `sockscale serve --control-plane`
//              proxies; one user with a --quota-mb quota downloads through all three at full speed
//              until blocked. Reports bytes received, bytes relayed (proxies' access logs), ledger
//              used (etcd), overshoot = relayed − quota (goal 0) and ledger error = used − relayed.
//   allotment  on the same cluster, before the overshoot run: a user with a cluster-wide
//              `bandwidth` of --rate-mb MB/s downloads over 1, 2 and 5 streams through the three
//              proxies; bytes counted at the target side (one firehose per proxy) over --seconds
//              after a 2 s warm-up: total vs rate, and each proxy's share vs the 1:2:5 ideal.
//
// Needs a build (npx tsc -b) and /usr/bin/etcd (or SOCKSCALE_ETCD). Every process is killed on exit;
// every wait is bounded.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(REPO, 'package.json'));
const { SocksClient } = require('socks');
const BIN = join(REPO, 'services', 'cli', 'bin', 'sockscale.js');
const ETCD = process.env.SOCKSCALE_ETCD ?? '/usr/bin/etcd';
const TOKEN = 'bench-token-0123456789abcdef';
const quick = process.argv.includes('--quick');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const SECONDS = arg('seconds', quick ? 2 : 5);
const QUOTA = arg('quota-mb', quick ? 50 : 200) * 1e6;
const RATE = arg('rate-mb', 30) * 1e6;
const dir = mkdtempSync(join(tmpdir(), 'sockscale-quota-bench-'));
const children = new Set();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

function start(args, waitMsg) {
  const child = spawn(process.execPath, [BIN, ...args, '--log-format', 'json'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.logs = [];
  let partial = '';
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${args[0]} did not start`)), 20_000);
    child.stdout.setEncoding('utf8').on('data', (d) => {
      partial += d;
      let nl;
      while ((nl = partial.indexOf('\n')) >= 0) {
        const line = partial.slice(0, nl);
        partial = partial.slice(nl + 1);
        try {
          const l = JSON.parse(line);
          child.logs.push(l);
          if (l.msg === waitMsg) {
            clearTimeout(t);
            resolve({ child, line: l });
          }
        } catch {}
      }
    });
    child.on('exit', (code) => reject(new Error(`${args[0]} exited ${code}`)));
  });
}

async function firehose() {
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  const sockets = new Set();
  const counter = { sent: 0 };
  const server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
    const pump = () => {
      while (!s.destroyed && (counter.sent += chunk.length) && s.write(chunk));
    };
    s.on('drain', pump);
    pump();
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { port: server.address().port, sent: () => counter.sent, close: () => (sockets.forEach((s) => s.destroy()), server.close()) };
}

async function download(socks, user, port) {
  const [host, p] = [socks.slice(0, socks.lastIndexOf(':')), Number(socks.slice(socks.lastIndexOf(':') + 1))];
  const { socket } = await SocksClient.createConnection({ proxy: { host, port: p, type: 5, userId: user, password: `${user}-pass` }, command: 'connect', destination: { host: '127.0.0.1', port }, timeout: 5000 });
  const d = { received: 0, closed: false, socket };
  socket.on('data', (b) => (d.received += b.length));
  socket.on('error', () => {});
  socket.on('close', () => (d.closed = true));
  return d;
}

const objects = (quotaBytes) => `
apiVersion: sockscale.io/v1alpha1
kind: SocksUser
metadata: {name: bench}
spec: {password: {value: bench-pass}}
---
apiVersion: sockscale.io/v1alpha1
kind: SocksPolicy
metadata: {name: bench}
spec:
  subjects: {users: [bench]}
  rules: [{action: Allow, destinations: ["127.0.0.0/8"]}]
${quotaBytes === undefined ? '' : `---
apiVersion: sockscale.io/v1alpha1
kind: SocksQuota
metadata: {name: q-bench}
spec:
  subject: {user: bench}
  bytes: ${quotaBytes}
  period: {type: Monthly}
---
apiVersion: sockscale.io/v1alpha1
kind: SocksUser
metadata: {name: bw}
spec: {password: {value: bw-pass}}
---
apiVersion: sockscale.io/v1alpha1
kind: SocksPolicy
metadata: {name: bw}
spec:
  subjects: {users: [bw]}
  rules: [{action: Allow, destinations: ["127.0.0.0/8"]}]
---
apiVersion: sockscale.io/v1alpha1
kind: SocksQuota
metadata: {name: q-bw}
spec:
  subject: {user: bw}
  bandwidth: ${RATE}
`}`;

async function cost(target) {
  const out = {};
  for (const [label, q] of [['no quota', undefined], ['with quota', '1Ti']]) {
    const file = join(dir, `cost-${label.replace(' ', '-')}.yaml`);
    writeFileSync(file, objects(q).replace('{password: {value: bench-pass}}', '{password: {value: bench-pass}}'));
    const { child, line } = await start(['serve', '--policy', file, '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0'], 'sockscale listening');
    const ds = await Promise.all([0, 1, 2].map(() => download(line.socks, 'bench', target.port)));
    await sleep(300);
    const t0 = ds.reduce((s, d) => s + d.received, 0);
    const start0 = Date.now();
    await sleep(SECONDS * 1000);
    const bytes = ds.reduce((s, d) => s + d.received, 0) - t0;
    out[label] = bytes / 1e6 / ((Date.now() - start0) / 1000);
    ds.forEach((d) => d.socket.destroy());
    child.kill('SIGTERM');
    await sleep(300);
    children.delete(child);
  }
  return out;
}

async function overshoot(target) {
  const [client, peer] = [await freePort(), await freePort()];
  const data = join(dir, 'etcd');
  const etcd = spawn(ETCD, ['--data-dir', data, '--listen-client-urls', `http://127.0.0.1:${client}`, '--advertise-client-urls', `http://127.0.0.1:${client}`, '--listen-peer-urls', `http://127.0.0.1:${peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`, '--initial-cluster', `default=http://127.0.0.1:${peer}`], { stdio: 'ignore' });
  children.add(etcd);
  const { Etcd3 } = require('etcd3');
  const kv = new Etcd3({ hosts: `http://127.0.0.1:${client}` });
  for (let i = 0; i < 100; i++) {
    try {
      await kv.get('x');
      break;
    } catch {
      await sleep(100);
    }
  }
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, TOKEN);
  const cp = await start(['control', '--etcd', `http://127.0.0.1:${client}`, '--grpc', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--admin-token-file', tokenFile], 'control plane listening');
  const file = join(dir, 'quota.yaml');
  writeFileSync(file, objects(QUOTA));
  await new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [BIN, 'apply', '-f', file, '--server', cp.line.grpc, '--token', TOKEN], { stdio: 'ignore' });
    c.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`apply exited ${code}`))));
  });
  const proxies = await Promise.all([0, 1, 2].map((i) => start(['serve', '--control-plane', cp.line.grpc, '--node-id', `bench-${i}`, '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0'], 'sockscale listening')));
  const allot = await allotment(proxies);
  const t0 = Date.now();
  const ds = await Promise.all(proxies.map((p) => download(p.line.socks, 'bench', target.port)));
  let last = -1;
  let quietSince = Date.now();
  while (Date.now() - t0 < 60_000) {
    await sleep(100);
    const r = ds.reduce((s, d) => s + d.received, 0);
    if (r !== last) {
      last = r;
      quietSince = Date.now();
    } else if (Date.now() - quietSince > 2000) break;
  }
  const seconds = (quietSince - t0) / 1000;
  // Final reports: drain the proxies (unused grants returned), then read the ledger.
  await Promise.all(proxies.map((p) => new Promise((r) => (p.child.once('exit', r), p.child.kill('SIGTERM')))));
  const relayed = proxies.flatMap((p) => p.child.logs).filter((l) => l.msg === 'session' && l.user === 'bench').reduce((s, l) => s + l.bytesUp + l.bytesDown, 0);
  const recs = Object.values(await kv.getAll().prefix('/sockscale/v1/quota/ledger/q-bench/').strings()).map((v) => JSON.parse(v));
  const used = recs.reduce((s, r) => s + r.base + Object.values(r.leases).reduce((a, l) => a + l.reported, 0), 0);
  kv.close();
  return { quota: QUOTA, received: last, relayed, used, overshoot: relayed - QUOTA, ledgerError: used - relayed, seconds, mbps: relayed / 1e6 / seconds, allot };
}

async function allotment(proxies) {
  const targets = await Promise.all([0, 1, 2].map(() => firehose()));
  const streams = [1, 2, 5];
  const ds = (await Promise.all(proxies.map((p, i) => Promise.all(Array.from({ length: streams[i] }, () => download(p.line.socks, 'bw', targets[i].port)))))).flat();
  await sleep(2000);
  const s0 = targets.map((t) => t.sent());
  const t0 = performance.now();
  await sleep(SECONDS * 1000);
  const secs = (performance.now() - t0) / 1000;
  const rates = targets.map((t, i) => (t.sent() - s0[i]) / secs);
  ds.forEach((d) => d.socket.destroy());
  targets.forEach((t) => t.close());
  const total = rates.reduce((a, b) => a + b, 0);
  return { total, error: (100 * (total - RATE)) / RATE, shares: rates.map((r, i) => ({ mbps: r / 1e6, ideal: (RATE * streams[i]) / 8 / 1e6 })) };
}

const target = await firehose();
try {
  const c = await cost(target);
  const o = await overshoot(target);
  const lines = [
    `# Quota benchmark (${quick ? 'quick' : 'full'}; ${SECONDS} s windows)`,
    '',
    '| measurement | value |',
    '| --- | --- |',
    `| download, 3 streams, no quota | ${c['no quota'].toFixed(0)} MB/s |`,
    `| download, 3 streams, with quota (grants) | ${c['with quota'].toFixed(0)} MB/s |`,
    `| throughput cost of quota accounting | ${(100 * (1 - c['with quota'] / c['no quota'])).toFixed(1)} % |`,
    `| cluster: quota / relayed / received | ${o.quota} / ${o.relayed} / ${o.received} bytes |`,
    `| overshoot (relayed − quota; goal ≤ 0) | ${o.overshoot} bytes |`,
    `| ledger error (used − relayed) | ${o.ledgerError} bytes |`,
    `| cluster throughput until blocked | ${o.mbps.toFixed(0)} MB/s over ${o.seconds.toFixed(1)} s |`,
    `| allotment: ${RATE / 1e6} MB/s over 3 proxies (1:2:5 streams), total at target side | ${(o.allot.total / 1e6).toFixed(2)} MB/s (${o.allot.error >= 0 ? '+' : ''}${o.allot.error.toFixed(1)} %) |`,
    `| allotment: per-proxy share vs ideal 1:2:5 | ${o.allot.shares.map((x) => `${x.mbps.toFixed(2)}/${x.ideal.toFixed(2)}`).join(', ')} MB/s |`,
  ];
  console.log(lines.join('\n'));
} finally {
  target.close();
  process.exit(0);
}
