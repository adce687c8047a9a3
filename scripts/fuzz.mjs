#!/usr/bin/env node
// Long-running mutation fuzzer for the SOCKS5 codec (`npm run fuzz`). Runs the same generator
// and invariant harness as services/proxy/src/socks5/fuzz.test.ts, against the compiled codec.
//
//   npm run fuzz -- [--seconds N] [--seed S] [--case C]
//
//   --seconds N  how long to run (default 60)
//   --seed S     run seed (default: random); case i uses caseSeed(S, i)
//   --case C     replay one case by its case seed (printed on failure) and exit
//
// Exits 1 with the seed, case seed and input hex on any exception or invariant violation.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const codecPath = join(root, 'services/proxy/dist/socks5/index.js');

function usage(message) {
  if (message) console.error(`fuzz: ${message}`);
  console.error('usage: node scripts/fuzz.mjs [--seconds N] [--seed S] [--case C]');
  process.exit(2);
}

function parseUint32(name, text) {
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(text)) usage(`--${name} must be an unsigned integer, got ${JSON.stringify(text)}`);
  const n = Number(text);
  if (n > 0xffffffff) usage(`--${name} must fit in 32 bits`);
  return n >>> 0;
}

let args;
try {
  args = parseArgs({
    options: {
      seconds: { type: 'string', default: '60' },
      seed: { type: 'string' },
      case: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  }).values;
} catch (err) {
  usage(err.message);
}
if (args.help) usage();
const seconds = Number(args.seconds);
if (!Number.isFinite(seconds) || seconds <= 0) usage(`--seconds must be a positive number, got ${JSON.stringify(args.seconds)}`);
const seed = args.seed !== undefined ? parseUint32('seed', args.seed) : (Math.random() * 0x1_0000_0000) >>> 0;

if (!existsSync(codecPath)) {
  console.error(`fuzz: ${codecPath} not found; build first: npx tsc -b services/proxy`);
  process.exit(2);
}
const { caseSeed, generateFuzzCase, runFuzzCase } = createRequire(import.meta.url)(codecPath);

/** A single parser call slower than this is reported as a hang. */
const MAX_CALL_MS = 100;
/** One case in this many also gets the O(n^2) prefix checks. */
const DEEP_EVERY = 64;

function runCase(cSeed, index, stats) {
  const c = generateFuzzCase(cSeed);
  try {
    runFuzzCase(c, { deep: index % DEEP_EVERY === 0, maxCallMs: MAX_CALL_MS, stats });
    return true;
  } catch (err) {
    console.error(`\nFAIL  seed ${seed}  case ${index}  case seed ${cSeed}  (${c.kind})`);
    console.error(`input (${c.input.length} bytes): ${c.input.toString('hex')}`);
    if (c.kind === 'handshake') console.error(`chunks: ${JSON.stringify(c.chunks)}`);
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    if (err instanceof Error && err.cause instanceof Error) console.error(`caused by: ${err.cause.stack ?? err.cause.message}`);
    console.error(`\nreplay: node scripts/fuzz.mjs --case ${cSeed}`);
    return false;
  }
}

const stats = { calls: 0, maxCallMs: 0 };

if (args.case !== undefined) {
  const cSeed = parseUint32('case', args.case);
  const ok = runCase(cSeed, 0, stats);
  if (ok) console.log(`case ${cSeed}: ok (${stats.calls} parser calls)`);
  process.exit(ok ? 0 : 1);
}

console.log(`fuzzing ${codecPath} for ${seconds} s, seed ${seed}`);
const start = performance.now();
const deadline = start + seconds * 1000;
let lastReport = start;
let lastIterations = 0;
let i = 0;
for (;;) {
  // Check the clock every 1024 cases, not every case.
  for (const stop = i + 1024; i < stop; i++) {
    if (!runCase(caseSeed(seed, i), i, stats)) process.exit(1);
  }
  const now = performance.now();
  if (now - lastReport >= 5000 || now >= deadline) {
    const rate = ((i - lastIterations) * 1000) / (now - lastReport);
    console.log(
      `${((now - start) / 1000).toFixed(0).padStart(4)} s  ${i} cases  ${Math.round(rate)} cases/s  ` +
        `${stats.calls} parser calls  slowest call ${stats.maxCallMs.toFixed(2)} ms`,
    );
    lastReport = now;
    lastIterations = i;
  }
  if (now >= deadline) break;
}
const elapsed = (performance.now() - start) / 1000;
console.log(`ok: ${i} cases (${Math.round(i / elapsed)} iterations/s, ${Math.round(stats.calls / elapsed)} parser calls/s), seed ${seed}`);
