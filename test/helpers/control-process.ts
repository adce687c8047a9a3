import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, SOCKSCALE_BIN, type LogLine } from './sockscale-process';
import { run, type RunResult } from './run';

/** The admin token every test control plane is started with. */
export const TEST_TOKEN = 'test-token-0123456789abcdef';

export function tokenFile(token = TEST_TOKEN): string {
  const f = join(mkdtempSync(join(tmpdir(), 'sockscale-token-')), 'token');
  writeFileSync(f, `${token}\n`, { mode: 0o600 });
  return f;
}

/** `sockscale control` as a child process on loopback ports from port 0; JSON log kept. */
export class ControlProcess {
  readonly logs: LogLine[] = [];
  stderr = '';
  grpc = '';
  adminUrl = '';
  private waiters: { pred: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];

  private constructor(readonly child: ChildProcess) {
    let partial = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      partial += d;
      let nl: number;
      while ((nl = partial.indexOf('\n')) >= 0) {
        const line = partial.slice(0, nl);
        partial = partial.slice(nl + 1);
        try {
          const l = JSON.parse(line) as LogLine;
          this.logs.push(l);
          this.waiters = this.waiters.filter((w) => (w.pred(l) ? (w.resolve(l), false) : true));
        } catch {
          // not JSON
        }
      }
    });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
  }

  static async start(store: { etcd: string } | { store: string }, args: string[] = []): Promise<ControlProcess> {
    const storeArgs = 'etcd' in store ? ['--etcd', store.etcd] : ['--store', store.store];
    const child = spawn(
      process.execPath,
      [SOCKSCALE_BIN, 'control', ...storeArgs, '--grpc', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--admin-token-file', tokenFile(), '--log-format', 'json', ...args],
      // The store is always given as a flag here: a SOCKSCALE_ETCD (etcd endpoints) in the
      // caller's environment must not add a second one.
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SOCKSCALE_ETCD: undefined } },
    );
    const p = new ControlProcess(child);
    const exited = once(child, 'exit').then(([code]) => {
      throw new Error(`sockscale control exited with ${String(code)}\nstderr:\n${p.stderr}\nlog:\n${p.logs.map((l) => JSON.stringify(l)).join('\n')}`);
    });
    const l = await Promise.race([p.waitForLog((x) => x.msg === 'control plane listening', 20_000), exited]);
    p.grpc = String(l.grpc);
    p.adminUrl = String(l.admin);
    return p;
  }

  waitForLog(pred: (l: LogLine) => boolean, timeoutMs = 10_000): Promise<LogLine> {
    const seen = this.logs.find(pred);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const w = { pred, resolve: (l: LogLine) => (clearTimeout(t), resolve(l)) };
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(new Error(`no matching control-plane log line within ${timeoutMs} ms; last lines:\n${this.logs.slice(-10).map((x) => JSON.stringify(x)).join('\n')}`));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  async readyz(): Promise<number> {
    const res = await fetch(`${this.adminUrl}/readyz`);
    await res.text();
    return res.status;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill(signal);
    const t = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(t);
  }
}

/** Runs a `sockscale` client command (apply/delete/get) against `server` with the test token. */
export function sockscaleCli(args: string[], server: string, opts: { token?: string | null; timeoutMs?: number } = {}): Promise<RunResult & { out: string }> {
  const token = opts.token === undefined ? TEST_TOKEN : opts.token;
  const tokenArgs = token === null ? [] : ['--token', token];
  return run(process.execPath, [SOCKSCALE_BIN, ...args, '--server', server, ...tokenArgs], { timeoutMs: opts.timeoutMs ?? 20_000 }).then((r) => ({ ...r, out: r.stdout.toString('utf8') }));
}
