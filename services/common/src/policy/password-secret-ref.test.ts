import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateObject } from './validate';
import { LIST_LIMITS } from './object-schema';

const HASH = '$scrypt$ln=15,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA==$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g=';
const user = (spec: Record<string, unknown>) => ({ apiVersion: 'sockscale.io/v1alpha1', kind: 'SocksUser', metadata: { name: 'u' }, spec });
const msgs = (r: ReturnType<typeof validateObject>) => r.issues.map((i) => `${i.path}: ${i.message}`);
const ref = { name: 'alice-password', key: 'password' };

void test('passwordSecretRef: accepted in cluster mode, with an empty password', () => {
  const r = validateObject(user({ passwordSecretRef: ref }), { allowSecretRefs: true });
  assert.deepEqual(r.issues, []);
  assert.deepEqual(r.object?.spec, { groups: [], password: {}, passwordSecretRef: ref, disabled: false });
});

void test('passwordSecretRef: embedded mode says Secrets need Kubernetes', () => {
  const r = validateObject(user({ passwordSecretRef: ref }), { allowPlaintextPasswords: true });
  assert.deepEqual(msgs(r), [
    'spec.passwordSecretRef: passwordSecretRef needs Kubernetes (Secrets are read by the controller in cluster mode); in a policy file use "password.hash" (the output of "sockscale hash-password") or "password.value"',
  ]);
});

void test('passwordSecretRef: exactly one of password and passwordSecretRef; fields checked', () => {
  const o = { allowSecretRefs: true };
  assert.deepEqual(msgs(validateObject(user({ password: { hash: HASH }, passwordSecretRef: ref }), o)), [
    'spec.passwordSecretRef: set only one of "password" and "passwordSecretRef", not both',
  ]);
  assert.deepEqual(msgs(validateObject(user({}), o)), ['spec.password: missing required field "password" (expected a mapping or "passwordSecretRef")']);
  assert.deepEqual(msgs(validateObject(user({ passwordSecretRef: { name: 'Bad_Name' } }), o)), [
    'spec.passwordSecretRef.name: "Bad_Name" is not a valid name: use lower-case letters, digits, "-" and ".", starting and ending with a letter or digit',
    'spec.passwordSecretRef.key: missing required field "key" (expected a Secret key such as "password")',
  ]);
  assert.deepEqual(msgs(validateObject(user({ passwordSecretRef: { name: 'a', key: 'has space' } }), o)), [
    'spec.passwordSecretRef.key: "has space" is not a valid Secret key: use letters, digits, "-", "_" and "."',
  ]);
  // Plain text stays refused in cluster mode.
  assert.match(msgs(validateObject(user({ password: { value: 'x' } }), o))[0] ?? '', /plain-text passwords are accepted only in embedded mode/);
});

void test('list limits hold in every mode', () => {
  const many = Array.from({ length: LIST_LIMITS.destinations + 1 }, (_, i) => `h${i}.example.com`);
  const r = validateObject({
    apiVersion: 'sockscale.io/v1alpha1',
    kind: 'SocksPolicy',
    metadata: { name: 'p' },
    spec: { subjects: { groups: ['g'] }, rules: [{ action: 'Allow', destinations: many }] },
  });
  assert.deepEqual(msgs(r), [`spec.rules[0].destinations: has ${LIST_LIMITS.destinations + 1} entries; the limit is ${LIST_LIMITS.destinations}`]);
});
