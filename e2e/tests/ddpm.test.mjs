// End-to-end tests of section 5's widgets: <sb-ddpm-forward> (forward process and schedule
// editor) and <sb-ddpm-train> (live ε-prediction training and sampling): canvases drawn, controls
// change the readouts, knots dragged with the mouse, bad attributes show the core's message, a
// link reproduces the state. Headless Chromium via playwright-core.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sharedHarness, widgetReady, nonBlankFraction, canvasHash, readout } from "./helpers.mjs";

const F = "sb-ddpm-forward";
const D = "sb-ddpm-train";
const T = { timeout: 180_000 };
const shared = sharedHarness();
const nums = (s) => String(s).replace(/,/g, "").match(/-?\d+(\.\d+)?(e-?\d+)?/g).map(Number);

async function until(f, ms = 4000) {
  const t0 = Date.now();
  for (;;) {
    const v = await f();
    if (v || Date.now() - t0 > ms) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

test("ddpm-forward: canvases drawn, t and schedule controls change the readouts, short schedules keep a prior gap", T, async () => {
  const { page, problems } = await shared.h.open("/embed.html?widget=ddpm-forward&autoplay=false", { dpr: 2 });
  await widgetReady(page, F);
  const canvases = await page.$$(`${F} canvas`);
  assert.equal(canvases.length, 4);
  for (const [sel, min] of [[".sb-main", 0.05], [".sb-chart:nth-of-type(2)", 0.005], [".sb-snr", 0.005]]) {
    const f = await nonBlankFraction(page, `${F} canvas${sel}`);
    assert.ok(f > min, `${sel} drawn (${f})`);
  }
  assert.match(await readout(page, F, "Step t"), /^0 of T = 1000 \(linear\)$/);
  const cloud0 = await canvasHash(page, `${F} canvas.sb-main`);
  // Step advances t; the t slider jumps
  await page.click(`${F} button:text-is("Step")`);
  assert.ok(nums(await readout(page, F, "Step t"))[0] >= 1);
  const tSlider = page.locator(`${F} input[type=range]`).nth(1);
  await tSlider.fill("500");
  assert.match(await readout(page, F, "Step t"), /^500 of T = 1000/);
  assert.notEqual(await canvasHash(page, `${F} canvas.sb-main`), cloud0, "the cloud moved");
  // V-D3: ᾱ_500 of Ho et al.'s linear schedule
  assert.equal(nums(await readout(page, F, "β_t · ᾱ_t"))[1], 0.078587);
  const gapLong = nums(await readout(page, F, "ᾱ_T and the prior gap"))[1];
  // a short linear schedule never reaches the prior
  const lenSlider = page.locator(`${F} input[type=range]`).nth(0);
  await lenSlider.fill("3"); // T = 10
  assert.match(await readout(page, F, "Step t"), /of T = 10 \(linear\)/);
  const gapShort = nums(await readout(page, F, "ᾱ_T and the prior gap"))[1];
  assert.ok(gapShort > 1 && gapLong < 1e-3, `${gapShort} vs ${gapLong}`);
  // the cosine schedule
  await page.selectOption(`${F} select >> nth=2`, "cosine");
  assert.match(await readout(page, F, "Step t"), /\(cosine\)$/);
  // play runs t up to T and stops
  await page.click(`${F} button.sb-play`);
  assert.ok(await until(async () => /^10 of T = 10/.test(await readout(page, F, "Step t")), 10_000));
  assert.deepEqual(problems, []);
});

test("ddpm-forward: custom knots are dragged with the mouse or typed; bad attributes show the core's message; a link reproduces the state", T, async () => {
  const { page, problems } = await shared.h.open("/embed.html?widget=ddpm-forward&autoplay=false&schedule=custom&steps=200", { dpr: 2 });
  await widgetReady(page, F);
  const gap0 = await readout(page, F, "ᾱ_T and the prior gap");
  // find knot 4 (the last) by asking the core which device pixel picks it
  await page.locator(`${F} canvas.sb-snr`).scrollIntoViewIfNeeded();
  const at = await page.evaluate((sel) => {
    const el = document.querySelector(sel);
    const c = el.snrChart;
    for (let py = 0; py < c.height; py += 2) for (let px = c.width - 1; px > c.width / 2; px -= 2) {
      if (el.handle.pickKnot(px, py, el.dpr) === 4) {
        const r = c.getBoundingClientRect();
        return [r.left + (px * r.width) / c.width, r.top + (py * r.height) / c.height];
      }
    }
    return null;
  }, F);
  assert.ok(at, "knot 4 is on the chart");
  await page.mouse.move(at[0], at[1]);
  await page.mouse.down();
  await page.mouse.move(at[0], at[1] + 25, { steps: 4 });
  await page.mouse.up();
  const knots = await page.inputValue(`${F} input.sb-knots`);
  assert.ok(knots.split(",").map(Number)[4] < -8, `dragged down: ${knots}`);
  assert.notEqual(await readout(page, F, "ᾱ_T and the prior gap"), gap0);
  // typed knots; bad ones show the core's message
  await page.fill(`${F} input.sb-knots`, "1,2");
  await page.press(`${F} input.sb-knots`, "Enter");
  await page.waitForSelector(`${F} .sb-error:not([hidden])`);
  assert.match(await page.textContent(`${F} .sb-error`), /knots must be strictly decreasing log-SNR values/);
  await page.click(`${F} .sb-error button:text-is("Reset")`);
  for (const [q, re] of [
    ["steps=0", /steps must be an integer T in \[1, 5000\]; got 0/],
    ["beta-start=2", /beta_start must be a finite number in \(0, 1\); got 2/],
    ["schedule=quadratic", /schedule must be one of linear, cosine, custom/],
    ["knots=3,4", /knots must be strictly decreasing/],
    ["target=moons", /target must be one of ring8, gaussian, two-modes/],
  ]) {
    const { page: p } = await shared.h.open(`/embed.html?widget=ddpm-forward&autoplay=false&${q}`);
    await p.waitForSelector(`${F} .sb-error:not([hidden])`);
    assert.match(await p.textContent(`${F} .sb-error`), re);
  }
  const link = "/embed.html?widget=ddpm-forward&autoplay=false#ddpm-forward.v=1&ddpm-forward.target=two-modes&ddpm-forward.kind=cosine&ddpm-forward.T=500&ddpm-forward.seed=3&ddpm-forward.steps=120";
  const { page: a } = await shared.h.open(link);
  await widgetReady(a, F);
  assert.equal(await readout(a, F, "Step t"), "120 of T = 500 (cosine)");
  const sum = await readout(a, F, "Checksum of x_t");
  const { page: b } = await shared.h.open(link);
  await widgetReady(b, F);
  assert.equal(await readout(b, F, "Checksum of x_t"), sum);
  assert.deepEqual(problems, []);
});

test("ddpm-train: training lowers the excess loss, sampling runs beside the exact ε, the scrubber moves through t", T, async () => {
  const { page, problems } = await shared.h.open("/embed.html?widget=ddpm-train&autoplay=false", { dpr: 2 });
  await widgetReady(page, D);
  assert.equal((await page.$$(`${D} canvas`)).length, 3);
  assert.ok((await nonBlankFraction(page, `${D} canvas.sb-chart`)) > 0.003);
  assert.equal(await readout(page, D, "Training step"), "0");
  const ex0 = nums(await readout(page, D, "Excess"))[0];
  await page.click(`${D} button:text-is("Step")`);
  assert.equal(await readout(page, D, "Training step"), "1");
  await page.click(`${D} button.sb-play`);
  assert.ok(await until(async () => nums(await readout(page, D, "Training step"))[0] > 1500, 60_000), "trains while playing");
  await page.click(`${D} button.sb-play`);
  const ex1 = nums(await readout(page, D, "Excess"))[0];
  assert.ok(ex1 < 0.3 * ex0, `${ex0} → ${ex1}`);
  // sampling: both runs finish, canvases show clouds
  await page.click(`${D} button.sb-sample`);
  assert.ok(await until(async () => /\(done\)/.test(await readout(page, D, "Sampling")), 60_000), "sampling finishes");
  for (const c of ["sb-learned", "sb-exact"]) assert.ok((await nonBlankFraction(page, `${D} canvas.${c}`)) > 0.03, c);
  assert.equal(await readout(page, D, "Shown step t"), "0");
  const shares = nums(await readout(page, D, "Mode shares"));
  // exact-ε run vs weights 0.8/0.2 with 2000 particles: SE 0.009
  assert.ok(Math.abs(shares[2] - 0.8) < 0.05, `${shares}`);
  const learnedHash = await canvasHash(page, `${D} canvas.sb-main`);
  const scrub = page.locator(`${D} input[type=range]`).nth(0);
  await scrub.fill("50");
  assert.ok(nums(await readout(page, D, "Shown step t"))[0] > 0);
  assert.notEqual(await canvasHash(page, `${D} canvas.sb-main`), learnedHash);
  // DDIM with 20 steps
  await page.selectOption(`${D} select >> nth=2`, "ddim");
  await page.locator(`${D} input[type=range]`).nth(2).fill("4");
  await page.click(`${D} button.sb-sample`);
  assert.ok(await until(async () => /^ddim: 20 of 20 steps \(done\)/.test(await readout(page, D, "Sampling")), 30_000));
  assert.deepEqual(problems, []);
});

test("ddpm-train: bad attributes show the core's message; a link reproduces the training run", T, async () => {
  for (const [q, re] of [
    ["learning-rate=0", /learning_rate must be a finite number in \(0, 1\]; got 0/],
    ["batch-size=0", /batch_size must be an integer in \[1, 4096\]; got 0/],
    ["sampler=euler", /sampler must be ancestral or ddim/],
    ["ddim-steps=500", /ddim_steps must be an integer in \[1, 200\]; got 500/],
    ["hidden=0", /hidden must be hidden widths in \[1, 512\]; got 0/],
    ["steps=0", /steps must be an integer in \[1, 5000\]; got 0/],
  ]) {
    const { page: p } = await shared.h.open(`/embed.html?widget=ddpm-train&autoplay=false&${q}`);
    await p.waitForSelector(`${D} .sb-error:not([hidden])`);
    assert.match(await p.textContent(`${D} .sb-error`), re);
  }
  const link = "/embed.html?widget=ddpm-train&autoplay=false#ddpm-train.v=1&ddpm-train.lr=0.005&ddpm-train.seed=7&ddpm-train.steps=300";
  const { page, problems } = await shared.h.open(link);
  await widgetReady(page, D);
  assert.equal(await readout(page, D, "Training step"), "300");
  const ex = await readout(page, D, "Excess");
  const { page: p2 } = await shared.h.open(link);
  await widgetReady(p2, D);
  assert.equal(await readout(p2, D, "Excess"), ex);
  assert.deepEqual(problems, []);
});
