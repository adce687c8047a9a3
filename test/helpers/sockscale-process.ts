import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';

/** Compiled to test/dist/helpers/, so the repository is three levels up. */
export const REPO_ROOT = join(__dirname, '..', '..', '..');
export const SOCKSCALE_BIN = join(REPO_ROOT, 'services', 'cli', 'bin', 'sockscale.js');
export const EXAMPLE_POLICY = join(REPO_ROOT, 'examples', 'local.yaml');

export interface LogLine {
  level: string;
  msg: string;
  [k: string]: unknown;
}

/**
 * `sockscale serve` as a real child process on loopback with ephemeral ports. Parses its JSON
 * log to learn the ports and keeps every line for assertions.
 */
export class SockscaleProcess {
  readonly logs: LogLine[] = [];
  stdout = '';
  stderr = '';
  socksHost = '127.0.0.1';
  socksPort = 0;
  adminUrl = '';
  private waiters: { pred: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];

  private constructor(readonly child: ChildProcess) {
    let partial = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      this.stdout += d;
      partial += d;
      let nl: number;
      while ((nl = partial.indexOf('\n')) >= 0) {
        const line = partial.slice(0, nl);
        partial = partial.slice(nl + 1);
        try {
          const l = JSON.parse(line) as LogLine;
          this.logs.push(l);
          this.waiters = this.waiters.filter((w) => {
            if (!w.pred(l)) return true;
            w.resolve(l);
            return false;
          });
        } catch {
          // not JSON: kept in stdout
        }
      }
    });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
  }

  static async start(opts: { policy?: string | string[]; args?: string[]; env?: Record<string, string> } = {}): Promise<SockscaleProcess> {
    const policies = opts.policy === undefined ? [EXAMPLE_POLICY] : Array.isArray(opts.policy) ? opts.policy : [opts.policy];
    const args = [SOCKSCALE_BIN, 'serve', ...policies.flatMap((p) => ['--policy', p]), '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--log-format', 'json', ...(opts.args ?? [])];
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
    const p = new SockscaleProcess(child);
    const exited = once(child, 'exit').then(([code]) => {
      throw new Error(`sockscale exited with ${String(code)} before listening\nstdout:\n${p.stdout}\nstderr:\n${p.stderr}`);
    });
    const listening = await Promise.race([p.waitForLog((l) => l.msg === 'sockscale listening', 20_000), exited]);
    const socks = String(listening.socks);
    const i = socks.lastIndexOf(':');
    p.socksHost = socks.slice(0, i).replace(/^\[|\]$/g, '');
    p.socksPort = Number(socks.slice(i + 1));
    p.adminUrl = String(listening.admin);
    return p;
  }

  /** Runs `sockscale serve` expecting it to fail; returns exit code and output. */
  static async runToExit(args: string[], env: Record<string, string> = {}, timeoutMs = 20_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = spawn(process.execPath, [SOCKSCALE_BIN, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const [code] = (await once(child, 'exit')) as [number | null];
    clearTimeout(timer);
    return { code, stdout, stderr };
  }

  waitForLog(pred: (l: LogLine) => boolean, timeoutMs = 10_000): Promise<LogLine> {
    const seen = this.logs.find(pred);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const w = { pred, resolve: (l: LogLine) => (clearTimeout(t), resolve(l)) };
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(new Error(`no matching log line within ${timeoutMs} ms; last lines:\n${this.logs.slice(-10).map((l) => JSON.stringify(l)).join('\n')}\nstderr: ${this.stderr}`));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  /** Access-log lines (one per finished session). */
  sessions(): LogLine[] {
    return this.logs.filter((l) => l.msg === 'session');
  }

  async metrics(): Promise<string> {
    const res = await fetch(`${this.adminUrl}/metrics`);
    return res.text();
  }

  /** Value of one metric sample, e.g. metric('sockscale_proxy_sessions_total', {command: 'connect', result: 'success'}). */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    const text = await this.metrics();
    let sum = 0;
    let found = false;
    for (const line of text.split('\n')) {
      if (!line.startsWith(name)) continue;
      const m = /^([a-z_]+)(\{([^}]*)\})? (\S+)$/.exec(line);
      if (m === null || m[1] !== name) continue;
      const got: Record<string, string> = {};
      for (const kv of (m[3] ?? '').matchAll(/(\w+)="([^"]*)"/g)) got[kv[1] as string] = kv[2] as string;
      if (Object.entries(labels).every(([k, v]) => got[k] === v)) {
        sum += Number(m[4]);
        found = true;
      }
    }
    return found ? sum : 0;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    const exited = once(this.child, 'exit') as Promise<[number | null]>;
    this.child.kill(signal);
    const t = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const [code] = await exited;
    clearTimeout(t);
    return code;
  }

  /** Open file descriptors of the proxy process (Linux), for leak checks. */
  fdCount(): number {
    return readdirSync(`/proc/${this.child.pid}/fd`).length;
  }
}

export function tempPolicy(yaml: string, name = 'policy.yaml'): string {
  const dir = mkdtempSync(join(tmpdir(), 'sockscale-test-'));
  const file = join(dir, name);
  writeFileSync(file, yaml);
  return file;
}
