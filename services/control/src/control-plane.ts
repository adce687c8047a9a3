/**
 * One control-plane replica: store -> publisher -> gRPC (discovery, admin, health) plus the
 * admin HTTP endpoints. Stateless: everything it serves comes from the store, so replicas are
 * interchangeable and a proxy may move between them.
 */
import { hostname } from 'node:os';
import type * as grpc from '@grpc/grpc-js';
import { AdminServer, type Logger, type Registry } from '@sockscale/common';
import { AckTracker, AdminAuth, ProxyStatusWriter, adminHandlers, bindServer, ControlMetrics, createGrpcServer, discoveryHandlers, healthHandlers, serverCredentials, type TlsFiles } from './grpc';
import { DEFAULT_PUBLISHER_OPTIONS, PolicyPublisher, type PublisherOptions } from './snapshot';
import { EtcdStore, type PolicyStore } from './store';
import { RelayMetrics, relayHandlers } from './relays';
import { EtcdLedgerBackend, MemoryLedgerBackend, QuotaControlMetrics, QuotaLedger, parseLedgerKey, quotaAdminHandlers, quotasFromSnapshot, usageHandlers, type AccountRef } from './quota';
import type { SocksQuota } from '@sockscale/common';

export interface ControlPlaneOptions {
  store: PolicyStore;
  /** gRPC listen address, `host:port` (`[v6]:port`). */
  grpcAddress: string;
  /** Admin HTTP (/healthz, /readyz, /metrics) host and port, or null for none. */
  adminHttp: { host: string; port: number } | null;
  tls?: TlsFiles;
  adminToken?: string;
  /** With mTLS: client-certificate subject CNs accepted as admin credentials. */
  adminCertCNs?: string[];
  publisher?: Partial<PublisherOptions>;
  logger: Logger;
  registry: Registry;
  /** Batching interval of proxy status writes to the store (default 250 ms). */
  proxyStatusWriteIntervalMs?: number;
  /** Quota ledger: grant TTL (default 10 s), retention of ended periods (default 35 days) and an injectable clock (tests). */
  quota?: { ttlMs?: number; now?: () => number; retentionMs?: number };
}

export const DEFAULT_GRANT_TTL_MS = 10_000;

export class ControlPlane {
  readonly replica = `${hostname()}:${process.pid}`;
  readonly tracker = new AckTracker(undefined, this.replica);
  private readonly statusWriter: ProxyStatusWriter;
  readonly publisher: PolicyPublisher;
  readonly metrics: ControlMetrics;
  private readonly log: Logger;
  private readonly server: grpc.Server;
  private admin: AdminServer | undefined;
  private stopping = false;
  readonly ledger: QuotaLedger;
  private quotas: ReadonlyMap<string, SocksQuota> = new Map();
  private members: AccountRef[] = [];
  private sweepTimer: NodeJS.Timeout | undefined;
  grpcPort = 0;
  adminAddress: { address: string; port: number } | undefined;

  get store(): PolicyStore {
    return this.opts.store;
  }

  constructor(private readonly opts: ControlPlaneOptions) {
    this.log = opts.logger.child({ component: 'control' });
    // Proxy records of every replica: this one's written to the store, the others' read from it.
    this.tracker.setRemote(() => opts.store.proxyStatus.all());
    this.statusWriter = new ProxyStatusWriter(this.tracker, opts.store.proxyStatus, opts.logger.child({ component: 'proxy-status' }), opts.proxyStatusWriteIntervalMs);
    this.publisher = new PolicyPublisher(opts.store, opts.logger.child({ component: 'publisher' }), { ...DEFAULT_PUBLISHER_OPTIONS, ...opts.publisher });
    this.metrics = new ControlMetrics(
      opts.registry,
      () => this.tracker.states(this.publisher.snapshot?.snapshot.version ?? 0),
      () => opts.store.reachable,
    );
    const backend = opts.store instanceof EtcdStore ? new EtcdLedgerBackend(opts.store.etcdClient) : new MemoryLedgerBackend();
    const ledgerOptions: ConstructorParameters<typeof QuotaLedger>[1] = { ttlMs: opts.quota?.ttlMs ?? DEFAULT_GRANT_TTL_MS, quotas: () => this.quotas };
    if (opts.quota?.now !== undefined) ledgerOptions.now = opts.quota.now;
    if (opts.quota?.retentionMs !== undefined) ledgerOptions.retentionMs = opts.quota.retentionMs;
    this.ledger = new QuotaLedger(backend, ledgerOptions);
    // Quota gauges: the same numbers as `sockscale quota status`, read at scrape time (cached).
    const quotaMetrics = new QuotaControlMetrics(opts.registry, { read: () => this.ledger.status({}, this.members), now: this.ledger.now });
    this.publisher.on('snapshot', (p) => {
      const q = quotasFromSnapshot(p.snapshot);
      this.quotas = q.quotas;
      this.members = q.members;
      this.metrics.snapshotVersion.set(p.snapshot.version);
      this.metrics.snapshotObjects.set(p.objectCount);
    });
    // One admin credential check (token or listed client-certificate CN) for every admin API.
    const auth = new AdminAuth(opts.adminToken, opts.adminCertCNs);
    this.server = createGrpcServer({
      discovery: discoveryHandlers({ publisher: this.publisher, tracker: this.tracker, metrics: this.metrics, log: opts.logger.child({ component: 'discovery' }) }),
      admin: adminHandlers({
        store: opts.store,
        publisher: this.publisher,
        tracker: this.tracker,
        auth,
        metrics: this.metrics,
        log: opts.logger.child({ component: 'admin-api' }),
        replica: this.replica,
      }),
      health: healthHandlers(() => this.readiness().ready),
      relay: relayHandlers({ store: opts.store.relays, log: opts.logger.child({ component: 'relay-registry' }), metrics: new RelayMetrics(opts.registry) }),
      usage: usageHandlers({ ledger: this.ledger, metrics: quotaMetrics, log: opts.logger.child({ component: 'usage' }) }),
      quotaAdmin: quotaAdminHandlers({ ledger: this.ledger, auth, replica: this.replica, members: () => this.members, log: opts.logger.child({ component: 'quota-admin' }) }),
    });
    this.sweep = async () => {
      try {
        for (const s of await this.ledger.sweep()) {
          quotaMetrics.settledBytes.inc({ quota: parseLedgerKey(s.key)?.quota ?? '' }, s.unspent);
          this.log.info({ key: s.key, lease: s.lease, bytes: s.bytes, unspent: s.unspent }, 'expired quota lease settled as used');
        }
        const st = this.ledger.lastSweep;
        quotaMetrics.sweepReads.inc(st.recordsRead);
        quotaMetrics.deletedRecords.inc(st.deleted);
        if (st.deleted > 0) this.log.info({ deleted: st.deleted }, 'quota ledger records past the retention deleted');
      } catch (err) {
        this.log.debug({ err: err instanceof Error ? err.message : String(err) }, 'quota sweep failed');
      }
    };
  }

  /** Ready = not stopping and the store answers. A replica without etcd serves its last snapshot but is not ready. */
  readiness(): { ready: boolean; reason?: string } {
    if (this.stopping) return { ready: false, reason: 'stopping' };
    if (!this.opts.store.reachable) return { ready: false, reason: this.opts.store.unreachableReason ?? 'store unreachable' };
    return { ready: true };
  }

  private readonly sweep: () => Promise<void>;

  async start(): Promise<void> {
    await this.opts.store.start();
    await this.publisher.start();
    let sweeping = false;
    this.sweepTimer = setInterval(() => {
      if (sweeping) return;
      sweeping = true;
      void this.sweep().finally(() => (sweeping = false));
    }, 1000);
    this.sweepTimer.unref();
    if (this.opts.adminHttp !== null) {
      this.admin = new AdminServer(this.opts.registry, { healthy: () => true, ready: () => this.readiness() }, this.opts.logger.child({ component: 'admin' }));
      this.adminAddress = await this.admin.listen(this.opts.adminHttp.host, this.opts.adminHttp.port);
    }
    this.grpcPort = await bindServer(this.server, this.opts.grpcAddress, serverCredentials(this.opts.tls));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.sweepTimer !== undefined) clearInterval(this.sweepTimer);
    this.publisher.close();
    // Open Watch streams end with UNAVAILABLE; proxies move to another replica.
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, 2000);
      this.server.tryShutdown(() => {
        clearTimeout(t);
        resolve();
      });
      // Streams never end by themselves: cut them now, after in-flight unary calls got a moment.
      setTimeout(() => this.server.forceShutdown(), 200).unref();
    });
    await this.admin?.close();
    await this.statusWriter.close();
    await this.opts.store.close();
    this.log.info({}, 'control plane stopped');
  }
}
