/** Ledger records in etcd: one key per account and period, written in a transaction that compares the mod revision. */
import type { Etcd3 } from 'etcd3';
import type { LedgerBackend, VersionedRecord } from './ledger-backend';
import type { LedgerRecord } from './ledger-record';
import { QuotaLedgerUnavailableError } from './quota-errors';
import { prefixRange } from '../store/etcd-prefix';

export class EtcdLedgerBackend implements LedgerBackend {
  readonly kind = 'etcd' as const;

  constructor(
    private readonly client: Etcd3,
    private readonly callTimeoutMs = 3000,
  ) {}

  async read(key: string): Promise<VersionedRecord | undefined> {
    try {
      const res = await this.client.kv.range({ key: Buffer.from(key) }, { deadline: Date.now() + this.callTimeoutMs });
      const kv = res.kvs[0];
      if (kv === undefined) return undefined;
      return { record: JSON.parse(kv.value.toString()) as LedgerRecord, version: Number(kv.mod_revision) };
    } catch (err) {
      throw unavailable('read', err);
    }
  }

  async swap(key: string, record: LedgerRecord, version: number): Promise<boolean> {
    const compare =
      version === 0
        ? [{ key: Buffer.from(key), target: 'Create' as const, result: 'Equal' as const, create_revision: 0 }]
        : [{ key: Buffer.from(key), target: 'Mod' as const, result: 'Equal' as const, mod_revision: version }];
    try {
      const res = await this.client.kv.txn(
        { compare, success: [{ request_put: { key: Buffer.from(key), value: Buffer.from(JSON.stringify(record)) } }], failure: [] },
        { deadline: Date.now() + this.callTimeoutMs },
      );
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
}

function unavailable(op: string, err: unknown): QuotaLedgerUnavailableError {
  return new QuotaLedgerUnavailableError(`quota ledger ${op} in etcd failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}
