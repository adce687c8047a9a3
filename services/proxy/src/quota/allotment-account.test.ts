import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRootLogger, validateObject, type PolicySnapshot, type SocksQuota, type SyncRequest, type SyncResponse__Output } from '@sockscale/common';
import { QuotaManager } from './quota-manager';
import { SLOT_WAIT_MS } from './allotment-account';
import type { UsageTransport } from './usage-transport';

const log = createRootLogger({ level: 'silent', format: 'json' });

function snapshot(spec: Record<string, unknown>): PolicySnapshot {
  const q = validateObject({ apiVersion: 'sockscale.io/v1alpha1', kind: 'SocksQuota', metadata: { name: 'q' }, spec }).object as SocksQuota;
  return { version: 1, users: [], policies: [], quotas: [q] };
}

/**
 * FAKE allotment ledger (the real one, services/control/src/quota/allotment-record.ts, is tested
 * on memory and on etcd; the proxy may not import it): slots per proxy = min(want, limit −
 * others' slots); a fixed bandwidth share per proxy.
 */
function fakeAllotments(limit: number, share: number): { transport: (proxy: string) => UsageTransport; slots: Map<string, number>; up: boolean } {
  const slots = new Map<string, number>();
  const f = {
    slots,
    up: true,
    transport: (proxy: string): UsageTransport => ({
      sync(req: SyncRequest): Promise<SyncResponse__Output> {
        if (!f.up) return Promise.reject(new Error('unreachable'));
        const allotments = (req.allotments ?? []).map((a) => {
          let others = 0;
          for (const [p, n] of slots) if (p !== proxy) others += n;
          const mine = a.release === true ? 0 : Math.max(Number(a.connectionsInUse), Math.min(Number(a.connectionsWant), limit - others));
          slots.set(proxy, mine);
          return { quota: a.quota ?? '', member: a.member ?? '', bandwidthShare: share, throttleShare: 0, connections: mine, connectionsLimit: limit, unknown: false, failed: false, ttlMs: 10_000 };
        });
        return Promise.resolve({ requestId: Number(req.requestId), grants: [], allotments });
      },
      close: () => undefined,
    }),
  };
  return f;
}

void test('maxConnections: slots are cluster-wide; a session waits one round trip for a slot, is refused when none is left, and a released slot is reused', async () => {
  const fake = fakeAllotments(3, 0);
  const spec = { subject: { user: 'alice' }, maxConnections: 3 };
  const [a, b] = ['p1', 'p2'].map((id) => {
    const m = new QuotaManager({ proxyId: id, transport: fake.transport(id), log });
    m.applySnapshot(snapshot(spec));
    return m;
  }) as [QuotaManager, QuotaManager];
  const h1 = await a.acquireConnection('alice');
  const h2 = await a.acquireConnection('alice');
  const h3 = await b.acquireConnection('alice');
  assert.ok(!('rejected' in h1) && !('rejected' in h2) && !('rejected' in h3), 'three slots across two proxies');
  assert.deepEqual(Object.fromEntries(fake.slots), { p1: 2, p2: 1 });
  const t0 = performance.now();
  const r4 = await a.acquireConnection('alice');
  assert.ok('rejected' in r4 && /maxConnections/.test(r4.rejected), 'the 4th is refused');
  assert.ok(performance.now() - t0 >= SLOT_WAIT_MS - 20, 'after waiting SLOT_WAIT_MS for a slot');
  const anonymous = await a.acquireConnection(null);
  assert.ok(!('rejected' in anonymous), 'anonymous sessions are not subjects');
  // p1 closes one; p2's next session gets the slot once p1 reported it back.
  h1.release();
  const h5 = await b.acquireConnection('alice');
  assert.ok(!('rejected' in h5), 'a released slot goes to the other proxy');
  assert.deepEqual(Object.fromEntries(fake.slots), { p1: 1, p2: 2 });
  assert.equal(a.allotmentSnapshot()[0]?.inUse, 1);
  for (const m of [a, b]) m.close();
});

void test('bandwidth: the share from the control plane sets the proxy bucket every session of the account shares', async () => {
  const share = 1_000_000;
  const fake = fakeAllotments(0, share);
  const m = new QuotaManager({ proxyId: 'p1', transport: fake.transport('p1'), log });
  m.applySnapshot(snapshot({ subject: { user: 'alice' }, bandwidth: '30M', direction: 'Down' }));
  const s1 = m.hold('alice', () => undefined);
  const s2 = m.hold('alice', () => undefined);
  assert.ok(!('rejected' in s1) && !('rejected' in s2));
  assert.equal(s1.gates?.up, undefined, 'direction Down: no up gate');
  m.poke();
  for (let i = 0; i < 50 && m.allotmentSnapshot()[0]?.bandwidthShare !== share; i++) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(m.allotmentSnapshot().map((x) => [x.key, x.bandwidthShare, x.sessions]), [['q/alice', share, 2]]);
  // Both sessions draw on one bucket at the share: 200 kB past the 100 ms burst each is 200 ms, then 400 ms.
  s1.gates?.down?.consume(100_000);
  const w1 = s1.gates?.down?.consume(200_000) ?? 0;
  const w2 = s2.gates?.down?.consume(200_000) ?? 0;
  assert.ok(w1 >= 190 && w1 <= 210, `first waits ~200 ms, got ${w1}`);
  assert.ok(w2 >= 390 && w2 <= 410, `second queues behind it, ~400 ms, got ${w2}`);
  s1.release();
  s2.release();
  m.close();
});
