import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRootLogger, validateObject, type PolicySnapshot, type SocksQuota, type SyncRequest, type SyncResponse__Output } from '@sockscale/common';
import { QuotaManager, OFFLINE_AFTER_MS } from './quota-manager';
import { CHUNK_BYTES, IDLE_RELEASE_MS } from './quota-account';
import type { UsageTransport } from './usage-transport';

const log = createRootLogger({ level: 'silent', format: 'json' });

function snapshot(spec: Record<string, unknown>): PolicySnapshot {
  const q = validateObject({ apiVersion: 'sockscale.io/v1alpha1', kind: 'SocksQuota', metadata: { name: 'q' }, spec }).object as SocksQuota;
  return { version: 1, users: [], policies: [], quotas: [q] };
}

/** FAKE ledger (the real one lives in services/control, which the proxy may not import): grants what is asked, up to `limit` in total. */
function fakeLedger(limit: number): UsageTransport & { granted: number; reported: number; up: boolean } {
  const leases = new Map<string, { granted: number; used: number }>();
  const t = {
    granted: 0,
    reported: 0,
    up: true,
    sync(req: SyncRequest): Promise<SyncResponse__Output> {
      if (!t.up) return Promise.reject(new Error('unreachable'));
      const grants = (req.accounts ?? []).map((a) => {
        const l = leases.get(a.lease ?? '') ?? { granted: 0, used: 0 };
        leases.set(a.lease ?? '', l);
        t.reported += Number(a.usedTotal) - l.used;
        l.used = Number(a.usedTotal);
        const outstanding = l.granted - l.used;
        const extra = a.release === true ? 0 : Math.max(0, Math.min(Number(a.want) - outstanding, limit - t.granted));
        l.granted += extra;
        t.granted += extra;
        return { quota: a.quota ?? '', member: a.member ?? '', lease: a.lease ?? '', periodStart: 1, periodEnd: 2, grantedTotal: l.granted, ttlMs: 10_000, exhausted: t.granted >= limit, lapsed: false, unknown: false, limit, used: t.reported, remaining: limit - t.granted };
      });
      return Promise.resolve({ requestId: Number(req.requestId), grants, allotments: [] });
    },
    close: () => undefined,
  };
  return t;
}

async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

void test('quota manager: a session relays only against grants, chunk by chunk, never past the limit', async () => {
  const clock = { t: 1000 };
  const ledger = fakeLedger(10 * CHUNK_BYTES + 123);
  const m = new QuotaManager({ proxyId: 'p', transport: ledger, log, now: () => clock.t });
  m.applySnapshot(snapshot({ subject: { user: 'alice' }, bytes: 10 * CHUNK_BYTES + 123, period: { type: 'Daily' } }));
  const hold = m.hold('alice', () => undefined);
  assert.ok(!('rejected' in hold));
  const gate = hold.gates?.down;
  assert.ok(gate !== undefined && hold.gates?.up !== undefined, 'Total counts both directions');
  let relayed = 0;
  for (let i = 0; i < 100; i++) {
    clock.t += 30;
    const wait = gate.consume(0);
    if (wait > 0) {
      await flush();
      continue;
    }
    gate.consume(CHUNK_BYTES); // a full read, allowed by the reservation held
    relayed += CHUNK_BYTES;
    await flush();
  }
  assert.ok(relayed <= 10 * CHUNK_BYTES + 123, `relayed ${relayed}`);
  assert.ok(relayed >= 9 * CHUNK_BYTES, `relayed ${relayed}: grants arrived`);
  hold.release();
  await m.drain(100);
  assert.equal(ledger.reported, relayed, 'drain reports every byte');
  m.close();
});

void test('quota manager: control plane unreachable -> the offline allowance and no more', async () => {
  const clock = { t: 1000 };
  const ledger = fakeLedger(1e12);
  ledger.up = false;
  const m = new QuotaManager({ proxyId: 'p', transport: ledger, log, now: () => clock.t });
  m.applySnapshot(snapshot({ subject: { user: 'alice' }, bytes: '1Ti', period: { type: 'Daily' }, direction: 'Down', offlineAllowance: 5 * CHUNK_BYTES }));
  const hold = m.hold('alice', () => undefined);
  assert.ok(!('rejected' in hold));
  assert.equal(hold.gates?.up, undefined, 'direction Down: uploads are not gated');
  const gate = hold.gates?.down;
  assert.ok(gate !== undefined);
  assert.ok(gate.consume(0) > 0, 'no grant, no allowance yet: wait');
  clock.t += OFFLINE_AFTER_MS + 1;
  (m as unknown as { tick(): void }).tick();
  let relayed = 0;
  for (let i = 0; i < 50; i++) {
    if (gate.consume(0) > 0) break;
    gate.consume(CHUNK_BYTES);
    relayed += CHUNK_BYTES;
  }
  assert.equal(relayed, 5 * CHUNK_BYTES, 'exactly the allowance');
  assert.ok(gate.consume(0) > 0);
  // Back online: the offline bytes are reported on the next lease.
  await flush(); // the failed syncs the low grant triggered
  ledger.up = true;
  clock.t += 10;
  await (m as unknown as { sync(): Promise<void> }).sync();
  assert.equal(ledger.reported, relayed);
  hold.release();
  m.close();
});

void test('quota manager: sessions of users without a quota get no gate', () => {
  const m = new QuotaManager({ proxyId: 'p', transport: fakeLedger(1), log });
  m.applySnapshot(snapshot({ subject: { user: 'alice' }, bytes: 100, period: { type: 'Daily' } }));
  const h = m.hold('bob', () => undefined);
  assert.ok(!('rejected' in h) && h.gates === undefined);
  const anon = m.hold(null, () => undefined);
  assert.ok(!('rejected' in anon) && anon.gates === undefined);
  m.close();
});

void test('quota manager: the last bytes of a grant are not split into partial reservations (a session that cannot complete its chunk gives back what it holds)', async () => {
  const limit = 2 * CHUNK_BYTES + CHUNK_BYTES / 2;
  const ledger = fakeLedger(limit);
  const m = new QuotaManager({ proxyId: 'p', transport: ledger, log, now: () => 1000 });
  m.applySnapshot(snapshot({ subject: { user: 'alice' }, bytes: limit, period: { type: 'Daily' }, direction: 'Down' }));
  const holds = [m.hold('alice', () => undefined), m.hold('alice', () => undefined)];
  const gates = holds.map((h) => (!('rejected' in h) ? h.gates?.down : undefined));
  const [a, b] = gates;
  assert.ok(a !== undefined && b !== undefined);
  assert.ok(a.consume(0) > 0 && b.consume(0) > 0, 'no grant yet: neither may read');
  await (m as unknown as { sync(): Promise<void> }).sync();
  assert.equal(ledger.granted, limit);
  // Each reads in its own step size while its gate admits it (A: 40 KiB reads, B: 10 KiB reads).
  let relayed = 0;
  for (let round = 0; round < 100; round++) {
    let moved = false;
    for (const [g, step] of [[a, 40 * 1024], [b, 10 * 1024]] as const) {
      if (g.consume(0) > 0) continue;
      g.consume(step);
      relayed += step;
      moved = true;
    }
    await flush();
    if (!moved) break;
  }
  assert.ok(relayed <= limit, `relayed ${relayed} > limit ${limit}`);
  assert.ok(limit - relayed < CHUNK_BYTES, `relayed ${relayed} of ${limit}: the rest was stranded in partial reservations`);
  for (const h of holds) if (!('rejected' in h)) h.release();
  m.close();
});

void test('quota manager: a lease closed while an ordinary report is in flight still sends its final report (bytes since, unspent grant returned)', async () => {
  const clock = { t: 1000 };
  const inner = fakeLedger(1e9);
  const requests: SyncRequest[] = [];
  let hold: (() => void) | undefined;
  const transport: UsageTransport = {
    sync: async (req) => {
      requests.push(structuredClone(req));
      if (hold !== undefined) await new Promise<void>((r) => (hold = r));
      return inner.sync(req);
    },
    close: () => undefined,
  };
  const m = new QuotaManager({ proxyId: 'p', transport, log, now: () => clock.t });
  const sync = (): Promise<void> => (m as unknown as { sync(): Promise<void> }).sync();
  m.applySnapshot(snapshot({ subject: { user: 'alice' }, bytes: '1Ti', period: { type: 'Daily' }, direction: 'Down' }));
  const h = m.hold('alice', () => undefined);
  assert.ok(!('rejected' in h) && h.gates?.down !== undefined);
  const gate = h.gates.down;
  await sync();
  assert.equal(gate.consume(0), 0);
  gate.consume(CHUNK_BYTES);
  // A report goes out and is answered late; meanwhile the session relays more, ends, and the idle lease is closed.
  hold = () => undefined;
  const inFlight = sync();
  assert.equal(gate.consume(0), 0);
  gate.consume(1000);
  h.release();
  clock.t += IDLE_RELEASE_MS + 1;
  (m as unknown as { tick(): void }).tick();
  hold();
  hold = undefined;
  await inFlight;
  for (let i = 0; i < 5 && !requests.some((r) => r.accounts?.some((a) => a.release === true)); i++) {
    await flush();
    await sync();
  }
  const finals = requests.flatMap((r) => r.accounts ?? []).filter((a) => a.release === true);
  assert.equal(finals.length, 1, 'one final report for the lease');
  assert.equal(Number(finals[0]?.usedTotal), CHUNK_BYTES + 1000, 'it carries every byte relayed');
  assert.equal(inner.reported, CHUNK_BYTES + 1000);
  m.close();
});

void test('quota manager: a lease repeats seq 1 until the ledger answered it (a first report that never arrived is not taken for a settled lease)', async () => {
  const inner = fakeLedger(1e9);
  const seqs: number[] = [];
  let fail = true;
  const transport: UsageTransport = {
    sync: (req) => {
      for (const a of req.accounts ?? []) seqs.push(Number(a.seq));
      return fail ? Promise.reject(new Error('unreachable')) : inner.sync(req);
    },
    close: () => undefined,
  };
  const m = new QuotaManager({ proxyId: 'p', transport, log, now: () => 1000 });
  const sync = (): Promise<void> => (m as unknown as { sync(): Promise<void> }).sync();
  m.applySnapshot(snapshot({ subject: { user: 'alice' }, bytes: '1Ti', period: { type: 'Daily' }, direction: 'Down' }));
  const h = m.hold('alice', () => undefined);
  await sync();
  await sync();
  fail = false;
  await sync();
  await sync();
  assert.deepEqual(seqs, [1, 1, 1, 2]);
  if (!('rejected' in h)) h.release();
  m.close();
});
