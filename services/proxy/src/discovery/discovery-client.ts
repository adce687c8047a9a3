/**
 * The proxy's side of policy discovery: one Watch stream to one control-plane replica at a
 * time. Each pushed snapshot is checked (acceptSnapshot), applied through the same path as a
 * file reload (ProxyServer.applySnapshot: compile once, swap, re-check open tunnels), then ACKed;
 * a snapshot that fails is NACKed with the reason and the previous policy stays in force.
 *
 * Fail static: when the stream breaks, nothing changes in the data plane; the client
 * reconnects with exponential backoff and full jitter, moving to the next listed replica on
 * every failure (starting from a random one, so proxies spread across replicas).
 */
import { EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { Counter, Gauge, loadSockscaleProto, type Logger, type PolicyDiscoveryClient, type PolicySnapshot, type Registry, type WatchRequest, type WatchResponse__Output } from '@sockscale/common';
import type { SnapshotResult } from '../server';
import { acceptSnapshot } from './accept-snapshot';
import { Backoff } from './backoff';

export interface DiscoveryClientOptions {
  addresses: readonly string[];
  node: { id: string; build: string; metadata?: Record<string, string> };
  tls?: { ca: Buffer; cert?: Buffer; key?: Buffer };
  maxPolicyRules: number;
  /** Installs a snapshot (ProxyServer.applySnapshot). */
  apply: (snapshot: PolicySnapshot) => SnapshotResult;
  /** Version in force (0 = none). */
  appliedVersion: () => number;
  log: Logger;
  registry: Registry;
  backoff?: { initialMs: number; maxMs: number };
}

export interface DiscoveryEvents {
  applied: [PolicySnapshot];
  rejected: [{ version: number; error: string }];
  connected: [string];
  disconnected: [string];
}

/** A stream that lived this long counts as healthy: the next failure starts the backoff over. */
const STABLE_STREAM_MS = 5_000;

export class DiscoveryClient extends EventEmitter<DiscoveryEvents> {
  private readonly log: Logger;
  private readonly backoff: Backoff;
  private readonly credentials: grpc.ChannelCredentials;
  private index: number;
  private client: PolicyDiscoveryClient | undefined;
  private call: grpc.ClientDuplexStream<WatchRequest, WatchResponse__Output> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private streamUp = false;
  private readonly metrics: { connected: Gauge; responses: Counter<'result'>; reconnects: Counter };

  constructor(private readonly opts: DiscoveryClientOptions) {
    super();
    if (opts.addresses.length === 0) throw new RangeError('at least one control-plane address is required');
    this.log = opts.log.child({ component: 'discovery' });
    this.backoff = new Backoff(opts.backoff?.initialMs ?? 100, opts.backoff?.maxMs ?? 10_000);
    this.index = Math.floor(Math.random() * opts.addresses.length);
    this.credentials =
      opts.tls === undefined ? grpc.credentials.createInsecure() : grpc.credentials.createSsl(opts.tls.ca, opts.tls.key ?? null, opts.tls.cert ?? null);
    const registers = [opts.registry];
    this.metrics = {
      connected: new Gauge({ name: 'sockscale_proxy_control_plane_connected', help: '1 while a policy Watch stream to a control-plane replica is open.', registers }),
      responses: new Counter({ name: 'sockscale_proxy_control_plane_snapshots_total', help: 'Snapshots received from the control plane by answer (ack, nack).', labelNames: ['result'], registers }),
      reconnects: new Counter({ name: 'sockscale_proxy_control_plane_reconnects_total', help: 'Policy Watch streams that ended and were retried.', registers }),
    };
  }

  get connected(): boolean {
    return this.streamUp;
  }

  get address(): string {
    return this.opts.addresses[this.index] as string;
  }

  start(): void {
    this.connect();
  }

  /** Resolves once a snapshot is in force (at once if one already is). */
  firstSnapshot(): Promise<void> {
    if (this.opts.appliedVersion() > 0) return Promise.resolve();
    return new Promise((resolve) => this.once('applied', () => resolve()));
  }

  close(): void {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.call?.cancel();
    this.client?.close();
    this.metrics.connected.set(0);
  }

  private connect(): void {
    if (this.closed) return;
    const address = this.address;
    const proto = loadSockscaleProto();
    this.client?.close();
    const client = new proto.sockscale.policy.v1.PolicyDiscovery(address, this.credentials, {
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
      'grpc.keepalive_time_ms': 10_000,
      'grpc.keepalive_timeout_ms': 5_000,
      'grpc.keepalive_permit_without_calls': 1,
      // One attempt per address: our own loop decides when and where to retry.
      'grpc.enable_retries': 0,
      'grpc.initial_reconnect_backoff_ms': 100,
    });
    this.client = client;
    const call = client.Watch();
    this.call = call;
    const openedAt = Date.now();
    let ended = false;
    const end = (reason: string): void => {
      if (ended) return;
      ended = true;
      if (this.call === call) this.call = undefined;
      if (this.streamUp) {
        this.streamUp = false;
        this.metrics.connected.set(0);
        this.emit('disconnected', address);
      }
      if (this.closed) return;
      if (Date.now() - openedAt > STABLE_STREAM_MS) this.backoff.reset();
      this.metrics.reconnects.inc();
      this.index = (this.index + 1) % this.opts.addresses.length;
      const delay = this.backoff.next();
      this.log.warn({ address, reason, next: this.address, retryInMs: delay, keptVersion: this.opts.appliedVersion() }, 'control-plane stream lost; keeping the current policy');
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.connect();
      }, delay);
    };
    call.on('metadata', () => this.up(address));
    call.on('data', (res: WatchResponse__Output) => {
      this.up(address);
      this.onSnapshot(call, res);
    });
    call.on('error', (err: grpc.ServiceError) => end(`${grpc.status[err.code] ?? err.code}: ${err.details}`));
    call.on('end', () => end('stream ended by the server'));
    call.write({ hello: { node: { id: this.opts.node.id, build: this.opts.node.build, metadata: this.opts.node.metadata ?? {} }, haveVersion: this.opts.appliedVersion() } });
  }

  private up(address: string): void {
    if (this.streamUp) return;
    this.streamUp = true;
    this.metrics.connected.set(1);
    this.log.info({ address, version: this.opts.appliedVersion() }, 'watching control plane');
    this.emit('connected', address);
  }

  private onSnapshot(call: grpc.ClientDuplexStream<WatchRequest, WatchResponse__Output>, res: WatchResponse__Output): void {
    const version = res.snapshot?.version ?? 0;
    const nack = (error: string): void => {
      this.metrics.responses.inc({ result: 'nack' });
      this.log.error({ version, keptVersion: this.opts.appliedVersion(), error }, 'policy snapshot rejected (NACK); keeping the previous one');
      call.write({ nack: { nonce: res.nonce, version, appliedVersion: this.opts.appliedVersion(), error } });
      this.emit('rejected', { version, error });
    };
    if (res.snapshot === null || res.snapshot === undefined) {
      nack('response without a snapshot');
      return;
    }
    const accepted = acceptSnapshot(res.snapshot, { maxRules: this.opts.maxPolicyRules });
    if ('error' in accepted) {
      nack(accepted.error);
      return;
    }
    const applied = this.opts.apply(accepted.snapshot);
    if (!applied.ok) {
      nack(`compile failed: ${applied.error}`);
      return;
    }
    this.metrics.responses.inc({ result: 'ack' });
    call.write({ ack: { nonce: res.nonce, version } });
    this.emit('applied', accepted.snapshot);
  }
}
