#!/usr/bin/env node
// Control-plane benchmark (`npm run bench -- control [options]`, or `node scripts/bench/control-bench.mjs`).
//
//   propagation  a real etcd, one control-plane replica (`sockscale control --etcd`), N real proxies
//                (`sockscale serve --control-plane`); each change is one etcd transaction written by
//                EtcdStore (as the admin API does), timed until every proxy has ACKed that version
//                (ACK times from the replica's debug log, same clock). p50/p99/max over --changes.
//   fanout       one replica, --watchers light gRPC Watch clients (own TCP connection each) in
//                --watcher-procs processes that ACK every snapshot; time from one etcd write to the
//                last ACK written by a watcher (each watcher process reports when all of its
//                watchers ACKed; same clock), confirmed by the replica's own count
//                (sockscale_control_proxies{state="current"}, polled every 100 ms so that the
//                polling itself stays out of the replica's CPU), plus the replica's RSS and CPU.
//                The snapshot holds --objects policies of 4 rules each; the change edits one.
//
// Options: --changes 100  --proxies 3  --watchers 1000  --watcher-procs 4  --objects 1  --groups propagation,fanout
//          --quick (20 changes, 200 watchers)
//          --cpu-prof DIR  (fanout) write a V8 CPU profile of the control-plane process into DIR
//                          (open it in Chrome DevTools or summarise it with scripts/bench/prof-top.mjs)
// Needs a build (npx tsc -b) and /usr/bin/etcd (or SOCKSCALE_TOOL_ETCD). Every process it starts is killed
// on exit; every wait is bounded.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(REPO, 'package.json'));
const BIN = join(REPO, 'services', 'cli', 'bin', 'sockscale.js');
const ETCD = process.env.SOCKSCALE_TOOL_ETCD ?? '/usr/bin/etcd';
const TOKEN = 'bench-token-0123456789abcdef';


function parseArgs(argv) {
  const o = { changes: 100, proxies: 3, watchers: 1000, watcherProcs: 4, objects: 1, groups: ['propagation', 'fanout'] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${a} needs a value`);
      return x;
    };
    if (a === '--changes') o.changes = Number(v());
    else if (a === '--proxies') o.proxies = Number(v());
    else if (a === '--watchers') o.watchers = Number(v());
    else if (a === '--watcher-procs') o.watcherProcs = Number(v());
    else if (a === '--objects') o.objects = Number(v());
    else if (a === '--groups') o.groups = v().split(',');
    else if (a === '--cpu-prof') o.cpuProf = v();
    else if (a === '--quick') Object.assign(o, { changes: 20, watchers: 200, watcherProcs: 2 });
    else if (a === '--help' || a === '-h') {
      console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').filter((l) => l.startsWith('//')).map((l) => l.slice(3)).join('\n'));
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  return o;
}

const children = new Set();
function track(child) {
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}
function killAll() {
  for (const c of children) c.kill('SIGKILL');
}
process.on('exit', killAll);
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));

async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen({ host: '127.0.0.1', port: 0 }, r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function startEtcd(dir) {
  const client = await freePort();
  const peer = await freePort();
  const url = `http://127.0.0.1:${client}`;
  const p = `http://127.0.0.1:${peer}`;
  track(spawn(ETCD, ['--name', 'n1', '--data-dir', join(dir, 'etcd'), '--listen-client-urls', url, '--advertise-client-urls', url, '--listen-peer-urls', p, '--initial-advertise-peer-urls', p, '--initial-cluster', `n1=${p}`, '--log-level', 'error'], { stdio: 'ignore' }));
  for (let i = 0; i < 150; i++) {
    try {
      const r = await fetch(`${url}/health`, { signal: AbortSignal.timeout(500) });
      if ((await r.json()).health === 'true') return url;
    } catch {
      /* not yet */
    }
    await sleep(100);
  }
  throw new Error('etcd did not start');
}

/** Spawns a sockscale process; resolves with it once a JSON log line matches. */
function startLogged(args, until, onLine = () => {}, nodeArgs = []) {
  const child = track(spawn(process.execPath, [...nodeArgs, BIN, ...args, '--log-format', 'json'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] }));
  let buf = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timeout starting ${args[0]}: ${err}`)), 30_000);
    t.unref();
    child.on('exit', (c) => reject(new Error(`${args[0]} exited ${c}: ${err}`)));
    child.stdout.on('data', (d) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        let l;
        try {
          l = JSON.parse(line);
        } catch {
          continue;
        }
        onLine(l);
        if (until(l)) {
          clearTimeout(t);
          resolve({ child, line: l });
        }
      }
    });
  });
}

function procStat(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpu = (Number(f[11]) + Number(f[12])) / 100; // utime+stime in clock ticks (USER_HZ 100)
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;
  return { cpu, rss };
}

function pct(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** `n` policies of 4 rules; the first one's ports depend on `i` (so each `i` is a change of one object). */
function benchObjects(n, i) {
  const { validateObject } = require('@sockscale/common');
  return Array.from({ length: n }, (_, k) => {
    const port = k === 0 ? 1000 + i : 30000 + k;
    const r = validateObject({
      apiVersion: 'sockscale.io/v1alpha1',
      kind: 'SocksPolicy',
      metadata: { name: `bench-${String(k).padStart(5, '0')}`, labels: { team: `t${k % 10}` } },
      spec: {
        priority: 100 + k,
        subjects: { groups: [`group-${k % 50}`], clientCIDRs: ['10.0.0.0/8', '127.0.0.0/8'] },
        rules: [
          { name: 'web', action: 'Allow', destinations: [`10.${k % 256}.0.0/16`, '*.example.com'], ports: [String(port), '443'] },
          { name: 'ssh', action: 'Allow', destinations: ['192.168.0.0/16'], ports: ['22'], protocols: ['ssh'] },
          { name: 'no-mail', action: 'Deny', ports: ['25', '465', '587'] },
          { name: 'dns', action: 'Allow', commands: ['UdpAssociate'], destinations: ['10.0.0.53/32'], ports: ['53'] },
        ],
      },
    });
    if (r.object === undefined) throw new Error(JSON.stringify(r.issues));
    return r.object;
  });
}

function policyObject(control, i) {
  const { validateObject } = require('@sockscale/common');
  const r = validateObject({
    apiVersion: 'sockscale.io/v1alpha1',
    kind: 'SocksPolicy',
    metadata: { name: 'bench' },
    spec: { subjects: { anonymous: true, clientCIDRs: ['127.0.0.0/8'] }, rules: [{ name: 'r', action: 'Allow', destinations: ['127.0.0.1/32'], ports: [String(1000 + i)] }] },
  });
  return r.object;
}

async function propagation(o, dir, report) {
  const etcdUrl = await startEtcd(join(dir, 'p'));
  const tokenFile = join(dir, 'token');
  const acks = new Map(); // version -> Map(proxy -> ms)
  const grpcPort = await freePort();
  const cp = await startLogged(
    ['control', '--etcd', etcdUrl, '--grpc', `127.0.0.1:${grpcPort}`, '--admin', 'off', '--admin-token-file', tokenFile, '--log-level', 'debug'],
    (l) => l.msg === 'control plane listening',
    (l) => {
      if (l.msg !== 'snapshot ACKed') return;
      let m = acks.get(l.version);
      if (m === undefined) acks.set(l.version, (m = new Map()));
      m.set(l.proxy, Date.parse(l.time));
    },
  );
  const { EtcdStore } = require('@sockscale/control');
  const { createRootLogger } = require('@sockscale/common');
  const store = new EtcdStore({ endpoints: [etcdUrl], log: createRootLogger({ level: 'silent', format: 'json' }) });
  await store.start();
  const first = await store.apply([policyObject('x', 0)]);
  const proxies = [];
  for (let i = 0; i < o.proxies; i++) {
    proxies.push(startLogged(['serve', '--control-plane', `127.0.0.1:${grpcPort}`, '--node-id', `bench-proxy-${i}`, '--listen', '127.0.0.1:0', '--admin', 'off', '--log-level', 'warn'], () => false).catch(() => undefined));
  }
  // Proxies log nothing at warn; wait until each ACKed the first version.
  for (let i = 0; i < 300 && (acks.get(first.version)?.size ?? 0) < o.proxies; i++) await sleep(100);
  if ((acks.get(first.version)?.size ?? 0) < o.proxies) throw new Error('proxies did not ACK the first snapshot');
  const lat = [];
  for (let i = 1; i <= o.changes; i++) {
    const t0 = Date.now();
    const w = await store.apply([policyObject('x', i)]);
    const deadline = Date.now() + 10_000;
    while ((acks.get(w.version)?.size ?? 0) < o.proxies) {
      if (Date.now() > deadline) throw new Error(`version ${w.version} not ACKed by all proxies in 10 s`);
      await sleep(2);
    }
    lat.push(Math.max(...acks.get(w.version).values()) - t0);
    await sleep(20);
  }
  await store.close();
  lat.sort((a, b) => a - b);
  report.propagation = { changes: o.changes, proxies: o.proxies, p50_ms: pct(lat, 50), p99_ms: pct(lat, 99), max_ms: lat[lat.length - 1], min_ms: lat[0] };
  cp.child.kill('SIGKILL');
  void proxies;
}

async function watcherChild(target, count, prefix) {
  const grpc = require('@grpc/grpc-js');
  const { loadSockscaleProto } = require('@sockscale/common');
  const proto = loadSockscaleProto();
  let ready = 0;
  const seen = new Map();
  const acked = new Map(); // version -> watchers that ACKed it
  for (let i = 0; i < count; i++) {
    const client = new proto.sockscale.policy.v1.PolicyDiscovery(target, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
    const call = client.Watch();
    let first = true;
    call.on('data', (res) => {
      const version = Number(res.snapshot.version);
      call.write({ ack: { nonce: res.nonce, version } });
      seen.set(i, version);
      const n = (acked.get(version) ?? 0) + 1;
      acked.set(version, n);
      if (n === count) process.stdout.write(`${JSON.stringify({ acked: version, at: Date.now() })}\n`);
      if (first) {
        first = false;
        if (++ready === count) process.stdout.write(`${JSON.stringify({ ready: count })}\n`);
      }
    });
    call.on('error', (e) => process.stderr.write(`watcher ${i}: ${e.message}\n`));
    call.write({ hello: { node: { id: `${prefix}-${i}`, build: 'bench' }, haveVersion: 0 } });
  }
  setInterval(() => {}, 1 << 30);
}

async function fanout(o, dir, report) {
  const etcdUrl = await startEtcd(join(dir, 'f'));
  const grpcPort = await freePort();
  const adminPort = await freePort();
  const profile = o.cpuProf === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', o.cpuProf];
  const cp = startLogged(['control', '--etcd', etcdUrl, '--grpc', `127.0.0.1:${grpcPort}`, '--admin', `127.0.0.1:${adminPort}`, '--admin-token-file', join(dir, 'token'), '--log-level', 'warn'], () => false, () => {}, profile);
  // At warn the replica logs nothing per stream (its log cost stays out of the figure); wait for /healthz.
  cp.catch(() => undefined);
  const cpChild = [...children].at(-1);
  for (let i = 0; i < 300; i++) {
    const ok = await fetch(`http://127.0.0.1:${adminPort}/healthz`).then((r) => r.ok, () => false);
    if (ok) break;
    await sleep(100);
  }
  const { EtcdStore } = require('@sockscale/control');
  const { createRootLogger } = require('@sockscale/common');
  const store = new EtcdStore({ endpoints: [etcdUrl], log: createRootLogger({ level: 'silent', format: 'json' }) });
  await store.start();
  const first = await store.apply(benchObjects(o.objects, 0));
  const per = Math.ceil(o.watchers / o.watcherProcs);
  const waits = [];
  const ackedAt = new Map(); // version -> [time each watcher process had all its ACKs out]
  for (let p = 0; p < o.watcherProcs; p++) {
    const n = Math.min(per, o.watchers - p * per);
    if (n <= 0) break;
    const child = track(spawn(process.execPath, [fileURLToPath(import.meta.url), '--watcher-child', `127.0.0.1:${grpcPort}`, String(n), `w${p}`], { stdio: ['ignore', 'pipe', 'inherit'] }));
    waits.push(new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('watchers did not connect in 60 s')), 60_000);
      let buf = '';
      child.stdout.on('data', (d) => {
        buf += d;
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const m = JSON.parse(buf.slice(0, nl));
          buf = buf.slice(nl + 1);
          if (m.ready !== undefined) {
            clearTimeout(t);
            resolve();
          }
          if (m.acked !== undefined) ackedAt.set(m.acked, [...(ackedAt.get(m.acked) ?? []), m.at]);
        }
      });
    }));
  }
  await Promise.all(waits);
  /** Watchers that ACKed `version` (0 while the replica still serves an older one). */
  const current = async (version) => {
    const text = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
    const serving = Number(/^sockscale_control_snapshot_version (\d+)/m.exec(text)?.[1] ?? 0);
    if (serving < version) return 0;
    return Number(/sockscale_control_proxies\{state="current"\} (\d+)/.exec(text)?.[1] ?? 0);
  };
  for (let i = 0; i < 100 && (await current(first.version)) < o.watchers; i++) await sleep(100);
  await sleep(500);
  const idle = procStat(cpChild.pid);
  const t0 = Date.now();
  const m0 = process.hrtime.bigint() / 1000n; // CLOCK_MONOTONIC, the clock of V8 profile timestamps
  const w = await store.apply(benchObjects(o.objects, 1));
  let last = -1;
  let counted = -1;
  while (Date.now() - t0 < 30_000) {
    if ((ackedAt.get(w.version)?.length ?? 0) >= waits.length && (await current(w.version)) >= o.watchers) {
      counted = Date.now() - t0;
      last = Math.max(...ackedAt.get(w.version)) - t0;
      break;
    }
    await sleep(100);
  }
  const m1 = process.hrtime.bigint() / 1000n;
  const { loadSockscaleProto } = require('@sockscale/common');
  const snap = await new Promise((resolve, reject) => {
    const grpc = require('@grpc/grpc-js');
    const c = new (loadSockscaleProto().sockscale.policy.v1.PolicyDiscovery)(`127.0.0.1:${grpcPort}`, grpc.credentials.createInsecure());
    c.Get({}, (e, r) => (c.close(), e ? reject(e) : resolve(r)));
  });
  const snapshotBytes = loadSockscaleProto().sockscale.policy.v1.PolicyDiscovery.service.Get.responseSerialize(snap).length;
  const after = procStat(cpChild.pid);
  await store.close();
  report.fanout = {
    watchers: o.watchers,
    watcher_processes: waits.length,
    version: w.version,
    objects: o.objects,
    snapshot_bytes: snapshotBytes,
    to_last_ack_ms: last < 0 ? 'timeout (30 s)' : last,
    replica_counted_all_by_ms: counted < 0 ? 'timeout (30 s)' : counted,
    goal_ms: 2000,
    control_rss_mb: Math.round((after.rss / 1048576) * 10) / 10,
    control_cpu_s_for_change: Math.round((after.cpu - idle.cpu) * 100) / 100,
    control_cpu_s_total: after.cpu,
  };
  // prof-top.mjs --window START:END keeps the samples of the change alone.
  if (o.cpuProf !== undefined) report.fanout.cpu_profile_window_us = `${m0}:${m1}`;
  if (o.cpuProf === undefined) {
    cpChild.kill('SIGKILL');
  } else {
    // A graceful stop, so that node writes the profile on exit.
    const exited = new Promise((r) => cpChild.once('exit', r));
    cpChild.kill('SIGTERM');
    await Promise.race([exited, sleep(10_000)]);
  }
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), 'sockscale-control-bench-'));
  writeFileSync(join(dir, 'token'), TOKEN);
  const report = { machine: { cpus: (await import('node:os')).cpus().length, node: process.version }, options: o };
  try {
    if (o.groups.includes('propagation')) await propagation(o, dir, report);
    killAll();
    if (o.groups.includes('fanout')) await fanout(o, dir, report);
  } finally {
    killAll();
    await sleep(200);
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(JSON.stringify(report, null, 2));
  const p = report.propagation;
  const f = report.fanout;
  console.log('\n| measurement | value |\n| --- | --- |');
  if (p) console.log(`| propagation, etcd write -> ACK from all ${p.proxies} proxies, ${p.changes} changes | p50 ${p.p50_ms} ms, p99 ${p.p99_ms} ms, max ${p.max_ms} ms |`);
  if (f) {
    console.log(`| fan-out, one change -> last ACK of ${f.watchers} watchers (${f.watcher_processes} processes), snapshot of ${f.objects} object(s), ${f.snapshot_bytes} bytes | ${f.to_last_ack_ms} ms (goal <= ${f.goal_ms} ms; replica counted all by ${f.replica_counted_all_by_ms} ms) |`);
    console.log(`| control-plane RSS with ${f.watchers} watchers | ${f.control_rss_mb} MB |`);
    console.log(`| control-plane CPU for that change | ${f.control_cpu_s_for_change} s |`);
  }
}

if (process.argv[2] === '--watcher-child') {
  await watcherChild(process.argv[3], Number(process.argv[4]), process.argv[5]);
} else {
  await main();
}
