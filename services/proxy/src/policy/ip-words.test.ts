import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseIp } from '@sockscale/common';
import { parseIpWords } from './ip-words';
import { Prng } from './prng';

function viaWords(s: string): string {
  const out = new Uint32Array(4);
  const family = parseIpWords(s, out);
  if (family === 0) return 'invalid';
  if (family === 4) return `4:${out[0]}`;
  const v = (BigInt(out[0] as number) << 96n) | (BigInt(out[1] as number) << 64n) | (BigInt(out[2] as number) << 32n) | BigInt(out[3] as number);
  return `6:${v}`;
}

function viaParseIp(s: string): string {
  const ip = parseIp(s);
  return ip === undefined ? 'invalid' : `${ip.family}:${ip.value}`;
}

it('parses the usual spellings', () => {
  const cases: [string, string][] = [
    ['127.0.0.1', `4:${0x7f000001}`],
    ['0.0.0.0', '4:0'],
    ['255.255.255.255', `4:${0xffffffff}`],
    ['::', '6:0'],
    ['::1', '6:1'],
    ['1::', `6:${1n << 112n}`],
    ['fe80::1%eth0', `6:${(0xfe80n << 112n) | 1n}`],
    ['::ffff:127.0.0.1', `4:${0x7f000001}`],
    ['::ffff:7f00:1', `4:${0x7f000001}`],
    ['0:0:0:0:0:FFFF:7F00:0001', `4:${0x7f000001}`],
    ['2001:DB8::1', `6:${(0x20010db8n << 96n) | 1n}`],
    ['01.2.3.4', 'invalid'],
    ['1.2.3', 'invalid'],
    ['1.2.3.4.', 'invalid'],
    ['256.1.1.1', 'invalid'],
    ['0x7f.1', 'invalid'],
    ['1:2:3:4:5:6:7:8:9', 'invalid'],
    ['1::2::3', 'invalid'],
    [':1::', 'invalid'],
    ['12345::', 'invalid'],
    ['', 'invalid'],
  ];
  for (const [text, expected] of cases) {
    assert.equal(viaWords(text), expected, text);
    assert.equal(viaParseIp(text), expected, `parseIp ${text}`);
  }
});

it('agrees with parseIp on random address-like strings', () => {
  const rng = new Prng(42);
  const alphabet = ['0', '1', '9', 'a', 'F', 'f', ':', ':', ':', '.', '.', '%', '255', '256', 'ffff', '00', '1234', '12345', 'g'];
  for (let i = 0; i < 200000; i++) {
    let s = '';
    const r = rng.next();
    if (r < 0.3) {
      const n = rng.int(1, 8);
      const parts = Array.from({ length: n }, () => (rng.chance(0.2) ? '' : rng.int(0, 0xffff).toString(16)));
      s = parts.join(':');
      if (rng.chance(0.3)) s = `${rng.chance(0.5) ? '::' : ''}${s}${rng.chance(0.5) ? '::' : ''}`;
      if (rng.chance(0.1)) s += `:${rng.int(0, 300)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(0, 255)}`;
    } else if (r < 0.5) {
      s = Array.from({ length: rng.int(3, 5) }, () => String(rng.int(0, rng.chance(0.9) ? 255 : 999))).join('.');
      if (rng.chance(0.05)) s = `0${s}`;
    } else {
      const n = rng.int(0, 16);
      for (let k = 0; k < n; k++) s += rng.pick(alphabet);
    }
    if (rng.chance(0.05)) s = s.toUpperCase();
    assert.equal(viaWords(s), viaParseIp(s), JSON.stringify(s));
  }
});
