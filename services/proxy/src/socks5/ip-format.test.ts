/**
 * The hand-written IPv4/IPv6 parsers and formatters agree with Node's own (`net.isIPv4`,
 * `net.isIPv6`, and the inet_ntop text `net.SocketAddress` reports).
 */
import assert from 'node:assert/strict';
import { isIPv4, isIPv6, SocketAddress } from 'node:net';
import { describe, it } from 'node:test';
import { Rng } from './fuzz-input';
import { formatIPv4Bytes, parseIPv4Literal } from './ipv4';
import { formatIPv6Bytes, parseIPv6Literal } from './ipv6';

function nodeIPv6Text(address: string): string | undefined {
  try {
    return new SocketAddress({ address, family: 'ipv6' }).address;
  } catch {
    return undefined;
  }
}

function groups(buf: Uint8Array): string {
  const words: string[] = [];
  for (let i = 0; i < 16; i += 2) words.push(((buf[i]! << 8) | buf[i + 1]!).toString(16));
  return words.join(':');
}

const SEED = 0x5eed1;

describe('IPv4 text', () => {
  it('formats bytes as a dotted quad', () => {
    assert.equal(formatIPv4Bytes(Uint8Array.from([0, 0, 0, 0]), 0), '0.0.0.0');
    assert.equal(formatIPv4Bytes(Uint8Array.from([9, 192, 168, 1, 254]), 1), '192.168.1.254');
    assert.equal(formatIPv4Bytes(Uint8Array.from([255, 255, 255, 255]), 0), '255.255.255.255');
  });

  it('parses what net.isIPv4 accepts and nothing else', () => {
    const table = ['0.0.0.0', '1.2.3.4', '255.255.255.255', '256.0.0.0', '01.2.3.4', '1.2.3', '1.2.3.4.5', '1..2.3', '', '.1.2.3', '1.2.3.', ' 1.2.3.4', '1.2.3.4 ', '1.2.3.-4', '1e1.2.3.4', '0x1.2.3.4', '999.1.1.1', '00.0.0.0'];
    for (const s of table) assert.equal(parseIPv4Literal(s) >= 0, isIPv4(s), JSON.stringify(s));
    const rng = new Rng(SEED);
    const pieces = ['0', '1', '9', '10', '99', '100', '199', '249', '255', '256', '300', '00', '01', '012', '1000', '', 'a', '-1'];
    for (let i = 0; i < 20_000; i++) {
      const n = rng.range(1, 5);
      const parts: string[] = [];
      for (let k = 0; k < n; k++) parts.push(rng.pick(pieces));
      const s = parts.join('.');
      assert.equal(parseIPv4Literal(s) >= 0, isIPv4(s), JSON.stringify(s));
    }
  });

  it('parse(format(bytes)) gives the bytes back', () => {
    const rng = new Rng(SEED);
    for (let i = 0; i < 10_000; i++) {
      const v = rng.u32();
      const b = Buffer.alloc(4);
      b.writeUInt32BE(v);
      assert.equal(parseIPv4Literal(formatIPv4Bytes(b, 0)), v);
    }
  });
});

describe('IPv6 text matches Node (RFC 5952 compression, inet_ntop IPv4 forms)', () => {
  const table: [string, string][] = [
    ['0:0:0:0:0:0:0:0', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['1:0:0:0:0:0:0:0', '1::'],
    ['2001:db8:0:0:0:0:2:1', '2001:db8::2:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero group stays
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // the longer run wins
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // on a tie, the first
    ['2001:DB8:0:0:0:0:0:ABCD', '2001:db8::abcd'], // lower-case
    ['0:0:0:0:0:ffff:c000:201', '::ffff:192.0.2.1'], // IPv4-mapped
    ['0:0:0:0:0:0:c000:201', '::192.0.2.1'], // IPv4-compatible, as inet_ntop prints it
    ['0:0:0:0:0:0:0:ffff', '::ffff'],
    ['0:0:0:0:0:0:1:0', '::0.1.0.0'],
    ['0:0:0:0:ffff:0:c000:201', '::ffff:0:c000:201'],
    ['0:0:0:0:0:1:c000:201', '::1:c000:201'],
    ['fe80:0:0:0:0:0:0:1', 'fe80::1'],
    ['0:1:0:1:0:1:0:1', '0:1:0:1:0:1:0:1'],
  ];
  for (const [input, expected] of table) {
    it(`${input} -> ${expected}`, () => {
      const b = new Uint8Array(16);
      assert.ok(parseIPv6Literal(input, b, 0));
      assert.equal(formatIPv6Bytes(b, 0), expected);
      assert.equal(nodeIPv6Text(input), expected);
    });
  }

  it('formats 20,000 random addresses exactly as Node does', () => {
    const rng = new Rng(SEED);
    const b = Buffer.alloc(16);
    for (let i = 0; i < 20_000; i++) {
      const zeroBias = rng.below(4) / 4; // from dense to mostly-zero, so every run shape appears
      for (let k = 0; k < 8; k++) {
        const w = rng.chance(zeroBias) ? 0 : rng.pick([1, 0xffff, rng.u32() & 0xffff, rng.u32() & 0xff]);
        b.writeUInt16BE(w, 2 * k);
      }
      if (rng.chance(0.1)) b.fill(0, 0, 10).writeUInt16BE(0xffff, 10);
      const full = groups(b);
      assert.equal(formatIPv6Bytes(b, 0), nodeIPv6Text(full), full);
    }
  });

  it('parses exactly what Node parses, to the same address', () => {
    const rng = new Rng(SEED);
    const pieces = ['0', '1', 'ffff', 'FFFF', 'abcd', '0db8', '12345', '00000', 'g', '', '1.2.3.4', '01.2.3.4', '255.255.255.255', '256.1.1.1', '1.2.3'];
    const out = new Uint8Array(16);
    let accepted = 0;
    for (let i = 0; i < 30_000; i++) {
      const n = rng.range(1, 9);
      const parts: string[] = [];
      for (let k = 0; k < n; k++) parts.push(rng.pick(pieces));
      let s = parts.join(':');
      if (rng.chance(0.4)) {
        const at = rng.below(s.length + 1);
        s = `${s.slice(0, at)}::${s.slice(at)}`;
      }
      const mine = parseIPv6Literal(s, out, 0);
      assert.equal(mine, isIPv6(s), JSON.stringify(s));
      const node = nodeIPv6Text(s);
      assert.equal(mine, node !== undefined, JSON.stringify(s));
      if (mine) {
        accepted++;
        assert.equal(formatIPv6Bytes(out, 0), node, JSON.stringify(s));
      }
    }
    assert.ok(accepted > 500, `only ${accepted} valid addresses generated`);
  });

  it('leaves the output untouched on failure', () => {
    const out = new Uint8Array(16).fill(7);
    for (const s of ['', ':', ':::', '1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7:8::', '12345::', '::1.2.3', 'fe80::1%', 'g::']) {
      assert.equal(parseIPv6Literal(s, out, 0), false, s);
    }
    assert.deepEqual([...out], new Array<number>(16).fill(7));
  });
});
