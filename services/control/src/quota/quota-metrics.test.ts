import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from '@sockscale/common';
import { QuotaControlMetrics } from './quota-metrics';
import type { AccountStatus } from './quota-ledger';

const row = (member: string, used: number): AccountStatus => ({ quota: 'q', member, periodStart: 0, periodEnd: 86_400_000, limit: 1000, used, outstanding: 0, remaining: 1000 - used, leases: 0 });

void test('quota gauges: a status read that hangs (etcd not answering) is abandoned after the timeout; last values stay', async () => {
  const registry = new Registry();
  const clock = { t: 0 };
  let reads = 0;
  let hang = false;
  new QuotaControlMetrics(registry, {
    // Fault injection: a read that never answers stands in for a hung etcd.
    read: () => {
      reads++;
      return hang ? new Promise<AccountStatus[]>(() => undefined) : Promise.resolve([row('alice', 10), row('bob', 20)]);
    },
    maxAgeMs: 1000,
    timeoutMs: 50,
    now: () => clock.t,
  });
  const first = await registry.metrics();
  assert.match(first, /^sockscale_quota_used_bytes\{quota="q",member="bob"\} 20$/m);
  assert.match(first, /^sockscale_quota_period_end_seconds\{quota="q",member="alice"\} 86400$/m);
  assert.equal(reads, 1, 'one read for the four gauges');
  hang = true;
  clock.t += 1000;
  const started = Date.now();
  const second = await registry.metrics();
  assert.ok(Date.now() - started < 1000, 'the scrape does not wait for the hung read');
  assert.match(second, /^sockscale_quota_used_bytes\{quota="q",member="bob"\} 20$/m);
  assert.match(second, /^sockscale_quota_status_read_failures_total 1$/m);
  assert.equal(reads, 2);
});

void test('quota gauges: without a status source no gauges are registered', async () => {
  const registry = new Registry();
  new QuotaControlMetrics(registry);
  const text = await registry.metrics();
  assert.doesNotMatch(text, /sockscale_quota_used_bytes/);
  assert.match(text, /sockscale_quota_status_read_failures_total 0/);
});
