// Widget frame benchmark: how long one full update of each widget takes in headless Chromium,
// against the 16.7 ms budget of a 60 Hz frame. For every widget of www/embed.html it loads the
// embed page (paused), then times, in the page and with performance.now():
//   * frame    — one step of the widget's process and its drawing (advance(0, 1), render()): what
//                a playing widget does in every animation frame;
//   * readouts — the text readouts, the table and any chart drawn with them (readouts() and the
//                table), which a playing widget refreshes at most 4 times a second;
//   * slider   — a change of each range slider (an `input` event, which recomputes whatever the
//                parameter invalidates: a quadrature, a refit, …) followed by the drawing and the
//                readouts: what dragging a slider costs.
// Prints `bench=frame widget=<name> update=<frame|readouts|slider> ms_per_update=<median> min=<> max=<>`.
// Run through scripts/bench.sh (or `node e2e/frame-bench.mjs` after scripts/build.sh).
import { readFile } from "node:fs/promises";
import { serve } from "./serve.mjs";
import { launch } from "./browser.mjs";

const embed = await readFile(new URL("../www/embed.html", import.meta.url), "utf8");
// the widget names are the keys of embed.html's WIDGETS map: `name: { tag: "sb-…"`
const all = [...embed.matchAll(/["']?([\w-]+)["']?\s*:\s*\{\s*tag:/g)].map((m) => m[1]);
const names = process.env.BENCH_WIDGETS ? process.env.BENCH_WIDGETS.split(",") : all;
const reps = Number(process.env.BENCH_REPS ?? 40);

const server = await serve();
const browser = await launch();
let over = 0;
try {
  for (const name of names) {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 }, deviceScaleFactor: 2 });
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${server.url}/embed.html?widget=${name}&autoplay=false`);
    await page.waitForFunction((n) => {
      const el = document.getElementById(n);
      return el && el.handle && !el.loading;
    }, name, { timeout: 60_000 });
    const result = await page.evaluate(async ([n, reps]) => {
      const el = document.getElementById(n);
      el.pause?.();
      const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
      const summary = (t) => (t.length ? { median: median(t), min: Math.min(...t), max: Math.max(...t) } : null);
      const full = () => {
        el.render();
        el.readouts();
        el.fillTable?.();
      };
      const frame = [];
      const text = [];
      for (let i = 0; i < reps + 3; i++) {
        const t0 = performance.now();
        el.advance(0, 1);
        el.render();
        const t1 = performance.now();
        el.readouts();
        el.fillTable?.();
        const t2 = performance.now();
        if (i >= 3) {
          // three warm-up updates
          frame.push(t1 - t0);
          text.push(t2 - t1);
        }
        if (el.error) break;
      }
      const slider = [];
      const perSlider = [];
      const ranges = [...el.querySelectorAll('input[type="range"]')].filter((r) => !r.disabled);
      for (const r of ranges) {
        const [lo, hi, v0] = [Number(r.min), Number(r.max), r.value];
        const st = Number(r.step) || (hi - lo) / 100;
        const alt = Number(v0) + st <= hi ? String(Number(v0) + st) : String(Number(v0) - st);
        const mine = [];
        for (let i = 0; i < Math.max(4, Math.ceil(reps / ranges.length)); i++) {
          r.value = i % 2 ? v0 : alt;
          const t0 = performance.now();
          r.dispatchEvent(new Event("input", { bubbles: true }));
          full();
          mine.push(performance.now() - t0);
        }
        slider.push(...mine);
        const label = r.labels?.[0]?.textContent ?? r.id;
        perSlider.push(`${label.trim()}: ${median(mine).toFixed(1)} ms`);
        r.value = v0;
        r.dispatchEvent(new Event("input", { bubbles: true }));
        await new Promise((res) => setTimeout(res, 0));
      }
      return { frame: summary(frame), readouts: summary(text), slider: summary(slider), perSlider, error: el.error ? String(el.error.message ?? el.error) : null };
    }, [name, reps]);
    if (result.error) console.log(`# ${name}: the widget reported: ${result.error}`);
    for (const kind of ["frame", "readouts", "slider"]) {
      const r = result[kind];
      if (!r) continue;
      const f = (x) => x.toFixed(3);
      console.log(`bench=frame widget=${name} update=${kind} ms_per_update=${f(r.median)} min=${f(r.min)} max=${f(r.max)}`);
      if (r.median > 16.7) over++;
    }
    if (result.perSlider.length) console.log(`# ${name} sliders (median): ${result.perSlider.join("; ")}`);
    if (errors.length) console.log(`# ${name}: page errors: ${errors.join("; ")}`);
    await page.close();
  }
  console.log(over ? `# ${over} update kind(s) above the 16.7 ms frame budget` : "# every widget update fits in a 60 Hz frame");
} finally {
  await browser.close();
  await server.close();
}
