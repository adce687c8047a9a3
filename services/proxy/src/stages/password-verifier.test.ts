import { test } from 'node:test';
import assert from 'node:assert/strict';
import { API_VERSION, hashPassword, type SocksUser } from '@sockscale/common';
import { PasswordVerifier } from './password-verifier';

function user(name: string, password: SocksUser['spec']['password'], disabled = false): SocksUser {
  return { apiVersion: API_VERSION, kind: 'SocksUser', metadata: { name }, spec: { groups: [], password, disabled } };
}

test('plain and hashed passwords verify; wrong ones and unknown users fail with a reason', async () => {
  const v = new PasswordVerifier();
  v.setUsers([user('alice', { value: 'wonderland' }), user('bob', { hash: await hashPassword('builder', { ln: 8 }) }), user('eve', { value: 'x' }, true)]);
  assert.equal((await v.verify('alice', 'wonderland')).ok, true);
  assert.deepEqual(await v.verify('alice', 'Wonderland'), { ok: false, reason: 'bad_password' });
  assert.equal((await v.verify('bob', 'builder')).ok, true);
  assert.deepEqual(await v.verify('bob', 'builder2'), { ok: false, reason: 'bad_password' });
  assert.deepEqual(await v.verify('nobody', 'x'), { ok: false, reason: 'unknown_user' });
  assert.deepEqual(await v.verify('eve', 'x'), { ok: false, reason: 'disabled' });
});

test('a verified hash is cached: the second login does not pay scrypt again', async () => {
  const v = new PasswordVerifier();
  v.setUsers([user('bob', { hash: await hashPassword('builder', { ln: 16 }) })]);
  const t0 = process.hrtime.bigint();
  assert.equal((await v.verify('bob', 'builder')).ok, true);
  const first = Number(process.hrtime.bigint() - t0);
  const t1 = process.hrtime.bigint();
  for (let i = 0; i < 100; i++) assert.equal((await v.verify('bob', 'builder')).ok, true);
  const hundred = Number(process.hrtime.bigint() - t1);
  // 100 cached logins cost less than one scrypt (ln=16 is ~100 ms; a cached check is µs).
  assert.ok(hundred < first, `100 cached verifications took ${hundred} ns, one scrypt ${first} ns`);
  // A wrong password is never accepted from the cache.
  assert.deepEqual(await v.verify('bob', 'builde'), { ok: false, reason: 'bad_password' });
});

test('changing the hash in a new snapshot drops the cached verification', async () => {
  const v = new PasswordVerifier();
  v.setUsers([user('bob', { hash: await hashPassword('old', { ln: 8 }) })]);
  assert.equal((await v.verify('bob', 'old')).ok, true);
  v.setUsers([user('bob', { hash: await hashPassword('new', { ln: 8 }) })]);
  assert.deepEqual(await v.verify('bob', 'old'), { ok: false, reason: 'bad_password' });
  assert.equal((await v.verify('bob', 'new')).ok, true);
});

test('hash verifications beyond the queue bound fail as busy instead of piling up', async () => {
  const v = new PasswordVerifier(1, 2);
  v.setUsers([user('bob', { hash: await hashPassword('pw', { ln: 12 }) })]);
  const results = await Promise.all(Array.from({ length: 6 }, () => v.verify('bob', 'wrong')));
  const reasons = results.map((r) => (r.ok ? 'ok' : r.reason));
  assert.equal(reasons.filter((r) => r === 'busy').length, 3);
  assert.equal(reasons.filter((r) => r === 'bad_password').length, 3);
});

test('verifyKnown answers without scrypt (plain, cached, unknown, disabled) and defers an unverified hash', async () => {
  const v = new PasswordVerifier();
  v.setUsers([user('alice', { value: 'wonderland' }), user('bob', { hash: await hashPassword('builder', { ln: 8 }) }), user('eve', { value: 'x' }, true)]);
  assert.equal(v.verifyKnown('alice', 'wonderland')?.ok, true);
  assert.deepEqual(v.verifyKnown('alice', 'wonder'), { ok: false, reason: 'bad_password' });
  assert.deepEqual(v.verifyKnown('nobody', 'x'), { ok: false, reason: 'unknown_user' });
  assert.deepEqual(v.verifyKnown('eve', 'x'), { ok: false, reason: 'disabled' });
  // Not verified yet: only verify() (scrypt) can tell, for the right and the wrong password alike.
  assert.equal(v.verifyKnown('bob', 'builder'), undefined);
  assert.equal(v.verifyKnown('bob', 'nope'), undefined);
  assert.deepEqual(await v.verify('bob', 'nope'), { ok: false, reason: 'bad_password' });
  assert.equal(v.verifyKnown('bob', 'nope'), undefined); // failures are not cached
  assert.equal((await v.verify('bob', 'builder')).ok, true);
  assert.equal(v.verifyKnown('bob', 'builder')?.ok, true); // cached now: synchronous
  assert.equal(v.verifyKnown('bob', 'nope'), undefined);
});
