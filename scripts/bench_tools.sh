#!/usr/bin/env bash
# Installs wrk, the load generator bench/bench_post_path.py drives both the bare stack and Hubbub with.
set -uo pipefail
command -v wrk >/dev/null 2>&1 && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "bench: wrk is missing; install it (as root: apt-get install wrk)" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q wrk >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null; } ||
    echo "bench: could not install wrk" >&2
