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

let ready = null;

/**
 * Loads and initialises the wasm module once; every call returns the same promise of
 * `{ ...exports of pkg/scorebook.js, memory }`.
 */
export function loadWasm() {
  if (!ready) {
    ready = (async () => {
      if (!wasmSimdSupported()) {
        throw new UnsupportedBrowserError(
          `This notebook needs WebAssembly with SIMD, which this browser does not provide. ` +
            `Please use ${MIN_BROWSERS} or newer.`,
        );
      }
      const mod = await import(new URL("../pkg/scorebook.js", import.meta.url).href);
      const exports = await mod.default({
        module_or_path: new URL("../pkg/scorebook_bg.wasm", import.meta.url),
      });
      return { ...mod, memory: exports.memory };
    })();
  }
  return ready;
}
