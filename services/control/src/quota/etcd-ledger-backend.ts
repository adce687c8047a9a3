/** Ledger records in etcd: one key per account and period, written in a transaction that compares the mod revision (index keys in the same transaction). */
import type { Etcd3 } from 'etcd3';
import { ANY_VERSION, type LedgerBackend, type SideWrites, type VersionedRecord } from './ledger-backend';
import type { LedgerRecord } from './ledger-record';
import { QuotaLedgerUnavailableError } from './quota-errors';
import { prefixRange } from '../store/etcd-prefix';

export class EtcdLedgerBackend implements LedgerBackend {
  readonly kind = 'etcd' as const;

  constructor(
    private readonly client: Etcd3,
    private readonly callTimeoutMs = 3000,
  ) {}

  async read<T = LedgerRecord>(key: string): Promise<VersionedRecord<T> | undefined> {
    try {
      const res = await this.client.kv.range({ key: Buffer.from(key) }, { deadline: Date.now() + this.callTimeoutMs });
      const kv = res.kvs[0];
      if (kv === undefined) return undefined;
      return { record: JSON.parse(kv.value.toString()) as T, version: Number(kv.mod_revision) };
    } catch (err) {
      throw unavailable('read', err);
    }
  }

  swap<T = LedgerRecord>(key: string, record: T, version: number, side?: SideWrites): Promise<boolean> {
    return this.commit(key, version, [{ request_put: { key: Buffer.from(key), value: Buffer.from(JSON.stringify(record)) } }], side);
  }

  remove(key: string, version: number, side?: SideWrites): Promise<boolean> {
    return this.commit(key, version, [{ request_delete_range: { key: Buffer.from(key) } }], side);
  }

  private async commit(key: string, version: number, ops: object[], side: SideWrites | undefined): Promise<boolean> {
    const compare =
      version === ANY_VERSION
        ? []
        : version === 0
          ? [{ key: Buffer.from(key), target: 'Create' as const, result: 'Equal' as const, create_revision: 0 }]
          : [{ key: Buffer.from(key), target: 'Mod' as const, result: 'Equal' as const, mod_revision: version }];
    const success = [
      ...ops,
      ...(side?.put ?? []).map(([k, v]) => ({ request_put: { key: Buffer.from(k), value: Buffer.from(v) } })),
      ...(side?.del ?? []).map((k) => ({ request_delete_range: { key: Buffer.from(k) } })),
    ];
    try {
      const res = await this.client.kv.txn({ compare, success, failure: [] }, { deadline: Date.now() + this.callTimeoutMs });
      return res.succeeded;
    } catch (err) {
      throw unavailable('write', err);
    }
  }

  async list(prefix: string): Promise<{ key: string; record: LedgerRecord }[]> {
    try {
      const res = await this.client.kv.range(prefixRange(prefix), { deadline: Date.now() + this.callTimeoutMs });
      return res.kvs.map((kv) => ({ key: kv.key.toString(), record: JSON.parse(kv.value.toString()) as LedgerRecord }));
    } catch (err) {
      throw unavailable('list', err);
    }
  }

  async scan(from: string, to: string): Promise<{ key: string; value: string }[]> {
    try {
      const res = await this.client.kv.range({ key: Buffer.from(from), range_end: Buffer.from(to) }, { deadline: Date.now() + this.callTimeoutMs });
      return res.kvs.map((kv) => ({ key: kv.key.toString(), value: kv.value.toString() }));
    } catch (err) {
      throw unavailable('scan', err);
    }
  }
}

function unavailable(op: string, err: unknown): QuotaLedgerUnavailableError {
  return new QuotaLedgerUnavailableError(`quota ledger ${op} in etcd failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}
