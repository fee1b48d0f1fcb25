#!/usr/bin/env bash
# Runs every test of scorebook (installing whatever is missing first):
#   1. native `cargo test`: the mathematics (closed forms, statistics with fixed seeds)
#   2. `wasm-pack test --headless --chrome`: the bindings and canvas drawing in Chromium
#   3. end-to-end tests of the served page (node:test + playwright-core + Debian's Chromium)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
export CARGO_TERM_COLOR=never
T0=$SECONDS
log() { echo "[test +$((SECONDS - T0))s] $*"; }

bash scripts/setup.sh --browser

log "native: cargo test"
cargo test --locked

log "browser: wasm-pack test --headless --chrome"
# only the browser test files (tests/web*.rs): the native test files would compile to wasm and run nothing
web_tests=()
for f in tests/web*.rs; do web_tests+=(--test "$(basename "$f" .rs)"); done
WASM_BINDGEN_TEST_TIMEOUT=180 wasm-pack test --headless --chrome --mode no-install -- --locked "${web_tests[@]}"

log "build: www/pkg"
bash scripts/build.sh

log "end-to-end: node --test e2e/tests"
(cd e2e && node --test --test-concurrency=1 --test-reporter=spec tests/)
log "all tests passed"
