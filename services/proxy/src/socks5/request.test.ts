import { describe, it } from 'node:test';
import type { SocksAddress } from './address';
import { assertMessage, assertRejectedAt, hex } from './assert-parse';
import { Command } from './constants';
import { SocksErrorCode } from './parse-result';
import { parseRequest } from './request';

/** VER CMD RSV + ATYP/ADDR/PORT given in hex. */
function request(cmd: number, addressHex: string, rsv = 0): Buffer {
  return Buffer.concat([Buffer.from([5, cmd, rsv]), hex(addressHex)]);
}

function domain(name: Buffer | string): string {
  const b = typeof name === 'string' ? Buffer.from(name) : name;
  return `03 ${b.length.toString(16).padStart(2, '0')} ${b.toString('hex')}`;
}

/** ATYP ADDR PORT in hex, the address it parses to, and the port. */
const ADDRESSES: [string, string, SocksAddress, number][] = [
  ['IPv4', '01 7f 00 00 01 00 50', { type: 'ipv4', host: '127.0.0.1' }, 80],
  ['IPv4 all zeros, port 0', '01 00 00 00 00 00 00', { type: 'ipv4', host: '0.0.0.0' }, 0],
  ['IPv4 broadcast, port 65535', '01 ff ff ff ff ff ff', { type: 'ipv4', host: '255.255.255.255' }, 65535],
  ['IPv6 loopback', '04 00000000000000000000000000000001 01 bb', { type: 'ipv6', host: '::1' }, 443],
  ['IPv6 unspecified', '04 00000000000000000000000000000000 00 35', { type: 'ipv6', host: '::' }, 53],
  ['IPv6 documentation prefix', '04 20010db8000000000000000000000001 1f 90', { type: 'ipv6', host: '2001:db8::1' }, 8080],
  ['IPv6 without a zero run', '04 20010db8000100020003000400050006 00 16', { type: 'ipv6', host: '2001:db8:1:2:3:4:5:6' }, 22],
  ['IPv6 one zero group is not compressed', '04 20010db8000000010001000100010001 00 16', { type: 'ipv6', host: '2001:db8:0:1:1:1:1:1' }, 22],
  ['IPv6 first of two equal runs compressed', '04 20010000000000010000000000010001 00 16', { type: 'ipv6', host: '2001::1:0:0:1:1' }, 22],
  ['IPv6 longest run compressed', '04 20010000000000010000000000000001 00 16', { type: 'ipv6', host: '2001:0:0:1::1' }, 22],
  ['IPv6 upper-case input is lower-cased', '04 fe80000000000000abcdef0000000001 00 16', { type: 'ipv6', host: 'fe80::abcd:ef00:0:1' }, 22],
  ['IPv4-mapped IPv6 as Node prints it', '04 00000000000000000000ffff01020304 00 50', { type: 'ipv6', host: '::ffff:1.2.3.4' }, 80],
  ['domain', `${domain('example.com')} 00 50`, { type: 'domain', host: 'example.com' }, 80],
  ['domain keeps case', `${domain('ExAmPle.COM')} 01 bb`, { type: 'domain', host: 'ExAmPle.COM' }, 443],
  ['one-byte domain', `${domain('a')} 00 50`, { type: 'domain', host: 'a' }, 80],
  ['UTF-8 domain', `${domain('bücher.example')} 00 50`, { type: 'domain', host: 'bücher.example' }, 80],
  ['IP literal sent as a domain stays a domain', `${domain('10.0.0.1')} 00 50`, { type: 'domain', host: '10.0.0.1' }, 80],
  ['255-byte domain, the maximum', `${domain('a'.repeat(251) + '.com')} 00 50`, { type: 'domain', host: `${'a'.repeat(251)}.com` }, 80],
];

describe('parseRequest (RFC 1928 section 4)', () => {
  for (const command of Object.values(Command)) {
    for (const [name, bytes, address, port] of ADDRESSES) {
      it(`CMD ${command}, ${name}`, () => assertMessage(parseRequest, request(command, bytes), { command, address, port }));
    }
  }

  it('non-zero RSV is tolerated', () => {
    assertMessage(parseRequest, request(1, '01 0a 00 00 01 00 50', 0xff), {
      command: 1,
      address: { type: 'ipv4', host: '10.0.0.1' },
      port: 80,
    });
  });

  const failure = (rep: string): string => `05 ${rep} 00 01 00000000 0000`;

  for (const ver of [0, 1, 4, 0xff]) {
    it(`wrong VER ${ver} is rejected on the first byte with general failure`, () => {
      const buf = Buffer.concat([Buffer.from([ver]), hex('01 00 01 7f000001 0050')]);
      assertRejectedAt(parseRequest, buf, 1, SocksErrorCode.Version, failure('01'));
    });
  }

  for (const cmd of [0, 4, 5, 0x80, 0xff]) {
    it(`unknown CMD ${cmd} is rejected as soon as it arrives with command not supported`, () => {
      assertRejectedAt(parseRequest, request(cmd, '01 7f000001 0050'), 2, SocksErrorCode.Command, failure('07'));
    });
  }

  for (const atyp of [0, 2, 5, 6, 0xff]) {
    it(`unknown ATYP ${atyp} is rejected as soon as it arrives with address type not supported`, () => {
      assertRejectedAt(parseRequest, request(1, `${atyp.toString(16).padStart(2, '0')} 7f000001 0050`), 4, SocksErrorCode.AddressType, failure('08'));
    });
  }

  it('an empty domain is rejected on its length byte with host unreachable', () => {
    assertRejectedAt(parseRequest, request(1, '03 00 0050'), 5, SocksErrorCode.Domain, failure('04'));
  });

  const badDomains: [string, Buffer][] = [
    ['NUL', Buffer.from('exa\u0000mple.com')],
    ['control byte 0x1f', Buffer.from('exa\u001fmple.com')],
    ['tab', Buffer.from('example.com\t')],
    ['CR LF', Buffer.from('example.com\r\n')],
    ['space', Buffer.from('example .com')],
    ['DEL 0x7f', Buffer.from('example\u007f.com')],
    ['lone continuation byte', Buffer.concat([Buffer.from('ex'), hex('80'), Buffer.from('.com')])],
    ['overlong encoding', Buffer.concat([Buffer.from('ex'), hex('c0 ae'), Buffer.from('com')])],
    ['UTF-16 surrogate', Buffer.concat([Buffer.from('ex'), hex('ed b2 80')])],
    ['truncated sequence at the end', Buffer.concat([Buffer.from('example.co'), hex('e2 82')])],
    ['byte 0xff', hex('ff')],
  ];
  for (const [name, bytes] of badDomains) {
    it(`a domain with ${name} is rejected with host unreachable`, () => {
      const buf = request(1, `${domain(bytes)} 0050`);
      assertRejectedAt(parseRequest, buf, buf.length, SocksErrorCode.Domain, failure('04'));
    });
  }

  it('the checks run in wire order: VER before CMD before ATYP', () => {
    assertRejectedAt(parseRequest, hex('04 09 00 09'), 1, SocksErrorCode.Version, failure('01'));
    assertRejectedAt(parseRequest, hex('05 09 00 09'), 2, SocksErrorCode.Command, failure('07'));
  });
});
