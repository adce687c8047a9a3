/**
 * Persists this replica's proxy records (AckTracker) to the store so every replica can list
 * them. Written on change only and batched: the first change starts a timer of `intervalMs`,
 * and everything that changed until it fires goes out in one write (an ACK wave of 1,000 proxies
 * is a handful of etcd transactions, not 1,000). A failed write keeps its changes for the next
 * attempt; when the store lost this replica's records (lease expired), every record is written
 * again.
 */
import type { Logger } from '@sockscale/common';
import type { ProxyStatusStore } from '../store';
import type { AckTracker } from './ack-tracker';

export const DEFAULT_STATUS_WRITE_INTERVAL_MS = 250;

export class ProxyStatusWriter {
  private readonly dirty = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private failing = false;
  private closed = false;

  constructor(
    private readonly tracker: AckTracker,
    private readonly store: ProxyStatusStore,
    private readonly log: Logger,
    private readonly intervalMs = DEFAULT_STATUS_WRITE_INTERVAL_MS,
  ) {
    tracker.onChange((id) => this.mark(id));
    store.onLost(() => {
      for (const id of tracker.ids()) this.mark(id);
    });
  }

  /** Stops writing (pending changes are dropped: the store's close removes this replica's records). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.writing;
  }

  /** Writes pending changes now (tests, shutdown ordering). */
  flush(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    return this.write();
  }

  private mark(id: string): void {
    if (this.closed) return;
    this.dirty.add(id);
    if (this.timer === undefined && this.writing === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.write();
      }, this.intervalMs);
      this.timer.unref();
    }
  }

  private write(): Promise<void> {
    if (this.writing !== undefined || this.closed || this.dirty.size === 0) return this.writing ?? Promise.resolve();
    const ids = [...this.dirty];
    this.dirty.clear();
    const changes = ids.map((id) => ({ id, record: this.tracker.get(id) }));
    this.writing = this.store.write(this.tracker.replica, changes).then(
      () => {
        if (this.failing) this.log.info({ records: changes.length }, 'proxy status written again');
        this.failing = false;
      },
      (err: unknown) => {
        for (const id of ids) this.dirty.add(id);
        if (!this.failing) this.log.warn({ err: (err as Error).message, records: ids.length }, 'cannot write proxy status; retrying');
        this.failing = true;
      },
    );
    return this.writing.finally(() => {
      this.writing = undefined;
      // Changes that came in meanwhile (or a failed write) go out one interval later.
      if (this.dirty.size > 0 && !this.closed && this.timer === undefined) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          void this.write();
        }, this.failing ? Math.max(this.intervalMs, 1000) : this.intervalMs);
        this.timer.unref();
      }
    });
  }
}
