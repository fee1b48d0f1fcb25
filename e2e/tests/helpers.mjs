// Shared set-up of the end-to-end tests: one static server and one Chromium per test file, a
// page factory that records console errors, page errors and failed requests.
import { before, after } from "node:test";
import { serve } from "../serve.mjs";
import { launch } from "../browser.mjs";

export async function harness() {
  const server = await serve();
  const browser = await launch();
  const pages = [];
  async function open(path, { viewport = { width: 1200, height: 900 }, dpr = 1, reducedMotion, init } = {}) {
    const context = await browser.newContext({ viewport, deviceScaleFactor: dpr, reducedMotion });
    const page = await context.newPage();
    if (init) await page.addInitScript(init);
    const problems = [];
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(`console error: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    // ERR_ABORTED is a request cancelled by a navigation or reload (e.g. a lazy import in flight),
    // not a failed load; every other failure counts
    page.on("requestfailed", (r) => {
      if (r.failure()?.errorText !== "net::ERR_ABORTED") problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
    });
    page.on("response", (r) => {
      if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
    });
    await page.goto(`${server.url}${path}`);
    pages.push(context);
    return { page, problems };
  }
  async function close() {
    for (const c of pages) await c.close();
    await browser.close();
    await server.close();
  }
  return { server, browser, open, close };
}

/**
 * Registers one harness for the whole test file (started before the first test, closed after the
 * last) and returns a holder whose `.h` is that harness.
 */
export function sharedHarness() {
  const holder = { h: null };
  before(async () => {
    holder.h = await harness();
  });
  after(async () => {
    await holder.h.close();
  });
  return holder;
}

/** Waits until a widget has built its Rust handle (status text leaves "Loading…"). */
export async function widgetReady(page, selector) {
  await page.waitForFunction((sel) => {
    const el = document.querySelector(sel);
    return el && el.handle && !el.loading;
  }, selector, { timeout: 30_000 });
}

/** Fraction of canvas pixels that differ from the canvas's top-left pixel. */
export function nonBlankFraction(page, selector) {
  return page.evaluate((sel) => {
    const c = document.querySelector(sel);
    const ctx = c.getContext("2d");
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    let diff = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (Math.abs(d[i] - d[0]) + Math.abs(d[i + 1] - d[1]) + Math.abs(d[i + 2] - d[2]) > 30) diff++;
    }
    return diff / (d.length / 4);
  }, selector);
}

/** A hash of a canvas's pixels (to tell that a drawing changed). */
export function canvasHash(page, selector) {
  return page.evaluate((sel) => {
    const c = document.querySelector(sel);
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let h = 2166136261;
    for (let i = 0; i < d.length; i += 7) h = Math.imul(h ^ d[i], 16777619);
    return h >>> 0;
  }, selector);
}

/** The text of a widget's readout row whose label starts with `label`. */
export function readout(page, selector, label) {
  return page.evaluate(
    ([sel, lab]) => {
      const dts = [...document.querySelectorAll(`${sel} .sb-readouts dt`)];
      const dt = dts.find((d) => d.textContent.startsWith(lab));
      return dt ? dt.nextElementSibling.textContent : null;
    },
    [selector, label],
  );
}
