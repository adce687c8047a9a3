/**
 * Quota periods: which period an instant falls in, as [start, end) in epoch milliseconds.
 *
 * - Hourly, Daily, Weekly (from `weekStart`, default Monday), Monthly: calendar boundaries in
 *   the period's IANA `timeZone` (local midnight, local first of the month), so a daylight
 *   saving change makes that day 23 or 25 hours long and the boundary stays at local midnight.
 * - Days: `days` local calendar days counted from `anchor` (default 1970-01-01) in `timeZone`.
 *
 * The start (epoch ms) identifies the period in the ledger.
 */
import type { QuotaPeriod } from './types';
import { WEEKDAYS } from './time-window';

const DAY_MS = 86_400_000;

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timeZone, f);
  }
  return f;
}

function localParts(t: number, timeZone: string): LocalParts {
  const out: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(t))) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return { year: out.year ?? 1970, month: out.month ?? 1, day: out.day ?? 1, hour: out.hour ?? 0, minute: out.minute ?? 0, second: out.second ?? 0 };
}

/** Offset of `timeZone` from UTC at instant t, in ms (local = utc + offset). */
function offsetAt(t: number, timeZone: string): number {
  const p = localParts(t, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(t / 1000) * 1000;
}

/** The instant a local wall-clock time (fields may overflow; Date.UTC normalises) happens in `timeZone`. */
export function zonedToUtc(year: number, month: number, day: number, hour: number, timeZone: string): number {
  const guess = Date.UTC(year, month - 1, day, hour);
  const first = guess - offsetAt(guess, timeZone);
  const second = guess - offsetAt(first, timeZone);
  return second;
}

function dayNumber(year: number, month: number, day: number): number {
  return Math.floor(Date.UTC(year, month - 1, day) / DAY_MS);
}

/** [start, end) of the period containing instant `now`. */
export function periodBounds(period: QuotaPeriod, now: number): { start: number; end: number } {
  const tz = period.timeZone;
  const p = localParts(now, tz);
  switch (period.type) {
    case 'Hourly':
      return { start: zonedToUtc(p.year, p.month, p.day, p.hour, tz), end: zonedToUtc(p.year, p.month, p.day, p.hour + 1, tz) };
    case 'Daily':
      return { start: zonedToUtc(p.year, p.month, p.day, 0, tz), end: zonedToUtc(p.year, p.month, p.day + 1, 0, tz) };
    case 'Weekly': {
      const weekday = (new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay() + 6) % 7; // Mon = 0
      const startIdx = WEEKDAYS.indexOf(period.weekStart ?? 'Mon');
      const back = (weekday - startIdx + 7) % 7;
      return { start: zonedToUtc(p.year, p.month, p.day - back, 0, tz), end: zonedToUtc(p.year, p.month, p.day - back + 7, 0, tz) };
    }
    case 'Monthly':
      return { start: zonedToUtc(p.year, p.month, 1, 0, tz), end: zonedToUtc(p.year, p.month + 1, 1, 0, tz) };
    case 'Days': {
      const len = period.days ?? 1;
      const [ay, am, ad] = (period.anchor ?? '1970-01-01').split('-').map(Number) as [number, number, number];
      const anchor = dayNumber(ay, am, ad);
      const k = Math.floor((dayNumber(p.year, p.month, p.day) - anchor) / len);
      const startDay = anchor + k * len;
      const d = new Date(startDay * DAY_MS);
      const [y, m, dd] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
      return { start: zonedToUtc(y, m, dd, 0, tz), end: zonedToUtc(y, m, dd + len, 0, tz) };
    }
  }
}
