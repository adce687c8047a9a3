import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff } from './backoff';

test('delays grow exponentially up to the cap, scaled by jitter', () => {
  const top = new Backoff(100, 1000, () => 1);
  assert.deepEqual([1, 2, 3, 4, 5, 6].map(() => top.next()), [100, 200, 400, 800, 1000, 1000]);
  top.reset();
  assert.equal(top.next(), 100);
  const half = new Backoff(100, 1000, () => 0.5);
  assert.deepEqual([1, 2, 3].map(() => half.next()), [50, 100, 200]);
});

test('real jitter spreads delays within [0, cap]', () => {
  const b = new Backoff(100, 1000);
  const seen = new Set<number>();
  for (let i = 0; i < 50; i++) {
    b.reset();
    for (let k = 0; k < 5; k++) b.next();
    const d = b.next(); // attempt 5: cap 1000
    assert.ok(d >= 0 && d <= 1000);
    seen.add(d);
  }
  assert.ok(seen.size > 10, 'delays are spread, not identical');
});
