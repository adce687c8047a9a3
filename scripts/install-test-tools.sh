#!/usr/bin/env bash
# Makes sure the external tools the test suite needs exist, installing or
# building only what is missing, and prints where each one is.
#
#   scripts/install-test-tools.sh                 # everything
#   scripts/install-test-tools.sh --only kube     # subset: apt, helm, kube (comma list ok)
#   scripts/install-test-tools.sh --check         # report only; exit 1 if anything is missing
#
# Tools:
#   apt   Debian packages: curl etcd-server python3-socks iproute2 dante-server
#         microsocks procps openssl (apt-get update runs only when an install is needed)
#   helm  helm v3, built from the Go module proxy (go install)
#   kube  kube-apiserver and kubectl, built from the Go module proxy. k8s.io/kubernetes
#         is not `go install`-able (its go.mod replaces the k8s.io/* staging modules with
#         ./staging/... directories, which the module zip does not contain), so a throwaway
#         module requires k8s.io/kubernetes and replaces each staging module with its
#         published v0.X.Y release, then `go build`s cmd/kube-apiserver and cmd/kubectl.
#
# Built binaries are cached outside the repo, keyed by version (a version bump rebuilds):
#   ${SOCKSCALE_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/sockscale/tools}/bin/<tool>-<version>
# with an unversioned symlink <tool> -> <tool>-<version> beside it.
# At the end it prints key=path lines and writes <tools dir>/env.sh, which exports PATH
# and SOCKSCALE_TOOL_{ETCD,HELM,KUBE_APISERVER,KUBECTL,PYTHON} plus SOCKSCALE_TOOLS_DIR (one `export K='v'` a line).
#
# Environment: SOCKSCALE_TOOLS_DIR, SOCKSCALE_HELM_VERSION, SOCKSCALE_KUBE_VERSION, GO
# (go binary), GOCACHE/GOMODCACHE (Go's defaults are kept; set under the tools dir only if
# Go has none, e.g. without $HOME).
set -Eeuo pipefail

HELM_VERSION="${SOCKSCALE_HELM_VERSION:-v3.22.0}"
KUBE_VERSION="${SOCKSCALE_KUBE_VERSION:-v1.37.2}"
TOOLS_DIR="${SOCKSCALE_TOOLS_DIR:-${XDG_CACHE_HOME:-${HOME:?HOME is unset; set SOCKSCALE_TOOLS_DIR}/.cache}/sockscale/tools}"
BIN_DIR="$TOOLS_DIR/bin"
LOG_DIR="$TOOLS_DIR/logs"
SYS_PYTHON=/usr/bin/python3
# The packages this script installs with apt; each checked by a file it provides.
APT_PACKAGES=(curl etcd-server python3-socks iproute2 dante-server microsocks procps openssl)

PROG="install-test-tools"
log() { printf '[%s] %s\n' "$PROG" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "$PROG" "$*" >&2; exit 1; }
# fail TOOL RC LOGFILE CMD... : report a failed command clearly and exit non-zero.
fail() {
  local tool=$1 rc=$2 logfile=$3; shift 3
  printf '[%s] ERROR: installing %s failed (exit %s) in command:\n  %s\n' "$PROG" "$tool" "$rc" "$*" >&2
  if [[ -n $logfile && -s $logfile ]]; then
    printf '[%s] last lines of %s:\n' "$PROG" "$logfile" >&2
    tail -n 40 "$logfile" | sed 's/^/    /' >&2
  fi
  exit "$rc"
}
# run TOOL CMD... : run with output passed through; on failure name the tool and command.
run() {
  local tool=$1; shift
  local rc=0
  "$@" || rc=$?
  ((rc == 0)) || fail "$tool" "$rc" "" "$@"
}
# run_logged TOOL LOGFILE CMD... : run with output appended to LOGFILE.
run_logged() {
  local tool=$1 logfile=$2; shift 2
  local rc=0
  printf '+ %s\n' "$*" >>"$logfile"
  "$@" >>"$logfile" 2>&1 || rc=$?
  ((rc == 0)) || fail "$tool" "$rc" "$logfile" "$@"
}
now() { date +%s; }
elapsed() { local s=$(($(now) - $1)); printf '%dm%02ds' $((s / 60)) $((s % 60)); }

usage() { sed -n '2,/^set -E/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }

ONLY="apt,helm,kube"
CHECK=0
while (($#)); do
  case $1 in
    --only) [[ $# -ge 2 ]] || die "--only needs an argument: apt|helm|kube"; ONLY=$2; shift 2 ;;
    --only=*) ONLY=${1#--only=}; shift ;;
    --check) CHECK=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
DO_APT=0 DO_HELM=0 DO_KUBE=0
IFS=',' read -ra _parts <<<"$ONLY"
for p in "${_parts[@]}"; do
  case $p in
    apt) DO_APT=1 ;;
    helm) DO_HELM=1 ;;
    kube) DO_KUBE=1 ;;
    *) die "--only: unknown part '$p' (use apt, helm, kube or a comma list)" ;;
  esac
done

HELM_BIN="$BIN_DIR/helm-$HELM_VERSION"
KUBE_APISERVER_BIN="$BIN_DIR/kube-apiserver-$KUBE_VERSION"
KUBECTL_BIN="$BIN_DIR/kubectl-$KUBE_VERSION"

# ---------------------------------------------------------------- apt packages
# apt_file PKG: the file whose presence shows PKG is installed.
apt_file() {
  case $1 in
    curl) echo /usr/bin/curl ;;
    etcd-server) echo /usr/bin/etcd ;;
    python3-socks) echo "$SYS_PYTHON" ;;
    iproute2) echo /usr/bin/ip ;;
    dante-server) echo /usr/sbin/danted ;;
    microsocks) echo /usr/bin/microsocks ;;
    procps) echo /usr/bin/ps ;;
    openssl) echo /usr/bin/openssl ;;
    *) die "internal: no file known for package $1" ;;
  esac
}
apt_present() {
  local f
  f=$(apt_file "$1")
  if [[ $1 == iproute2 && ! -x $f && -x /sbin/ip ]]; then return 0; fi
  [[ -x $f ]] || return 1
  if [[ $1 == python3-socks ]]; then "$SYS_PYTHON" -c 'import socks' >/dev/null 2>&1 || return 1; fi
  return 0
}
apt_missing() {
  local p out=()
  for p in "${APT_PACKAGES[@]}"; do apt_present "$p" || out+=("$p"); done
  echo "${out[*]-}"
}

install_apt() {
  local missing
  missing=$(apt_missing)
  if [[ -z $missing ]]; then return 0; fi
  log "apt: missing packages: $missing"
  command -v apt-get >/dev/null 2>&1 ||
    die "apt: apt-get not found; install these Debian packages (or equivalents) by hand: $missing"
  local -a sudo=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null 2>&1 || die "apt: not root and no sudo; run as root: apt-get install $missing"
    sudo=(sudo -n)
  fi
  # In containers, keep package postinst scripts from starting services (etcd on :2379,
  # danted); a policy-rc.d that already exists is left as it is.
  local policy=/usr/sbin/policy-rc.d made_policy=0
  if [[ ! -e $policy ]] && ((EUID == 0)); then
    printf '#!/bin/sh\n# temporary, from sockscale install-test-tools.sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && made_policy=1
  fi
  local rc=0
  (
    export DEBIAN_FRONTEND=noninteractive
    # shellcheck disable=SC2086
    run apt "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
      run apt "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o Dpkg::Use-Pty=0 --no-install-recommends $missing
  ) || rc=$?
  if ((made_policy)); then rm -f "$policy"; fi
  ((rc == 0)) || exit "$rc"
  missing=$(apt_missing)
  [[ -z $missing ]] || die "apt: still missing after apt-get install: $missing (for python3-socks: $SYS_PYTHON -c 'import socks' must work)"
}

# ---------------------------------------------------------------- Go setup
GO_BIN=""
setup_go() {
  [[ -n $GO_BIN ]] && return 0
  if [[ -n ${GO:-} ]]; then GO_BIN=$GO
  elif command -v go >/dev/null 2>&1; then GO_BIN=$(command -v go)
  elif [[ -x /usr/local/go/bin/go ]]; then GO_BIN=/usr/local/go/bin/go
  else die "Go not found (needed to build helm/kube-apiserver/kubectl): put go on PATH or set GO=/path/to/go"
  fi
  # Keep Go's defaults; only fill in caches Go cannot place itself (e.g. no $HOME).
  local gocache gomodcache
  gocache=$("$GO_BIN" env GOCACHE 2>/dev/null || true)
  gomodcache=$("$GO_BIN" env GOMODCACHE 2>/dev/null || true)
  if [[ -z $gocache || $gocache == off ]]; then export GOCACHE="$TOOLS_DIR/go/cache"; fi
  if [[ -z $gomodcache ]]; then export GOMODCACHE="$TOOLS_DIR/go/mod"; fi
  case " ${GOFLAGS:-} " in *" -trimpath "*) ;; *) export GOFLAGS="${GOFLAGS:+$GOFLAGS }-trimpath" ;; esac
  export CGO_ENABLED=0 # static binaries, as upstream releases are built
  export GO111MODULE=on
  log "go: $("$GO_BIN" version) (GOCACHE=$("$GO_BIN" env GOCACHE) GOMODCACHE=$("$GO_BIN" env GOMODCACHE))"
}

# gomod_download MODULE@VERSION : prints the path of the module's go.mod in the module cache.
gomod_download() {
  local tool=$1 mv=$2 logfile=$3 out rc=0
  out=$(cd / && "$GO_BIN" mod download -json "$mv" 2>>"$logfile") || rc=$?
  # -json reports module errors in its output ("Error": ...), not on stderr.
  if ((rc != 0)); then printf '%s\n' "$out" >>"$logfile"; fail "$tool" "$rc" "$logfile" "$GO_BIN" mod download -json "$mv"; fi
  sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p' <<<"$out"
}

# A background go build with a progress line every 30 s.
BG_PID=""
TMP_DIRS=()
cleanup() {
  if [[ -n $BG_PID ]]; then kill "$BG_PID" 2>/dev/null || true; wait "$BG_PID" 2>/dev/null || true; fi
  if ((${#TMP_DIRS[@]})); then rm -rf "${TMP_DIRS[@]}"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# go_with_progress TOOL LOGFILE TOTAL CMD... (CMD should use -v so each compiled package is a line)
go_with_progress() {
  local tool=$1 logfile=$2 total=$3; shift 3
  local start n rc=0 lines0
  start=$(now)
  printf '+ %s\n' "$*" >>"$logfile"
  lines0=$(wc -l <"$logfile")
  "$@" >>"$logfile" 2>&1 &
  BG_PID=$!
  local t=0
  while kill -0 "$BG_PID" 2>/dev/null; do
    sleep 1
    t=$((t + 1))
    if ((t % 30 == 0)); then
      n=$(($(wc -l <"$logfile") - lines0))
      log "$tool: building... $(elapsed "$start") elapsed, ~$n${total:+ of ~$total} packages compiled (log: $logfile)"
    fi
  done
  wait "$BG_PID" || rc=$?
  BG_PID=""
  ((rc == 0)) || fail "$tool" "$rc" "$logfile" "$@"
}

# link_current NAME VERSIONED_PATH : unversioned symlink for PATH use.
link_current() { ln -sfn "$(basename "$2")" "$BIN_DIR/$1"; }

# ---------------------------------------------------------------- helm
install_helm() {
  if [[ -x $HELM_BIN ]]; then link_current helm "$HELM_BIN"; return 0; fi
  setup_go
  mkdir -p "$BIN_DIR" "$LOG_DIR"
  local logfile="$LOG_DIR/helm-$HELM_VERSION.log" start tmp gomod k8s_minor
  : >"$logfile"
  start=$(now)
  log "helm: building helm $HELM_VERSION from the Go module proxy (log: $logfile)"
  gomod=$(gomod_download helm "helm.sh/helm/v3@$HELM_VERSION" "$logfile")
  # Upstream's Makefile stamps the version and the default Kubernetes version for
  # .Capabilities (from its client-go v0.X.Y => 1.X); without them helm reports v3.N / 1.20.
  k8s_minor=$(awk '$1=="k8s.io/client-go"{split($2,a,"."); print a[2]; exit}' "$gomod")
  local ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
  if [[ $k8s_minor =~ ^[0-9]+$ ]]; then
    local p
    for p in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
      ldflags+=" -X $p.k8sVersionMajor=1 -X $p.k8sVersionMinor=$k8s_minor"
    done
  fi
  tmp=$(mktemp -d "$TOOLS_DIR/.helm-build.XXXXXX")
  TMP_DIRS+=("$tmp")
  go_with_progress helm "$logfile" "" env GOBIN="$tmp" "$GO_BIN" install -v -ldflags="$ldflags" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
  mv -f "$tmp/helm" "$HELM_BIN"
  rm -rf "$tmp"
  link_current helm "$HELM_BIN"
  log "helm: built $HELM_BIN in $(elapsed "$start")"
}

# ---------------------------------------------------------------- kube-apiserver, kubectl
install_kube() {
  local want=() pkgs=() name
  [[ -x $KUBE_APISERVER_BIN ]] || want+=(kube-apiserver)
  [[ -x $KUBECTL_BIN ]] || want+=(kubectl)
  if ((${#want[@]} == 0)); then
    link_current kube-apiserver "$KUBE_APISERVER_BIN"
    link_current kubectl "$KUBECTL_BIN"
    return 0
  fi
  setup_go
  mkdir -p "$BIN_DIR" "$LOG_DIR"
  local v=$KUBE_VERSION
  [[ $v =~ ^v1\.([0-9]+)\.([0-9]+)$ ]] || die "kube: SOCKSCALE_KUBE_VERSION must look like v1.N.M, got '$v'"
  local minor=${BASH_REMATCH[1]} staging_v="v0.${v#v1.}"
  local logfile="$LOG_DIR/kubernetes-$v.log" start
  : >"$logfile"
  start=$(now)
  log "kube: building ${want[*]} $v from the Go module proxy; this takes many minutes on 2 cores (log: $logfile)"

  # 1. kubernetes' own go.mod: go version, godebug defaults and the staging modules.
  local kmod
  kmod=$(gomod_download kube "k8s.io/kubernetes@$v" "$logfile")
  [[ -f $kmod ]] || fail kube 1 "$logfile" "$GO_BIN" mod download -json "k8s.io/kubernetes@$v"
  local gover godebugs staging
  gover=$(awk '$1=="go"{print $2; exit}' "$kmod")
  godebugs=$(awk '$1=="godebug" && $2!="(" {print $2} /^godebug \(/{b=1; next} b && /^\)/{b=0} b && NF {print $1}' "$kmod")
  # Modules that kubernetes replaces with ./staging/src/... and requires (at v0.0.0).
  staging=$(awk '
    /^replace \(/ {r=1; next} /^require \(/ {q=1; next} /^\)/ {r=0; q=0; next}
    { line=$0; sub(/^(replace|require)[[:space:]]+/, "", line); n=split(line, f, /[[:space:]]+/); if (f[1]=="") {for(i=1;i<n;i++) f[i]=f[i+1]; n--} }
    (r || $1=="replace") && f[2]=="=>" && f[3] ~ /^\.\/staging\// {st[f[1]]=1}
    (q || $1=="require") && f[2]=="v0.0.0" {rq[f[1]]=1}
    END {for (m in st) if (m in rq) print m}' "$kmod" | sort)
  [[ -n $staging ]] || fail kube 1 "$logfile" "parse staging modules from $kmod"
  log "kube: k8s.io/kubernetes $v (go $gover); $(wc -w <<<"$staging") staging modules at $staging_v"

  # 2. The throwaway module.
  local bdir="$TOOLS_DIR/build/kubernetes-$v"
  rm -rf "$bdir"
  mkdir -p "$bdir"
  {
    echo "// Generated by scripts/install-test-tools.sh to build kubernetes binaries; safe to delete."
    echo "module sockscale.local/kube-tools"
    echo
    echo "go $gover"
    local g m
    for g in $godebugs; do echo "godebug $g"; done
    echo
    echo "replace ("
    for m in $staging; do echo "	$m => $m $staging_v"; done
    echo ")"
  } >"$bdir/go.mod"
  for name in "${want[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$name"); done
  local pkgs_at=()
  for name in "${pkgs[@]}"; do pkgs_at+=("$name@$v"); done
  log "kube: resolving modules (go get ${pkgs_at[*]})"
  run_logged kube "$logfile" "$GO_BIN" -C "$bdir" get "${pkgs_at[@]}"

  # 3. Build, with upstream's tags and version stamping (hack/lib/golang.sh, version.sh).
  local tags="selinux,notest,grpcnotrace" build_date ldflags="-s -w" kv
  build_date=$(sed -n 's/.*"Time":"\([^"]*\)".*/\1/p' "${kmod%.mod}.info" 2>/dev/null | sed 's/\.[0-9]*Z$/Z/')
  [[ -n $build_date ]] || build_date="1970-01-01T00:00:00Z"
  for kv in "gitVersion=$v" "gitMajor=1" "gitMinor=$minor" "gitTreeState=clean" "buildDate=$build_date"; do
    ldflags+=" -X k8s.io/client-go/pkg/version.$kv -X k8s.io/component-base/version.$kv"
  done
  local total tmp
  total=$("$GO_BIN" -C "$bdir" list -tags="$tags" -deps "${pkgs[@]}" 2>>"$logfile" | wc -l) || total="?"
  tmp=$(mktemp -d "$TOOLS_DIR/.kube-build.XXXXXX")
  TMP_DIRS+=("$tmp")
  log "kube: compiling ${want[*]} (~$total packages)"
  go_with_progress kube "$logfile" "$total" "$GO_BIN" -C "$bdir" build -v -tags="$tags" -ldflags="$ldflags" -o "$tmp/" "${pkgs[@]}"
  for name in "${want[@]}"; do
    [[ -x $tmp/$name ]] || fail kube 1 "$logfile" "go build did not produce $tmp/$name"
    mv -f "$tmp/$name" "$BIN_DIR/$name-$v"
  done
  rm -rf "$tmp"
  link_current kube-apiserver "$KUBE_APISERVER_BIN"
  link_current kubectl "$KUBECTL_BIN"
  log "kube: built ${want[*]} $v in $(elapsed "$start")"
}

# ---------------------------------------------------------------- check / report
report_missing() {
  local missing=() m
  if ((DO_APT)); then
    m=$(apt_missing)
    [[ -z $m ]] || missing+=("apt packages: $m")
  fi
  if ((DO_HELM)); then [[ -x $HELM_BIN ]] || missing+=("helm $HELM_VERSION ($HELM_BIN)"); fi
  if ((DO_KUBE)); then
    [[ -x $KUBE_APISERVER_BIN ]] || missing+=("kube-apiserver $KUBE_VERSION ($KUBE_APISERVER_BIN)")
    [[ -x $KUBECTL_BIN ]] || missing+=("kubectl $KUBE_VERSION ($KUBECTL_BIN)")
  fi
  if ((${#missing[@]})); then
    for m in "${missing[@]}"; do echo "missing: $m"; done
    return 1
  fi
  return 0
}

# key path pairs for the tools that exist
declare -a KEYS=() PATHS=()
add_key() { if [[ -e $2 ]]; then KEYS+=("$1"); PATHS+=("$2"); fi; }
collect() {
  local p f
  for p in "${APT_PACKAGES[@]}"; do
    f=$(apt_file "$p")
    case $p in
      etcd-server) add_key etcd "$f" ;;
      python3-socks) add_key python "$f" ;;
      iproute2) if [[ -x $f ]]; then add_key ip "$f"; else add_key ip /sbin/ip; fi ;;
      dante-server) add_key danted "$f" ;;
      *) add_key "$(basename "$f")" "$f" ;;
    esac
  done
  add_key helm "$HELM_BIN"
  add_key kube-apiserver "$KUBE_APISERVER_BIN"
  add_key kubectl "$KUBECTL_BIN"
}
sq() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
write_env() {
  mkdir -p "$TOOLS_DIR"
  local f="$TOOLS_DIR/env.sh" tmp i k var
  tmp=$(mktemp "$TOOLS_DIR/.env.XXXXXX")
  {
    echo "# Generated by scripts/install-test-tools.sh; regenerated on every run."
    echo "export SOCKSCALE_TOOLS_DIR=$(sq "$TOOLS_DIR")"
    echo "case \":\$PATH:\" in *:$(sq "$BIN_DIR"):*) ;; *) export PATH=$(sq "$BIN_DIR"):\"\$PATH\" ;; esac"
    for i in "${!KEYS[@]}"; do
      k=${KEYS[$i]}
      case $k in
        etcd) var=SOCKSCALE_TOOL_ETCD ;; helm) var=SOCKSCALE_TOOL_HELM ;; kube-apiserver) var=SOCKSCALE_TOOL_KUBE_APISERVER ;;
        kubectl) var=SOCKSCALE_TOOL_KUBECTL ;; python) var=SOCKSCALE_TOOL_PYTHON ;; *) continue ;;
      esac
      echo "export $var=$(sq "${PATHS[$i]}")"
    done
  } >"$tmp"
  mv -f "$tmp" "$f"
  ENV_FILE=$f
}

# ---------------------------------------------------------------- main
if ((CHECK)); then
  if report_missing; then echo "all requested tools present"; exit 0; else exit 1; fi
fi

T0=$(now)
mkdir -p "$TOOLS_DIR"
if ! report_missing >/dev/null; then
  # Serialise concurrent runs (two CI jobs, a dev shell) that would build the same thing.
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$TOOLS_DIR/.lock"
    flock -n 9 || { log "another install-test-tools run holds $TOOLS_DIR/.lock; waiting"; flock 9; }
  fi
fi
if ((DO_APT)); then install_apt; fi
if ((DO_HELM)); then install_helm; fi
if ((DO_KUBE)); then install_kube; fi
report_missing >&2 || die "tools still missing after install (see above)"

collect
write_env
for i in "${!KEYS[@]}"; do echo "${KEYS[$i]}=${PATHS[$i]}"; done
echo "env=$ENV_FILE"
if (($(now) - T0 > 5)); then log "done in $(elapsed "$T0")"; fi
