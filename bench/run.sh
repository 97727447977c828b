#!/usr/bin/env bash
# Side-by-side benchmarks (bench/harness.py): loopback only, bounded in time, every server
# stopped on exit, also on Ctrl-C. Options pass through: --quick, --scenario NAME, --list.
set -euo pipefail
cd "$(dirname "$0")/.."
exec /usr/bin/python3 bench/harness.py "$@"
