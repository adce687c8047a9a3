/**
 * The store interface every control-plane replica runs on: etcd in a cluster, memory (or a
 * local JSON file) on one machine. Both hold validated policy objects and give every write a
 * monotonic revision; the snapshot version is the revision of the last policy write.
 */
import type { PolicyObject } from '@sockscale/common';
import type { RelayStore } from '../relays/relay-types';
import type { ProxyStatusStore } from './proxy-status-store';

export interface StoredObject {
  object: PolicyObject;
  /** Revision of the write that last changed it (its `generation`). */
  modRevision: number;
}

export interface StoreState {
  /** Revision of the last policy write (0 = never written). The snapshot version. */
  version: number;
  /** Sorted by kind, then name. */
  objects: StoredObject[];
  /** Stored entries that no longer validate (written by hand or an older version); skipped. */
  invalid: { key: string; error: string }[];
}

export type ObjectOutcome = 'created' | 'configured' | 'unchanged' | 'deleted';

export interface WriteResult {
  results: { kind: string; name: string; outcome: ObjectOutcome; generation: number }[];
  /** Revision of the write; 0 when nothing changed. */
  version: number;
}

export interface ObjectRef {
  kind: string;
  name: string;
}

export type StoreKind = 'etcd' | 'memory' | 'file';

export interface PolicyStore {
  readonly kind: StoreKind;
  /** Connects and reads once; rejects with StoreUnavailableError when unreachable. */
  start(): Promise<void>;
  /** Every object, read at one revision. */
  read(): Promise<StoreState>;
  /**
   * Creates or replaces objects in one transaction; an object whose content is unchanged is
   * not written (outcome `unchanged`).
   */
  apply(objects: readonly PolicyObject[]): Promise<WriteResult>;
  /** Deletes in one transaction; throws ObjectNotFoundError naming every missing object. */
  delete(refs: readonly ObjectRef[]): Promise<WriteResult>;
  /** Called (possibly many times per write; callers batch) whenever policy may have changed. */
  onChange(listener: () => void): void;
  /** False while the backing store is unreachable. */
  readonly reachable: boolean;
  /** Human-readable reason when not reachable. */
  readonly unreachableReason: string | undefined;
  /** The UDP relay registry kept in the same backend (leases, associations). */
  readonly relays: RelayStore;
  /** Proxy ACK records of every replica (lease-bound in etcd). */
  readonly proxyStatus: ProxyStatusStore;
  close(): Promise<void>;
}
