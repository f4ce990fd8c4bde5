#!/usr/bin/env bash
# Starts the e2e control plane on loopback (etcd, kube-apiserver, a default kube-scheduler and,
# with --scheduler-config, a second kube-scheduler) for manual use, leaving it running.
# Same code path as the e2e tests (test/e2e/cluster.ts); ports are picked free at run time.
#   scripts/cluster-up.sh [--state-dir DIR] [--scheduler-config FILE] [--no-default-scheduler]
# Prints shell exports (eval "$(scripts/cluster-up.sh)"); logs, certs and kubeconfig are in the
# state dir. Stop with scripts/cluster-down.sh. Builds the binaries first if they are missing.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
state_dir=""
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --state-dir) state_dir="$2"; shift 2 ;;
    --scheduler-config) args+=(--scheduler-config "$(realpath "$2")"); shift 2 ;;
    --no-default-scheduler) args+=(--no-default-scheduler); shift ;;
    *) echo "cluster-up: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -n "$state_dir" ] || state_dir="$(mktemp -d "${TMPDIR:-/tmp}/climatik-cluster-XXXXXX")"
mkdir -p "$state_dir" "$root/test/k8s-harness/.cache"

bash "$root/scripts/build-control-plane.sh" >&2
# Remembered so cluster-down.sh without arguments finds it.
echo "$state_dir" > "$root/test/k8s-harness/.cache/last-cluster"
cd "$root"
# tap's TypeScript loader (a dependency of tap) runs the harness without a build step.
exec node --import=@tapjs/typescript/import test/e2e/cluster-main.ts --state-dir "$state_dir" "${args[@]}"
