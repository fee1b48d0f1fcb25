// <sb-sde-fp>: forward SDE particles beside the Fokker–Planck density solved on a grid, with the
// exact marginal p_t, and the L1 / KL distances between them over time.
//
// Section: "Stochastic differential equations" (index.html#sde). Rust handle: SdeFpWidget.
// Attributes (all optional): sde = vp | ve | ou, target = ring8 | gaussian | two-modes,
// particles, steps (K particle steps), particle-method = em | exact, cells (n, grid n × n),
// time-step (grid Δt; 0 or absent = automatic under the CFL limit), seed, autoplay = "false",
// controls = "hidden", text = "hidden". Every number shown comes from the Rust core.
// Embed: <script type="module" src=".../widgets/sde-fp.js"></script>
//        <sb-sde-fp sde="vp" target="ring8" cells="64"></sb-sde-fp>

import { SbWidget, h, slider, select, fmt } from "../lib/widget.js";
import { parsers } from "../lib/state.js";
import { csvExport, svgExport } from "../lib/export.js";

const SDES = [
  ["vp", "Variance preserving (β 0.1 → 20)"],
  ["ve", "Variance exploding (σ 0.01 → 2)"],
  ["ou", "Ornstein–Uhlenbeck dx = −x dt + √2 dW, T = 2"],
];
const TARGETS = [
  ["ring8", "Ring of 8 Gaussians"],
  ["two-modes", "Two modes, weights 0.8 / 0.2"],
  ["gaussian", "Single Gaussian N(0, I)"],
];
const METHODS = [["em", "Euler–Maruyama"], ["exact", "Exact Gaussian transition"]];
const K_STOPS = [5, 10, 20, 50, 100, 200, 500, 1000];
const N_STOPS = [1000, 2000, 5000, 10000, 20000, 50000, 100000];
const CELL_STOPS = [16, 32, 48, 64, 96, 128];
const DT_OPTIONS = [["0", "automatic (under the CFL limit)"], ["0.0001", "10⁻⁴"], ["0.0003", "3·10⁻⁴"], ["0.001", "10⁻³"], ["0.003", "3·10⁻³"], ["0.01", "10⁻²"]];
const nearest = (stops, v) => stops.reduce((b, s, i) => (Math.abs(Math.log(s / v)) < Math.abs(Math.log(stops[b] / v)) ? i : b), 0);

class SbSdeFp extends SbWidget {
  /** The wasm bundle with this widget’s bindings (sections 5-8). */
  static wasmBundle = "b";

  static title = "Forward SDE particles and the Fokker–Planck equation";

  stateSpec() {
    return {
      sde: { parse: parsers.oneOf(SDES.map((t) => t[0])) },
      target: { parse: parsers.oneOf(TARGETS.map((t) => t[0])) },
      n: { parse: parsers.integer(1, 1000000) },
      K: { parse: parsers.integer(1, 100000) },
      pm: { parse: parsers.oneOf(METHODS.map((t) => t[0])) },
      cells: { parse: parsers.integer(8, 256) },
      dt: { parse: parsers.number(0, 1) },
    };
  }

  getState() {
    const c = this.cfg;
    return { sde: c.sde, target: c.target, n: c.n, K: c.K, pm: c.pm, cells: c.cells, dt: c.dt };
  }

  setState(v) {
    Object.assign(this.cfg, Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)));
    this.syncControls();
  }

  syncControls() {
    const c = this.cfg;
    this.sdeSel.input.value = c.sde;
    this.targetSel.input.value = c.target;
    this.methodSel.input.value = c.pm;
    if (this.dtSel) {
      if (![...this.dtSel.input.options].some((o) => Number(o.value) === c.dt)) this.dtSel.input.append(h("option", { value: String(c.dt) }, fmt(c.dt, 3)));
      this.dtSel.input.value = [...this.dtSel.input.options].find((o) => Number(o.value) === c.dt).value;
    }
    const show = (s, stops, v, f = String) => { s.set(nearest(stops, v)); s.wrap.querySelector("output").textContent = f(v); };
    show(this.kS, K_STOPS, c.K);
    show(this.nS, N_STOPS, c.n, (v) => v.toLocaleString("en-US"));
    show(this.cellS, CELL_STOPS, c.cells, (v) => `${v} × ${v}`);
  }

  buildUi() {
    const a = (k, d) => this.getAttribute(k) ?? d;
    this.cfg = {
      sde: a("sde", "vp"),
      target: a("target", "ring8"),
      n: Number(a("particles", "20000")),
      K: Number(a("steps", "200")),
      pm: a("particle-method", "em"),
      cells: Number(a("cells", "64")),
      dt: Number(a("time-step", "0")),
    };
    this.partCanvas = h("canvas", { class: "sb-main sb-particles", role: "img", "aria-label": "Forward SDE particles over the exact marginal p_t" });
    this.gridCanvas = h("canvas", { class: "sb-main sb-grid", role: "img", "aria-label": "Fokker–Planck density on the grid" });
    this.chart = h("canvas", { class: "sb-chart", role: "img", "aria-label": "Distances between particles, grid and exact law against t" });
    const pair = (canvas, title) => h("div", { class: "sb-pair-cell" }, h("p", { class: "sb-caption sb-pair-title" }, title), canvas);
    this.stage.append(
      h("div", { class: "sb-pair", style: "display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:0.5rem;align-items:end" },
        pair(this.partCanvas, "Particles over the exact p_t"),
        pair(this.gridCanvas, "Fokker–Planck grid density")),
      h("p", { class: "sb-caption" }, "Left: particles drawn from the data and moved by the forward SDE, over the exact marginal p_t (a mixture stays a mixture). Right: the finite-volume solution of the Fokker–Planck equation from the same data law, on the same box."),
      this.chart,
      h("p", { class: "sb-caption" }, "Distances against t (log scale). Blue: L1 between the particle histogram and the grid law. Orange: KL(particles ‖ grid). Grey: the KL that exact i.i.d. samples of the grid law would score (the estimator's floor). Green: L1 between the grid and the exact p_t (the solver's own error)."),
    );
    const c = this.cfg;
    this.sdeSel = select({ label: "SDE", options: SDES, value: c.sde, onchange: (v) => { c.sde = v; this.guard(() => this.handle?.setSde(v)); this.afterChange(); } });
    this.targetSel = select({ label: "Data", options: TARGETS, value: c.target, onchange: (v) => { c.target = v; this.guard(() => this.handle?.setTarget(v)); this.afterChange(); } });
    this.methodSel = select({ label: "Particle update", options: METHODS, value: c.pm, onchange: (v) => { c.pm = v; this.applyRun(); } });
    const stopSlider = (label, stops, key, f = String) =>
      slider({ label, min: 0, max: stops.length - 1, step: 1, value: nearest(stops, c[key]), format: (i) => f(stops[i]), oninput: (i) => { c[key] = stops[i]; this.applyRun(); } });
    this.kS = stopSlider("Particle steps K", K_STOPS, "K");
    this.nS = stopSlider("Particles", N_STOPS, "n", (v) => v.toLocaleString("en-US"));
    this.cellS = stopSlider("Grid cells", CELL_STOPS, "cells", (v) => `${v} × ${v}`);
    this.dtSel = select({ label: "Grid time step Δt", options: DT_OPTIONS, value: String(c.dt), onchange: (v) => { c.dt = Number(v); this.applyRun(); } });
    this.params.append(this.sdeSel.wrap, this.targetSel.wrap, this.methodSel.wrap, this.kS.wrap, this.nS.wrap, this.cellS.wrap, this.dtSel.wrap);
    this.syncControls();
  }

  applyRun() {
    const c = this.cfg;
    this.clearError();
    this.guard(() => this.handle?.setRun(c.n, c.K, c.pm, c.cells, c.dt));
    this.afterChange();
  }

  afterChange() {
    if (!this.error) this.clearError();
    this.paramChanged({ restarted: true });
    this.redraw();
    this.updateReadouts(true);
  }

  build(mod) {
    const c = this.cfg;
    this.handle = new mod.SdeFpWidget(c.sde, c.target, c.n, c.K, c.pm, c.cells, c.dt, this.seed());
  }

  onReset(seed) {
    const c = this.cfg;
    this.handle.setRun(c.n, c.K, c.pm, c.cells, c.dt);
    this.handle.reset(seed);
  }

  stepsNow() {
    return this.handle ? this.handle.steps : 0;
  }

  advance(budgetMs, fixed) {
    if (this.handle.finished) {
      this.pause();
      this.status.textContent = "t = T reached: press Reset to run again.";
      return;
    }
    this.stepWithin(budgetMs, fixed, 50);
    if (this.handle.finished && this.playing) this.pause();
  }

  render() {
    this.handle.draw(this.partCanvas, 0, this.dpr, this.dark);
    this.handle.draw(this.gridCanvas, 1, this.dpr, this.dark);
  }

  exports() {
    return [
      svgExport("Distance chart (SVG)", "sde-fp-distances.svg", () => this.handle.historySvg(640, 260, false)),
      csvExport("Distances (CSV)", "sde-fp-distances.csv", ["t", "l1_particles_grid", "kl_particles_grid", "kl_floor", "l1_grid_exact", "l1_particles_exact"], () => this.handle.history()),
    ];
  }

  tableRows() {
    const w = this.handle;
    const d = w.distancesNow(true);
    return [
      ["Time t", fmt(d[0], 4), fmt(d[0], 4)],
      ["L1(particles, grid)", fmt(d[1], 4), "—"],
      ["KL(particles ‖ grid)", fmt(d[2], 4), `${fmt(d[3], 4)} (i.i.d. floor)`],
      ["L1(grid, exact p_t)", fmt(d[4], 4), "0"],
      ["L1(particles, exact p_t)", fmt(d[5], 4), "—"],
      ["Grid mass", fmt(d[8], 10), "1"],
    ];
  }

  readouts() {
    const w = this.handle;
    // while playing, the distances of the latest recorded time (every K/50 steps); paused, now
    const d = w.distancesNow(!this.playing);
    const lv = w.exactLevel();
    this.setReadout("steps", "Particle step", `${w.steps.toLocaleString("en-US")} of K = ${w.totalSteps.toLocaleString("en-US")} · t = ${fmt(w.time, 4)} of T = ${fmt(w.horizon, 3)}${w.finished ? " (finished)" : ""}`);
    this.setReadout("grid", "Grid", `${w.cells} × ${w.cells} on [${fmt(w.view[0], 3)}, ${fmt(w.view[1], 3)}]² · Δt = ${fmt(w.gridStep, 3)} (${w.substeps} per particle step h = ${fmt(w.stepSize, 3)}) · CFL limit ${fmt(w.cflLimit, 3)}`);
    this.setReadout("exact", "Exact x_t | x₀", `N(α x₀, v I), α = ${fmt(lv[0], 4)}, v = ${fmt(lv[1], 4)}`);
    this.setReadout("pg", `Particles vs grid (t = ${fmt(d[0], 3)})`, `L1 ${fmt(d[1], 3)} · KL ${fmt(d[2], 3)} (i.i.d. floor ${fmt(d[3], 3)})${d[7] > 0 ? ` · ${fmt(100 * d[7], 2)}% outside the grid` : ""}`,
      "L1 = Σ|p̂ − P| over the cells plus the fraction outside; the floor is the KL exact samples of the grid law would score.");
    this.setReadout("ge", `Grid vs exact p_t (t = ${fmt(d[0], 3)})`, `L1 ${fmt(d[4], 3)} · mass ${fmt(d[8], 12)}`);
    this.setReadout("pe", `Particles vs exact p_t (t = ${fmt(d[0], 3)})`, `L1 ${fmt(d[5], 3)} · KL ${fmt(d[6], 3)}`);
    this.setReadout("checksum", "Checksum", w.checksum());
    w.drawHistory(this.chart, this.dpr, this.dark);
    const summary = `t = ${fmt(w.time, 3)}. Particles to grid: L1 ${fmt(d[1], 3)}, KL ${fmt(d[2], 3)} (floor ${fmt(d[3], 3)}). Grid to exact: L1 ${fmt(d[4], 3)}.`;
    this.partCanvas.setAttribute("aria-label", `Forward SDE particles over p_t. ${summary}`);
    if (!this.error) this.announce(summary);
  }
}

customElements.define("sb-sde-fp", SbSdeFp);
