/**
 * The relay registry of the memory/file store (one control-plane process): leases are timers,
 * records live in maps, followers get the same change events as from etcd. Nothing is
 * persisted: relays re-register after a restart anyway.
 */
import { associationKey, LeaseNotFoundError, type AssociationRecord, type RegistryChange, type RegistryState, type RelayRecord, type RelayStore } from './relay-types';

interface Lease {
  ttlSeconds: number;
  timer: NodeJS.Timeout;
  relays: Set<string>;
  associations: Set<string>;
}

export class MemoryRelayStore implements RelayStore {
  private nextLease = 1;
  private readonly leases = new Map<string, Lease>();
  private readonly relays = new Map<string, { record: RelayRecord; lease: string }>();
  private readonly associations = new Map<string, { record: AssociationRecord; lease: string }>();
  private readonly listeners = new Set<(c: RegistryChange) => void>();
  private readonly awaitingReset = new Set<(c: RegistryChange) => void>();

  register(relay: RelayRecord, ttlSeconds: number): Promise<{ leaseId: string; ttlSeconds: number }> {
    const leaseId = String(this.nextLease++);
    const lease: Lease = { ttlSeconds, timer: this.expiry(leaseId, ttlSeconds), relays: new Set(), associations: new Set() };
    this.leases.set(leaseId, lease);
    const old = this.relays.get(relay.id);
    if (old !== undefined) this.leases.get(old.lease)?.relays.delete(relay.id);
    this.relays.set(relay.id, { record: relay, lease: leaseId });
    lease.relays.add(relay.id);
    this.emit({ type: 'relay', relay });
    return Promise.resolve({ leaseId, ttlSeconds });
  }

  keepAlive(leaseId: string): Promise<number> {
    const lease = this.leases.get(leaseId);
    if (lease === undefined) return Promise.reject(new LeaseNotFoundError(leaseId));
    clearTimeout(lease.timer);
    lease.timer = this.expiry(leaseId, lease.ttlSeconds);
    return Promise.resolve(lease.ttlSeconds);
  }

  revoke(leaseId: string): Promise<void> {
    this.drop(leaseId);
    return Promise.resolve();
  }

  associate(leaseId: string, a: AssociationRecord): Promise<void> {
    const lease = this.leases.get(leaseId);
    if (lease === undefined) return Promise.reject(new LeaseNotFoundError(leaseId));
    const key = associationKey(a);
    const old = this.associations.get(key);
    if (old !== undefined) this.leases.get(old.lease)?.associations.delete(key);
    this.associations.set(key, { record: a, lease: leaseId });
    lease.associations.add(key);
    this.emit({ type: 'association', association: a });
    return Promise.resolve();
  }

  dissociate(owner: string, id: string): Promise<void> {
    const key = associationKey({ owner, id });
    const old = this.associations.get(key);
    if (old !== undefined) {
      this.associations.delete(key);
      this.leases.get(old.lease)?.associations.delete(key);
      this.emit({ type: 'association-removed', key });
    }
    return Promise.resolve();
  }

  list(): Promise<RegistryState> {
    return Promise.resolve(this.state());
  }

  follow(listener: (c: RegistryChange) => void): () => void {
    // The reset is built when delivered; changes before that are in it, not sent separately.
    this.listeners.add(listener);
    this.awaitingReset.add(listener);
    queueMicrotask(() => {
      if (!this.awaitingReset.delete(listener) || !this.listeners.has(listener)) return;
      listener({ type: 'reset', state: this.state() });
    });
    return () => {
      this.listeners.delete(listener);
      this.awaitingReset.delete(listener);
    };
  }

  close(): Promise<void> {
    for (const l of this.leases.values()) clearTimeout(l.timer);
    this.leases.clear();
    this.listeners.clear();
    return Promise.resolve();
  }

  private state(): RegistryState {
    return { relays: [...this.relays.values()].map((r) => r.record), associations: [...this.associations.values()].map((a) => a.record) };
  }

  private expiry(leaseId: string, ttlSeconds: number): NodeJS.Timeout {
    const t = setTimeout(() => this.drop(leaseId), ttlSeconds * 1000);
    t.unref();
    return t;
  }

  private drop(leaseId: string): void {
    const lease = this.leases.get(leaseId);
    if (lease === undefined) return;
    clearTimeout(lease.timer);
    this.leases.delete(leaseId);
    for (const key of lease.associations) {
      this.associations.delete(key);
      this.emit({ type: 'association-removed', key });
    }
    for (const id of lease.relays) {
      this.relays.delete(id);
      this.emit({ type: 'relay-removed', id });
    }
  }

  private emit(c: RegistryChange): void {
    for (const l of this.listeners) if (!this.awaitingReset.has(l)) l(c);
  }
}
