#!/usr/bin/env bash
# Reproduces every figure of docs/benchmarks.md: each scenario against every server, the presence rooms, the
# descriptor limit, the report table and chart, and the cross-node figures of RabbitMQ and Redis side by side (needs both:
# ./scripts/ensure-deps.sh).
# Takes about 10 minutes on 2 cores; run it on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-docs/benchmarks}"
mkdir -p "$out"
dotnet build -c Release Fenix.slnx --nologo -v quiet
bench=(dotnet run -c Release --no-build --project bench/Fenix.Bench --)
"${bench[@]}" idle --compare --json "$out/idle.json"
"${bench[@]}" fanout --compare --json "$out/fanout.json"
"${bench[@]}" chat --compare --json "$out/chat.json"
"${bench[@]}" chat --compare --rate 5 --seconds 8 --json "$out/chat-hot.json"
"${bench[@]}" presence --json "$out/presence.json"
"${bench[@]}" presence -n 1000 --json "$out/presence-1000.json"
"${bench[@]}" idle --server fenix -n 20500 --quick --json "$out/idle-at-limit-fenix.json"
"${bench[@]}" report "$out/idle.json" "$out/fanout.json" "$out/chat.json" "$out/chat-hot.json" --svg docs/benchmarks.svg
dotnet run -c Release --no-build --project bench/Cluster | tee "$out/cluster.md"
