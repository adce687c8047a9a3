import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateObject } from './validate';
import { ruleSchema } from './object-schema';

function policy(rule: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: 'sockscale.io/v1alpha1', kind: 'SocksPolicy', metadata: { name: 'p' }, spec: { subjects: { groups: ['students'] }, rules: [rule] } };
}

function issues(rule: Record<string, unknown>): [string, string][] {
  return validateObject(policy(rule)).issues.map((i) => [i.path, i.message]);
}

void test('rule: protocols, mode, timeWindows and limits validate and normalise', () => {
  const r = validateObject(
    policy({
      action: 'Allow',
      protocols: ['http', 'tls'],
      mode: 'Shadow',
      timeWindows: [{ days: ['Mon', 'Fri'], start: '08:00', end: '18:30', timeZone: 'Europe/Berlin' }, { start: '22:00', end: '02:00' }],
      limits: { bandwidth: { up: '500k', down: '2Mi', total: '10MB/s' }, maxConnections: 4 },
    }),
  );
  assert.deepEqual(r.issues, []);
  assert.ok(r.object?.kind === 'SocksPolicy');
  const rule = r.object.spec.rules[0];
  assert.deepEqual(rule?.protocols, ['http', 'tls']);
  assert.equal(rule?.mode, 'Shadow');
  assert.deepEqual(rule?.timeWindows, [
    { days: ['Mon', 'Fri'], start: '08:00', end: '18:30', timeZone: 'Europe/Berlin' },
    { days: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'], start: '22:00', end: '02:00', timeZone: 'UTC' },
  ]);
  assert.deepEqual(rule?.limits, { bandwidth: { up: 500_000, down: 2_097_152, total: 10_000_000 }, maxConnections: 4 });
  // Validating the validated form again gives the same object (snapshots are re-validated).
  const again = validateObject(r.object);
  assert.deepEqual(again.issues, []);
  assert.deepEqual(again.object, r.object);
});

void test('rule: omitted new fields stay absent (any protocol, always, Enforce, no limits)', () => {
  const r = validateObject(policy({ action: 'Allow' }));
  assert.ok(r.object?.kind === 'SocksPolicy');
  const rule = r.object.spec.rules[0] ?? {};
  for (const k of ['protocols', 'timeWindows', 'mode', 'limits']) assert.equal(k in rule, false, k);
});

void test('rule: errors name the field path and what is wrong', () => {
  const table: [Record<string, unknown>, [string, RegExp][]][] = [
    [{ action: 'Allow', protocols: ['https'] }, [['spec.rules[0].protocols[0]', /unknown protocol "https"; expected one of "tls", "http", "ssh", "unknown"/]]],
    [{ action: 'Allow', protocols: [] }, [['spec.rules[0].protocols', /omit "protocols" to match any protocol/]]],
    [{ action: 'Allow', protocols: ['tls', 'tls'] }, [['spec.rules[0].protocols[1]', /duplicate protocol "tls"/]]],
    [{ action: 'Allow', mode: 'shadow' }, [['spec.rules[0].mode', /unknown mode "shadow".*did you mean "Shadow"/]]],
    [{ action: 'Allow', timeWindows: [{ start: '9:00', end: '17:00' }] }, [['spec.rules[0].timeWindows[0].start', /not a time of day "HH:MM"/]]],
    [{ action: 'Allow', timeWindows: [{ start: '09:00' }] }, [['spec.rules[0].timeWindows[0].end', /missing required field "end"/]]],
    [{ action: 'Allow', timeWindows: [{ start: '09:00', end: '09:00' }] }, [['spec.rules[0].timeWindows[0].end', /window is empty/]]],
    [{ action: 'Allow', timeWindows: [{ start: '24:00', end: '09:00' }] }, [['spec.rules[0].timeWindows[0].start', /cannot start at 24:00/]]],
    [{ action: 'Allow', timeWindows: [{ start: '09:00', end: '10:00', timeZone: 'Europe/Berlln' }] }, [['spec.rules[0].timeWindows[0].timeZone', /unknown time zone "Europe\/Berlln"/]]],
    [{ action: 'Allow', timeWindows: [{ days: ['Monday'], start: '09:00', end: '10:00' }] }, [['spec.rules[0].timeWindows[0].days[0]', /unknown day "Monday"; expected one of "Mon"/]]],
    [{ action: 'Allow', timeWindows: [] }, [['spec.rules[0].timeWindows', /never active/]]],
    [{ action: 'Allow', limits: {} }, [['spec.rules[0].limits', /set "bandwidth" or "maxConnections"/]]],
    [{ action: 'Allow', limits: { bandwidth: {} } }, [['spec.rules[0].limits.bandwidth', /at least one of "up", "down" or "total"/]]],
    [{ action: 'Allow', limits: { bandwidth: { down: '2Mbit/s' } } }, [['spec.rules[0].limits.bandwidth.down', /bits are not accepted/]]],
    [{ action: 'Allow', limits: { bandwidth: { down: '2 MB' } } }, [['spec.rules[0].limits.bandwidth.down', /remove the spaces/]]],
    [{ action: 'Allow', limits: { bandwidth: { downn: '2MB' } } }, [['spec.rules[0].limits.bandwidth.downn', /unknown field "downn"; did you mean "down"/]]],
    [{ action: 'Allow', limits: { maxConnections: 0 } }, [['spec.rules[0].limits.maxConnections', /0 is out of range; expected an integer from 1/]]],
    [{ action: 'Allow', limits: { maxConnections: '5' } }, [['spec.rules[0].limits.maxConnections', /remove the quotes/]]],
  ];
  for (const [rule, want] of table) {
    const got = issues(rule);
    assert.equal(got.length, want.length, `${JSON.stringify(rule)}: ${JSON.stringify(got)}`);
    want.forEach(([path, re], i) => {
      assert.equal(got[i]?.[0], path, JSON.stringify(rule));
      assert.match(got[i]?.[1] ?? '', re, JSON.stringify(rule));
    });
  }
});

void test('schema tables carry OpenAPI metadata for the new fields (for CRD generation)', () => {
  const f = ruleSchema.fields ?? {};
  assert.deepEqual(f.protocols?.check.items?.enum, ['tls', 'http', 'ssh', 'unknown']);
  assert.deepEqual(f.mode?.check.enum, ['Enforce', 'Shadow']);
  const tw = f.timeWindows?.check.items?.fields ?? {};
  assert.deepEqual(tw.days?.check.items?.enum, ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']);
  assert.ok(tw.start?.check.pattern !== undefined && new RegExp(tw.start.check.pattern).test('24:00'));
  assert.equal(tw.start?.required, true);
  const bw = f.limits?.check.fields?.bandwidth?.check.fields ?? {};
  for (const k of ['up', 'down', 'total']) {
    const q = bw[k]?.check;
    assert.equal(q?.intOrString, true, k);
    assert.ok(q?.pattern !== undefined && new RegExp(q.pattern).test('10MB/s') && !new RegExp(q.pattern).test('10 MB'), k);
  }
});
