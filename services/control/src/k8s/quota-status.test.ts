import { test } from 'node:test';
import assert from 'node:assert/strict';
import { periodBounds, validateObject, type SocksQuotaSpec } from '@sockscale/common';
import type { AccountStatus } from '../quota';
import { hasUsage, quotaUsageStatus, sameUsage, TOP_MEMBERS } from './quota-status';

function spec(s: Record<string, unknown>): SocksQuotaSpec {
  const r = validateObject({ apiVersion: 'sockscale.io/v1alpha1', kind: 'SocksQuota', metadata: { name: 'q' }, spec: s });
  assert.ok(r.object?.kind === 'SocksQuota', JSON.stringify(r.issues));
  return r.object.spec;
}
const START = Date.UTC(2026, 11, 1);
const END = Date.UTC(2027, 0, 1);
const NOW = Date.UTC(2026, 11, 2, 5, 30, 12, 345);
function account(member: string, used: number, outstanding: number, limit = 1000): AccountStatus {
  return { quota: 'q', member, periodStart: START, periodEnd: END, limit, used, outstanding, remaining: Math.max(0, limit - used - outstanding), leases: outstanding > 0 ? 1 : 0 };
}

void test('quota status: a user quota shows its one account, with RFC 3339 times', () => {
  const s = quotaUsageStatus(spec({ subject: { user: 'alice' }, bytes: 1000, period: { type: 'Monthly' } }), [account('alice', 300, 200)], NOW);
  assert.deepEqual(s, { limit: 1000, used: 300, outstanding: 200, remaining: 500, periodStart: '2026-12-01T00:00:00Z', resetsAt: '2027-01-01T00:00:00Z', observedAt: '2026-12-02T05:30:12Z' });
  assert.equal(quotaUsageStatus(spec({ subject: { user: 'alice' }, bytes: 1000, period: { type: 'Monthly' } }), [], NOW), undefined, 'not known to the ledger yet: no usage');
  assert.equal(quotaUsageStatus(spec({ subject: { user: 'alice' }, maxConnections: 3 }), [account('alice', 1, 0)], NOW), undefined, 'no byte limit: no usage');
});

void test('quota status: a PerMember group shows the member nearest to the limit, a bounded top list and totals', () => {
  const accounts = Array.from({ length: 25 }, (_, i) => account(`m${String(i).padStart(2, '0')}`, i * 10, i === 3 ? 900 : 0));
  accounts.push(account('full', 1000, 0));
  const s = quotaUsageStatus(spec({ subject: { group: 'students' }, bytes: 1000, period: { type: 'Monthly' } }), accounts, NOW);
  assert.ok(s !== undefined);
  assert.equal(s.members, 26);
  assert.equal(s.exhaustedMembers, 1);
  assert.equal(s.usedTotal, 1000 + accounts.slice(0, 25).reduce((n, a) => n + a.used, 0));
  assert.equal(s.topMembers?.length, TOP_MEMBERS);
  assert.deepEqual(s.topMembers?.slice(0, 3), [
    { member: 'full', used: 1000, outstanding: 0, remaining: 0 },
    { member: 'm03', used: 30, outstanding: 900, remaining: 70 },
    { member: 'm24', used: 240, outstanding: 0, remaining: 760 },
  ]);
  assert.deepEqual([s.used, s.outstanding, s.remaining, s.limit], [1000, 0, 0, 1000], 'top-level numbers are topMembers[0]');
  // An empty group: zero usage, the period from the spec.
  const empty = quotaUsageStatus(spec({ subject: { group: 'nobody' }, bytes: 1000, period: { type: 'Daily', timeZone: 'Europe/Berlin' } }), [], NOW);
  const b = periodBounds({ type: 'Daily', timeZone: 'Europe/Berlin' }, NOW);
  assert.deepEqual(empty && [empty.members, empty.used, empty.remaining, empty.topMembers, Date.parse(empty.resetsAt)], [0, 0, 1000, [], b.end]);
  // A Shared group has one account (member "*"), shown like a user quota.
  const shared = quotaUsageStatus(spec({ subject: { group: 'staff', scope: 'Shared' }, bytes: 1000, period: { type: 'Monthly' } }), [account('*', 10, 0)], NOW);
  assert.equal(shared?.members, undefined);
  assert.equal(shared?.used, 10);
});

void test('quota status: sameUsage ignores observedAt and key order (the API server sorts keys); hasUsage finds leftovers', () => {
  const g = spec({ subject: { group: 'students' }, bytes: 1000, period: { type: 'Monthly' } });
  const s = quotaUsageStatus(g, [account('a', 5, 1), account('b', 7, 0)], NOW);
  assert.ok(s !== undefined);
  const fromServer = JSON.parse(JSON.stringify({ conditions: [], ...s, observedAt: '2020-01-01T00:00:00Z' }, (_k, v: unknown) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v))) as Record<string, unknown>;
  assert.ok(sameUsage(fromServer, s));
  const more = quotaUsageStatus(g, [account('a', 6, 1), account('b', 7, 0)], NOW);
  assert.ok(more !== undefined && !sameUsage(fromServer, more), 'a member value changed');
  assert.ok(!sameUsage({ conditions: [] }, s));
  assert.ok(hasUsage(fromServer));
  assert.ok(!hasUsage({ conditions: [] }));
});
