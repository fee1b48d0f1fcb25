// One WebAssembly initialisation per page, shared by every widget on it.
//
// The module is built with WebAssembly SIMD (simd128). A browser without it cannot even compile
// the module, so we probe first and give a clear message instead of a blank page.

/** Minimum browser versions with WebAssembly SIMD. */
export const MIN_BROWSERS = "Chrome 91, Firefox 89 or Safari 16.4";

// A tiny module that uses one simd128 instruction (i8x16.splat + i8x16.popcnt).
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253,
  15, 253, 98, 11,
]);

/** The browser cannot run the notebook's WebAssembly. */
export class UnsupportedBrowserError extends Error {
  constructor(message) {
    super(message);
    this.name = "UnsupportedBrowserError";
  }
}

/** True when the browser supports WebAssembly SIMD. */
export function wasmSimdSupported() {
  try {
    return typeof WebAssembly === "object" && WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

const ready = new Map();

/** The wasm bundles (Cargo features of the crate): "a" = sections 1-4, "b" = sections 5-8. */
export const BUNDLES = { a: "pkg", b: "pkg-b" };

/**
 * Loads and initialises one wasm bundle once per page; every call for the same bundle returns the
 * same promise of `{ ...exports of <bundle dir>/scorebook.js, memory }`. A widget names its bundle
 * with `static wasmBundle = "b"` (default "a").
 */
export function loadWasm(bundle = "a") {
  const dir = BUNDLES[bundle];
  if (!dir) return Promise.reject(new Error(`unknown wasm bundle "${bundle}" (expected one of ${Object.keys(BUNDLES).join(", ")})`));
  if (!ready.has(bundle)) {
    ready.set(bundle, (async () => {
      if (!wasmSimdSupported()) {
        throw new UnsupportedBrowserError(
          `This notebook needs WebAssembly with SIMD, which this browser does not provide. ` +
            `Please use ${MIN_BROWSERS} or newer.`,
        );
      }
      const mod = await import(new URL(`../${dir}/scorebook.js`, import.meta.url).href);
      const exports = await mod.default({
        module_or_path: new URL(`../${dir}/scorebook_bg.wasm`, import.meta.url),
      });
      return { ...mod, memory: exports.memory };
    })());
  }
  return ready.get(bundle);
}
