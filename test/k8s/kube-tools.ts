import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTool } from '../helpers/tools';
import { REPO_ROOT } from '../helpers/sockscale-process';

/**
 * helm, kube-apiserver, kubectl and etcd for the k8s suite. Paths come from the SOCKSCALE_*
 * variables that scripts/install-test-tools.sh writes into <tools>/env.sh, else from the tools
 * directory it builds into. A missing tool fails the test (never a skip).
 */
const TOOLS_BIN = join(process.env.SOCKSCALE_TOOLS_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'sockscale', 'tools'), 'bin');
const HINT = 'built by scripts/install-test-tools.sh into ~/.cache/sockscale/tools/bin';

export const CHART_DIR = join(REPO_ROOT, 'charts', 'sockscale');
export const FIXTURES = join(REPO_ROOT, 'test', 'k8s', 'fixtures');

export function helmPath(): string {
  return requireTool(process.env.SOCKSCALE_TOOL_HELM ?? join(TOOLS_BIN, 'helm'), `helm v3, ${HINT}`);
}
export function kubeApiserverPath(): string {
  return requireTool(process.env.SOCKSCALE_TOOL_KUBE_APISERVER ?? join(TOOLS_BIN, 'kube-apiserver'), `kube-apiserver, ${HINT}`);
}
export function kubectlPath(): string {
  const built = join(TOOLS_BIN, 'kubectl');
  return requireTool(process.env.SOCKSCALE_TOOL_KUBECTL ?? (existsSync(built) ? built : 'kubectl'), `kubectl, ${HINT}`);
}
export function etcdPath(): string {
  return requireTool(process.env.SOCKSCALE_TOOL_ETCD ?? '/usr/bin/etcd', "Debian's etcd-server package");
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (bounded by a timeout) and returns its output. */
export function run(cmd: string, args: string[], opts: { input?: string; timeoutMs?: number; env?: Record<string, string> } = {}): RunResult {
  const r = spawnSync(cmd, args, { input: opts.input, encoding: 'utf8', timeout: opts.timeoutMs ?? 60_000, env: { ...process.env, ...opts.env }, cwd: REPO_ROOT });
  if (r.error !== undefined) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function helm(args: string[], opts: { input?: string; timeoutMs?: number } = {}): RunResult {
  // HELM_* caches in a temp home so tests never touch the user's helm config.
  return run(helmPath(), args, { ...opts, env: { HELM_CACHE_HOME: join(tmpdir(), 'sockscale-helm-cache'), HELM_CONFIG_HOME: join(tmpdir(), 'sockscale-helm-config'), HELM_DATA_HOME: join(tmpdir(), 'sockscale-helm-data') } });
}

async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const addr = srv.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  await new Promise((r) => srv.close(r));
  return port;
}

/** GET on the API server's self-signed TLS port; true on 200, false on anything else (errors, timeouts). */
function httpsOk(url: string, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpsGet(url, { rejectUnauthorized: false, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

async function waitFor(what: string, deadlineMs: number, probe: () => Promise<boolean>, alive: () => string | undefined): Promise<void> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    if (await probe()) return;
    const died = alive();
    if (died !== undefined) throw new Error(`${what} exited before it was ready:\n${died}`);
    if (Date.now() > end) throw new Error(`${what} not ready within ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * etcd + kube-apiserver on loopback (scripts/lib/kube-apiserver-recipe.md): no controller
 * manager, scheduler or kubelet, so objects are stored and validated but no pod ever runs.
 */
export class KubeCluster {
  /** The API server's etcd; tests may give it to `sockscale control --etcd` (its keys live under /sockscale/, the API server's under /registry/). */
  etcdUrl = '';

  private constructor(
    readonly dir: string,
    readonly server: string,
    readonly kubeconfig: string,
    private readonly procs: { name: string; child: ReturnType<typeof spawn>; log: string }[],
  ) {}

  static async start(): Promise<KubeCluster> {
    const etcd = etcdPath();
    const apiserver = kubeApiserverPath();
    kubectlPath();
    const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
    const dir = mkdtempSync(join(base, 'sockscale-k8s-test-'));
    const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const procs: { name: string; child: ReturnType<typeof spawn>; log: string }[] = [];
    const startProc = (name: string, cmd: string, args: string[]) => {
      const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      const entry = { name, child, log: '' };
      const add = (d: Buffer) => {
        entry.log = (entry.log + d.toString('utf8')).slice(-20_000);
      };
      child.stdout.on('data', add);
      child.stderr.on('data', add);
      procs.push(entry);
      return entry;
    };
    const cluster = new KubeCluster(dir, `https://127.0.0.1:${apiPort}`, join(dir, 'kubeconfig'), procs);
    try {
      const e = startProc('etcd', etcd, [
        '--name=t', `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=http://127.0.0.1:${etcdPort}`, `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
        `--listen-peer-urls=http://127.0.0.1:${peerPort}`, `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
        `--initial-cluster=t=http://127.0.0.1:${peerPort}`, '--logger=zap', '--log-level=warn',
      ]);
      cluster.etcdUrl = `http://127.0.0.1:${etcdPort}`;
      await waitFor('etcd', 30_000, async () => (await fetch(`http://127.0.0.1:${etcdPort}/health`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok).catch(() => false)), () => (e.child.exitCode !== null ? e.log : undefined));
      const keyGen = run('openssl', ['genrsa', '-out', join(dir, 'sa.key'), '2048']);
      if (keyGen.status !== 0) throw new Error(`openssl genrsa failed: ${keyGen.stderr}`);
      const token = Array.from({ length: 32 }, () => Math.floor(Math.random() * 16).toString(16)).join('');
      writeFileSync(join(dir, 'tokens.csv'), `${token},admin,admin,system:masters\n`);
      const a = startProc('kube-apiserver', apiserver, [
        `--etcd-servers=http://127.0.0.1:${etcdPort}`,
        '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', `--secure-port=${apiPort}`,
        '--endpoint-reconciler-type=none', `--cert-dir=${join(dir, 'certs')}`, `--token-auth-file=${join(dir, 'tokens.csv')}`,
        '--authorization-mode=RBAC', '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${join(dir, 'sa.key')}`, `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
        '--service-cluster-ip-range=10.96.0.0/16', '--disable-admission-plugins=ServiceAccount', '--allow-privileged=true',
      ]);
      await waitFor('kube-apiserver', 90_000, () => httpsOk(`${cluster.server}/readyz`), () => (a.child.exitCode !== null ? a.log : undefined));
      writeFileSync(
        cluster.kubeconfig,
        [
          'apiVersion: v1',
          'kind: Config',
          `clusters: [{name: t, cluster: {server: "${cluster.server}", insecure-skip-tls-verify: true}}]`,
          `users: [{name: admin, user: {token: "${token}"}}]`,
          'contexts: [{name: t, context: {cluster: t, user: admin}}]',
          'current-context: t',
          '',
        ].join('\n'),
      );
      return cluster;
    } catch (err) {
      await cluster.stop();
      throw err;
    }
  }

  kubectl(args: string[], opts: { input?: string; timeoutMs?: number } = {}): RunResult {
    return run(kubectlPath(), ['--kubeconfig', this.kubeconfig, ...args], opts);
  }

  helm(args: string[], opts: { timeoutMs?: number } = {}): RunResult {
    return helm(['--kubeconfig', this.kubeconfig, ...args], opts);
  }

  logs(): string {
    return this.procs.map((p) => `--- ${p.name}\n${p.log.slice(-4000)}`).join('\n');
  }

  /** Stops the API server, then etcd (SIGTERM, SIGKILL after 10 s), and removes the temp dir. */
  async stop(): Promise<void> {
    for (const p of [...this.procs].reverse()) {
      if (p.child.exitCode !== null || p.child.signalCode !== null) continue;
      const exited = once(p.child, 'exit');
      p.child.kill('SIGTERM');
      const t = setTimeout(() => p.child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function readFixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}
