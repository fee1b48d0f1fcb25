// End-to-end tests of the Boltzmann-machine widget <sb-boltzmann> in the notebook and embedded.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sharedHarness, widgetReady, nonBlankFraction, canvasHash, readout } from "./helpers.mjs";

const W = "#boltzmann-widget";
const T = { timeout: 120_000 };
const shared = sharedHarness();

const kl = (page, sel = W) => readout(page, sel, "Exact KL(p‖q)");

test("the Boltzmann machine trains, draws, and every control changes the readouts", T, async () => {
  const { page, problems } = await shared.h.open("/index.html#boltzmann-widget.v=1");
  await page.locator(W).scrollIntoViewIfNeeded();
  await widgetReady(page, W);
  await page.evaluate((s) => document.querySelector(s).pause(), W);
  assert.ok((await nonBlankFraction(page, `${W} canvas.sb-main`)) > 0.05, "figure drawn");
  assert.ok((await nonBlankFraction(page, `${W} canvas.sb-chart`)) > 0.01, "chart drawn");

  // Step: one update of the three rules changes the exact KLs and the drawing
  await page.evaluate((s) => document.querySelector(s).reset(), W);
  const kl0 = await kl(page);
  const hash0 = await canvasHash(page, `${W} canvas.sb-chart`);
  // at θ = 0 every rule has KL = log 512 − H(p) = log(512/14) for bars and stripes
  assert.equal(kl0, [1, 2, 3].map(() => String(Number(Math.log(512 / 14).toPrecision(4)))).join(" | "));
  await page.click(`${W} button:has-text("Step")`);
  assert.notEqual(await kl(page), kl0);
  assert.equal(await readout(page, W, "Updates"), "1");
  for (let i = 0; i < 5; i++) await page.click(`${W} button:has-text("Step")`);
  assert.notEqual(await canvasHash(page, `${W} canvas.sb-chart`), hash0);

  // k slider: restarts, relabels CD-k
  const k = page.locator(`${W} input[type=range]`).nth(1);
  await k.focus();
  await page.keyboard.press("ArrowRight"); // k = 2
  assert.equal(await readout(page, W, "Updates"), "0");
  assert.ok((await page.textContent(`${W} .sb-readouts`)).includes("CD-2"));

  // preset select: another data set, another starting KL
  await page.selectOption(`${W} select >> nth=1`, "letters");
  assert.equal((await kl(page)).split(" | ")[0], String(Number(Math.log(512 / 5).toPrecision(4))));

  // learning-rate slider continues the run with a new ε
  await page.click(`${W} button:has-text("Step")`);
  const lr = page.locator(`${W} input[type=range]`).nth(0);
  await lr.focus();
  await page.keyboard.press("ArrowLeft");
  assert.equal(await readout(page, W, "Updates"), "1");

  // the pixel editor: a keyboard toggle switches to custom images and restarts
  await page.click(`${W} .sb-bm-editor summary`);
  const px = page.locator(`${W} button.sb-bm-px`).first();
  const before = await px.getAttribute("aria-pressed");
  await px.focus();
  await page.keyboard.press("Enter");
  assert.notEqual(await page.locator(`${W} button.sb-bm-px`).first().getAttribute("aria-pressed"), before);
  assert.equal(await page.inputValue(`${W} select >> nth=1`), "custom");

  // the state is in the URL: after the restart, a reload reproduces the same run
  await page.click(`${W} button:has-text("Step")`);
  await page.click(`${W} button:has-text("Step")`);
  await page.waitForTimeout(400);
  const url = page.url();
  assert.match(url, /boltzmann-widget\.pats=/);
  assert.match(url, /boltzmann-widget\.steps=2/);
  const klBefore = await kl(page);
  const again = await shared.h.open(new URL(url).pathname + new URL(url).hash);
  await again.page.locator(W).scrollIntoViewIfNeeded();
  await widgetReady(again.page, W);
  assert.equal(await kl(again.page), klBefore, "same images, seed, ε, k and updates → same exact KLs");
  assert.deepEqual(problems, []);
  assert.deepEqual(again.problems, []);
});

test("embedded alone, with a bad attribute it shows the core's message; a bad link value a notice", T, async () => {
  const { page } = await shared.h.open("/embed.html?widget=boltzmann&sweeps=0");
  await page.waitForSelector("#boltzmann .sb-error:not([hidden])");
  assert.match(await page.textContent("#boltzmann .sb-error"), /sweeps must be a finite number in \[1, 1000\]; got 0/);
  const ok = await shared.h.open("/embed.html?widget=boltzmann&autoplay=false#boltzmann.v=1&boltzmann.pats=9999");
  await widgetReady(ok.page, "#boltzmann");
  assert.match(await ok.page.textContent("#boltzmann .sb-notice"), /pats=9999/);
  assert.equal(await ok.page.$$eval("sb-boltzmann", (e) => e.length), 1);
  assert.deepEqual(ok.problems, []);
});
