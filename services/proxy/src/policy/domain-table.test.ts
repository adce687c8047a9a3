import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DomainSuffixTable, normalizeDomain } from './domain-table';

function table(...names: string[]): DomainSuffixTable<string> {
  const t = new DomainSuffixTable<string>();
  for (const n of names) t.upsert(n, (name) => name);
  return t;
}

function find(t: DomainSuffixTable<string>, domain: string): string {
  const hit = t.lookup(domain);
  if (hit < 0) return 'none';
  return `${(hit & 1) === 1 ? 'exact' : 'below'}:${t.valueAt(hit >>> 1)}`;
}

it('stores every label suffix', () => {
  const t = table('a.b.example.com');
  assert.equal(t.size, 4);
  for (const n of ['a.b.example.com', 'b.example.com', 'example.com', 'com']) assert.equal(t.get(n), n);
  assert.equal(t.parentOf('a.b.example.com'), 'b.example.com');
  assert.equal(t.parentOf('com'), undefined);
  assert.deepEqual(
    t.entries().map(([n]) => n),
    ['com', 'example.com', 'b.example.com', 'a.b.example.com'],
  );
});

it('finds the longest stored suffix, case-insensitively, ignoring one trailing dot', () => {
  const t = table('example.com', 'x.example.org');
  assert.equal(find(t, 'example.com'), 'exact:example.com');
  assert.equal(find(t, 'EXAMPLE.Com.'), 'exact:example.com');
  assert.equal(find(t, 'a.example.com'), 'below:example.com');
  assert.equal(find(t, 'a.b.example.com'), 'below:example.com');
  assert.equal(find(t, 'badexample.com'), 'below:com');
  assert.equal(find(t, 'example.org'), 'exact:example.org');
  assert.equal(find(t, 'y.example.org'), 'below:example.org');
  assert.equal(find(t, 'a.x.example.org'), 'below:x.example.org');
  assert.equal(find(t, 'example.net'), 'none');
  assert.equal(find(t, 'example.com..'), 'none');
  assert.equal(find(t, ''), 'none');
  assert.equal(find(t, '.'), 'none');
  assert.equal(find(t, '.example.com'), 'below:example.com');
  assert.equal(find(new DomainSuffixTable<string>(), 'example.com'), 'none');
});

it('survives many names (hash collisions, growth)', () => {
  const t = new DomainSuffixTable<string>();
  for (let i = 0; i < 5000; i++) t.upsert(`host-${i}.zone-${i % 37}.example`, (n) => n);
  for (let i = 0; i < 5000; i++) {
    assert.equal(find(t, `HOST-${i}.zone-${i % 37}.example`), `exact:host-${i}.zone-${i % 37}.example`);
    assert.equal(find(t, `x.host-${i}.zone-${i % 37}.example`), `below:host-${i}.zone-${i % 37}.example`);
    assert.equal(find(t, `host-${i}.zone-${(i + 1) % 37}.example`), `below:zone-${(i + 1) % 37}.example`);
  }
});

it('normalizeDomain lower-cases ASCII and drops one trailing dot', () => {
  assert.equal(normalizeDomain('WWW.Example.COM.'), 'www.example.com');
  assert.equal(normalizeDomain('a..'), 'a.');
  assert.equal(normalizeDomain('ÄB.example'), 'Äb.example');
});
