import { Counter, Gauge, type Registry } from '@sockscale/common';

/** Quota metrics of a control-plane replica. Labels: quota object names (operator-defined, bounded) and outcomes; never users or proxies. */
export class QuotaControlMetrics {
  readonly syncs: Counter<'result'>;
  readonly settledBytes: Counter<'quota'>;
  readonly duplicates: Counter;
  readonly streams: Gauge;
  readonly allotments: Counter<'result'>;
  readonly deletedRecords: Counter;
  readonly sweepReads: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    this.syncs = new Counter({ name: 'sockscale_quota_sync_items_total', help: 'Proxy account reports handled, by result (ok, duplicate, lapsed, unknown, error).', labelNames: ['result'], registers });
    this.settledBytes = new Counter({ name: 'sockscale_quota_settled_unspent_bytes_total', help: 'Unspent granted bytes counted as used when a lease expired (dead or cut-off proxy), by SocksQuota.', labelNames: ['quota'], registers });
    this.duplicates = new Counter({ name: 'sockscale_quota_duplicate_reports_total', help: 'Retried usage reports that were recognised by sequence number and not counted again.', registers });
    this.allotments = new Counter({ name: 'sockscale_quota_allotment_reports_total', help: 'Proxy bandwidth/connection allotment reports handled, by result (ok, unknown, error).', labelNames: ['result'], registers });
    this.deletedRecords = new Counter({ name: 'sockscale_quota_ledger_records_deleted_total', help: 'Ledger records of periods that ended before the retention, deleted by the sweep.', registers });
    this.sweepReads = new Counter({ name: 'sockscale_quota_sweep_records_read_total', help: 'Ledger records the settlement sweep read (only records with an expired lease or past the retention).', registers });
    this.streams = new Gauge({ name: 'sockscale_quota_sync_streams', help: 'Open usage Sync streams on this replica.', registers });
  }
}
