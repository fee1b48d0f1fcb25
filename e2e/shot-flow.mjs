// Screenshots of the flow-matching widgets (embed page) at devicePixelRatio 2: light and dark at
// 1200 px, light at 375 px. Usage: node shot-flow.mjs [flow-paths|flow-train] [steps to run]
import { serve } from "./serve.mjs";
import { launch } from "./browser.mjs";
const name = process.argv[2] ?? "flow-paths";
const steps = Number(process.argv[3] ?? 20);
const server = await serve(); const browser = await launch();
for (const [scheme, w, dpr] of [["light", 1200, 2], ["dark", 1200, 2], ["light", 375, 2]]) {
  const ctx = await browser.newContext({ viewport: { width: w, height: 900 }, deviceScaleFactor: dpr, colorScheme: scheme });
  const page = await ctx.newPage();
  page.on("console", (m) => m.type() === "error" && console.log("console:", m.text()));
  page.on("pageerror", (e) => console.log("pageerror:", e.message));
  await page.goto(`${server.url}/embed.html?widget=${name}&autoplay=false`);
  await page.waitForFunction((n) => { const el = document.getElementById(n); return el && el.handle && !el.loading; }, name);
  const t = await page.evaluate((args) => { const [n, s] = args; const el = document.getElementById(n); const t0 = performance.now(); el.advance(0, s); const t1 = performance.now(); el.redraw(); const t2 = performance.now(); el.updateReadouts(true); return [t1 - t0, t2 - t1, performance.now() - t2]; }, [name, steps]);
  console.log(`advance ${steps} / redraw / readouts ms`, t.map((x) => x.toFixed(1)).join(" "));
  await page.waitForTimeout(2500);
  await page.evaluate((n) => { const el = document.getElementById(n); el.redraw(); el.updateReadouts(true); }, name);
  await page.screenshot({ path: `/tmp/${name}-${scheme}-${w}.png`, fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  console.log(scheme, w, "overflow", overflow);
  await ctx.close();
}
await browser.close(); await server.close();
