import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertMessage, assertRejectedAt, hex } from './assert-parse';
import { SocksErrorCode } from './parse-result';
import { encodeUserPassStatus, parseUserPass } from './user-pass';

function message(user: Buffer, pass: Buffer, ver = 1): Buffer {
  return Buffer.concat([Buffer.from([ver, user.length]), user, Buffer.from([pass.length]), pass]);
}

describe('parseUserPass (RFC 1929)', () => {
  const valid: [string, string, string][] = [
    ['ASCII', 'alice', 's3cret'],
    ['UTF-8 name and password', 'jürgen', 'пароль🔑'],
    ['empty username parses (authentication fails it later)', '', 'pw'],
    ['empty password parses', 'bob', ''],
    ['both empty', '', ''],
    ['spaces and punctuation are data', 'a b:c', ' p@ss w0rd '],
    ['NUL bytes are data', 'a\u0000b', '\u0000'],
  ];
  for (const [name, username, password] of valid) {
    it(name, () => {
      assertMessage(parseUserPass, message(Buffer.from(username), Buffer.from(password)), { username, password });
    });
  }

  it('255-byte username and password, the maximum', () => {
    const username = 'u'.repeat(255);
    const password = 'é'.repeat(127) + 'x'; // 255 bytes of two-byte characters and one ASCII
    assert.equal(Buffer.byteLength(password), 255);
    assertMessage(parseUserPass, message(Buffer.from(username), Buffer.from(password)), { username, password });
  });

  for (const ver of [0, 2, 5, 0xff]) {
    it(`wrong VER ${ver} is rejected on the first byte with STATUS failure`, () => {
      assertRejectedAt(parseUserPass, message(Buffer.from('a'), Buffer.from('b'), ver), 1, SocksErrorCode.UserPassVersion, '01 01');
    });
  }

  const invalidUtf8: [string, string][] = [
    ['lone continuation byte', '80'],
    ['overlong slash', 'c0 af'],
    ['UTF-16 surrogate', 'ed a0 80'],
    ['truncated sequence', 'e4 b8'],
    ['byte 0xff', 'ff'],
    ['beyond U+10FFFF', 'f4 90 80 80'],
  ];
  for (const [name, bytes] of invalidUtf8) {
    it(`username with ${name} is rejected with STATUS failure`, () => {
      const buf = message(hex(bytes), Buffer.from('pw'));
      assertRejectedAt(parseUserPass, buf, buf.length, SocksErrorCode.UserPassEncoding, '01 01');
    });
    it(`password with ${name} is rejected with STATUS failure`, () => {
      const buf = message(Buffer.from('user'), hex(bytes));
      assertRejectedAt(parseUserPass, buf, buf.length, SocksErrorCode.UserPassEncoding, '01 01');
    });
  }
});

describe('encodeUserPassStatus', () => {
  it('success is 01 00, failure is 01 01', () => {
    assert.equal(encodeUserPassStatus(true).toString('hex'), '0100');
    assert.equal(encodeUserPassStatus(false).toString('hex'), '0101');
  });
});
