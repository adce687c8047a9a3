#!/usr/bin/env bash
# Starts a throwaway etcd on loopback for trying the control plane by hand:
#
#   bash scripts/etcd-dev.sh            one member, client URL http://127.0.0.1:2379
#   bash scripts/etcd-dev.sh 3          three members, client URLs :2379 :2381 :2383
#
# Data lives in a temporary directory removed on exit (Ctrl-C stops every member). Uses
# Debian's etcd (package etcd-server: `bash scripts/install-test-tools.sh --only apt`) or
# $SOCKSCALE_ETCD. The feature tests start their own etcd (test/helpers/etcd.ts) on free ports.
set -euo pipefail
MEMBERS=${1:-1}
ETCD=${SOCKSCALE_ETCD:-/usr/bin/etcd}
[ -x "$ETCD" ] || { echo "etcd not found at $ETCD: run bash scripts/install-test-tools.sh --only apt" >&2; exit 1; }
case $MEMBERS in 1|3) ;; *) echo "usage: $0 [1|3]" >&2; exit 2 ;; esac
DIR=$(mktemp -d "${TMPDIR:-/tmp}/sockscale-etcd-dev.XXXXXX")
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$DIR"; }
trap cleanup EXIT INT TERM

CLUSTER=""
for i in $(seq 0 $((MEMBERS - 1))); do
  CLUSTER+="${CLUSTER:+,}n$i=http://127.0.0.1:$((2380 + 2 * i))"
done
URLS=""
for i in $(seq 0 $((MEMBERS - 1))); do
  client=http://127.0.0.1:$((2379 + 2 * i))
  peer=http://127.0.0.1:$((2380 + 2 * i))
  URLS+="${URLS:+,}$client"
  "$ETCD" --name "n$i" --data-dir "$DIR/n$i" \
    --listen-client-urls "$client" --advertise-client-urls "$client" \
    --listen-peer-urls "$peer" --initial-advertise-peer-urls "$peer" \
    --initial-cluster "$CLUSTER" --initial-cluster-state new --log-level warn &
  PIDS+=($!)
done
echo "etcd ($MEMBERS member(s)) on $URLS; data in $DIR"
echo "try: sockscale control --etcd $URLS --store ... (see README, Control plane)"
wait
