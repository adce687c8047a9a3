import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatQuantity, parseQuantity } from './quantity';

void test('parseQuantity: SI and binary suffixes, optional B and /s', () => {
  const table: [unknown, number][] = [
    ['1', 1],
    [2048, 2048],
    ['500k', 500_000],
    ['500K', 500_000],
    ['2M', 2_000_000],
    ['2Mi', 2_097_152],
    ['2MiB', 2_097_152],
    ['2MiB/s', 2_097_152],
    ['10MB/s', 10_000_000],
    ['10B/s', 10],
    ['64/s', 64],
    ['1.5k', 1500],
    ['1.5Ki', 1536],
    ['3G', 3e9],
    ['1Gi', 2 ** 30],
    ['1T', 1e12],
    ['1Ti', 2 ** 40],
    ['0.0015k', 1],
  ];
  for (const [input, want] of table) assert.deepEqual(parseQuantity(input), { value: want }, String(input));
});

void test('parseQuantity: rejects with a reason', () => {
  const table: [unknown, RegExp][] = [
    ['', /is not a quantity/],
    ['10 MB', /remove the spaces/],
    ['10Mb/s', /bits are not accepted/],
    ['10Mbps', /bits are not accepted/],
    ['10mB', /suffixes are k, M, G, T/],
    ['10ki', /suffixes are k, M, G, T/],
    ['-5', /is not a quantity/],
    ['0', /less than 1 byte/],
    ['0.1', /less than 1 byte/],
    [0, /out of range/],
    [1.5, /not a whole number/],
    ['1e6', /suffixes/],
    ['99999999999999999T', /too large/],
    [true, /expected a quantity/],
  ];
  for (const [input, re] of table) {
    const r = parseQuantity(input);
    assert.equal(typeof r, 'string', String(input));
    assert.match(r as string, re, String(input));
  }
});

void test('formatQuantity', () => {
  assert.equal(formatQuantity(2_097_152), '2Mi');
  assert.equal(formatQuantity(500_000), '500k');
  assert.equal(formatQuantity(1234), '1234');
});
