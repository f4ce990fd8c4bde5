#!/usr/bin/env bash
# Installs the Debian packages the tests use: Chromium (status page test), a real Prometheus server (telemetry integration tests
# start it themselves on loopback with a temp config; the Debian service is never relied on) and
# Alertmanager. Idempotent: packages already installed are skipped, and apt is only touched when
# something is missing. Needs root (as CI and dev machines run). Takes no arguments.
set -euo pipefail
wanted=(prometheus prometheus-alertmanager chromium)
pkgs=()
need() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed' || pkgs+=("$1"); }
for p in "${wanted[@]}"; do need "$p"; done
if [ "${#pkgs[@]}" -gt 0 ]; then
  echo "installing: ${pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${pkgs[@]}"
else
  echo "system packages present: ${wanted[*]}"
fi
