// End-to-end tests of the sharing, embedding, drawing, accessibility, offline and export standard
// that every widget meets (headless Chromium via playwright-core).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import { createRequire } from "node:module";
import { harness, widgetReady, nonBlankFraction, readout } from "./helpers.mjs";
import { serve, WWW } from "../serve.mjs";

const require = createRequire(import.meta.url);
const AXE = require.resolve("axe-core/axe.min.js");
const EMBED = "/embed.html?widget=langevin";
// every test fails rather than hangs (CI must finish)
const T = { timeout: 120_000 };
let h;
before(async () => {
  h = await harness();
});
after(async () => {
  await h.close();
});

const steps = (page, sel = "sb-langevin") => page.evaluate((s) => document.querySelector(s).handle.steps, sel);

test("URL round trip: parameters, seed and steps reproduce the same particles (same checksum)", T, async () => {
  const { page, problems } = await h.open(`${EMBED}&autoplay=false`);
  await widgetReady(page, "sb-langevin");
  // choose a target, ε, particle count and seed, then step
  await page.selectOption("sb-langevin select >> nth=1", "two-modes");
  await page.locator("sb-langevin input[type=range] >> nth=0").focus();
  for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowRight");
  await page.fill("sb-langevin input.sb-seed", "4242");
  await page.dispatchEvent("sb-langevin input.sb-seed", "change");
  for (let i = 0; i < 25; i++) await page.click('sb-langevin button:text-is("Step")');
  const checksum = await readout(page, "sb-langevin", "Checksum");
  await page.click("sb-langevin summary");
  await page.click('sb-langevin button:text-is("Copy link")');
  const link = await page.inputValue("sb-langevin .sb-share-text");
  assert.match(link, /langevin\.v=1/);
  assert.match(link, /langevin\.steps=25/);
  assert.match(link, /langevin\.seed=4242/);
  assert.match(link, /langevin\.target=two-modes/);
  // a fresh page from the link: same state, paused at step 25, same checksum
  const { page: p2, problems: pr2 } = await h.open(link.replace(h.server.url, ""));
  await widgetReady(p2, "sb-langevin");
  assert.equal(await steps(p2), 25);
  assert.equal(await readout(p2, "sb-langevin", "Checksum"), checksum);
  assert.equal(await p2.inputValue("sb-langevin select >> nth=1"), "two-modes");
  assert.equal(await p2.getAttribute("sb-langevin button.sb-play", "aria-pressed"), "false");
  // and a reload keeps it too
  await p2.reload();
  await widgetReady(p2, "sb-langevin");
  assert.equal(await readout(p2, "sb-langevin", "Checksum"), checksum);
  assert.deepEqual([...problems, ...pr2], []);
});

test("malformed or out-of-range link values fall back to defaults with a visible notice", T, async () => {
  const { page, problems } = await h.open(`${EMBED}&autoplay=false#langevin.v=1&langevin.eps=abc&langevin.n=-5&langevin.target=moons&langevin.seed=1e99`);
  await widgetReady(page, "sb-langevin");
  const notice = page.locator("sb-langevin .sb-notice");
  assert.equal(await notice.isVisible(), true);
  const text = await notice.textContent();
  for (const bad of ["eps=abc", "n=-5", "target=moons", "seed=1e99"]) assert.ok(text.includes(bad), `${bad} in "${text}"`);
  assert.ok((await nonBlankFraction(page, "sb-langevin canvas.sb-main")) > 0.05, "widget still works");
  const { page: p2 } = await h.open(`${EMBED}#langevin.v=99&langevin.eps=0.1`);
  await widgetReady(p2, "sb-langevin");
  assert.match(await p2.locator("sb-langevin .sb-notice").textContent(), /version 99/);
  assert.deepEqual(problems, []);
});

test("the embed page works inside an iframe on another origin, with controls hidden", T, async () => {
  // a second origin (another port) serving a blog post that embeds the widget
  const post = `<!doctype html><html lang="en"><head><title>A blog post</title></head><body><h1>A blog post</h1>
    <iframe id="f" title="Langevin widget" width="900" height="800" src="${h.server.url}${EMBED}&controls=hidden&seed=3"></iframe></body></html>`;
  const other = await serve(WWW, "127.0.0.1", { "/post.html": post });
  try {
    const ctx = await h.browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${other.url}/post.html`);
    const f = await (await page.waitForSelector("#f")).contentFrame();
    await f.waitForFunction(() => document.querySelector("sb-langevin")?.handle, null, { timeout: 30_000 });
    assert.notEqual(new URL(f.url()).origin, new URL(page.url()).origin);
    assert.equal(await f.locator("sb-langevin .sb-controls").isVisible(), false);
    assert.equal(await f.locator("sb-langevin .sb-params").isVisible(), false);
    assert.ok((await nonBlankFraction(f, "sb-langevin canvas.sb-main")) > 0.05);
    await ctx.close();
  } finally {
    await other.close();
  }
});

test("keyboard only: one widget is operable and its keys never scroll or drive the host page", T, async () => {
  const { page, problems } = await h.open("/index.html");
  const W = "#langevin-widget";
  await page.locator(W).scrollIntoViewIfNeeded();
  await widgetReady(page, W);
  // tab into the widget's controls from the element before it
  await page.focus(W);
  await page.keyboard.press("Tab");
  const focused = await page.evaluate(() => document.activeElement.closest("sb-langevin")?.id);
  assert.equal(focused, "langevin-widget");
  const visibleFocus = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(visibleFocus, "none", "focus is visible");
  await page.focus(W);
  const y0 = await page.evaluate(() => scrollY);
  const playing0 = await page.evaluate((s) => document.querySelector(s).playing, W);
  await page.keyboard.press(" ");
  assert.equal(await page.evaluate((s) => document.querySelector(s).playing, W), !playing0, "Space toggled play");
  assert.equal(await page.evaluate(() => scrollY), y0, "Space did not scroll the page");
  // make sure it is paused (the widget autoplays unless reduced motion is set)
  if (await page.evaluate((s) => document.querySelector(s).playing, W)) await page.keyboard.press(" ");
  assert.equal(await page.evaluate((s) => document.querySelector(s).playing, W), false);
  const n0 = await steps(page, W);
  await page.keyboard.press("ArrowRight");
  assert.equal(await steps(page, W), n0 + 1, "→ steps");
  assert.equal(await page.evaluate(() => scrollY), y0);
  // a key on the page outside the widget does not reach it
  await page.evaluate(() => document.activeElement.blur());
  await page.keyboard.press("s");
  assert.equal(await steps(page, W), n0 + 1);
  assert.deepEqual(problems, []);
});

test("prefers-reduced-motion starts widgets paused", T, async () => {
  const { page } = await h.open(EMBED, { reducedMotion: "reduce" });
  await widgetReady(page, "sb-langevin");
  await page.waitForTimeout(400);
  assert.equal(await steps(page), 0);
  assert.equal(await page.getAttribute("sb-langevin button.sb-play", "aria-pressed"), "false");
});

test("drawing a target with pointer events gives a mixture Langevin runs on, and it survives the link", T, async () => {
  const { page, problems } = await h.open(`${EMBED}&autoplay=false&particles=5000`);
  await widgetReady(page, "sb-langevin");
  await page.click('sb-langevin button:text-is("Draw a target")');
  const box = await page.locator("sb-langevin canvas.sb-main").boundingBox();
  // an "L" stroke: down the left, then along the bottom
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.25);
  await page.mouse.down();
  for (let i = 0; i <= 20; i++) await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * (0.25 + 0.025 * i));
  for (let i = 0; i <= 20; i++) await page.mouse.move(box.x + box.width * (0.3 + 0.02 * i), box.y + box.height * 0.75);
  await page.mouse.up();
  await page.click('sb-langevin button:text-is("Use drawing")');
  assert.equal(await page.inputValue("sb-langevin select >> nth=1"), "drawn");
  assert.equal(await page.evaluate(() => document.querySelector("sb-langevin").handle.targetName), "drawn");
  // the L has its corner at the lower left: the target's mean lies left of and below the centre
  const tm = await page.evaluate(() => Array.from(document.querySelector("sb-langevin").handle.targetMoments()));
  assert.ok(tm[2] > 0.5 && tm[4] > 0.5, `an extended shape: ${tm}`);
  for (let i = 0; i < 30; i++) await page.click('sb-langevin button:text-is("Step")');
  const kl = await readout(page, "sb-langevin", "KL");
  assert.match(kl, /^\d/);
  // the drawn mixture is in the link
  await page.click("sb-langevin summary");
  await page.click('sb-langevin button:text-is("Copy link")');
  const link = await page.inputValue("sb-langevin .sb-share-text");
  assert.match(link, /langevin\.target=drawn/);
  assert.match(link, /langevin\.mix=/);
  const { page: p2 } = await h.open(link.replace(h.server.url, ""));
  await widgetReady(p2, "sb-langevin");
  assert.equal(await readout(p2, "sb-langevin", "Checksum"), await readout(page, "sb-langevin", "Checksum"));
  assert.deepEqual(problems, []);
});

test("pasting points as CSV gives a target; bad CSV shows the core's message", T, async () => {
  const { page } = await h.open(`${EMBED}&autoplay=false`);
  await widgetReady(page, "sb-langevin");
  await page.click('sb-langevin button:text-is("Paste points (CSV)")');
  await page.fill("sb-langevin textarea", "x,y\n-3,0\n-2.5,0.5\n3,1\n3.5,1.2\n");
  await page.click('sb-langevin button:text-is("Use pasted points")');
  const flat = await page.evaluate(() => {
    const t = document.querySelector("sb-langevin").handle.targetCopy();
    const f = Array.from(t.flat());
    t.free();
    return f;
  });
  assert.equal(flat.length, 4 * 6, "one component per pasted point");
  await page.click('sb-langevin button:text-is("Paste points (CSV)")');
  await page.fill("sb-langevin textarea", "1,2\nfoo,bar\n");
  await page.click('sb-langevin button:text-is("Use pasted points")');
  assert.match(await page.locator("sb-langevin .sb-error").textContent(), /points must be finite coordinates/);
});

test("exports: PNG at device-pixel ratio, SVG chart, CSV of particles and of the readout history", T, async () => {
  const { page } = await h.open(`${EMBED}&autoplay=false&particles=1000`, { dpr: 2 });
  await widgetReady(page, "sb-langevin");
  for (let i = 0; i < 5; i++) await page.click('sb-langevin button:text-is("Step")');
  await page.click("sb-langevin summary");
  const get = async (label) => {
    const [dl] = await Promise.all([page.waitForEvent("download"), page.click(`sb-langevin button:text-is("${label}")`)]);
    return readFile(await dl.path());
  };
  const png = await get("Download PNG");
  assert.equal(png.subarray(1, 4).toString(), "PNG");
  const width = png.readUInt32BE(16);
  const css = await page.$eval("sb-langevin canvas.sb-main", (c) => c.getBoundingClientRect().width);
  assert.ok(Math.abs(width - 2 * css) <= 2, `PNG is ${width} px wide for ${css} CSS px at dpr 2`);
  const svg = (await get("KL chart (SVG)")).toString();
  assert.ok(svg.startsWith("<svg") && svg.includes("polyline"));
  const parts = (await get("Particles (CSV)")).toString().trim().split("\n");
  assert.equal(parts[0], '"x","y"');
  assert.equal(parts.length, 1001);
  assert.ok(parts.slice(1).every((l) => l.split(",").map(Number).every(Number.isFinite)));
  const hist = (await get("KL history (CSV)")).toString().trim().split("\n");
  assert.equal(hist[0], '"step","kl_nats"');
  assert.ok(hist.length >= 2);
});

test("the key numbers can be shown as a table (a text alternative to the canvas)", T, async () => {
  const { page } = await h.open(`${EMBED}&autoplay=false&target=gaussian`);
  await widgetReady(page, "sb-langevin");
  await page.click('sb-langevin button:text-is("Show numbers as a table")');
  const rows = await page.$$eval("sb-langevin table.sb-table tbody tr", (r) => r.map((x) => x.textContent));
  assert.ok(rows.some((r) => r.startsWith("Stationary variance per axis")));
  assert.equal(await page.getAttribute('sb-langevin button[aria-expanded]', "aria-expanded"), "true");
  const label = await page.getAttribute("sb-langevin canvas.sb-main", "aria-label");
  assert.match(label, /Step \d+, \d+ particles/);
});

async function axe(page) {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    // KaTeX's visual layer is aria-hidden and duplicated by its MathML, which is scanned
    const r = await window.axe.run({ exclude: [[".katex-html"]] }, { resultTypes: ["violations"] });
    return r.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join("; ")}`);
  });
}

test("axe-core finds no serious or critical violations on the page and the embed, light and dark", T, async () => {
  for (const colorScheme of ["light", "dark"]) {
    const ctx = await h.browser.newContext({ colorScheme, viewport: { width: 1200, height: 900 } });
    const page = await ctx.newPage();
    await page.goto(`${h.server.url}/index.html`);
    await page.locator("#langevin-widget").scrollIntoViewIfNeeded();
    await widgetReady(page, "#langevin-widget");
    assert.deepEqual(await axe(page), [], `index.html (${colorScheme})`);
    await page.goto(`${h.server.url}${EMBED}`);
    await widgetReady(page, "sb-langevin");
    await page.click("sb-langevin summary");
    assert.deepEqual(await axe(page), [], `embed.html (${colorScheme})`);
    await ctx.close();
  }
});

test("offline: after the first visit the page works with the network off", T, async () => {
  const ctx = await h.browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${h.server.url}/index.html`);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null || (location.reload(), false), null, { timeout: 20_000 }).catch(() => {});
  await page.reload();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 20_000 });
  await ctx.setOffline(true);
  await page.reload();
  await page.locator("#langevin-widget").scrollIntoViewIfNeeded();
  await widgetReady(page, "#langevin-widget");
  assert.ok((await nonBlankFraction(page, "#langevin-widget canvas.sb-main")) > 0.05);
  assert.ok((await page.$$(".katex")).length > 20, "equations render offline");
  await ctx.close();
});

test("a phone-sized viewport has a single column and no horizontal overflow", T, async () => {
  const { page, problems } = await h.open("/index.html", { viewport: { width: 390, height: 844 }, dpr: 3 });
  await page.locator("#langevin-widget").scrollIntoViewIfNeeded();
  await widgetReady(page, "#langevin-widget");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
  assert.ok(overflow <= 0, `horizontal overflow of ${overflow}px`);
  const cols = await page.$eval("#langevin-widget .sb-figure", (f) => getComputedStyle(f).gridTemplateColumns.split(" ").length);
  assert.equal(cols, 1);
  const small = await page.$$eval("#langevin-widget button, #langevin-widget select", (els) =>
    els.filter((e) => e.offsetParent && e.getBoundingClientRect().height < 40).map((e) => e.textContent),
  );
  assert.deepEqual(small, [], "touch-sized controls");
  await page.screenshot({ path: new URL("../artifacts/phone.png", import.meta.url).pathname, fullPage: false });
  assert.deepEqual(problems, []);
});

test("load budget: wasm under 400 KB gzipped; report sizes and time to a first interactive widget", T, async () => {
  const files = JSON.parse(await readFile(join(WWW, "sw-manifest.json"), "utf8")).files.filter((f) => f !== "./");
  let raw = 0;
  let gz = 0;
  for (const f of [...files, "index.html"]) {
    const b = await readFile(join(WWW, f));
    raw += b.length;
    gz += /\.(woff2|png)$/.test(f) ? b.length : gzipSync(b, { level: 9 }).length;
  }
  // two bundles (sections 1-4 and 5-8): a page or an embed loads only those its widgets name
  const sizes = {};
  for (const dir of ["pkg", "pkg-b"]) {
    const b = await readFile(join(WWW, dir, "scorebook_bg.wasm"));
    sizes[dir] = { raw: b.length, gz: gzipSync(b, { level: 9 }).length };
  }
  const wasm = { length: sizes.pkg.raw };
  const wasmGz = sizes.pkg.gz;
  const { page } = await h.open(`${EMBED}`);
  const t = await page.evaluate(async () => {
    while (!document.querySelector("sb-langevin")?.handle) await new Promise((r) => setTimeout(r, 5));
    return performance.now();
  });
  const kb = (n) => (n / 1024).toFixed(0);
  console.log(`load budget: wasm bundle a ${kb(wasm.length)} KB (${kb(wasmGz)} KB gzipped), bundle b ${kb(sizes["pkg-b"].raw)} KB (${kb(sizes["pkg-b"].gz)} KB gzipped); all precached files ${kb(raw)} KB (${kb(gz)} KB compressed); first interactive widget after ${t.toFixed(0)} ms (localhost)`);
  for (const [dir, s] of Object.entries(sizes)) assert.ok(s.gz < 400 * 1024, `${dir}: wasm is ${s.gz} bytes gzipped`);
});
