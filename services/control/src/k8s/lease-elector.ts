/**
 * Leader election with a coordination.k8s.io/v1 Lease (the same protocol as client-go's
 * leaderelection): the holder renews `renewTime` every `renewMs`; a candidate takes the Lease
 * over when it is free or has not changed for `leaseDurationSeconds` on the candidate's clock. Every write
 * carries the resourceVersion it read, so two candidates cannot both win. Losing the Lease (a
 * failed renewal past the deadline, or another holder) calls `onStopped`; the replica keeps
 * serving gRPC and campaigns again.
 */
import type { Logger } from '@sockscale/common';
import type { CoordinationV1Api, K8s, KubeConfig, V1Lease } from './kube-client';

export interface LeaseElectorOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationSeconds: number;
  renewMs: number;
  retryMs: number;
  onStarted: () => void;
  onStopped: () => void;
  log: Logger;
}

export const LEASE_DEFAULTS = { leaseDurationSeconds: 15, renewMs: 2000, retryMs: 2000 };

export class LeaseElector {
  private readonly api: CoordinationV1Api;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  leading = false;
  private lastRenewOk = 0;
  private observed = { record: '', at: 0 };

  constructor(
    private readonly k8s: K8s,
    kc: KubeConfig,
    private readonly o: LeaseElectorOptions,
  ) {
    this.api = kc.makeApiClient(k8s.CoordinationV1Api);
  }

  start(): void {
    void this.tick();
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    this.timer = setTimeout(() => void this.tick(), ms);
  }

  private async tick(): Promise<void> {
    let ok = false;
    try {
      ok = await this.tryAcquireOrRenew();
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message, lease: this.o.name }, 'lease request failed');
    }
    if (this.closed) return;
    if (ok) {
      this.lastRenewOk = Date.now();
      if (!this.leading) {
        this.leading = true;
        this.o.log.info({ lease: `${this.o.namespace}/${this.o.name}`, identity: this.o.identity }, 'became leader');
        this.o.onStarted();
      }
    } else if (this.leading && Date.now() - this.lastRenewOk > this.o.leaseDurationSeconds * 1000 * 0.66) {
      // Stop before the Lease can expire at another candidate.
      this.leading = false;
      this.o.log.warn({ lease: `${this.o.namespace}/${this.o.name}` }, 'lost leadership');
      this.o.onStopped();
    }
    this.schedule(this.leading ? this.o.renewMs : this.o.retryMs);
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = new this.k8s.V1MicroTime();
    let lease: V1Lease | undefined;
    try {
      lease = await this.api.readNamespacedLease({ name: this.o.name, namespace: this.o.namespace });
    } catch (err) {
      if ((err as { code?: number }).code !== 404) throw err;
    }
    if (lease === undefined) {
      await this.api.createNamespacedLease({
        namespace: this.o.namespace,
        body: {
          metadata: { name: this.o.name, namespace: this.o.namespace },
          spec: { holderIdentity: this.o.identity, leaseDurationSeconds: this.o.leaseDurationSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 },
        },
      });
      return true;
    }
    const spec = lease.spec ?? {};
    const mine = spec.holderIdentity === this.o.identity;
    // Like client-go: expiry is measured on this replica's clock from when it last saw the
    // record change, never by comparing another host's renewTime with ours (clock skew).
    const record = `${spec.holderIdentity ?? ''}|${lease.metadata?.resourceVersion ?? ''}`;
    if (record !== this.observed.record) this.observed = { record, at: Date.now() };
    const expired = Date.now() - this.observed.at > (spec.leaseDurationSeconds ?? this.o.leaseDurationSeconds) * 1000;
    const free = spec.holderIdentity === undefined || spec.holderIdentity === '';
    if (!mine && !expired && !free) return false;
    const body = {
      ...lease,
      spec: {
        ...spec,
        holderIdentity: this.o.identity,
        leaseDurationSeconds: this.o.leaseDurationSeconds,
        renewTime: now,
        ...(mine ? {} : { acquireTime: now, leaseTransitions: (spec.leaseTransitions ?? 0) + 1 }),
      },
    };
    // A conflict (409: someone else wrote first) rejects: not leading this round.
    await this.api.replaceNamespacedLease({ name: this.o.name, namespace: this.o.namespace, body });
    return true;
  }

  /** Stops campaigning; a leader releases the Lease (holder cleared) so a successor need not wait. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (!this.leading) return;
    this.leading = false;
    try {
      const lease = await this.api.readNamespacedLease({ name: this.o.name, namespace: this.o.namespace });
      if (lease.spec?.holderIdentity === this.o.identity) {
        await this.api.replaceNamespacedLease({ name: this.o.name, namespace: this.o.namespace, body: { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1 } } });
      }
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message }, 'could not release the lease');
    }
  }
}
