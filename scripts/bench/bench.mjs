// Benchmark orchestrator: starts each proxy fresh per measurement group,
// health-checks it, drives the Go load generator against it, and writes
// bench-results/latest.{json,md}. Run it through run.sh (`npm run bench`),
// which installs the peers, builds the load generator and sets the
// environment variables read below.
import { spawn, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';

// The README's recommended production flags: a 1 MiB young generation keeps handshake garbage
// from inflating RSS (see "Memory" in the README).
const DEFAULT_NODE_FLAGS = '--max-semi-space-size=1';

const USAGE = `usage: npm run bench -- [options]      (= bash scripts/bench/run.sh [options])

  --quick               ~1 s per measurement (default: ${'8'} s after a 1 s warm-up)
  --only a,b            proxies to run: sockscale,danted,microsocks (direct always runs
                        as the baseline unless --no-direct)
  --no-direct           skip the no-proxy baseline
  --groups a,b          measurement groups: tput,sessions,auth,udp,idle (default: all)
  --duration S          measurement window per measurement, seconds
  --warmup S            warm-up before each window, seconds
  --idle-sessions N     idle sessions held for the memory measurement (default 2000)
  --sockscale-bin JS    sockscale launcher to run with node (default: services/cli/bin/sockscale.js)
  --sockscale-node-flags "F"  node flags for sockscale, space-separated (default: the
                        recommended production flags, ${DEFAULT_NODE_FLAGS}; "" for none)
  --policy-quota        also run "sockscale-pq": sockscale with a 10,000-rule policy and a
                        SocksQuota on the bench user (embedded mode), right after plain
                        sockscale in each group, and report its loss (goal <= 10%)
  --no-pin              do not pin proxy / load generator to CPUs with taskset
  --out DIR             results directory (default: <repo>/bench-results)
  --build               run \`npm run build\` first (handled by run.sh)
`;

const env = process.env;
const REPO = env.BENCH_REPO || path.resolve(import.meta.dirname, '../..');
const LOADGEN = env.BENCH_LOADGEN;
let TMP = env.BENCH_TMP; // set by run.sh; made in main() otherwise
let PGID_FILE = env.BENCH_PGID_FILE;
const PROXIES = ['sockscale', 'danted', 'microsocks'];
// The "10,000-rule policy + quota accounting" variant of sockscale (--policy-quota).
const PQ = 'sockscale-pq';
const PQ_RULES = 10000;
const GROUP_IDS = ['tput', 'sessions', 'auth', 'udp', 'idle'];

// ---------------------------------------------------------------- options
function parseArgs(argv) {
  const o = {
    quick: false, only: [...PROXIES], direct: true, groups: [...GROUP_IDS],
    duration: null, warmup: null, idleSessions: 2000, pin: true,
    out: path.join(REPO, 'bench-results'), sockscaleBin: 'services/cli/bin/sockscale.js',
    sockscaleNodeFlags: DEFAULT_NODE_FLAGS,
  };
  const need = (i) => {
    if (i + 1 >= argv.length) fail(`${argv[i]} needs a value`);
    return argv[i + 1];
  };
  const list = (s, allowed, what) => {
    const v = s.split(',').map((x) => x.trim()).filter(Boolean);
    for (const x of v) if (!allowed.includes(x)) fail(`unknown ${what} "${x}" (known: ${allowed.join(', ')})`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    switch (a) {
      case '--quick': o.quick = true; break;
      case '--only': {
        const v = list(need(i), [...PROXIES, PQ, 'direct'], 'proxy'); i++;
        o.only = v.filter((x) => x !== 'direct');
        break;
      }
      case '--no-direct': o.direct = false; break;
      case '--groups': o.groups = list(need(i), GROUP_IDS, 'group'); i++; break;
      case '--duration': o.duration = Number(need(i)); i++; break;
      case '--warmup': o.warmup = Number(need(i)); i++; break;
      case '--idle-sessions': o.idleSessions = Math.trunc(Number(need(i))); i++; break;
      case '--policy-quota': o.policyQuota = true; break;
      case '--no-pin': o.pin = false; break;
      case '--sockscale-bin': o.sockscaleBin = need(i); i++; break;
      case '--sockscale-node-flags': o.sockscaleNodeFlags = need(i); i++; break;
      case '--out': o.out = path.resolve(need(i)); i++; break;
      case '--build': break; // run.sh did it
      case '-h': case '--help': process.stdout.write(USAGE); process.exit(0); break;
      default: fail(`unknown option ${a}\n\n${USAGE}`);
    }
  }
  if (o.policyQuota && !o.only.includes(PQ)) {
    // right after plain sockscale, so the two alternate within each group
    const at = o.only.indexOf('sockscale');
    o.only.splice(at >= 0 ? at + 1 : o.only.length, 0, PQ);
  }
  o.duration ??= o.quick ? 1 : 8;
  o.warmup ??= o.quick ? 0.3 : 1;
  if (!(o.duration > 0 && o.duration <= 120)) fail('--duration must be in (0, 120]');
  if (!(o.warmup >= 0 && o.warmup <= 30)) fail('--warmup must be in [0, 30]');
  if (!(o.idleSessions >= 1 && o.idleSessions <= 20000)) fail('--idle-sessions must be in [1, 20000]');
  return o;
}

function fail(msg) {
  process.stderr.write(`bench: ${msg}\n`);
  process.exit(2);
}

const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);

// ---------------------------------------------------------------- processes
const live = new Map(); // pgid -> ChildProcess, for proxies
let currentLoadgen = null;

function savePgids() {
  try {
    fs.writeFileSync(PGID_FILE, [...live.keys()].map((p) => `${p}\n`).join(''));
  } catch { /* best effort: run.sh's trap reads it */ }
}

function sh(cmd, args, opts = {}) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10000, ...opts }).trim();
  } catch {
    return null;
  }
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/** Descendants of pid (inclusive) from /proc, to kill anything a proxy forked. */
function procTree(root) {
  const kids = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let st;
    try { st = fs.readFileSync(`/proc/${d}/stat`, 'utf8'); } catch { continue; }
    const ppid = Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]);
    if (!kids.has(ppid)) kids.set(ppid, []);
    kids.get(ppid).push(Number(d));
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) out.push(...(kids.get(out[i]) || []));
  return out;
}

function killQuiet(pid, sig) {
  try { process.kill(pid, sig); } catch { /* gone */ }
}

// Ports for the proxies: random in 20000-31999 (below Linux's default
// ephemeral range, so no client socket or TIME_WAIT sits on them), never the
// same twice in a run, and checked free by listening on it.
const usedPorts = new Set();
function tryListen(port) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.unref();
    s.once('error', () => resolve(false));
    s.listen({ port, host: '127.0.0.1', exclusive: true }, () => s.close(() => resolve(true)));
  });
}
async function freePort() {
  for (let i = 0; i < 200; i++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    if (usedPorts.has(port)) continue;
    usedPorts.add(port);
    if (await tryListen(port)) return port;
  }
  throw new Error('no free port found');
}

function pinned(cpu, cmd, args) {
  return opts.pin ? ['taskset', ['-c', String(cpu), cmd, ...args]] : [cmd, args];
}

/** Run the load generator; resolves to {ok, data|error}. */
function loadgen(args, timeoutMs) {
  return new Promise((resolve) => {
    const [cmd, a] = pinned(LOADGEN_CPU, LOADGEN, args);
    const child = spawn(cmd, a, { stdio: ['ignore', 'pipe', 'pipe'] });
    currentLoadgen = child;
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; if (err.length > 8192) err = err.slice(-8192); });
    const timer = setTimeout(() => { err += `\n(timed out after ${timeoutMs} ms)`; child.kill('SIGKILL'); }, timeoutMs);
    child.on('error', (e) => { err += String(e); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      currentLoadgen = null;
      if (code === 0) {
        try { resolve({ ok: true, data: JSON.parse(out) }); return; } catch (e) { err += `bad JSON: ${e}`; }
      }
      resolve({ ok: false, error: (err.trim() || `exit ${code ?? signal}`).split('\n').slice(-3).join(' | ') });
    });
  });
}

// ---------------------------------------------------------------- proxies
const PROXY_CPU = 1;
const LOADGEN_CPU = 0;

const CREDS = {
  sockscale: 'bench:benchpass',
  [PQ]: 'bench:benchpass',
  microsocks: 'bench:benchpass',
  danted: 'sockbench:benchpass',
};

function dantedConf(port, auth, logFile) {
  // Minimal logging: only danted's own warnings/errors go to logFile; no rule
  // has a `log:` keyword, so nothing is logged per connection.
  return `# generated by scripts/bench/bench.mjs
logoutput: ${logFile}
internal: 127.0.0.1 port = ${port}
external: 127.0.0.1
clientmethod: none
socksmethod: ${auth ? 'username' : 'none'}
user.privileged: root
user.unprivileged: nobody
timeout.negotiate: 30
timeout.io: 0
client pass {
  from: 127.0.0.0/8 to: 0.0.0.0/0
}
socks pass {
  from: 127.0.0.0/8 to: 127.0.0.0/8
  command: connect udpassociate
}
socks pass {
  from: 127.0.0.0/8 to: 127.0.0.0/8
  command: udpreply
}
`;
}

async function proxyCommand(name, auth, dir) {
  const port = await freePort();
  const logFile = path.join(dir, `${name}.log`);
  switch (name) {
    case 'sockscale': {
      const admin = await freePort();
      const policy = path.join(dir, 'policy.yaml');
      fs.copyFileSync(path.join(REPO, 'scripts/bench/policy.yaml'), policy);
      return {
        port, logFile, cwd: REPO, cmd: process.execPath,
        args: [...opts.sockscaleNodeFlags.split(/\s+/).filter(Boolean), opts.sockscaleBin, 'serve', '--policy', policy,
          '--listen', `127.0.0.1:${port}`, '--admin', `127.0.0.1:${admin}`, '--log-level', 'warn'],
      };
    }
    case PQ: {
      const admin = await freePort();
      return {
        port, logFile, cwd: REPO, cmd: process.execPath,
        args: [...opts.sockscaleNodeFlags.split(/\s+/).filter(Boolean), opts.sockscaleBin, 'serve', '--policy', policyQuotaFile(),
          '--listen', `127.0.0.1:${port}`, '--admin', `127.0.0.1:${admin}`, '--log-level', 'warn'],
      };
    }
    case 'danted': {
      const conf = path.join(dir, `danted-${auth ? 'username' : 'none'}.conf`);
      fs.writeFileSync(conf, dantedConf(port, auth, logFile));
      return { port, logFile, cwd: dir, cmd: DANTED, args: ['-f', conf, '-p', path.join(dir, 'danted.pid')] };
    }
    case 'microsocks':
      // microsocks 1.0.3 logs every connection to stderr and has no switch to
      // turn it off: stderr goes to /dev/null so it costs a write(2), not disk.
      return {
        port, logFile: null, cwd: dir, cmd: 'microsocks',
        args: ['-i', '127.0.0.1', '-p', String(port), ...(auth ? ['-u', 'bench', '-P', 'benchpass'] : [])],
      };
    default:
      throw new Error(name);
  }
}

/**
 * The policy file of the sockscale-pq variant, written once per run: the bench user and policy of
 * scripts/bench/policy.yaml, a SocksQuota of 1024 TiB on the user (never runs out: every byte of an
 * authenticated CONNECT is reserved, charged and reported to the embedded ledger), and before the
 * bench policy 10,000 rules in 100 policies from the policy-engine benchmark's generator
 * (services/proxy/src/policy/bench-decisions.ts: IPv4/IPv6 prefixes, exact and wildcard names,
 * private ranges, port lists, protocol rules, time windows, shadow rules, rule limits), all applying
 * to the bench user and to anonymous clients. Catch-all destinations, and the name entries of
 * rules with `protocols`, are dropped (a rule left without destinations gets a /32 from
 * 198.51.100.0/24), so that no filler rule matches the loopback targets or asks for protocol
 * detection: every request is decided by the bench policy's rule after the filler was looked at.
 */
let pqFile = null;
function policyQuotaFile() {
  if (pqFile) return pqFile;
  const require = createRequire(import.meta.url);
  const { syntheticWorkload } = require(path.join(REPO, 'services/proxy/dist/policy/bench-decisions.js'));
  const { snapshot } = syntheticWorkload(PQ_RULES, 1, true);
  const docs = [fs.readFileSync(path.join(REPO, 'scripts/bench/policy.yaml'), 'utf8').trim()];
  let rules = 0;
  for (const pol of snapshot.policies) {
    pol.spec.priority = Math.min(pol.spec.priority, 999); // the bench policy (default 1000) runs last
    pol.spec.subjects = { users: ['bench'], groups: [], anonymous: true, clientCIDRs: [] };
    for (const r of pol.spec.rules) {
      // Catch-alls would match the loopback targets; name entries of a rule with `protocols` match
      // the SNI / Host of any tunnel, so every CONNECT would be held for protocol detection
      // (a feature's cost, not the rule count's).
      r.destinations = r.destinations.filter((d) => d !== '0.0.0.0/0' && d !== '::/0' && !(r.protocols && !/^[\d.:a-f]+\/\d+$/.test(d)));
      if (r.destinations.length === 0) r.destinations.push(`198.51.100.${rules % 256}/32`);
      rules++;
    }
    // a SocksPolicy holds at most 64 rules: two halves of 50
    for (const [k, part] of [pol.spec.rules.slice(0, 50), pol.spec.rules.slice(50)].entries()) {
      if (part.length) docs.push(JSON.stringify({ ...pol, metadata: { name: `${pol.metadata.name}-${k}` }, spec: { ...pol.spec, rules: part } }));
    }
  }
  docs.push(JSON.stringify({ apiVersion: 'sockscale.io/v1alpha1', kind: 'SocksQuota', metadata: { name: 'bench-quota' }, spec: { subject: { user: 'bench' }, bytes: '1024Ti', period: { type: 'Monthly' } } }));
  pqFile = path.join(TMP, 'policy-quota.yaml');
  fs.writeFileSync(pqFile, `${docs.join('\n---\n')}\n`);
  log(`${PQ}: wrote ${rules.toLocaleString('en-US')} filler rules + bench policy + SocksQuota to ${pqFile}`);
  return pqFile;
}

/** Start a proxy and health-check it. Resolves to {ok, proc, port, auth} or {ok:false, error}. */
async function startProxy(name, auth) {
  const dir = fs.mkdtempSync(path.join(TMP, `${name}-`));
  const pc = await proxyCommand(name, auth, dir);
  if (!path.isAbsolute(pc.cmd) && !sh('sh', ['-c', `command -v ${pc.cmd}`])) return { ok: false, error: `${pc.cmd} is not installed` };
  if (path.isAbsolute(pc.cmd) && !fs.existsSync(pc.cmd)) return { ok: false, error: `${pc.cmd} is not installed` };
  const [cmd, args] = pinned(PROXY_CPU, pc.cmd, pc.args);
  const out = pc.logFile ? fs.openSync(pc.logFile, 'a') : 'ignore';
  let child;
  try {
    child = spawn(cmd, args, { cwd: pc.cwd, detached: true, stdio: ['ignore', out, out] });
  } catch (e) {
    return { ok: false, error: `spawn failed: ${e.message}` };
  } finally {
    if (typeof out === 'number') fs.closeSync(out);
  }
  let exited = null;
  const spawnErr = new Promise((resolve) => child.on('error', (e) => { exited = `spawn failed: ${e.message}`; resolve(); }));
  const exitP = new Promise((resolve) => child.on('exit', (code, sig) => { exited ??= `exited with ${code ?? sig}`; resolve(); }));
  if (child.pid) {
    live.set(child.pid, child);
    savePgids();
  }
  const h = { name, auth, child, pid: child.pid, port: pc.port, logFile: pc.logFile, dir, exitP };
  const probeArgs = ['probe', '--socks', `127.0.0.1:${pc.port}`, '--timeout', '15s'];
  if (auth) probeArgs.push('--auth', CREDS[name]);
  const probe = loadgen(probeArgs, 20000);
  const r = await Promise.race([probe, exitP.then(() => null), spawnErr.then(() => null)]);
  if (r && r.ok && !exited) {
    h.ok = true;
    return h;
  }
  const exitedEarly = exited;
  if (!r && currentLoadgen) currentLoadgen.kill('SIGKILL');
  await probe;
  await stopProxy(h);
  let why = exitedEarly || (r ? `health check failed: ${r.error}` : 'unknown');
  const tail = tailOf(pc.logFile);
  if (tail) why += ` — log: ${tail}`;
  return { ok: false, error: why };
}

/** The most telling lines of a log: the first error-looking line, else the last lines. */
function tailOf(file) {
  if (!file) return '';
  let lines;
  try {
    lines = fs.readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
  } catch {
    return '';
  }
  const err = lines.find((l) => /error|fatal|cannot|not built|EADDR|denied/i.test(l));
  return (err ?? lines.slice(-3).join(' | ')).slice(0, 400);
}

/** SIGTERM, then SIGKILL after 5 s; resolves to {graceful, ms}. */
async function stopProxy(h) {
  if (!h.pid) return { graceful: true, ms: 0 };
  const t0 = Date.now();
  const tree = procTree(h.pid);
  killQuiet(-h.pid, 'SIGTERM');
  for (const p of tree) killQuiet(p, 'SIGTERM');
  const done = await Promise.race([h.exitP.then(() => true), sleep(5000).then(() => false)]);
  const ms = Date.now() - t0;
  killQuiet(-h.pid, 'SIGKILL');
  for (const p of tree) killQuiet(p, 'SIGKILL');
  if (!done) await Promise.race([h.exitP, sleep(2000)]);
  // wait until no process of the tree is left (danted's children exit on their own)
  for (let i = 0; i < 40 && tree.some((p) => fs.existsSync(`/proc/${p}/stat`) && !isZombie(p)); i++) await sleep(50);
  live.delete(h.pid);
  savePgids();
  return { graceful: done, ms };
}

function isZombie(pid) {
  try {
    const st = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return st.slice(st.lastIndexOf(')') + 2)[0] === 'Z';
  } catch {
    return true;
  }
}

async function killAll() {
  if (currentLoadgen) currentLoadgen.kill('SIGKILL');
  for (const [pgid, child] of live) {
    for (const p of procTree(pgid)) killQuiet(p, 'SIGKILL');
    killQuiet(-pgid, 'SIGKILL');
    child.kill('SIGKILL');
  }
  live.clear();
  savePgids();
}

// ---------------------------------------------------------------- measurements
function groups(o) {
  const n = String(o.idleSessions);
  const all = [
    // pqAuth: the sockscale-pq variant authenticates as user bench here, so quota accounting applies
    // (quotas charge authenticated sessions only; its no-auth sessions group measures the policy alone).
    { id: 'tput', title: 'TCP throughput', pqAuth: true, runs: [
      { id: 'tput_up_1', args: ['tput', '--streams', '1', '--dir', 'up'] },
      { id: 'tput_up_8', args: ['tput', '--streams', '8', '--dir', 'up'] },
      { id: 'tput_down_1', args: ['tput', '--streams', '1', '--dir', 'down'] },
      { id: 'tput_down_8', args: ['tput', '--streams', '8', '--dir', 'down'] },
    ] },
    { id: 'sessions', title: 'sessions, no auth', runs: [{ id: 'sessions', args: ['sessions', '--conc', '32'] }] },
    { id: 'auth', title: 'sessions, username/password', auth: true, runs: [{ id: 'sessions_auth', args: ['sessions', '--conc', '32'] }] },
    { id: 'udp', title: 'UDP ASSOCIATE round trips', udp: true, pqAuth: true, runs: [
      { id: 'udp_64', args: ['udp', '--size', '64', '--assocs', '4', '--inflight', '16'] },
      { id: 'udp_1200', args: ['udp', '--size', '1200', '--assocs', '4', '--inflight', '16'] },
    ] },
    { id: 'idle', title: 'idle-session memory', noDirect: true, untimed: true, runs: [
      { id: 'idle', args: ['idle', '--n', n, '--conc', '32', '--settle', o.quick ? '1s' : '3s'] },
    ] },
  ];
  return all.filter((g) => o.groups.includes(g.id));
}

async function runAll(o, results, proxyState) {
  const targets = [...(o.direct ? ['direct'] : []), ...o.only];
  const timing = ['--duration', `${o.duration}s`, '--warmup', `${o.warmup}s`];
  const runTimeout = (o.duration + o.warmup) * 1000 + 60000;
  for (const g of groups(o)) {
    for (const name of targets) {
      const put = (run, v) => { (results[run.id] ??= {})[name] = v; };
      if (name === 'direct') {
        if (g.noDirect) { for (const r of g.runs) put(r, { status: 'n/a', error: 'no proxy process' }); continue; }
        for (const r of g.runs) {
          log(`${g.id}: direct: ${r.id}`);
          const res = await loadgen([...r.args, ...(g.untimed ? [] : timing)], runTimeout);
          put(r, res.ok ? { status: 'ok', data: res.data } : { status: 'error', error: res.error });
        }
        continue;
      }
      if (g.udp && name === 'microsocks') {
        for (const r of g.runs) put(r, { status: 'n/a', error: 'microsocks has no UDP ASSOCIATE' });
        continue;
      }
      if (proxyState[name].failed) {
        for (const r of g.runs) put(r, { status: 'failed to start', error: proxyState[name].failed });
        continue;
      }
      const auth = !!g.auth || (name === PQ && !!g.pqAuth);
      log(`${g.id}: starting ${name}${auth ? ' (username/password)' : ''}`);
      let h = await startProxy(name, auth);
      if (!h.ok) {
        log(`${name} failed to start (${h.error}); retrying once`);
        h = await startProxy(name, auth);
      }
      if (!h.ok) {
        log(`${name} failed to start: ${h.error}`);
        proxyState[name].failures.push(`${g.id}: ${h.error}`);
        // Two groups in a row that could not start it: don't keep trying.
        if (++proxyState[name].consecutive >= 2) proxyState[name].failed = h.error;
        for (const r of g.runs) put(r, { status: 'failed to start', error: h.error });
        continue;
      }
      proxyState[name].consecutive = 0;
      for (const r of g.runs) {
        if (h.child.exitCode !== null || h.child.signalCode !== null) {
          put(r, { status: 'crashed', error: `proxy exited before this measurement — log: ${tailOf(h.logFile)}` });
          continue;
        }
        log(`${g.id}: ${name}: ${r.id}`);
        const a = [...r.args, ...(g.untimed ? [] : timing), '--socks', `127.0.0.1:${h.port}`, '--pid', String(h.pid)];
        if (auth) a.push('--auth', CREDS[name]);
        const res = await loadgen(a, g.untimed ? 120000 : runTimeout);
        const died = h.child.exitCode !== null || h.child.signalCode !== null;
        if (res.ok) put(r, { status: 'ok', data: res.data, ...(died ? { warning: 'proxy exited during the measurement' } : {}) });
        else put(r, { status: died ? 'crashed' : 'error', error: res.error + (died ? ` — proxy log: ${tailOf(h.logFile)}` : '') });
      }
      const st = await stopProxy(h);
      proxyState[name].stops.push({ group: g.id, exited_on_sigterm: st.graceful, ms: st.ms });
      if (!st.graceful) log(`${name} did not exit within 5 s of SIGTERM: killed`);
    }
  }
}

// ---------------------------------------------------------------- report
const M = (id, run, label, unit, better, get, extra = {}) => ({ id, run, label, unit, better, get, ...extra });
const METRICS = [
  M('tput_up_1', 'tput_up_1', 'TCP upload, 1 stream', 'MB/s', 'higher', (d) => d.mb_per_s, { perCpu: (d) => d.mb_per_proxy_cpu_s, perCpuUnit: 'MB / proxy CPU-s' }),
  M('tput_up_8', 'tput_up_8', 'TCP upload, 8 streams', 'MB/s', 'higher', (d) => d.mb_per_s, { perCpu: (d) => d.mb_per_proxy_cpu_s, perCpuUnit: 'MB / proxy CPU-s' }),
  M('tput_down_1', 'tput_down_1', 'TCP download, 1 stream', 'MB/s', 'higher', (d) => d.mb_per_s, { perCpu: (d) => d.mb_per_proxy_cpu_s, perCpuUnit: 'MB / proxy CPU-s' }),
  M('tput_down_8', 'tput_down_8', 'TCP download, 8 streams', 'MB/s', 'higher', (d) => d.mb_per_s, { perCpu: (d) => d.mb_per_proxy_cpu_s, perCpuUnit: 'MB / proxy CPU-s' }),
  M('sessions', 'sessions', 'Sessions/s, no auth (32 concurrent)', 'sessions/s', 'higher', (d) => d.sessions_per_s, { perCpu: (d) => d.sessions_per_proxy_cpu_s, perCpuUnit: 'sessions / proxy CPU-s', errors: true }),
  M('sessions_p50', 'sessions', '↳ session latency p50', 'µs', 'lower', (d) => d.p50_us),
  M('sessions_p99', 'sessions', '↳ session latency p99', 'µs', 'lower', (d) => d.p99_us),
  M('sessions_auth', 'sessions_auth', 'Sessions/s, username/password (32 concurrent)', 'sessions/s', 'higher', (d) => d.sessions_per_s, { perCpu: (d) => d.sessions_per_proxy_cpu_s, perCpuUnit: 'sessions / proxy CPU-s', errors: true }),
  M('sessions_auth_p50', 'sessions_auth', '↳ session latency p50', 'µs', 'lower', (d) => d.p50_us),
  M('sessions_auth_p99', 'sessions_auth', '↳ session latency p99', 'µs', 'lower', (d) => d.p99_us),
  M('udp_64', 'udp_64', 'UDP round trips/s, 64 B', 'rt/s', 'higher', (d) => d.rt_per_s, { perCpu: (d) => d.rt_per_proxy_cpu_s, perCpuUnit: 'rt / proxy CPU-s' }),
  M('udp_64_loss', 'udp_64', '↳ UDP loss, 64 B', '%', 'lower', (d) => d.loss_pct, { noRatio: true }),
  M('udp_1200', 'udp_1200', 'UDP round trips/s, 1200 B', 'rt/s', 'higher', (d) => d.rt_per_s, { perCpu: (d) => d.rt_per_proxy_cpu_s, perCpuUnit: 'rt / proxy CPU-s' }),
  M('udp_1200_loss', 'udp_1200', '↳ UDP loss, 1200 B', '%', 'lower', (d) => d.loss_pct, { noRatio: true }),
  M('idle_rss', 'idle', 'Memory per idle session (ΔVmRSS / N)', 'KB', 'lower', (d) => d.rss_kb_per_session, { idle: true }),
  M('idle_pss', 'idle', '↳ same, ΔPss / N (shared pages split)', 'KB', 'lower', (d) => d.pss_kb_per_session, { idle: true }),
  M('idle_base', 'idle', '↳ proxy VmRSS before the sessions', 'MB', 'lower', (d) => d.rss_before_kb / 1024),
];
const RUN_LABELS = {
  tput_up_1: 'TCP upload, 1 stream', tput_up_8: 'TCP upload, 8 streams',
  tput_down_1: 'TCP download, 1 stream', tput_down_8: 'TCP download, 8 streams',
  sessions: 'Sessions, no auth', sessions_auth: 'Sessions, username/password',
  udp_64: 'UDP 64 B', udp_1200: 'UDP 1200 B',
};

function fmtNum(v) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  if (a >= 100) return Math.round(v).toLocaleString('en-US');
  if (a >= 10) return v.toFixed(1);
  if (a >= 0.1 || a === 0) return v.toFixed(2);
  return v.toPrecision(2);
}

function fmtRatio(a, b) {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return '–';
  const r = a / b;
  return `${r >= 10 ? r.toFixed(1) : r.toFixed(2)}×`;
}

function buildReport(o, results, proxyState, envInfo, started, finished) {
  const cols = [...(o.direct ? ['direct'] : []), ...o.only];
  const proxies = o.only;
  const val = (m, name) => {
    const e = results[m.run]?.[name];
    if (!e || e.status !== 'ok') return { cell: e ? e.status : 'not run', v: null, e };
    const v = m.get(e.data);
    return { v, cell: fmtNum(v), e };
  };
  const metrics = [];
  for (const m of METRICS) {
    if (!results[m.run]) continue;
    const row = { id: m.id, label: m.label.replace(/^↳ /, ''), unit: m.unit, better: m.better, values: {}, status: {}, ratios: {} };
    for (const c of cols) {
      const x = val(m, c);
      row.values[c] = x.v;
      row.status[c] = x.e ? x.e.status : 'not run';
    }
    if (!m.noRatio) {
      for (const p of proxies) if (o.direct) row.ratios[`${p}/direct`] = ratio(row.values[p], row.values.direct);
      if (proxies.includes('sockscale')) {
        for (const p of ['danted', 'microsocks']) if (proxies.includes(p)) row.ratios[`sockscale/${p}`] = ratio(row.values.sockscale, row.values[p]);
      }
    }
    if (m.perCpu) {
      row.per_proxy_cpu_s = {};
      for (const p of proxies) {
        const e = results[m.run]?.[p];
        row.per_proxy_cpu_s[p] = e?.status === 'ok' ? (m.perCpu(e.data) ?? null) : null;
      }
      row.per_proxy_cpu_unit = m.perCpuUnit;
    }
    metrics.push(row);
  }

  // ---- markdown
  const md = [];
  const T = (cells) => `| ${cells.join(' | ')} |`;
  md.push('# sockscale benchmark', '');
  md.push(`Run ${started.toISOString()} → ${finished.toISOString()} · ${o.quick ? '**quick**' : 'full'} mode: ${o.warmup} s warm-up + ${o.duration} s window per measurement · proxies: ${o.only.join(', ') || 'none'}${o.direct ? ' (+ direct baseline)' : ''}`, '');
  md.push('## Environment', '', T(['', '']), T(['---', '---']));
  for (const [k, v] of envInfo.rows) md.push(T([k, String(v).replace(/\|/g, '\\|')]));
  md.push('');

  const statusNote = [];
  for (const p of proxies) {
    const f = proxyState[p].failures;
    if (f.length) statusNote.push(`- **${p}: failed to start** in ${f.length} group(s)${proxyState[p].failed ? ' (later groups skipped)' : ''} — ${f.map((x) => x.replace(/\n/g, ' ').slice(0, 600)).join(' · ')}`);
  }
  for (const p of proxies) {
    const k = proxyState[p].stops.filter((x) => !x.exited_on_sigterm).length;
    if (k) statusNote.push(`- ${p} did not exit within 5 s of SIGTERM in ${k} of ${proxyState[p].stops.length} group(s) and was SIGKILLed (measurements unaffected).`);
  }
  if (statusNote.length) md.push(...statusNote, '');

  const others = [];
  for (const byProxy of Object.values(results)) for (const e of Object.values(byProxy)) if (e.status === 'ok' && Number.isFinite(e.data?.other_cpu_pct)) others.push(e.data.other_cpu_pct);
  others.sort((a, b) => a - b);
  const otherMedian = others.length ? others[Math.floor(others.length / 2)] : 0;
  if (otherMedian > 30) {
    md.push(`> ⚠ **The machine was busy**: besides the proxy and the load generator, other processes used a median ${Math.round(otherMedian)}% of a core during the measurements (see "everything else" in the CPU table). Proxies were competing for their core with other processes, so absolute figures are low and noisy; rerun on an idle machine before drawing conclusions.`, '');
  }

  md.push('## Results', '');
  md.push('Absolute figures; in parentheses each proxy relative to direct (no proxy). The last columns compare sockscale with the peers (>1× means sockscale has the larger number; see "better").', '');
  const hdr = ['Metric', 'unit', 'better', ...cols];
  const ratioCols = proxies.includes('sockscale') ? ['danted', 'microsocks'].filter((p) => proxies.includes(p)) : [];
  for (const p of ratioCols) hdr.push(`sockscale / ${p}`);
  md.push(T(hdr), T(hdr.map((_, i) => (i < 3 ? '---' : '---:'))));
  for (const m of METRICS) {
    if (!results[m.run]) continue;
    const cells = [m.label, m.unit, m.better === 'higher' ? '↑' : '↓'];
    const values = {};
    for (const c of cols) {
      const x = val(m, c);
      values[c] = x.v;
      let cell = x.cell;
      if (x.v !== null && c !== 'direct' && o.direct && !m.noRatio && !m.idle) {
        const d = val(m, 'direct').v;
        if (d !== null) cell += ` (${fmtRatio(x.v, d)})`;
      }
      if (x.e?.status === 'ok' && m.errors && x.e.data.errors > 0) cell += ` ⚠ ${x.e.data.errors} err`;
      if (x.e?.status === 'ok' && m.idle && m.id === 'idle_rss' && x.e.data.open < x.e.data.requested) cell += ` ⚠ only ${x.e.data.open}/${x.e.data.requested} opened`;
      if (x.e?.status === 'ok' && m.idle && m.id === 'idle_rss' && x.e.data.alive_after_settle < x.e.data.open) cell += ` ⚠ ${x.e.data.open - x.e.data.alive_after_settle} closed`;
      cells.push(cell);
    }
    for (const p of ratioCols) cells.push(m.noRatio ? '' : fmtRatio(values.sockscale, values[p]));
    md.push(T(cells));
  }
  md.push('');

  const perCpuRows = METRICS.filter((m) => m.perCpu && results[m.run]);
  if (perCpuRows.length && proxies.length) {
    md.push('## Work per proxy CPU-second', '', 'Throughput divided by the CPU time (user+system) the proxy\'s processes used in the same window — efficiency independent of how busy the proxy core was.', '');
    const h2 = ['Measurement', 'unit', ...proxies, ...ratioCols.map((p) => `sockscale / ${p}`)];
    md.push(T(h2), T(h2.map((_, i) => (i < 2 ? '---' : '---:'))));
    for (const m of perCpuRows) {
      const v = {};
      const cells = [m.label, m.perCpuUnit];
      for (const p of proxies) {
        const e = results[m.run]?.[p];
        v[p] = e?.status === 'ok' ? m.perCpu(e.data) : null;
        cells.push(e?.status === 'ok' ? fmtNum(v[p]) : (e?.status ?? 'not run'));
      }
      for (const p of ratioCols) cells.push(fmtRatio(v.sockscale, v[p]));
      md.push(T(cells));
    }
    md.push('');
  }

  const pqRows = policyQuotaRows(results, proxies);
  if (pqRows.length) {
    md.push(`## ${PQ}: ${PQ_RULES.toLocaleString('en-US')}-rule policy and quota accounting vs plain sockscale`, '',
      `Same groups, same run, ${PQ} started right after plain sockscale. It serves ${PQ_RULES.toLocaleString('en-US')} rules (200 policies from the policy-engine benchmark's generator, applying to the bench user and anonymous clients, none matching the loopback targets or asking for protocol detection of their tunnels) before the bench policy, and a 1024 TiB SocksQuota on user bench (embedded ledger). Quotas charge authenticated sessions only, so ${PQ} authenticates as bench in the throughput and UDP groups (one RFC 1929 exchange per stream or association) and its no-auth sessions row measures the policy alone. Loss = 1 − ${PQ} / sockscale (negative: ${PQ} was faster; noise). Goal: ≤ 10%.`, '');
    const h = ['Measurement', 'sockscale', PQ, 'loss', 'per proxy CPU-s: sockscale', `per proxy CPU-s: ${PQ}`, 'loss per CPU-s', '≤ 10%'];
    md.push(T(h), T(h.map((_, i) => (i < 1 ? '---' : i === h.length - 1 ? ':---:' : '---:'))));
    for (const r of pqRows) {
      const pct = (x) => (x === null ? '–' : `${(x * 100).toFixed(1)}%`);
      const worst = r.cpu_loss ?? r.loss;
      md.push(T([r.label, fmtNum(r.plain), fmtNum(r.pq), pct(r.loss), fmtNum(r.plain_per_cpu_s), fmtNum(r.pq_per_cpu_s), pct(r.cpu_loss), worst === null ? '–' : worst <= 0.1 ? 'yes' : '**no**']));
    }
    md.push('');
  }

  const runs = Object.keys(RUN_LABELS).filter((r) => results[r]);
  let lgHot = false;
  if (runs.length) {
    md.push('## CPU use per measurement', '', 'proxy / load generator / softirq / everything else, in % of one core. The proxy is summed over all its processes and threads; the load generator includes the target servers it runs in-process; softirq (machine-wide) is mostly the kernel moving this loopback traffic; "everything else" is other load on the machine.', '');
    const h3 = ['Measurement', ...cols];
    md.push(T(h3), T(h3.map((_, i) => (i < 1 ? '---' : '---:'))));
    for (const r of runs) {
      const cells = [RUN_LABELS[r]];
      for (const c of cols) {
        const e = results[r]?.[c];
        if (e?.status !== 'ok') { cells.push(e?.status ?? 'not run'); continue; }
        const d = e.data;
        const hot = d.loadgen_cpu_pct >= 90;
        if (hot && c !== 'direct') lgHot = true;
        cells.push(`${c === 'direct' ? '–' : Math.round(d.proxy_cpu_pct)} / ${Math.round(d.loadgen_cpu_pct)}${hot ? ' ⚠' : ''} / ${Math.round(d.softirq_cpu_pct ?? 0)} / ${Math.round(d.other_cpu_pct)}`);
      }
      md.push(T(cells));
    }
    md.push('', `⚠ = load generator at ≥90% of its core: that figure may be limited by the client side, not the proxy.${lgHot ? ' **At least one proxy measurement hit this.**' : ' No proxy measurement hit this.'}`, '');
  }

  const errs = [];
  for (const [run, byProxy] of Object.entries(results)) {
    for (const [p, e] of Object.entries(byProxy)) {
      if (e.status === 'error' || e.status === 'crashed') errs.push(`- ${run} / ${p}: ${e.status}: ${e.error}`);
      if (e.status === 'ok' && e.data?.error_msgs) errs.push(`- ${run} / ${p}: ${e.data.errors} failed sessions: ${Object.entries(e.data.error_msgs).map(([k, n]) => `${k} (×${n})`).join('; ').slice(0, 500)}`);
      if (e.warning) errs.push(`- ${run} / ${p}: ${e.warning}`);
    }
  }
  if (errs.length) md.push('## Errors', '', ...errs, '');

  md.push('## Method', '', ...envInfo.notes.map((n) => `- ${n}`), '');

  const json = {
    schema: 'sockscale-bench/1',
    started: started.toISOString(),
    finished: finished.toISOString(),
    options: { sockscale_node_flags: o.sockscaleNodeFlags, quick: o.quick, duration_s: o.duration, warmup_s: o.warmup, proxies: o.only, direct: o.direct, groups: o.groups, idle_sessions: o.idleSessions, pinned: o.pin },
    environment: envInfo.data,
    proxies: Object.fromEntries(proxies.map((p) => [p, { status: proxyState[p].failed ? 'failed to start' : proxyState[p].failures.length ? 'failed to start in some groups' : 'ran', start_failures: proxyState[p].failures, stops: proxyState[p].stops }])),
    metrics,
    raw: results,
    notes: envInfo.notes,
    loadgen_hot: lgHot,
    policy_quota: pqRows,
    other_cpu_pct_median: otherMedian,
  };
  return { md: md.join('\n'), json };
}

/** Loss of the sockscale-pq variant against plain sockscale, per measurement both ran. */
function policyQuotaRows(results, proxies) {
  if (!proxies.includes(PQ) || !proxies.includes('sockscale')) return [];
  const rows = [];
  for (const m of METRICS) {
    if (!m.perCpu) continue;
    const a = results[m.run]?.sockscale;
    const b = results[m.run]?.[PQ];
    if (a?.status !== 'ok' || b?.status !== 'ok') continue;
    const plain = m.get(a.data);
    const pq = m.get(b.data);
    const plainCpu = m.perCpu(a.data) ?? null;
    const pqCpu = m.perCpu(b.data) ?? null;
    const loss = (x, y) => (Number.isFinite(x) && Number.isFinite(y) && x > 0 ? 1 - y / x : null);
    const note = m.run === 'sessions' ? ' (anonymous: policy only)' : m.run.startsWith('udp') ? ' (authenticated: policy, and quota if this build charges UDP)' : ' (authenticated: policy + quota)';
    rows.push({ run: m.run, label: `${m.label}${note}`, plain, pq, loss: loss(plain, pq), plain_per_cpu_s: plainCpu, pq_per_cpu_s: pqCpu, cpu_loss: loss(plainCpu, pqCpu) });
  }
  return rows;
}

function ratio(a, b) {
  return Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : null;
}

function environment(o) {
  const cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf8');
  const model = (cpuinfo.match(/^model name\s*:\s*(.*)$/m) || [])[1] ?? os.cpus()[0]?.model ?? 'unknown';
  const cores = os.cpus().length;
  const debian = sh('cat', ['/etc/debian_version']);
  const pkgVer = (p) => sh('dpkg-query', ['-W', '-f=${Version}', p]);
  const dantedV = (sh(DANTED, ['-v']) ?? '').split('\n')[0].replace(/\s+Copyright.*$/, '').replace(/\.$/, '');
  let pkg = {};
  try { pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')); } catch { /* */ }
  const rev = sh('git', ['-C', REPO, 'rev-parse', '--short', 'HEAD']);
  const dirty = sh('git', ['-C', REPO, 'status', '--porcelain', '--untracked-files=no']);
  const sysctl = (k) => sh('cat', [`/proc/sys/${k.replace(/\./g, '/')}`]);
  const data = {
    cpu_model: model, cores, kernel: `${os.type()} ${os.release()}`, os: debian ? `Debian ${debian}` : os.version(),
    node: process.version, go: env.BENCH_GO_VERSION || sh(LOADGEN, ['version']) || 'unknown',
    sockscale: `${pkg.version ?? '?'}${rev ? ` @ ${rev}` : ''}${dirty ? ' (+ uncommitted changes)' : ''}`,
    danted: `${dantedV || 'not found'}${pkgVer('dante-server') ? ` (Debian dante-server ${pkgVer('dante-server')})` : ''}`,
    microsocks: pkgVer('microsocks') ? `Debian microsocks ${pkgVer('microsocks')}` : (fs.existsSync('/usr/bin/microsocks') ? 'unknown version' : 'not found'),
    pinning: o.pin ? `proxy → CPU ${PROXY_CPU}, load generator + targets → CPU ${LOADGEN_CPU} (taskset)` : 'none (--no-pin or taskset unavailable)',
    nofile: env.BENCH_NOFILE || 'unknown',
    tcp_tw_reuse: sysctl('net.ipv4.tcp_tw_reuse'),
    ip_local_port_range: sysctl('net.ipv4.ip_local_port_range')?.replace(/\s+/g, '–'),
    loadavg_start: fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
    danted_user_hash: env.BENCH_DANTED_HASH || 'unknown',
    danted_crypt_us: env.BENCH_DANTED_CRYPT_US ? Number(env.BENCH_DANTED_CRYPT_US) : null,
  };
  const rows = [
    ['CPU', `${model} · ${cores} cores`],
    ['OS / kernel', `${data.os} · ${data.kernel}`],
    ['Node.js', data.node],
    ['Go (load generator)', data.go],
    ['sockscale', data.sockscale],
    ['danted', data.danted],
    ['microsocks', data.microsocks],
    ['Pinning', data.pinning],
    ['open files (ulimit -n)', data.nofile],
    ['tcp_tw_reuse / local ports', `${data.tcp_tw_reuse} / ${data.ip_local_port_range}`],
    ['load average at start', data.loadavg_start],
  ];
  const crypt = data.danted_crypt_us ? `, ~${data.danted_crypt_us} µs per crypt(3) check on this machine` : '';
  const notes = [
    'Everything runs on loopback (127.0.0.1). Each proxy is started fresh for each measurement group (throughput, sessions, auth sessions, UDP, memory), health-checked with a full SOCKS5 session, and killed afterwards.',
    `${o.pin ? 'The proxy is pinned to CPU 1 and the load generator to CPU 0 with taskset, so every proxy gets exactly one core (danted\'s forked children and microsocks\' threads inherit the affinity)' : 'No CPU pinning'}; the load generator (Go, GOMAXPROCS = cores it may use) also runs the target servers: TCP sink, TCP source, TCP echo, UDP echo.`,
    `TCP throughput: bulk transfer through CONNECT with 128 KiB reads/writes, counted at the receiving end during the window; MB = 10^6 bytes.`,
    'Sessions: 32 workers loop {TCP connect, SOCKS5 greeting (+ RFC 1929 auth), CONNECT to the echo server, send 32 B, read the echo, close}; latency is per whole session; sessions that fail count as errors, not in the rate. Direct has no SOCKS at all (connect, echo, close), so its auth row is the same loop again. The echo server closes first after echoing (the client reads that EOF, then closes), so TIME_WAIT lands on the servers\' listening ports: with the client closing first, the proxies\' and the client\'s ephemeral ports fill up with TIME_WAIT within a minute at these rates, and danted (which binds its outgoing sockets to `external`) starts failing CONNECTs ("network unreachable"). `loadgen sessions --close client` gives the other order.',
    `Username/password: sockscale uses user bench from scripts/bench/policy.yaml, microsocks -u bench -P benchpass, danted \`socksmethod: username\` against the system user sockbench (password hash ${data.danted_user_hash}${crypt}; danted checks /etc/shadow with crypt(3), so the hash scheme sets part of its auth cost — Debian's default yescrypt costs tens of ms per check).`,
    'UDP: 4 associations (each with its own TCP control connection and UDP socket), 16 datagrams outstanding per association; each reply sends the next datagram; a datagram unanswered after 200 ms counts as lost and is replaced. microsocks has no UDP ASSOCIATE (n/a).',
    `Memory: ${o.idleSessions} sessions opened (greeting + CONNECT + 1 byte echoed), idle for ${o.quick ? 1 : 3} s, then (sum of VmRSS of all proxy processes after − before) / sessions. danted forks, so RSS summed over its processes counts shared pages many times; the Pss row splits shared pages between processes and is the fairer figure for it.`,
    'CPU: utime+stime (+ reaped children) of all the proxy\'s processes from /proc/<pid>/stat over the window; the load generator\'s own getrusage; softirq is the machine-wide softirq time from /proc/stat; "everything else" is /proc/stat busy time minus those three, i.e. other load on the host.',
    'danted config: `internal: 127.0.0.1`, `external: 127.0.0.1`, `clientmethod: none`, `socksmethod: none` (or `username`), `user.privileged: root`, `user.unprivileged: nobody`, client pass from 127.0.0.0/8, socks pass 127.0.0.0/8 → 127.0.0.0/8 for connect, udpassociate and udpreply; no `log:` in any rule (no per-connection logging), `logoutput` to a file for its start-up/errors only; default process model (`-N 1`, children forked on demand).',
    'microsocks: `-i 127.0.0.1 -p PORT [-u bench -P benchpass]`; it logs every connection to stderr with no way to turn that off, so stderr is sent to /dev/null. sockscale: `serve --log-level warn`, log to a file.',
    `sockscale runs as \`node ${o.sockscaleNodeFlags || '(no flags)'} services/cli/bin/sockscale.js serve ...\`${o.sockscaleNodeFlags === DEFAULT_NODE_FLAGS ? ' (the recommended production flags from the README)' : ''}.`,
  ];
  return { data, rows, notes };
}

// ---------------------------------------------------------------- main
const opts = parseArgs(process.argv.slice(2));
const DANTED = fs.existsSync('/usr/sbin/danted') ? '/usr/sbin/danted' : 'danted';

async function main() {
  if (!LOADGEN || !fs.existsSync(LOADGEN)) fail('BENCH_LOADGEN not set or missing: run through scripts/bench/run.sh');
  TMP ||= fs.mkdtempSync(path.join(os.tmpdir(), 'sockscale-bench-'));
  PGID_FILE ||= path.join(TMP, 'pgids');
  if (opts.pin && (os.cpus().length < 2 || !sh('sh', ['-c', 'command -v taskset']))) {
    log('fewer than 2 CPUs or no taskset: not pinning');
    opts.pin = false;
  }
  const proxyState = Object.fromEntries([...PROXIES, PQ].map((p) => [p, { failed: null, consecutive: 0, failures: [], stops: [] }]));
  const envInfo = environment(opts);
  for (const [k, v] of envInfo.rows) log(`${k}: ${v}`);
  const started = new Date();
  const results = {};
  // hard bound on the whole run, whatever happens
  const nTimed = 8 * (opts.only.length + 1);
  const budgetMs = Math.max(10 * 60000, 3 * nTimed * (opts.duration + opts.warmup + 5) * 1000);
  const watchdog = setTimeout(() => { log(`overall time limit (${Math.round(budgetMs / 1000)} s) reached: aborting`); void shutdown(124); }, budgetMs);
  watchdog.unref();
  await runAll(opts, results, proxyState);
  const finished = new Date();
  envInfo.data.loadavg_end = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  envInfo.rows.push(['load average at end', envInfo.data.loadavg_end]);
  const { md, json } = buildReport(opts, results, proxyState, envInfo, started, finished);
  fs.mkdirSync(opts.out, { recursive: true });
  fs.writeFileSync(path.join(opts.out, 'latest.json'), `${JSON.stringify(json, null, 2)}\n`);
  fs.writeFileSync(path.join(opts.out, 'latest.md'), `${md}\n`);
  process.stdout.write(`${md}\n`);
  log(`wrote ${path.join(opts.out, 'latest.md')} and latest.json`);
}

let shuttingDown = false;
async function shutdown(code) {
  if (shuttingDown) return;
  shuttingDown = true;
  await killAll();
  process.exit(code);
}
process.on('SIGINT', () => { void shutdown(130); });
process.on('SIGTERM', () => { void shutdown(143); });
process.on('SIGHUP', () => { void shutdown(129); });

main().then(() => shutdown(0), (e) => { log(`error: ${e?.stack ?? e}`); void shutdown(1); });
