#!/usr/bin/env node
// `npm start [-- serve flags]`: makes sure dependencies are installed and the TypeScript is
// built, then runs `sockscale serve`, with examples/local.yaml unless --policy is given.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
if (!existsSync(join(root, 'node_modules', '.package-lock.json'))) run('npm', ['ci', '--no-audit', '--no-fund']);
run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b']);

const args = process.argv.slice(2);
const serveArgs = args.some((a) => a === '--policy' || a.startsWith('--policy=')) ? args : ['--policy', join(root, 'examples', 'local.yaml'), ...args];
const { run: main } = await import(pathToFileURL(join(root, 'services', 'cli', 'dist', 'main.js')).href);
main(['serve', ...serveArgs]);
