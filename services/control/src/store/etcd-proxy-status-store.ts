/**
 * ProxyStatusStore in etcd (layout in proxy-status-store.ts). This replica's records are put
 * under one lease of `ttlSeconds`, kept alive while the replica runs; a replica killed with
 * SIGKILL stops renewing and etcd deletes its records after the TTL; a graceful stop revokes
 * the lease (records gone at once). Every replica follows the whole prefix with one watch.
 */
import type { Etcd3, IKeyValue, Lease, Watcher } from 'etcd3';
import type { Logger } from '@sockscale/common';
import { followPrefix } from './etcd-prefix';
import { PROXIES_PREFIX, proxyRecordKey, type ProxyRecord, type ProxyStatusStore } from './proxy-status-store';
import { StoreUnavailableError } from './store-errors';

/** etcd's default limit of operations per transaction is 128. */
const OPS_PER_TXN = 100;

export class EtcdProxyStatusStore implements ProxyStatusStore {
  private lease: Lease | undefined;
  private readonly seen = new Map<string, ProxyRecord>();
  private readonly lostListeners: (() => void)[] = [];
  private watcher: Watcher | undefined;
  private following = false;
  private closed = false;

  constructor(
    private readonly client: Etcd3,
    private readonly log: Logger,
    private readonly ttlSeconds: number,
    private readonly callTimeoutMs: number,
  ) {}

  /** Starts following every replica's records (idempotent; never fails: retries while etcd is away). */
  start(): void {
    if (this.following) return;
    this.following = true;
    void followPrefix(
      this.client,
      PROXIES_PREFIX,
      {
        reset: (kvs) => {
          this.seen.clear();
          for (const kv of kvs) this.put(kv);
        },
        put: (kv) => this.put(kv),
        delete: (kv) => this.seen.delete(kv.key.toString()),
      },
      { log: this.log, what: 'proxy status', closed: () => this.closed, callTimeoutMs: this.callTimeoutMs },
    ).then((w) => (this.watcher = w));
  }

  async write(replica: string, changes: readonly { id: string; record: ProxyRecord | undefined }[]): Promise<void> {
    if (this.closed || changes.length === 0) return;
    let leaseId: string;
    try {
      leaseId = await this.currentLease().grant();
      const ops = changes.map((c) =>
        c.record === undefined
          ? { request_delete_range: { key: Buffer.from(proxyRecordKey(replica, c.id)) } }
          : { request_put: { key: Buffer.from(proxyRecordKey(replica, c.id)), value: Buffer.from(JSON.stringify(c.record)), lease: leaseId } },
      );
      for (let i = 0; i < ops.length; i += OPS_PER_TXN) {
        await this.client.kv.txn({ compare: [], success: ops.slice(i, i + OPS_PER_TXN), failure: [] }, { deadline: Date.now() + this.callTimeoutMs });
      }
    } catch (err) {
      throw new StoreUnavailableError(`etcd proxy status write failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }

  all(): readonly ProxyRecord[] {
    return [...this.seen.values()];
  }

  onLost(listener: () => void): void {
    this.lostListeners.push(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.watcher?.cancel().catch(() => undefined);
    const lease = this.lease;
    this.lease = undefined;
    if (lease !== undefined) await lease.revoke({ deadline: Date.now() + this.callTimeoutMs }).catch(() => undefined);
  }

  private currentLease(): Lease {
    if (this.lease !== undefined) return this.lease;
    const lease = this.client.lease(this.ttlSeconds, { autoKeepAlive: true });
    lease.on('lost', (err: Error) => {
      if (this.lease !== lease) return;
      this.lease = undefined;
      if (this.closed) return;
      this.log.warn({ err: err.message }, 'proxy status lease lost; writing every record again');
      for (const l of this.lostListeners) l();
    });
    this.lease = lease;
    return lease;
  }

  private put(kv: IKeyValue): void {
    const key = kv.key.toString();
    try {
      this.seen.set(key, JSON.parse(kv.value.toString()) as ProxyRecord);
    } catch {
      this.log.warn({ key }, 'proxy status entry is not JSON; ignored');
    }
  }
}
