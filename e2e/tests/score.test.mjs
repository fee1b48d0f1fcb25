// End-to-end tests of section 3's widgets: <sb-score-field>, <sb-sm-objectives>, <sb-tweedie>.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { sharedHarness, widgetReady, nonBlankFraction, canvasHash, readout } from "./helpers.mjs";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

const F = "#score-field-widget";
const O = "#sm-objectives-widget";
const W = "#tweedie-widget";
const T = { timeout: 120_000 };
const shared = sharedHarness();

async function ready(page, sel) {
  await page.locator(sel).scrollIntoViewIfNeeded();
  await widgetReady(page, sel);
  await page.evaluate((s) => { const el = document.querySelector(s); el.pause(); el.reset(); }, sel);
}

/** Client coordinates of the data point (x, y) of a widget's main canvas, by the core's inverse map. */
function clientOf(page, sel, x, y, map = "pixelToData") {
  return page.evaluate(([s, x, y, map]) => {
    const el = document.querySelector(s);
    const c = el.querySelector("canvas.sb-main");
    const r = c.getBoundingClientRect();
    const a = el.handle[map](c, 0, 0, el.dpr);
    const b = el.handle[map](c, r.width * el.dpr, r.height * el.dpr, el.dpr);
    return { x: r.left + ((x - a[0]) / (b[0] - a[0])) * r.width, y: r.top + ((y - a[1]) / (b[1] - a[1])) * r.height };
  }, [sel, x, y, map]);
}

test("score field: probe and reference by pointer, σ merges the modes, the flow steps, the circle, the link", T, async () => {
  const { page, problems } = await shared.h.open("/index.html");
  await ready(page, F);
  assert.ok((await nonBlankFraction(page, `${F} canvas.sb-main`)) > 0.1);
  assert.equal(await readout(page, F, "Critical points"), "8 modes, 8 saddles, 1 minimum");
  // the pointer moves the probe; a click sets the reference point
  const p = await clientOf(page, F, 1.5, -2.0);
  await page.mouse.move(p.x, p.y);
  await page.waitForFunction((s) => Math.abs(document.querySelector(s).handle.probe()[0] - 1.5) < 0.1, F);
  await page.evaluate((s) => document.querySelector(s).updateReadouts(true), F);
  assert.match(await readout(page, F, "Probe x"), /^\(1\.[45]\d*, -[12](\.\d+)?\)$/);
  const q = await clientOf(page, F, -3.0, 1.0);
  await page.mouse.click(q.x, q.y);
  const ref = await page.evaluate((s) => Array.from(document.querySelector(s).handle.reference()), F);
  assert.ok(Math.abs(ref[0] + 3) < 0.1 && Math.abs(ref[1] - 1) < 0.1, String(ref));
  // the line integral matches the exact difference (to round-off: the difference shows as 0 or e-1x)
  const diff = (await readout(page, F, "Exact log p_σ(x) − log p_σ(x₀)")).split(" | ")[1];
  assert.ok(diff === "0" || /e-1[0-9]$/.test(diff), diff);
  // keyboard: arrows on the focused plot move the probe (not a step of the flow)
  const before = await readout(page, F, "Probe x");
  await page.focus(`${F} canvas.sb-main`);
  await page.keyboard.press("ArrowRight");
  assert.notEqual(await readout(page, F, "Probe x"), before);
  assert.match(await readout(page, F, "Tracers"), /^0 \| /);
  // Step runs the tracers
  const hash = await canvasHash(page, `${F} canvas.sb-main`);
  for (let i = 0; i < 3; i++) await page.click(`${F} button:has-text("Step")`);
  assert.match(await readout(page, F, "Tracers"), /^3 \| /);
  assert.notEqual(await canvasHash(page, `${F} canvas.sb-main`), hash);
  // σ to its maximum: one mode
  const sigma = page.locator(`${F} input[type=range]`).first();
  await sigma.focus();
  await page.keyboard.press("End");
  assert.equal(await readout(page, F, "Critical points"), "1 mode, 0 saddles, 0 minima");
  // the circle: the normal component beside its approximation
  await page.selectOption(`${F} select >> nth=1`, "circle");
  await page.keyboard.press("Tab");
  assert.match(await readout(page, F, "Normal component"), /^-?\d/);
  // a new target places new tracers (step 0): steps after it are replayed by a link
  for (let i = 0; i < 2; i++) await page.click(`${F} button:has-text("Step")`);
  assert.match(await readout(page, F, "Tracers"), /^2 \| /);
  // the state is in the URL: a reload shows the same probe and the same numbers
  await page.waitForTimeout(400);
  const url = new URL(page.url());
  assert.match(url.hash, /score-field-widget\.target=circle/);
  assert.match(url.hash, /score-field-widget\.probe=/);
  // reduced motion: the reopened widget starts paused, so it cannot autoplay a step before it is read
  const again = await shared.h.open(url.pathname + url.hash, { reducedMotion: "reduce" });
  // (no reset here: the link's steps are replayed from the seed)
  await again.page.locator(F).scrollIntoViewIfNeeded();
  await widgetReady(again.page, F);
  for (const label of ["Probe x", "Density", "Normal component", "Tracers"]) {
    assert.equal(await readout(again.page, F, label), await readout(page, F, label), label);
  }
  assert.deepEqual(problems, []);
  assert.deepEqual(again.problems, []);
});

test("objectives: a click moves θ, σ moves DSM's minimiser, n changes the sample objectives, descent runs, the link", T, async () => {
  const { page, problems } = await shared.h.open("/index.html");
  await ready(page, O);
  assert.ok((await nonBlankFraction(page, `${O} canvas.sb-main`)) > 0.02);
  assert.ok((await nonBlankFraction(page, `${O} canvas.sb-chart`)) > 0.02);
  const c1 = await readout(page, O, "ESM − ISM");
  const t = await clientOf(page, O, -0.4, 0.3, "pixelToTheta");
  await page.mouse.click(t.x, t.y);
  assert.match(await readout(page, O, "θ = (a, b)"), /^\(-0\.[34]\d*, 0\.[23]\d*\)$/);
  // the keyboard moves θ too
  const th = await readout(page, O, "θ = (a, b)");
  await page.focus(`${O} canvas.sb-main`);
  await page.keyboard.press("ArrowUp");
  assert.notEqual(await readout(page, O, "θ = (a, b)"), th);
  // ESM − ISM is the same exact number at the new θ
  assert.equal((await readout(page, O, "ESM − ISM")).split(" | ")[0], c1.split(" | ")[0]);
  const dsm = await readout(page, O, "DSM minimiser");
  const sigma = page.locator(`${O} input[type=range]`).nth(0);
  await sigma.focus();
  await page.keyboard.press("End");
  assert.notEqual(await readout(page, O, "DSM minimiser"), dsm);
  const ism = await readout(page, O, "ESM/ISM minimiser");
  const n = page.locator(`${O} input[type=range]`).nth(1);
  await n.focus();
  await page.keyboard.press("Home");
  assert.notEqual(await readout(page, O, "ESM/ISM minimiser"), ism);
  assert.equal((await readout(page, O, "ESM/ISM minimiser")).split(" | ")[0], ism.split(" | ")[0], "the exact minimiser does not depend on n");
  for (let i = 0; i < 2; i++) await page.click(`${O} button:has-text("Step")`);
  assert.match(await readout(page, O, "Descent steps"), /^2 \| /);
  await page.waitForTimeout(400);
  const url = new URL(page.url());
  assert.match(url.hash, /sm-objectives-widget\.theta=/);
  // reduced motion: the reopened widget starts paused, so it cannot autoplay a step before it is read
  const again = await shared.h.open(url.pathname + url.hash, { reducedMotion: "reduce" });
  await again.page.locator(O).scrollIntoViewIfNeeded();
  await widgetReady(again.page, O);
  for (const label of ["θ = (a, b)", "DSM minimiser", "ESM (explicit)", "Descent steps"]) {
    assert.equal(await readout(again.page, O, label), await readout(page, O, label), label);
  }
  assert.deepEqual(problems, []);
  assert.deepEqual(again.problems, []);
});

test("tweedie: both routes agree, steps add samples, σ and the target change the MMSE, layers, the link", T, async () => {
  const { page, problems } = await shared.h.open("/index.html");
  await ready(page, W);
  assert.ok((await nonBlankFraction(page, `${W} canvas.sb-main`)) > 0.05);
  assert.match(await readout(page, W, "max ‖Tweedie"), /^(0|\d\.?\d*e-1[0-9]) \(round-off\)$/);
  assert.equal(await readout(page, W, "Samples"), "1,000");
  for (let i = 0; i < 2; i++) await page.click(`${W} button:has-text("Step")`);
  assert.equal(await readout(page, W, "Samples"), "1,400");
  const mmse = await readout(page, W, "Exact MMSE");
  const sigma = page.locator(`${W} input[type=range]`).nth(0);
  await sigma.focus();
  await page.keyboard.press("ArrowLeft");
  assert.notEqual(await readout(page, W, "Exact MMSE"), mmse);
  assert.match(await readout(page, W, "MSE of the noisy points"), /\| 1\.805$/);
  await page.selectOption(`${W} select >> nth=1`, "two-modes");
  await page.keyboard.press("Tab");
  const m2 = await readout(page, W, "Exact MMSE");
  assert.notEqual(m2, mmse);
  const hash = await canvasHash(page, `${W} canvas.sb-main`);
  await page.uncheck(`${W} input[type=checkbox] >> nth=1`);
  assert.notEqual(await canvasHash(page, `${W} canvas.sb-main`), hash);
  await page.waitForTimeout(400);
  const url = new URL(page.url());
  assert.match(url.hash, /tweedie-widget\.target=two-modes/);
  // reduced motion: the reopened widget starts paused, so it cannot autoplay a step before it is read
  const again = await shared.h.open(url.pathname + url.hash, { reducedMotion: "reduce" });
  await again.page.locator(W).scrollIntoViewIfNeeded();
  await widgetReady(again.page, W);
  for (const label of ["Exact MMSE", "MSE of Tweedie", "Samples"]) {
    assert.equal(await readout(again.page, W, label), await readout(page, W, label), label);
  }
  assert.deepEqual(problems, []);
  assert.deepEqual(again.problems, []);
});

test("embedded alone with bad attributes, the score widgets show the core's message", T, async () => {
  for (const [q, id, msg] of [
    ["score-field&sigma=-1", "score-field", /sigma must be a finite number in \[0, 3\]; got -1/],
    ["score-field&target=circle&sigma=0", "score-field", /sigma must be a finite number in \[0\.02, 3\]; got 0/],
    ["sm-objectives&data=nope", "sm-objectives", /data must be one of two-modes, gaussian, skewed; got "nope"/],
    ["tweedie&sigma=20", "tweedie", /sigma must be a finite number in \[0\.01, 10\]; got 20/],
  ]) {
    const { page } = await shared.h.open(`/embed.html?widget=${q}`);
    await page.waitForSelector(`#${id} .sb-error:not([hidden])`);
    assert.match(await page.textContent(`#${id} .sb-error`), msg);
  }
  // embedded alone, a good widget draws
  const { page, problems } = await shared.h.open("/embed.html?widget=tweedie&autoplay=false&samples=300");
  await widgetReady(page, "#tweedie");
  assert.ok((await nonBlankFraction(page, "#tweedie canvas.sb-main")) > 0.05);
  assert.deepEqual(problems, []);
});

test("axe-core finds no serious or critical violations in the three widgets, light and dark", T, async () => {
  for (const colorScheme of ["light", "dark"]) {
    const ctx = await shared.h.browser.newContext({ colorScheme, viewport: { width: 1200, height: 900 } });
    const page = await ctx.newPage();
    for (const name of ["score-field", "sm-objectives", "tweedie"]) {
      await page.goto(`${shared.h.server.url}/embed.html?widget=${name}&autoplay=false`);
      await widgetReady(page, `#${name}`);
      await page.click(`#${name} summary`);
      await page.click(`#${name} button:has-text("Show numbers as a table")`);
      await page.addScriptTag({ path: AXE });
      const bad = await page.evaluate(async () => {
        const r = await window.axe.run({ exclude: [[".katex-html"]] }, { resultTypes: ["violations"] });
        return r.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join("; ")}`);
      });
      assert.deepEqual(bad, [], `${name} (${colorScheme})`);
    }
    await ctx.close();
  }
});
