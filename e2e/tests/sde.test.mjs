// End-to-end tests of section 6's widgets: <sb-sde-fp>, <sb-sde-reverse>, <sb-sde-solvers>,
// <sb-sde-thermo>.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sharedHarness, widgetReady, nonBlankFraction, canvasHash, readout } from "./helpers.mjs";

const T = { timeout: 180_000 };
const shared = sharedHarness();

async function embed(q, id) {
  const h = await shared.h.open(`/embed.html?widget=${q}&autoplay=false`);
  await widgetReady(h.page, `#${id}`);
  return h;
}

const run = (page, sel, k) => page.evaluate(([s, k]) => { const el = document.querySelector(s); el.advance(0, k); el.redraw(); el.updateReadouts(true); el.saveState(); }, [sel, k]);

test("the section's four widgets start on the page and draw", T, async () => {
  const { page, problems } = await shared.h.open("/index.html#sde");
  for (const [sel, canvas] of [["#sde-fp-widget", "canvas.sb-particles"], ["#sde-reverse-widget", "canvas.sb-sde"], ["#sde-solvers-widget", "canvas.sb-solver-0"], ["#sde-thermo-widget", "canvas.sb-rates"]]) {
    await page.locator(sel).scrollIntoViewIfNeeded();
    await widgetReady(page, sel);
    await page.evaluate((s) => document.querySelector(s).pause(), sel);
    assert.ok((await nonBlankFraction(page, `${sel} ${canvas}`)) > 0.01, sel);
  }
  assert.deepEqual(problems, []);
});

test("reverse SDE vs ODE: steps count NFE, c changes the run, Heun doubles the NFE, a link reproduces the clouds", T, async () => {
  const W = "#sde-reverse";
  const { page, problems } = await embed("sde-reverse&particles=5000&steps=200", "sde-reverse");
  assert.ok((await nonBlankFraction(page, `${W} canvas.sb-sde`)) > 0.05);
  assert.ok((await nonBlankFraction(page, `${W} canvas.sb-ode`)) > 0.05);
  for (let i = 0; i < 3; i++) await page.click(`${W} button:has-text("Step")`);
  assert.match(await readout(page, W, "Step"), /^3 of K = 200/);
  assert.equal(await readout(page, W, "Score evaluations (NFE)"), "3 | 3");
  await run(page, W, 100);
  const sum = await readout(page, W, "Checksums");
  const [sde, ode] = sum.split(":");
  assert.notEqual(sde, ode, "c = 1 and c = 0 differ");
  const hash = await canvasHash(page, `${W} canvas.sb-sde`);
  // c slider: one key step (0.05) restarts both runs with the new c
  const c = page.locator(`${W} input[type=range]`).nth(0);
  await c.focus();
  await page.keyboard.press("ArrowRight");
  assert.match(await page.textContent(`${W} .sb-pair-title`), /c = 1\.05/);
  assert.match(await readout(page, W, "Step"), /^0 of/);
  await run(page, W, 103);
  const sum2 = await readout(page, W, "Checksums");
  assert.notEqual(sum2.split(":")[0], sde, "a different c, a different SDE run");
  assert.equal(sum2.split(":")[1], ode, "the ODE run does not depend on c");
  assert.notEqual(await canvasHash(page, `${W} canvas.sb-sde`), hash);
  // the link replays the run to the same bits
  await page.waitForTimeout(400);
  const url = new URL(page.url());
  assert.match(url.hash, /sde-reverse\.c=1\.05/);
  const again = await shared.h.open(url.pathname + url.search + url.hash);
  await widgetReady(again.page, W);
  assert.equal(await readout(again.page, W, "Checksums"), sum2);
  // Heun spends two evaluations per step
  await page.selectOption(`${W} select >> nth=3`, "heun");
  await page.click(`${W} button:has-text("Step")`);
  assert.equal(await readout(page, W, "Score evaluations (NFE)"), "2 | 2");
  assert.deepEqual(problems, []);
  assert.deepEqual(again.problems, []);
});

test("reverse SDE: a run that blows up is reported, not drawn as NaN", T, async () => {
  const W = "#sde-reverse";
  const { page, problems } = await embed("sde-reverse&sde=ve&steps=5&noise-level=10&particles=2000", "sde-reverse");
  await page.click(`${W} button:has-text("Step")`);
  await page.click(`${W} button:has-text("Step")`);
  await run(page, W, 5);
  assert.match(await readout(page, W, "SDE vs exact p_t"), /^diverged: the sampler diverged at step \d+/);
  assert.doesNotMatch(await readout(page, W, "ODE vs exact p_t"), /diverged/);
  assert.ok((await nonBlankFraction(page, `${W} canvas.sb-ode`)) > 0.05);
  assert.deepEqual(problems, []);
});

test("Fokker–Planck: particles and grid draw, distances update, a grid step past the CFL limit is refused", T, async () => {
  const W = "#sde-fp";
  const { page, problems } = await embed("sde-fp&particles=5000&steps=50&cells=48", "sde-fp");
  assert.ok((await nonBlankFraction(page, `${W} canvas.sb-particles`)) > 0.05);
  assert.ok((await nonBlankFraction(page, `${W} canvas.sb-grid`)) > 0.05);
  const d0 = await readout(page, W, "Particles vs grid");
  await run(page, W, 10);
  assert.match(await readout(page, W, "Particle step"), /^10 of K = 50/);
  assert.notEqual(await readout(page, W, "Particles vs grid"), d0);
  assert.match(await readout(page, W, "Grid vs exact p_t"), /mass 1$/);
  assert.ok((await nonBlankFraction(page, `${W} canvas.sb-chart`)) > 0.005);
  // a fixed Δt = 10⁻² on this grid breaks the positivity limit: the core's message is shown
  // (the limit is loose at t ≈ 0, where β = 0.1, and binds once β(t) has grown)
  await page.selectOption(`${W} select >> nth=4`, "0.01");
  assert.match(await readout(page, W, "Grid"), /Δt = 0\.01 /);
  await page.evaluate((s) => { const el = document.querySelector(s); el.guard(() => el.advance(0, 50)); }, W);
  await page.waitForSelector(`${W} .sb-error:not([hidden])`);
  assert.match(await page.textContent(`${W} .sb-error`), /time_step must be a number in \(0, [\d.e+-]+\], the positivity \(CFL\) limit/);
  // back to automatic: it runs again
  await page.selectOption(`${W} select >> nth=4`, "0");
  await page.click(`${W} button:has-text("Step")`);
  assert.ok(await page.locator(`${W} .sb-error`).isHidden());
  assert.match(await readout(page, W, "Particle step"), /^1 of K = 50/);
  // the state is in the link
  await page.waitForTimeout(400);
  const url = new URL(page.url());
  assert.match(url.hash, /sde-fp\.cells=48/);
  const again = await shared.h.open(url.pathname + url.search + url.hash);
  await widgetReady(again.page, W);
  assert.equal(await readout(again.page, W, "Checksum"), await readout(page, W, "Checksum"));
  assert.deepEqual(problems.filter((p) => !/time_step/.test(p)), []);
  assert.deepEqual(again.problems, []);
});

test("solvers: the chosen NFE runs first, the slider changes it, the sweep fills the chart", T, async () => {
  const W = "#sde-solvers";
  const { page, problems } = await embed("sde-solvers&particles=1000&nfe=8", "sde-solvers");
  await run(page, W, 60);
  assert.match(await readout(page, W, "Reverse SDE (EM)"), /^KL [\d.]+ · .* · NFE 8$/);
  assert.match(await readout(page, W, "DDIM (η = 0)"), /NFE 8$/);
  const nfe = page.locator(`${W} input[type=range]`).nth(0);
  await nfe.focus();
  await page.keyboard.press("ArrowRight");
  await page.evaluate((s) => document.querySelector(s).pause(), W);
  await run(page, W, 200);
  assert.match(await readout(page, W, "Reverse SDE (EM)"), /NFE 16$/);
  assert.match(await readout(page, W, "PF-ODE Heun"), /NFE 16$/);
  await run(page, W, 5000);
  assert.match(await readout(page, W, "Sweep"), /^45 of 45 runs \(complete\)/);
  assert.ok((await nonBlankFraction(page, `${W} canvas.sb-chart`)) > 0.01);
  assert.deepEqual(problems, []);
});

test("thermodynamics: the geodesic meets the bound, τ changes the totals", T, async () => {
  const W = "#sde-thermo";
  const { page, problems } = await embed("sde-thermo", "sde-thermo");
  assert.match(await readout(page, W, "Geodesic: Σ_τ"), /^4 ≥ 4 \(ratio 1\)/);
  const relax = await readout(page, W, "Relaxation (jump): Σ_τ");
  assert.match(relax, /ratio 1\.0[1-9]/);
  const tau = page.locator(`${W} input[type=range]`).nth(0);
  await tau.focus();
  await page.keyboard.press("ArrowRight");
  // τ = 2: the geodesic's Σ = L²/(Dτ) halves
  assert.match(await readout(page, W, "Geodesic: Σ_τ"), /^2 ≥ 2 \(ratio 1\)/);
  assert.notEqual(await readout(page, W, "Relaxation (jump): Σ_τ"), relax);
  await run(page, W, 120);
  assert.match(await readout(page, W, "Cursor t"), /^1 of τ = 2/);
  assert.ok((await nonBlankFraction(page, `${W} canvas.sb-rates`)) > 0.01);
  assert.ok((await nonBlankFraction(page, `${W} canvas.sb-densities`)) > 0.01);
  assert.deepEqual(problems, []);
});

test("embedded alone with bad attributes, the section-6 widgets show the core's message", T, async () => {
  for (const [q, id, msg] of [
    ["sde-reverse&sde=nope", "sde-reverse", /sde must be one of vp, sub-vp, ve, ou; got "nope"/],
    ["sde-reverse&steps=0", "sde-reverse", /steps must be an integer in \[1, 100000\]; got 0/],
    ["sde-reverse&noise-level=-1", "sde-reverse", /noise_level must be a finite number in \[0, 10\]; got -1/],
    ["sde-fp&cells=4", "sde-fp", /cells must be an integer in \[8, 256\]; got 4/],
    ["sde-fp&time-step=-1", "sde-fp", /time_step must be 0 \(automatic\) or a number in \(0, 1\]; got -1/],
    ["sde-solvers&nfe=3", "sde-solvers", /nfe must be one of 2, 4, 8, 16, 32, 64, 128, 256, 512; got 3/],
    ["sde-thermo&duration=0", "sde-thermo", /duration must be a finite number in \(0, 1000\]; got 0/],
  ]) {
    const { page } = await shared.h.open(`/embed.html?widget=${q}`);
    await page.waitForSelector(`#${id} .sb-error:not([hidden])`);
    assert.match(await page.textContent(`#${id} .sb-error`), msg, q);
  }
});
