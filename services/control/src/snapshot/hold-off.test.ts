import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HoldOff, type Clock } from './hold-off';

/** A manual clock: timers run only when `advance` passes them. */
class FakeClock implements Clock {
  t = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private next = 1;
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  }
  clearTimeout(h: unknown): void {
    this.timers = this.timers.filter((x) => x.id !== h);
  }
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const due = this.timers[0];
      if (due === undefined || due.at > end) break;
      this.timers.shift();
      this.t = due.at;
      due.fn();
    }
    this.t = end;
  }
}

test('a single change fires once after the hold-off', () => {
  const clock = new FakeClock();
  let fired = 0;
  const h = new HoldOff(() => fired++, 50, 500, clock);
  h.trigger();
  clock.advance(49);
  assert.equal(fired, 0);
  clock.advance(1);
  assert.equal(fired, 1);
  clock.advance(1000);
  assert.equal(fired, 1);
  assert.equal(h.pending, false);
});

test('a burst collapses into one firing after the last change', () => {
  const clock = new FakeClock();
  const firedAt: number[] = [];
  const h = new HoldOff(() => firedAt.push(clock.now()), 50, 500, clock);
  for (let i = 0; i < 5; i++) {
    h.trigger();
    clock.advance(20);
  }
  clock.advance(100);
  assert.deepEqual(firedAt, [80 + 50]);
});

test('a steady stream of changes still fires at the maximum delay', () => {
  const clock = new FakeClock();
  const firedAt: number[] = [];
  const h = new HoldOff(() => firedAt.push(clock.now()), 50, 200, clock);
  for (let i = 0; i < 50; i++) {
    h.trigger();
    clock.advance(10);
  }
  clock.advance(100);
  // Changes every 10 ms for 500 ms: fires at the cap (200, then 400: a new burst starts at 200),
  // then 50 ms after the last change at 490.
  assert.deepEqual(firedAt, [200, 400, 540]);
});

test('cancel drops a pending firing', () => {
  const clock = new FakeClock();
  let fired = 0;
  const h = new HoldOff(() => fired++, 50, 500, clock);
  h.trigger();
  h.cancel();
  clock.advance(1000);
  assert.equal(fired, 0);
});
