// End-to-end tests of the widgets added to section 4 (Langevin dynamics): <sb-mala> (ULA beside
// MALA), <sb-sgld> (stochastic-gradient Langevin) and <sb-annealed> (plain vs annealed Langevin).
// Headless Chromium via playwright-core.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sharedHarness, widgetReady, nonBlankFraction, canvasHash, readout } from "./helpers.mjs";

const A = "#annealed-widget";
const M = "#mala-widget";
const S = "#sgld-widget";
const T = { timeout: 120_000 };
const shared = sharedHarness();
const shares = (s) => s.split("|").map(Number);

test("annealed widget: both clouds drawn, annealing reaches the weights, controls restart the run, link reproduces it", T, async () => {
  const { page, problems } = await shared.h.open("/index.html#annealed-widget.n=5000", { dpr: 2 });
  await page.locator(A).scrollIntoViewIfNeeded();
  await widgetReady(page, A);
  await page.evaluate((s) => { const el = document.querySelector(s); el.pause(); el.reset(); }, A);
  for (const c of ["canvas.sb-plain", "canvas.sb-ald", "canvas.sb-chart"]) {
    assert.ok((await nonBlankFraction(page, `${A} ${c}`)) > 0.01, c);
  }
  assert.match(await readout(page, A, "Step"), /^0 of L·T = 2,000/);
  assert.match(await readout(page, A, "Level i"), /^1 of 20 · σ = 20 · α = 80/);
  // the schedule table: 20 rows, σ₁ = 20 marked current, σ_L = 0.01
  assert.equal(await page.locator(`${A} .sb-schedule tbody tr`).count(), 20);
  assert.match(await page.textContent(`${A} .sb-schedule tbody tr[aria-current]`), /▶ 1\s*20/);
  const hash = await canvasHash(page, `${A} canvas.sb-ald`);
  // run the whole schedule
  await page.evaluate((s) => { const el = document.querySelector(s); el.advance(0, 2000); el.redraw(); el.updateReadouts(true); }, A);
  assert.match(await readout(page, A, "Step"), /2,000 of L·T = 2,000 \(finished\)/);
  const ald = shares(await readout(page, A, "Annealed: share"));
  const plain = shares(await readout(page, A, "Plain Langevin: share"));
  // 5000 particles: SE 0.006; annealing within 0.04 of 0.8, the plain chain within 0.04 of 0.5
  assert.ok(Math.abs(ald[0] - 0.8) < 0.04, `annealed ${ald}`);
  assert.ok(Math.abs(plain[0] - 0.5) < 0.04, `plain ${plain}`);
  assert.notEqual(await canvasHash(page, `${A} canvas.sb-ald`), hash);
  assert.match(await page.textContent(`${A} .sb-schedule tbody tr[aria-current]`), /▶ 20\s*0\.01/);
  // a slider restarts the run with the new schedule: L = 15
  const lS = page.locator(`${A} input[type=range]`).nth(2);
  await lS.focus();
  await page.keyboard.press("ArrowLeft");
  assert.match(await readout(page, A, "Step"), /^0 of L·T = 1,500/);
  assert.equal(await page.locator(`${A} .sb-schedule tbody tr`).count(), 15);
  // T slider
  const tS = page.locator(`${A} input[type=range]`).nth(3);
  await tS.focus();
  await page.keyboard.press("ArrowLeft");
  assert.match(await readout(page, A, "Step"), /^0 of L·T = 750/);
  // ε slider changes the steps of every level
  const lv = await readout(page, A, "Level i");
  const eS = page.locator(`${A} input[type=range]`).nth(4);
  await eS.focus();
  await page.keyboard.press("ArrowRight");
  assert.notEqual(await readout(page, A, "Level i"), lv);
  // step a few times, then a link reproduces the state (parameters, seed and steps)
  for (let i = 0; i < 3; i++) await page.click(`${A} button:has-text("Step")`);
  await page.waitForTimeout(400);
  const sum = await readout(page, A, "Checksums");
  const url = new URL(page.url());
  assert.match(url.hash, /annealed-widget\.L=15/);
  const again = await shared.h.open(url.pathname + url.hash);
  await again.page.locator(A).scrollIntoViewIfNeeded();
  await widgetReady(again.page, A);
  assert.equal(await readout(again.page, A, "Checksums"), sum);
  assert.equal(await readout(again.page, A, "Step"), await readout(page, A, "Step"));
  assert.deepEqual(problems, []);
  assert.deepEqual(again.problems, []);
});

test("annealed widget: divergence is reported, not drawn", T, async () => {
  const { page, problems } = await shared.h.open("/embed.html?widget=annealed&autoplay=false&particles=1000&step-size=0.01");
  await widgetReady(page, "#annealed");
  await page.click(`#annealed button:has-text("Play")`);
  await page.waitForSelector("#annealed .sb-error:not([hidden])");
  assert.match(await page.textContent("#annealed .sb-error"), /the sampler diverged at step \d+/);
  assert.deepEqual(problems, []);
});

test("annealed widget embedded alone with bad attributes shows the core's message", T, async () => {
  const { page } = await shared.h.open("/embed.html?widget=annealed&sigma-min=30");
  await page.waitForSelector("#annealed .sb-error:not([hidden])");
  assert.match(await page.textContent("#annealed .sb-error"), /sigma_min must be a finite number in \(0, sigma_max\) = \(0, 20\); got 30/);
  const b = await shared.h.open("/embed.html?widget=annealed&levels=0");
  await b.page.waitForSelector("#annealed .sb-error:not([hidden])");
  assert.match(await b.page.textContent("#annealed .sb-error"), /levels must be an integer in \[2, 1000\]; got 0/);
});

test("MALA widget: both clouds drawn, MALA unbiased where ULA is not, ε past the limit, link reproduces the state", T, async () => {
  const { page, problems } = await shared.h.open("/index.html#mala-widget.n=5000", { dpr: 2 });
  await page.locator(M).scrollIntoViewIfNeeded();
  await widgetReady(page, M);
  await page.evaluate((s) => { const el = document.querySelector(s); el.pause(); el.reset(); el.advance(0, 300); el.redraw(); el.updateReadouts(true); }, M);
  for (const c of ["canvas.sb-ula", "canvas.sb-mala", "canvas.sb-chart"]) assert.ok((await nonBlankFraction(page, `${M} ${c}`)) > 0.01, c);
  // ε = 1 on N(0, I): ULA at 4/3, MALA at 1 (5000 particles: SE 1.4 %, 5 SE)
  const v = (await readout(page, M, "Variance per axis")).split("|").map(Number);
  assert.ok(Math.abs(v[0] - 4 / 3) < 0.1 && Math.abs(v[1] - 1) < 0.075 && v[2] === 1, String(v));
  assert.match(await readout(page, M, "ULA's exact stationary"), /^1\.333 \(MALA's: 1 exactly\)/);
  const acc = Number((await readout(page, M, "MALA acceptance")).split("|")[0]);
  assert.ok(acc > 0.8 && acc < 0.95, `acceptance ${acc}`);
  // ε slider up to 5 (past 4s²): ULA diverges and says so, MALA keeps running
  const eps = page.locator(`${M} input[type=range]`).nth(0);
  await eps.focus();
  for (let i = 0; i < 8; i++) await page.keyboard.press("ArrowRight");
  assert.match(await page.textContent(`${M} .sb-params`), /Step size ε \(both samplers\)5/);
  const hash = await canvasHash(page, `${M} canvas.sb-mala`);
  for (let i = 0; i < 60; i++) await page.click(`${M} button:has-text("Step")`);
  assert.match(await readout(page, M, "ULA status"), /^diverged: the sampler diverged at step \d+/);
  assert.match(await page.textContent(`${M} .sb-ula-title`), /diverged/);
  assert.ok(await page.locator(`${M} .sb-error`).isHidden(), "MALA itself is fine: no error overlay");
  assert.notEqual(await canvasHash(page, `${M} canvas.sb-mala`), hash);
  assert.match(await readout(page, M, "ULA's exact stationary"), /unstable/);
  // target select restarts both
  await page.selectOption(`${M} select >> nth=1`, "ring8");
  assert.equal(await readout(page, M, "Steps"), "0");
  assert.equal(await readout(page, M, "ULA status"), "running");
  for (let i = 0; i < 3; i++) await page.click(`${M} button:has-text("Step")`);
  await page.waitForTimeout(400);
  const url = new URL(page.url());
  assert.match(url.hash, /mala-widget\.target=ring8/);
  const again = await shared.h.open(url.pathname + url.hash);
  await again.page.locator(M).scrollIntoViewIfNeeded();
  await widgetReady(again.page, M);
  assert.equal(await readout(again.page, M, "Checksums"), await readout(page, M, "Checksums"));
  assert.deepEqual(problems, []);
  assert.deepEqual(again.problems, []);
});

test("MALA widget embedded alone with bad attributes shows the core's message", T, async () => {
  const { page } = await shared.h.open("/embed.html?widget=mala&step-size=-1");
  await page.waitForSelector("#mala .sb-error:not([hidden])");
  assert.match(await page.textContent("#mala .sb-error"), /step_size must be a finite number in \(0, 10\]; got -1/);
  const b = await shared.h.open("/embed.html?widget=mala&target=nope");
  await b.page.waitForSelector("#mala .sb-error:not([hidden])");
  assert.match(await b.page.textContent("#mala .sb-error"), /target must be one of ring8, gaussian, two-modes; got "nope"/);
});

test("SGLD widget: charts drawn, constant-step inflation matches its exact law, sliders change it, divergence reported, link reproduces", T, async () => {
  const { page, problems } = await shared.h.open("/index.html", { dpr: 2 });
  await page.locator(S).scrollIntoViewIfNeeded();
  await widgetReady(page, S);
  await page.evaluate((s) => { const el = document.querySelector(s); el.pause(); el.reset(); el.advance(0, 400000); el.redraw(); el.updateReadouts(true); }, S);
  for (const c of ["canvas.sb-hist", "canvas.sb-mean", "canvas.sb-var"]) assert.ok((await nonBlankFraction(page, `${S} ${c}`)) > 0.01, c);
  assert.match(await readout(page, S, "Exact posterior"), /variance 0\.009901/);
  assert.match(await readout(page, S, "Exact stationary variance"), /^0\.026196 \(2\.646× the posterior's\)/);
  // 4·10⁵ constant steps: SE of the variance ≈ 0.4 %; within 3 % of its exact law
  const ratio = Number((await readout(page, S, "Constant ε")).match(/\(([\d.]+)×/)[1]);
  assert.ok(Math.abs(ratio - 2.646) < 0.08, `constant-step ratio ${ratio}`);
  const dec = Number((await readout(page, S, "Decreasing ε_t")).match(/\(([\d.]+)×/)[1]);
  assert.ok(Math.abs(dec - 1) < 0.2, `decreasing ratio ${dec}`);
  // batch slider: n = 100 (the whole data): only the discretisation factor remains, 1.1445
  const b = page.locator(`${S} input[type=range]`).nth(1);
  await b.focus();
  for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowRight");
  assert.match(await readout(page, S, "Exact stationary variance"), /\(1\.144× the posterior's\)/);
  assert.equal(await readout(page, S, "Minibatch gradient variance"), "0");
  assert.equal(await readout(page, S, "Steps t"), "0");
  // N down to 50: the batch follows to 50
  const n = page.locator(`${S} input[type=range]`).nth(0);
  await n.focus();
  await page.keyboard.press("ArrowLeft");
  assert.match(await page.textContent(`${S} .sb-params`), /Batch size n \(at most N\)50/);
  assert.match(await readout(page, S, "Exact posterior"), /variance 0\.019608/);
  // back to N = 100, then the constant step past 4/(N+1) = 0.0396
  await page.keyboard.press("ArrowRight");
  const c = page.locator(`${S} input[type=range]`).nth(4);
  await c.focus();
  await page.keyboard.press("End");
  assert.match(await readout(page, S, "Exact stationary variance"), /none: unstable \(ε ≥ 4\/\(N\+1\) = 0\.0396\)/);
  await page.evaluate((s) => { const el = document.querySelector(s); el.advance(0, 20000); el.updateReadouts(true); }, S);
  assert.match(await readout(page, S, "Constant ε"), /^diverged: the sampler diverged at step \d+/);
  assert.ok(await page.locator(`${S} .sb-error`).isHidden(), "the decreasing chain carries on");
  for (let i = 0; i < 3; i++) await page.click(`${S} button:has-text("Step")`);
  await page.waitForTimeout(400);
  const url = new URL(page.url());
  assert.match(url.hash, /sgld-widget\.c=0\.05/);
  const again = await shared.h.open(url.pathname + url.hash);
  await again.page.locator(S).scrollIntoViewIfNeeded();
  await widgetReady(again.page, S);
  assert.equal(await readout(again.page, S, "Chains"), await readout(page, S, "Chains"));
  assert.deepEqual(problems, []);
  assert.deepEqual(again.problems, []);
});

test("SGLD widget embedded alone with bad attributes shows the core's message", T, async () => {
  const { page } = await shared.h.open("/embed.html?widget=sgld&batch-size=0");
  await page.waitForSelector("#sgld .sb-error:not([hidden])");
  assert.match(await page.textContent("#sgld .sb-error"), /batch_size must be an integer in \[1, 100\]; got 0/);
  const b = await shared.h.open("/embed.html?widget=sgld&gamma=0.3");
  await b.page.waitForSelector("#sgld .sb-error:not([hidden])");
  assert.match(await b.page.textContent("#sgld .sb-error"), /gamma must be a finite number in \(0\.5, 1\]; got 0\.3/);
});
