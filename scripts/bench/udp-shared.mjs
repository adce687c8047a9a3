#!/usr/bin/env node
// UDP behind load balancers: UDP ASSOCIATE round trips/s and loss through
//   - sockscale, one proxy (relay port, the owner relays: per-pod / shared path when the
//     datagram lands on the owner),
//   - sockscale, shared address, B relaying for A (A holds the TCP session and names B's relay
//     port in its reply, so every datagram lands on B, which relays on A's behalf after a
//     registry lookup),
//   - sockscale, one socket per association (the default without --udp-mode),
//   - danted's UDP relay,
// all in the same run with the same Go load generator (`loadgen udp`). The control plane uses
// its memory store (the registry is not on the datagram path). Run through run.sh:
//   bash scripts/bench/run.sh --udp-shared [--quick]
// Prints a Markdown table; writes bench-results/udp-shared.{md,json}.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import dgram from 'node:dgram';
import os from 'node:os';
import path from 'node:path';

const REPO = process.env.BENCH_REPO ?? path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const LOADGEN = process.env.BENCH_LOADGEN;
const TMP = fs.mkdtempSync(path.join(process.env.BENCH_TMP ?? os.tmpdir(), 'udp-shared-'));
const BIN = path.join(REPO, 'services/cli/bin/sockscale.js');
const DANTED = fs.existsSync('/usr/sbin/danted') ? '/usr/sbin/danted' : 'danted';
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const duration = quick ? 1 : 8;
const warmup = quick ? 0.3 : 1;
if (!LOADGEN) {
  console.error('udp-shared: BENCH_LOADGEN is not set; run through scripts/bench/run.sh --udp-shared');
  process.exit(2);
}

const children = new Set();
function start(cmd, argv, opts = {}) {
  const c = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, ...opts });
  if (process.env.BENCH_PGID_FILE) fs.appendFileSync(process.env.BENCH_PGID_FILE, `${c.pid}\n`);
  c.out = '';
  c.stdout.setEncoding('utf8').on('data', (d) => (c.out += d));
  c.stderr.setEncoding('utf8').on('data', (d) => (c.out += d));
  children.add(c);
  return c;
}
async function stopAll() {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) try { process.kill(-c.pid, 'SIGKILL'); } catch { /* gone */ }
  children.clear();
}
process.on('exit', () => { for (const c of children) try { process.kill(-c.pid, 'SIGKILL'); } catch { /* gone */ } });

async function freePort(kind = 'tcp') {
  if (kind === 'udp') {
    const s = dgram.createSocket('udp4');
    await new Promise((r) => s.bind(0, '127.0.0.1', r));
    const p = s.address().port;
    s.close();
    return p;
  }
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const p = s.address().port;
  await new Promise((r) => s.close(r));
  return p;
}
async function waitFor(c, re, ms, what) {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    const m = re.exec(c.out);
    if (m) return m;
    if (c.exitCode !== null) throw new Error(`${what} exited: ${c.out.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what}: not ready within ${ms} ms: ${c.out.slice(-2000)}`);
}
async function waitTcp(port, ms) {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    const ok = await new Promise((r) => { const s = net.connect(port, '127.0.0.1', () => (s.destroy(), r(true))); s.on('error', () => r(false)); });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listening on ${port}`);
}

function loadgen(socks, pid, size) {
  const r = spawnSync(LOADGEN, ['udp', '--socks', `127.0.0.1:${socks}`, '--pid', String(pid), '--size', String(size), '--assocs', '4', '--inflight', '16', '--duration', `${duration}s`, '--warmup', `${warmup}s`], { encoding: 'utf8', timeout: (duration + warmup + 30) * 1000 });
  if (r.status !== 0) return { error: (r.stderr || r.stdout || `exit ${r.status}`).trim().slice(0, 400) };
  try { return JSON.parse(r.stdout); } catch { return { error: `bad output: ${r.stdout.slice(0, 200)}` }; }
}

async function sockscaleCluster() {
  const token = path.join(TMP, 'token');
  fs.writeFileSync(token, 'bench-token-0123456789\n', { mode: 0o600 });
  const cp = start(process.execPath, [BIN, 'control', '--store', 'memory', '--grpc', '127.0.0.1:0', '--admin', 'off', '--admin-token-file', token, '--log-format', 'json', '--log-level', 'info'], { cwd: REPO });
  const grpc = JSON.parse((await waitFor(cp, /^.*"control plane listening".*$/m, 20_000, 'control plane'))[0]).grpc;
  const applied = spawnSync(process.execPath, [BIN, 'apply', '-f', path.join(REPO, 'scripts/bench/policy.yaml'), '--server', grpc, '--token-file', token], { encoding: 'utf8' });
  if (applied.status !== 0) throw new Error(`apply failed: ${applied.stderr}`);
  const proxy = async (name, host, udpPort, advertise, extra = []) => {
    const socks = await freePort();
    const p = start(process.execPath, [BIN, 'serve', '--control-plane', grpc, '--node-id', name, '--listen', `${host}:${socks}`, '--admin', 'off', '--log-level', 'warn', '--log-format', 'json',
      '--udp-mode', 'shared', '--udp-listen', `${host}:${udpPort}`, '--udp-advertise', advertise, ...extra], { cwd: REPO });
    await waitTcp(socks, 20_000).catch(() => { throw new Error(`${name}: ${p.out.slice(-1500)}`); });
    return { p, socks };
  };
  // Client, TCP and UDP all on 127.0.0.1: relay ports listen there too (distinct ports).
  const portB = await freePort('udp');
  const portA = await freePort('udp');
  const B = await proxy('bench-b', '127.0.0.1', portB, `127.0.0.1:${portB}`);
  const A = await proxy('bench-a', '127.0.0.1', portA, `127.0.0.1:${portB}`); // names B's port: datagrams land on B
  return { A, B };
}

async function main() {
  const rows = [];
  const sizes = [64, 1200];
  const add = (label, note, res) => rows.push({ label, note, ...res });
  // sockscale, relay-port modes
  try {
    const { A, B } = await sockscaleCluster();
    // One discarded run per path first: Node's JIT would otherwise slow whichever row comes first.
    loadgen(B.socks, B.p.pid, 64);
    loadgen(A.socks, B.p.pid, 64);
    for (const size of sizes) add(`sockscale one proxy (relay port, owner relays), ${size} B`, 'TCP + UDP to B', loadgen(B.socks, B.p.pid, size));
    for (const size of sizes) add(`sockscale shared: B relays for A, ${size} B`, 'TCP to A, UDP to B (CPU: B)', loadgen(A.socks, B.p.pid, size));
  } catch (err) {
    add('sockscale relay-port cluster', '', { error: err.message.slice(0, 400) });
  }
  await stopAll();
  // sockscale, default per-association sockets
  try {
    const socks = await freePort();
    const p = start(process.execPath, [BIN, 'serve', '--policy', path.join(REPO, 'scripts/bench/policy.yaml'), '--listen', `127.0.0.1:${socks}`, '--admin', 'off', '--log-level', 'warn'], { cwd: REPO });
    await waitTcp(socks, 20_000);
    loadgen(socks, p.pid, 64); // discarded warm-up run, as above
    for (const size of sizes) add(`sockscale per-association socket, ${size} B`, 'default mode', loadgen(socks, p.pid, size));
  } catch (err) {
    add('sockscale per-association', '', { error: err.message.slice(0, 400) });
  }
  await stopAll();
  // danted
  try {
    const port = await freePort();
    const conf = path.join(TMP, 'danted.conf');
    fs.writeFileSync(conf, `logoutput: ${path.join(TMP, 'danted.log')}\ninternal: 127.0.0.1 port = ${port}\nexternal: 127.0.0.1\nclientmethod: none\nsocksmethod: none\nuser.privileged: root\nuser.unprivileged: nobody\ntimeout.negotiate: 30\ntimeout.io: 0\nclient pass {\n  from: 127.0.0.0/8 to: 0.0.0.0/0\n}\nsocks pass {\n  from: 127.0.0.0/8 to: 127.0.0.0/8\n  command: connect udpassociate\n}\nsocks pass {\n  from: 127.0.0.0/8 to: 127.0.0.0/8\n  command: udpreply\n}\n`);
    const d = start(DANTED, ['-f', conf, '-p', path.join(TMP, 'danted.pid')], { cwd: TMP });
    await waitTcp(port, 10_000);
    loadgen(port, d.pid, 64); // discarded warm-up run, as above
    for (const size of sizes) add(`danted UDP relay, ${size} B`, 'same load', loadgen(port, d.pid, size));
  } catch (err) {
    add('danted', '', { error: err.message.slice(0, 400) });
  }
  await stopAll();

  const md = [
    `# UDP behind load balancers: round trips/s (${quick ? 'quick' : 'full'}: ${warmup} s warm-up + ${duration} s window; 4 associations x 16 in flight; one discarded warm-up run per path; no CPU pinning)`,
    '',
    '| path | round trips/s | loss % | rt / proxy CPU-s | note |',
    '| --- | ---: | ---: | ---: | --- |',
    ...rows.map((r) => (r.error ? `| ${r.label} | error | | | ${r.error.replace(/\|/g, '/').replace(/\n/g, ' ')} |` : `| ${r.label} | ${Math.round(r.rt_per_s)} | ${r.loss_pct?.toFixed(2) ?? '?'} | ${r.rt_per_proxy_cpu_s ? Math.round(r.rt_per_proxy_cpu_s) : 'n/a'} | ${r.note} |`)),
    '',
  ].join('\n');
  process.stdout.write(md);
  const out = path.join(REPO, 'bench-results');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'udp-shared.md'), md);
  fs.writeFileSync(path.join(out, 'udp-shared.json'), JSON.stringify({ quick, duration, warmup, rows }, null, 1));
}

main().then(
  () => stopAll().then(() => process.exit(0)),
  async (err) => { console.error(err); await stopAll(); process.exit(1); },
);
