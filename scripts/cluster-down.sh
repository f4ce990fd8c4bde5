#!/usr/bin/env bash
# Stops a control plane started by scripts/cluster-up.sh, or left behind by a killed e2e run:
# every process listed in <state dir>/pids (checked against the binary recorded there, so a reused
# pid is never hit) gets SIGTERM, then SIGKILL after 10 s. Removes the state dir unless --keep.
#   scripts/cluster-down.sh [STATE_DIR] [--keep]     (default: the last cluster-up.sh state dir)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
keep=0
state_dir=""
for a in "$@"; do
  case "$a" in
    --keep) keep=1 ;;
    *) state_dir="$a" ;;
  esac
done
last="$root/test/k8s-harness/.cache/last-cluster"
if [ -z "$state_dir" ] && [ -f "$last" ]; then state_dir="$(cat "$last")"; fi
if [ -z "$state_dir" ] || [ ! -f "$state_dir/pids" ]; then
  echo "cluster-down: no pids file (state dir: ${state_dir:-none}); nothing to stop"
  exit 0
fi

ours() { # <pid> <binary>: still the process we started?
  # The process may exit between the check and the read: that is "not ours any more", silently.
  [ "$({ tr '\0' '\n' < "/proc/$1/cmdline"; } 2>/dev/null | head -1)" = "$2" ]
}
pids=()
# Reverse start order: schedulers, then the apiserver, etcd last.
while read -r name pid binary; do
  if ours "$pid" "$binary"; then
    echo "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    pids+=("$pid:$binary")
  fi
done < <(tac "$state_dir/pids")
for _ in $(seq 1 100); do
  remaining=0
  for entry in "${pids[@]}"; do ours "${entry%%:*}" "${entry#*:}" && remaining=1; done
  [ "$remaining" = 0 ] && break
  sleep 0.1
done
for entry in "${pids[@]}"; do
  if ours "${entry%%:*}" "${entry#*:}"; then echo "killing pid ${entry%%:*}"; kill -KILL "${entry%%:*}" 2>/dev/null || true; fi
done
if [ "$keep" = 0 ]; then
  rm -rf "$state_dir"
  [ -f "$last" ] && [ "$(cat "$last")" = "$state_dir" ] && rm -f "$last"
fi
echo "cluster-down: stopped ${#pids[@]} process(es)"
