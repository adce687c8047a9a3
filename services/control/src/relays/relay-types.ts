/**
 * The relay registry's records and the store interface behind it (etcd leases in a cluster,
 * timers in the memory store). Records have the shape of the sockscale.relay.v1 messages, so
 * they go to and from gRPC and JSON unchanged.
 */
import { SockscaleError } from '@sockscale/common';

export interface EndpointRecord {
  host: string;
  port: number;
}

export interface RelayRecord {
  id: string;
  mode: string;
  advertised: EndpointRecord[];
  internal: EndpointRecord;
}

export interface AssociationRecord {
  id: string;
  owner: string;
  user: string;
  client: EndpointRecord;
  expected: EndpointRecord;
  createdUnixMs: number;
}

export interface RegistryState {
  relays: RelayRecord[];
  associations: AssociationRecord[];
}

/** One change as the store saw it; `reset` replaces everything the follower knew. */
export type RegistryChange =
  | { type: 'reset'; state: RegistryState }
  | { type: 'relay'; relay: RelayRecord }
  | { type: 'association'; association: AssociationRecord }
  | { type: 'relay-removed'; id: string }
  | { type: 'association-removed'; key: string };

export interface RelayStore {
  /** Grants a lease and records the relay under it. */
  register(relay: RelayRecord, ttlSeconds: number): Promise<{ leaseId: string; ttlSeconds: number }>;
  /** Renews; throws LeaseNotFoundError when the lease expired or was revoked. Returns the TTL. */
  keepAlive(leaseId: string): Promise<number>;
  /** Revokes: every record under the lease disappears. Unknown leases are ignored. */
  revoke(leaseId: string): Promise<void>;
  /** Records an association under the owner's lease; LeaseNotFoundError when it is gone. */
  associate(leaseId: string, a: AssociationRecord): Promise<void>;
  dissociate(owner: string, id: string): Promise<void>;
  list(): Promise<RegistryState>;
  /** Follows every change; the first call the listener gets is a `reset`. Returns an unsubscribe. */
  follow(listener: (c: RegistryChange) => void): () => void;
  close(): Promise<void>;
}

export class LeaseNotFoundError extends SockscaleError {
  constructor(leaseId: string) {
    super('ERR_SOCKSCALE_LEASE_NOT_FOUND', `relay lease ${leaseId} not found (expired or revoked); register again`);
  }
}

/** `owner/id`: the association's key below the associations prefix. */
export function associationKey(a: { owner: string; id: string }): string {
  return `${a.owner}/${a.id}`;
}
