// Benchmark runner: loads www/bench.html in headless Chromium once per implementation and N,
// and prints `bench=W1 impl=<name> N=<n> ns_per_particle_step=<median> min=<> max=<>`; then once
// per implementation for W2 (DSM training steps of the 3-128-128-2 MLP):
// `bench=W2 impl=<name> steps_per_s=<median> min=<> max=<>`; then section 6's reverse-SDE sampling
// (N = 100,000, 1000 steps, exact mixture score: `bench=SDE-reverse impl=<name>
// ns_per_particle_step=<median> min=<> max=<>`) and 2D Fokker–Planck solver (128 × 128:
// `bench=FP2D impl=<name> steps_per_s=…`), simd128 and scalar-nosimd only. BENCH=W1,FP2D etc.
// runs a subset.
// Then PF and SDA (section 8: `bench=PF impl=<name> N=<n> ms=<median> …`).
// Implementations: simd128 (www/pkg), scalar-nosimd (www/pkg-nosimd, the same source built
// without simd128) and js (the plain-JavaScript reference). Run through scripts/bench.sh.
import { serve } from "./serve.mjs";
import { launch } from "./browser.mjs";

const sizes = (process.env.BENCH_N ?? "100000,1000000").split(",").map(Number);
const impls = (process.env.BENCH_IMPLS ?? "simd128,scalar-nosimd,js").split(",");
const which = (process.env.BENCH ?? "W1,W2,SDE-reverse,FP2D,PF,SDA").split(",");
const server = await serve();
const browser = await launch();
const results = {};
try {
  for (const n of which.includes("W1") ? sizes : []) {
    const steps = n >= 1_000_000 ? 10 : 30;
    for (const impl of impls) {
      const page = await browser.newPage();
      let line = null;
      page.on("console", (m) => {
        if (m.text().startsWith("BENCH ")) line = m.text().slice(6);
      });
      const failed = new Promise((_, reject) => page.on("pageerror", (e) => reject(new Error(`page error (${impl}, N=${n}): ${e.message}`))));
      await page.goto(`${server.url}/bench.html?impl=${impl}&n=${n}&steps=${steps}&reps=7`);
      await Promise.race([page.waitForFunction(() => document.title === "done", null, { timeout: 600_000 }), failed]);
      console.log(line);
      results[`${impl}:${n}`] = Number(/ns_per_particle_step=([\d.]+)/.exec(line)[1]);
      await page.close();
    }
    if (results[`js:${n}`] && results[`simd128:${n}`]) {
      console.log(`speedup N=${n}: simd128 is ${(results[`js:${n}`] / results[`simd128:${n}`]).toFixed(1)}x the plain-JS reference, ` +
        `${(results[`scalar-nosimd:${n}`] / results[`simd128:${n}`]).toFixed(2)}x the no-simd build`);
    }
  }
  if (which.includes("W2")) {
    const w2 = {};
    for (const impl of impls) {
      const page = await browser.newPage();
      let line = null;
      page.on("console", (m) => {
        if (m.text().startsWith("BENCH ")) line = m.text().slice(6);
      });
      const failed = new Promise((_, reject) => page.on("pageerror", (e) => reject(new Error(`page error (${impl}, W2): ${e.message}`))));
      const steps = impl === "js" ? 10 : 100;
      await page.goto(`${server.url}/bench.html?bench=W2&impl=${impl}&steps=${steps}&reps=7`);
      await Promise.race([page.waitForFunction(() => document.title === "done", null, { timeout: 600_000 }), failed]);
      console.log(line);
      w2[impl] = Number(/steps_per_s=([\d.]+)/.exec(line)[1]);
      await page.close();
    }
    if (w2.js && w2.simd128) {
      console.log(`speedup W2: simd128 is ${(w2.simd128 / w2.js).toFixed(1)}x the plain-JS reference` +
        (w2["scalar-nosimd"] ? `, ${(w2.simd128 / w2["scalar-nosimd"]).toFixed(2)}x the no-simd build` : ""));
    }
  }
  for (const bench of ["SDE-reverse", "FP2D"].filter((b) => which.includes(b))) {
    const got = {};
    for (const impl of impls.filter((i) => i !== "js")) {
      const page = await browser.newPage();
      let line = null;
      page.on("console", (m) => {
        if (m.text().startsWith("BENCH ")) line = m.text().slice(6);
      });
      const failed = new Promise((_, reject) => page.on("pageerror", (e) => reject(new Error(`page error (${impl}, ${bench}): ${e.message}`))));
      const query = bench === "FP2D" ? "cells=128&steps=20&reps=5" : "n=100000&steps=1000&reps=3";
      await page.goto(`${server.url}/bench.html?bench=${bench}&impl=${impl}&${query}`);
      await Promise.race([page.waitForFunction(() => document.title === "done", null, { timeout: 600_000 }), failed]);
      console.log(line);
      got[impl] = Number(/(?:ns_per_particle_step|steps_per_s)=([\d.]+)/.exec(line)[1]);
      await page.close();
    }
    if (got.simd128 && got["scalar-nosimd"]) {
      const r = bench === "FP2D" ? got.simd128 / got["scalar-nosimd"] : got["scalar-nosimd"] / got.simd128;
      console.log(`speedup ${bench}: simd128 is ${r.toFixed(2)}x the no-simd build`);
    }
  }
  // PF (the Lorenz twin experiment's two particle filters, 16,384 particles each) and SDA (a 1D
  // posterior sampling run): `bench=PF impl=<name> N=<n> ms=<median> min=<> max=<>`
  for (const b of ["PF", "SDA"].filter((x) => which.includes(x))) {
    for (const impl of impls.filter((i) => i !== "js")) {
      const page = await browser.newPage();
      let line = null;
      page.on("console", (m) => {
        if (m.text().startsWith("BENCH ")) line = m.text().slice(6);
      });
      const failed = new Promise((_, reject) => page.on("pageerror", (e) => reject(new Error(`page error (${impl}, ${b}): ${e.message}`))));
      await page.goto(`${server.url}/bench.html?bench=${b}&impl=${impl}&reps=5`);
      await Promise.race([page.waitForFunction(() => document.title === "done", null, { timeout: 600_000 }), failed]);
      console.log(line);
      await page.close();
    }
  }
} finally {
  await browser.close();
  await server.close();
}
