import { Counter, Gauge, type Registry } from '@sockscale/common';
import type { AccountStatus } from './quota-ledger';

/** How long one ledger status read serves scrapes (every replica is scraped; etcd is read at most this often per replica). */
export const QUOTA_STATUS_MAX_AGE_MS = 5_000;
/** A status read slower than this is abandoned for this scrape (counted as a failure; the last values stay). */
export const QUOTA_STATUS_TIMEOUT_MS = 2_000;

export interface QuotaStatusSource {
  /** Current-period status of every account (QuotaLedger.status: the numbers of `sockscale quota status`). */
  read: () => Promise<AccountStatus[]>;
  /** Cache lifetime (default QUOTA_STATUS_MAX_AGE_MS). */
  maxAgeMs?: number;
  /** Read timeout (default QUOTA_STATUS_TIMEOUT_MS). */
  timeoutMs?: number;
  /** Clock (tests). */
  now?: () => number;
}

/**
 * Quota metrics of a control-plane replica. Counters are labelled by quota object names
 * (operator-defined, bounded) and outcomes; never proxies or client addresses.
 *
 * The status gauges (sockscale_quota_used_bytes, _limit_bytes, _remaining_bytes,
 * _period_end_seconds) also carry `member`: the user name for user quotas and PerMember group
 * quotas, "*" for a Shared group quota. That is one series per ledger account, and accounts are
 * bounded by the SocksQuota and SocksUser objects an operator creates (no client can mint a user
 * name), the same bound the quota ledger itself has; it is what "quota usage per user" needs.
 * The gauges are computed at scrape time from QuotaLedger.status, cached for maxAgeMs so scrapes
 * never hammer etcd; a failing or slow read keeps the last values and counts
 * sockscale_quota_status_read_failures_total.
 */
export class QuotaControlMetrics {
  readonly syncs: Counter<'result'>;
  readonly settledBytes: Counter<'quota'>;
  readonly duplicates: Counter;
  readonly streams: Gauge;
  readonly allotments: Counter<'result'>;
  readonly deletedRecords: Counter;
  readonly sweepReads: Counter;
  readonly statusReadFailures: Counter;
  private statusCache: { at: number; rows: AccountStatus[] } | undefined;
  private statusReading: Promise<AccountStatus[]> | undefined;

  constructor(registry: Registry, status?: QuotaStatusSource) {
    const registers = [registry];
    this.syncs = new Counter({ name: 'sockscale_quota_sync_items_total', help: 'Proxy account reports handled, by result (ok, duplicate, lapsed, unknown, error).', labelNames: ['result'], registers });
    this.settledBytes = new Counter({ name: 'sockscale_quota_settled_unspent_bytes_total', help: 'Unspent granted bytes counted as used when a lease expired (dead or cut-off proxy), by SocksQuota.', labelNames: ['quota'], registers });
    this.duplicates = new Counter({ name: 'sockscale_quota_duplicate_reports_total', help: 'Retried usage reports that were recognised by sequence number and not counted again.', registers });
    this.allotments = new Counter({ name: 'sockscale_quota_allotment_reports_total', help: 'Proxy bandwidth/connection allotment reports handled, by result (ok, unknown, error).', labelNames: ['result'], registers });
    this.deletedRecords = new Counter({ name: 'sockscale_quota_ledger_records_deleted_total', help: 'Ledger records of periods that ended before the retention, deleted by the sweep.', registers });
    this.sweepReads = new Counter({ name: 'sockscale_quota_sweep_records_read_total', help: 'Ledger records the settlement sweep read (only records with an expired lease or past the retention).', registers });
    this.streams = new Gauge({ name: 'sockscale_quota_sync_streams', help: 'Open usage Sync streams on this replica.', registers });
    if (status !== undefined) this.statusGauges(registers, status);
    // prom-client collects all metrics of a scrape concurrently; registered after the gauges and
    // waiting for their read in flight, this counter shows the failure of the scrape's own read.
    const reading = (): Promise<unknown> | undefined => this.statusReading;
    this.statusReadFailures = new Counter({
      name: 'sockscale_quota_status_read_failures_total',
      help: 'Quota ledger status reads for the quota gauges that failed or timed out (the gauges kept their last values).',
      registers,
      async collect() {
        await reading();
      },
    });
  }

  private statusGauges(registers: Registry[], status: QuotaStatusSource): void {
    const rows = (): Promise<AccountStatus[]> => this.statusRows(status);
    const gauge = (name: string, help: string, value: (s: AccountStatus) => number): Gauge<'quota' | 'member'> =>
      new Gauge({
        name,
        help,
        labelNames: ['quota', 'member'],
        registers,
        async collect() {
          const current = await rows();
          this.reset();
          for (const s of current) this.set({ quota: s.quota, member: s.member }, value(s));
        },
      });
    gauge('sockscale_quota_used_bytes', 'Bytes used in the current period by SocksQuota and member (user name, "*" for a Shared group quota), from the quota ledger.', (s) => s.used);
    gauge('sockscale_quota_limit_bytes', 'Byte limit of the current period by SocksQuota and member.', (s) => s.limit);
    gauge('sockscale_quota_remaining_bytes', 'Bytes left to grant in the current period (limit minus used minus granted and not yet reported) by SocksQuota and member.', (s) => s.remaining);
    gauge('sockscale_quota_period_end_seconds', 'End of the current quota period (when usage resets), unix time in seconds, by SocksQuota and member.', (s) => s.periodEnd / 1000);
  }

  /** The cached status rows; one read at a time; a failed read keeps the last rows. */
  private async statusRows(src: QuotaStatusSource): Promise<AccountStatus[]> {
    const now = (src.now ?? Date.now)();
    const cached = this.statusCache;
    if (cached !== undefined && now - cached.at < (src.maxAgeMs ?? QUOTA_STATUS_MAX_AGE_MS)) return cached.rows;
    this.statusReading ??= this.readStatus(src).finally(() => (this.statusReading = undefined));
    return this.statusReading;
  }

  private async readStatus(src: QuotaStatusSource): Promise<AccountStatus[]> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeoutMs = src.timeoutMs ?? QUOTA_STATUS_TIMEOUT_MS;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`quota status read took over ${timeoutMs} ms`)), timeoutMs);
      });
      const rows = await Promise.race([src.read(), timeout]);
      this.statusCache = { at: (src.now ?? Date.now)(), rows };
      return rows;
    } catch {
      // Keep the last values, and retry only after maxAgeMs (not once per gauge of this scrape).
      this.statusReadFailures.inc();
      const rows = this.statusCache?.rows ?? [];
      this.statusCache = { at: (src.now ?? Date.now)(), rows };
      return rows;
    } finally {
      clearTimeout(timer);
    }
  }
}
