#!/usr/bin/env bash
# The whole test suite from a fresh clone: installs what the tests need (Debian packages,
# npm dependencies, helm and kube-apiserver for the k8s suite), builds, lints, checks that the
# generated CRDs are current, then runs the unit, feature and k8s tests. `npm test` runs this and
# CI (.ci/run) runs `npm test`. A missing tool fails the run; nothing is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

# Everything the suites need: apt packages, and for the k8s suite helm, kube-apiserver and
# kubectl (built once from the Go module proxy, cached outside the repo; a no-op when present).
bash scripts/install-test-tools.sh
TOOLS_ENV="${SOCKSCALE_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/sockscale/tools}/env.sh"
# shellcheck disable=SC1090
if [[ -f $TOOLS_ENV ]]; then source "$TOOLS_ENV"; fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
node node_modules/typescript/bin/tsc -b
npx eslint .
node scripts/gen-crds.mjs --check
node scripts/run-tests.mjs all "$@"
