#!/usr/bin/env bash
# Side-by-side benchmarks; loopback only, bounded in time, every server stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
exec /usr/bin/python3 bench/proxy_vs_nginx.py "$@"
