import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateObject } from './validate';
import { periodBounds } from './quota-period';
import { SPEC_SCHEMAS } from './object-schema';

function quota(spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: 'sockscale.io/v1alpha1', kind: 'SocksQuota', metadata: { name: 'q' }, spec };
}
function issues(spec: Record<string, unknown>): [string, string][] {
  const r = validateObject(quota(spec));
  if (r.issues.length > 0) assert.equal(r.object, undefined);
  return r.issues.map((i) => [i.path, i.message]);
}

void test('SocksQuota: defaults and quantities', () => {
  const r = validateObject(quota({ subject: { group: 'students' }, bytes: '50Mi', period: { type: 'Monthly', timeZone: 'Europe/Berlin' }, bandwidth: '30MB/s', maxConnections: 10 }));
  assert.deepEqual(r.issues, []);
  assert.deepEqual(r.object?.spec, {
    subject: { group: 'students', scope: 'PerMember' },
    bytes: 50 * 2 ** 20,
    period: { type: 'Monthly', timeZone: 'Europe/Berlin' },
    direction: 'Total',
    onExhausted: { action: 'Block' },
    offlineAllowance: 0,
    bandwidth: 30_000_000,
    maxConnections: 10,
  });
  // Validating the validated form again gives the same object.
  const again = validateObject(r.object);
  assert.deepEqual(again.object, r.object);
});

void test('SocksQuota: clear messages for bad specs', () => {
  assert.deepEqual(issues({ subject: { user: 'a', group: 'b' }, maxConnections: 1 }), [['spec.subject', 'set exactly one of "user" or "group"']]);
  assert.deepEqual(issues({ subject: { user: 'a' } }), [['spec', 'a quota limits nothing: set "bytes" (with "period"), "bandwidth" or "maxConnections"']]);
  assert.deepEqual(issues({ subject: { user: 'a' }, bytes: '1G' }), [['spec.period', '"bytes" needs a "period" (type Hourly, Daily, Weekly, Monthly or Days)']]);
  assert.deepEqual(issues({ subject: { user: 'a' }, bytes: '1G', period: { type: 'Days' } }), [['spec.period.days', 'a "Days" period needs "days" (the period length, 1-3660)']]);
  assert.deepEqual(issues({ subject: { user: 'a' }, bytes: '1G', period: { type: 'Daily' }, onExhausted: { action: 'Throttle' } }), [
    ['spec.onExhausted.rate', '"Throttle" needs "rate" (bytes/s once the quota is used up, e.g. "64k/s")'],
  ]);
  assert.deepEqual(issues({ subject: { user: 'a', scope: 'Shared' }, maxConnections: 1 }), [
    ['spec.subject.scope', '"scope" applies to groups only (PerMember: each member has the full quota; Shared: the group shares one)'],
  ]);
  const bad = issues({ subject: { user: 'a' }, bytes: '10MB/s', period: { type: 'Yearly', timeZone: 'Mars/Base' } });
  assert.equal(bad.length, 3, JSON.stringify(bad));
  assert.match(bad.find(([p]) => p === 'spec.bytes')?.[1] ?? '', /is a rate; expected a quantity of bytes/);
  assert.ok(bad.some(([p]) => p === 'spec.period.type'));
  assert.ok(bad.some(([p]) => p === 'spec.period.timeZone'));
  assert.deepEqual(issues({ subject: { user: 'a' }, bytes: '1G', period: { type: 'Days', days: 30, anchor: '2026-02-30' } }), [['spec.period.anchor', '"2026-02-30" is not a valid calendar date']]);
});

void test('SocksQuota: the schema table carries enums and patterns for the CRD generator', () => {
  const fields = SPEC_SCHEMAS.SocksQuota.schema?.properties ?? {};
  assert.deepEqual(fields.direction?.enum, ['Total', 'Up', 'Down']);
  assert.ok(fields.bytes?.pattern !== undefined && fields.bytes['x-kubernetes-int-or-string'] === true);
  assert.deepEqual(fields.period?.properties?.type?.enum, ['Hourly', 'Daily', 'Weekly', 'Monthly', 'Days']);
  assert.deepEqual(fields.onExhausted?.properties?.action?.enum, ['Block', 'Throttle']);
  assert.deepEqual(fields.subject?.properties?.scope?.enum, ['PerMember', 'Shared']);
});

const iso = (t: number): string => new Date(t).toISOString();

void test('periodBounds: calendar periods in a time zone, DST and fixed days', () => {
  const berlin = (type: 'Hourly' | 'Daily' | 'Weekly' | 'Monthly') => ({ type, timeZone: 'Europe/Berlin' });
  // 2026-03-15 12:34 UTC = 13:34 CET
  const t = Date.parse('2026-03-15T12:34:56Z');
  let b = periodBounds(berlin('Hourly'), t);
  assert.deepEqual([iso(b.start), iso(b.end)], ['2026-03-15T12:00:00.000Z', '2026-03-15T13:00:00.000Z']);
  b = periodBounds(berlin('Daily'), t);
  assert.deepEqual([iso(b.start), iso(b.end)], ['2026-03-14T23:00:00.000Z', '2026-03-15T23:00:00.000Z']);
  b = periodBounds(berlin('Weekly'), t); // Sunday 15 March: week began Monday 9 March
  assert.deepEqual([iso(b.start), iso(b.end)], ['2026-03-08T23:00:00.000Z', '2026-03-15T23:00:00.000Z']);
  b = periodBounds(berlin('Monthly'), t); // March: CET at start, CEST at end (DST on 29 March)
  assert.deepEqual([iso(b.start), iso(b.end)], ['2026-02-28T23:00:00.000Z', '2026-03-31T22:00:00.000Z']);
  // The spring-forward day is 23 hours long.
  b = periodBounds(berlin('Daily'), Date.parse('2026-03-29T12:00:00Z'));
  assert.equal(b.end - b.start, 23 * 3600_000);
  // One millisecond before the boundary is the old period; the boundary itself the new one.
  const boundary = Date.parse('2026-03-31T22:00:00Z');
  assert.equal(periodBounds(berlin('Monthly'), boundary - 1).end, boundary);
  assert.equal(periodBounds(berlin('Monthly'), boundary).start, boundary);
  // 30-day periods from an anchor, in UTC.
  b = periodBounds({ type: 'Days', days: 30, anchor: '2026-01-01', timeZone: 'UTC' }, Date.parse('2026-02-05T00:00:00Z'));
  assert.deepEqual([iso(b.start), iso(b.end)], ['2026-01-31T00:00:00.000Z', '2026-03-02T00:00:00.000Z']);
  // Weekly starting Sunday, New York.
  b = periodBounds({ type: 'Weekly', weekStart: 'Sun', timeZone: 'America/New_York' }, Date.parse('2026-07-01T12:00:00Z'));
  assert.deepEqual([iso(b.start), iso(b.end)], ['2026-06-28T04:00:00.000Z', '2026-07-05T04:00:00.000Z']);
});
