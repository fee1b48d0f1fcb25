// End-to-end tests of section 1's widgets: <sb-kl-fit> and <sb-mle>.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sharedHarness, widgetReady, nonBlankFraction, canvasHash, readout } from "./helpers.mjs";

const F = "#kl-fit-widget";
const M = "#mle-widget";
const T = { timeout: 120_000 };
const shared = sharedHarness();

async function ready(page, sel) {
  await page.locator(sel).scrollIntoViewIfNeeded();
  await widgetReady(page, sel);
  await page.evaluate((s) => { const el = document.querySelector(s); el.pause(); el.reset(); }, sel);
}

test("forward vs reverse KL: fits run, controls change the readouts, the cut gives ∞, 2D modes drag", T, async () => {
  const { page, problems } = await shared.h.open("/index.html");
  await ready(page, F);
  assert.ok((await nonBlankFraction(page, `${F} canvas.sb-main`)) > 0.005);
  for (let i = 0; i < 3; i++) await page.click(`${F} button:has-text("Step")`);
  assert.equal(await readout(page, F, "Iteration"), "3");
  const fwd = await readout(page, F, "Forward fit (blue)");
  await page.evaluate((s) => { const el = document.querySelector(s); el.advance(0, 600); el.redraw(); el.updateReadouts(true); }, F);
  // after 600 steps the forward fit is p's moments, shown beside it
  assert.equal(await readout(page, F, "Forward fit (blue)"), "μ = 0, s² = 10");
  assert.equal(await readout(page, F, "Its exact optimum"), "μ = 0, s² = 10");
  assert.notEqual(fwd, "μ = 0, s² = 10");
  assert.match(await readout(page, F, "Reverse fit (orange)"), /^μ = 2\.9\d/);
  // the cut: forward divergences become ∞
  await page.check(`${F} input[type=checkbox]`);
  assert.match(await readout(page, F, "Forward fit: D(p‖q)"), /^∞ \| /);
  await page.uncheck(`${F} input[type=checkbox]`);
  // a target slider moves p (the exact optimum follows)
  const weight = page.locator(`${F} input[type=range]`).nth(1);
  await weight.focus();
  await page.keyboard.press("ArrowRight");
  assert.notEqual(await readout(page, F, "Its exact optimum"), "μ = 0, s² = 10");
  // 2D: the density and ellipses are drawn; dragging a mode changes p's moments
  await page.selectOption(`${F} select >> nth=1`, "2");
  await widgetReady(page, F);
  const m0 = await readout(page, F, "Its exact optimum");
  const hash = await canvasHash(page, `${F} canvas.sb-main`);
  const pos = await page.evaluate((s) => {
    const el = document.querySelector(s);
    const m = el.handle.means();
    // data → client pixels through the core's inverse map: search the pixel grid coarsely
    const c = el.querySelector("canvas.sb-main");
    const r = c.getBoundingClientRect();
    let best = null;
    for (let y = 0; y < r.height; y += 2) for (let x = 0; x < r.width; x += 2) {
      const d = el.handle.pixelToData(c, x * el.dpr, y * el.dpr, el.dpr);
      const e = (d[0] - m[0]) ** 2 + (d[1] - m[1]) ** 2;
      if (!best || e < best.e) best = { e, x: r.left + x, y: r.top + y };
    }
    return best;
  }, F);
  await page.mouse.move(pos.x, pos.y);
  await page.mouse.down();
  await page.mouse.move(pos.x + 60, pos.y - 40, { steps: 4 });
  await page.mouse.up();
  assert.notEqual(await readout(page, F, "Its exact optimum"), m0);
  assert.notEqual(await canvasHash(page, `${F} canvas.sb-main`), hash);
  // the state is in the URL: a reload shows the same target
  await page.waitForTimeout(400);
  const url = new URL(page.url());
  assert.match(url.hash, /kl-fit-widget\.means=/);
  const again = await shared.h.open(url.pathname + url.hash);
  await ready(again.page, F);
  assert.equal(await readout(again.page, F, "Its exact optimum"), await readout(page, F, "Its exact optimum"));
  assert.deepEqual(problems, []);
  assert.deepEqual(again.problems, []);
});

test("maximum likelihood: EM climbs, n and K change the true KL, the histogram floor follows the cells", T, async () => {
  const { page, problems } = await shared.h.open("/index.html");
  await ready(page, M);
  assert.ok((await nonBlankFraction(page, `${M} canvas.sb-main`)) > 0.05);
  const kl0 = await readout(page, M, "True KL");
  for (let i = 0; i < 3; i++) await page.click(`${M} button:has-text("Step")`);
  assert.match(await readout(page, M, "Model"), /iteration 3$/);
  assert.notEqual(await readout(page, M, "True KL"), kl0);
  // n slider: more samples, a new fit
  const n = page.locator(`${M} input[type=range]`).nth(0);
  await n.focus();
  await page.keyboard.press("End");
  assert.match(await page.textContent(`${M} .sb-params`), /100,000/);
  // K = 0: the closed-form Gaussian
  const k = page.locator(`${M} input[type=range]`).nth(1);
  await k.focus();
  await page.keyboard.press("Home");
  assert.match(await readout(page, M, "Model"), /one Gaussian/);
  const hist = await readout(page, M, "Histogram KL");
  const b = page.locator(`${M} input[type=range]`).nth(2);
  await b.focus();
  await page.keyboard.press("End");
  assert.notEqual(await readout(page, M, "Histogram KL"), hist);
  assert.match(await page.textContent(`${M} .sb-readouts`), /4097 cells/);
  // the trace of the true KL against n: nine fresh fits, drawn
  await page.click(`${M} button:has-text("Trace the true KL against n")`);
  await page.waitForFunction((s) => document.querySelector(s).handle.traceFlat().length === 18, M, { timeout: 60_000 });
  await page.waitForTimeout(100);
  assert.ok((await nonBlankFraction(page, `${M} canvas.sb-trace`)) > 0.01);
  const trace = await page.evaluate((s) => Array.from(document.querySelector(s).handle.traceFlat()), M);
  // one Gaussian on the ring: the family cannot contain p, so the KL levels off well above 0
  assert.ok(trace[17] > 0.3 && trace.every((v) => Number.isFinite(v)), String(trace));
  assert.deepEqual(problems, []);
});

test("embedded alone with bad attributes, the widgets show the core's message", T, async () => {
  const { page } = await shared.h.open("/embed.html?widget=mle&samples=0");
  await page.waitForSelector("#mle .sb-error:not([hidden])");
  assert.match(await page.textContent("#mle .sb-error"), /samples must be a finite number in \[10, 100000\]; got 0/);
  const k = await shared.h.open("/embed.html?widget=kl-fit&width=-1");
  await k.page.waitForSelector("#kl-fit .sb-error:not([hidden])");
  assert.match(await k.page.textContent("#kl-fit .sb-error"), /width must be a finite number in \[0\.1, 5\]; got -1/);
});
