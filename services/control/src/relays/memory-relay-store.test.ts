import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryRelayStore } from './memory-relay-store';
import { LeaseNotFoundError, type RegistryChange } from './relay-types';

const relay = { id: 'p1', mode: 'shared', advertised: [{ host: '10.0.0.1', port: 7000 }], internal: { host: '10.1.0.1', port: 7000 } };
const assoc = (id: string) => ({ id, owner: 'p1', user: 'alice', client: { host: '10.2.0.1', port: 5000 }, expected: { host: '0.0.0.0', port: 5000 }, createdUnixMs: 1 });

test('a lease holds the relay and its associations; expiry removes them all and followers see it', async () => {
  const s = new MemoryRelayStore();
  const seen: RegistryChange[] = [];
  s.follow((c) => seen.push(c));
  const { leaseId } = await s.register(relay, 1);
  await s.associate(leaseId, assoc('1'));
  await s.associate(leaseId, assoc('2'));
  await s.dissociate('p1', '2');
  assert.equal((await s.list()).associations.length, 1);
  await new Promise((r) => setTimeout(r, 600));
  assert.equal(await s.keepAlive(leaseId), 1, 'renewed');
  await new Promise((r) => setTimeout(r, 600));
  assert.equal((await s.list()).relays.length, 1, 'still alive after 1.2 s thanks to the renewal');
  await new Promise((r) => setTimeout(r, 600));
  assert.deepEqual(await s.list(), { relays: [], associations: [] });
  await assert.rejects(s.keepAlive(leaseId), LeaseNotFoundError);
  await assert.rejects(s.associate(leaseId, assoc('3')), LeaseNotFoundError);
  assert.deepEqual(
    seen.map((c) => c.type),
    ['reset', 'association', 'association', 'association-removed', 'association-removed', 'relay-removed'],
  );
  // Registered before the reset was delivered: in the reset, not sent twice.
  assert.equal(seen[0]?.type === 'reset' && seen[0].state.relays[0]?.id, 'p1');
  await s.close();
});

test('revoke (drain) removes everything at once; a late follower starts from a reset', async () => {
  const s = new MemoryRelayStore();
  const { leaseId } = await s.register(relay, 30);
  await s.associate(leaseId, assoc('1'));
  const late: RegistryChange[] = [];
  s.follow((c) => late.push(c));
  await new Promise((r) => setImmediate(r));
  assert.equal(late[0]?.type === 'reset' && late[0].state.associations.length, 1);
  await s.revoke(leaseId);
  assert.deepEqual(await s.list(), { relays: [], associations: [] });
  await s.close();
});
