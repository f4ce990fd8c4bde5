#!/usr/bin/env bash
# Installs the Debian packages the tests use (real Prometheus and Alertmanager, Chromium for the UI
# test). Idempotent: packages already present are skipped. Needs root (as CI and dev machines run).
set -euo pipefail
pkgs=()
need() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed' || pkgs+=("$1"); }
for p in "$@"; do need "$p"; done
if [ "${#pkgs[@]}" -gt 0 ]; then
  echo "installing: ${pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${pkgs[@]}"
fi
