import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRootLogger, hashPassword, Registry, validateObject, type PolicyObject } from '@sockscale/common';
import { ControlPlane } from './control-plane';
import { MemoryStore } from './store';

const log = createRootLogger({ level: 'silent', format: 'json' });

function object(kind: string, name: string, spec: Record<string, unknown>): PolicyObject {
  const r = validateObject({ apiVersion: 'sockscale.io/v1alpha1', kind, metadata: { name }, spec });
  assert.ok(r.object, JSON.stringify(r.issues));
  return r.object;
}

/** Samples of one metric on the real /metrics text: "quota/member" -> value. */
function samples(text: string, name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = new RegExp(`^${name}\\{quota="([^"]*)",member="([^"]*)"\\} (\\S+)$`).exec(line);
    if (m !== null) out.set(`${m[1]}/${m[2]}`, Number(m[3]));
  }
  return out;
}

function counter(text: string, name: string): number {
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  assert.ok(m !== null, `${name} is exported`);
  return Number(m[1]);
}

void test('control plane: quota gauges per quota and member from the ledger, cached, last values kept on a failed read', async () => {
  const clock = { t: Date.parse('2026-05-13T10:00:00Z') };
  const store = new MemoryStore();
  const registry = new Registry();
  const cp = new ControlPlane({ store, grpcAddress: '127.0.0.1:0', adminHttp: null, logger: log, registry, publisher: { holdOffMs: 5, maxDelayMs: 20 }, quota: { now: () => clock.t } });
  await cp.start();
  try {
    const hash = await hashPassword('pw');
    await store.apply([
      object('SocksUser', 'alice', { groups: ['students'], password: { hash } }),
      object('SocksUser', 'bob', { groups: ['students', 'staff'], password: { hash } }),
      object('SocksQuota', 'q-alice', { subject: { user: 'alice' }, bytes: 1000, period: { type: 'Daily' } }),
      object('SocksQuota', 'q-students', { subject: { group: 'students' }, bytes: 5000, period: { type: 'Weekly' } }),
      object('SocksQuota', 'q-staff', { subject: { group: 'staff', scope: 'Shared' }, bytes: 9000, period: { type: 'Monthly' } }),
    ]);
    for (let i = 0; i < 200 && (cp.publisher.snapshot?.snapshot.version ?? 0) < 1; i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(cp.publisher.snapshot !== undefined, 'a snapshot was published');
    // alice spends 250 of a 600 grant on q-alice; bob 40 on the shared staff quota.
    await cp.ledger.sync({ quota: 'q-alice', member: 'alice' }, 0, { lease: 'p1#1', seq: 1, usedTotal: 0, want: 600, release: false });
    await cp.ledger.sync({ quota: 'q-alice', member: 'alice' }, 0, { lease: 'p1#1', seq: 2, usedTotal: 250, want: 0, release: false });
    await cp.ledger.sync({ quota: 'q-staff', member: '*' }, 0, { lease: 'p1#1', seq: 1, usedTotal: 40, want: 0, release: true });

    const text = await registry.metrics();
    const used = samples(text, 'sockscale_quota_used_bytes');
    // Every account: user quota, each member of the PerMember group (even unseen), the Shared group as "*".
    assert.deepEqual([...used.entries()].sort(), [['q-alice/alice', 250], ['q-staff/*', 40], ['q-students/alice', 0], ['q-students/bob', 0]]);
    assert.deepEqual(samples(text, 'sockscale_quota_limit_bytes'), new Map([['q-alice/alice', 1000], ['q-staff/*', 9000], ['q-students/alice', 5000], ['q-students/bob', 5000]]));
    // The same numbers as `sockscale quota status` (QuotaLedger.status).
    const status = await cp.ledger.status({}, [{ quota: 'q-students', member: 'alice' }, { quota: 'q-students', member: 'bob' }]);
    const remaining = samples(text, 'sockscale_quota_remaining_bytes');
    const ends = samples(text, 'sockscale_quota_period_end_seconds');
    assert.equal(status.length, 4);
    for (const s of status) {
      assert.equal(remaining.get(`${s.quota}/${s.member}`), s.remaining, `${s.quota}/${s.member} remaining`);
      assert.equal(ends.get(`${s.quota}/${s.member}`), s.periodEnd / 1000, `${s.quota}/${s.member} period end`);
    }
    assert.ok((remaining.get('q-alice/alice') ?? -1) <= 1000 - 250, 'granted bytes are not remaining');
    assert.equal(ends.get('q-staff/*'), Date.parse('2026-06-01T00:00:00Z') / 1000, 'Monthly in UTC ends on June 1st');

    // Cached: more usage is not visible until the cache ages out (no etcd read per scrape).
    await cp.ledger.sync({ quota: 'q-alice', member: 'alice' }, 0, { lease: 'p1#1', seq: 3, usedTotal: 500, want: 0, release: false });
    assert.equal(samples(await registry.metrics(), 'sockscale_quota_used_bytes').get('q-alice/alice'), 250, 'served from the cache');
    clock.t += 6000;
    assert.equal(samples(await registry.metrics(), 'sockscale_quota_used_bytes').get('q-alice/alice'), 500, 'read again after the cache aged out');

    // Fault injection (the memory ledger's list fails like an unreachable etcd): last values kept, one failure counted per read attempt.
    const backend = cp.ledger.backend;
    const list = backend.list.bind(backend);
    backend.list = () => Promise.reject(new Error('injected: etcd unreachable'));
    clock.t += 6000;
    const failed = await registry.metrics();
    assert.equal(samples(failed, 'sockscale_quota_used_bytes').get('q-alice/alice'), 500, 'last value kept');
    assert.equal(samples(failed, 'sockscale_quota_used_bytes').size, 4);
    assert.equal(counter(failed, 'sockscale_quota_status_read_failures_total'), 1, 'one failed read for the four gauges of a scrape');
    assert.equal(counter(await registry.metrics(), 'sockscale_quota_status_read_failures_total'), 1, 'not retried before maxAge');
    backend.list = list;
    clock.t += 6000;
    await cp.ledger.sync({ quota: 'q-alice', member: 'alice' }, 0, { lease: 'p1#1', seq: 4, usedTotal: 600, want: 0, release: true });
    assert.equal(samples(await registry.metrics(), 'sockscale_quota_used_bytes').get('q-alice/alice'), 600, 'recovered');

    // A deleted quota's series disappear.
    await store.delete([{ kind: 'SocksQuota', name: 'q-students' }]);
    const v = cp.publisher.snapshot?.snapshot.version ?? 0;
    for (let i = 0; i < 200 && (cp.publisher.snapshot?.snapshot.version ?? 0) <= v; i++) await new Promise((r) => setTimeout(r, 10));
    clock.t += 6000;
    assert.deepEqual([...samples(await registry.metrics(), 'sockscale_quota_limit_bytes').keys()].sort(), ['q-alice/alice', 'q-staff/*']);
  } finally {
    await cp.stop();
  }
});
