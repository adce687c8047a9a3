import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateObject } from '@sockscale/common';
import { CORPUS } from './corpus';

// The TypeScript side of the corpus: cluster mode (Secrets allowed, plain text refused). The
// API-server side is in apiserver.test.ts; both read the same `valid` flags.
void test('corpus: the TypeScript validator (cluster mode) accepts exactly the good objects', () => {
  const wrong: string[] = [];
  for (const c of CORPUS) {
    const r = validateObject(c.object, { allowSecretRefs: true, allowPlaintextPasswords: false });
    const ok = r.issues.length === 0;
    if (ok !== c.valid) wrong.push(`${c.name}: expected ${c.valid ? 'accept' : 'reject'}, got ${ok ? 'accept' : `reject (${r.issues.map((i) => `${i.path}: ${i.message}`).join('; ')})`}`);
  }
  assert.deepEqual(wrong, []);
  assert.ok(CORPUS.filter((c) => c.valid).length >= 10 && CORPUS.filter((c) => !c.valid).length >= 40, 'the corpus keeps both sides substantial');
});
