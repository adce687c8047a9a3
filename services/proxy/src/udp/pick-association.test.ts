import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pickAssociation, type Candidate } from './pick-association';

const c = (id: string, user: string, port: number, created: number): Candidate => ({
  info: { id, owner: 'p', user, client: { host: '10.0.0.1', port }, expected: { host: '0.0.0.0', port }, createdUnixMs: created },
  port,
});

test('an association naming the exact port wins over waiting ones; the newest of several', () => {
  const r = pickAssociation([c('w', 'bob', 0, 1), c('old', 'alice', 5000, 2), c('new', 'alice', 5000, 3)], 5000);
  assert.equal(r.result === 'ok' && r.candidate.info.id, 'new');
});

test('waiting associations of one user: the oldest learns the port', () => {
  const r = pickAssociation([c('b', 'alice', 0, 20), c('a', 'alice', 0, 10)], 4000);
  assert.equal(r.result === 'ok' && r.candidate.info.id, 'a');
});

test('waiting associations of different users are ambiguous; anonymous counts as a user', () => {
  assert.deepEqual(pickAssociation([c('a', 'alice', 0, 1), c('b', '', 0, 2)], 4000), { result: 'ambiguous' });
});

test('no candidate, or only associations bound to other ports: none (a stranger)', () => {
  assert.deepEqual(pickAssociation([], 1), { result: 'none' });
  assert.deepEqual(pickAssociation([c('a', 'alice', 5000, 1)], 5001), { result: 'none' });
});
