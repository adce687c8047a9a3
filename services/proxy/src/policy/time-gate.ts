import { MINUTES_PER_DAY, WEEKDAYS, parseClock, zonedClock, type TimeWindow } from '@sockscale/common';
import type { DenseBits } from './bitset';

interface CompiledWindow {
  /** Bit d set = the window starts on day d (0 = Monday). */
  days: number;
  start: number;
  end: number;
  zone: string;
}

/**
 * The time dimension: which rules are active at an instant. Windows have one-minute
 * resolution and every zone offset is a whole number of minutes, so the active set is
 * constant within a UTC minute: it is computed once per minute (one wall-clock conversion per
 * distinct time zone, then one check per window) and reused by every evaluation in that
 * minute. Rules without windows are always active. Evaluating at an instant in another minute
 * (explain --at, tests) recomputes; the cost is O(windows), never per rule count.
 */
export class TimeGate {
  /** Rules with windows exist; when false `bitsAt` returns all-ones and is never needed. */
  readonly any: boolean;
  private readonly rules: { rule: number; windows: CompiledWindow[] }[] = [];
  private readonly bits: Int32Array;
  private readonly allOn: Int32Array;
  private minute = Number.NaN;

  constructor(ruleWindows: readonly (readonly TimeWindow[] | undefined)[], words: number) {
    this.allOn = new Int32Array(words).fill(-1);
    this.bits = new Int32Array(words).fill(-1);
    ruleWindows.forEach((windows, rule) => {
      if (windows === undefined || windows.length === 0) return;
      this.rules.push({ rule, windows: windows.map((w) => compileWindow(w)) });
    });
    this.any = this.rules.length > 0;
  }

  /** Dense set of rules active at `atMs` (all ones when no rule has windows). Shared: do not mutate. */
  bitsAt(atMs: number): DenseBits {
    if (!this.any) return this.allOn;
    const minute = Math.floor(atMs / 60_000);
    if (minute === this.minute) return this.bits;
    const clocks = new Map<string, { day: number; minute: number }>();
    const clock = (z: string): { day: number; minute: number } => {
      let c = clocks.get(z);
      if (c === undefined) clocks.set(z, (c = zonedClock(minute * 60_000, z)));
      return c;
    };
    for (const { rule, windows } of this.rules) {
      let on = false;
      for (const w of windows) {
        const c = clock(w.zone);
        if (windowActive(w, c.day, c.minute)) {
          on = true;
          break;
        }
      }
      const word = rule >>> 5;
      const bit = 1 << (rule & 31);
      this.bits[word] = on ? (this.bits[word] as number) | bit : (this.bits[word] as number) & ~bit;
    }
    this.minute = minute;
    return this.bits;
  }
}

function compileWindow(w: TimeWindow): CompiledWindow {
  let days = 0;
  for (const d of w.days) days |= 1 << WEEKDAYS.indexOf(d);
  const start = parseClock(w.start);
  const end = parseClock(w.end);
  return { days, start: typeof start === 'string' ? 0 : start.value, end: typeof end === 'string' ? MINUTES_PER_DAY : end.value, zone: w.timeZone };
}

/** `day` 0 = Monday, `minute` of the day, both local to the window's zone. */
export function windowActive(w: { days: number; start: number; end: number }, day: number, minute: number): boolean {
  if (w.start < w.end) return (w.days & (1 << day)) !== 0 && minute >= w.start && minute < w.end;
  // Wraps past midnight: the part after midnight belongs to the previous day's window.
  const prev = (day + 6) % 7;
  return ((w.days & (1 << day)) !== 0 && minute >= w.start) || ((w.days & (1 << prev)) !== 0 && minute < w.end);
}
