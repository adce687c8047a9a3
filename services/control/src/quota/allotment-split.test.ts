import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitRate, type ProxyDemand } from './allotment-split';

const sum = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
const p = (id: string, sessions: number, rate: number, limited: boolean): ProxyDemand => ({ id, sessions, rate, limited });

describe('splitRate', () => {
  it('saturated proxies share in proportion to their active sessions (1:2:5)', () => {
    const s = splitRate(30_000_000, [p('a', 1, 3e6, true), p('b', 2, 9e6, true), p('c', 5, 18e6, true)]);
    assert.deepEqual([...s.values()], [3_750_000, 7_500_000, 18_750_000]);
  });
  it('a proxy needing less gets its need with headroom; the rest goes to the limited ones', () => {
    const s = splitRate(30_000_000, [p('a', 4, 2_000_000, false), p('b', 1, 10e6, true)]);
    assert.equal(s.get('a'), 3_000_000);
    assert.equal(s.get('b'), 27_000_000);
  });
  it('every proxy with demand gets the floor; the total never exceeds the rate', () => {
    const s = splitRate(10_000_000, [p('a', 1, 0, false), p('b', 100, 9e6, true), p('idle', 0, 0, false)]);
    assert.equal(s.get('a'), 500_000, '5 % floor');
    assert.equal(s.get('idle'), 0, 'no demand, no share');
    assert.ok(sum(s) <= 10_000_000);
    assert.ok(sum(s) >= 10_000_000 - 2);
  });
  it('all proxies satisfied: the leftover is spread by weight, still summing to the rate', () => {
    const s = splitRate(1_000_000, [p('a', 1, 1000, false), p('b', 3, 1000, false)]);
    assert.ok(sum(s) <= 1_000_000 && sum(s) >= 999_998);
    assert.ok((s.get('b') ?? 0) > (s.get('a') ?? 0));
  });
  it('repeated rounds with the shares fed back converge (a steady demand keeps its split)', () => {
    let shares = new Map([['a', 10e6], ['b', 10e6], ['c', 10e6]]);
    for (let i = 0; i < 5; i++) {
      // Proxy a really wants only 1 MB/s; b and c are bulk.
      const a = Math.min(1e6, shares.get('a') ?? 0);
      shares = splitRate(30e6, [p('a', 1, a, a >= 0.8 * (shares.get('a') ?? 0)), p('b', 2, shares.get('b') ?? 0, true), p('c', 2, shares.get('c') ?? 0, true)]);
    }
    assert.equal(shares.get('a'), 1_500_000);
    assert.equal(shares.get('b'), 14_250_000);
    assert.equal(shares.get('c'), 14_250_000);
  });
});
