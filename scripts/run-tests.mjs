#!/usr/bin/env node
// Runs the compiled node:test files: `unit` (services/*/dist/**/*.test.js), `feature`
// (test/dist/feature/**/*.test.js), `k8s` (test/dist/k8s/**/*.test.js: helm, a real
// kube-apiserver) or `all`. Extra arguments filter files by substring.
// Every test file gets a hard timeout so a hang fails the run instead of stalling CI.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [suite = 'all', ...filters] = process.argv.slice(2);

function walk(dir, out = []) {
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const n of names) {
    const p = join(dir, n);
    if (n === 'node_modules') continue;
    if (statSync(p).isDirectory()) walk(p, out);
    else if (n.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const unit = ['common', 'proxy', 'control', 'cli'].flatMap((pkg) => walk(join(root, 'services', pkg, 'dist')));
const feature = walk(join(root, 'test', 'dist', 'feature'));
const k8s = walk(join(root, 'test', 'dist', 'k8s'));
const suites = { unit, feature, k8s, all: [...unit, ...feature, ...k8s] };
if (!Object.hasOwn(suites, suite)) {
  console.error(`run-tests: unknown suite "${suite}" (use ${Object.keys(suites).join(', ')})`);
  process.exit(2);
}
const files = suites[suite].filter(
  (f) => filters.length === 0 || filters.some((x) => f.includes(x)),
);
if (files.length === 0) {
  console.error(`run-tests: no compiled test files for "${suite}" ${filters.join(' ')} (did the build run?)`);
  process.exit(1);
}
console.log(`run-tests: ${files.length} file(s): ${files.map((f) => relative(root, f)).join(' ')}`);
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=300000', ...files], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
