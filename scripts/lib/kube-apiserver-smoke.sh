#!/usr/bin/env bash
# Starts etcd + kube-apiserver on loopback (random free ports, temp dirs), checks that
# kubectl and helm can talk to it, prints the timings, and stops everything it started.
# The flags are the ones documented in scripts/lib/kube-apiserver-recipe.md.
#
#   scripts/install-test-tools.sh && scripts/lib/kube-apiserver-smoke.sh
#
# Tools come from $SOCKSCALE_TOOLS_DIR/env.sh (written by install-test-tools.sh) or from
# SOCKSCALE_TOOL_ETCD / SOCKSCALE_TOOL_KUBE_APISERVER / SOCKSCALE_TOOL_KUBECTL / SOCKSCALE_TOOL_HELM.
# KEEP=1 leaves the temp dir (logs) in place.
set -euo pipefail

TOOLS_DIR="${SOCKSCALE_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/sockscale/tools}"
if [[ -z ${SOCKSCALE_TOOL_KUBE_APISERVER:-} && -f $TOOLS_DIR/env.sh ]]; then
  # shellcheck disable=SC1091
  source "$TOOLS_DIR/env.sh"
fi
ETCD=${SOCKSCALE_TOOL_ETCD:-etcd}
APISERVER=${SOCKSCALE_TOOL_KUBE_APISERVER:?run scripts/install-test-tools.sh first}
KUBECTL=${SOCKSCALE_TOOL_KUBECTL:?run scripts/install-test-tools.sh first}
HELM=${SOCKSCALE_TOOL_HELM:-}
PY=${SOCKSCALE_TOOL_PYTHON:-/usr/bin/python3}

say() { printf '[kube-smoke] %s\n' "$*" >&2; }
ms() { date +%s%3N; }

# etcd fsyncs every write (etcd 3.4 has no --unsafe-no-fsync): a tmpfs makes start-up faster.
base=${SMOKE_TMP:-/dev/shm}
[[ -d $base && -w $base ]] || base=${TMPDIR:-/tmp}
work=$(mktemp -d "$base/sockscale-kube-smoke.XXXXXX")
ETCD_PID="" API_PID=""
cleanup() {
  local rc=$?
  for pid in $API_PID $ETCD_PID; do
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  if ((rc != 0)); then
    say "FAILED; last lines of the logs:"
    tail -n 30 "$work/etcd.log" "$work/kube-apiserver.log" 2>/dev/null | sed 's/^/    /' >&2 || true
  fi
  if [[ ${KEEP:-0} == 1 || $rc != 0 ]]; then say "logs kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# Three free loopback ports (bind to :0 and release; good enough for a smoke test).
read -r ETCD_PORT PEER_PORT API_PORT < <("$PY" -c '
import socket
ss=[socket.socket() for _ in range(3)]
for s in ss: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])
for s in ss: s.close()')

# --- etcd
t0=$(ms)
"$ETCD" --name smoke --data-dir "$work/etcd" \
  --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls "http://127.0.0.1:$PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$PEER_PORT" \
  --initial-cluster "smoke=http://127.0.0.1:$PEER_PORT" \
  --logger zap --log-level warn \
  >"$work/etcd.log" 2>&1 &
ETCD_PID=$!
for _ in $(seq 200); do
  curl -fsS "http://127.0.0.1:$ETCD_PORT/health" >/dev/null 2>&1 && break
  kill -0 "$ETCD_PID" 2>/dev/null || { say "etcd exited"; exit 1; }
  sleep 0.05
done
curl -fsS "http://127.0.0.1:$ETCD_PORT/health" >/dev/null || { say "etcd not healthy"; exit 1; }
t_etcd=$(($(ms) - t0))
say "etcd $("$ETCD" --version | head -1 | awk '{print $NF}') healthy on 127.0.0.1:$ETCD_PORT in ${t_etcd} ms"

# --- credentials: service-account signing key and a static admin token
openssl genrsa -out "$work/sa.key" 2048 2>/dev/null
openssl rsa -in "$work/sa.key" -pubout -out "$work/sa.pub" 2>/dev/null
TOKEN=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
echo "$TOKEN,admin,admin,system:masters" >"$work/tokens.csv"

# --- kube-apiserver
t0=$(ms)
"$APISERVER" \
  --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
  --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$API_PORT" \
  --endpoint-reconciler-type=none \
  --cert-dir="$work/certs" \
  --token-auth-file="$work/tokens.csv" \
  --authorization-mode=RBAC \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-key-file="$work/sa.pub" \
  --service-account-signing-key-file="$work/sa.key" \
  --service-cluster-ip-range=10.96.0.0/16 \
  --disable-admission-plugins=ServiceAccount \
  --allow-privileged=true \
  >"$work/kube-apiserver.log" 2>&1 &
API_PID=$!
ready=0
for _ in $(seq 1200); do
  if curl -fsSk -H "Authorization: Bearer $TOKEN" "https://127.0.0.1:$API_PORT/readyz" >/dev/null 2>&1; then ready=1; break; fi
  kill -0 "$API_PID" 2>/dev/null || { say "kube-apiserver exited"; exit 1; }
  sleep 0.05
done
((ready)) || { say "kube-apiserver not ready after 60 s"; exit 1; }
t_api=$(($(ms) - t0))
say "kube-apiserver ready (/readyz) on https://127.0.0.1:$API_PORT in ${t_api} ms"

# --- clients
K=("$KUBECTL" --server "https://127.0.0.1:$API_PORT" --token "$TOKEN" --insecure-skip-tls-verify)
"${K[@]}" get ns
cat >"$work/cm.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata: {name: smoke, namespace: default}
data: {hello: world}
EOF
"${K[@]}" apply -f "$work/cm.yaml"
"${K[@]}" get configmap smoke -o jsonpath='{.data.hello}' | grep -qx world
"${K[@]}" version 2>&1 | sed 's/^/    /' >&2
# The same through a kubeconfig file.
cat >"$work/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters: [{name: smoke, cluster: {server: "https://127.0.0.1:$API_PORT", insecure-skip-tls-verify: true}}]
users: [{name: admin, user: {token: "$TOKEN"}}]
contexts: [{name: smoke, context: {cluster: smoke, user: admin}}]
current-context: smoke
EOF
"$KUBECTL" --kubeconfig "$work/kubeconfig" auth can-i '*' '*' | grep -qx yes
if [[ -n $HELM ]]; then
  mkdir -p "$work/chart/templates"
  printf 'apiVersion: v2\nname: smoke\nversion: 0.1.0\n' >"$work/chart/Chart.yaml"
  printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-helm}\ndata: {kube: "{{ .Capabilities.KubeVersion }}"}\n' >"$work/chart/templates/cm.yaml"
  "$HELM" --kubeconfig "$work/kubeconfig" install smoke "$work/chart" --namespace default >/dev/null
  "$HELM" --kube-apiserver "https://127.0.0.1:$API_PORT" --kube-token "$TOKEN" --kube-insecure-skip-tls-verify list -A | grep -q '^smoke'
  say "helm install + list against the apiserver: ok (.Capabilities.KubeVersion=$("${K[@]}" get cm from-helm -o jsonpath='{.data.kube}'))"
fi

# Stop both (apiserver first) and time it.
t0=$(ms)
kill "$API_PID"; wait "$API_PID" 2>/dev/null || true
t_api_stop=$(($(ms) - t0))
t0=$(ms)
kill "$ETCD_PID"; wait "$ETCD_PID" 2>/dev/null || true
t_etcd_stop=$(($(ms) - t0))
echo "etcd_ready_ms=$t_etcd"
echo "kube_apiserver_ready_ms=$t_api"
echo "kube_apiserver_stop_ms=$t_api_stop"
echo "etcd_stop_ms=$t_etcd_stop"
say "ok"
