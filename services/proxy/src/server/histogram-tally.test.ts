import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Histogram, Registry } from '@sockscale/common';
import { HistogramTally } from './histogram-tally';

const BOUNDS = [0.0001, 0.001, 0.01, 0.1, 1];

/**
 * The exposition text of a registry with the histogram's name replaced and numbers to 12
 * significant digits (sums added in another order differ in the last bits), to compare two.
 */
async function text(r: Registry, name: string): Promise<string> {
  return (await r.metrics()).replaceAll(name, 'h').replace(/ ([\d.e+-]+)$/gm, (_, n: string) => ` ${Number(n).toPrecision(12)}`);
}

function pair(name: string): { ref: Histogram<'method'>; refReg: Registry; tallied: Histogram<'method'>; reg: Registry; tally: HistogramTally<'method'> } {
  const refReg = new Registry();
  const reg = new Registry();
  const ref = new Histogram({ name: `${name}_ref`, help: 'x', labelNames: ['method'], buckets: BOUNDS, registers: [refReg] });
  const box: { t?: HistogramTally<'method'> } = {};
  const tallied = new Histogram({ name: `${name}_tally`, help: 'x', labelNames: ['method'], buckets: BOUNDS, registers: [reg], collect() { box.t?.flush(); } });
  box.t = new HistogramTally(tallied, 'method', BOUNDS);
  return { ref, refReg, tallied, reg, tally: box.t };
}

// Values on and around every bound, below the first and above the last, for two label values.
const VALUES = [0, 0.00005, 0.0001, 0.00010001, 0.0005, 0.001, 0.002, 0.01, 0.05, 0.1, 0.1000001, 0.5, 1, 1.5, 30];

test('a tallied histogram exports exactly what observe would have, across scrapes', async () => {
  const { ref, refReg, reg, tally } = pair('t1');
  for (let round = 0; round < 3; round++) {
    for (const [i, v] of VALUES.entries()) {
      for (let k = 0; k <= round; k++) {
        const method = i % 3 === 0 ? 'password' : 'none';
        ref.observe({ method }, v);
        tally.observe(method, v);
      }
    }
    assert.equal(await text(reg, 't1_tally'), await text(refReg, 't1_ref'), `round ${round}`);
  }
  // Nothing new: a scrape adds nothing.
  assert.equal(await text(reg, 't1_tally'), await text(refReg, 't1_ref'));
});

test('unrecognised prom-client state: flush replays through observe with the same buckets, sum and count', async () => {
  const refReg = new Registry();
  const realReg = new Registry();
  const ref = new Histogram({ name: 't2_ref', help: 'x', labelNames: ['method'], buckets: BOUNDS, registers: [refReg] });
  const real = new Histogram({ name: 't2_real', help: 'x', labelNames: ['method'], buckets: BOUNDS, registers: [realReg] });
  // A histogram whose internal state is not prom-client 15's (no hashMap): only observe and zero.
  let observed = 0;
  const opaque = {
    observe: (labels: { method: string }, v: number) => {
      observed++;
      real.observe(labels, v);
    },
    zero: () => undefined,
  } as unknown as Histogram<'method'>;
  const tally = new HistogramTally(opaque, 'method', BOUNDS);
  for (let round = 0; round < 2; round++) {
    for (const v of VALUES) {
      ref.observe({ method: 'none' }, v);
      tally.observe('none', v);
    }
    tally.flush();
    assert.equal(await text(realReg, 't2_real'), await text(refReg, 't2_ref'), `round ${round}`);
  }
  assert.equal(observed, 2 * VALUES.length);
});
