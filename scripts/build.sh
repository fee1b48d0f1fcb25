#!/usr/bin/env bash
# Builds the release wasm package into www/pkg (SIMD on, wasm-opt off; nothing is downloaded).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
wasm-pack build --mode no-install --target web --out-dir www/pkg --no-typescript --no-pack -- --locked
rm -f www/pkg/.gitignore
