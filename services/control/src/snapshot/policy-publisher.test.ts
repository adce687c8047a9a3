import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRootLogger, validateObject, type PolicyObject } from '@sockscale/common';
import { MemoryStore } from '../store';
import { PolicyPublisher, type PublishedSnapshot } from './policy-publisher';

const log = createRootLogger({ level: 'silent', format: 'json' });

function policy(name: string, port: number): PolicyObject {
  const r = validateObject({ apiVersion: 'sockscale.io/v1alpha1', kind: 'SocksPolicy', metadata: { name }, spec: { subjects: { anonymous: true }, rules: [{ action: 'Allow', ports: [String(port)] }] } });
  assert.ok(r.object);
  return r.object;
}

test('nothing is published before the first apply; then each version once, bursts batched', async () => {
  const store = new MemoryStore();
  const pub = new PolicyPublisher(store, log, { holdOffMs: 30, maxDelayMs: 300, retryMs: 100 });
  const seen: PublishedSnapshot[] = [];
  pub.on('snapshot', (s) => seen.push(s));
  await pub.start();
  assert.equal(pub.snapshot, undefined);
  // A burst of 20 writes in quick succession.
  for (let i = 0; i < 20; i++) await store.apply([policy(`p${i % 3}`, 1000 + i)]);
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(seen.length >= 1 && seen.length <= 3, `burst of 20 writes -> ${seen.length} snapshots`);
  const last = seen[seen.length - 1]!;
  assert.equal(last.snapshot.version, 20);
  assert.deepEqual(last.snapshot.objects.map((o) => [o.name, (JSON.parse(o.specJson) as { rules: { ports: string[] }[] }).rules[0]?.ports[0]]), [['p0', '1018'], ['p1', '1019'], ['p2', '1017']]);
  const versions = seen.map((s) => s.snapshot.version);
  assert.deepEqual(versions, [...new Set(versions)].sort((a, b) => a - b), 'each version once, increasing');
  // A rebuild with no change publishes nothing.
  await pub.rebuild();
  assert.equal(seen.length, versions.length);
  pub.close();
});
