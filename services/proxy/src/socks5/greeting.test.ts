import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertError, assertMessage, assertRejectedAt, hex } from './assert-parse';
import { Method } from './constants';
import { encodeMethodSelection, parseGreeting } from './greeting';
import { SocksErrorCode } from './parse-result';

describe('parseGreeting (RFC 1928 section 3)', () => {
  const valid: [string, string, number[]][] = [
    ['NO AUTHENTICATION REQUIRED only', '05 01 00', [0]],
    ['USERNAME/PASSWORD only', '05 01 02', [2]],
    ['curl-style offer', '05 02 00 02', [0, 2]],
    ['GSSAPI, private and reserved values pass through', '05 04 01 02 80 fe', [1, 2, 0x80, 0xfe]],
    ['NO ACCEPTABLE METHODS offered as a method', '05 01 ff', [0xff]],
    ['duplicates kept in order', '05 03 02 00 02', [2, 0, 2]],
  ];
  for (const [name, bytes, methods] of valid) {
    it(name, () => assertMessage(parseGreeting, hex(bytes), { methods: Uint8Array.from(methods) }));
  }

  it('255 methods, the maximum', () => {
    const methods = Array.from({ length: 255 }, (_, i) => i);
    assertMessage(parseGreeting, Buffer.from([5, 255, ...methods]), { methods: Uint8Array.from(methods) });
  });

  it('methods are a copy, not a view of the input', () => {
    const buf = hex('05 02 00 02');
    const r = parseGreeting(buf);
    assert.equal(r.status, 'ok');
    buf[2] = 9;
    assert.deepEqual(r.status === 'ok' ? [...r.value.methods] : [], [0, 2]);
  });

  for (const [name, first] of [
    ['SOCKS4', 0x04],
    ['zero', 0x00],
    ['RFC 1929 version byte', 0x01],
    ['TLS ClientHello', 0x16],
    ['HTTP GET', 0x47],
    ['HTTP CONNECT', 0x43],
    ['0xff', 0xff],
  ] as const) {
    it(`wrong VER (${name}) is rejected on the first byte with no reply`, () => {
      assertRejectedAt(parseGreeting, Buffer.from([first, 1, 0]), 1, SocksErrorCode.Version);
    });
  }

  it('NMETHODS = 0 is rejected with NO ACCEPTABLE METHODS as the reply', () => {
    assertRejectedAt(parseGreeting, hex('05 00 00 02'), 2, SocksErrorCode.NoMethods, '05 ff');
  });

  it('empty input is incomplete', () => {
    assert.equal(parseGreeting(Buffer.alloc(0)).status, 'incomplete');
  });

  it('a truncated method list stays incomplete', () => {
    assert.equal(parseGreeting(hex('05 05 00 01 02 03')).status, 'incomplete');
  });

  it('reports the error code table value', () => {
    assertError(parseGreeting(hex('04 01 00')), 'ERR_SOCKS_VERSION');
  });
});

describe('encodeMethodSelection', () => {
  it('encodes VER METHOD for every method', () => {
    for (const m of Object.values(Method)) assert.deepEqual([...encodeMethodSelection(m)], [5, m]);
  });

  it('rejects values that are not a byte', () => {
    for (const bad of [-1, 256, 1.5, Number.NaN]) {
      assert.throws(() => encodeMethodSelection(bad), { code: 'ERR_SOCKS_ENCODE_BYTE' });
    }
  });
});
