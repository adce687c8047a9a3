import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRootLogger } from '@sockscale/common';
import { MemoryProxyStatusStore, type ProxyRecord } from '../store';
import { AckTracker } from './ack-tracker';
import { ProxyStatusWriter } from './proxy-status-writer';

const log = createRootLogger({ level: 'silent', format: 'json' });
const node = (id: string) => ({ id, build: 'test', metadata: {} });

class CountingStore extends MemoryProxyStatusStore {
  writes: number[] = [];
  override write(replica: string, changes: readonly { id: string; record: ProxyRecord | undefined }[]): Promise<void> {
    this.writes.push(changes.length);
    return super.write(replica, changes);
  }
}

test('records are written on change only, batched per interval; removed records are deleted', async () => {
  const store = new CountingStore();
  const t = new AckTracker(20, 'A');
  const w = new ProxyStatusWriter(t, store, log, 30);
  const ps = Array.from({ length: 50 }, (_, i) => t.connect(node(`p${i}`), 'x', 0));
  for (const p of ps) t.ack(p, 3);
  await new Promise((r) => setTimeout(r, 80));
  assert.deepEqual(store.writes, [50], '100 changes of 50 records: one write of 50');
  assert.ok(store.all().every((r) => r.ackedVersion === 3 && r.replica === 'A'));
  await new Promise((r) => setTimeout(r, 80));
  assert.equal(store.writes.length, 1, 'no change, no write');
  for (const p of ps) t.disconnect(p);
  await new Promise((r) => setTimeout(r, 80));
  assert.ok(store.all().every((r) => !r.connected));
  t.list(); // prunes the disconnected records (retention 20 ms)
  await w.flush();
  assert.equal(store.all().length, 0);
  await w.close();
});
