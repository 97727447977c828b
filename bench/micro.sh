#!/usr/bin/env bash
# Microbenchmarks pinned to CPU 1, index overhead at 1M objects, and the eviction simulator on Zipf 0.8 and 1.0; output goes
# to bench/results/micro-<timestamp>.txt. Usage: bench/micro.sh [build-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
mkdir -p bench/results
out=bench/results/micro-$(date -u +%Y%m%d-%H%M%S).txt
{
  timeout 300 taskset -c 1 "$build/bench/micro_bench" --benchmark_min_time=0.5 \
    --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
  # Index overhead per object at 1M objects: the disk tier's index, then the memory tier.
  timeout 300 "$build/bench/disk_index" --objects 1000000
  timeout 300 "$build/bench/disk_index" --objects 1000000 --memory-store
  echo
  for alpha in 0.8 1.0; do
    timeout 300 "$build/bench/evict_sim" --alpha "$alpha" --objects 100000 --requests 2000000
    echo
  done
} 2>&1 | tee "$out"
echo "written to $out"
