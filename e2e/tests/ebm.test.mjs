// End-to-end tests of the two energy-based-model widgets of section 2: <sb-energy> (energy
// landscape, Z by quadrature, grid cost, Langevin particles) and <sb-ebm-train> (training with
// exact log-likelihood). Headless Chromium via playwright-core.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { sharedHarness, widgetReady, nonBlankFraction, canvasHash, readout } from "./helpers.mjs";

const require = createRequire(import.meta.url);
const AXE = require.resolve("axe-core/axe.min.js");
const E = "sb-energy";
const TR = "sb-ebm-train";
const T = { timeout: 120_000 };
const shared = sharedHarness();

/** Polls `f` until it returns a truthy value (readouts settle 150 ms after an edit). */
async function until(f, ms = 4000) {
  const t0 = Date.now();
  for (;;) {
    const v = await f();
    if (v || Date.now() - t0 > ms) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}
const num = (s) => Number(String(s).replace(/,/g, "").match(/-?\d+(\.\d+)?(e-?\d+)?/)[0]);

test("energy widget: draws, wells move by pointer, keyboard and sliders, and the readouts follow", T, async () => {
  const { page, problems } = await shared.h.open("/embed.html?widget=energy&autoplay=false&particles=500", { dpr: 2 });
  await widgetReady(page, E);
  const canvas = `${E} canvas.sb-main`;
  assert.ok((await nonBlankFraction(page, canvas)) > 0.2, "the density is drawn");
  assert.ok((await nonBlankFraction(page, `${E} canvas.sb-chart`)) > 0.02, "the grid-cost chart is drawn");
  // at T = 1 the quadrature and the closed form agree to the digits shown
  assert.equal((await readout(page, E, "log Z_T by quadrature")).split(" ")[0], await readout(page, E, "log Z_T exact"));
  assert.match(await readout(page, E, "Grid points per axis"), /d = 2: \d+ .* d = 100: \d+ \(10\^\d+/);
  const basins = async () => (await readout(page, E, "Probability mass")).split("·").map((s) => Number(s.split(":")[1]));
  const b0 = await basins();
  assert.ok(Math.abs(b0.reduce((a, b) => a + b, 0) - 1) < 0.01);

  // depth slider of the selected well (well 1): deeper → its basin grows, the others shrink
  const depth = page.locator(`${E} input[type=range]`).nth(3);
  await depth.focus();
  for (let i = 0; i < 10; i++) await page.keyboard.press("ArrowRight");
  const b1 = await until(async () => {
    const b = await basins();
    return b[0] > b0[0] + 0.05 && b;
  });
  assert.ok(b1 && b1[1] < b0[1] && b1[2] < b0[2], `${b0} → ${b1}`);

  // drag well 2 with the pointer: find its centre through the core's pixel map
  const before = await canvasHash(page, canvas);
  const box = await page.locator(canvas).boundingBox();
  const target = await page.evaluate((sel) => {
    const el = document.querySelector(sel);
    const c = el.canvas;
    const w = el.handle.wells();
    // search the canvas for the pixel whose data point is closest to well 2's centre
    let best = [0, 0, Infinity];
    for (let py = 0; py < c.height; py += 4)
      for (let px = 0; px < c.width; px += 4) {
        const p = el.handle.pixelToData(px, py, c.width, c.height, el.dpr);
        const d = Math.hypot(p[0] - w[4], p[1] - w[5]);
        if (d < best[2]) best = [px / el.dpr, py / el.dpr, d];
      }
    return best;
  }, E);
  await page.mouse.move(box.x + target[0], box.y + target[1]);
  await page.mouse.down();
  await page.mouse.move(box.x + target[0] - 60, box.y + target[1] + 40, { steps: 5 });
  await page.mouse.up();
  assert.equal(await page.inputValue(`${E} select >> nth=2`), "1", "the dragged well is selected");
  const w2 = await page.evaluate((sel) => Array.from(document.querySelector(sel).handle.wells()), E);
  assert.ok(w2[4] < 2 - 0.5 && w2[5] < 1.5 - 0.3, `well 2 moved: ${w2.slice(4, 6)}`);
  assert.notEqual(await canvasHash(page, canvas), before);

  // keyboard alternative: arrows on the focused plot move the selected well
  await page.focus(canvas);
  const x0 = w2[4];
  await page.keyboard.press("ArrowLeft");
  await page.keyboard.press("ArrowLeft");
  const w3 = await page.evaluate((sel) => Array.from(document.querySelector(sel).handle.wells()), E);
  assert.ok(Math.abs(w3[4] - (x0 - 0.2)) < 0.011, `${x0} → ${w3[4]}`);
  await page.keyboard.press("]");
  assert.equal(await page.inputValue(`${E} select >> nth=2`), "2");

  // temperature: T ≠ 1 has no closed form; the view select changes the picture
  const temp = page.locator(`${E} input[type=range]`).nth(0);
  await temp.focus();
  await page.keyboard.press("ArrowRight");
  assert.ok(await until(async () => /no closed form/.test(await readout(page, E, "log Z_T exact"))), "no closed form at T ≠ 1");
  const h1 = await canvasHash(page, canvas);
  await page.selectOption(`${E} select >> nth=1`, "energy");
  assert.notEqual(await canvasHash(page, canvas), h1, "energy view differs");

  // add and remove wells
  await page.click(`${E} button:text-is("Add well")`);
  assert.equal(await page.evaluate((sel) => document.querySelector(sel).handle.count, E), 4);
  await page.click(`${E} button:text-is("Remove well")`);
  assert.equal(await page.evaluate((sel) => document.querySelector(sel).handle.count, E), 3);

  // accuracy select: a stricter ε needs at least as many points
  const n2 = num((await readout(page, E, "Grid points per axis")).split("d = 2:")[1]);
  await page.selectOption(`${E} select >> nth=3`, "0.000001");
  await page.waitForFunction((sel) => document.querySelector(sel).querySelector(".sb-readouts").textContent.includes("ε = 0.000001"), E);
  const n2b = num((await readout(page, E, "Grid points per axis")).split("d = 2:")[1]);
  assert.ok(n2b > n2, `${n2} → ${n2b}`);

  // Langevin particles: step and play move them; the TV readout is a number
  await page.click(`${E} button:text-is("Step")`);
  assert.match(await readout(page, E, "Langevin particles"), /after 1 steps/);
  await page.click(`${E} button.sb-play`);
  await page.waitForFunction((sel) => document.querySelector(sel).handle.steps > 50, E);
  await page.click(`${E} button.sb-play`);
  assert.ok(Number.isFinite(num(await readout(page, E, "Langevin particles"))));
  assert.deepEqual(problems, []);
});

test("energy widget: URL state round trip, bad input shows the core's message, exports", T, async () => {
  const { page, problems } = await shared.h.open("/embed.html?widget=energy&autoplay=false#energy.v=1&energy.wells=-1,0,0.5,0.6;2,1,0,1.5&energy.T=0.5&energy.view=energy&energy.n=200");
  await widgetReady(page, E);
  assert.equal(await page.evaluate((sel) => document.querySelector(sel).handle.count, E), 2);
  assert.equal(await page.evaluate((sel) => document.querySelector(sel).handle.temperature, E), 0.5);
  assert.equal(await page.inputValue(`${E} select >> nth=1`), "energy");
  const lz = await readout(page, E, "log Z_T by quadrature");
  await page.click(`${E} summary`);
  await page.click(`${E} button:text-is("Copy link")`);
  const link = await page.inputValue(`${E} .sb-share-text`);
  assert.match(link, /energy\.wells=-1%2C0%2C0\.5%2C0\.6%3B2%2C1%2C0%2C1\.5|energy\.wells=-1,0,0\.5,0\.6;2,1,0,1\.5/);
  const { page: p2 } = await shared.h.open(link.replace(shared.h.server.url, ""));
  await widgetReady(p2, E);
  assert.equal(await readout(p2, E, "log Z_T by quadrature"), lz);

  // exports
  const get = async (label) => {
    const [dl] = await Promise.all([page.waitForEvent("download"), page.click(`${E} button:text-is("${label}")`)]);
    return readFile(await dl.path());
  };
  assert.equal((await get("Download PNG")).subarray(1, 4).toString(), "PNG");
  assert.ok((await get("Grid-cost chart (SVG)")).toString().startsWith("<svg"));
  const rows = (await get("Wells and masses (CSV)")).toString().trim().split("\n");
  assert.equal(rows.length, 3);
  assert.equal((await get("Grid cost (CSV)")).toString().trim().split("\n").length, 51);
  // table view
  await page.click(`${E} button:text-is("Show numbers as a table")`);
  assert.ok((await page.$$(`${E} table.sb-table tbody tr`)).length >= 5);

  // a bad attribute (negative width) shows the core's message naming the parameter
  const { page: p3 } = await shared.h.open("/embed.html?widget=energy&autoplay=false&temperature=0");
  await p3.waitForSelector(`${E} .sb-error:not([hidden])`);
  assert.match(await p3.textContent(`${E} .sb-error`), /temperature must be a finite number in \[0\.01, 100\]/);
  assert.deepEqual(problems, []);
});

test("training widget: plays, steps, resets; controls change the run; exact readouts; exports", T, async () => {
  const { page, problems } = await shared.h.open("/embed.html?widget=ebm-train&autoplay=false");
  await widgetReady(page, TR);
  const canvas = `${TR} canvas.sb-main`;
  assert.ok((await nonBlankFraction(page, canvas)) > 0.2);
  const ll = async () => num(await readout(page, TR, "Exact log-likelihood"));
  const best = num((await readout(page, TR, "Exact log-likelihood")).split("=")[1]);
  const ll0 = await ll();
  assert.ok(ll0 < best);
  assert.match(await readout(page, TR, "Monte Carlo vs exact gradient"), /after the first step/);
  await page.click(`${TR} button:text-is("Step")`);
  assert.match(await readout(page, TR, "Iteration"), /^1 /);
  assert.match(await readout(page, TR, "Monte Carlo vs exact gradient"), /cosine -?\d/);
  await page.click(`${TR} button.sb-play`);
  await page.waitForFunction((sel) => document.querySelector(sel).handle.iteration > 60, TR, { timeout: 60_000 });
  await page.click(`${TR} button.sb-play`);
  const ll1 = await ll();
  assert.ok(ll1 > ll0 + 0.2 && ll1 <= best + 1e-9, `${ll0} → ${ll1} (best ${best})`);
  assert.ok((await nonBlankFraction(page, `${TR} canvas.sb-chart`)) > 0.01);

  // chain mode, k, ε and learning rate change the run without restarting it
  const it = async () => num(await readout(page, TR, "Iteration"));
  const n0 = await it();
  await page.selectOption(`${TR} select >> nth=2`, "noise");
  for (const nth of [0, 1, 2]) {
    await page.locator(`${TR} input[type=range]`).nth(nth).focus();
    await page.keyboard.press("ArrowLeft");
  }
  assert.equal(await it(), n0);
  const h0 = await canvasHash(page, canvas);
  await page.click(`${TR} button:text-is("Step")`);
  assert.notEqual(await canvasHash(page, canvas), h0);
  assert.equal(await page.evaluate((sel) => document.querySelector(sel).handle.mode, TR), "noise");
  // data and wells restart
  await page.selectOption(`${TR} select >> nth=1`, "ring8");
  assert.equal(await it(), 0);
  await page.locator(`${TR} input[type=range]`).nth(3).focus();
  await page.keyboard.press("End");
  assert.equal((await page.evaluate((sel) => document.querySelector(sel).handle.wells(), TR)).length, 64);
  await page.click(`${TR} button:text-is("Step")`);
  await page.click(`${TR} button:text-is("Reset")`);
  assert.equal(await it(), 0);

  // exports
  await page.click(`${TR} summary`);
  const get = async (label) => {
    const [dl] = await Promise.all([page.waitForEvent("download"), page.click(`${TR} button:text-is("${label}")`)]);
    return readFile(await dl.path());
  };
  assert.equal((await get("Download PNG")).subarray(1, 4).toString(), "PNG");
  const hist = (await get("History (CSV)")).toString().trim().split("\n");
  assert.equal(hist[0], '"iteration","exact_loglik","kl_data_model","cosine_mc_exact","relative_error_mc"');
  assert.ok((await get("Log-likelihood chart (SVG)")).toString().includes("polyline"));
  assert.equal((await get("Samples (CSV)")).toString().trim().split("\n").length, 513);
  assert.deepEqual(problems, []);
});

test("training widget: URL round trip reproduces the run; divergence is reported, not drawn", T, async () => {
  const { page, problems } = await shared.h.open("/embed.html?widget=ebm-train&autoplay=false#ebm-train.v=1&ebm-train.data=gaussian&ebm-train.wells=1&ebm-train.k=5&ebm-train.mode=data&ebm-train.seed=7&ebm-train.steps=30");
  await widgetReady(page, TR);
  assert.match(await readout(page, TR, "Iteration"), /^30 /);
  const ll = await readout(page, TR, "Exact log-likelihood");
  const { page: p2 } = await shared.h.open("/embed.html?widget=ebm-train&autoplay=false#ebm-train.v=1&ebm-train.data=gaussian&ebm-train.wells=1&ebm-train.k=5&ebm-train.mode=data&ebm-train.seed=7&ebm-train.steps=30");
  await widgetReady(p2, TR);
  assert.equal(await readout(p2, TR, "Exact log-likelihood"), ll, "same seed and steps → same exact value");
  assert.equal(await p2.inputValue(`${TR} select >> nth=1`), "gaussian");

  // a huge Langevin step: the chains diverge and the overlay says so
  const { page: p3 } = await shared.h.open("/embed.html?widget=ebm-train&autoplay=false&step-size=1&langevin-steps=500&learning-rate=0.5");
  await widgetReady(p3, TR);
  await p3.click(`${TR} button.sb-play`);
  await p3.waitForSelector(`${TR} .sb-error:not([hidden])`, { timeout: 60_000 });
  assert.match(await p3.textContent(`${TR} .sb-error`), /diverged|learning_rate/);
  assert.ok(!(await readout(p3, TR, "Exact log-likelihood")).includes("NaN"));
  // bad attribute → the core's message names it
  const { page: p4 } = await shared.h.open("/embed.html?widget=ebm-train&autoplay=false&mode=sideways");
  await p4.waitForSelector(`${TR} .sb-error:not([hidden])`);
  assert.match(await p4.textContent(`${TR} .sb-error`), /chain_mode must be one of noise, data, persistent/);
  assert.deepEqual(problems, []);
});

test("section 2 on the page: both widgets, phone layout without overflow, no axe violations", T, async () => {
  const { page, problems } = await shared.h.open("/index.html", { viewport: { width: 375, height: 800 } });
  for (const id of ["#energy-widget", "#ebm-train-widget"]) {
    await page.locator(id).scrollIntoViewIfNeeded();
    await widgetReady(page, id);
  }
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
  assert.ok(overflow <= 0, `horizontal overflow ${overflow} px`);
  // the other paragraph of the section stays where the Boltzmann-machine block will be inserted
  const text = await page.$eval("#ebm", (s) => s.textContent);
  assert.ok(text.includes("The negative phase needs samples from the model itself"));
  await page.addScriptTag({ path: AXE });
  const v = await page.evaluate(async () => {
    const r = await window.axe.run({ include: [["#ebm"]], exclude: [[".katex-html"]] }, { resultTypes: ["violations"] });
    return r.violations.filter((x) => x.impact === "serious" || x.impact === "critical").map((x) => `${x.id}: ${x.nodes.map((n) => n.target.join(" ")).slice(0, 3).join("; ")}`);
  });
  assert.deepEqual(v, []);
  assert.deepEqual(problems, []);
});
