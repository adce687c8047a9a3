/**
 * Store -> versioned snapshots -> observers (Contour's one-way flow). Change notifications from
 * the store are batched (HoldOff), then the whole policy is read at one revision and turned
 * into a protobuf Snapshot. A snapshot is published only when its version moved, so observers
 * see each version once. When a read fails (etcd away) the last snapshot stays and the read is
 * retried.
 */
import { EventEmitter } from 'node:events';
import { toEnvelope, type Logger, type Snapshot__Output } from '@sockscale/common';
import type { PolicyStore } from '../store';
import { HoldOff } from './hold-off';

export interface PublisherOptions {
  holdOffMs: number;
  maxDelayMs: number;
  /** Wait before re-reading after a failed read. */
  retryMs: number;
}

export const DEFAULT_PUBLISHER_OPTIONS: PublisherOptions = { holdOffMs: 20, maxDelayMs: 200, retryMs: 500 };

export interface PublishedSnapshot {
  snapshot: Snapshot__Output;
  /** When it was built (ms since epoch), for propagation latency. */
  builtAt: number;
  objectCount: number;
}

export class PolicyPublisher extends EventEmitter<{ snapshot: [PublishedSnapshot] }> {
  private current: PublishedSnapshot | undefined;
  private readonly batcher: HoldOff;
  private reading: Promise<void> | undefined;
  private again = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly store: PolicyStore,
    private readonly log: Logger,
    private readonly opts: PublisherOptions = DEFAULT_PUBLISHER_OPTIONS,
  ) {
    super();
    this.setMaxListeners(0);
    this.batcher = new HoldOff(() => void this.rebuild(), opts.holdOffMs, opts.maxDelayMs);
  }

  /** Reads once (resolves even if the read fails; then retries) and follows the store. */
  async start(): Promise<void> {
    this.store.onChange(() => this.batcher.trigger());
    await this.rebuild();
  }

  get snapshot(): PublishedSnapshot | undefined {
    return this.current;
  }

  close(): void {
    this.closed = true;
    this.batcher.cancel();
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
  }

  /** One read at a time; a change during a read causes one more read after it. */
  rebuild(): Promise<void> {
    if (this.reading !== undefined) {
      this.again = true;
      return this.reading;
    }
    this.reading = this.readOnce().finally(() => {
      this.reading = undefined;
      if (this.again && !this.closed) {
        this.again = false;
        void this.rebuild();
      }
    });
    return this.reading;
  }

  private async readOnce(): Promise<void> {
    if (this.closed) return;
    let state;
    try {
      state = await this.store.read();
    } catch (err) {
      this.log.warn({ err: (err as Error).message, keptVersion: this.current?.snapshot.version }, 'cannot read policy from store; keeping the last snapshot');
      if (this.retryTimer === undefined && !this.closed) {
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          void this.rebuild();
        }, this.opts.retryMs);
        this.retryTimer.unref();
      }
      return;
    }
    for (const bad of state.invalid) this.log.error({ key: bad.key, error: bad.error }, 'stored object is invalid; left out of the snapshot');
    if (this.current !== undefined && this.current.snapshot.version === state.version) return;
    if (state.version === 0) {
      // Nothing was ever applied: there is no policy to serve (proxies keep waiting). Deleting
      // every object later is different: a positive version with no objects, i.e. deny all.
      this.log.info({}, 'store holds no policy yet; waiting for the first apply');
      return;
    }
    const snapshot: Snapshot__Output = { version: state.version, objects: state.objects.map((s) => toEnvelope(s.object, s.modRevision)) };
    this.current = { snapshot, builtAt: Date.now(), objectCount: state.objects.length };
    this.log.info({ version: state.version, objects: state.objects.length, invalid: state.invalid.length }, 'policy snapshot built');
    this.emit('snapshot', this.current);
  }
}
