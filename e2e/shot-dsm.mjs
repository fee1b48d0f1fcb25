// Screenshots of <sb-dsm-train> (embed page) at devicePixelRatio 2: light and dark at 1200 px, light at 375 px.
import { serve } from "./serve.mjs";
import { launch } from "./browser.mjs";
const server = await serve(); const browser = await launch();
for (const [scheme, w, dpr] of [["light", 1200, 2], ["dark", 1200, 2], ["light", 375, 2]]) {
  const ctx = await browser.newContext({ viewport: { width: w, height: 900 }, deviceScaleFactor: dpr, colorScheme: scheme });
  const page = await ctx.newPage();
  page.on("console", (m) => m.type() === "error" && console.log("console:", m.text()));
  page.on("pageerror", (e) => console.log("pageerror:", e.message));
  await page.goto(`${server.url}/embed.html?widget=dsm-train&autoplay=false`);
  await page.waitForFunction(() => { const el = document.getElementById("dsm-train"); return el && el.handle && !el.loading; });
  const t = await page.evaluate(() => { const el = document.getElementById("dsm-train"); const t0 = performance.now(); el.advance(0, 2000); const t1 = performance.now(); el.redraw(); const t2 = performance.now(); el.updateReadouts(true); return [t1 - t0, t2 - t1, performance.now() - t2]; });
  console.log("train 2000 / redraw / readouts ms", t.map((x) => x.toFixed(1)).join(" "));
  await page.waitForTimeout(300);
  await page.screenshot({ path: `/tmp/dsm-${scheme}-${w}.png`, fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  console.log(scheme, w, "overflow", overflow);
  await ctx.close();
}
await browser.close(); await server.close();
