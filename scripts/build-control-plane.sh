#!/usr/bin/env bash
# Builds the e2e control plane (kube-apiserver, kube-scheduler, etcd) from the upstream Go modules
# pinned in test/k8s-harness/{control-plane,etcd}/go.mod, like upstream does: CGO off, -trimpath,
# stripped, version stamped. Outputs go to test/k8s-harness/bin/<component>-<version>/ (gitignored).
# Idempotent: a component whose binaries for the pinned version already exist is skipped, so only a
# fresh machine pays the cold build. `--force` rebuilds anyway. Needs Go >= 1.25 on PATH; never
# fetches a toolchain (GOTOOLCHAIN=local). Modules come from the Go module proxy only.
# A separate step at the end builds kustomize for test/e2e/deploy.e2e.test.ts.
# Prints the directory of the binaries as the last line: `bin dir: <path>`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
harness="$root/test/k8s-harness"
force=0
[ "${1:-}" = "--force" ] && force=1

export GOTOOLCHAIN=local CGO_ENABLED=0
# Two cores on CI: one package compile per core keeps peak memory under ~2 GB per process.
# A -p in the caller's GOFLAGS comes later and wins.
export GOFLAGS="-p=2 -buildvcs=false ${GOFLAGS:-}"

command -v go >/dev/null || { echo "build-control-plane: go not found on PATH" >&2; exit 1; }

# Version of a module as resolved by the wrapper module's go.mod (a fresh machine fetches go.mod
# files from the module proxy for this; an old Go fails here naming the Go version it needs).
pinned() { (cd "$1" && go list -m -f '{{.Version}}' "$2"); }

k8s_version="$(pinned "$harness/control-plane" k8s.io/kubernetes)"
etcd_version="$(pinned "$harness/etcd" go.etcd.io/etcd/server/v3)"
[ -n "$k8s_version" ] && [ -n "$etcd_version" ] || { echo "build-control-plane: cannot read pinned versions" >&2; exit 1; }

k8s_bin="$harness/bin/kubernetes-$k8s_version"
etcd_bin="$harness/bin/etcd-$etcd_version"
log() { echo "[build-control-plane $(date -u +%H:%M:%S)] $*"; }

# k8s 1.35 stamps: without them the binaries report v0.0.0-master and the API's /version lies.
k8s_major="${k8s_version#v}"; k8s_major="${k8s_major%%.*}"
k8s_minor="${k8s_version#v*.}"; k8s_minor="${k8s_minor%%.*}"
k8s_ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  k8s_ldflags+=" -X $pkg.gitVersion=$k8s_version -X $pkg.gitMajor=$k8s_major"
  k8s_ldflags+=" -X $pkg.gitMinor=$k8s_minor -X $pkg.gitTreeState=clean"
done

build() { # <module dir> <out dir> <-o target inside out dir> <ldflags> <packages...>
  local dir="$1" out="$2" target="$3" ldflags="$4"; shift 4
  rm -rf "$out.tmp" && mkdir -p "$out.tmp"
  (cd "$dir" && go mod download && go build -trimpath -ldflags "$ldflags" -o "$out.tmp/$target" "$@")
  # Move into place only when every binary built, so a half-built dir never looks complete.
  rm -rf "$out" && mv "$out.tmp" "$out"
}

if [ "$force" = 0 ] && [ -x "$k8s_bin/kube-apiserver" ] && [ -x "$k8s_bin/kube-scheduler" ]; then
  log "kubernetes $k8s_version present in $k8s_bin, skipping"
else
  log "building kube-apiserver and kube-scheduler $k8s_version (cold: ~15-30 min on 2 cores)"
  start=$SECONDS
  build "$harness/control-plane" "$k8s_bin" "" "$k8s_ldflags" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-scheduler
  log "kubernetes built in $((SECONDS - start)) s"
fi

if [ "$force" = 0 ] && [ -x "$etcd_bin/etcd" ]; then
  log "etcd $etcd_version present in $etcd_bin, skipping"
else
  log "building etcd $etcd_version"
  start=$SECONDS
  # Explicit output name: go would name the binary after the module path ("server").
  build "$harness/etcd" "$etcd_bin" etcd "-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=$etcd_version" \
    go.etcd.io/etcd/server/v3
  log "etcd built in $((SECONDS - start)) s"
fi

# --- kustomize (renders deploy/ in test/e2e/deploy.e2e.test.ts) --------------------------------
# A separate, small step: `go install` of the upstream CLI module at a pinned version (its go.mod has
# no replace lines, so no wrapper module is needed). v5.8.2 is the newest release whose go.mod
# accepts Go 1.26 (v5.8.3 asks for 1.27). Cold: ~1.5 min incl. downloads; skipped when present.
kustomize_version=v5.8.2
kustomize_bin="$harness/bin/kustomize-$kustomize_version"
if [ "$force" = 0 ] && [ -x "$kustomize_bin/kustomize" ]; then
  log "kustomize $kustomize_version present in $kustomize_bin, skipping"
else
  log "building kustomize $kustomize_version"
  start=$SECONDS
  rm -rf "$kustomize_bin.tmp" && mkdir -p "$kustomize_bin.tmp"
  GOBIN="$kustomize_bin.tmp" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kustomize/kustomize/v5@$kustomize_version"
  rm -rf "$kustomize_bin" && mv "$kustomize_bin.tmp" "$kustomize_bin"
  log "kustomize built in $((SECONDS - start)) s"
fi
ln -sfn "kustomize-$kustomize_version/kustomize" "$harness/bin/kustomize"
"$harness/bin/kustomize" version

# Stable names the harness looks up, pointing at the pinned versions.
ln -sfn "kubernetes-$k8s_version/kube-apiserver" "$harness/bin/kube-apiserver"
ln -sfn "kubernetes-$k8s_version/kube-scheduler" "$harness/bin/kube-scheduler"
ln -sfn "etcd-$etcd_version/etcd" "$harness/bin/etcd"
"$harness/bin/kube-apiserver" --version
"$harness/bin/etcd" --version | head -1
echo "bin dir: $harness/bin"
