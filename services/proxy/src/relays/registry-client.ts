/**
 * The proxy's client of sockscale.relay.v1.RelayRegistry. Registers this proxy's relay under a
 * lease, renews it every third of the TTL through whichever replica answers, and when the lease
 * is gone (NOT_FOUND: the control plane or etcd was away longer than the TTL) registers again
 * and records every live association again, so the registry converges back to what the proxy
 * holds. In shared mode it also follows the registry (Watch, reconnecting with backoff) for the
 * relay port's cache. Deregister on drain revokes the lease: everything vanishes at once.
 */
import * as grpc from '@grpc/grpc-js';
import { Counter, Gauge, loadSockscaleProto, type AssociationProto__Output, type Logger, type Registry, type RegistryEvent__Output, type RelayProto__Output, type RelayRegistryClient } from '@sockscale/common';
import { Backoff } from '../discovery/backoff';
import { associationKeyOf, type AssociationInfo, type RegistryUpdate, type RelayInfo, type RelayRegistryPort } from './registry-types';

export interface RegistryClientOptions {
  addresses: readonly string[];
  tls?: { ca: Buffer; cert?: Buffer; key?: Buffer };
  ttlSeconds: number;
  log: Logger;
  registry: Registry;
  /** Deadline of one call (default 2 s). */
  callTimeoutMs?: number;
}

/** How long UDP ASSOCIATE waits for the association to be recorded before replying anyway. */
const ASSOCIATE_WAIT_MS = 1000;

export class RegistryClient implements RelayRegistryPort {
  private readonly log: Logger;
  private readonly clients: RelayRegistryClient[];
  private index: number;
  private leaseId: string | undefined;
  private relay: RelayInfo | undefined;
  private registering: Promise<void> | undefined;
  private readonly live = new Map<string, AssociationInfo>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly listeners = new Set<(u: RegistryUpdate) => void>();
  private watchCall: grpc.ClientReadableStream<RegistryEvent__Output> | undefined;
  private watchTimer: NodeJS.Timeout | undefined;
  private readonly watchBackoff = new Backoff(100, 5000);
  private readonly metrics: { registered: Gauge; calls: Counter<'method' | 'result'>; watching: Gauge };

  constructor(private readonly opts: RegistryClientOptions) {
    if (opts.addresses.length === 0) throw new RangeError('at least one control-plane address is required');
    this.log = opts.log.child({ component: 'relay-registry' });
    const creds = opts.tls === undefined ? grpc.credentials.createInsecure() : grpc.credentials.createSsl(opts.tls.ca, opts.tls.key ?? null, opts.tls.cert ?? null);
    const proto = loadSockscaleProto();
    this.clients = opts.addresses.map((a) => new proto.sockscale.relay.v1.RelayRegistry(a, creds, { 'grpc.enable_retries': 0, 'grpc.initial_reconnect_backoff_ms': 100, 'grpc.keepalive_time_ms': 10_000, 'grpc.keepalive_timeout_ms': 5_000 }));
    this.index = Math.floor(Math.random() * this.clients.length);
    const registers = [opts.registry];
    this.metrics = {
      registered: new Gauge({ name: 'sockscale_proxy_relay_registered', help: '1 while this proxy holds a live relay-registry lease.', registers }),
      calls: new Counter({ name: 'sockscale_proxy_relay_registry_calls_total', help: 'Relay registry calls by method and result (ok, error).', labelNames: ['method', 'result'], registers }),
      watching: new Gauge({ name: 'sockscale_proxy_relay_registry_watching', help: '1 while a relay registry Watch stream is open (shared mode).', registers }),
    };
  }

  get registered(): boolean {
    return this.leaseId !== undefined;
  }

  /** Registers `relay` (retrying in the background until it works) and starts renewing. */
  start(relay: RelayInfo): Promise<void> {
    this.relay = relay;
    const first = this.ensureRegistered();
    this.timer = setInterval(() => void this.renew(), Math.max(500, (this.opts.ttlSeconds * 1000) / 3));
    this.timer.unref();
    return first;
  }

  associate(a: AssociationInfo): Promise<void> {
    this.live.set(associationKeyOf(a), a);
    const recorded = this.record(a);
    return Promise.race([recorded, new Promise<void>((r) => setTimeout(r, ASSOCIATE_WAIT_MS).unref())]);
  }

  dissociate(a: { owner: string; id: string }): void {
    if (!this.live.delete(associationKeyOf(a))) return;
    const leaseId = this.leaseId;
    if (leaseId === undefined) return; // not recorded anywhere (or the lease is gone with it)
    void this.unary('Dissociate', { leaseId, owner: a.owner, id: a.id }).catch((err: grpc.ServiceError) =>
      this.log.warn({ association: associationKeyOf(a), err: err.details }, 'could not remove association; it goes with the lease'),
    );
  }

  async lookup(clientHost: string): Promise<AssociationInfo[]> {
    const r = await this.unary<{ associations: AssociationProto__Output[] }>('Lookup', { clientHost });
    return r.associations.map(fromProto);
  }

  follow(listener: (u: RegistryUpdate) => void): () => void {
    this.listeners.add(listener);
    if (this.watchCall === undefined && this.watchTimer === undefined) this.watch();
    return () => this.listeners.delete(listener);
  }

  /** Drain: revoke the lease so every record goes at once. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    if (this.watchTimer !== undefined) clearTimeout(this.watchTimer);
    this.watchCall?.cancel();
    const leaseId = this.leaseId;
    this.leaseId = undefined;
    this.metrics.registered.set(0);
    if (leaseId !== undefined) {
      await this.unary('Deregister', { leaseId }).catch((err: grpc.ServiceError) => this.log.warn({ err: err.details }, 'could not deregister; the lease will expire'));
    }
    for (const c of this.clients) c.close();
  }

  private async record(a: AssociationInfo): Promise<void> {
    const leaseId = this.leaseId;
    if (leaseId === undefined) return this.ensureRegistered(); // registering records every live association
    try {
      await this.unary('Associate', { leaseId, association: a });
    } catch (err) {
      if ((err as grpc.ServiceError).code === grpc.status.NOT_FOUND) return this.lost(leaseId);
      this.log.warn({ association: associationKeyOf(a), err: (err as grpc.ServiceError).details }, 'could not record association; retried with the next renewal');
    }
  }

  private async renew(): Promise<void> {
    if (this.closed) return;
    const leaseId = this.leaseId;
    if (leaseId === undefined) return this.ensureRegistered();
    try {
      await this.unary('KeepAlive', { leaseId });
    } catch (err) {
      if ((err as grpc.ServiceError).code === grpc.status.NOT_FOUND) return this.lost(leaseId);
      this.log.warn({ err: (err as grpc.ServiceError).details }, 'relay lease renewal failed; retrying');
    }
  }

  private lost(leaseId: string): Promise<void> {
    if (this.leaseId === leaseId) {
      this.leaseId = undefined;
      this.metrics.registered.set(0);
      this.log.warn({ leaseId }, 'relay lease lost; registering again');
    }
    return this.ensureRegistered();
  }

  /** One registration at a time; on success every live association is recorded again. */
  private ensureRegistered(): Promise<void> {
    const relay = this.relay;
    if (this.closed || this.leaseId !== undefined || relay === undefined) return Promise.resolve();
    this.registering ??= (async () => {
      try {
        const r = await this.unary<{ leaseId: string; ttlSeconds: number }>('Register', { relay, ttlSeconds: this.opts.ttlSeconds });
        if (this.closed) {
          await this.unary('Deregister', { leaseId: r.leaseId }).catch(() => undefined);
          return;
        }
        this.leaseId = r.leaseId;
        this.metrics.registered.set(1);
        this.log.info({ relay: relay.id, leaseId: r.leaseId, ttlSeconds: r.ttlSeconds, associations: this.live.size }, 'relay registered');
        await Promise.all([...this.live.values()].map((a) => this.unary('Associate', { leaseId: r.leaseId, association: a }).catch(() => undefined)));
      } catch (err) {
        this.log.warn({ err: (err as grpc.ServiceError).details ?? (err as Error).message }, 'relay registration failed; retrying with the next renewal');
      } finally {
        this.registering = undefined;
      }
    })();
    return this.registering;
  }

  private watch(): void {
    if (this.closed) return;
    const client = this.clients[this.index] as RelayRegistryClient;
    const call = client.Watch({ nodeId: this.relay?.id ?? '' });
    this.watchCall = call;
    const openedAt = Date.now();
    let ended = false;
    call.on('data', (ev: RegistryEvent__Output) => {
      this.metrics.watching.set(1);
      for (const u of fromEvent(ev)) for (const l of this.listeners) l(u);
    });
    const end = (why: string): void => {
      if (ended) return;
      ended = true;
      this.watchCall = undefined;
      this.metrics.watching.set(0);
      if (this.closed) return;
      if (Date.now() - openedAt > 5000) this.watchBackoff.reset();
      this.index = (this.index + 1) % this.clients.length;
      const delay = this.watchBackoff.next();
      this.log.warn({ why, retryInMs: delay }, 'relay registry watch lost; cache kept');
      this.watchTimer = setTimeout(() => {
        this.watchTimer = undefined;
        this.watch();
      }, delay);
    };
    call.on('error', (err: grpc.ServiceError) => end(err.details));
    call.on('end', () => end('stream ended by the server'));
  }

  /** One unary call, moving to the next replica when this one is unreachable. */
  private unary<Res = object>(method: 'Register' | 'KeepAlive' | 'Deregister' | 'Associate' | 'Dissociate' | 'Lookup', req: object): Promise<Res> {
    const client = this.clients[this.index] as unknown as Record<string, (req: object, opts: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r?: Res) => void) => void>;
    const fn = client[method] as (req: object, opts: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r?: Res) => void) => void;
    return new Promise<Res>((resolve, reject) => {
      fn.call(client, req, { deadline: Date.now() + (this.opts.callTimeoutMs ?? 2000) }, (e, r) => {
        this.metrics.calls.inc({ method, result: e === null ? 'ok' : 'error' });
        if (e === null) return resolve(r as Res);
        if (e.code === grpc.status.UNAVAILABLE || e.code === grpc.status.DEADLINE_EXCEEDED) this.index = (this.index + 1) % this.clients.length;
        reject(e);
      });
    });
  }
}

function fromProto(a: AssociationProto__Output): AssociationInfo {
  return {
    id: a.id,
    owner: a.owner,
    user: a.user,
    client: { host: a.client?.host ?? '', port: a.client?.port ?? 0 },
    expected: { host: a.expected?.host ?? '', port: a.expected?.port ?? 0 },
    createdUnixMs: Number(a.createdUnixMs),
  };
}

function relayFromProto(r: RelayProto__Output): RelayInfo {
  return { id: r.id, mode: r.mode, advertised: r.advertised.map((e) => ({ host: e.host, port: e.port })), internal: { host: r.internal?.host ?? '', port: r.internal?.port ?? 0 } };
}

function fromEvent(ev: RegistryEvent__Output): RegistryUpdate[] {
  if (ev.reset) return [{ type: 'reset', relays: ev.relays.map(relayFromProto), associations: ev.associations.map(fromProto) }];
  const out: RegistryUpdate[] = [];
  for (const r of ev.relays) out.push({ type: 'relay', relay: relayFromProto(r) });
  for (const a of ev.associations) out.push({ type: 'association', association: fromProto(a) });
  for (const id of ev.removedRelays) out.push({ type: 'relay-removed', id });
  for (const key of ev.removedAssociations) out.push({ type: 'association-removed', key });
  return out;
}
