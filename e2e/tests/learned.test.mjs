// End-to-end tests of <sb-learned-langevin> (section 4, Langevin with the learned score beside the
// exact score): canvases, controls and readouts, training in the widget, importing weights (good
// and bad files), bad attributes showing the core's message. Headless Chromium via playwright-core.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { sharedHarness, widgetReady, nonBlankFraction, canvasHash, readout } from "./helpers.mjs";

const W = "sb-learned-langevin";
const T = { timeout: 180_000 };
const shared = sharedHarness();
const nums = (s) => String(s).replace(/,/g, "").match(/-?\d+(\.\d+)?(e-?\d+)?/g).map(Number);
const RING8 = new URL("../../www/models/ring8.sbnn", import.meta.url);

async function until(f, ms = 4000) {
  const t0 = Date.now();
  for (;;) {
    const v = await f();
    if (v || Date.now() - t0 > ms) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** An SBNN v1 file of zeros for the widths `w` (SiLU). */
function zerosFile(w) {
  let p = 0;
  for (let l = 0; l + 1 < w.length; l++) p += (w[l] + 1) * w[l + 1];
  const b = Buffer.alloc(16 + 4 * w.length + 4 * p);
  b.write("SBNN", 0, "latin1");
  b.writeUInt32LE(1, 4);
  b.writeUInt32LE(0, 8);
  b.writeUInt32LE(w.length, 12);
  w.forEach((v, i) => b.writeUInt32LE(v, 16 + 4 * i));
  return b;
}

test("learned langevin: canvases drawn, play/pause/step/reset, controls change the readouts", T, async () => {
  const { page, problems } = await shared.h.open("/embed.html?widget=learned-langevin&autoplay=false", { dpr: 2 });
  await widgetReady(page, W);
  const canvases = await page.$$(`${W} canvas`);
  assert.equal(canvases.length, 4);
  for (const sel of [`${W} canvas.sb-exact`, `${W} canvas.sb-learned`, `${W} canvas.sb-error-map`]) {
    const f = await nonBlankFraction(page, sel);
    assert.ok(f > 0.05, `${sel} is drawn (${f})`);
  }
  assert.ok((await nonBlankFraction(page, `${W} canvas.sb-chart`)) > 0.005, "chart axes drawn");
  assert.match(await readout(page, W, "Learned model"), /^shipped file models\/ring8\.sbnn; 3-128-128-2 \(silu\), 17282 parameters/);
  assert.equal(await readout(page, W, "Phase"), "sampling: step 0 of 500");
  await page.click(`${W} button:text-is("Step")`);
  assert.equal(await readout(page, W, "Phase"), "sampling: step 1 of 500");

  const cloud = `${W} canvas.sb-learned`;
  const h0 = await canvasHash(page, cloud);
  await page.click(`${W} button.sb-play`);
  assert.ok(await until(async () => nums(await readout(page, W, "Phase"))[0] > 60, 60_000), "the samplers run while playing");
  await page.click(`${W} button.sb-play`);
  const s = await readout(page, W, "Phase");
  await page.waitForTimeout(300);
  assert.equal(await readout(page, W, "Phase"), s, "paused");
  assert.notEqual(await canvasHash(page, cloud), h0, "the learned cloud moved");

  // run to the end: both runs put 1/8 of the cloud in each mode (binomial SE √(0.11/2000) =
  // 0.0074 per share; 0.04 = 5 SE), and every readout is finite
  await page.evaluate((sel) => { const el = document.querySelector(sel); el.advance(0, 1000); el.updateReadouts(true); }, W);
  assert.match(await readout(page, W, "Phase"), /^sampling: step 500 of 500 \(finished\)/);
  for (const lab of ["Share in each mode, exact score", "Share in each mode, learned score"]) {
    for (const v of nums(await readout(page, W, lab))) assert.ok(Math.abs(v - 0.125) < 0.04, `${lab}: ${v}`);
  }
  const kl = nums(await readout(page, W, "Histogram KL"));
  assert.equal(kl.length, 3);
  const serr = nums(await readout(page, W, "Score error at σ"));
  assert.ok(serr.length === 3 && serr.every(Number.isFinite), String(serr));

  // the sampler select: ULA is one level at σ_min
  await page.selectOption(`${W} select >> nth=3`, "ula");
  assert.match(await readout(page, W, "Level, σ, α"), /^1 of 1 · σ = 0\.05/);
  assert.equal(await readout(page, W, "Phase"), "sampling: step 0 of 500");
  // σ_min slider (its label names it) changes the level's σ
  // (range inputs: DSM training steps (hidden unless model = train), σ_max, σ_min, L, T, ε, particles)
  const smin = page.locator(`${W} input[type=range]`).nth(2);
  await smin.focus();
  await page.keyboard.press("ArrowLeft");
  assert.match(await readout(page, W, "Level, σ, α"), /σ = 0\.02 /);
  // particles slider
  const n = page.locator(`${W} input[type=range]`).nth(6);
  await n.focus();
  await page.keyboard.press("ArrowLeft");
  assert.match(await readout(page, W, "Kernel, speed"), /1,000 particles per run/);
  // reset: step 0
  await page.evaluate((sel) => document.querySelector(sel).advance(0, 10), W);
  await page.click(`${W} button:text-is("Reset")`);
  assert.equal(await readout(page, W, "Phase"), "sampling: step 0 of 500");
  assert.deepEqual(problems, []);
});

test("learned langevin: training in the widget, then sampling with the trained network", T, async () => {
  const { page, problems } = await shared.h.open("/embed.html?widget=learned-langevin&autoplay=false&model=train&train-steps=200&particles=500");
  await widgetReady(page, W);
  assert.match(await readout(page, W, "Phase"), /^training: DSM step 0 of 200/);
  await page.click(`${W} button.sb-play`);
  assert.ok(await until(async () => /^sampling/.test(await readout(page, W, "Phase")), 60_000), "training finishes while playing");
  await page.click(`${W} button.sb-play`);
  assert.match(await readout(page, W, "Learned model"), /^trained here; 3-128-128-2 \(silu\), 17282 parameters; 200 DSM steps/);
  // the model select back to the shipped file
  await page.selectOption(`${W} select >> nth=2`, "shipped");
  assert.ok(await until(async () => /^shipped file/.test(await readout(page, W, "Learned model"))));
  assert.deepEqual(problems, []);
});

test("learned langevin: importing weights (a good file, a bad file, a wrong architecture)", T, async () => {
  const { page, problems } = await shared.h.open("/embed.html?widget=learned-langevin&autoplay=false");
  await widgetReady(page, W);
  const input = `${W} input[type=file]`;
  await page.setInputFiles(input, { name: "w.sbnn", mimeType: "application/octet-stream", buffer: await readFile(RING8) });
  assert.ok(await until(async () => /^imported file w\.sbnn; 3-128-128-2/.test(await readout(page, W, "Learned model"))));
  // not a weights file
  await page.setInputFiles(input, { name: "bad.sbnn", mimeType: "application/octet-stream", buffer: Buffer.from("this is not a network, just text") });
  await page.waitForSelector(`${W} .sb-error:not([hidden])`);
  assert.match(await page.textContent(`${W} .sb-error`), /weights file has bad magic bytes/);
  // a network of the wrong shape
  await page.click(`${W} .sb-error button:text-is("Reset")`);
  await page.setInputFiles(input, { name: "wrong.sbnn", mimeType: "application/octet-stream", buffer: zerosFile([2, 8, 2]) });
  await page.waitForSelector(`${W} .sb-error:not([hidden])`);
  assert.match(await page.textContent(`${W} .sb-error`), /a score model must map \(x₁, x₂, log σ\) to 2 outputs \(architecture 3-…-2\); this file holds 2-8-2 \(silu\)/);
  // the model in use is unchanged
  assert.match(await readout(page, W, "Learned model"), /^imported file w\.sbnn/);
  // another 3 → … → 2 architecture is accepted
  await page.click(`${W} .sb-error button:text-is("Reset")`);
  await page.setInputFiles(input, { name: "small.sbnn", mimeType: "application/octet-stream", buffer: zerosFile([3, 16, 2]) });
  assert.ok(await until(async () => /^imported file small\.sbnn; 3-16-2 \(silu\), 98 parameters/.test(await readout(page, W, "Learned model"))));
  assert.deepEqual(problems, []);
});

test("learned langevin: bad attributes show the core's message", T, async () => {
  for (const [q, re] of [
    ["sampler=euler", /sampler must be annealed or ula; got "euler"/],
    ["target=moon", /target must be one of ring8, two-modes, gaussian; got "moon"/],
    ["model=train&train-steps=1.5", /train_steps must be an integer in \[0, 100000\]; got 1\.5/],
    ["particles=0", /particles must be an integer in \[1, 1000000\]; got 0/],
    ["sigma-min=3", /sigma_min must be a finite number in \(0, sigma_max\) = \(0, 2\); got 3/],
  ]) {
    const { page: p } = await shared.h.open(`/embed.html?widget=learned-langevin&autoplay=false&${q}`);
    await p.waitForSelector(`${W} .sb-error:not([hidden])`);
    assert.match(await p.textContent(`${W} .sb-error`), re);
  }
});

test("learned langevin on the page: in the Langevin section after the annealed widget, phone layout", T, async () => {
  const { page, problems } = await shared.h.open("/index.html", { viewport: { width: 375, height: 800 } });
  await page.locator("#learned-langevin-widget").scrollIntoViewIfNeeded();
  await widgetReady(page, "#learned-langevin-widget");
  assert.ok(await page.$("#langevin #learned-langevin-widget"), "inside section 4");
  const order = await page.evaluate(() => {
    const a = document.getElementById("annealed-widget"), b = document.getElementById("learned-langevin-widget");
    return a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING;
  });
  assert.ok(order, "after the annealed widget");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
  assert.ok(overflow <= 0, `horizontal overflow ${overflow} px`);
  assert.deepEqual(problems, []);
});

test("learned langevin: a link reproduces a run trained in the widget (training steps, then sampler steps)", T, async () => {
  const link = "/embed.html?widget=learned-langevin&autoplay=false#learned-langevin.v=1&learned-langevin.model=train&learned-langevin.train=200&learned-langevin.n=500&learned-langevin.seed=3&learned-langevin.steps=250";
  const { page, problems } = await shared.h.open(link);
  await widgetReady(page, W);
  assert.equal(await readout(page, W, "Phase"), "sampling: step 50 of 500");
  assert.match(await readout(page, W, "Learned model"), /^trained here; .*; 200 DSM steps/);
  const sum = await readout(page, W, "Checksums");
  const { page: p2 } = await shared.h.open(link);
  await widgetReady(p2, W);
  assert.equal(await readout(p2, W, "Checksums"), sum);
  assert.deepEqual(problems, []);
});

test("learned langevin: the numbers table has the exact values beside the measured ones", T, async () => {
  const { page, problems } = await shared.h.open("/embed.html?widget=learned-langevin&autoplay=false&particles=500");
  await widgetReady(page, W);
  await page.click(`${W} button:text-is("Show numbers as a table")`);
  const text = await page.textContent(`${W} table.sb-table`);
  assert.match(text, /Mode 1: share, exact score/);
  assert.match(text, /Histogram KL to p_σ, learned score/);
  assert.match(text, /Relative score error at σ = 2, exact samples of p_σ/);
  assert.deepEqual(problems, []);
});
