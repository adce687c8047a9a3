/**
 * Cluster-wide proxy ACK records. Each replica knows only the proxies whose Watch stream it
 * holds (AckTracker); it persists their records here so that any replica (the admin API's
 * ListProxies, the leader's CRD `Programmed` condition) sees every proxy of the cluster.
 *
 * etcd: `/sockscale/v1/proxies/<replica>/<proxy id>` (both URI-encoded), JSON of ProxyRecord,
 * attached to one lease per replica: a replica that dies stops renewing and its records vanish
 * after the TTL. Memory (one process): the records of the only replica, kept in memory.
 */
import { KEY_PREFIX } from './key-layout';

export const PROXIES_PREFIX = `${KEY_PREFIX}proxies/`;

/** One proxy as one replica last saw it (the admin API's ProxyStatus, all fields set). */
export interface ProxyRecord {
  id: string;
  build: string;
  metadata: Record<string, string>;
  peer: string;
  connected: boolean;
  sentVersion: number;
  ackedVersion: number;
  nackedVersion: number;
  nackError: string;
  lastSeenMs: number;
  /** Replica (host:pid) holding or last holding the proxy's stream. */
  replica: string;
}

export interface ProxyStatusStore {
  /** Writes this replica's changed records; `record: undefined` removes one. */
  write(replica: string, changes: readonly { id: string; record: ProxyRecord | undefined }[]): Promise<void>;
  /** Every replica's records as last seen (kept current by a watch in etcd). */
  all(): readonly ProxyRecord[];
  /** Called when this replica's written records were lost (lease expired): write all again. */
  onLost(listener: () => void): void;
  /** Removes this replica's records at once (graceful stop) and stops following. */
  close(): Promise<void>;
}

export function proxyRecordKey(replica: string, id: string): string {
  return `${PROXIES_PREFIX}${encodeURIComponent(replica)}/${encodeURIComponent(id)}`;
}

export class MemoryProxyStatusStore implements ProxyStatusStore {
  private readonly records = new Map<string, ProxyRecord>();

  write(replica: string, changes: readonly { id: string; record: ProxyRecord | undefined }[]): Promise<void> {
    for (const c of changes) {
      const key = proxyRecordKey(replica, c.id);
      if (c.record === undefined) this.records.delete(key);
      else this.records.set(key, c.record);
    }
    return Promise.resolve();
  }

  all(): readonly ProxyRecord[] {
    return [...this.records.values()];
  }

  onLost(): void {
    // Memory cannot lose records.
  }

  close(): Promise<void> {
    this.records.clear();
    return Promise.resolve();
  }
}
