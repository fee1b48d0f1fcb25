// End-to-end tests of <sb-dsm-train> (section 3, live denoising score matching of an MLP):
// canvases, controls and readouts, training lowering the error, weights export and import,
// divergence and bad attributes showing the core's message. Headless Chromium via playwright-core.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { sharedHarness, widgetReady, nonBlankFraction, canvasHash, readout } from "./helpers.mjs";

const D = "sb-dsm-train";
const T = { timeout: 180_000 };
const shared = sharedHarness();
const nums = (s) => String(s).replace(/,/g, "").match(/-?\d+(\.\d+)?(e-?\d+)?/g).map(Number);

/** Polls `f` until it returns a truthy value. */
async function until(f, ms = 4000) {
  const t0 = Date.now();
  for (;;) {
    const v = await f();
    if (v || Date.now() - t0 > ms) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

test("dsm widget: canvases drawn, play/pause/step/reset, controls change the readouts, training lowers the error", T, async () => {
  const { page, problems } = await shared.h.open("/embed.html?widget=dsm-train&autoplay=false", { dpr: 2 });
  await widgetReady(page, D);
  const canvases = await page.$$(`${D} canvas`);
  assert.equal(canvases.length, 4);
  // fields: density + arrows; error map: everywhere; chart at step 0: axes and legend only
  const ink = [0.05, 0.05, 0.5, 0.003];
  for (let k = 0; k < 4; k++) {
    const f = await nonBlankFraction(page, `${D} .sb-dsm-cell:nth-child(${k + 1}) canvas`);
    assert.ok(f > ink[k], `canvas ${k} is drawn (${f})`);
  }
  assert.equal(await readout(page, D, "Training step"), "0");
  assert.match(await readout(page, D, "Network"), /^3-128-128-2 \(silu\), 17,282 parameters/);
  const errs0 = nums(await readout(page, D, "Relative error at σ = 0.1 · 0.5 · 1 · 2"));
  assert.equal(errs0.length, 4, "one value per σ");

  await page.click(`${D} button:text-is("Step")`);
  assert.equal(await readout(page, D, "Training step"), "1");
  assert.ok(Number.isFinite(nums(await readout(page, D, "Batch loss"))[0]));

  // play for a while: steps per second are shown, then pause
  const field = `${D} .sb-dsm-cell:nth-child(1) canvas`;
  const h0 = await canvasHash(page, field);
  await page.click(`${D} button.sb-play`);
  const played = await until(async () => nums(await readout(page, D, "Training step"))[0] > 300, 30_000);
  assert.ok(played, "training runs while playing");
  assert.match(await readout(page, D, "Training steps per second"), /^\d[\d.]* \(simd128\)/);
  await page.click(`${D} button.sb-play`);
  const stepped = nums(await readout(page, D, "Training step"))[0];
  await page.waitForTimeout(300);
  assert.equal(nums(await readout(page, D, "Training step"))[0], stepped, "paused");
  assert.notEqual(await canvasHash(page, field), h0, "the learned field changed");
  // the error at σ = 1 and 2 fell well below its initial value (≈ 1)
  const errs1 = nums(await readout(page, D, "Relative error at σ = 0.1 · 0.5 · 1 · 2"));
  assert.ok(errs1[2] < 0.6 * errs0[2] && errs1[3] < 0.6 * errs0[3], `${errs0} → ${errs1}`);

  // the σ slider changes the pictures and the labelled readout
  const sigma = page.locator(`${D} input[type=range]`).nth(0);
  await sigma.focus();
  await page.keyboard.press("ArrowRight");
  assert.ok(await until(async () => (await readout(page, D, "Relative error at σ = 0.7")) !== null));
  // the learning rate and batch size sliders change the core's settings
  const lr = page.locator(`${D} input[type=range]`).nth(1);
  await lr.focus();
  await page.keyboard.press("ArrowRight");
  assert.equal(await page.evaluate((s) => document.querySelector(s).handle.learningRate, D), 0.002);
  const batch = page.locator(`${D} input[type=range]`).nth(2);
  await batch.focus();
  await page.keyboard.press("ArrowLeft");
  assert.equal(await page.evaluate((s) => document.querySelector(s).handle.batchSize, D), 256);

  // reset: back to step 0 and the initial errors
  await page.click(`${D} button:text-is("Reset")`);
  assert.equal(await readout(page, D, "Training step"), "0");
  // the data select restarts on another target
  await page.selectOption(`${D} select >> nth=1`, "two-modes");
  assert.equal(await page.evaluate((s) => document.querySelector(s).handle.target, D), "two-modes");
  assert.deepEqual(problems, []);
});

test("dsm widget: weights download and import, file errors, divergence and bad attributes show the core's message", T, async () => {
  const { page, problems } = await shared.h.open("/embed.html?widget=dsm-train&autoplay=false&hidden=16&batch-size=64");
  await widgetReady(page, D);
  await page.evaluate((s) => { const el = document.querySelector(s); el.advance(0, 50); el.updateReadouts(true); }, D);
  await page.click(`${D} .sb-share summary`);
  const [dl] = await Promise.all([page.waitForEvent("download"), page.click(`${D} button:text-is("Download weights (.sbnn)")`)]);
  const bytes = await readFile(await dl.path());
  assert.equal(bytes.subarray(0, 4).toString(), "SBNN");
  assert.equal(bytes.length, 28 + 4 * ((3 + 1) * 16 + (16 + 1) * 2));
  const hist = (await (async () => {
    const [d] = await Promise.all([page.waitForEvent("download"), page.click(`${D} button:text-is("Error history (CSV)")`)]);
    return readFile(await d.path());
  })()).toString().trim().split("\n");
  assert.equal(hist[0], '"step","rel_err_sigma_0.1","rel_err_sigma_0.5","rel_err_sigma_1","rel_err_sigma_2"');

  // import the downloaded file into a fresh run: the parameters come back exactly
  const trained = await page.evaluate((s) => Array.from(document.querySelector(s).handle.params()), D);
  await page.click(`${D} button:text-is("Reset")`);
  await page.setInputFiles(`${D} input[type=file]`, { name: "w.sbnn", mimeType: "application/octet-stream", buffer: bytes });
  assert.ok(await until(async () => JSON.stringify(await page.evaluate((s) => Array.from(document.querySelector(s).handle.params()), D)) === JSON.stringify(trained)));

  // a truncated file: the overlay names the problem
  await page.setInputFiles(`${D} input[type=file]`, { name: "bad.sbnn", mimeType: "application/octet-stream", buffer: bytes.subarray(0, 60) });
  await page.waitForSelector(`${D} .sb-error:not([hidden])`);
  assert.match(await page.textContent(`${D} .sb-error`), /weights file is truncated: 60 bytes, the header announces 420/);

  // huge finite weights: the first step's loss overflows, training stops and says so
  const huge = Buffer.from(bytes);
  for (let k = 28; k < huge.length; k += 4) huge.writeFloatLE(1e30, k);
  await page.click(`${D} .sb-error button:text-is("Reset")`);
  await page.setInputFiles(`${D} input[type=file]`, { name: "huge.sbnn", mimeType: "application/octet-stream", buffer: huge });
  await page.click(`${D} button:text-is("Step")`);
  await page.waitForSelector(`${D} .sb-error:not([hidden])`);
  assert.match(await page.textContent(`${D} .sb-error`), /training diverged at step 1: the loss became non-finite; the last finite weights were kept/);
  assert.match(await readout(page, D, "Divergence"), /^training diverged/);
  assert.ok(!(await readout(page, D, "Batch loss")).includes("NaN"));

  // bad attributes → the core's message names the parameter and its range
  for (const [q, re] of [
    ["learning-rate=0", /learning_rate must be a finite number in \(0, 1\]; got 0/],
    ["batch-size=5000", /batch_size must be an integer in \[1, 4096\]; got 5000/],
    ["sigma-min=3&sigma-max=1", /sigma_max must be a finite number in \[sigma_min = 3, 20\]; got 1/],
    ["hidden=0", /hidden must be hidden widths in \[1, 512\]; got 0/],
    ["activation=tanh", /activation must be one of silu, relu/],
  ]) {
    const { page: p } = await shared.h.open(`/embed.html?widget=dsm-train&autoplay=false&${q}`);
    await p.waitForSelector(`${D} .sb-error:not([hidden])`);
    assert.match(await p.textContent(`${D} .sb-error`), re);
  }
  assert.deepEqual(problems, []);
});

test("dsm widget: a link reproduces the run (same seed and steps → same loss and errors)", T, async () => {
  const link = "/embed.html?widget=dsm-train&autoplay=false#dsm-train.v=1&dsm-train.target=two-modes&dsm-train.lr=0.002&dsm-train.batch=128&dsm-train.sigma=1&dsm-train.seed=7&dsm-train.steps=200";
  const { page, problems } = await shared.h.open(link);
  await widgetReady(page, D);
  assert.equal(await readout(page, D, "Training step"), "200");
  const loss = await readout(page, D, "Batch loss");
  const err = await readout(page, D, "Relative error at σ = 1");
  const { page: p2 } = await shared.h.open(link);
  await widgetReady(p2, D);
  assert.equal(await readout(p2, D, "Batch loss"), loss);
  assert.equal(await readout(p2, D, "Relative error at σ = 1"), err);
  assert.equal(await p2.inputValue(`${D} select >> nth=1`), "two-modes");
  assert.equal(await p2.evaluate((s) => document.querySelector(s).handle.batchSize, D), 128);
  assert.deepEqual(problems, []);
});

test("dsm widget on the page: in the score section, phone layout without overflow", T, async () => {
  const { page, problems } = await shared.h.open("/index.html", { viewport: { width: 375, height: 800 } });
  await page.locator("#dsm-train-widget").scrollIntoViewIfNeeded();
  await widgetReady(page, "#dsm-train-widget");
  assert.ok(await page.$("#score #dsm-train-widget"), "inside section 3");
  assert.ok(await page.$("#score h3#score-dsm-train"));
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
  assert.ok(overflow <= 0, `horizontal overflow ${overflow} px`);
  assert.deepEqual(problems, []);
});
