import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LimitRegistry } from './limit-registry';
import { TokenBucket } from './token-bucket';
import { DirectionGate } from './session-gate';

describe('TokenBucket', () => {
  it('pays out exactly the rate over time (debt model), with one burst', () => {
    let now = 0;
    const b = new TokenBucket(1000, () => now); // 1000 B/s, burst 100 B
    assert.equal(b.consume(100), 0, 'the burst');
    assert.equal(b.consume(500), 500, '500 B in debt = 500 ms');
    now = 500;
    assert.equal(b.consume(0), 0);
    // Steady state: 10 s of 64 KB-ish chunks, waiting as told, moves rate * 10 s (+ burst).
    let sent = 0;
    now = 1000;
    const end = 11_000;
    while (now < end) {
      const w = b.consume(700);
      sent += 700;
      now += w;
    }
    assert.ok(Math.abs(sent - 10_000) <= 800, `sent ${sent}`);
  });
  it('setRate keeps the balance and applies at once', () => {
    const now = 0;
    const b = new TokenBucket(1000, () => now);
    b.consume(1100); // 1000 in debt at 1000 B/s = 1 s
    b.setRate(2000);
    assert.equal(b.consume(0), 500, 'the same debt at 2000 B/s');
    assert.equal(b.bytesPerSecond, 2000);
  });
});

describe('DirectionGate', () => {
  it('a session waits for its own reservation, so sessions sharing a bucket take turns', () => {
    let now = 0;
    const clock = (): number => now;
    const bucket = new TokenBucket(1000, clock); // burst 100
    const a = new DirectionGate([bucket], clock);
    const b = new DirectionGate([bucket], clock);
    assert.equal(a.consume(100), 0);
    assert.equal(a.consume(500), 500);
    assert.equal(b.consume(500), 1000, 'b queues behind a');
    now = 500;
    assert.equal(a.consume(0), 0, 'a may go at 500 ms');
    assert.equal(b.consume(0), 500, 'b still waits for its own turn');
  });
});

describe('LimitRegistry', () => {
  it('no applicable limit: no gate at all', () => {
    const reg = new LimitRegistry();
    assert.equal(reg.gatesFor('alice', 'p/r', undefined), undefined);
    assert.equal(reg.gatesFor('alice', 'p/r', { maxConnections: 2 }), undefined);
  });
  it('rule bandwidth is per user within the rule, shared by that user\'s sessions', () => {
    const now = 0;
    const reg = new LimitRegistry(() => now);
    const limits = { bandwidth: { down: 1000 } };
    const a1 = reg.gatesFor('alice', 'p/r', limits);
    const a2 = reg.gatesFor('alice', 'p/r', limits);
    const b1 = reg.gatesFor('bob', 'p/r', limits);
    assert.ok(a1 !== undefined && a2 !== undefined && b1 !== undefined);
    assert.equal(a1.up.size, 0, 'no up limit');
    a1.down.consume(100); // burst
    assert.equal(a2.down.consume(1000), 1000, 'alice\'s second session shares the bucket');
    assert.equal(b1.down.consume(100), 0, 'bob has his own');
  });
  it('user bandwidth applies to all of the user\'s gated sessions and changes in place', () => {
    const now = 0;
    const reg = new LimitRegistry(() => now);
    reg.setUserBandwidth('alice', { total: 1000 });
    const g = reg.gatesFor('alice', '', undefined);
    assert.ok(g !== undefined);
    reg.track('alice', g, undefined);
    assert.equal(g.up.size, 1);
    assert.equal(g.down.size, 1);
    g.up.consume(100);
    assert.equal(g.down.consume(1000), 1000, 'total is shared by both directions');
    reg.setUserBandwidth('alice', { total: 4000 });
    assert.equal(g.down.consume(1), 251, 'new rate, same debt (1000 + 1 bytes at 4000 B/s)');
    assert.equal(g.up.overLimit(), true);
    reg.setUserBandwidth('alice', undefined);
    assert.equal(g.up.size, 0, 'limit removed from the open session');
    assert.equal(g.down.consume(1_000_000), 0);
  });
  it('rewire moves an open session to the new rule\'s rates', () => {
    const now = 0;
    const reg = new LimitRegistry(() => now);
    const g = reg.gatesFor('alice', 'p/slow', { bandwidth: { down: 1000 } });
    assert.ok(g !== undefined);
    reg.rewire('alice', g, 'p/fast', { bandwidth: { down: 1_000_000 } });
    assert.equal(g.down.consume(50_000), 0);
  });
  it('maxConnections: per user per rule; release frees the slot', () => {
    const reg = new LimitRegistry();
    const l = { maxConnections: 2 };
    const a = reg.acquire('alice', 'p/r', l);
    const b = reg.acquire('alice', 'p/r', l);
    assert.deepEqual(reg.acquire('alice', 'p/r', l), { ok: false, max: 2 });
    assert.equal(reg.acquire('bob', 'p/r', l).ok, true);
    assert.equal(reg.acquire('alice', 'p/other', l).ok, true);
    assert.ok(a.ok && b.ok);
    reg.release(a.slot);
    assert.equal(reg.acquire('alice', 'p/r', l).ok, true);
    assert.deepEqual(reg.acquire('alice', 'p/r', undefined), { ok: true });
  });
});
