// Screenshots of one widget of embed.html in light and dark mode at 1200 px and at 375 px, all at
// devicePixelRatio 2: node shot-widget.mjs <widget> [steps] [query] → /tmp/<widget>-<scheme>-<width>.png
import { serve } from "./serve.mjs";
import { launch } from "./browser.mjs";
const [name, steps = "0", query = ""] = process.argv.slice(2);
const server = await serve(); const browser = await launch();
for (const [scheme, w, dpr] of [["light", 1200, 2], ["dark", 1200, 2], ["light", 375, 2]]) {
  const ctx = await browser.newContext({ viewport: { width: w, height: 900 }, deviceScaleFactor: dpr, colorScheme: scheme });
  const page = await ctx.newPage();
  page.on("console", (m) => m.type() === "error" && console.log("console:", m.text()));
  page.on("pageerror", (e) => console.log("pageerror:", e.message));
  await page.goto(`${server.url}/embed.html?widget=${name}&autoplay=false${query}`);
  await page.waitForFunction((n) => { const el = document.getElementById(n); return el && el.handle && !el.loading; }, name);
  await page.evaluate(([n, k]) => { const el = document.getElementById(n); if (k > 0) el.advance(0, k); el.redraw(); el.updateReadouts(true); }, [name, Number(steps)]);
  await page.waitForTimeout(300);
  await page.screenshot({ path: `/tmp/${name}-${scheme}-${w}.png`, fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  console.log(scheme, w, "overflow", overflow);
  await ctx.close();
}
await browser.close(); await server.close();
