#!/usr/bin/env bash
# sockscale benchmark (`npm run bench`): sockscale vs Debian's danted vs
# microsocks vs a direct no-proxy baseline, on loopback.
#
#   npm run bench                        full run (~8 s per measurement, a few minutes)
#   npm run bench -- --quick             ~1 s per measurement
#   npm run bench -- --only danted,microsocks
#   npm run bench -- --help              all options (see bench.mjs)
#   npm run bench -- --policy-only       only the policy-engine benchmarks (policy.mjs:
#                                        decisions/s, bandwidth-limit accuracy); --no-policy skips them
#
# Writes bench-results/latest.md and bench-results/latest.json (gitignored)
# and prints the Markdown report. This script: installs the peers (danted,
# microsocks) with apt when missing, creates the system user `sockbench` for
# danted's username method, builds the Go load generator into
# ${XDG_CACHE_HOME:-$HOME/.cache}/sockscale/bench/ when its sources changed,
# raises the open-files limit, then runs scripts/bench/bench.mjs, killing
# every process it started on exit or interrupt.
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH_DIR=$REPO/scripts/bench
export PATH="$PATH:/usr/local/go/bin:/usr/sbin:/sbin"

log() { printf '[bench] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# `npm run bench -- control [options]`: only the control-plane benchmark (control-bench.mjs).
# `npm run bench -- quota [--quick]`: only the quota benchmark (quota-bench.mjs).
if [ "${1:-}" = quota ]; then
  shift
  exec node "$BENCH_DIR/quota-bench.mjs" "$@"
fi
if [ "${1:-}" = control ]; then
  shift
  exec node "$BENCH_DIR/control-bench.mjs" "$@"
fi

BUILD=0
POLICY=1
POLICY_ONLY=0
QUICK=()
ARGS=()
SCRIPT=bench.mjs
for a in "$@"; do
  case $a in
    -h|--help) exec node "$BENCH_DIR/bench.mjs" --help ;;
    --build) BUILD=1 ;;
    --policy-only) POLICY_ONLY=1; continue ;;
    --no-policy) POLICY=0; continue ;;
    --quick) QUICK=(--quick) ;;
    --udp-shared) SCRIPT=udp-shared.mjs ;; # UDP behind load balancers (udp-shared.mjs)
  esac
  ARGS+=("$a")
done
set -- "${ARGS[@]}"
if [ $POLICY_ONLY = 1 ]; then
  [ $BUILD = 1 ] && (cd "$REPO" && npm run --silent build)
  exec node "$BENCH_DIR/policy.mjs" "${QUICK[@]}"
fi

SUDO=()
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=(sudo -n); else log "not root and no sudo: installs and the danted user may fail"; fi
fi

# --- peers -------------------------------------------------------------------
APT_UPDATED=0
apt_install() { # package...
  command -v apt-get >/dev/null 2>&1 || { log "apt-get not available: cannot install $*"; return 1; }
  if [ $APT_UPDATED = 0 ]; then
    "${SUDO[@]}" apt-get update -qq >&2 || log "apt-get update failed"
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "$@" >&2
}
command -v danted >/dev/null 2>&1 || { log "installing dante-server"; apt_install dante-server || log "could not install dante-server: danted will be reported as failed to start"; }
command -v microsocks >/dev/null 2>&1 || { log "installing microsocks"; apt_install microsocks || log "could not install microsocks: it will be reported as failed to start"; }
# Debian's dante-server package enables a danted.service; the bench runs its own instances.
command -v taskset >/dev/null 2>&1 || log "taskset not found (util-linux): running without CPU pinning"

# --- system user for danted's `socksmethod: username` -------------------------
# danted checks the password with crypt(3) against /etc/shadow, so the hash
# scheme is part of its auth cost. Default MD5 (cheapest scheme chpasswd
# offers, ~0.1 ms) so the comparison measures the proxy, not a KDF; set
# SOCKBENCH_HASH=SHA512 or YESCRYPT (Debian's default, ~20 ms) to see their cost.
SOCKBENCH_HASH=${SOCKBENCH_HASH:-MD5}
# shellcheck disable=SC2016 # literal crypt(3) prefixes
case $SOCKBENCH_HASH in
  MD5) PREFIX='$1$' ;; SHA256) PREFIX='$5$' ;; SHA512) PREFIX='$6$' ;; YESCRYPT) PREFIX='$y$' ;;
  *) die "SOCKBENCH_HASH must be MD5, SHA256, SHA512 or YESCRYPT" ;;
esac
if command -v danted >/dev/null 2>&1; then
  if ! getent passwd sockbench >/dev/null; then
    log "creating system user sockbench (for danted's username method)"
    "${SUDO[@]}" useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin sockbench \
      || log "could not create user sockbench: danted auth sessions will fail"
  fi
  HASH=$("${SUDO[@]}" getent shadow sockbench 2>/dev/null | cut -d: -f2)
  if [[ $HASH != "$PREFIX"* ]] || ! perl -e 'exit(crypt("benchpass", $ARGV[0]) eq $ARGV[0] ? 0 : 1)' "$HASH" 2>/dev/null; then
    echo 'sockbench:benchpass' | "${SUDO[@]}" chpasswd -c "$SOCKBENCH_HASH" || log "could not set the sockbench password"
    HASH=$("${SUDO[@]}" getent shadow sockbench 2>/dev/null | cut -d: -f2)
  fi
  export BENCH_DANTED_HASH="$SOCKBENCH_HASH (${HASH:0:3}…)"
  CRYPT_US=$(perl -MTime::HiRes=time -e '$h=shift; $t=time; crypt("benchpass",$h) for 1..20; printf "%.0f", (time-$t)/20*1e6' "$HASH" 2>/dev/null) \
    && export BENCH_DANTED_CRYPT_US="$CRYPT_US"
fi

# --- load generator -------------------------------------------------------------
GO=$(command -v go || true)
[ -n "$GO" ] || die "Go not found (expected /usr/local/go/bin/go); the load generator needs Go >= 1.22"
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/sockscale/bench
BIN=$CACHE/loadgen
mkdir -p "$CACHE"
if [ ! -x "$BIN" ] || [ -n "$(find "$BENCH_DIR/loadgen" -type f -newer "$BIN" -print -quit)" ]; then
  log "building load generator -> $BIN"
  (cd "$BENCH_DIR/loadgen" && CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS='' "$GO" build -trimpath -o "$BIN.tmp" . && mv -f "$BIN.tmp" "$BIN") \
    || die "load generator build failed"
fi
BENCH_GO_VERSION=$("$BIN" version) && export BENCH_GO_VERSION
export BENCH_LOADGEN=$BIN BENCH_REPO=$REPO

# --- sockscale build (optional) ---------------------------------------------------
if [ $BUILD = 1 ]; then
  log "npm run build"
  (cd "$REPO" && npm run --silent build) || log "build failed: sockscale will likely fail to start"
fi

# --- limits, temp dir, cleanup --------------------------------------------------
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
BENCH_NOFILE=$(ulimit -n)
export BENCH_NOFILE
TMP=$(mktemp -d "${TMPDIR:-/tmp}/sockscale-bench.XXXXXX") || die "mktemp failed"
export BENCH_TMP=$TMP BENCH_PGID_FILE=$TMP/pgids
NODE_PID=

# shellcheck disable=SC2317 # invoked by the traps below
cleanup() {
  trap - EXIT INT TERM HUP
  if [ -n "$NODE_PID" ] && kill -0 "$NODE_PID" 2>/dev/null; then
    kill -TERM "$NODE_PID" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$NODE_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$NODE_PID" 2>/dev/null
  fi
  # Process groups of proxies the orchestrator still had running (it keeps
  # this file current); each is a proxy it spawned in its own group.
  if [ -f "$BENCH_PGID_FILE" ]; then
    while read -r pg; do
      [[ $pg =~ ^[0-9]+$ ]] && kill -KILL -- "-$pg" 2>/dev/null
    done < "$BENCH_PGID_FILE"
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

cd "$REPO" || exit 1
node "$BENCH_DIR/$SCRIPT" "$@" &
NODE_PID=$!
RC=0
wait "$NODE_PID" || RC=$?
NODE_PID=
# The policy group (decisions/s, bandwidth-limit accuracy), the control-plane group
# (propagation, fan-out), UDP behind load balancers and cluster quotas run after the data-plane
# groups unless the run was narrowed with --groups; `npm run bench -- control`, `-- quota`,
# `--udp-shared` and `--policy-only` run one of them alone.
case " $* " in
  *" --groups "*|*" --udp-shared "*) ;;
  *)
    if [ $POLICY = 1 ]; then node "$BENCH_DIR/policy.mjs" "${QUICK[@]}" || RC=$?; fi
    node "$BENCH_DIR/control-bench.mjs" "${QUICK[@]}" || RC=$?
    # UDP behind load balancers (shared address, B relaying for A, vs danted); alone: --udp-shared.
    node "$BENCH_DIR/udp-shared.mjs" "${QUICK[@]}" || RC=$?
    # Cluster quotas: accounting cost and overshoot with 3 proxies; alone: `npm run bench -- quota`.
    node "$BENCH_DIR/quota-bench.mjs" "${QUICK[@]}" || RC=$?
    ;;
esac
exit $RC
