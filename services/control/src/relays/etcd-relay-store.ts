/**
 * The relay registry in etcd: one etcd lease per registered relay, the relay record and each of
 * its associations written under that lease (keys in relay-keys.ts). A proxy that dies stops
 * renewing; etcd deletes its keys when the lease runs out, and every follower sees the deletes.
 * Followers share one etcd watch per replica: list at revision R, then watch from R+1, so no
 * change falls between the two.
 */
import { Etcd3, type IKeyValue, type Watcher } from 'etcd3';
import type { Logger } from '@sockscale/common';
import { StoreUnavailableError } from '../store/store-errors';
import { followPrefix, prefixRange } from '../store/etcd-prefix';
import { associationPath, parseRelayKey, RELAY_ASSOCIATIONS_PREFIX, RELAY_ENDPOINTS_PREFIX, RELAYS_PREFIX, relayKey } from './relay-keys';
import { associationKey, LeaseNotFoundError, type AssociationRecord, type RegistryChange, type RegistryState, type RelayRecord, type RelayStore } from './relay-types';

export class EtcdRelayStore implements RelayStore {
  private readonly listeners = new Set<(c: RegistryChange) => void>();
  private readonly awaitingReset = new Set<(c: RegistryChange) => void>();
  /** What the shared watch has seen; late followers start from it. Filled by the first reset. */
  private readonly relays = new Map<string, RelayRecord>();
  private readonly associations = new Map<string, AssociationRecord>();
  private synced = false;
  private watcher: Watcher | undefined;
  private following: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly client: Etcd3,
    private readonly log: Logger,
    private readonly callTimeoutMs: number,
  ) {}

  async register(relay: RelayRecord, ttlSeconds: number): Promise<{ leaseId: string; ttlSeconds: number }> {
    try {
      const g = await this.client.leaseClient.leaseGrant({ TTL: ttlSeconds }, this.deadline());
      await this.client.kv.put({ key: Buffer.from(relayKey(relay.id)), value: Buffer.from(JSON.stringify(relay)), lease: g.ID }, this.deadline());
      return { leaseId: String(g.ID), ttlSeconds: Number(g.TTL) };
    } catch (err) {
      throw this.unavailable('register', err);
    }
  }

  async keepAlive(leaseId: string): Promise<number> {
    let ttl: number;
    try {
      const stream = await this.client.leaseClient.leaseKeepAlive(this.deadline());
      ttl = await new Promise<number>((resolve, reject) => {
        stream.on('data', (res: { TTL: string }) => resolve(Number(res.TTL)));
        stream.on('error', reject);
        stream.on('end', () => reject(new Error('keepalive stream ended')));
        stream.write({ ID: leaseId });
      }).finally(() => stream.end());
    } catch (err) {
      throw this.unavailable('keepalive', err);
    }
    if (ttl <= 0) throw new LeaseNotFoundError(leaseId);
    return ttl;
  }

  async revoke(leaseId: string): Promise<void> {
    try {
      await this.client.leaseClient.leaseRevoke({ ID: leaseId }, this.deadline());
    } catch (err) {
      if (/lease not found/i.test((err as Error).message)) return;
      throw this.unavailable('revoke', err);
    }
  }

  async associate(leaseId: string, a: AssociationRecord): Promise<void> {
    try {
      await this.client.kv.put({ key: Buffer.from(associationPath(a.owner, a.id)), value: Buffer.from(JSON.stringify(a)), lease: leaseId }, this.deadline());
    } catch (err) {
      if (/lease not found/i.test((err as Error).message)) throw new LeaseNotFoundError(leaseId);
      throw this.unavailable('associate', err);
    }
  }

  async dissociate(owner: string, id: string): Promise<void> {
    try {
      await this.client.kv.deleteRange({ key: Buffer.from(associationPath(owner, id)) }, this.deadline());
    } catch (err) {
      throw this.unavailable('dissociate', err);
    }
  }

  async list(): Promise<RegistryState> {
    try {
      return this.parse((await this.client.kv.range(prefixRange(RELAYS_PREFIX), this.deadline())).kvs);
    } catch (err) {
      throw this.unavailable('list', err);
    }
  }

  follow(listener: (c: RegistryChange) => void): () => void {
    this.listeners.add(listener);
    if (this.following === undefined) {
      this.following = this.startWatch();
    } else if (this.synced) {
      // Late follower: a reset from the shared watch's cache (built when delivered, so changes
      // before then are in it), then the same events as the others.
      this.awaitingReset.add(listener);
      queueMicrotask(() => {
        if (!this.awaitingReset.delete(listener) || !this.listeners.has(listener)) return;
        listener({ type: 'reset', state: { relays: [...this.relays.values()], associations: [...this.associations.values()] } });
      });
    }
    return () => {
      this.listeners.delete(listener);
      this.awaitingReset.delete(listener);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    await this.watcher?.cancel().catch(() => undefined);
  }

  private async startWatch(): Promise<void> {
    this.watcher = await followPrefix(
      this.client,
      RELAYS_PREFIX,
      { reset: (kvs) => this.emit({ type: 'reset', state: this.parse(kvs) }), put: (kv) => this.onPut(kv), delete: (kv) => this.onDelete(kv) },
      { log: this.log, what: 'relay registry', closed: () => this.closed, callTimeoutMs: this.callTimeoutMs },
    );
  }

  private onPut(kv: IKeyValue): void {
    const k = parseRelayKey(kv.key.toString());
    if (k === undefined) return;
    try {
      const v = JSON.parse(kv.value.toString()) as RelayRecord & AssociationRecord;
      this.emit(k.kind === 'relay' ? { type: 'relay', relay: v } : { type: 'association', association: v });
    } catch {
      this.log.warn({ key: kv.key.toString() }, 'relay registry entry is not JSON; ignored');
    }
  }

  private onDelete(kv: IKeyValue): void {
    const k = parseRelayKey(kv.key.toString());
    if (k === undefined) return;
    this.emit(k.kind === 'relay' ? { type: 'relay-removed', id: k.id } : { type: 'association-removed', key: k.key });
  }

  private parse(kvs: readonly IKeyValue[]): RegistryState {
    const state: RegistryState = { relays: [], associations: [] };
    for (const kv of kvs) {
      const key = kv.key.toString();
      try {
        if (key.startsWith(RELAY_ENDPOINTS_PREFIX)) state.relays.push(JSON.parse(kv.value.toString()) as RelayRecord);
        else if (key.startsWith(RELAY_ASSOCIATIONS_PREFIX)) state.associations.push(JSON.parse(kv.value.toString()) as AssociationRecord);
      } catch {
        this.log.warn({ key }, 'relay registry entry is not JSON; ignored');
      }
    }
    return state;
  }

  private emit(c: RegistryChange): void {
    switch (c.type) {
      case 'reset':
        this.relays.clear();
        this.associations.clear();
        for (const r of c.state.relays) this.relays.set(r.id, r);
        for (const a of c.state.associations) this.associations.set(associationKey(a), a);
        this.synced = true;
        break;
      case 'relay':
        this.relays.set(c.relay.id, c.relay);
        break;
      case 'association':
        this.associations.set(associationKey(c.association), c.association);
        break;
      case 'relay-removed':
        this.relays.delete(c.id);
        break;
      case 'association-removed':
        this.associations.delete(c.key);
        break;
    }
    for (const l of this.listeners) if (c.type === 'reset' || !this.awaitingReset.has(l)) l(c);
    if (c.type === 'reset') this.awaitingReset.clear();
  }

  private deadline(): { deadline: number } {
    return { deadline: Date.now() + this.callTimeoutMs };
  }

  private unavailable(op: string, err: unknown): Error {
    if (err instanceof LeaseNotFoundError) return err;
    return new StoreUnavailableError(`etcd relay ${op} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
