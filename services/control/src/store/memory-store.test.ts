import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateObject, type PolicyObject } from '@sockscale/common';
import { MemoryStore } from './memory-store';
import { ObjectNotFoundError, StoreUnavailableError } from './store-errors';

function policy(name: string, port: string): PolicyObject {
  const r = validateObject({ apiVersion: 'sockscale.io/v1alpha1', kind: 'SocksPolicy', metadata: { name }, spec: { subjects: { anonymous: true }, rules: [{ action: 'Allow', ports: [port] }] } });
  assert.ok(r.object, JSON.stringify(r.issues));
  return r.object;
}

test('apply reports created / configured / unchanged; generation is the revision of the last change', async () => {
  const s = new MemoryStore();
  await s.start();
  const w1 = await s.apply([policy('a', '80'), policy('b', '81')]);
  assert.equal(w1.version, 1);
  assert.deepEqual(w1.results.map((r) => [r.name, r.outcome, r.generation]), [['a', 'created', 1], ['b', 'created', 1]]);
  const w2 = await s.apply([policy('a', '80'), policy('b', '82')]);
  assert.deepEqual(w2.results.map((r) => [r.name, r.outcome, r.generation]), [['a', 'unchanged', 1], ['b', 'configured', 2]]);
  const w3 = await s.apply([policy('a', '80')]);
  assert.equal(w3.version, 0, 'nothing changed: no new version');
  const state = await s.read();
  assert.equal(state.version, 2);
  assert.deepEqual(state.objects.map((o) => [o.object.metadata.name, o.modRevision, o.object.metadata.generation]), [['a', 1, 1], ['b', 2, 2]]);
});

test('delete is all or nothing and names every missing object', async () => {
  const s = new MemoryStore();
  await s.apply([policy('a', '80')]);
  await assert.rejects(s.delete([{ kind: 'SocksPolicy', name: 'a' }, { kind: 'SocksPolicy', name: 'x' }, { kind: 'SocksUser', name: 'y' }]), (e: ObjectNotFoundError) => {
    assert.equal(e.code, 'ERR_SOCKSCALE_NOT_FOUND');
    assert.match(e.message, /SocksPolicy\/x, SocksUser\/y/);
    return true;
  });
  assert.equal((await s.read()).objects.length, 1, 'nothing deleted');
  const d = await s.delete([{ kind: 'SocksPolicy', name: 'a' }]);
  assert.equal(d.version, 2);
  const state = await s.read();
  assert.equal(state.objects.length, 0);
  assert.equal(state.version, 2, 'an empty store after deletes still has a version (deny all)');
});

test('change listeners fire after each write', async () => {
  const s = new MemoryStore();
  let n = 0;
  s.onChange(() => n++);
  await s.apply([policy('a', '80')]);
  await s.apply([policy('a', '80')]); // unchanged
  await new Promise((r) => setImmediate(r));
  assert.equal(n, 1);
});

test('file mode persists across restarts and refuses a corrupt file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscale-store-'));
  const file = join(dir, 'state.json');
  const s1 = new MemoryStore(file);
  await s1.start();
  await s1.apply([policy('a', '80')]);
  await s1.apply([policy('b', '81')]);
  const s2 = new MemoryStore(file);
  await s2.start();
  const state = await s2.read();
  assert.equal(state.version, 2);
  assert.deepEqual(state.objects.map((o) => o.object.metadata.name), ['a', 'b']);
  assert.equal((await s2.apply([policy('c', '82')])).version, 3, 'the revision counter continues');
  assert.match(readFileSync(file, 'utf8'), /"revision": 3/);
  writeFileSync(file, '{oops');
  await assert.rejects(new MemoryStore(file).start(), (e: StoreUnavailableError) => e.code === 'ERR_SOCKSCALE_STORE_UNAVAILABLE' && /corrupt/.test(e.message));
});
