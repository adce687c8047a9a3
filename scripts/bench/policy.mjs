// Policy-engine benchmarks (part of `npm run bench`; alone: `npm run bench -- --policy-only`):
//   1. decisions/s of the compiled engine at 10, 1,000 and 10,000 rules on one core
//      (goal: >= 500k/s at 10,000 rules);
//   2. bandwidth-limit accuracy: 1, 4 and 16 parallel sessions of one user through a real
//      `sockscale serve` with a per-user rule limit, each downloading from a loopback firehose;
//      the user's total rate over the window must stay within ±5% of the limit.
// Writes bench-results/policy.{md,json}. Needs a build (npm run build).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';

const REPO = path.resolve(import.meta.dirname, '../..');
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const outDir = (() => {
  const i = args.indexOf('--out');
  return i >= 0 ? path.resolve(args[i + 1]) : path.join(REPO, 'bench-results');
})();
const DECISION_SECONDS = quick ? 1 : 3;
const LIMIT_WINDOW_S = quick ? 3 : 10;
const LIMIT_WARMUP_S = 1;
const RATE = 2_000_000; // bytes/s for the user, all sessions together
const SESSIONS = [1, 4, 16];

function log(m) {
  process.stderr.write(`[bench:policy] ${m}\n`);
}

function decisions() {
  const { benchDecisions } = require(path.join(REPO, 'services/proxy/dist/policy/bench-decisions.js'));
  return [10, 1000, 10000].map((n) => {
    log(`decisions: ${n} rules`);
    return benchDecisions(n, DECISION_SECONDS);
  });
}

function firehose() {
  const chunk = Buffer.alloc(16 * 1024, 0x61);
  const sockets = new Set();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    const pump = () => {
      while (!s.destroyed && s.write(chunk));
    };
    s.on('drain', pump);
    pump();
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r({ port: server.address().port, close: () => { for (const s of sockets) s.destroy(); server.close(); } })));
}

function startProxy(policyFile) {
  const child = spawn(process.execPath, [path.join(REPO, 'services/cli/bin/sockscale.js'), 'serve', '--policy', policyFile, '--listen', '127.0.0.1:0', '--admin', 'off', '--log-format', 'json', '--log-level', 'info'], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`sockscale did not start: ${buf}`)), 15000);
    child.stdout.on('data', (d) => {
      buf += d;
      const m = /"socks":"127\.0\.0\.1:(\d+)"/.exec(buf);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]) });
      }
    });
    child.on('exit', (code) => reject(new Error(`sockscale exited ${code}: ${buf}`)));
  });
}

async function limitAccuracy() {
  const { SocksClient } = require(path.join(REPO, 'node_modules/socks'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sockscale-bench-policy-'));
  const file = path.join(dir, 'policy.yaml');
  fs.writeFileSync(file, `apiVersion: sockscale.io/v1alpha1
kind: SocksUser
metadata: {name: bench}
spec: {password: {value: bench}}
---
apiVersion: sockscale.io/v1alpha1
kind: SocksPolicy
metadata: {name: bench}
spec:
  subjects: {users: [bench]}
  rules:
    - {name: limited, action: Allow, destinations: ["127.0.0.0/8"], limits: {bandwidth: {down: "${RATE}"}}}
`);
  const hose = await firehose();
  const proxy = await startProxy(file);
  const results = [];
  try {
    for (const n of SESSIONS) {
      log(`limits: ${n} session(s), ${LIMIT_WARMUP_S} s warm-up + ${LIMIT_WINDOW_S} s`);
      const sockets = await Promise.all(
        Array.from({ length: n }, async () => {
          const { socket } = await SocksClient.createConnection({ proxy: { host: '127.0.0.1', port: proxy.port, type: 5, userId: 'bench', password: 'bench' }, command: 'connect', destination: { host: '127.0.0.1', port: hose.port }, timeout: 10000 });
          socket.on('error', () => undefined);
          return socket;
        }),
      );
      const counts = sockets.map(() => 0);
      let counting = false;
      sockets.forEach((s, i) => s.on('data', (d) => { if (counting) counts[i] += d.length; }));
      await new Promise((r) => setTimeout(r, LIMIT_WARMUP_S * 1000));
      counting = true;
      const t0 = performance.now();
      await new Promise((r) => setTimeout(r, LIMIT_WINDOW_S * 1000));
      counting = false;
      const seconds = (performance.now() - t0) / 1000;
      for (const s of sockets) s.destroy();
      const total = counts.reduce((a, b) => a + b, 0);
      const rate = total / seconds;
      const perSession = counts.map((c) => c / seconds);
      results.push({ sessions: n, seconds, bytesPerSecond: Math.round(rate), errorPct: ((rate - RATE) / RATE) * 100, minSessionShare: Math.min(...perSession) / (rate / n) });
      await new Promise((r) => setTimeout(r, 300));
    }
  } finally {
    proxy.child.kill('SIGTERM');
    hose.close();
  }
  return results;
}

const started = new Date();
const d = decisions();
const l = await limitAccuracy();
const md = [
  `## Policy engine (${quick ? 'quick' : 'full'} run, ${started.toISOString()}, ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length})`,
  '',
  '| Rules | Decisions/s (wall) | Decisions per CPU-second | Compile |',
  '|---:|---:|---:|---:|',
  ...d.map((r) => `| ${r.ruleCount.toLocaleString('en-US')} | ${r.decisionsPerSecond.toLocaleString('en-US')} | ${r.decisionsPerCpuSecond.toLocaleString('en-US')} | ${r.compileMs} ms |`),
  '',
  `Bandwidth limit ${RATE.toLocaleString('en-US')} B/s for one user (rule limit, down), ${LIMIT_WINDOW_S} s window after ${LIMIT_WARMUP_S} s warm-up:`,
  '',
  '| Parallel sessions | Measured B/s | Error | Within ±5% | Smallest session share (1 = fair) |',
  '|---:|---:|---:|:---:|---:|',
  ...l.map((r) => `| ${r.sessions} | ${r.bytesPerSecond.toLocaleString('en-US')} | ${r.errorPct >= 0 ? '+' : ''}${r.errorPct.toFixed(2)}% | ${Math.abs(r.errorPct) <= 5 ? 'yes' : '**no**'} | ${r.minSessionShare.toFixed(2)} |`),
  '',
];
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, 'policy.md'), md.join('\n'));
fs.writeFileSync(path.join(outDir, 'policy.json'), JSON.stringify({ started, quick, decisions: d, limits: l }, null, 2));
process.stdout.write(md.join('\n'));
process.exit(0);
