import { Counter, Gauge, Histogram, type Registry } from '@sockscale/common';

/** Control-plane metrics; labels are bounded enums, never proxy ids or addresses. */
export class ControlMetrics {
  readonly snapshotVersion: Gauge;
  readonly snapshotObjects: Gauge;
  readonly watchers: Gauge;
  readonly pushes: Counter;
  readonly responses: Counter<'result'>;
  readonly proxiesByState: Gauge<'state'>;
  readonly propagationSeconds: Histogram;
  readonly adminRequests: Counter<'method' | 'code'>;
  readonly storeReachable: Gauge;

  constructor(registry: Registry, proxyStates: () => Record<string, number>, storeReachable: () => boolean) {
    const registers = [registry];
    this.snapshotVersion = new Gauge({ name: 'sockscale_control_snapshot_version', help: 'Version (etcd revision) of the policy snapshot this replica serves.', registers });
    this.snapshotObjects = new Gauge({ name: 'sockscale_control_snapshot_objects', help: 'Policy objects in the served snapshot.', registers });
    this.watchers = new Gauge({ name: 'sockscale_control_watchers', help: 'Open policy Watch streams on this replica.', registers });
    this.pushes = new Counter({ name: 'sockscale_control_snapshot_pushes_total', help: 'Snapshots sent to proxies.', registers });
    this.responses = new Counter({ name: 'sockscale_control_snapshot_responses_total', help: 'Proxy answers to pushed snapshots by result (ack, nack).', labelNames: ['result'], registers });
    this.proxiesByState = new Gauge({
      name: 'sockscale_control_proxies',
      help: 'Connected proxies by state: current (ACKed the served version), pending (not answered yet), nacked (rejected the served version).',
      labelNames: ['state'],
      registers,
      collect() {
        this.reset();
        for (const [state, n] of Object.entries(proxyStates())) this.set({ state }, n);
      },
    });
    this.propagationSeconds = new Histogram({
      name: 'sockscale_control_propagation_seconds',
      help: 'From a snapshot being built to a proxy ACKing it.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.adminRequests = new Counter({ name: 'sockscale_control_admin_requests_total', help: 'Admin API calls by method and gRPC status code name.', labelNames: ['method', 'code'], registers });
    this.storeReachable = new Gauge({
      name: 'sockscale_control_store_up',
      help: '1 while the store (etcd) answers, else 0.',
      registers,
      collect() {
        this.set(storeReachable() ? 1 : 0);
      },
    });
  }
}
