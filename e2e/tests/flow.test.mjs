// End-to-end tests of the flow-matching widgets (section 7): <sb-flow-paths> (the exact flows
// compared) and <sb-flow-train> (live conditional flow matching). Canvases drawn, controls change
// the readouts, the quality sweep completes, bad attributes show the core's message, a link
// reproduces the state, and both sit in the section without overflow on a phone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { sharedHarness, widgetReady, nonBlankFraction, canvasHash, readout } from "./helpers.mjs";

const P = "sb-flow-paths";
const F = "sb-flow-train";
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

test("flow-paths: canvases, stepping to τ = 1, the sweep, controls change the readouts", T, async () => {
  const { page, problems } = await shared.h.open("/embed.html?widget=flow-paths&autoplay=false&target=shifted-gaussian&steps=10", { dpr: 2 });
  await widgetReady(page, P);
  const canvases = await page.$$(`${P} canvas`);
  assert.equal(canvases.length, 4);
  for (let k = 0; k < 4; k++) {
    const f = await nonBlankFraction(page, `${P} .sb-dsm-cell:nth-child(${k + 1}) canvas`);
    assert.ok(f > 0.01, `canvas ${k} is drawn (${f})`);
  }
  assert.equal(await readout(page, P, "τ (0 = noise"), "0 (step 0 of 10)");
  // exact W₂² for the Gaussian target, exact flow-matching kinetic energy
  assert.match(await readout(page, P, "W₂²(N(0, I), p)"), /\(exact, Gaussian data\)$/);
  const kExact = nums(await readout(page, P, "Flow-matching kinetic energy, exact"))[0];
  const fm0 = await canvasHash(page, `${P} .sb-dsm-cell:nth-child(1) canvas`);
  await page.click(`${P} button:text-is("Step")`);
  assert.equal(await readout(page, P, "τ (0 = noise"), "0.1 (step 1 of 10)");
  assert.notEqual(await canvasHash(page, `${P} .sb-dsm-cell:nth-child(1) canvas`), fm0, "the cloud moved");
  // play to the end: the widget pauses itself at τ = 1
  await page.click(`${P} button.sb-play`);
  assert.ok(await until(async () => (await readout(page, P, "τ (0 = noise")) === "1 (step 10 of 10)", 20_000));
  assert.ok(await until(async () => (await page.textContent(`${P} button.sb-play`)) === "Play"));
  const fm = nums(await readout(page, P, "Flow matching: K̂"));
  assert.ok(fm[0] >= fm[1] && Math.abs(fm[0] / kExact - 1) < 0.15, `K̂ ${fm} vs exact ${kExact}`);
  assert.equal(await readout(page, P, "Velocity evaluations (NFE)"), "20 per flow", "midpoint: 2 per step");
  // the quality sweep finishes in the background
  assert.ok(await until(async () => !(await page.textContent(`${P} .sb-dsm-cell:nth-child(4) .sb-caption`)).includes("Computing"), 60_000));
  const kl = nums(await readout(page, P, "Histogram KL to p at N = 16"));
  assert.equal(kl.length, 3, "flow matching · probability flow · exact samples");
  // the integrator select restarts: Euler uses one evaluation per step
  await page.selectOption(`${P} select >> nth=2`, "euler");
  assert.equal(await readout(page, P, "τ (0 = noise"), "0 (step 0 of 10)");
  await page.click(`${P} button:text-is("Step")`);
  assert.equal(await readout(page, P, "Velocity evaluations (NFE)"), "1 per flow");
  // the coupling select redraws the pairs picture
  const pairs = `${P} .sb-dsm-cell:nth-child(3) canvas`;
  const h0 = await canvasHash(page, pairs);
  await page.selectOption(`${P} select >> nth=3`, "independent");
  assert.notEqual(await canvasHash(page, pairs), h0);
  assert.match(await page.textContent(`${P} .sb-dsm-cell:nth-child(3) .sb-caption`), /paired independently/);
  // the steps slider changes N
  const steps = page.locator(`${P} input[type=range]`).nth(0);
  await steps.focus();
  await page.keyboard.press("ArrowRight");
  assert.equal(await page.evaluate((s) => document.querySelector(s).handle.steps, P), 12);
  assert.deepEqual(problems, []);
});

test("flow-paths: bad attributes show the core's message; a link reproduces the state", T, async () => {
  for (const [q, re] of [
    ["steps=0", /steps must be an integer in \[1, 10000\]; got 0/],
    ["method=rk4", /method must be one of euler, midpoint, heun; got "rk4"/],
    ["target=moons", /target must be one of ring8, two-modes, shifted-gaussian, gaussian/],
    ["particles=50000", /particles must be an integer in \[1, 20000\]; got 50000/],
  ]) {
    const { page: p } = await shared.h.open(`/embed.html?widget=flow-paths&autoplay=false&${q}`);
    await p.waitForSelector(`${P} .sb-error:not([hidden])`);
    assert.match(await p.textContent(`${P} .sb-error`), re);
  }
  const link = "/embed.html?widget=flow-paths&autoplay=false#flow-paths.v=1&flow-paths.target=ring8&flow-paths.method=heun&flow-paths.n=16&flow-paths.particles=1000&flow-paths.coupling=independent&flow-paths.seed=9&flow-paths.steps=7";
  const { page, problems } = await shared.h.open(link);
  await widgetReady(page, P);
  assert.equal(await readout(page, P, "τ (0 = noise"), "0.438 (step 7 of 16)");
  const k = await readout(page, P, "Flow matching: K̂");
  const { page: p2 } = await shared.h.open(link);
  await widgetReady(p2, P);
  assert.equal(await readout(p2, P, "Flow matching: K̂"), k);
  assert.equal(await p2.inputValue(`${P} select >> nth=1`), "ring8");
  assert.equal(await p2.inputValue(`${P} select >> nth=3`), "independent");
  assert.deepEqual(problems, []);
});

test("flow-train: canvases, training lowers the error, sampling, coupling, weights, bad attributes", T, async () => {
  const { page, problems } = await shared.h.open("/embed.html?widget=flow-train&autoplay=false", { dpr: 2 });
  await widgetReady(page, F);
  assert.equal((await page.$$(`${F} canvas`)).length, 5);
  for (let k = 0; k < 5; k++) {
    const f = await nonBlankFraction(page, `${F} .sb-dsm-cell:nth-child(${k + 1}) canvas`);
    assert.ok(f > 0.003, `canvas ${k} is drawn (${f})`);
  }
  assert.equal(await readout(page, F, "Training step"), "0");
  assert.match(await readout(page, F, "Network"), /^3-64-64-2 \(silu\), 4,546 parameters/);
  const e0 = nums(await readout(page, F, "Relative error"))[0];
  await page.click(`${F} button.sb-play`);
  assert.ok(await until(async () => nums(await readout(page, F, "Training step"))[0] > 400, 60_000), "training runs");
  await page.click(`${F} button.sb-play`);
  const e1 = nums(await readout(page, F, "Relative error"))[0];
  assert.ok(e1 < 0.5 * e0, `${e0} → ${e1}`);
  assert.match(await readout(page, F, "Batch loss"), /constant E‖x₁ − x₀‖² − E‖u‖² ≈ \d/);
  // the sampler's steps change the samples' readout
  const kl0 = await readout(page, F, "Histogram KL of samples");
  const steps = page.locator(`${F} input[type=range]`).nth(3);
  await steps.focus();
  await page.keyboard.press("Home");
  assert.ok(await until(async () => (await readout(page, F, "Histogram KL of samples (midpoint, N = 1)")) !== null));
  assert.notEqual(await readout(page, F, "Histogram KL of samples (midpoint, N = 1)"), kl0);
  // the coupling select reaches the core; the batch's pairs get shorter after a step
  const pair0 = nums(await readout(page, F, "Mean ‖x₁ − x₀‖²"))[0];
  await page.selectOption(`${F} select >> nth=2`, "minibatch-ot");
  assert.equal(await page.evaluate((s) => document.querySelector(s).handle.coupling, F), "minibatch-ot");
  await page.click(`${F} button:text-is("Step")`);
  assert.ok(nums(await readout(page, F, "Mean ‖x₁ − x₀‖²"))[0] < 0.8 * pair0);
  // weights round trip
  await page.click(`${F} .sb-share summary`);
  const [dl] = await Promise.all([page.waitForEvent("download"), page.click(`${F} button:text-is("Download weights (.sbnn)")`)]);
  const bytes = await readFile(await dl.path());
  assert.equal(bytes.subarray(0, 4).toString(), "SBNN");
  const trained = await page.evaluate((s) => Array.from(document.querySelector(s).handle.params()), F);
  await page.click(`${F} button:text-is("Reset")`);
  await page.setInputFiles(`${F} input[type=file]`, { name: "w.sbnn", mimeType: "application/octet-stream", buffer: bytes });
  assert.ok(await until(async () => JSON.stringify(await page.evaluate((s) => Array.from(document.querySelector(s).handle.params()), F)) === JSON.stringify(trained)));
  for (const [q, re] of [
    ["learning-rate=0", /learning_rate must be a finite number in \(0, 1\]; got 0/],
    ["coupling=minibatch-ot&batch-size=1024", /batch_size must be an integer in \[1, 512\] with the minibatch-ot coupling; got 1024/],
    ["coupling=sinkhorn", /coupling must be independent or minibatch-ot/],
    ["tau=-0.5", /tau must be a finite number in \[0, 1\]/],
    ["steps=0", /steps must be an integer in \[1, 10000\]; got 0/],
    ["method=rk4", /method must be one of euler, midpoint, heun/],
  ]) {
    const { page: p } = await shared.h.open(`/embed.html?widget=flow-train&autoplay=false&${q}`);
    await p.waitForSelector(`${F} .sb-error:not([hidden])`);
    assert.match(await p.textContent(`${F} .sb-error`), re);
  }
  assert.deepEqual(problems, []);
});

test("flow-train: pasted and drawn data become the training data; no data is an error", T, async () => {
  const { page, problems } = await shared.h.open("/embed.html?widget=flow-train&autoplay=false");
  await widgetReady(page, F);
  // paste points on two clusters
  await page.click(`${F} button:text-is("Paste points (CSV)")`);
  const pts = ["x,y"];
  for (let i = 0; i < 40; i++) pts.push(`${-3 + 0.05 * i},${2 + 0.03 * (i % 7)}`, `${3 - 0.04 * i},${-2 - 0.02 * (i % 5)}`);
  await page.fill(`${F} textarea`, pts.join("\n"));
  await page.click(`${F} button:text-is("Use pasted points")`);
  assert.equal(await page.evaluate((s) => document.querySelector(s).handle.target, F), "drawn");
  assert.equal(await page.inputValue(`${F} select >> nth=1`), "drawn");
  assert.equal(await readout(page, F, "Training step"), "0");
  await page.evaluate((s) => { const el = document.querySelector(s); el.advance(0, 300); el.redraw(); el.updateReadouts(true); }, F);
  assert.ok(nums(await readout(page, F, "Relative error"))[0] < 0.5);
  // the link carries the mixture: a fresh page trains on the same data
  await page.click(`${F} .sb-share summary`);
  await page.click(`${F} button:text-is("Copy link")`);
  const url = await page.evaluate(() => location.href);
  assert.match(url, /flow-train\.mix=/);
  const err = await readout(page, F, "Relative error");
  const { page: p2 } = await shared.h.open(url.replace(/^https?:\/\/[^/]+/, ""));
  await widgetReady(p2, F);
  assert.equal(await p2.evaluate((s) => document.querySelector(s).handle.target, F), "drawn");
  assert.equal(await readout(p2, F, "Relative error"), err);
  // drawing: a stroke on the samples picture
  const c = page.locator(`${F} .sb-dsm-cell:nth-child(4) canvas`);
  await page.click(`${F} button:text-is("Draw data")`);
  await c.scrollIntoViewIfNeeded();
  const box = await c.boundingBox();
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.5);
  await page.mouse.down();
  for (let k = 1; k <= 20; k++) await page.mouse.move(box.x + box.width * (0.3 + 0.02 * k), box.y + box.height * (0.5 - 0.01 * k));
  await page.mouse.up();
  const before = await page.evaluate((s) => Array.from(document.querySelector(s).handle.params()).slice(0, 4), F);
  await page.click(`${F} button:text-is("Use drawing")`);
  assert.equal(await readout(page, F, "Training step"), "0", `new data restart the run (${await page.textContent(`${F} .sb-status`)}, ${JSON.stringify(box)})`);
  assert.ok(before.length === 4);
  // no data: an empty paste shows the core's message
  await page.click(`${F} button:text-is("Paste points (CSV)")`);
  await page.fill(`${F} textarea`, "");
  await page.click(`${F} button:text-is("Use pasted points")`);
  await page.waitForSelector(`${F} .sb-error:not([hidden])`);
  assert.match(await page.textContent(`${F} .sb-error`), /points must be 1 to 20000 \(x, y\) pairs; got 0 x and 0 y values/);
  assert.deepEqual(problems, []);
});

test("flow-train: a link reproduces the run", T, async () => {
  const link = "/embed.html?widget=flow-train&autoplay=false#flow-train.v=1&flow-train.target=ring8&flow-train.lr=0.005&flow-train.batch=128&flow-train.tau=0.3&flow-train.seed=4&flow-train.steps=150";
  const { page, problems } = await shared.h.open(link);
  await widgetReady(page, F);
  assert.equal(await readout(page, F, "Training step"), "150");
  const loss = await readout(page, F, "Batch loss");
  const err = await readout(page, F, "Relative error");
  const { page: p2 } = await shared.h.open(link);
  await widgetReady(p2, F);
  assert.equal(await readout(p2, F, "Batch loss"), loss);
  assert.equal(await readout(p2, F, "Relative error"), err);
  assert.equal(await p2.evaluate((s) => document.querySelector(s).cfg.tau, F), 0.3);
  assert.deepEqual(problems, []);
});

test("flow widgets on the page: in the flow-matching section, phone layout without overflow", T, async () => {
  const { page, problems } = await shared.h.open("/index.html", { viewport: { width: 375, height: 800 } });
  for (const id of ["#flow-train-widget", "#flow-paths-widget"]) {
    await page.locator(id).scrollIntoViewIfNeeded();
    await widgetReady(page, id);
    assert.ok(await page.$(`#flow-matching ${id}`), `${id} inside section 7`);
  }
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
  assert.ok(overflow <= 0, `horizontal overflow ${overflow} px`);
  assert.deepEqual(problems, []);
});
