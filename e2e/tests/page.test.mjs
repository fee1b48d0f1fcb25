// End-to-end tests of the served notebook in headless Chromium (playwright-core + Debian's
// Chromium): structure, the Langevin widget's controls, embedding, errors, SIMD.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { harness, widgetReady, nonBlankFraction, canvasHash, readout } from "./helpers.mjs";

const W = "#langevin-widget";
// every test fails rather than hangs (CI must finish)
const T = { timeout: 120_000 };
let h;
before(async () => {
  h = await harness();
});
after(async () => {
  await h.close();
});

test("the page loads with no console errors or failed requests, eight sections in order", T, async () => {
  const { page, problems } = await h.open("/index.html");
  await page.locator(W).scrollIntoViewIfNeeded();
  await widgetReady(page, W);
  const ids = await page.$$eval("main section[id], body > section[id], article section[id]", (s) => s.map((e) => e.id));
  const want = ["kl", "ebm", "score", "langevin", "ddpm", "sde", "flow-matching", "sda"];
  assert.deepEqual(ids.filter((id) => want.includes(id)), want);
  for (const id of want) {
    const heading = await page.$eval(`#${id} h2`, (e) => e.textContent.trim());
    assert.ok(heading.length > 3, `section ${id} has a heading`);
  }
  // equations are rendered by the self-hosted KaTeX, none failed
  assert.ok((await page.$$(".katex")).length > 20, "KaTeX rendered the equations");
  assert.equal((await page.$$(".tex-error")).length, 0, "no equation failed to render");
  // nothing was requested from another origin
  const external = await page.evaluate(() =>
    performance.getEntriesByType("resource").map((r) => r.name).filter((u) => !u.startsWith(location.origin)),
  );
  assert.deepEqual(external, []);
  await page.waitForTimeout(500);
  assert.deepEqual(problems, []);
});

test("the Langevin widget draws, and play/pause/step/reset and sliders change drawing and readouts", T, async () => {
  const { page, problems } = await h.open("/index.html", { dpr: 2 });
  await page.locator(W).scrollIntoViewIfNeeded();
  await widgetReady(page, W);
  const canvas = `${W} canvas.sb-main`;
  // HiDPI: the canvas backing store is the CSS size × devicePixelRatio
  const sizes = await page.$eval(canvas, (c) => [c.width, c.getBoundingClientRect().width]);
  assert.ok(Math.abs(sizes[0] - 2 * sizes[1]) <= 2, `backing ${sizes[0]} for CSS ${sizes[1]} at dpr 2`);
  assert.ok((await nonBlankFraction(page, canvas)) > 0.05, "the canvas is not blank");
  assert.equal(await readout(page, W, "Kernel").then((t) => t.split(" ")[0]), "simd128");
  assert.equal(await page.evaluate(() => import("/pkg/scorebook.js").then((m) => m.simdEnabled())), true);

  // it autoplays: steps increase; pause stops it
  const steps = async () => Number((await readout(page, W, "Steps")).replaceAll(",", ""));
  await page.waitForFunction(() => document.querySelector("#langevin-widget").handle.steps > 20);
  await page.click(`${W} button.sb-play`);
  assert.equal(await page.getAttribute(`${W} button.sb-play`, "aria-pressed"), "false");
  const s0 = await steps();
  await page.waitForTimeout(300);
  assert.equal(await steps(), s0, "paused");
  const before = await canvasHash(page, canvas);
  await page.click(`${W} button:text-is("Step")`);
  assert.equal(await steps(), s0 + 1, "one step");
  assert.notEqual(await canvasHash(page, canvas), before, "the step changed the drawing");
  await page.click(`${W} button:text-is("Reset")`);
  assert.equal(await steps(), 0, "reset");

  // the particle slider changes the cloud and the readout
  const n = page.locator(`${W} input[type=range]`).nth(1);
  await n.focus();
  const h1 = await canvasHash(page, canvas);
  await page.keyboard.press("End");
  assert.match(await readout(page, W, "Kernel"), /1,000,000 particles/);
  assert.notEqual(await canvasHash(page, canvas), h1);
  await page.keyboard.press("Home");
  assert.match(await readout(page, W, "Kernel"), /100 particles/);

  // the target select changes the density; the single Gaussian shows the exact stationary variance
  await page.selectOption(`${W} select >> nth=1`, "gaussian");
  const v = await readout(page, W, "Variance per axis");
  assert.match(v, /\| 1\.0\d+ \| 1$/, `exact stationary variance for ε = 0.05: 1/(1 − 0.0125) = 1.013: ${v}`);
  // the ε slider changes the exact value readout
  const eps = page.locator(`${W} input[type=range]`).nth(0);
  await eps.focus();
  for (let i = 0; i < 5; i++) await page.keyboard.press("ArrowRight");
  assert.notEqual(await readout(page, W, "Variance per axis"), v);
  assert.deepEqual(problems, []);
});

test("a step size beyond the stability limit is reported as divergence, not drawn as NaN", T, async () => {
  const { page, problems } = await h.open("/embed.html?widget=langevin&target=gaussian&step-size=6&particles=1000&autoplay=false");
  await widgetReady(page, "sb-langevin");
  for (let i = 0; i < 80; i++) await page.click('sb-langevin button:text-is("Step")');
  const alert = page.locator("sb-langevin .sb-error");
  await alert.waitFor({ state: "visible" });
  assert.match(await alert.textContent(), /diverged at step \d+/);
  const mean = await readout(page, "sb-langevin", "Mean");
  assert.doesNotMatch(mean, /NaN/);
  // reset with a stable step size recovers
  await page.click('sb-langevin .sb-error button:text-is("Reset")');
  assert.equal(await alert.isVisible(), false);
  assert.deepEqual(problems, []);
});

test("bad attributes show the core's message naming the parameter and its range", T, async () => {
  const { page } = await h.open("/embed.html?widget=langevin&particles=0");
  const alert = page.locator("sb-langevin .sb-error");
  await alert.waitFor({ state: "visible" });
  assert.match(await alert.textContent(), /particles must be an integer in \[1, 1000000\]; got 0/);
});

test("the embed page shows exactly one widget and keyboard shortcuts stay inside it", T, async () => {
  const { page, problems } = await h.open("/embed.html?widget=langevin&autoplay=false&seed=7");
  await widgetReady(page, "sb-langevin");
  assert.equal(await page.$$eval("sb-langevin", (e) => e.length), 1);
  assert.equal(await page.$$eval("section", (e) => e.length), 0);
  // a keydown outside the widget does nothing
  await page.keyboard.press("s");
  assert.equal(await page.evaluate(() => document.querySelector("sb-langevin").handle.steps), 0);
  // focused: S steps, Space plays, R resets
  await page.focus("sb-langevin");
  await page.keyboard.press("s");
  await page.keyboard.press("s");
  assert.equal(await page.evaluate(() => document.querySelector("sb-langevin").handle.steps), 2);
  await page.keyboard.press("r");
  assert.equal(await page.evaluate(() => document.querySelector("sb-langevin").handle.steps), 0);
  assert.deepEqual(problems, []);
});

test("a browser without WebAssembly SIMD gets a clear message naming the minimum versions", T, async () => {
  const { page } = await h.open("/embed.html?widget=langevin", {
    init: () => {
      const validate = WebAssembly.validate;
      WebAssembly.validate = (bytes) => (bytes.length < 40 ? false : validate(bytes));
    },
  });
  const alert = page.locator("sb-langevin .sb-error");
  await alert.waitFor({ state: "visible" });
  assert.match(await alert.textContent(), /Chrome 91, Firefox 89 or Safari 16\.4/);
});

test("a removed widget frees its Rust handle", T, async () => {
  const { page } = await h.open("/embed.html?widget=langevin&autoplay=false");
  await widgetReady(page, "sb-langevin");
  const freed = await page.evaluate(() => {
    const el = document.querySelector("sb-langevin");
    const handle = el.handle;
    el.remove();
    return el.handle === null && handle.__wbg_ptr === 0;
  });
  assert.equal(freed, true);
});
