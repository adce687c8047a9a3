import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkTimeZone, parseClock, zonedClock } from './time-window';

void test('parseClock', () => {
  assert.deepEqual(parseClock('00:00'), { value: 0 });
  assert.deepEqual(parseClock('09:30'), { value: 570 });
  assert.deepEqual(parseClock('23:59'), { value: 1439 });
  assert.deepEqual(parseClock('24:00'), { value: 1440 });
  for (const bad of ['24:01', '9:30', '25:00', '12:60', '12:00:00', '']) assert.equal(typeof parseClock(bad), 'string', bad);
});

void test('checkTimeZone', () => {
  assert.equal(checkTimeZone('Europe/Berlin'), undefined);
  assert.equal(checkTimeZone('UTC'), undefined);
  assert.match(checkTimeZone('Mars/Olympus') ?? '', /unknown time zone "Mars\/Olympus"/);
});

void test('zonedClock: zones and DST change days', () => {
  // 2026-01-05 is a Monday.
  assert.deepEqual(zonedClock(Date.parse('2026-01-05T10:00:00Z'), 'UTC'), { day: 0, minute: 600 });
  assert.deepEqual(zonedClock(Date.parse('2026-01-05T10:00:00Z'), 'Europe/Berlin'), { day: 0, minute: 660 });
  // Crosses midnight backwards: Monday 02:00 UTC is Sunday 21:00 in New York (EST).
  assert.deepEqual(zonedClock(Date.parse('2026-01-05T02:00:00Z'), 'America/New_York'), { day: 6, minute: 21 * 60 });
  // Europe/Berlin springs forward on 2026-03-29 at 01:00 UTC: 01:59:59 local then 03:00.
  assert.deepEqual(zonedClock(Date.parse('2026-03-29T00:59:00Z'), 'Europe/Berlin'), { day: 6, minute: 119 });
  assert.deepEqual(zonedClock(Date.parse('2026-03-29T01:00:00Z'), 'Europe/Berlin'), { day: 6, minute: 180 });
  // Falls back on 2026-10-25 at 01:00 UTC: 02:30 local happens twice.
  assert.deepEqual(zonedClock(Date.parse('2026-10-25T00:30:00Z'), 'Europe/Berlin'), { day: 6, minute: 150 });
  assert.deepEqual(zonedClock(Date.parse('2026-10-25T01:30:00Z'), 'Europe/Berlin'), { day: 6, minute: 150 });
  // Half-hour and 45-minute offsets.
  assert.deepEqual(zonedClock(Date.parse('2026-01-05T00:00:00Z'), 'Asia/Kolkata'), { day: 0, minute: 330 });
  assert.deepEqual(zonedClock(Date.parse('2026-01-05T00:00:00Z'), 'Asia/Kathmandu'), { day: 0, minute: 345 });
});
