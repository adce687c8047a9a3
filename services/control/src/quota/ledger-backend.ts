/**
 * Where ledger records live: etcd in a cluster, memory in embedded mode. A backend only reads,
 * scans and commits guarded transactions; QuotaLedger and AllotmentLedger hold every rule
 * (ledger-record.ts, allotment-record.ts) so both backends run the same code path.
 *
 * etcd key layout (under the control plane's /sockscale/v1/ prefix):
 *   /sockscale/v1/quota/ledger/<quota>/<member>/<periodStart>   JSON LedgerRecord
 *   /sockscale/v1/quota/index/open/<quota>/<member>/<periodStart>   earliest lease expiry (ms);
 *       present exactly while the record has open leases (written in the record's transaction)
 *   /sockscale/v1/quota/index/ends/<periodEnd, 15 digits>/<quota>/<member>/<periodStart>   ""
 *       one per record, for deleting records of periods that ended before the retention
 *   /sockscale/v1/quota/allot/<quota>/<member>   JSON AllotmentRecord (bandwidth shares and
 *       connection slots per proxy)
 * <member> is the user name, or "*" for a group quota with scope Shared; <periodStart> is the
 * period's start in epoch milliseconds. The compare is on the key's mod revision (create
 * revision 0 for a new key).
 */
import type { LedgerRecord } from './ledger-record';

export const LEDGER_PREFIX = '/sockscale/v1/quota/ledger/';
export const OPEN_INDEX_PREFIX = '/sockscale/v1/quota/index/open/';
export const ENDS_INDEX_PREFIX = '/sockscale/v1/quota/index/ends/';
export const ALLOT_PREFIX = '/sockscale/v1/quota/allot/';

export interface VersionedRecord<T = LedgerRecord> {
  record: T;
  /** Opaque version for the compare-and-swap (etcd mod revision; a counter in memory). */
  version: number;
}

/** Other keys written or deleted in the same transaction as a guarded write. */
export interface SideWrites {
  put?: [key: string, value: string][];
  del?: string[];
}

/** Version guard: a version (0 = the key must not exist), or ANY_VERSION for no compare. */
export const ANY_VERSION = -1;

export interface LedgerBackend {
  readonly kind: 'etcd' | 'memory';
  read<T = LedgerRecord>(key: string): Promise<VersionedRecord<T> | undefined>;
  /** Writes when the key still has `version` (0 = must not exist); false on a conflict. Side writes go in the same transaction. */
  swap<T = LedgerRecord>(key: string, record: T, version: number, side?: SideWrites): Promise<boolean>;
  /** Deletes `key` when it still has `version` (ANY_VERSION: unconditionally), with side writes, in one transaction. */
  remove(key: string, version: number, side?: SideWrites): Promise<boolean>;
  /** Every record under a key prefix. */
  list(prefix: string): Promise<{ key: string; record: LedgerRecord }[]>;
  /** Raw keys and values in [from, to), sorted by key. */
  scan(from: string, to: string): Promise<{ key: string; value: string }[]>;
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

/** The smallest key after every key starting with `prefix`. */
export function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

/** Memory backend (embedded mode and unit tests). Counts reads (tests check the sweep reads only what it needs). */
export class MemoryLedgerBackend implements LedgerBackend {
  readonly kind = 'memory' as const;
  private readonly map = new Map<string, { json: string; version: number }>();
  private counter = 0;
  /** Records returned by read/list (a scan reads index keys, not records). */
  recordReads = 0;

  read<T = LedgerRecord>(key: string): Promise<VersionedRecord<T> | undefined> {
    const e = this.map.get(key);
    if (e !== undefined) this.recordReads++;
    return Promise.resolve(e === undefined ? undefined : { record: JSON.parse(e.json) as T, version: e.version });
  }

  swap<T = LedgerRecord>(key: string, record: T, version: number, side?: SideWrites): Promise<boolean> {
    if (!this.guard(key, version)) return Promise.resolve(false);
    this.map.set(key, { json: JSON.stringify(record), version: ++this.counter });
    this.side(side);
    return Promise.resolve(true);
  }

  remove(key: string, version: number, side?: SideWrites): Promise<boolean> {
    if (!this.guard(key, version)) return Promise.resolve(false);
    this.map.delete(key);
    this.side(side);
    return Promise.resolve(true);
  }

  list(prefix: string): Promise<{ key: string; record: LedgerRecord }[]> {
    const out: { key: string; record: LedgerRecord }[] = [];
    for (const [key, e] of this.map) if (key.startsWith(prefix)) out.push({ key, record: JSON.parse(e.json) as LedgerRecord });
    this.recordReads += out.length;
    return Promise.resolve(out.sort((a, b) => (a.key < b.key ? -1 : 1)));
  }

  scan(from: string, to: string): Promise<{ key: string; value: string }[]> {
    const out: { key: string; value: string }[] = [];
    for (const [key, e] of this.map) if (key >= from && key < to) out.push({ key, value: e.json });
    return Promise.resolve(out.sort((a, b) => (a.key < b.key ? -1 : 1)));
  }

  private guard(key: string, version: number): boolean {
    return version === ANY_VERSION || (this.map.get(key)?.version ?? 0) === version;
  }

  private side(side: SideWrites | undefined): void {
    for (const [k, v] of side?.put ?? []) this.map.set(k, { json: v, version: ++this.counter });
    for (const k of side?.del ?? []) this.map.delete(k);
  }
}
