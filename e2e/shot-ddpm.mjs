// Screenshots of <sb-ddpm-train> after `steps` training steps and a complete sampling run (and
// of the scrubber at snapshot `scrub`), light/dark at 1200 px and light at 375 px, DPR 2:
// node shot-ddpm.mjs [steps] [scrub] [query] → /tmp/ddpm-train-<scheme>-<width>.png
import { serve } from "./serve.mjs";
import { launch } from "./browser.mjs";
const [steps = "2000", scrub = "-1", query = ""] = process.argv.slice(2);
const server = await serve(); const browser = await launch();
for (const [scheme, w] of [["light", 1200], ["dark", 1200], ["light", 375]]) {
  const ctx = await browser.newContext({ viewport: { width: w, height: 900 }, deviceScaleFactor: 2, colorScheme: scheme });
  const page = await ctx.newPage();
  page.on("console", (m) => m.type() === "error" && console.log("console:", m.text()));
  page.on("pageerror", (e) => console.log("pageerror:", e.message));
  await page.goto(`${server.url}/embed.html?widget=ddpm-train&autoplay=false${query}`);
  await page.waitForFunction(() => { const el = document.getElementById("ddpm-train"); return el && el.handle && !el.loading; });
  const t = await page.evaluate(([k, s]) => {
    const el = document.getElementById("ddpm-train");
    const t0 = performance.now();
    if (k > 0) el.advance(0, k);
    const t1 = performance.now();
    el.handle.startSampling();
    while (el.handle.samplingActive) el.handle.sampleStep(1000);
    const t2 = performance.now();
    el.scrub = s; el.syncScrub(); el.redraw(); el.updateReadouts(true);
    return [t1 - t0, t2 - t1];
  }, [Number(steps), Number(scrub)]);
  await page.waitForTimeout(300);
  await page.screenshot({ path: `/tmp/ddpm-train-${scheme}-${w}.png`, fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  console.log(scheme, w, "overflow", overflow, "train ms", t[0].toFixed(0), "sample ms", t[1].toFixed(0));
  await ctx.close();
}
await browser.close(); await server.close();
