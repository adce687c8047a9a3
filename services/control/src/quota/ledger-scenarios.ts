/**
 * Ledger scenarios shared by the memory unit test and the real-etcd feature test, so both
 * backends are held to the same rules. Each scenario gets a fresh backend.
 */
import assert from 'node:assert/strict';
import { validateObject, type SocksQuota } from '@sockscale/common';
import { ALLOT_PREFIX, ENDS_INDEX_PREFIX, ledgerKey, LEDGER_PREFIX, OPEN_INDEX_PREFIX, prefixEnd, type LedgerBackend } from './ledger-backend';
import { newRecord } from './ledger-record';
import { QuotaLedger } from './quota-ledger';

export function quotaObject(name: string, spec: Record<string, unknown>): SocksQuota {
  const r = validateObject({ apiVersion: 'sockscale.io/v1alpha1', kind: 'SocksQuota', metadata: { name }, spec });
  assert.deepEqual(r.issues, []);
  return r.object as SocksQuota;
}

export interface Clock {
  t: number;
}

export function ledgerWith(backend: LedgerBackend, clock: Clock, quotas: SocksQuota[], ttlMs = 10_000, retentionMs?: number): QuotaLedger {
  const map = new Map(quotas.map((q) => [q.metadata.name, q]));
  return new QuotaLedger(backend, { ttlMs, now: () => clock.t, quotas: () => map, ...(retentionMs === undefined ? {} : { retentionMs }) });
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
  'a first report that never arrived, or arrived twice, counts once (proxies repeat seq 1 until answered)': async (backend) => {
    const clock = { t: Date.parse('2026-05-10T10:00:00Z') };
    const l = ledgerWith(backend(), clock, [quotaObject('q', { subject: { user: 'alice' }, bytes: 10_000, period: { type: 'Daily' } })]);
    // Offline bytes on a new lease: the first attempt never reached the ledger, the repeat (seq 1 again) counts them.
    const first = await l.sync(A, 0, item('p1#1', 1, 300, 1000));
    assert.equal(first.used, 300);
    // Its answer was lost: the repeat (seq 1, more bytes) is a duplicate; the next seq carries the bytes.
    const again = await l.sync(A, 0, item('p1#1', 1, 400, 1000));
    assert.deepEqual([again.duplicate, again.used, again.grantedTotal], [true, 300, first.grantedTotal]);
    // Closed before any answer came: its release repeats seq 1 and is applied (unspent grant returned).
    const rel = await l.sync(A, 0, item('p1#1', 1, 500, 0, true));
    assert.deepEqual([rel.used, rel.remaining], [500, 9500]);
    // A lease opened and closed in one seq-1 report (offline bytes at drain), applied twice: counted once.
    const once = await l.sync(A, 0, item('p2#1', 1, 200, 0, true));
    const twice = await l.sync(A, 0, item('p2#1', 1, 200, 0, true));
    assert.deepEqual([once.used, twice.used, twice.duplicate], [700, 700, true]);
    const [s] = await l.status();
    assert.deepEqual({ used: s?.used, leases: s?.leases, remaining: s?.remaining }, { used: 700, leases: 0, remaining: 9300 });
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
  'the sweep reads only records with an expired lease (open-lease index); records past the retention are deleted': async (backend) => {
    const clock = { t: Date.parse('2026-05-10T10:00:00Z') };
    const b = backend();
    const day = 24 * 3600_000;
    const l = ledgerWith(b, clock, [quotaObject('q', { subject: { group: 'g' }, bytes: 10_000, period: { type: 'Daily' } })], 10_000, day);
    // A record written before the index existed (no index keys), with a lease that will expire.
    const legacy = newRecord(10_000, Date.parse('2026-05-10T00:00:00Z'), Date.parse('2026-05-11T00:00:00Z'));
    legacy.leases['old#1'] = { granted: 300, reported: 100, seq: 3, expiresAt: clock.t + 5000 };
    assert.equal(await b.swap(ledgerKey('q', 'legacy', legacy.periodStart), legacy, 0), true);
    for (let i = 0; i < 20; i++) {
      await l.sync({ quota: 'q', member: `m${i}` }, 0, item(`p#${i}`, 1, 0, 100));
      // 18 of the 20 accounts release their lease; two stay open.
      if (i >= 2) await l.sync({ quota: 'q', member: `m${i}` }, 0, item(`p#${i}`, 2, 50, 0, true));
    }
    assert.deepEqual(await l.sweep(), [], 'nothing expired yet');
    assert.equal((await b.scan(OPEN_INDEX_PREFIX, prefixEnd(OPEN_INDEX_PREFIX))).length, 3, 'open index: the 2 open leases and the indexed legacy record');
    assert.deepEqual(l.lastSweep, { indexed: 3, recordsRead: 0, deleted: 0 }, 'no record read while no lease expired');
    clock.t += 11_000;
    const settled = await l.sweep();
    assert.deepEqual(settled.map((s) => s.lease).sort(), ['old#1', 'p#0', 'p#1']);
    assert.deepEqual(l.lastSweep, { indexed: 3, recordsRead: 3, deleted: 0 }, 'only the 3 records with an expired lease were read');
    assert.equal((await b.scan(OPEN_INDEX_PREFIX, prefixEnd(OPEN_INDEX_PREFIX))).length, 0, 'settled records leave the open index');
    await l.sweep();
    assert.deepEqual(l.lastSweep, { indexed: 0, recordsRead: 0, deleted: 0 });
    // The next day's records are kept; the old day's go once it ended more than the retention ago.
    clock.t = Date.parse('2026-05-11T12:00:00Z');
    await l.sync({ quota: 'q', member: 'm0' }, 0, item('p#100', 1, 0, 100));
    await l.sync({ quota: 'q', member: 'm0' }, 0, item('p#100', 2, 10, 0, true));
    await l.sweep();
    assert.equal(l.lastSweep.deleted, 0, 'ended 12 h ago: within the 1-day retention');
    clock.t = Date.parse('2026-05-12T00:00:01Z');
    await l.sweep();
    assert.equal(l.lastSweep.deleted, 21, 'the 21 records of 2026-05-10 are deleted');
    const left = await b.list(LEDGER_PREFIX);
    assert.deepEqual(left.map((x) => x.key), [ledgerKey('q', 'm0', Date.parse('2026-05-11T00:00:00Z'))]);
    assert.equal((await b.scan(ENDS_INDEX_PREFIX, prefixEnd(ENDS_INDEX_PREFIX))).length, 1, 'their index entries went with them');
    await l.sweep();
    assert.deepEqual(l.lastSweep, { indexed: 0, recordsRead: 0, deleted: 0 }, 'a sweep with nothing to do reads no record');
  },
  'allotment: bandwidth split by demand, connection slots never above the limit, dead proxies expire': async (backend) => {
    const clock = { t: Date.parse('2026-05-10T10:00:00Z') };
    const b = backend();
    const l = ledgerWith(b, clock, [quotaObject('bw', { subject: { user: 'alice' }, bandwidth: '30M', maxConnections: 10 })], 4000);
    const A2 = { quota: 'bw', member: 'alice' };
    const rep = (sessions: number, rate: number, limited: boolean, inUse: number, want: number, release = false) => ({ rate, sessions, limited, inUse, want, release });
    const first = await l.allotments.sync(A2, 'p1', rep(1, 0, false, 0, 4));
    assert.equal(first.bandwidthShare, 30_000_000, 'alone: the whole rate');
    assert.equal(first.connections, 4);
    assert.equal(first.connectionsLimit, 10);
    await l.allotments.sync(A2, 'p2', rep(2, 0, false, 0, 4));
    const p3 = await l.allotments.sync(A2, 'p3', rep(5, 0, false, 0, 4));
    assert.equal(p3.connections, 2, 'only 10 - 8 slots left');
    // Shares are recomputed at most once a second from every proxy's latest report: the round
    // after all three report themselves limited splits 1:2:5 by active sessions.
    let shares: number[] = [];
    for (let round = 0; round < 2; round++) {
      clock.t += 1000;
      shares = [];
      for (const [id, n] of [['p1', 1], ['p2', 2], ['p3', 5]] as const) shares.push((await l.allotments.sync(A2, id, rep(n, 1e6 * n, true, 2, 2))).bandwidthShare);
    }
    assert.deepEqual(shares, [3_750_000, 7_500_000, 18_750_000], 'limited proxies: 1:2:5 by active sessions');
    assert.equal((await l.allotments.status(A2)).slots, 6, 'slots not in use went back');
    // p3 dies: after the TTL (4 s) its share and slots return; p1 and p2 keep reporting.
    clock.t += 2000;
    await l.allotments.sync(A2, 'p1', rep(1, 3e6, true, 2, 2));
    await l.allotments.sync(A2, 'p2', rep(2, 6e6, true, 2, 2));
    clock.t += 2500;
    const p1 = await l.allotments.sync(A2, 'p1', rep(1, 3e6, true, 2, 10));
    assert.equal(p1.connections, 8, 'p3 expired: 10 - p2 (2)');
    assert.equal(p1.bandwidthShare, 10_000_000, 'p3 expired: p1 and p2 split the rate 1:2');
    assert.deepEqual(Object.keys((await l.allotments.status(A2)).proxies).sort(), ['p1', 'p2']);
    await l.allotments.sync(A2, 'p2', rep(0, 0, false, 0, 0, true));
    await l.allotments.sync(A2, 'p1', rep(0, 0, false, 0, 0, true));
    assert.equal((await b.scan(ALLOT_PREFIX, prefixEnd(ALLOT_PREFIX))).length, 0, 'released: the record is gone');
  },
};
