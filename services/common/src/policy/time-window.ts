/**
 * Rule time windows: `{days: [Mon, ...], start: "HH:MM", end: "HH:MM", timeZone: "Europe/Berlin"}`.
 *
 * - A window is active when the wall-clock time in `timeZone` (IANA name; default "UTC") is on
 *   one of `days` (default every day) and within [start, end). `end` may be "24:00".
 * - `end` before `start` wraps past midnight: `{days: [Fri], start: "22:00", end: "02:00"}`
 *   covers Friday 22:00 to Saturday 02:00 (the day is the day the window starts).
 * - `start` equal to `end` is rejected (use "00:00"-"24:00" for whole days).
 * - Daylight saving time: the wall clock is computed for each instant, so a window follows
 *   local time. On the spring-forward day the skipped hour does not exist, so a window lying
 *   inside it (02:00-03:00 in Europe/Berlin) is never active that day, and one overlapping it
 *   is active for less time; on the fall-back day the repeated hour happens twice and a window
 *   covering it is active both times. A rule with several windows matches when any is active.
 * - Resolution is one minute (HH:MM); every IANA zone has whole-minute offsets today.
 */
export const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const CLOCK_PATTERN = '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$';
const CLOCK = new RegExp(CLOCK_PATTERN);

export const MINUTES_PER_DAY = 1440;

/** "HH:MM" (00:00-24:00) -> minutes since midnight, or an error message. */
export function parseClock(s: string): { value: number } | string {
  if (!CLOCK.test(s)) return `${JSON.stringify(s)} is not a time of day "HH:MM" (24-hour, 00:00 to 24:00)`;
  return { value: Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5)) };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', weekday: 'short', hour: '2-digit', minute: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** An error message when `timeZone` is not an IANA zone name this runtime knows. */
export function checkTimeZone(timeZone: string): string | undefined {
  try {
    formatter(timeZone);
    return undefined;
  } catch {
    return `unknown time zone ${JSON.stringify(timeZone)}; expected an IANA name such as "Europe/Berlin", "America/New_York" or "UTC"`;
  }
}

const WEEKDAY_INDEX: Readonly<Record<string, number>> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };

/** Wall clock at instant `atMs` in `timeZone`: day (0 = Monday) and minute of the day. */
export function zonedClock(atMs: number, timeZone: string): { day: number; minute: number } {
  let day = 0;
  let hour = 0;
  let minute = 0;
  for (const p of formatter(timeZone).formatToParts(atMs)) {
    if (p.type === 'weekday') day = WEEKDAY_INDEX[p.value] ?? 0;
    else if (p.type === 'hour') hour = Number(p.value);
    else if (p.type === 'minute') minute = Number(p.value);
  }
  return { day, minute: hour * 60 + minute };
}
