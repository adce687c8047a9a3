import type { Readable, Writable } from 'node:stream';
import type { ByteGate } from './byte-gate';

/** Per-direction throttle state: `active` while the source is paused by the gate. */
export interface GateState {
  active: boolean;
  timer?: NodeJS.Timeout;
}

/**
 * After relaying `n` bytes from `source` to `dest`, asks the gate; when it says wait, pauses
 * the source and resumes it once the gate says go (asking again with consume(0)), unless the
 * destination is still backpressured (its 'drain' resumes it then). Never drops bytes.
 */
export function pauseForGate(gate: ByteGate, state: GateState, source: Readable, dest: Writable, n: number): void {
  const wait = gate.consume(n);
  if (wait <= 0 || state.active) return;
  state.active = true;
  source.pause();
  const retry = (): void => {
    if (source.destroyed) return void (state.active = false);
    const again = gate.consume(0);
    if (again > 0) {
      state.timer = setTimeout(retry, again);
      return;
    }
    state.active = false;
    state.timer = undefined;
    if (!dest.writableNeedDrain) source.resume();
  };
  state.timer = setTimeout(retry, wait);
}
