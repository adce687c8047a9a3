/**
 * Randomized test: 100,000 random and mutated handshakes and datagrams through the parsers the
 * way a server drives them (see fuzz-harness.ts for the invariants). `npm run fuzz` runs the
 * same generator for longer. Set SOCKS5_FUZZ_SEED to replay a run; the seed is in every failure.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { caseSeed, generateFuzzCase } from './fuzz-input';
import { runFuzzCase, type FuzzStats } from './fuzz-harness';

const SEED = process.env.SOCKS5_FUZZ_SEED !== undefined ? Number(process.env.SOCKS5_FUZZ_SEED) >>> 0 : (Math.random() * 0x1_0000_0000) >>> 0;
const CASES = 100_000;
/** One case in this many also gets the O(n^2) prefix checks. */
const DEEP_EVERY = 256;

function run(seed: number, index: number, stats?: FuzzStats): string {
  const c = generateFuzzCase(caseSeed(seed, index));
  try {
    return runFuzzCase(c, { deep: index % DEEP_EVERY === 0, ...(stats === undefined ? {} : { stats }) });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    assert.fail(
      `fuzz failure: SOCKS5_FUZZ_SEED=${seed} case ${index} (case seed ${c.seed}, ${c.kind}) input ${c.input.toString('hex')}\n${message}`,
    );
  }
}

describe(`randomized handshakes (SOCKS5_FUZZ_SEED=${SEED})`, () => {
  it(`${CASES} random and mutated inputs break no invariant`, (t) => {
    const stats: FuzzStats = { calls: 0, maxCallMs: 0 };
    const outcomes = new Map<string, number>();
    const start = performance.now();
    for (let i = 0; i < CASES; i++) {
      for (const line of run(SEED, i, stats).split('\n')) {
        const outcome = line.slice(0, line.indexOf(' ', line.indexOf(' ') + 1)); // "stage: status"
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }
    }
    const ms = performance.now() - start;
    // The generator must keep reaching every parser and every outcome, or the test is hollow.
    for (const expected of ['greeting: error', 'userpass: ok', 'userpass: error', 'request: ok', 'request: error', 'udp: ok', 'udp: error']) {
      const n = outcomes.get(expected) ?? 0;
      assert.ok(n >= 100, `only ${n} cases ended in "${expected}" (seed ${SEED})`);
    }
    t.diagnostic(`${CASES} cases, ${stats.calls} parser calls in ${ms.toFixed(0)} ms; slowest call ${stats.maxCallMs.toFixed(2)} ms`);
  });

  it('is deterministic for a seed', () => {
    for (let i = 0; i < 2_000; i++) {
      const a = generateFuzzCase(caseSeed(SEED, i));
      const b = generateFuzzCase(caseSeed(SEED, i));
      assert.deepEqual(a, b, `case ${i} of seed ${SEED}`);
      assert.equal(run(SEED, i), run(SEED, i), `case ${i} of seed ${SEED}`);
    }
  });

  it('a different seed gives different inputs', () => {
    const a = generateFuzzCase(caseSeed(SEED, 0)).input.toString('hex') + generateFuzzCase(caseSeed(SEED, 1)).input.toString('hex');
    const b = generateFuzzCase(caseSeed(SEED + 1, 0)).input.toString('hex') + generateFuzzCase(caseSeed(SEED + 1, 1)).input.toString('hex');
    assert.notEqual(a, b);
  });
});
