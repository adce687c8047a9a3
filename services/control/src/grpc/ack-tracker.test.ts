import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AckTracker } from './ack-tracker';

const node = (id: string) => ({ id, build: 'test', metadata: {} });

test('tracks sent, ACKed and NACKed versions per proxy and counts states', () => {
  const t = new AckTracker();
  const a = t.connect(node('a'), '127.0.0.1:1', 0);
  const b = t.connect(node('b'), '127.0.0.1:2', 0);
  const c = t.connect(node('c'), '127.0.0.1:3', 0);
  for (const p of [a, b, c]) t.sent(p, 7);
  t.ack(a, 7);
  t.nack(b, 7, 5, 'too many rules');
  assert.deepEqual(t.states(7), { current: 1, pending: 1, nacked: 1 });
  const listed = t.list();
  assert.deepEqual(
    listed.map((p) => [p.id, p.ackedVersion, p.nackedVersion, p.nackError, p.sentVersion]),
    [
      ['a', 7, 0, '', 7],
      ['b', 5, 7, 'too many rules', 7],
      ['c', 0, 0, '', 7],
    ],
  );
  // A later ACK clears the NACK.
  t.sent(b, 8);
  t.ack(b, 8);
  assert.equal(t.list().find((p) => p.id === 'b')?.nackError, '');
});

test('a reconnect under the same id replaces the entry; the old stream closing does not mark it disconnected', () => {
  const t = new AckTracker();
  const old = t.connect(node('a'), 'x', 0);
  const fresh = t.connect(node('a'), 'y', 3);
  t.disconnect(old);
  const [p] = t.list();
  assert.equal(p?.connected, true);
  assert.equal(p?.peer, 'y');
  assert.equal(p?.ackedVersion, 3);
  t.disconnect(fresh);
  assert.equal(t.list()[0]?.connected, false);
  assert.deepEqual(t.states(3), { current: 0, pending: 0, nacked: 0 });
});

test('disconnected proxies are forgotten after the retention time', async () => {
  const t = new AckTracker(10);
  t.disconnect(t.connect(node('a'), 'x', 0));
  assert.equal(t.list().length, 1);
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(t.list().length, 0);
});

test('list() merges other replicas’ records: own records come from memory, a moved proxy shows its connected record', () => {
  const t = new AckTracker(undefined, 'A');
  const changes: string[] = [];
  t.onChange((id) => changes.push(id));
  const a = t.connect(node('a'), 'x', 0);
  t.sent(a, 5);
  assert.deepEqual(changes, ['a'], 'sent alone does not ask for a store write');
  t.ack(a, 5);
  t.disconnect(t.connect(node('m'), 'y', 0));
  assert.deepEqual(changes, ['a', 'a', 'm', 'm']);
  const rec = (id: string, replica: string, connected: boolean, ackedVersion: number) =>
    ({ id, build: 'b', metadata: {}, peer: 'p', connected, sentVersion: ackedVersion, ackedVersion, nackedVersion: 0, nackError: '', lastSeenMs: 1, replica });
  t.setRemote(() => [rec('a', 'A', false, 1), rec('b', 'B', true, 4), rec('m', 'B', true, 5)]);
  assert.deepEqual(
    t.list().map((p) => [p.id, p.replica, p.connected, Number(p.ackedVersion)]),
    [
      ['a', 'A', true, 5], // own record from memory, not the store's stale copy
      ['b', 'B', true, 4],
      ['m', 'B', true, 5], // disconnected here, connected to B: B's record wins
    ],
  );
});
