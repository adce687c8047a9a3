import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closestMatch, editDistance } from './edit-distance';

void test('editDistance', () => {
  assert.equal(editDistance('', ''), 0);
  assert.equal(editDistance('priorty', 'priority'), 1);
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('abc', ''), 3);
});

void test('closestMatch: within two edits, case-insensitive, never trivial', () => {
  const fields = ['priority', 'subjects', 'rules'];
  assert.equal(closestMatch('priorty', fields), 'priority');
  assert.equal(closestMatch('rule', fields), 'rules');
  assert.equal(closestMatch('Subjects', fields), 'subjects');
  assert.equal(closestMatch('clientCidrs', ['clientCIDRs']), 'clientCIDRs');
  assert.equal(closestMatch('owner', fields), undefined);
  assert.equal(closestMatch('x', ['y']), undefined);
});
