// End-to-end tests of section 8's widgets: <sb-sda-1d> and <sb-sda-lorenz>. Headless Chromium via
// playwright-core: non-blank canvases, controls change the readouts, bad attributes show the core's
// message.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sharedHarness, widgetReady, nonBlankFraction, canvasHash, readout } from "./helpers.mjs";

const S = "#sda-1d-widget";
const L = "#sda-lorenz-widget";
const T = { timeout: 180_000 };
const shared = sharedHarness();

async function ready(page, sel) {
  await page.locator(sel).scrollIntoViewIfNeeded();
  await widgetReady(page, sel);
  await page.evaluate((s) => { const el = document.querySelector(s); el.pause(); el.reset(); }, sel);
}

test("sda-1d: runs to t = 0 beside the Kalman posterior; prior and noise change the readouts", T, async () => {
  const { page, problems } = await shared.h.open("/index.html");
  await ready(page, S);
  assert.ok((await nonBlankFraction(page, `${S} canvas.sb-main`)) > 0.005);
  assert.ok((await nonBlankFraction(page, `${S} canvas.sb-chart`)) > 0.005);
  assert.equal(await readout(page, S, "Kalman posterior p(x₀ | y)"), "mean 1.73529, var 0.0661765");
  await page.click(`${S} button:has-text("Step")`);
  assert.match(await readout(page, S, "Time t (steps done)"), /\(1\)$/);
  const hash = await canvasHash(page, `${S} canvas.sb-main`);
  await page.evaluate((s) => { const el = document.querySelector(s); el.advance(0, 1000); el.redraw(); el.updateReadouts(true); }, S);
  assert.equal(await readout(page, S, "Time t (steps done)"), "0 (1,000)");
  assert.notEqual(await canvasHash(page, `${S} canvas.sb-main`), hash);
  assert.equal(await readout(page, S, "Exact p(x_t | y)"), "mean 1.735, var 0.06618");
  // the naive run is overconfident: variance near 0.035
  const naive = await readout(page, S, "naive (y − x_t)/λ²");
  const v = Number(naive.match(/var ([\d.]+)/)[1]);
  assert.ok(v > 0.03 && v < 0.042, naive);
  // a noise slider step restarts with a new exact posterior
  const noise = page.locator(`${S} input[type=range]`).nth(1);
  await noise.focus();
  await page.keyboard.press("ArrowRight");
  assert.notEqual(await readout(page, S, "Kalman posterior p(x₀ | y)"), "mean 1.73529, var 0.0661765");
  // the bimodal prior reports the mass left of the split
  await page.selectOption(`${S} select >> nth=1`, "bimodal");
  assert.match(await readout(page, S, "Exact p(x_t | y)"), /left mode/);
  assert.match(await readout(page, S, "Exact posterior p(x₀ | y)"), /^mean 0\.71988/);
  assert.deepEqual(problems, []);
});

test("sda-lorenz: the filters finish with progress shown, and readouts appear", T, async () => {
  const { page, problems } = await shared.h.open("/embed.html?widget=sda-lorenz&autoplay=false&particles=1024&window=33");
  await widgetReady(page, L.replace("-widget", ""));
  const sel = "#sda-lorenz";
  assert.ok((await nonBlankFraction(page, `${sel} canvas.sb-main`)) > 0.005);
  assert.match(await readout(page, sel, "Progress (filter 1 | filter 2)"), /^0 %/);
  assert.equal(await readout(page, sel, "Observations in the window"), "5 over 33 states");
  // play: the frames advance the filters in chunks until both are done
  await page.click(`${sel} button:has-text("Play")`);
  await page.waitForFunction((s) => document.querySelector(s).handle.done, sel, { timeout: 60_000 });
  await page.evaluate((s) => document.querySelector(s).updateReadouts(true), sel);
  assert.match(await readout(page, sel, "Progress (filter 1 | filter 2)"), /^100 % \(done \| done\)/);
  assert.match(await readout(page, sel, "Sliced W₁ between two filters (noise floor)"), /^\d/);
  const before = await readout(page, sel, "log p(y | x): samples | truth");
  // another operator: a new experiment
  await page.selectOption(`${sel} select >> nth=1`, "z4");
  assert.equal(await readout(page, sel, "Observations in the window"), "9 over 33 states");
  assert.notEqual(await readout(page, sel, "log p(y | x): samples | truth"), before);
  assert.deepEqual(problems, []);
});

test("sda widgets: bad attributes show the core's message", T, async () => {
  const a = await shared.h.open("/embed.html?widget=sda-lorenz&start=500");
  await a.page.waitForSelector("#sda-lorenz .sb-error:not([hidden])");
  assert.match(await a.page.textContent("#sda-lorenz .sb-error"), /window must be inside the simulated trajectory of 512 states/);
  const b = await shared.h.open("/embed.html?widget=sda-lorenz&operator=y2");
  await b.page.waitForSelector("#sda-lorenz .sb-error:not([hidden])");
  assert.match(await b.page.textContent("#sda-lorenz .sb-error"), /observation operator must be x8, x1 or z4; got y2/);
  const c = await shared.h.open("/embed.html?widget=sda-1d&noise=-1");
  await c.page.waitForSelector("#sda-1d .sb-error:not([hidden])");
  assert.match(await c.page.textContent("#sda-1d .sb-error"), /observation noise must be a finite number in \[0\.05, 2\]; got -1/);
});

test("sda-lorenz: score-based samples appear after the filters, with a finite sliced distance", T, async () => {
  const { page, problems } = await shared.h.open("/embed.html?widget=sda-lorenz&autoplay=false&particles=1024&window=9&corrections=1");
  await widgetReady(page, L.replace("-widget", ""));
  const sel = "#sda-lorenz";
  assert.equal(await readout(page, sel, "Score-based sampler"), "not started");
  assert.ok(await page.locator(`${sel} button.sb-sda-sample`).isDisabled());
  await page.click(`${sel} button:has-text("Play")`);
  await page.waitForFunction((s) => document.querySelector(s).handle.done, sel, { timeout: 60_000 });
  await page.evaluate((s) => document.querySelector(s).updateReadouts(true), sel);
  const sdaCanvas = `${sel} canvas.sb-main:nth-of-type(2)`;
  await page.click(`${sel} button.sb-sda-sample`);
  await page.waitForFunction((s) => { const el = document.querySelector(s); return el.sda && el.sda.done; }, sel, { timeout: 120_000 });
  await page.evaluate((s) => { const el = document.querySelector(s); el.redraw(); el.updateReadouts(true); }, sel);
  assert.match(await readout(page, sel, "Score-based sampler"), /^100 % \(K = 1\)/);
  const sw = Number(await readout(page, sel, "Score-based: sliced W₁ to the filter"));
  assert.ok(Number.isFinite(sw) && sw > 0, String(sw));
  const [lp, ll] = (await readout(page, sel, "Score-based: log p(x) | log p(y | x)")).split(" | ").map((v) => Number(v.replace("−", "-")));
  assert.ok(Number.isFinite(lp) && Number.isFinite(ll), `${lp} ${ll}`);
  assert.ok((await nonBlankFraction(page, sdaCanvas)) > 0.005);
  assert.deepEqual(problems, []);
});
