import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry, createRootLogger, validateObject, type PolicySnapshot, type SocksQuota, type SyncRequest, type SyncResponse__Output } from '@sockscale/common';
import { QuotaManager, type UsageTransport } from '../quota';
import { ProxyMetrics } from '../server/proxy-metrics';
import { UdpQuota } from './udp-quota';

const log = createRootLogger({ level: 'silent', format: 'json' });
const CHUNK = 65_536;

function snapshot(spec: Record<string, unknown> | undefined): PolicySnapshot {
  if (spec === undefined) return { version: 2, users: [], policies: [], quotas: [] };
  const q = validateObject({ apiVersion: 'sockscale.io/v1alpha1', kind: 'SocksQuota', metadata: { name: 'q' }, spec }).object as SocksQuota;
  return { version: 1, users: [], policies: [], quotas: [q] };
}

/** FAKE ledger (the real one lives in services/control, which the proxy may not import): grants what is asked, up to `limit` in total. */
function fakeLedger(limit: number): UsageTransport & { reported: number } {
  const leases = new Map<string, { granted: number; used: number }>();
  let granted = 0;
  const t = {
    reported: 0,
    sync(req: SyncRequest): Promise<SyncResponse__Output> {
      const grants = (req.accounts ?? []).map((a) => {
        const l = leases.get(a.lease ?? '') ?? { granted: 0, used: 0 };
        leases.set(a.lease ?? '', l);
        t.reported += Number(a.usedTotal) - l.used;
        l.used = Number(a.usedTotal);
        const extra = a.release === true ? 0 : Math.max(0, Math.min(Number(a.want) - (l.granted - l.used), limit - granted));
        l.granted += extra;
        granted += extra;
        return { quota: a.quota ?? '', member: a.member ?? '', lease: a.lease ?? '', periodStart: 1, periodEnd: 2, grantedTotal: l.granted, ttlMs: 60_000, exhausted: granted >= limit, lapsed: false, unknown: false, limit, used: t.reported, remaining: limit - granted };
      });
      // `allotments`: none (for ledgers that also answer bandwidth allotments).
      const res = { requestId: Number(req.requestId), grants, allotments: [] };
      return Promise.resolve(res as unknown as SyncResponse__Output);
    },
    close: () => undefined,
  };
  return t;
}

async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

async function count(registry: Registry, direction: string, outcome: string): Promise<number> {
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === 'sockscale_proxy_udp_quota_datagrams_total');
  return m?.values.find((v) => v.labels.direction === direction && v.labels.outcome === outcome)?.value ?? 0;
}

void test('UdpQuota polices datagrams against grants: never past the limit, every datagram charged or counted as dropped, Block closes once', async () => {
  const clock = { t: 1000 };
  const limit = 3 * CHUNK + 500;
  const ledger = fakeLedger(limit);
  const m = new QuotaManager({ proxyId: 'p', transport: ledger, log, now: () => clock.t });
  m.applySnapshot(snapshot({ subject: { user: 'alice' }, bytes: limit, period: { type: 'Daily' }, direction: 'Up' }));
  const registry = new Registry();
  const metrics = new ProxyMetrics(registry, () => ({ up: 0, down: 0 }));
  let blocked = 0;
  const q = new UdpQuota({ quota: m, user: 'alice', metrics, eager: true, onBlock: () => blocked++ });
  assert.equal(q.start(), undefined);
  let relayed = 0;
  let admitted = 0;
  let dropped = 0;
  for (let i = 0; i < 400 && blocked === 0; i++) {
    clock.t += 25;
    if (q.admit('up')) {
      q.charge('up', 1200);
      relayed += 1200;
      admitted++;
    } else dropped++;
    assert.equal(q.admit('down'), true, 'an Up quota does not gate replies');
    await flush();
  }
  assert.ok(relayed <= limit, `relayed ${relayed} > limit ${limit}`);
  assert.ok(relayed > limit - CHUNK - 1200, `relayed only ${relayed} of ${limit}`);
  assert.equal(blocked, 1, 'Block at exhaustion closes the association once');
  assert.equal(await count(registry, 'up', 'charged'), admitted);
  assert.equal((await count(registry, 'up', 'no_grant')) + (await count(registry, 'up', 'blocked')), dropped);
  assert.equal(await count(registry, 'down', 'charged'), 0);
  // Blocked: a datagram after the close is refused, counted as blocked; a new association is refused too.
  const before = await count(registry, 'up', 'blocked');
  assert.equal(q.admit('up'), false);
  assert.equal(await count(registry, 'up', 'blocked'), before + 1);
  q.close();
  const again = new UdpQuota({ quota: m, user: 'alice', metrics, eager: true });
  assert.match(again.start() ?? '', /quota q is used up/);
  again.close();
  m.close();
});

void test('UdpQuota: a quota that goes away stops gating at the next policy re-check; anonymous associations are never gated', async () => {
  const clock = { t: 1000 };
  const m = new QuotaManager({ proxyId: 'p', transport: fakeLedger(0), log, now: () => clock.t });
  m.applySnapshot(snapshot({ subject: { user: 'bob' }, bytes: 1, period: { type: 'Daily' } }));
  const registry = new Registry();
  const metrics = new ProxyMetrics(registry, () => ({ up: 0, down: 0 }));
  const q = new UdpQuota({ quota: m, user: 'bob', metrics, eager: true });
  assert.equal(q.start(), undefined);
  await flush();
  assert.equal(q.admit('up'), false, 'nothing granted: dropped');
  assert.equal(q.admit('down'), false);
  m.applySnapshot(snapshot(undefined));
  q.recheck();
  assert.equal(q.admit('up'), true, 'no quota any more: relayed');
  assert.equal(q.admit('down'), true);
  const anon = new UdpQuota({ quota: m, user: null, metrics, eager: true });
  m.applySnapshot(snapshot({ subject: { user: 'bob' }, bytes: 1, period: { type: 'Daily' } }));
  anon.recheck();
  assert.equal(anon.start(), undefined);
  assert.equal(anon.admit('up'), true);
  anon.charge('up', 1000);
  assert.equal(await count(registry, 'up', 'charged'), 0, 'anonymous datagrams are not charged');
  q.close();
  anon.close();
  m.close();
});
