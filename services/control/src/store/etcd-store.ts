/**
 * The cluster store: policy objects in etcd under /sockscale/v1/ (see key-layout.ts). Reads
 * take the marker key and every object in one transaction, so a snapshot is consistent at one
 * revision; writes are one transaction guarded by the mod revisions read before, retried on a
 * concurrent change. A watch on the marker key tells every replica that policy changed; a
 * probe every second decides `reachable` (readiness).
 */
import { ExponentialBackoff, handleWhen, noop, retry } from 'cockatiel';
import { Etcd3, isRecoverableError, type IKeyValue, type IOptions, type Watcher } from 'etcd3';
import { compareEnvelopes, objectKey, type Logger, type PolicyObject } from '@sockscale/common';
import { EtcdRelayStore } from '../relays/etcd-relay-store';
import { OBJECTS_PREFIX, objectKeyPath, POLICY_REVISION_KEY } from './key-layout';
import { EtcdProxyStatusStore } from './etcd-proxy-status-store';
import { prefixRange, retryWatch } from './etcd-prefix';
import { ObjectNotFoundError, StoreConflictError, StoreUnavailableError } from './store-errors';
import type { ObjectRef, PolicyStore, StoreState, WriteResult } from './store-types';
import { parseStored, storedForm } from './stored-form';

export interface EtcdStoreOptions {
  endpoints: string[];
  log: Logger;
  /** Deadline of one etcd call (default 3 s). */
  callTimeoutMs?: number;
  /** Reachability probe period (default 1 s). */
  probeIntervalMs?: number;
  /** Lease TTL of this replica's proxy status records (default 15 s). */
  proxyStatusTtlSeconds?: number;
  /** TLS to etcd (CA, optional client cert/key). */
  tls?: { ca: Buffer; cert?: Buffer; key?: Buffer };
}

const MAX_WRITE_ATTEMPTS = 5;
export const DEFAULT_PROXY_STATUS_TTL_SECONDS = 15;

interface RawState {
  revision: number;
  version: number;
  kvs: IKeyValue[];
}

export class EtcdStore implements PolicyStore {
  readonly kind = 'etcd' as const;
  private readonly client: Etcd3;
  readonly relays: EtcdRelayStore;
  readonly proxyStatus: EtcdProxyStatusStore;
  private readonly log: Logger;
  private readonly callTimeoutMs: number;
  private readonly listeners: (() => void)[] = [];
  private watcher: Watcher | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  private probeFailure: string | undefined = 'not connected yet';
  private closed = false;

  constructor(private readonly opts: EtcdStoreOptions) {
    this.log = opts.log;
    this.callTimeoutMs = opts.callTimeoutMs ?? 3000;
    const options: IOptions = {
      hosts: opts.endpoints,
      dialTimeout: this.callTimeoutMs,
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + this.callTimeoutMs }),
      faultHandling: {
        // No circuit breaker: with one member it would refuse calls for seconds after etcd returns.
        host: () => noop,
        global: retry(handleWhen(isRecoverableError), { maxAttempts: 1, backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 200 }) }),
        // etcd3 types this as a cockatiel 2 IBackoff; at run time it calls the v3 factory's next().
        watchBackoff: new ExponentialBackoff({ initialDelay: 100, maxDelay: 1000 }) as never,
      },
    };
    if (opts.tls !== undefined) {
      options.credentials = { rootCertificate: opts.tls.ca };
      if (opts.tls.cert !== undefined && opts.tls.key !== undefined) {
        options.credentials.certChain = opts.tls.cert;
        options.credentials.privateKey = opts.tls.key;
      }
    }
    this.client = new Etcd3(options);
    this.relays = new EtcdRelayStore(this.client, opts.log.child({ component: 'relay-store' }), this.callTimeoutMs);
    this.proxyStatus = new EtcdProxyStatusStore(this.client, opts.log.child({ component: 'proxy-status' }), opts.proxyStatusTtlSeconds ?? DEFAULT_PROXY_STATUS_TTL_SECONDS, this.callTimeoutMs);
  }

  /** The etcd client, shared with the quota ledger (services/control/src/quota). */
  get etcdClient(): Etcd3 {
    return this.client;
  }

  get reachable(): boolean {
    return this.probeFailure === undefined;
  }

  get unreachableReason(): string | undefined {
    return this.probeFailure === undefined ? undefined : `etcd unreachable: ${this.probeFailure}`;
  }

  /** Probes once and starts following; never fails: an unreachable etcd only means not ready. */
  async start(): Promise<void> {
    await this.probe();
    this.probeTimer = setInterval(() => void this.probe(), this.opts.probeIntervalMs ?? 1000);
    this.probeTimer.unref();
    void this.follow();
    this.proxyStatus.start();
  }

  /** Creates the watch on the marker key (retrying while etcd is away). */
  private async follow(): Promise<void> {
    const notify = (): void => {
      for (const l of this.listeners) l();
    };
    const watcher = await retryWatch(() => this.client.watch().key(POLICY_REVISION_KEY).create(), { log: this.log, what: 'policy', closed: () => this.closed });
    if (watcher === undefined) return;
    this.watcher = watcher;
    watcher.on('put', notify);
    watcher.on('delete', notify);
    // After a reconnect the watch resumes from its last revision; read again anyway.
    watcher.on('connected', notify);
    notify();
  }

  async read(): Promise<StoreState> {
    const raw = await this.readRaw();
    const state: StoreState = { version: raw.version, objects: [], invalid: [] };
    for (const kv of raw.kvs) {
      const key = kv.key.toString();
      const o = parseStored(kv.value.toString(), Number(kv.mod_revision));
      if (typeof o === 'string') state.invalid.push({ key, error: o });
      else if (objectKeyPath(o.kind, o.metadata.name) !== key) state.invalid.push({ key, error: `holds ${objectKey(o)}` });
      else state.objects.push({ object: o, modRevision: Number(kv.mod_revision) });
    }
    state.objects.sort((a, b) => compareEnvelopes({ kind: a.object.kind, name: a.object.metadata.name }, { kind: b.object.kind, name: b.object.metadata.name }));
    return state;
  }

  async apply(objects: readonly PolicyObject[]): Promise<WriteResult> {
    for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
      const raw = await this.readRaw();
      const current = new Map(raw.kvs.map((kv) => [kv.key.toString(), kv]));
      const result: WriteResult = { results: [], version: 0 };
      const compare = [];
      const puts = [];
      for (const o of objects) {
        const key = objectKeyPath(o.kind, o.metadata.name);
        const text = storedForm(o);
        const old = current.get(key);
        compare.push(guard(key, old));
        if (old !== undefined && old.value.toString() === text) {
          result.results.push({ kind: o.kind, name: o.metadata.name, outcome: 'unchanged', generation: Number(old.mod_revision) });
          continue;
        }
        puts.push({ request_put: { key: Buffer.from(key), value: Buffer.from(text) } });
        result.results.push({ kind: o.kind, name: o.metadata.name, outcome: old === undefined ? 'created' : 'configured', generation: 0 });
      }
      if (puts.length === 0) return result;
      const rev = await this.commit(compare, puts);
      if (rev === undefined) continue;
      for (const r of result.results) if (r.outcome !== 'unchanged') r.generation = rev;
      result.version = rev;
      return result;
    }
    throw new StoreConflictError(`objects kept changing concurrently; gave up after ${MAX_WRITE_ATTEMPTS} attempts`);
  }

  async delete(refs: readonly ObjectRef[]): Promise<WriteResult> {
    for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
      const raw = await this.readRaw();
      const current = new Map(raw.kvs.map((kv) => [kv.key.toString(), kv]));
      const missing = refs.filter((r) => !current.has(objectKeyPath(r.kind, r.name)));
      if (missing.length > 0) throw new ObjectNotFoundError(missing);
      const result: WriteResult = { results: [], version: 0 };
      const compare = [];
      const dels = [];
      const seen = new Set<string>();
      for (const r of refs) {
        const key = objectKeyPath(r.kind, r.name);
        if (seen.has(key)) continue;
        seen.add(key);
        const old = current.get(key);
        compare.push(guard(key, old));
        dels.push({ request_delete_range: { key: Buffer.from(key) } });
        result.results.push({ kind: r.kind, name: r.name, outcome: 'deleted' as const, generation: Number(old?.mod_revision ?? 0) });
      }
      const rev = await this.commit(compare, dels);
      if (rev === undefined) continue;
      result.version = rev;
      return result;
    }
    throw new StoreConflictError(`objects kept changing concurrently; gave up after ${MAX_WRITE_ATTEMPTS} attempts`);
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.probeTimer !== undefined) clearInterval(this.probeTimer);
    await this.watcher?.cancel().catch(() => undefined);
    await this.relays.close();
    await this.proxyStatus.close();
    this.client.close();
  }

  /** One transaction: the guards hold -> ops + marker bump; returns the revision, or undefined on conflict. */
  private async commit(compare: object[], ops: object[]): Promise<number | undefined> {
    const marker = { request_put: { key: Buffer.from(POLICY_REVISION_KEY), value: Buffer.from(new Date().toISOString()) } };
    try {
      const res = await this.client.kv.txn({ compare, success: [...ops, marker], failure: [] });
      if (!res.succeeded) return undefined;
      return Number(res.header.revision);
    } catch (err) {
      throw this.unavailable('write', err);
    }
  }

  private async readRaw(): Promise<RawState> {
    try {
      const res = await this.client.kv.txn({
        compare: [],
        success: [{ request_range: { key: Buffer.from(POLICY_REVISION_KEY) } }, { request_range: prefixRange(OBJECTS_PREFIX) }],
        failure: [],
      });
      const marker = res.responses[0]?.response_range.kvs[0];
      return {
        revision: Number(res.header.revision),
        version: marker === undefined ? 0 : Number(marker.mod_revision),
        kvs: res.responses[1]?.response_range.kvs ?? [],
      };
    } catch (err) {
      throw this.unavailable('read', err);
    }
  }

  private unavailable(op: string, err: unknown): StoreUnavailableError {
    return new StoreUnavailableError(`etcd ${op} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }

  private async probe(): Promise<void> {
    if (this.closed) return;
    try {
      await this.client.kv.range({ key: Buffer.from(POLICY_REVISION_KEY), count_only: true }, { deadline: Date.now() + Math.min(this.callTimeoutMs, 1500) });
      if (this.probeFailure !== undefined) this.log.info({ endpoints: this.opts.endpoints }, 'etcd reachable');
      this.probeFailure = undefined;
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      if (this.probeFailure === undefined) this.log.error({ endpoints: this.opts.endpoints, err: msg }, 'etcd unreachable');
      this.probeFailure = msg;
    }
  }
}

/** Compare op: the key still has the mod revision we read (or still does not exist). */
function guard(key: string, old: IKeyValue | undefined): object {
  return old === undefined
    ? { key: Buffer.from(key), target: 'Create', result: 'Equal', create_revision: 0 }
    : { key: Buffer.from(key), target: 'Mod', result: 'Equal', mod_revision: old.mod_revision };
}
