#!/usr/bin/env bash
# Installs the Debian 12 packages edgefront needs to build and test, only if missing.
# Usage: scripts/setup-deps.sh [build|test|bench]
set -euo pipefail
mode=${1:-build}
pkgs=(build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev
      node-llhttp libasio-dev libssl-dev libyaml-cpp-dev libspdlog-dev libfmt-dev libcli11-dev
      libxxhash-dev libjemalloc-dev nlohmann-json3-dev libgtest-dev libgmock-dev libbenchmark-dev
      libnghttp2-dev zlib1g-dev libbrotli-dev libzstd-dev)
case "$mode" in
  test) pkgs+=(python3 python3-pytest python3-h2 python3-brotli python3-zstandard nghttp2-client
              curl openssl iptables prometheus chromium python3-websocket) ;;
  bench) pkgs+=(python3 curl nginx-light varnish trafficserver wrk nghttp2-client gnuplot-nox
                util-linux procps iptables) ;;
esac
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup-deps: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
