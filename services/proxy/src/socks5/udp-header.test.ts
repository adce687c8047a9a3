import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SocksAddress } from './address';
import { assertError, assertOk, hex } from './assert-parse';
import { SocksErrorCode } from './parse-result';
import { encodeUdpHeader, parseUdpHeader } from './udp-header';

const HEADERS: [string, string, SocksAddress, number][] = [
  ['IPv4', '01 08080808 0035', { type: 'ipv4', host: '8.8.8.8' }, 53],
  ['IPv6', '04 20014860486000000000000000008888 0035', { type: 'ipv6', host: '2001:4860:4860::8888' }, 53],
  ['IPv4-mapped IPv6', '04 00000000000000000000ffffc0000201 0035', { type: 'ipv6', host: '::ffff:192.0.2.1' }, 53],
  ['domain', `03 0b ${Buffer.from('example.com').toString('hex')} 0035`, { type: 'domain', host: 'example.com' }, 53],
];

describe('parseUdpHeader (RFC 1928 section 7)', () => {
  for (const [name, addr, address, port] of HEADERS) {
    for (const payload of ['', 'deadbeef']) {
      it(`${name} with ${payload === '' ? 'no' : 'a'} payload`, () => {
        const header = hex(`0000 00 ${addr}`);
        const r = assertOk(parseUdpHeader(Buffer.concat([header, hex(payload)])));
        assert.deepEqual(r.value, { frag: 0, address, port, dataOffset: header.length });
        assert.equal(r.consumed, header.length);
      });
    }

    it(`${name}: every truncation of the header is ERR_SOCKS_UDP_TRUNCATED, never incomplete`, () => {
      const header = hex(`0000 00 ${addr}`);
      for (let k = 0; k < header.length; k++) assertError(parseUdpHeader(header.subarray(0, k)), SocksErrorCode.UdpTruncated);
    });
  }

  it('reports FRAG as sent, for the caller to drop fragments', () => {
    for (const frag of [1, 0x7f, 0x80, 0xff]) {
      const r = assertOk(parseUdpHeader(hex(`0000 ${frag.toString(16).padStart(2, '0')} 01 7f000001 0035 00`)));
      assert.equal(r.value.frag, frag);
    }
  });

  it('tolerates a non-zero RSV', () => {
    assertOk(parseUdpHeader(hex('ffff 00 01 7f000001 0035')));
  });

  for (const atyp of [0, 2, 5, 0xff]) {
    it(`unknown ATYP ${atyp} is ERR_SOCKS_ATYP with no reply`, () => {
      assertError(parseUdpHeader(hex(`0000 00 ${atyp.toString(16).padStart(2, '0')} 7f000001 0035`)), SocksErrorCode.AddressType);
      assertError(parseUdpHeader(Buffer.from([0, 0, 0, atyp])), SocksErrorCode.AddressType);
    });
  }

  it('an empty domain is ERR_SOCKS_DOMAIN', () => {
    assertError(parseUdpHeader(hex('0000 00 03 00 0035')), SocksErrorCode.Domain);
    assertError(parseUdpHeader(hex('0000 00 03 00')), SocksErrorCode.Domain);
  });

  it('a domain with a control byte or invalid UTF-8 is ERR_SOCKS_DOMAIN', () => {
    for (const bad of ['61 00 62', '20', '7f', 'c3', 'ed a0 80']) {
      const name = hex(bad);
      const buf = Buffer.concat([hex('0000 00 03'), Buffer.from([name.length]), name, hex('0035 ff')]);
      assertError(parseUdpHeader(buf), SocksErrorCode.Domain);
    }
  });

  it('a domain longer than the datagram is ERR_SOCKS_UDP_TRUNCATED', () => {
    assertError(parseUdpHeader(hex('0000 00 03 10 6161 0035')), SocksErrorCode.UdpTruncated);
  });
});

describe('encodeUdpHeader', () => {
  for (const [name, addr, address, port] of HEADERS) {
    if (name === 'IPv4-mapped IPv6') continue;
    it(`${name}: RSV RSV FRAG=0 ATYP ADDR PORT`, () => {
      assert.equal(encodeUdpHeader(address.host, port).toString('hex'), hex(`0000 00 ${addr}`).toString('hex'));
    });
  }

  it('an IPv4-mapped source address is sent as IPv4', () => {
    assert.equal(encodeUdpHeader('::ffff:192.0.2.1', 53).toString('hex'), hex('0000 00 01 c0000201 0035').toString('hex'));
  });
});
