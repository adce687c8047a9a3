import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isIPv4, isIPv6 } from 'node:net';
import { cidrContains, cidrWithin, normalizeIp, parseCidr, parseIPv4, parseIp, type Cidr } from './ip';

test('parseIPv4 accepts exactly what net.isIPv4 accepts, with the right value', () => {
  const fixed = ['0.0.0.0', '255.255.255.255', '1.2.3.4', '10.0.0.1', '01.2.3.4', '1.2.3.04', '1.2.3.00', '256.1.1.1', '1.2.3.256', '1.2.3', '1.2.3.4.5', '1..3.4', '.1.2.3', '1.2.3.', ' 1.2.3.4', '1.2.3.4 ', '1.2.3.-4', '1.2.3.4a', '', '1234.1.1.1', '1.2.3.999', '199.249.230.1', '100.100.100.100'];
  let seed = 7;
  const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % n;
  const alphabet = '0123456789..a ';
  const random = Array.from({ length: 20000 }, () => Array.from({ length: 1 + rnd(16) }, () => alphabet[rnd(alphabet.length)]).join(''));
  const quads = Array.from({ length: 2000 }, () => [rnd(300), rnd(300), rnd(300), rnd(300)].join('.'));
  for (const s of [...fixed, ...random, ...quads]) {
    const v = parseIPv4(s);
    assert.equal(v !== undefined, isIPv4(s), s);
    if (v !== undefined) {
      assert.equal(v, s.split('.').reduce((a, p) => a * 256 + Number(p), 0), s);
      assert.equal(normalizeIp(s), s);
    }
  }
});

test('normalizeIp gives one spelling per address', () => {
  const cases: [string, string | undefined][] = [
    ['127.0.0.1', '127.0.0.1'],
    ['::ffff:127.0.0.1', '127.0.0.1'],
    ['::FFFF:7f00:1', '127.0.0.1'],
    ['0000:0000:0000:0000:0000:0000:0000:0001', '::1'],
    ['2001:DB8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ['1:0:2:3:4:5:6:7', '1:0:2:3:4:5:6:7'],
    ['::', '::'],
    ['localhost', undefined],
    ['1.2.3', undefined],
    ['1.2.3.256', undefined],
  ];
  for (const [input, want] of cases) assert.equal(normalizeIp(input), want, input);
});

test('normalized IPv6 is valid and round-trips through parseIp', () => {
  let x = 0x9e3779b97f4a7c15n;
  for (let i = 0; i < 2000; i++) {
    x = (x * 6364136223846793005n + 1442695040888963407n) & ((1n << 128n) - 1n);
    // Zero out random groups to exercise :: placement.
    let v = x;
    for (let g = 0; g < 8; g++) if (((x >> BigInt(g * 7)) & 1n) === 1n) v &= ~(0xffffn << BigInt(g * 16));
    const text = normalizeIp(v.toString(16).padStart(32, '0').replace(/(.{4})(?!$)/g, '$1:'));
    assert.ok(text !== undefined && isIPv6(text) || /^\d+\.\d+\.\d+\.\d+$/.test(text ?? ''), String(text));
    const back = parseIp(text as string);
    assert.ok(back !== undefined);
  }
});

test('parseCidr, cidrContains and cidrWithin', () => {
  const c = parseCidr('10.1.0.0/16') as Cidr;
  assert.equal(cidrContains(c, parseIp('10.1.255.3')!), true);
  assert.equal(cidrContains(c, parseIp('10.2.0.1')!), false);
  assert.equal(cidrContains(parseCidr('0.0.0.0/0') as Cidr, parseIp('::ffff:1.2.3.4')!), true);
  assert.equal(cidrContains(parseCidr('::/0') as Cidr, parseIp('1.2.3.4')!), false);
  assert.equal(cidrWithin(parseCidr('127.0.0.0/16') as Cidr, parseCidr('127.0.0.0/8') as Cidr), true);
  assert.equal(cidrWithin(parseCidr('0.0.0.0/0') as Cidr, parseCidr('127.0.0.0/8') as Cidr), false);
  assert.match(parseCidr('10.0.0.0/33') as string, /prefix/);
  assert.match(parseCidr('example.com') as string, /not an IPv4 or IPv6/);
});
