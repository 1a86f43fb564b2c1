#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests when it is missing (they drive it through Playwright).
# Without root or apt-get it says so; the browser tests then fail under CI=true and skip elsewhere.
set -uo pipefail
chromium=${HUBBUB_CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] && exit 0
packages=(chromium fonts-liberation fonts-noto-color-emoji)
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "browser: $chromium is missing; install ${packages[*]} (as root: apt-get install ${packages[*]})" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q "${packages[@]}" >/dev/null ||
    { apt-get update -q >/dev/null && apt-get install -y -q "${packages[@]}" >/dev/null; } ||
    echo "browser: could not install ${packages[*]}" >&2
