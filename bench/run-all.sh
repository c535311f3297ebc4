#!/usr/bin/env bash
# Reproduces every figure of docs/benchmarks.md: each scenario against every server, the realistic shapes of issue 13
# (paced fan-out, 100 rooms x 100, idle at 5,000/15,000, big presence rooms on samples/Chat, 60,000 connections over
# several nodes), the descriptor limit, the report table and chart, and the cross-node figures of RabbitMQ and Redis
# side by side. Needs RabbitMQ and Redis running (./scripts/ensure-deps.sh). Run it on an otherwise idle machine: the
# JSON files record /proc/loadavg before and after each scenario.
#
#   bench/run-all.sh [--quick] [OUT_DIR]     # full: about 35 minutes on 2 cores; --quick: about 8 minutes, smaller sizes
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0
if [[ "${1:-}" == "--quick" ]]; then
  quick=1
  shift
fi
out="${1:-docs/benchmarks}"
mkdir -p "$out"
dotnet build -c Release Fenix.slnx --nologo -v quiet
bench=(dotnet run -c Release --no-build --project bench/Fenix.Bench --)

if ((quick)); then
  q=(--quick)
  "${bench[@]}" paced --compare --seconds 5 --json "$out/paced-1000.json"
  "${bench[@]}" idle --compare -n 5000 --json "$out/idle-5000.json"
  "${bench[@]}" chat --compare --rooms 20 --members 100 --rate 1 --seconds 3 --json "$out/chat-100x100.json"
  "${bench[@]}" presence --server chat -n 1000 --json "$out/presence-chat-1000.json"
  "${bench[@]}" cluster --quick --backend redis --json "$out/cluster.json"
  "${bench[@]}" fanout --compare "${q[@]}" --json "$out/fanout.json"
  "${bench[@]}" fanout --server fenix,fenix-history -n 1000 --repeat 2 --json "$out/history-fanout.json"
  "${bench[@]}" recovery --quick --json "$out/history-recovery.json"
  "${bench[@]}" report "$out/paced-1000.json" "$out/idle-5000.json" "$out/chat-100x100.json" "$out/presence-chat-1000.json" "$out/cluster.json" "$out/fanout.json" \
    --phoenix-svg "$out/phoenix.svg"
  dotnet run -c Release --no-build --project bench/Cluster -- --quick
  exit 0
fi

# The realistic shapes (issue 13), each server a fresh process, run back to back; the key ones twice.
"${bench[@]}" paced --compare -n 1000 --repeat 2 --json "$out/paced-1000.json"
"${bench[@]}" paced --compare -n 2000 --repeat 2 --json "$out/paced-2000.json"
"${bench[@]}" chat --compare --rooms 100 --members 100 --rate 1 --seconds 10 --json "$out/chat-100x100.json"
"${bench[@]}" idle --compare -n 5000 --repeat 2 --json "$out/idle-5000.json"
"${bench[@]}" idle --compare -n 15000 --json "$out/idle-15000.json"
for users in 1000 2000 5000; do
  "${bench[@]}" presence --server chat -n "$users" --json "$out/presence-chat-$users.json"
done
"${bench[@]}" cluster -n 60000 --nodes 4 --backend redis --repeat 2 --json "$out/cluster-60k.json"   # docs/scaling.md

# History (issue 14): on vs off side by side (alternating pairs, ratios printed), and recovery after a node restart.
"${bench[@]}" fanout --server fenix,fenix-history -n 2000 --repeat 5 --json "$out/history-fanout-2000.json"
"${bench[@]}" paced --server fenix,fenix-history -n 1000 --repeat 4 --json "$out/history-paced-1000.json"
"${bench[@]}" recovery -n 1000 -m 100 --repeat 3 --json "$out/history-recovery-1000.json"

# The burst shapes.
"${bench[@]}" idle --compare --json "$out/idle.json"
"${bench[@]}" fanout --compare --json "$out/fanout.json"
"${bench[@]}" chat --compare --json "$out/chat.json"
"${bench[@]}" chat --compare --rate 5 --seconds 8 --json "$out/chat-hot.json"
"${bench[@]}" presence --json "$out/presence.json"
"${bench[@]}" presence -n 1000 --json "$out/presence-1000.json"
"${bench[@]}" idle --server fenix -n 20500 --quick --json "$out/idle-at-limit-fenix.json"
"${bench[@]}" report "$out/idle.json" "$out/fanout.json" "$out/chat.json" "$out/chat-hot.json" --svg docs/benchmarks.svg
"${bench[@]}" report "$out"/paced-*.json "$out/chat-100x100.json" "$out"/idle-5000.json "$out"/idle-15000.json "$out"/presence-chat-*.json "$out/cluster-60k.json" \
  --phoenix-svg docs/benchmarks-phoenix.svg
dotnet run -c Release --no-build --project bench/Cluster | tee "$out/cluster.md"
