import type { ByteGate } from '../relay/byte-gate';
import type { TokenBucket } from './token-bucket';

/**
 * The ByteGate of one direction of one session: charges every bucket that applies (user
 * direction, user total, rule direction, rule total) and waits for the slowest. The bucket
 * list is replaced in place when policy changes (`set`), so an open relay keeps its gate.
 */
export class DirectionGate implements ByteGate {
  private buckets: readonly TokenBucket[];

  constructor(buckets: readonly TokenBucket[]) {
    this.buckets = buckets;
  }

  set(buckets: readonly TokenBucket[]): void {
    this.buckets = buckets;
  }

  get size(): number {
    return this.buckets.length;
  }

  consume(n: number): number {
    let wait = 0;
    for (const b of this.buckets) {
      const w = b.consume(n);
      if (w > wait) wait = w;
    }
    return wait;
  }
}

/** Gates for both directions (up = client to destination). */
export interface SessionGates {
  up: DirectionGate;
  down: DirectionGate;
}
