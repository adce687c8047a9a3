import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTool } from './tools';

/** Debian's etcd (package etcd-server); SOCKSCALE_TOOL_ETCD (tools env.sh) may point elsewhere. */
export const ETCD_BIN = process.env.SOCKSCALE_TOOL_ETCD ?? '/usr/bin/etcd';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen({ host: '127.0.0.1', port: 0 }, r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/**
 * A real single-member etcd on loopback with a temporary data dir. etcd cannot listen on port
 * 0 and report it, so ports are picked free just before start. `stop()` and `start()` again
 * keep the data dir and ports (an etcd outage and its return); `destroy()` removes everything.
 */
export class EtcdProcess {
  readonly dataDir = mkdtempSync(join(tmpdir(), 'sockscale-etcd-'));
  private child: ChildProcess | undefined;
  private log = '';
  clientPort = 0;
  peerPort = 0;

  get url(): string {
    return `http://127.0.0.1:${this.clientPort}`;
  }

  static async start(): Promise<EtcdProcess> {
    requireTool(ETCD_BIN, 'Debian package etcd-server; bash scripts/install-test-tools.sh --only apt installs it');
    const e = new EtcdProcess();
    e.clientPort = await freePort();
    e.peerPort = await freePort();
    await e.start();
    return e;
  }

  async start(): Promise<void> {
    const peer = `http://127.0.0.1:${this.peerPort}`;
    const args = [
      '--name', 'n1',
      '--data-dir', join(this.dataDir, 'data'),
      '--listen-client-urls', this.url,
      '--advertise-client-urls', this.url,
      '--listen-peer-urls', peer,
      '--initial-advertise-peer-urls', peer,
      '--initial-cluster', `n1=${peer}`,
      '--initial-cluster-state', 'new',
      '--log-level', 'error',
    ];
    const child = spawn(ETCD_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'], env: process.arch === 'x64' ? process.env : { ...process.env, ETCD_UNSUPPORTED_ARCH: process.arch === 'arm64' ? 'arm64' : process.arch } });
    this.child = child;
    child.stdout?.on('data', (d: Buffer) => (this.log += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.log += d.toString()));
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`etcd exited with ${child.exitCode}:\n${this.log}`);
      try {
        const res = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(500) });
        const body = (await res.json()) as { health?: string };
        if (body.health === 'true') return;
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`etcd did not become healthy within 15 s:\n${this.log}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
