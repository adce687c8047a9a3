import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeConditions, programmedCondition, sameConditions, type DesiredCondition } from './conditions';

const accepted: DesiredCondition = { type: 'Accepted', status: 'True', reason: 'Accepted', message: 'valid', observedGeneration: 2 };

void test('mergeConditions keeps lastTransitionTime while the status does not flip', () => {
  const t1 = new Date('2026-01-01T00:00:00.123Z');
  const first = mergeConditions(undefined, [accepted], t1);
  assert.equal(first[0]?.lastTransitionTime, '2026-01-01T00:00:00Z');
  const again = mergeConditions(first, [{ ...accepted, observedGeneration: 3 }], new Date('2026-01-02T00:00:00Z'));
  assert.equal(again[0]?.lastTransitionTime, '2026-01-01T00:00:00Z');
  const flipped = mergeConditions(first, [{ ...accepted, status: 'False', reason: 'Invalid' }], new Date('2026-01-02T00:00:00Z'));
  assert.equal(flipped[0]?.lastTransitionTime, '2026-01-02T00:00:00Z');
});

void test('sameConditions ignores timestamps and order, not content', () => {
  const cur = mergeConditions(undefined, [accepted, { ...accepted, type: 'Programmed', reason: 'Programmed' }], new Date());
  assert.ok(sameConditions(cur, [{ ...accepted, type: 'Programmed', reason: 'Programmed' }, accepted]));
  assert.ok(!sameConditions(cur, [accepted]));
  assert.ok(!sameConditions(cur, [{ ...accepted, observedGeneration: 3 }, { ...accepted, type: 'Programmed', reason: 'Programmed' }]));
  assert.ok(!sameConditions(undefined, [accepted]));
});

void test('programmedCondition: published, every connected proxy ACKed, NACKs and no proxies', () => {
  const p = (ackedVersion: number, nackedVersion = 0, connected = true) => ({ connected, ackedVersion, nackedVersion, nackError: nackedVersion > 0 ? 'bad' : '' });
  assert.equal(programmedCondition(5, 4, [p(4)], 1).reason, 'Pending');
  assert.equal(programmedCondition(5, 5, [], 1).reason, 'NoProxies');
  assert.equal(programmedCondition(5, 5, [p(1, 0, false)], 1).reason, 'NoProxies');
  assert.equal(programmedCondition(5, 6, [p(6), p(4)], 1).reason, 'Pending');
  assert.equal(programmedCondition(5, 6, [p(6), p(4, 6)], 1).reason, 'Rejected');
  const ok = programmedCondition(5, 6, [p(6), p(5), p(1, 0, false)], 7);
  assert.deepEqual([ok.status, ok.reason, ok.observedGeneration], ['True', 'Programmed', 7]);
});
