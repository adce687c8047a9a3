/**
 * What `sockscale control --kubeconfig|--in-cluster` adds to a replica: a Lease campaign, and
 * the CRD controller while this replica holds the Lease. gRPC serving is untouched: every
 * replica serves proxies whether or not it leads.
 */
import type { Logger } from '@sockscale/common';
import type { ControlPlane } from '../control-plane';
import { CrdController } from './crd-controller';
import { loadKubeConfig, type KubeAccess } from './kube-client';
import { LEASE_DEFAULTS, LeaseElector } from './lease-elector';

const START_RETRY_MS = 5000;

export interface KubeControllerOptions {
  access: KubeAccess;
  /** Namespace whose CRs and Secrets are watched; undefined = all namespaces. */
  namespace: string | undefined;
  lease: { namespace: string; name: string; identity: string; durationSeconds?: number; renewMs?: number };
  /** SocksQuota usage in status: at most one ledger read and one write per object per this many ms. */
  quotaStatusIntervalMs?: number;
  log: Logger;
}

export class KubeController {
  private elector: LeaseElector | undefined;
  private controller: CrdController | undefined;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly cp: ControlPlane,
    private readonly o: KubeControllerOptions,
  ) {}

  get leading(): boolean {
    return this.elector?.leading === true;
  }

  async start(): Promise<void> {
    const { k8s, kc } = await loadKubeConfig(this.o.access);
    const log = this.o.log;
    this.elector = new LeaseElector(k8s, kc, {
      namespace: this.o.lease.namespace,
      name: this.o.lease.name,
      identity: this.o.lease.identity,
      leaseDurationSeconds: this.o.lease.durationSeconds ?? LEASE_DEFAULTS.leaseDurationSeconds,
      renewMs: this.o.lease.renewMs ?? LEASE_DEFAULTS.renewMs,
      retryMs: LEASE_DEFAULTS.retryMs,
      log: log.child({ component: 'leader-election' }),
      onStarted: () => {
        const run = (): void => {
          if (this.elector?.leading !== true) return;
          const c = new CrdController(k8s, kc, {
            namespace: this.o.namespace,
            store: this.cp.store,
            tracker: this.cp.tracker,
            publisher: this.cp.publisher,
            ledger: this.cp.ledger,
            ...(this.o.quotaStatusIntervalMs === undefined ? {} : { quotaStatusIntervalMs: this.o.quotaStatusIntervalMs }),
            log: log.child({ component: 'k8s-controller' }),
          });
          this.controller = c;
          c.start().catch((err: unknown) => {
            // CRDs not installed yet, RBAC missing, API server away: retry while leading.
            log.error({ err: (err as Error).message, retryInMs: START_RETRY_MS }, 'controller failed to start');
            c.close();
            if (this.controller === c) this.controller = undefined;
            this.retry = setTimeout(run, START_RETRY_MS);
          });
        };
        run();
      },
      onStopped: () => {
        if (this.retry !== undefined) clearTimeout(this.retry);
        this.controller?.close();
        this.controller = undefined;
      },
    });
    this.elector.start();
  }

  async close(): Promise<void> {
    if (this.retry !== undefined) clearTimeout(this.retry);
    this.controller?.close();
    this.controller = undefined;
    await this.elector?.close();
  }
}
