import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseCidr, parseIp, type Cidr } from '@sockscale/common';
import { SPECIAL_RANGES, isSpecialIp, namesSpecialRange, specialRangesOf } from './special-ranges';

const ip = (s: string): NonNullable<ReturnType<typeof parseIp>> => {
  const p = parseIp(s);
  if (p === undefined) throw new Error(s);
  return p;
};
const cidr = (s: string): Cidr => parseCidr(s) as Cidr;

it('the table has the documented ranges', () => {
  assert.equal(SPECIAL_RANGES.length, 16);
  assert.ok(Object.isFrozen(SPECIAL_RANGES));
  assert.deepEqual(
    [...new Set(SPECIAL_RANGES.map((r) => r.name))],
    ['loopback', 'unspecified', 'private', 'link-local', 'cloud-metadata', 'multicast-broadcast'],
  );
});

it('classifies addresses', () => {
  const cases: [string, string[]][] = [
    ['127.0.0.1', ['loopback']],
    ['::ffff:127.0.0.1', ['loopback']],
    ['::1', ['loopback']],
    ['0.1.2.3', ['unspecified']],
    ['::', ['unspecified']],
    ['10.255.0.1', ['private']],
    ['172.31.255.255', ['private']],
    ['172.32.0.0', []],
    ['192.168.0.1', ['private']],
    ['100.127.255.255', ['private']],
    ['100.128.0.0', []],
    ['fd12::1', ['private']],
    ['169.254.169.254', ['link-local', 'cloud-metadata']],
    ['fd00:ec2::254', ['private', 'cloud-metadata']],
    ['fe80::1', ['link-local']],
    ['febf::1', ['link-local']],
    ['fec0::1', []],
    ['224.0.0.1', ['multicast-broadcast']],
    ['255.255.255.255', ['multicast-broadcast']],
    ['ff02::1', ['multicast-broadcast']],
    ['8.8.8.8', []],
    ['2001:db8::1', []],
  ];
  for (const [text, names] of cases) {
    assert.deepEqual(specialRangesOf(ip(text)), names, text);
    assert.equal(isSpecialIp(ip(text)), names.length > 0, text);
  }
});

it('namesSpecialRange: the CIDR lies entirely inside one special range', () => {
  for (const c of ['127.0.0.1/32', '10.0.0.0/8', '10.1.0.0/16', '169.254.169.254/32', '::1/128', 'fd00::/8', '240.0.0.0/4']) assert.ok(namesSpecialRange(cidr(c)), c);
  for (const c of ['0.0.0.0/0', '::/0', '8.0.0.0/6', '126.0.0.0/7', '172.0.0.0/8', '8.8.8.8/32', 'fc00::/6']) assert.ok(!namesSpecialRange(cidr(c)), c);
});
