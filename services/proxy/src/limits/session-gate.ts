import type { ByteGate } from '../relay/byte-gate';
import { monotonicMs, type TokenBucket } from './token-bucket';

/**
 * The ByteGate of one direction of one session: charges every bucket that applies (user
 * direction, user total, rule direction, rule total) and waits for the slowest. The bucket
 * list is replaced in place when policy changes (`set`), so an open relay keeps its gate.
 *
 * Fairness: a charge reserves the bytes in the shared buckets (queueing behind what other
 * sessions already reserved), and the session then waits for *its own* reservation
 * (`consume(0)` answers from it), not for the bucket's balance at the moment it asks again.
 * Sessions of one user therefore take turns instead of the first one to wake up taking
 * everything.
 */
export class DirectionGate implements ByteGate {
  private buckets: readonly TokenBucket[];
  private readyAt = 0;

  constructor(
    buckets: readonly TokenBucket[],
    private readonly now: () => number = monotonicMs,
  ) {
    this.buckets = buckets;
  }

  set(buckets: readonly TokenBucket[]): void {
    this.buckets = buckets;
  }

  get size(): number {
    return this.buckets.length;
  }

  consume(n: number): number {
    const now = this.now();
    if (n === 0) return this.readyAt > now ? Math.ceil(this.readyAt - now) : 0;
    let wait = 0;
    for (const b of this.buckets) {
      const w = b.consume(n);
      if (w > wait) wait = w;
    }
    this.readyAt = now + wait;
    return wait;
  }

  /** Some bucket is in debt (UDP polices with this: a datagram cannot wait). */
  overLimit(): boolean {
    for (const b of this.buckets) if (b.consume(0) > 0) return true;
    return false;
  }
}

/** Gates for both directions (up = client to destination). */
export interface SessionGates {
  up: DirectionGate;
  down: DirectionGate;
}
