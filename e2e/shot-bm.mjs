import { serve } from "./serve.mjs";
import { launch } from "./browser.mjs";
const server = await serve(); const browser = await launch();
for (const [scheme, w, dpr] of [["light", 1200, 2], ["dark", 1200, 2], ["light", 375, 2]]) {
  const ctx = await browser.newContext({ viewport: { width: w, height: 900 }, deviceScaleFactor: dpr, colorScheme: scheme });
  const page = await ctx.newPage();
  page.on("console", (m) => m.type() === "error" && console.log("console:", m.text()));
  page.on("pageerror", (e) => console.log("pageerror:", e.message));
  await page.goto(`${server.url}/embed.html?widget=boltzmann&autoplay=false`);
  await page.waitForFunction(() => { const el = document.getElementById("boltzmann"); return el && el.handle && !el.loading; });
  await page.evaluate(() => { const el = document.getElementById("boltzmann"); el.advance(0, 200); el.redraw(); el.updateReadouts(true); });
  await page.waitForTimeout(300);
  await page.screenshot({ path: `/tmp/bm-${scheme}-${w}.png`, fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  console.log(scheme, w, "overflow", overflow);
  await ctx.close();
}
await browser.close(); await server.close();
