#!/usr/bin/env bash
# What stays alive per idle connection, object by object: starts SERVER with N idle joined connections
# (fenix-bench idle --hold), takes a heap snapshot with dotnet-gcdump, and prints the live types that have at least one
# instance per two connections, in bytes per connection (largest first), then their sum.
#
#   bench/heap-per-connection.sh [fenix|kestrel-ws|signalr|chat] [N] [OUT_DIR]     # needs dotnet-gcdump on PATH
set -euo pipefail
cd "$(dirname "$0")/.."
server="${1:-fenix}"
n="${2:-5000}"
out="${3:-/tmp/fenix-heap}"
mkdir -p "$out"
log="$out/idle-$server.log"
gcdump="$(command -v dotnet-gcdump || echo "$HOME/.dotnet/tools/dotnet-gcdump")"
dotnet run -c Release --no-build --project bench/Fenix.Bench -- idle --server "$server" -n "$n" --hold 60 \
  --json "$out/idle-$server.json" > "$log" 2>&1 &
bench=$!
pid=""
for _ in $(seq 1 600); do
  pid=$(sed -n 's/.*holding the [a-z-]* server (pid \([0-9]*\)).*/\1/p' "$log")
  [ -n "$pid" ] && break
  sleep 1
done
[ -n "$pid" ] || { echo "the server did not come up: see $log" >&2; kill "$bench"; exit 1; }
"$gcdump" collect -p "$pid" -o "$out/idle-$server.gcdump" > /dev/null
"$gcdump" report "$out/idle-$server.gcdump" > "$out/idle-$server.heap.txt"
wait "$bench" || true
# Report lines: "<bytes per object (total for one-offs)> <count> <type> [<assembly>]".
awk -v n="$n" '
  match($0, /^ *[0-9,]+ +[0-9,]+ +/) {
    size = $1; count = $2; gsub(",", "", size); gsub(",", "", count); size += 0; count += 0  # numbers, not strings
    type = substr($0, RLENGTH + 1); sub(/ +\[[^]]*\] *$/, "", type)
    if (count >= n / 2) { bytes[type] += size * count; counts[type] += count }
  }
  END {
    for (t in bytes) { printf "%8.0f B/conn %6.2f/conn  %s\n", bytes[t] / n, counts[t] / n, t; total += bytes[t] }
    printf "%8.0f B/conn  total of these types\n", total / n > "/dev/stderr"
  }' "$out/idle-$server.heap.txt" | sort -rn
