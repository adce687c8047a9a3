import assert from 'node:assert/strict';
import { it } from 'node:test';
import { CidrTrie, parseCidr, parseIp, type Cidr } from '@sockscale/common';
import { V4RangeTable, V6RangeTable } from './prefix-range-table';
import { Prng } from './prng';

function v6Words(v: bigint): [number, number, number, number] {
  return [Number((v >> 96n) & 0xffffffffn), Number((v >> 64n) & 0xffffffffn), Number((v >> 32n) & 0xffffffffn), Number(v & 0xffffffffn)];
}

it('IPv4 range table answers like the trie (signed or unsigned addresses)', () => {
  const rng = new Prng(3);
  for (let round = 0; round < 60; round++) {
    const trie = new CidrTrie<string>(4);
    const prefixes: Cidr[] = [];
    const count = rng.int(0, round < 30 ? 10 : 3000);
    for (let i = 0; i < count; i++) {
      const c = parseCidr(`${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(0, 255)}/${rng.int(0, 32)}`) as Cidr;
      prefixes.push(c);
      trie.upsert(c, () => `${c.value}/${c.prefix}`);
    }
    const table = new V4RangeTable(trie, prefixes, 'none');
    assert.ok(table.rangeCount <= 2 * prefixes.length + 1);
    const probes = [0, 0xffffffff, 0x80000000, 0x7fffffff];
    for (const c of prefixes) probes.push(c.value as number, ((c.value as number) + 2 ** (32 - c.prefix)) % 2 ** 32, ((c.value as number) + 2 ** 32 - 1) % 2 ** 32);
    for (let i = 0; i < 500; i++) probes.push(rng.u32());
    for (const a of probes) {
      const want = trie.matchV4(a) ?? 'none';
      assert.equal(table.match(a), want, String(a));
      assert.equal(table.match(a | 0), want, `signed ${a}`);
    }
  }
});

it('IPv6 range table answers like the trie', () => {
  const rng = new Prng(4);
  const bases = ['::', '::1', 'fe80::', '2001:db8::', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'fd00:ec2::254', '8000::'];
  for (let round = 0; round < 40; round++) {
    const trie = new CidrTrie<string>(6);
    const prefixes: Cidr[] = [];
    for (let i = rng.int(0, 200); i > 0; i--) {
      const c = parseCidr(`${rng.pick(bases)}/${rng.int(0, 128)}`) as Cidr;
      prefixes.push(c);
      trie.upsert(c, () => `${c.value}/${c.prefix}`);
    }
    const table = new V6RangeTable(trie, prefixes, 'none');
    const probes: bigint[] = [0n, (1n << 128n) - 1n, 1n << 127n];
    for (const c of prefixes) {
      const size = 1n << BigInt(128 - c.prefix);
      probes.push(c.value as bigint, ((c.value as bigint) + size) % (1n << 128n), ((c.value as bigint) + size - 1n) % (1n << 128n), ((c.value as bigint) - 1n + (1n << 128n)) % (1n << 128n));
    }
    for (const b of bases) probes.push((parseIp(b) as { value: bigint }).value);
    for (const v of probes) {
      const [w0, w1, w2, w3] = v6Words(v);
      const want = trie.matchV6(w0, w1, w2, w3) ?? 'none';
      assert.equal(table.match(w0, w1, w2, w3), want, v.toString(16));
      assert.equal(table.match(w0 | 0, w1 | 0, w2 | 0, w3 | 0), want, `signed ${v.toString(16)}`);
    }
  }
});
