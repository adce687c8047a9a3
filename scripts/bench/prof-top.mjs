#!/usr/bin/env node
// Summarises a V8 .cpuprofile: self time by function (top N) and by directory.
//   node scripts/bench/prof-top.mjs FILE.cpuprofile [N] [--window START_US:END_US]
// --window keeps only samples in that CLOCK_MONOTONIC range (control-bench.mjs --cpu-prof prints
// the range of the measured change as fanout.cpu_profile_window_us).
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const wi = args.indexOf('--window');
const window = wi < 0 ? undefined : args.splice(wi, 2)[1].split(':').map(Number);
const [file, n = '25'] = args;
if (file === undefined) {
  console.error('usage: prof-top.mjs FILE.cpuprofile [N] [--window START_US:END_US]');
  process.exit(2);
}
const prof = JSON.parse(readFileSync(file, 'utf8'));
const dt = new Map();
let t = prof.startTime;
for (let i = 0; i < prof.samples.length; i++) {
  t += prof.timeDeltas[i] ?? 0;
  if (window !== undefined && (t < window[0] || t > window[1])) continue;
  dt.set(prof.samples[i], (dt.get(prof.samples[i]) ?? 0) + (prof.timeDeltas[i] ?? 0));
}
const total = [...dt.values()].reduce((a, b) => a + b, 0);
const self = new Map();
const byFile = new Map();
for (const node of prof.nodes) {
  const us = dt.get(node.id) ?? 0;
  const cf = node.callFrame;
  const key = `${cf.functionName || '(anonymous)'} ${cf.url.replace(/^.*node_modules\//, '').replace(/^.*\/services\//, 'services/')}:${cf.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + us);
  const f = cf.url === '' ? `(${cf.functionName})` : cf.url.replace(/^.*node_modules\//, '').replace(/^.*\/services\//, 'services/').replace(/\/[^/]*$/, '/');
  byFile.set(f, (byFile.get(f) ?? 0) + us);
}
const fmt = (us) => `${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%`;
console.log(`total ${(total / 1000).toFixed(0)} ms\n\nself time by function:`);
for (const [k, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(n))) console.log(`${fmt(us)}  ${k}`);
console.log('\nself time by directory:');
for (const [k, us] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, Number(n))) console.log(`${fmt(us)}  ${k}`);
