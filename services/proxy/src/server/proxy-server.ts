import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { SockscaleError, type Logger, type PolicySnapshot, type Registry } from '@sockscale/common';
import { LimitRegistry } from '../limits';
import type { QuotaManager } from '../quota';
import { compilePolicy, type CompiledPolicy } from '../policy';
import { DnsCache } from '../relay/dns-cache';
import { PasswordVerifier } from '../stages/password-verifier';
import type { ProxyContext } from './proxy-context';
import { ProxyMetrics } from './proxy-metrics';
import { DEFAULT_PROXY_OPTIONS, type ProxyOptions } from './proxy-options';
import { Session } from './session';
import { UdpRelayPort, type RelayPortOptions } from '../udp/relay-port';

export type SnapshotResult = { ok: true; version: number } | { ok: false; version: number; error: string };

/**
 * The SOCKS5 data plane of one process: a TCP listener, its sessions, and the policy in force.
 * Policy arrives as snapshots (`applySnapshot`), is compiled once, and replaces the previous
 * one atomically; open sessions are re-checked against it. Until the first snapshot is applied
 * the server does not accept connections.
 */
export class ProxyServer {
  readonly options: ProxyOptions;
  readonly metrics: ProxyMetrics;
  private readonly log: Logger;
  private readonly server: Server;
  private readonly sessions = new Set<Session>();
  private readonly verifier = new PasswordVerifier();
  /** Per-user / per-rule bandwidth and connection limits; `limits.setUserBandwidth` changes rates at run time. */
  readonly limits = new LimitRegistry();
  private readonly dns: DnsCache;
  private readonly ctx: ProxyContext;
  private compiled: CompiledPolicy | undefined;
  private nextId = 1;
  private sweeper: NodeJS.Timeout | undefined;
  private listening = false;
  private draining = false;

  private readonly relayPort: UdpRelayPort | undefined;

  constructor(opts: { options?: Partial<ProxyOptions>; logger: Logger; registry: Registry; udpRelay?: Omit<RelayPortOptions, 'metricsRegistry'> }) {
    this.options = { ...DEFAULT_PROXY_OPTIONS, ...opts.options };
    this.log = opts.logger.child({ component: 'proxy' });
    this.metrics = new ProxyMetrics(opts.registry, () => this.liveBytes(), (visit) => this.liveUserBytes(visit));
    this.dns = new DnsCache(this.options.dnsCacheTtlMs, this.options.dnsNegativeTtlMs, this.options.dnsCacheSize);
    // The access line has a fixed set of fields and no credential among them, so it skips the
    // root logger's redaction pass (which costs more than the rest of the line).
    const accessLog = opts.logger.child({ component: 'access' }, { redact: [] });
    this.ctx = {
      options: this.options,
      log: this.log,
      accessLog,
      metrics: this.metrics,
      verifier: this.verifier,
      dns: this.dns,
      limits: this.limits,
      policy: () => this.compiled as CompiledPolicy,
      onSessionEnd: (s) => this.sessions.delete(s),
    };
    if (opts.udpRelay !== undefined) {
      this.relayPort = new UdpRelayPort(this.ctx, { ...opts.udpRelay, metricsRegistry: opts.registry });
      this.ctx.udpRelay = this.relayPort;
    }
    this.server = createServer({ allowHalfOpen: true, noDelay: true, pauseOnConnect: false }, this.onConnection);
    this.server.on('error', (err) => this.log.error({ err }, 'listener error'));
  }

  /** Attaches the cluster quota manager (before the first snapshot); sessions of quota subjects then relay only against grants. */
  attachQuota(quota: QuotaManager): void {
    this.ctx.quota = quota;
  }

  /** Compiles and installs a snapshot. A snapshot that fails to compile leaves the old one. */
  applySnapshot(snapshot: PolicySnapshot): SnapshotResult {
    let compiled: CompiledPolicy;
    try {
      compiled = compilePolicy(snapshot);
    } catch (err) {
      this.metrics.policyReloads.inc({ result: 'rejected' });
      const error = err instanceof Error ? err.message : String(err);
      this.log.error({ version: snapshot.version, error }, 'policy snapshot rejected');
      return { ok: false, version: snapshot.version, error };
    }
    this.compiled = compiled;
    this.verifier.setUsers(snapshot.users);
    this.ctx.quota?.applySnapshot(snapshot);
    this.metrics.policyVersion.set(snapshot.version);
    this.metrics.policyReloads.inc({ result: 'applied' });
    for (const s of this.sessions) s.recheck(compiled);
    return { ok: true, version: snapshot.version };
  }

  get policyVersion(): number | undefined {
    return this.compiled?.version;
  }

  get activeSessions(): number {
    return this.sessions.size;
  }

  /** Ready = listening, has a policy, and not draining. */
  get ready(): boolean {
    return this.listening && this.compiled !== undefined && !this.draining;
  }

  async listen(host = this.options.listenHost, port = this.options.listenPort): Promise<AddressInfo> {
    if (this.compiled === undefined) throw new SockscaleError('ERR_SOCKSCALE_NO_POLICY', 'a policy snapshot must be applied before listening');
    await this.relayPort?.start();
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen({ host, port, backlog: 4096 }, () => {
        this.server.removeListener('error', onError);
        resolve();
      });
    });
    this.listening = true;
    this.sweeper = setInterval(() => this.sweep(), 1000);
    this.sweeper.unref();
    return this.server.address() as AddressInfo;
  }

  address(): AddressInfo {
    return this.server.address() as AddressInfo;
  }

  /** The relay port's bound and advertised endpoints (per-pod/shared UDP modes), if any. */
  udpRelayEndpoints(): { bound: { host: string; port: number }; advertised: { host: string; port: number } } | undefined {
    return this.relayPort === undefined ? undefined : { bound: this.relayPort.address(), advertised: this.relayPort.advertised() };
  }

  /**
   * Graceful shutdown: stop accepting, let open sessions finish for up to `deadlineMs`, then cut
   * the rest. Resolves when every session is gone.
   */
  async drain(deadlineMs = this.options.drainTimeoutMs): Promise<{ cut: number }> {
    this.draining = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const deadline = Date.now() + deadlineMs;
    while (this.sessions.size > 0 && Date.now() < deadline) await sleep(Math.min(100, Math.max(1, deadline - Date.now())));
    const cut = this.sessions.size;
    for (const s of [...this.sessions]) s.terminate('drain_deadline');
    await closed;
    // Return unspent quota grants (final usage reports).
    await this.ctx.quota?.drain();
    await this.relayPort?.close();
    if (this.sweeper !== undefined) clearInterval(this.sweeper);
    this.listening = false;
    return { cut };
  }

  private onConnection = (socket: Socket): void => {
    if (this.draining) {
      this.metrics.connectionsRejected.inc({ reason: 'draining' });
      socket.on('error', () => undefined);
      socket.destroy();
      return;
    }
    if (this.sessions.size >= this.options.maxConnections) {
      this.metrics.connectionsRejected.inc({ reason: 'max_connections' });
      socket.on('error', () => undefined);
      socket.destroy();
      return;
    }
    const s = new Session(this.ctx, socket, this.nextId++);
    this.sessions.add(s);
  };

  private sweep(): void {
    const now = Date.now();
    for (const s of this.sessions) s.tick(now);
  }

  private liveBytes(): { up: number; down: number } {
    let up = 0;
    let down = 0;
    for (const s of this.sessions) {
      up += s.bytes.up;
      down += s.bytes.down;
    }
    const relayed = this.relayPort?.liveBytes();
    if (relayed !== undefined) {
      up += relayed.up;
      down += relayed.down;
    }
    return { up, down };
  }

  private liveUserBytes(visit: (user: string | null, up: number, down: number) => void): void {
    for (const s of this.sessions) visit(s.userName, s.bytes.up, s.bytes.down);
    this.relayPort?.liveUserBytes(visit);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
