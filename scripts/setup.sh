#!/usr/bin/env bash
# Installs whatever scorebook needs and is missing, idempotently, only from package registries:
#   Debian chromium + chromium-driver (with --browser), the wasm32 target, wasm-pack and
#   wasm-bindgen-cli at exactly Cargo.lock's wasm-bindgen version (cargo install), and the npm
#   test dependencies (npm ci with the committed lock, with --browser).
# Nothing downloads a browser, a driver or binaryen from anywhere else (see README).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
export PATH="$CARGO_HOME/bin:$PATH"
browser=0
[ "${1:-}" = "--browser" ] && browser=1
log() { echo "[setup] $*"; }

if [ "$browser" = 1 ] && { ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; }; then
  log "apt-get install chromium chromium-driver"
  sudo_cmd=""
  [ "$(id -u)" != 0 ] && sudo_cmd="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -q
  pkgs=(chromium chromium-driver)
  # an interrupted dpkg run (the image's docker-clean hook) can leave unmet dependencies: retry
  $sudo_cmd apt-get install -y -q --no-install-recommends "${pkgs[@]}" \
    || { $sudo_cmd apt-get -f install -y -q && $sudo_cmd apt-get install -y -q --no-install-recommends "${pkgs[@]}"; }
fi

rustup target list --installed | grep -qx wasm32-unknown-unknown || { log "rustup target add wasm32-unknown-unknown"; rustup target add wasm32-unknown-unknown; }

wb_ver=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
pids=()
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wb_ver" ]; then
  log "cargo install wasm-bindgen-cli $wb_ver (a few minutes, once)"
  # no --locked: its shipped lockfile pins a webpki-roots version the registry mirror lacks
  cargo install -q --force wasm-bindgen-cli --version "=$wb_ver" &
  pids+=($!)
fi
if ! command -v wasm-pack >/dev/null 2>&1; then
  log "cargo install wasm-pack (a few minutes, once)"
  cargo install -q wasm-pack --locked &
  pids+=($!)
fi
for p in "${pids[@]}"; do wait "$p"; done

if [ "$browser" = 1 ]; then
  if [ ! -d e2e/node_modules/playwright-core ] || [ e2e/package-lock.json -nt e2e/node_modules/.package-lock.json ]; then
    log "npm ci (e2e)"
    (cd e2e && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
log "ready: $(wasm-pack --version), $(wasm-bindgen --version)$([ "$browser" = 1 ] && echo ", $(chromium --version 2>/dev/null | head -1)")"
