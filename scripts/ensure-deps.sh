#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian machine, skipping whatever is already there:
# Node packages (the official phoenix client) and Debian's Chromium (browser tests).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

apt_install() {
  local missing=()
  for package in "$@"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "Installing ${missing[*]} (Debian packages)..."
    $sudo apt-get -o DPkg::Lock::Timeout=600 update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}" >/dev/null
  fi
}

command -v node >/dev/null || { echo "Node.js is required (node 20+)"; exit 1; }
apt_install chromium

for dir in tests/Fenix.IntegrationTests/js samples/Chat; do
  if [ ! -d "$root/$dir/node_modules" ] || [ "$root/$dir/package-lock.json" -nt "$root/$dir/node_modules" ]; then
    (cd "$root/$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done
