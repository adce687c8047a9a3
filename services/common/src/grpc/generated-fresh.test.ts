import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

/** dist/grpc -> repository root. */
const ROOT = join(__dirname, '..', '..', '..', '..');
const COMMITTED = join(ROOT, 'services', 'common', 'src', 'generated');

function files(dir: string, out: string[] = []): string[] {
  for (const n of readdirSync(dir).sort()) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) files(p, out);
    else out.push(p);
  }
  return out;
}

test('generated proto types are up to date (run `npm run proto:gen` when this fails)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'sockscale-proto-gen-'));
  try {
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'proto-gen.mjs'), tmp], { encoding: 'utf8' });
    assert.equal(r.status, 0, `proto-gen failed:\n${r.stdout}\n${r.stderr}`);
    const fresh = files(tmp).map((f) => relative(tmp, f));
    const committed = files(COMMITTED).map((f) => relative(COMMITTED, f));
    assert.deepEqual(committed, fresh, 'generated file list differs from proto/: run `npm run proto:gen`');
    for (const f of fresh) {
      assert.equal(readFileSync(join(COMMITTED, f), 'utf8'), readFileSync(join(tmp, f), 'utf8'), `services/common/src/generated/${f} is stale: run \`npm run proto:gen\``);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
