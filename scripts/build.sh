#!/usr/bin/env bash
# Builds the release wasm package into www/pkg (SIMD on, wasm-opt off; nothing is downloaded).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
# two bundles (Cargo features): www/pkg = sections 1-4, www/pkg-b = sections 5-8 (see Cargo.toml)
wasm-pack build --mode no-install --target web --out-dir www/pkg --no-typescript --no-pack -- --locked \
  --no-default-features --features bundle-a
wasm-pack build --mode no-install --target web --out-dir www/pkg-b --no-typescript --no-pack -- --locked \
  --no-default-features --features bundle-b
rm -f www/pkg/.gitignore www/pkg-b/.gitignore
# the service worker's precache list; its version changes whenever any listed file changes
python3 - <<'PY'
import hashlib, json, os
root = "www"
skip_dirs = {"pkg-nosimd", "bench"}
files = []
for d, dirs, names in os.walk(root):
    dirs[:] = sorted(x for x in dirs if x not in skip_dirs)
    for n in sorted(names):
        rel = os.path.relpath(os.path.join(d, n), root).replace(os.sep, "/")
        if rel in ("sw.js", "sw-manifest.json", "bench.html") or n.startswith("."):
            continue
        files.append(rel)
h = hashlib.sha256()
for f in files:
    h.update(f.encode())
    with open(os.path.join(root, f), "rb") as fh:
        h.update(fh.read())
with open(os.path.join(root, "sw-manifest.json"), "w") as out:
    json.dump({"version": h.hexdigest()[:16], "files": ["./"] + files}, out, indent=0)
PY
