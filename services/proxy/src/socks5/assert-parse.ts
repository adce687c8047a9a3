/**
 * Test helpers (not exported from the index): assertions over parse results that the table
 * tests of every message share.
 */
import assert from 'node:assert/strict';
import type { ParseError, ParseOk, ParseResult } from './parse-result';

/** Bytes from hex, ignoring spaces so tables can be laid out field by field. */
export function hex(s: string): Buffer {
  return Buffer.from(s.replace(/\s+/g, ''), 'hex');
}

/** Accepts any parser's result, including the UDP parser's (which has no 'incomplete'). */
export function assertOk<T>(r: ParseResult<T>, what = 'parse'): ParseOk<T> {
  assert.equal(r.status, 'ok', `${what}: expected ok, got ${JSON.stringify(r)}`);
  return r;
}

export function assertError(r: ParseResult<unknown>, code: string, reply?: string): ParseError {
  assert.equal(r.status, 'error', `expected ${code}, got ${JSON.stringify(r)}`);
  const e = r;
  assert.equal(e.code, code);
  assert.equal(typeof e.message, 'string');
  assert.notEqual(e.message, '');
  if (reply === undefined) assert.equal(e.reply, undefined, `expected no reply, got ${e.reply?.toString('hex')}`);
  else assert.equal(e.reply?.toString('hex'), reply.replace(/\s+/g, ''));
  return e;
}

/** Every strict prefix of `buf` (lengths 0 .. buf.length-1) parses as 'incomplete'. */
export function assertPrefixesIncomplete(parse: (b: Buffer) => ParseResult<unknown>, buf: Buffer): void {
  for (let k = 0; k < buf.length; k++) {
    const r = parse(buf.subarray(0, k));
    assert.equal(r.status, 'incomplete', `prefix of ${k}/${buf.length} bytes of ${buf.toString('hex')}: ${JSON.stringify(r)}`);
  }
}

/**
 * The message parses to `expected` consuming all of it, every strict prefix is incomplete, and
 * bytes appended after it (the next message) change nothing.
 */
export function assertMessage<T>(parse: (b: Buffer) => ParseResult<T>, buf: Buffer, expected: T): void {
  const r = assertOk(parse(buf));
  assert.deepEqual(r.value, expected);
  assert.equal(r.consumed, buf.length);
  assertPrefixesIncomplete(parse, buf);
  const more = assertOk(parse(Buffer.concat([buf, hex('05 01 00 ff 00')])));
  assert.deepEqual(more.value, expected);
  assert.equal(more.consumed, buf.length);
}

/**
 * The rejection is decided once the first `decidedAt` bytes are there (shorter prefixes are
 * incomplete) and stays the same however much more arrives.
 */
export function assertRejectedAt(
  parse: (b: Buffer) => ParseResult<unknown>,
  buf: Buffer,
  decidedAt: number,
  code: string,
  reply?: string,
): void {
  assertPrefixesIncomplete(parse, buf.subarray(0, decidedAt));
  for (let k = decidedAt; k <= buf.length; k++) assertError(parse(buf.subarray(0, k)), code, reply);
}
