import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assemblePolicySnapshot } from './snapshot';
import type { PolicyObject, SocksPolicy, SocksUser } from './types';

const user = (name: string): SocksUser => ({
  apiVersion: 'sockscale.io/v1alpha1',
  kind: 'SocksUser',
  metadata: { name },
  spec: { groups: [], password: { value: 'x' }, disabled: false },
});
const policy = (name: string, priority: number): SocksPolicy => ({
  apiVersion: 'sockscale.io/v1alpha1',
  kind: 'SocksPolicy',
  metadata: { name },
  spec: { priority, subjects: { users: ['nobody-yet'], groups: [], anonymous: false, clientCIDRs: [] }, rules: [] },
});

void test('assemblePolicySnapshot: users by name; policies by priority, then name', () => {
  const objects: PolicyObject[] = [policy('b', 10), user('zoe'), policy('a', 10), policy('c', 5), user('Ada'), user('bob'), policy('d', 1000)];
  const snap = assemblePolicySnapshot(objects, 42);
  assert.equal(snap.version, 42);
  assert.deepEqual(
    snap.users.map((u) => u.metadata.name),
    ['Ada', 'bob', 'zoe'],
  );
  assert.deepEqual(
    snap.policies.map((p) => p.metadata.name),
    ['c', 'a', 'b', 'd'],
  );
  assert.equal(objects[0]?.metadata.name, 'b', 'the input is not reordered');
});

void test('assemblePolicySnapshot: empty input', () => {
  assert.deepEqual(assemblePolicySnapshot([], 0), { version: 0, users: [], policies: [] });
});
