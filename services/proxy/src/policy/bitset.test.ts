import assert from 'node:assert/strict';
import { it } from 'node:test';
import { EMPTY_SPARSE, denseFrom, hasBit, lowestBit, setRange, sparseFrom, sparseHas, sparseMembers, sparseUnion, wordCount } from './bitset';
import { Prng } from './prng';

it('dense helpers', () => {
  assert.equal(wordCount(0), 1);
  assert.equal(wordCount(32), 1);
  assert.equal(wordCount(33), 2);
  const bits = denseFrom([0, 31, 32, 95], 3);
  for (const r of [0, 31, 32, 95]) assert.ok(hasBit(bits, r));
  assert.ok(!hasBit(bits, 1));
  assert.equal(lowestBit(0b1000), 3);
  assert.equal(lowestBit(1 << 31), 31);
});

it('setRange sets exactly [start, end)', () => {
  const rng = new Prng(7);
  for (let i = 0; i < 2000; i++) {
    const start = rng.int(0, 150);
    const end = rng.int(start, 160);
    const bits = new Int32Array(5);
    setRange(bits, start, end);
    for (let r = 0; r < 160; r++) assert.equal(hasBit(bits, r), r >= start && r < end, `[${start},${end}) bit ${r}`);
  }
});

it('sparse sets: build, union, membership', () => {
  const rng = new Prng(9);
  for (let i = 0; i < 500; i++) {
    const a = Array.from({ length: rng.int(0, 20) }, () => rng.int(0, 300));
    const b = Array.from({ length: rng.int(0, 20) }, () => rng.int(0, 300));
    const sa = sparseFrom(a);
    const sb = sparseFrom(b);
    const u = sparseUnion(sa, sb);
    const expected = [...new Set([...a, ...b])].sort((x, y) => x - y);
    assert.deepEqual(sparseMembers(u), expected);
    for (let r = 0; r < 310; r++) assert.equal(sparseHas(u, r), expected.includes(r));
  }
  const s = sparseFrom([1, 2]);
  assert.equal(sparseUnion(s, EMPTY_SPARSE), s);
  assert.equal(sparseUnion(s, sparseFrom([1])), s);
  assert.equal(sparseFrom([]), EMPTY_SPARSE);
});
