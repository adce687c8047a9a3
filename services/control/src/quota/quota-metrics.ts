import { Counter, Gauge, type Registry } from '@sockscale/common';

/** Quota metrics of a control-plane replica. Labels: quota object names (operator-defined, bounded) and outcomes; never users or proxies. */
export class QuotaControlMetrics {
  readonly syncs: Counter<'result'>;
  readonly settledBytes: Counter<'quota'>;
  readonly duplicates: Counter;
  readonly streams: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.syncs = new Counter({ name: 'sockscale_quota_sync_items_total', help: 'Proxy account reports handled, by result (ok, duplicate, lapsed, unknown, error).', labelNames: ['result'], registers });
    this.settledBytes = new Counter({ name: 'sockscale_quota_settled_unspent_bytes_total', help: 'Unspent granted bytes counted as used when a lease expired (dead or cut-off proxy), by SocksQuota.', labelNames: ['quota'], registers });
    this.duplicates = new Counter({ name: 'sockscale_quota_duplicate_reports_total', help: 'Retried usage reports that were recognised by sequence number and not counted again.', registers });
    this.streams = new Gauge({ name: 'sockscale_quota_sync_streams', help: 'Open usage Sync streams on this replica.', registers });
  }
}
