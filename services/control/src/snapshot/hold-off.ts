/**
 * Batches bursts of change notifications: fires `holdOffMs` after the last trigger, but never
 * later than `maxDelayMs` after the first trigger of the burst (so a steady stream of writes
 * cannot starve the proxies). Clock injectable for tests.
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const SYSTEM_CLOCK: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export class HoldOff {
  private first: number | undefined;
  private timer: unknown;

  constructor(
    private readonly fire: () => void,
    readonly holdOffMs: number,
    readonly maxDelayMs: number,
    private readonly clock: Clock = SYSTEM_CLOCK,
  ) {}

  get pending(): boolean {
    return this.first !== undefined;
  }

  trigger(): void {
    const now = this.clock.now();
    this.first ??= now;
    const at = Math.min(now + this.holdOffMs, this.first + this.maxDelayMs);
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(
      () => {
        this.timer = undefined;
        this.first = undefined;
        this.fire();
      },
      Math.max(0, at - now),
    );
  }

  cancel(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.first = undefined;
  }
}
