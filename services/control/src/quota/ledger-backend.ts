/**
 * Where ledger records live: etcd in a cluster, memory in embedded mode. A backend only reads
 * and compare-and-swaps one key; QuotaLedger holds every rule (ledger-record.ts) so both
 * backends run the same code path.
 *
 * etcd key layout (under the control plane's /sockscale/v1/ prefix):
 *   /sockscale/v1/quota/ledger/<quota>/<member>/<periodStart>   JSON LedgerRecord
 * <member> is the user name, or "*" for a group quota with scope Shared; <periodStart> is the
 * period's start in epoch milliseconds. The compare is on the key's mod revision (create
 * revision 0 for a new key).
 */
import type { LedgerRecord } from './ledger-record';

export const LEDGER_PREFIX = '/sockscale/v1/quota/ledger/';

export interface VersionedRecord {
  record: LedgerRecord;
  /** Opaque version for the compare-and-swap (etcd mod revision; a counter in memory). */
  version: number;
}

export interface LedgerBackend {
  readonly kind: 'etcd' | 'memory';
  read(key: string): Promise<VersionedRecord | undefined>;
  /** Writes when the key still has `version` (0 = must not exist); false on a conflict. */
  swap(key: string, record: LedgerRecord, version: number): Promise<boolean>;
  /** Every record under a key prefix. */
  list(prefix: string): Promise<{ key: string; record: LedgerRecord }[]>;
}

export function ledgerKey(quota: string, member: string, periodStart: number): string {
  return `${LEDGER_PREFIX}${quota}/${member}/${periodStart}`;
}

export function parseLedgerKey(key: string): { quota: string; member: string; periodStart: number } | undefined {
  if (!key.startsWith(LEDGER_PREFIX)) return undefined;
  const parts = key.slice(LEDGER_PREFIX.length).split('/');
  if (parts.length !== 3) return undefined;
  const [quota = '', member = '', start = ''] = parts;
  const periodStart = Number(start);
  if (quota === '' || member === '' || !Number.isSafeInteger(periodStart)) return undefined;
  return { quota, member, periodStart };
}

/** Memory backend (embedded mode and unit tests). */
export class MemoryLedgerBackend implements LedgerBackend {
  readonly kind = 'memory' as const;
  private readonly map = new Map<string, { json: string; version: number }>();
  private counter = 0;

  read(key: string): Promise<VersionedRecord | undefined> {
    const e = this.map.get(key);
    return Promise.resolve(e === undefined ? undefined : { record: JSON.parse(e.json) as LedgerRecord, version: e.version });
  }

  swap(key: string, record: LedgerRecord, version: number): Promise<boolean> {
    const e = this.map.get(key);
    if ((e?.version ?? 0) !== version) return Promise.resolve(false);
    this.map.set(key, { json: JSON.stringify(record), version: ++this.counter });
    return Promise.resolve(true);
  }

  list(prefix: string): Promise<{ key: string; record: LedgerRecord }[]> {
    const out: { key: string; record: LedgerRecord }[] = [];
    for (const [key, e] of this.map) if (key.startsWith(prefix)) out.push({ key, record: JSON.parse(e.json) as LedgerRecord });
    return Promise.resolve(out.sort((a, b) => (a.key < b.key ? -1 : 1)));
  }
}
