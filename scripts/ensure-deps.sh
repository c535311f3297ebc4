#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian machine, skipping whatever is already there:
# Node packages (the official phoenix client), Debian's Chromium (browser tests), RabbitMQ and Redis (cluster tests),
# which it also starts when they are not running. It stops nothing.
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
apt_install chromium rabbitmq-server redis-server

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

# Redis does not start on install here either (and no system service is relied on): unless a Redis already answers on
# FENIX_TEST_REDIS_PORT (default 6379, the port the docs and the tests use), start one on loopback, without persistence,
# daemonized with its own pid and log files. Tests that need a Redis outage start their own redis-server on a free port.
ensure_redis() {
  local port="${FENIX_TEST_REDIS_PORT:-6379}"
  local dir="${TMPDIR:-/tmp}/fenix-redis-$port"
  if [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = "PONG" ]; then
    return
  fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "Port $port on 127.0.0.1 is taken by something that is not Redis; set FENIX_TEST_REDIS_PORT to a free port." >&2
    exit 1
  fi
  echo "Starting Redis on 127.0.0.1:$port..."
  mkdir -p "$dir"
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" \
    --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
  for _ in $(seq 1 50); do
    [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = "PONG" ] && return
    sleep 0.1
  done
  echo "Redis did not start on 127.0.0.1:$port; see $dir/redis.log" >&2
  exit 1
}
ensure_redis

for dir in tests/Fenix.IntegrationTests/js tests/Fenix.Templates.Tests/js samples/Chat samples/Demo; do
  if [ ! -d "$root/$dir/node_modules" ] || [ "$root/$dir/package-lock.json" -nt "$root/$dir/node_modules" ]; then
    (cd "$root/$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done
