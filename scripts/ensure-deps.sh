#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian machine, skipping whatever is already there:
# Node packages (the official phoenix client), Debian's Chromium (browser tests) and RabbitMQ (cluster tests),
# which it also starts when it is not running.
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
apt_install chromium rabbitmq-server

# RabbitMQ does not start on install here; start it on loopback unless it already serves. An Erlang node whose broker
# application was stopped (e.g. by an interrupted outage test) only needs `start_app`. `rabbitmqctl wait` on the pid
# file (not a bare await_startup, which fails right after -detached) waits for readiness.
ensure_rabbitmq() {
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  if $sudo rabbitmq-diagnostics -q check_running >/dev/null 2>&1; then
    return
  fi
  if $sudo rabbitmqctl -q ping >/dev/null 2>&1; then
    echo "Starting the RabbitMQ application..."
    $sudo rabbitmqctl -q start_app
  else
    echo "Starting RabbitMQ..."
    $sudo env RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 rabbitmq-server -detached
    $sudo rabbitmqctl wait --timeout 60 "/var/lib/rabbitmq/mnesia/rabbit@$(hostname).pid" >/dev/null
  fi
  $sudo rabbitmqctl -q await_startup
}
ensure_rabbitmq

for dir in tests/Fenix.IntegrationTests/js tests/Fenix.Templates.Tests/js samples/Chat samples/Demo; do
  if [ ! -d "$root/$dir/node_modules" ] || [ "$root/$dir/package-lock.json" -nt "$root/$dir/node_modules" ]; then
    (cd "$root/$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done
