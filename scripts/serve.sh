#!/usr/bin/env bash
# Installs what is missing, builds the wasm and serves the notebook on 127.0.0.1.
#   scripts/serve.sh [PORT]      (default 8000)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
port="${1:-8000}"
bash scripts/setup.sh
bash scripts/build.sh
echo
echo "scorebook: http://127.0.0.1:${port}/   (one widget alone: http://127.0.0.1:${port}/embed.html?widget=langevin)"
echo "Ctrl-C to stop."
cd www && exec python3 -m http.server "$port" --bind 127.0.0.1
