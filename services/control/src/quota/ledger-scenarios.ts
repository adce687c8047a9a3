/**
 * Ledger scenarios shared by the memory unit test and the real-etcd feature test, so both
 * backends are held to the same rules. Each scenario gets a fresh backend.
 */
import assert from 'node:assert/strict';
import { validateObject, type SocksQuota } from '@sockscale/common';
import type { LedgerBackend } from './ledger-backend';
import { QuotaLedger } from './quota-ledger';

export function quotaObject(name: string, spec: Record<string, unknown>): SocksQuota {
  const r = validateObject({ apiVersion: 'sockscale.io/v1alpha1', kind: 'SocksQuota', metadata: { name }, spec });
  assert.deepEqual(r.issues, []);
  return r.object as SocksQuota;
}

export interface Clock {
  t: number;
}

export function ledgerWith(backend: LedgerBackend, clock: Clock, quotas: SocksQuota[], ttlMs = 10_000): QuotaLedger {
  const map = new Map(quotas.map((q) => [q.metadata.name, q]));
  return new QuotaLedger(backend, { ttlMs, now: () => clock.t, quotas: () => map });
}

const A = { quota: 'q', member: 'alice' };
const item = (lease: string, seq: number, usedTotal: number, want: number, release = false) => ({ lease, seq, usedTotal, want, release });

export const LEDGER_SCENARIOS: Record<string, (backend: () => LedgerBackend) => Promise<void>> = {
  'grants never exceed what remains; used = Σ reported': async (backend) => {
    const clock = { t: Date.parse('2026-05-10T10:00:00Z') };
    const l = ledgerWith(backend(), clock, [quotaObject('q', { subject: { user: 'alice' }, bytes: 1000, period: { type: 'Daily' } })]);
    const r1 = await l.sync(A, 0, item('p1#1', 1, 0, 600));
    assert.equal(r1.grantedTotal, 600);
    const r2 = await l.sync(A, 0, item('p2#1', 1, 0, 600));
    assert.equal(r2.grantedTotal, 400, 'second proxy gets only what remains');
    assert.equal(r2.remaining, 0);
    assert.equal(r2.exhausted, true);
    const r3 = await l.sync(A, 0, item('p1#1', 2, 500, 600));
    assert.equal(r3.grantedTotal, 600, 'nothing left to top up');
    assert.equal(r3.used, 500);
    // p2 releases 100 unspent of its 400 -> p1 can have them.
    await l.sync(A, 0, item('p2#1', 2, 300, 0, true));
    const r4 = await l.sync(A, 0, item('p1#1', 3, 600, 600));
    assert.equal(r4.grantedTotal, 700);
    assert.equal(r4.used, 900);
    assert.equal(r4.remaining, 0);
    const [s] = await l.status();
    assert.deepEqual({ used: s?.used, outstanding: s?.outstanding, remaining: s?.remaining, limit: s?.limit }, { used: 900, outstanding: 100, remaining: 0, limit: 1000 });
  },
  'a retried report (same seq) is never counted twice; an older one changes nothing': async (backend) => {
    const clock = { t: Date.parse('2026-05-10T10:00:00Z') };
    const l = ledgerWith(backend(), clock, [quotaObject('q', { subject: { user: 'alice' }, bytes: 10_000, period: { type: 'Daily' } })]);
    await l.sync(A, 0, item('p1#1', 1, 0, 1000));
    const a = await l.sync(A, 0, item('p1#1', 2, 700, 1000));
    const again = await l.sync(A, 0, item('p1#1', 2, 700, 1000));
    assert.equal(again.duplicate, true);
    assert.equal(again.used, 700);
    assert.equal(again.grantedTotal, a.grantedTotal, 'a retry does not grant again');
    const older = await l.sync(A, 0, item('p1#1', 1, 100, 5000));
    assert.equal(older.duplicate, true);
    assert.equal(older.used, 700);
    // A lost report is covered by the next one (cumulative).
    const next = await l.sync(A, 0, item('p1#1', 4, 1500, 1000));
    assert.equal(next.used, 1500);
  },
  'period rollover is exact at the boundary in the quota time zone (injected clock)': async (backend) => {
    // Daily in Europe/Berlin: 2026-05-10 22:00Z is local midnight (CEST, UTC+2).
    const clock = { t: Date.parse('2026-05-10T21:59:59.999Z') };
    const l = ledgerWith(backend(), clock, [quotaObject('q', { subject: { user: 'alice' }, bytes: 1000, period: { type: 'Daily', timeZone: 'Europe/Berlin' } })]);
    const before = await l.sync(A, 0, item('p1#1', 1, 0, 1000));
    assert.equal(before.periodEnd, Date.parse('2026-05-10T22:00:00Z'));
    assert.equal(before.ttlMs, 1, 'the grant lapses at the period end');
    await l.sync(A, before.periodStart, item('p1#1', 2, 1000, 0, true));
    clock.t = Date.parse('2026-05-10T22:00:00.000Z');
    const [s] = await l.status();
    assert.equal(s?.used, 0, 'usage resets at local midnight');
    assert.equal(s?.periodStart, Date.parse('2026-05-10T22:00:00Z'));
    const after = await l.sync(A, 0, item('p1#2', 1, 0, 400));
    assert.equal(after.periodStart, Date.parse('2026-05-10T22:00:00Z'));
    assert.equal(after.grantedTotal, 400);
    // A late report against the old period lands in the old period, and grants nothing there.
    const late = await l.sync(A, before.periodStart, item('p1#9', 1, 0, 500));
    assert.equal(late.grantedTotal, 0);
    assert.equal(late.periodStart, before.periodStart);
  },
  'a lease not renewed for the TTL is settled as used; its late report is lapsed, not double counted': async (backend) => {
    const clock = { t: Date.parse('2026-05-10T10:00:00Z') };
    const l = ledgerWith(backend(), clock, [quotaObject('q', { subject: { user: 'alice' }, bytes: 10_000, period: { type: 'Daily' } })], 3000);
    await l.sync(A, 0, item('dead#1', 1, 0, 2000));
    await l.sync(A, 0, item('dead#1', 2, 500, 2000)); // granted 2500, reported 500
    await l.sync(A, 0, item('live#1', 1, 0, 1000));
    clock.t += 2999;
    assert.deepEqual(await l.sweep(), [], 'not before the TTL');
    await l.sync(A, 0, item('live#1', 2, 100, 1000));
    clock.t += 1;
    const settled = await l.sweep();
    assert.deepEqual(
      settled.map((s) => [s.lease, s.bytes, s.unspent]),
      [['dead#1', 2500, 2000]],
    );
    const [s] = await l.status();
    assert.equal(s?.used, 2600, 'settled as used: reported 500 + unspent 2000 + live 100');
    // The proxy was only cut off: its final report (exact: it stopped spending at its own
    // lapse) corrects the settled charge; nothing is counted twice.
    const late = await l.sync(A, 0, item('dead#1', 3, 800, 0, true));
    assert.equal(late.lapsed, true);
    assert.equal(late.grantedTotal, 0);
    const [s2] = await l.status();
    assert.equal(s2?.used, 900, 'settled charge corrected to the reported 800 (+ live 100)');
    const again = await l.sync(A, 0, item('dead#1', 3, 800, 0, true));
    assert.equal(again.lapsed, true);
    assert.equal((await l.status())[0]?.used, 900, 'the retried final report changes nothing');
  },
  'concurrent syncs from many proxies: no lost update, never over the limit': async (backend) => {
    const clock = { t: Date.parse('2026-05-10T10:00:00Z') };
    const b = backend();
    const l = ledgerWith(b, clock, [quotaObject('q', { subject: { user: 'alice' }, bytes: 100_000, period: { type: 'Daily' } })]);
    const proxies = Array.from({ length: 6 }, (_, i) => ({ lease: `p${i}#1`, seq: 0, used: 0, granted: 0 }));
    for (let round = 0; round < 8; round++) {
      await Promise.all(
        proxies.map(async (p) => {
          p.used = p.granted; // spend everything granted so far
          const r = await l.sync(A, 0, item(p.lease, ++p.seq, p.used, 5000));
          p.granted = r.grantedTotal;
        }),
      );
    }
    const granted = proxies.reduce((s, p) => s + p.granted, 0);
    const used = proxies.reduce((s, p) => s + p.used, 0);
    const [s] = await l.status();
    assert.ok(granted <= 100_000, `granted ${granted}`);
    assert.equal(s?.used, used);
    assert.equal(s?.outstanding, granted - used);
  },
  'group quotas: PerMember accounts are separate, Shared is one account': async (backend) => {
    const clock = { t: Date.parse('2026-05-10T10:00:00Z') };
    const l = ledgerWith(backend(), clock, [
      quotaObject('each', { subject: { group: 'g' }, bytes: 100, period: { type: 'Hourly' } }),
      quotaObject('all', { subject: { group: 'g', scope: 'Shared' }, bytes: 100, period: { type: 'Hourly' } }),
    ]);
    assert.equal((await l.sync({ quota: 'each', member: 'bob' }, 0, item('p#1', 1, 0, 100))).grantedTotal, 100);
    assert.equal((await l.sync({ quota: 'each', member: 'carol' }, 0, item('p#1', 1, 0, 100))).grantedTotal, 100);
    assert.equal((await l.sync({ quota: 'all', member: '*' }, 0, item('p#1', 1, 0, 100))).grantedTotal, 100);
    assert.equal((await l.sync({ quota: 'all', member: '*' }, 0, item('p#2', 1, 0, 100))).grantedTotal, 0);
    const unknown = await l.sync({ quota: 'nope', member: 'x' }, 0, item('p#1', 1, 0, 100));
    assert.equal(unknown.unknown, true);
  },
};
