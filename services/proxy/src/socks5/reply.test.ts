import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeAddress } from './address';
import { hex } from './assert-parse';
import { Reply } from './constants';
import { encodeReply } from './reply';

describe('encodeReply (RFC 1928 section 6)', () => {
  for (const [name, rep] of Object.entries(Reply)) {
    it(`${name} (${rep}) with the default bound address 0.0.0.0:0`, () => {
      assert.deepEqual([...encodeReply(rep)], [5, rep, 0, 1, 0, 0, 0, 0, 0, 0]);
    });
  }

  const bound: [string, string, number, string][] = [
    ['IPv4', '192.0.2.10', 1080, '01 c000020a 0438'],
    ['IPv4 unspecified', '0.0.0.0', 0, '01 00000000 0000'],
    ['IPv6', '2001:db8::a', 443, '04 20010db800000000000000000000000a 01bb'],
    ['IPv6 upper-case', '2001:DB8::A', 443, '04 20010db800000000000000000000000a 01bb'],
    ['IPv6 unspecified', '::', 0, '04 00000000000000000000000000000000 0000'],
    ['IPv6 with a zone (dropped)', 'fe80::1%eth0', 1, '04 fe800000000000000000000000000001 0001'],
    ['IPv6 with a dotted tail', '64:ff9b::192.0.2.1', 80, '04 0064ff9b0000000000000000c0000201 0050'],
    ['IPv4-mapped IPv6 becomes IPv4', '::ffff:10.1.2.3', 65535, '01 0a010203 ffff'],
    ['IPv4-mapped IPv6 in hex becomes IPv4', '::ffff:a01:203', 80, '01 0a010203 0050'],
    ['IPv4-compatible IPv6 stays IPv6', '::10.1.2.3', 80, '04 0000000000000000000000000a010203 0050'],
    ['domain', 'proxy.example', 1080, `03 0d ${Buffer.from('proxy.example').toString('hex')} 0438`],
    ['not quite IPv4 is a domain', '1.2.3', 1, `03 05 ${Buffer.from('1.2.3').toString('hex')} 0001`],
    ['IPv4 with a leading zero is a domain (as net.isIPv4)', '01.2.3.4', 1, `03 08 ${Buffer.from('01.2.3.4').toString('hex')} 0001`],
    ['UTF-8 domain', 'bücher.example', 80, `03 0f ${Buffer.from('bücher.example').toString('hex')} 0050`],
  ];
  for (const [name, host, port, addr] of bound) {
    it(`bound ${name}: ${host}`, () => {
      assert.equal(encodeReply(Reply.Succeeded, { host, port }).toString('hex'), `050000${hex(addr).toString('hex')}`);
      assert.equal(encodeAddress(host, port).toString('hex'), hex(addr).toString('hex'));
    });
  }

  it('rejects ports that are not 0-65535', () => {
    for (const port of [-1, 65536, 1.5, Number.NaN]) {
      assert.throws(() => encodeReply(0, { host: '1.2.3.4', port }), { code: 'ERR_SOCKS_ENCODE_PORT' });
    }
  });

  it('rejects reply codes that are not a byte', () => {
    for (const rep of [-1, 256, 0.5]) assert.throws(() => encodeReply(rep), { code: 'ERR_SOCKS_ENCODE_BYTE' });
  });

  it('rejects hosts that cannot be a DOMAINNAME', () => {
    for (const host of ['', 'a b', 'tab\there', 'del\u007f', 'x'.repeat(256), 'é'.repeat(128), 'lone\ud800surrogate']) {
      assert.throws(() => encodeReply(0, { host, port: 1 }), { code: 'ERR_SOCKS_ENCODE_ADDRESS' }, JSON.stringify(host));
    }
  });

  it('accepts a 255-byte domain', () => {
    assert.equal(encodeReply(0, { host: 'x'.repeat(255), port: 1 }).length, 3 + 2 + 255 + 2);
  });
});
