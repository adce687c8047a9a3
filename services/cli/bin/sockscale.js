#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI is TypeScript compiled by `npm run build` (run by `npm install`).
let main;
try {
  main = require('../dist/main.js');
} catch (err) {
  if (err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes('dist/main.js')) {
    process.stderr.write('sockscale: not built yet; run `npm install` (or `npm run build`) in the repository first\n');
    process.exit(2);
  }
  throw err;
}
main.run(process.argv.slice(2));
