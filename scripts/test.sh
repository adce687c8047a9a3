#!/usr/bin/env bash
# The whole test suite from a fresh clone: installs what the tests need (Debian packages,
# npm dependencies), builds, lints, then runs unit and feature tests. `npm test` runs this and
# CI (.ci/run) runs `npm test`. A missing tool fails the run; nothing is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-test-tools.sh --only apt
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
node node_modules/typescript/bin/tsc -b
npx eslint .
node scripts/run-tests.mjs all "$@"
