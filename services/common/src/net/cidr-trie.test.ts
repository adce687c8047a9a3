import assert from 'node:assert/strict';
import { it } from 'node:test';
import { CidrTrie } from './cidr-trie';
import { cidrContains, parseCidr, parseIp, type Cidr, type ParsedIp } from './ip';

const cidr = (s: string): Cidr => parseCidr(s) as Cidr;
const ip = (s: string): ParsedIp => parseIp(s) as ParsedIp;

function build(family: 4 | 6, prefixes: string[]): CidrTrie<string> {
  const t = new CidrTrie<string>(family);
  for (const p of prefixes) t.upsert(cidr(p), () => p);
  return t;
}

/** Longest prefix containing `a`, by brute force. */
function brute(prefixes: string[], a: ParsedIp): string | undefined {
  let best: string | undefined;
  let len = -1;
  for (const p of prefixes) {
    const c = cidr(p);
    if (cidrContains(c, a) && c.prefix > len) {
      best = p;
      len = c.prefix;
    }
  }
  return best;
}

it('longest-prefix match, IPv4', () => {
  const prefixes = ['0.0.0.0/0', '10.0.0.0/8', '10.1.0.0/16', '10.1.2.3/32', '192.168.0.0/16', '128.0.0.0/1'];
  const t = build(4, prefixes);
  assert.equal(t.size, 6);
  for (const a of ['10.1.2.3', '10.1.2.4', '10.2.0.0', '11.0.0.0', '192.168.255.255', '200.1.1.1', '127.0.0.1']) {
    assert.equal(t.match(ip(a)), brute(prefixes, ip(a)), a);
  }
  assert.equal(build(4, ['10.0.0.0/8']).matchV4(0x0b000000), undefined);
  assert.equal(t.match(ip('::1')), undefined);
});

it('longest-prefix match, IPv6', () => {
  const prefixes = ['::/0', '::1/128', '2001:db8::/32', '2001:db8:1::/48', 'fe80::/10', '8000::/1', '2001:db8:1::ffff:ffff/128'];
  const t = build(6, prefixes);
  for (const a of ['::1', '::2', '2001:db8::1', '2001:db8:1::1', '2001:db8:1::ffff:ffff', '2001:db8:1::ffff:fffe', 'fe80::1', 'febf::1', 'ff02::1']) {
    assert.equal(t.match(ip(a)), brute(prefixes, ip(a)), a);
  }
});

it('upsert / get / walk', () => {
  const t = new CidrTrie<{ p: string; parent?: string }>(4);
  for (const p of ['10.1.0.0/16', '10.0.0.0/8', '10.1.2.0/24', '11.0.0.0/8']) t.upsert(cidr(p), () => ({ p }));
  assert.equal(t.upsert(cidr('10.0.0.0/8'), () => ({ p: 'dup' })).p, '10.0.0.0/8');
  assert.equal(t.get(cidr('10.1.0.0/16'))?.p, '10.1.0.0/16');
  assert.equal(t.get(cidr('10.2.0.0/16')), undefined);
  const order: string[] = [];
  t.walk((v, parent, prefix) => {
    v.parent = parent?.p;
    order.push(`${v.p}<${parent?.p ?? '-'}>${prefix}`);
  });
  assert.deepEqual(order, ['10.0.0.0/8<->8', '10.1.0.0/16<10.0.0.0/8>16', '10.1.2.0/24<10.1.0.0/16>24', '11.0.0.0/8<->8']);
  assert.throws(() => t.upsert(cidr('::/0'), () => ({ p: 'x' })), TypeError);
});

it('agrees with brute force on random prefixes (growth beyond the initial arrays)', () => {
  let seed = 12345;
  const rand = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed;
  };
  const prefixes: string[] = [];
  for (let i = 0; i < 300; i++) {
    const a = rand() & 0x0fffffff;
    prefixes.push(`${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}/${rand() % 33}`.replace(/\/(\d+)$/, (m, p: string) => `/${Math.max(4, Number(p))}`));
  }
  const normalized = prefixes.map((p) => {
    const c = cidr(p);
    const v = c.value as number;
    return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}/${c.prefix}`;
  });
  const t = build(4, normalized);
  for (let i = 0; i < 3000; i++) {
    const v = rand() & 0x0fffffff;
    const a = ip(`${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`);
    assert.equal(t.match(a), brute(normalized, a));
  }
});
