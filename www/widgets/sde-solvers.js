// <sb-sde-solvers>: reverse-time samplers of the VP SDE compared at an equal number of score
// evaluations (NFE): reverse SDE by Euler–Maruyama, probability-flow ODE by Euler and by Heun,
// predictor–corrector, DDIM; quality against the exact data mixture, and a sweep over NFE.
//
// Section: "Stochastic differential equations" (index.html#sde). Rust handle: SdeSolversWidget.
// Attributes (all optional): target = ring8 | gaussian | two-modes, particles (≤ 200,000),
// nfe = 2 | 4 | … | 512, seed, autoplay = "false", controls = "hidden", text = "hidden".
// Every number shown comes from the Rust core.
// Embed: <script type="module" src=".../widgets/sde-solvers.js"></script>
//        <sb-sde-solvers nfe="32"></sb-sde-solvers>

import { SbWidget, h, slider, select, fmt } from "../lib/widget.js";
import { parsers } from "../lib/state.js";
import { csvExport, svgExport } from "../lib/export.js";

const TARGETS = [
  ["ring8", "Ring of 8 Gaussians"],
  ["two-modes", "Two modes, weights 0.8 / 0.2"],
  ["gaussian", "Single Gaussian N(0, I)"],
];
const BUDGETS = [2, 4, 8, 16, 32, 64, 128, 256, 512];
const N_STOPS = [1000, 2000, 5000, 10000, 20000, 50000];
const nearest = (stops, v) => stops.reduce((b, s, i) => (Math.abs(Math.log(s / v)) < Math.abs(Math.log(stops[b] / v)) ? i : b), 0);
const NAMES = ["Reverse SDE (EM)", "PF-ODE Euler", "PF-ODE Heun", "Predictor–corrector", "DDIM (η = 0)"];

class SbSdeSolvers extends SbWidget {
  /** The wasm bundle with this widget’s bindings (sections 5-8). */
  static wasmBundle = "b";

  static title = "Reverse-time solvers at equal NFE";

  stateSpec() {
    return {
      target: { parse: parsers.oneOf(TARGETS.map((t) => t[0])) },
      n: { parse: parsers.integer(1, 200000) },
      nfe: { parse: (s) => { const v = Number(s); return BUDGETS.includes(v) ? v : undefined; } },
    };
  }

  getState() {
    const c = this.cfg;
    return { target: c.target, n: c.n, nfe: c.nfe };
  }

  setState(v) {
    Object.assign(this.cfg, Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)));
    this.syncControls();
  }

  syncControls() {
    const c = this.cfg;
    this.targetSel.input.value = c.target;
    this.nfeS.set(Math.max(0, BUDGETS.indexOf(c.nfe)));
    this.nfeS.wrap.querySelector("output").textContent = String(c.nfe);
    this.nS.set(nearest(N_STOPS, c.n));
    this.nS.wrap.querySelector("output").textContent = c.n.toLocaleString("en-US");
  }

  buildUi() {
    const a = (k, d) => this.getAttribute(k) ?? d;
    this.cfg = { target: a("target", "ring8"), n: Number(a("particles", "5000")), nfe: Number(a("nfe", "32")) };
    this.canvasesBy = NAMES.map((name, i) => h("canvas", { class: `sb-main sb-solver sb-solver-${i}`, role: "img", "aria-label": `Samples of ${name}` }));
    this.titles = NAMES.map((name) => h("p", { class: "sb-caption sb-pair-title" }, name));
    this.chart = h("canvas", { class: "sb-chart", role: "img", "aria-label": "Histogram KL to the data against log2 NFE for each solver" });
    this.stage.append(
      h("div", { class: "sb-solver-grid", style: "display:grid;grid-template-columns:repeat(auto-fit,minmax(120px,1fr));gap:0.5rem;align-items:end" },
        ...NAMES.map((_, i) => h("div", { class: "sb-pair-cell" }, this.titles[i], this.canvasesBy[i]))),
      h("p", { class: "sb-caption" }, "The final samples of each solver at the chosen NFE, over the exact data density. All start from the same prior draw and use the exact score of the mixture under the VP SDE (β from 0.1 to 20); a cloud still at the prior is waiting for its run."),
      this.chart,
      h("p", { class: "sb-caption" }, "Histogram KL to the exact data law against log₂ NFE (log scale). Blue: reverse SDE (EM). Orange: probability-flow ODE, Euler. Green: probability-flow ODE, Heun. Purple: predictor–corrector. Teal: DDIM. Grey: the KL that exact i.i.d. samples would score."),
    );
    const c = this.cfg;
    this.targetSel = select({ label: "Data", options: TARGETS, value: c.target, onchange: (v) => { c.target = v; this.guard(() => this.handle?.setTarget(v)); this.afterChange(true); } });
    this.nfeS = slider({
      label: "Score evaluations (NFE) per solver", min: 0, max: BUDGETS.length - 1, step: 1, value: Math.max(0, BUDGETS.indexOf(c.nfe)), format: (i) => String(BUDGETS[i]),
      oninput: (i) => { c.nfe = BUDGETS[i]; this.guard(() => this.handle?.setNfe(c.nfe)); this.afterChange(false); if (!this.playing && !this.error) this.play(); },
    });
    this.nS = slider({
      label: "Particles per run", min: 0, max: N_STOPS.length - 1, step: 1, value: nearest(N_STOPS, c.n), format: (i) => N_STOPS[i].toLocaleString("en-US"),
      oninput: (i) => { c.n = N_STOPS[i]; this.guard(() => this.handle?.setParticles(c.n)); this.afterChange(true); },
    });
    this.params.append(this.targetSel.wrap, this.nfeS.wrap, this.nS.wrap);
    this.syncControls();
  }

  afterChange(restarted) {
    if (!this.error) this.clearError();
    this.paramChanged({ restarted });
    this.redraw();
    this.updateReadouts(true);
  }

  build(mod) {
    const c = this.cfg;
    this.handle = new mod.SdeSolversWidget(c.target, c.n, c.nfe, this.seed());
  }

  onReset(seed) {
    this.handle.setNfe(this.cfg.nfe);
    this.handle.reset(seed);
  }

  stepsNow() {
    return this.handle ? this.handle.steps : 0;
  }

  advance(budgetMs, fixed) {
    if (this.handle.finished) {
      this.pause();
      this.status.textContent = "The sweep is complete.";
      return;
    }
    this.stepWithin(budgetMs, fixed, 400);
    if (this.handle.finished && this.playing) this.pause();
  }

  render() {
    this.canvasesBy.forEach((cv, i) => this.handle.draw(cv, i, this.dpr, this.dark));
  }

  exports() {
    return [
      svgExport("Quality chart (SVG)", "sde-solvers.svg", () => this.handle.chartSvg(640, 300, false)),
      csvExport("Results (CSV)", "sde-solvers.csv", ["nfe", "solver", "kl", "kl_floor", "mean_error", "cov_error", "nfe_spent"], () => this.handle.table()),
    ];
  }

  tableRows() {
    const w = this.handle;
    const r = w.results(w.nfe);
    return NAMES.map((name, i) => [`${name}: KL | |Δm| | ‖ΔC‖ (NFE ${w.nfe})`, `${fmt(r[5 * i], 4)} | ${fmt(r[5 * i + 2], 3)} | ${fmt(r[5 * i + 3], 3)}`, `${fmt(r[5 * i + 1], 4)} (floor) | 0 | 0`]);
  }

  readouts() {
    const w = this.handle;
    const r = w.results(w.nfe);
    this.setReadout("sweep", "Sweep", `${w.completed} of ${5 * BUDGETS.length} runs${w.finished ? " (complete)" : ""} · ${w.len.toLocaleString("en-US")} particles per run · ${w.kernel}`);
    this.setReadout("floor", "KL of exact i.i.d. samples (floor)", fmt(r.find((v, i) => i % 5 === 1 && Number.isFinite(v)), 3));
    NAMES.forEach((name, i) => {
      const e = w.error(w.nfe, i);
      const v = e ? `diverged: ${e}` : Number.isFinite(r[5 * i]) ? `KL ${fmt(r[5 * i], 3)} · |Δm| ${fmt(r[5 * i + 2], 3)} · ‖ΔC‖ ${fmt(r[5 * i + 3], 3)} · NFE ${r[5 * i + 4]}` : "running…";
      this.setReadout(`s${i}`, name, v);
      this.titles[i].textContent = `${name} · ${Number.isFinite(r[5 * i]) ? `KL ${fmt(r[5 * i], 2)}` : e ? "diverged" : "…"}`;
    });
    this.setReadout("checksum", "Checksums", w.checksum());
    w.drawChart(this.chart, this.dpr, this.dark);
    const summary = `NFE ${w.nfe}: ` + NAMES.map((n, i) => `${n} KL ${fmt(r[5 * i], 3)}`).join(", ") + ".";
    if (!this.error) this.announce(summary);
  }
}

customElements.define("sb-sde-solvers", SbSdeSolvers);
