import assert from 'node:assert/strict';
import { it } from 'node:test';
import { hasBit } from './bitset';
import { PortIndex, isPort, parsePortSpec, portRanges, rangesContain } from './port-set';

it('parses port specs', () => {
  assert.deepEqual(parsePortSpec('80'), [80, 80]);
  assert.deepEqual(parsePortSpec('1000-2000'), [1000, 2000]);
  assert.deepEqual(parsePortSpec('0'), [0, 0]);
  assert.equal(parsePortSpec('2000-1000'), undefined);
  assert.equal(parsePortSpec('65536'), undefined);
  assert.equal(parsePortSpec('http'), undefined);
});

it('merges ranges; empty means any port', () => {
  assert.equal(portRanges([]), null);
  assert.deepEqual([...(portRanges(['443', '80', '81-90', '100-200', '150-300']) ?? [])], [80, 90, 100, 300, 443, 443]);
  const r = portRanges(['22', '1000-2000']);
  for (const [port, expected] of [[21, false], [22, true], [23, false], [999, false], [1000, true], [2000, true], [2001, false]] as const) {
    assert.equal(rangesContain(r, port), expected, String(port));
  }
  assert.equal(rangesContain(null, 12345), true);
  assert.equal(rangesContain(portRanges(['bogus']), 1), false);
});

it('isPort accepts integers 0-65535 only', () => {
  for (const p of [0, 1, 65535]) assert.equal(isPort(p), true);
  for (const p of [-1, 65536, 1.5, NaN, Infinity]) assert.equal(isPort(p), false);
});

function checkIndex(index: PortIndex, ranges: (Int32Array | null)[], ports: number[]): void {
  for (const port of ports) {
    const bits = index.bitsFor(port);
    ranges.forEach((r, rule) => {
      const accepts = rangesContain(r, port);
      assert.equal(index.ruleAccepts(rule, port), accepts);
      if (index.exact) assert.equal(hasBit(bits, rule), accepts, `rule ${rule} port ${port}`);
      else if (accepts) assert.equal(hasBit(bits, rule), true);
    });
  }
}

it('maps every port to the rules accepting it', () => {
  const ranges = [portRanges(['80']), null, portRanges(['1-1024']), portRanges(['443', '8000-8080']), portRanges(['65535']), portRanges(['0'])];
  const index = new PortIndex(ranges, 1);
  assert.equal(index.exact, true);
  checkIndex(index, ranges, [0, 1, 79, 80, 81, 442, 443, 444, 1024, 1025, 7999, 8000, 8080, 8081, 65534, 65535]);
});

it('degrades to per-rule checks over the memory budget', () => {
  const ranges = Array.from({ length: 100 }, (_, i) => portRanges([`${i * 10}-${i * 10 + 5}`]));
  const index = new PortIndex(ranges, 4, 10);
  assert.equal(index.exact, false);
  checkIndex(index, ranges, [0, 5, 6, 10, 995, 996, 1000]);
});
