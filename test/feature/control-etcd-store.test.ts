import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Etcd3 } from 'etcd3';
import { createRootLogger, validateObject, type PolicyObject } from '@sockscale/common';
import { EtcdStore, ObjectNotFoundError, OBJECTS_PREFIX, POLICY_REVISION_KEY } from '@sockscale/control';
import { EtcdProcess } from '../helpers/etcd';

// EtcdStore against a real etcd: consistent reads, atomic guarded writes, the version marker,
// watch notifications, and what happens to objects written by hand.
const log = createRootLogger({ level: 'silent', format: 'json' });
let etcd: EtcdProcess;
let raw: Etcd3;
const stores: EtcdStore[] = [];

function policy(name: string, port: number): PolicyObject {
  const r = validateObject({ apiVersion: 'sockscale.io/v1alpha1', kind: 'SocksPolicy', metadata: { name }, spec: { subjects: { anonymous: true }, rules: [{ action: 'Allow', ports: [String(port)] }] } });
  assert.ok(r.object);
  return r.object;
}

async function newStore(): Promise<EtcdStore> {
  const s = new EtcdStore({ endpoints: [etcd.url], log });
  stores.push(s);
  await s.start();
  return s;
}

before(async () => {
  etcd = await EtcdProcess.start();
  raw = new Etcd3({ hosts: etcd.url });
});
after(async () => {
  for (const s of stores) await s.close();
  raw?.close();
  await etcd?.destroy();
});

test('apply, unchanged, generation = mod revision, version = revision of the last policy write', async () => {
  const s = await newStore();
  assert.equal(s.reachable, true);
  assert.equal((await s.read()).version, 0);
  const w1 = await s.apply([policy('a', 80), policy('b', 81)]);
  assert.ok(w1.version > 0);
  assert.deepEqual(w1.results.map((r) => [r.name, r.outcome, r.generation]), [['a', 'created', w1.version], ['b', 'created', w1.version]]);
  const w2 = await s.apply([policy('a', 80), policy('b', 82)]);
  assert.deepEqual(w2.results.map((r) => [r.name, r.outcome]), [['a', 'unchanged'], ['b', 'configured']]);
  // A write outside the policy keys (e.g. a future quota ledger) does not move the version.
  await raw.put('/sockscale/v1/quota/x').value('1');
  const state = await s.read();
  assert.equal(state.version, w2.version);
  assert.deepEqual(state.objects.map((o) => [o.object.metadata.name, o.modRevision]), [['a', w1.version], ['b', w2.version]]);
  const stored = await raw.get(`${OBJECTS_PREFIX}SocksPolicy/b`).string();
  assert.ok(stored !== null && !stored.includes('generation'), 'generation is not stored; it is the mod revision');
});

test('delete is one transaction: a missing object deletes nothing', async () => {
  const s = await newStore();
  await s.apply([policy('d1', 80)]);
  await assert.rejects(s.delete([{ kind: 'SocksPolicy', name: 'd1' }, { kind: 'SocksPolicy', name: 'nope' }]), ObjectNotFoundError);
  assert.ok((await s.read()).objects.some((o) => o.object.metadata.name === 'd1'));
  const d = await s.delete([{ kind: 'SocksPolicy', name: 'd1' }]);
  assert.equal((await s.read()).version, d.version);
});

test('concurrent writers on two replicas: every write lands (guarded transactions retry)', async () => {
  const [s1, s2] = [await newStore(), await newStore()];
  await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? s1 : s2).apply([policy(`c${i}`, 2000 + i)])));
  const names = (await s1.read()).objects.map((o) => o.object.metadata.name).filter((n) => n.startsWith('c'));
  assert.equal(names.length, 10);
});

test('every replica is told about a change; hand-written invalid objects are left out and reported', async () => {
  const [writer, watcher] = [await newStore(), await newStore()];
  let notified = 0;
  watcher.onChange(() => notified++);
  await new Promise((r) => setTimeout(r, 300));
  const before = notified;
  await writer.apply([policy('w1', 90)]);
  const start = Date.now();
  while (notified === before && Date.now() - start < 3000) await new Promise((r) => setTimeout(r, 10));
  assert.ok(notified > before, 'watch on the marker key fired');
  await raw.put(`${OBJECTS_PREFIX}SocksPolicy/broken`).value('{"kind":"SocksPolicy"}');
  await raw.put(POLICY_REVISION_KEY).value('manual');
  const state = await watcher.read();
  assert.ok(state.invalid.some((i) => i.key.endsWith('/broken')), JSON.stringify(state.invalid));
  assert.ok(!state.objects.some((o) => o.object.metadata.name === 'broken'));
  await raw.delete().key(`${OBJECTS_PREFIX}SocksPolicy/broken`);
});

test('etcd away: reads and writes fail with StoreUnavailableError, reachable turns false; back: true again', async () => {
  const s = await newStore();
  await etcd.stop();
  await assert.rejects(s.apply([policy('z', 1)]), (e: Error & { code?: string }) => e.code === 'ERR_SOCKSCALE_STORE_UNAVAILABLE' && /etcd (read|write) failed/.test(e.message));
  const start = Date.now();
  while (s.reachable && Date.now() - start < 5000) await new Promise((r) => setTimeout(r, 50));
  assert.equal(s.reachable, false);
  assert.match(s.unreachableReason ?? '', /etcd unreachable/);
  await etcd.start();
  const back = Date.now();
  while (!s.reachable && Date.now() - back < 10_000) await new Promise((r) => setTimeout(r, 50));
  assert.equal(s.reachable, true);
  assert.equal((await s.apply([policy('z', 1)])).results[0]?.outcome, 'created');
});
