#!/usr/bin/env node
// Generates the TypeScript types for every .proto under proto/ into
// services/common/src/generated (or the directory given as the first argument; the staleness
// check in services/common/src/grpc/generated-fresh.test.ts generates into a temp dir and
// diffs). Runtime loading uses the same options (services/common/src/grpc/proto-loader.ts).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const protoRoot = join(root, 'proto');
const outDir = process.argv[2] ?? join(root, 'services', 'common', 'src', 'generated');

function walk(dir, out = []) {
  for (const n of readdirSync(dir).sort()) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (n.endsWith('.proto')) out.push(relative(protoRoot, p));
  }
  return out;
}

const files = walk(protoRoot);
rmSync(outDir, { recursive: true, force: true });
const bin = join(root, 'node_modules', '@grpc', 'proto-loader', 'build', 'bin', 'proto-loader-gen-types.js');
// Keep in sync with PROTO_LOADER_OPTIONS in services/common/src/grpc/proto-loader.ts.
const args = [bin, '--longs=Number', '--enums=String', '--defaults', '--oneofs', '--includeComments', '--grpcLib=@grpc/grpc-js', '-I', protoRoot, '-O', outDir, ...files];
const r = spawnSync(process.execPath, args, { cwd: protoRoot, stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
// The generator writes absolute paths into "Original file" comments; make them relative so the
// output does not depend on where the repository is checked out.
const walkTs = (dir, out = []) => {
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) walkTs(p, out);
    else if (n.endsWith('.ts')) out.push(p);
  }
  return out;
};
for (const f of walkTs(outDir)) {
  const text = readFileSync(f, 'utf8');
  const fixed = text.split(`${protoRoot}/`).join('proto/');
  if (fixed !== text) writeFileSync(f, fixed);
}
console.log(`proto-gen: ${files.length} file(s) -> ${relative(root, outDir) || outDir}`);
