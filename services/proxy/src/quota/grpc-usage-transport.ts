/**
 * UsageTransport over sockscale.usage.v1.UsageService.Sync: one stream to one replica at a
 * time, requests matched to responses by request_id. A broken stream fails the requests in
 * flight (their numbers are cumulative, so the next request carries them again) and the next
 * request opens a stream to the next listed replica, after a backoff with jitter.
 */
import * as grpc from '@grpc/grpc-js';
import { loadSockscaleProto, type Logger, type SyncRequest, type SyncResponse__Output, type UsageServiceClient } from '@sockscale/common';
import { Backoff } from '../discovery/backoff';
import type { UsageTransport } from './usage-transport';

const REQUEST_TIMEOUT_MS = 3000;

export class GrpcUsageTransport implements UsageTransport {
  private readonly credentials: grpc.ChannelCredentials;
  private index: number;
  private client: UsageServiceClient | undefined;
  private call: grpc.ClientDuplexStream<SyncRequest, SyncResponse__Output> | undefined;
  private readonly pending = new Map<number, { resolve: (r: SyncResponse__Output) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private readonly backoff = new Backoff(100, 5000);
  private notBefore = 0;
  private closed = false;

  constructor(
    private readonly addresses: readonly string[],
    private readonly log: Logger,
    tls?: { ca: Buffer; cert?: Buffer; key?: Buffer },
  ) {
    if (addresses.length === 0) throw new RangeError('at least one control-plane address is required');
    this.index = Math.floor(Math.random() * addresses.length);
    this.credentials = tls === undefined ? grpc.credentials.createInsecure() : grpc.credentials.createSsl(tls.ca, tls.key ?? null, tls.cert ?? null);
  }

  sync(req: SyncRequest): Promise<SyncResponse__Output> {
    if (this.closed) return Promise.reject(new Error('usage transport closed'));
    if (Date.now() < this.notBefore) return Promise.reject(new Error('control plane unreachable (backing off)'));
    const call = this.stream();
    const id = Number(req.requestId);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`no usage response within ${REQUEST_TIMEOUT_MS} ms`));
        this.reset('request timed out');
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      call.write(req);
    });
  }

  close(): void {
    this.closed = true;
    this.reset('closed');
    this.client?.close();
  }

  private stream(): grpc.ClientDuplexStream<SyncRequest, SyncResponse__Output> {
    if (this.call !== undefined) return this.call;
    const address = this.addresses[this.index] as string;
    if (this.client === undefined) {
      const Ctor = loadSockscaleProto().sockscale.usage.v1.UsageService;
      this.client = new Ctor(address, this.credentials);
    }
    const call = this.client.Sync();
    this.call = call;
    call.on('data', (res: SyncResponse__Output) => {
      this.backoff.reset();
      const p = this.pending.get(Number(res.requestId));
      if (p === undefined) return;
      this.pending.delete(Number(res.requestId));
      clearTimeout(p.timer);
      p.resolve(res);
    });
    const broken = (why: string): void => {
      if (this.call !== call) return;
      this.log.warn({ address, why }, 'usage stream ended');
      this.reset(why);
    };
    call.on('error', (err: Error) => broken(err.message));
    call.on('end', () => broken('ended by server'));
    return call;
  }

  private reset(why: string): void {
    const call = this.call;
    this.call = undefined;
    call?.cancel();
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new Error(`usage stream broken: ${why}`));
      this.pending.delete(id);
    }
    if (this.closed) return;
    // Next replica, after a backoff.
    this.client?.close();
    this.client = undefined;
    this.index = (this.index + 1) % this.addresses.length;
    this.notBefore = Date.now() + this.backoff.next();
  }
}
