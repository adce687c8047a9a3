import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Snapshot__Output } from '@sockscale/common';
import { acceptSnapshot } from './accept-snapshot';

const HASH = '$scrypt$ln=4,r=8,p=1$c2FsdHNhbHRzYWx0$MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI=';

function snap(version: number, objects: { kind: string; name: string; spec: unknown; specJson?: string }[]): Snapshot__Output {
  return {
    version,
    objects: objects.map((o) => ({ apiVersion: 'sockscale.io/v1alpha1', kind: o.kind, name: o.name, generation: version, specJson: o.specJson ?? JSON.stringify(o.spec), labels: {} })),
  };
}

const policy = (name: string, rules: number) => ({
  kind: 'SocksPolicy',
  name,
  spec: { subjects: { anonymous: true }, rules: Array.from({ length: rules }, () => ({ action: 'Allow', ports: ['80'] })) },
});

test('a valid snapshot becomes a PolicySnapshot with the version and generations', () => {
  const r = acceptSnapshot(snap(7, [policy('p', 2), { kind: 'SocksUser', name: 'u', spec: { groups: ['g'], password: { hash: HASH } } }]), { maxRules: 10 });
  assert.ok('snapshot' in r, JSON.stringify(r));
  assert.equal(r.snapshot.version, 7);
  assert.deepEqual(r.snapshot.users.map((u) => [u.metadata.name, u.metadata.generation]), [['u', 7]]);
  assert.equal(r.snapshot.policies[0]?.spec.rules.length, 2);
});

test('every reason to NACK is named', () => {
  const cases: [Snapshot__Output, RegExp][] = [
    [snap(3, [policy('p', 11)]), /11 rules; this proxy accepts at most 10 \(--max-policy-rules\)/],
    [snap(3, [{ kind: 'SocksUser', name: 'u', spec: { groups: [], password: { value: 'plain' } } }]), /SocksUser\/u: spec\.password\.value: .*plain/i],
    [snap(3, [{ kind: 'SocksPolicy', name: 'p', spec: null, specJson: '{broken' }]), /SocksPolicy\/p: spec: spec_json is not JSON/],
    [snap(3, [policy('p', 1), policy('p', 1)]), /SocksPolicy\/p: metadata\.name: duplicate object in snapshot/],
    [snap(3, [{ kind: 'SocksQuotum', name: 'q', spec: {} }]), /SocksQuotum\/q: kind/],
    [snap(0, [policy('p', 1)]), /version: must be a positive integer/],
  ];
  for (const [s, want] of cases) {
    const r = acceptSnapshot(s, { maxRules: 10 });
    assert.ok('error' in r, `expected a NACK for ${want}`);
    assert.match(r.error, want);
  }
});
