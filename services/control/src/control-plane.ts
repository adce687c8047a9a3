/**
 * One control-plane replica: store -> publisher -> gRPC (discovery, admin, health) plus the
 * admin HTTP endpoints. Stateless: everything it serves comes from the store, so replicas are
 * interchangeable and a proxy may move between them.
 */
import { hostname } from 'node:os';
import type * as grpc from '@grpc/grpc-js';
import { AdminServer, type Logger, type Registry } from '@sockscale/common';
import { AckTracker, AdminAuth, adminHandlers, bindServer, ControlMetrics, createGrpcServer, discoveryHandlers, healthHandlers, serverCredentials, type TlsFiles } from './grpc';
import { DEFAULT_PUBLISHER_OPTIONS, PolicyPublisher, type PublisherOptions } from './snapshot';
import type { PolicyStore } from './store';
import { RelayMetrics, relayHandlers } from './relays';

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
}

export class ControlPlane {
  readonly replica = `${hostname()}:${process.pid}`;
  readonly tracker = new AckTracker();
  readonly publisher: PolicyPublisher;
  readonly metrics: ControlMetrics;
  private readonly log: Logger;
  private readonly server: grpc.Server;
  private admin: AdminServer | undefined;
  private stopping = false;
  grpcPort = 0;
  adminAddress: { address: string; port: number } | undefined;

  get store(): PolicyStore {
    return this.opts.store;
  }

  constructor(private readonly opts: ControlPlaneOptions) {
    this.log = opts.logger.child({ component: 'control' });
    this.publisher = new PolicyPublisher(opts.store, opts.logger.child({ component: 'publisher' }), { ...DEFAULT_PUBLISHER_OPTIONS, ...opts.publisher });
    this.metrics = new ControlMetrics(
      opts.registry,
      () => this.tracker.states(this.publisher.snapshot?.snapshot.version ?? 0),
      () => opts.store.reachable,
    );
    this.publisher.on('snapshot', (p) => {
      this.metrics.snapshotVersion.set(p.snapshot.version);
      this.metrics.snapshotObjects.set(p.objectCount);
    });
    this.server = createGrpcServer({
      discovery: discoveryHandlers({ publisher: this.publisher, tracker: this.tracker, metrics: this.metrics, log: opts.logger.child({ component: 'discovery' }) }),
      admin: adminHandlers({
        store: opts.store,
        publisher: this.publisher,
        tracker: this.tracker,
        auth: new AdminAuth(opts.adminToken, opts.adminCertCNs),
        metrics: this.metrics,
        log: opts.logger.child({ component: 'admin-api' }),
        replica: this.replica,
      }),
      health: healthHandlers(() => this.readiness().ready),
      relay: relayHandlers({ store: opts.store.relays, log: opts.logger.child({ component: 'relay-registry' }), metrics: new RelayMetrics(opts.registry) }),
    });
  }

  /** Ready = not stopping and the store answers. A replica without etcd serves its last snapshot but is not ready. */
  readiness(): { ready: boolean; reason?: string } {
    if (this.stopping) return { ready: false, reason: 'stopping' };
    if (!this.opts.store.reachable) return { ready: false, reason: this.opts.store.unreachableReason ?? 'store unreachable' };
    return { ready: true };
  }

  async start(): Promise<void> {
    await this.opts.store.start();
    await this.publisher.start();
    if (this.opts.adminHttp !== null) {
      this.admin = new AdminServer(this.opts.registry, { healthy: () => true, ready: () => this.readiness() }, this.opts.logger.child({ component: 'admin' }));
      this.adminAddress = await this.admin.listen(this.opts.adminHttp.host, this.opts.adminHttp.port);
    }
    this.grpcPort = await bindServer(this.server, this.opts.grpcAddress, serverCredentials(this.opts.tls));
  }

  async stop(): Promise<void> {
    this.stopping = true;
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
    await this.opts.store.close();
    this.log.info({}, 'control plane stopped');
  }
}
