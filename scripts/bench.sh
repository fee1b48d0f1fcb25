#!/usr/bin/env bash
# Benchmarks: W1 natively (cargo bench) and in headless Chromium (simd128 build, the same source
# without simd128, and a plain-JS reference in the same page and run); every `cargo bench` target;
# and the frame time of every widget in headless Chromium (e2e/frame-bench.mjs).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh --browser
bash scripts/build.sh
# the honest scalar baseline: RUSTFLAGS replaces .cargo/config.toml's +simd128
RUSTFLAGS="-C target-feature=-simd128" wasm-pack build --mode no-install --target web \
  --out-dir www/pkg-nosimd --no-typescript --no-pack -- --locked --target-dir target/nosimd
rm -f www/pkg-nosimd/.gitignore
echo "== native (cargo bench) =="
cargo bench --locked
echo "== headless Chromium =="
node e2e/bench.mjs
echo "== widget frame times (headless Chromium, devicePixelRatio 2) =="
node e2e/frame-bench.mjs
