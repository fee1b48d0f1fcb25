// <sb-annealed>: the mixing problem and annealed Langevin dynamics (NCSN sampling). Two clouds
// start from the same uniform draw on [−8, 8]² and get the same noise: plain Langevin on p, and
// annealed Langevin over a geometric σ schedule with the exact scores of p_σ.
//
// Section: "Langevin dynamics" (index.html#langevin). Rust handle: AnnealedWidget.
// Attributes (all optional): target = separated | two-modes | ring8 | gaussian, sigma-max,
// sigma-min, levels (L), steps-per-level (T), step-size (ε, the step of the last level),
// particles, seed, autoplay = "false", controls = "hidden", text = "hidden".
// Every number shown comes from the Rust core.
// Embed: <script type="module" src=".../widgets/annealed.js"></script>
//        <sb-annealed sigma-max="20" sigma-min="0.01" levels="20" steps-per-level="100"></sb-annealed>

import { SbWidget, h, slider, select, fmt } from "../lib/widget.js";
import { parsers } from "../lib/state.js";
import { csvExport, svgExport } from "../lib/export.js";

const TARGETS = [
  ["separated", "0.8 N((5,5), I) + 0.2 N((−5,−5), I)"],
  ["two-modes", "Two close modes, weights 0.8 / 0.2"],
  ["ring8", "Ring of 8 Gaussians"],
  ["gaussian", "Single Gaussian N(0, I)"],
];
const SMAX_STOPS = [0.5, 1, 2, 5, 10, 20, 50, 100];
const SMIN_STOPS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1];
const L_STOPS = [2, 3, 5, 10, 15, 20, 30, 50, 100, 200];
const T_STOPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];
const EPS_STOPS = [1e-6, 2e-6, 5e-6, 1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1];
const N_STOPS = [1000, 2000, 5000, 10000, 20000, 50000, 100000];
const nearest = (stops, v) => stops.reduce((b, s, i) => (Math.abs(Math.log(s / v)) < Math.abs(Math.log(stops[b] / v)) ? i : b), 0);
const positive = (hi) => (s) => { const v = parsers.number(1e-9, hi)(s); return v > 0 ? v : undefined; };

class SbAnnealed extends SbWidget {
  static title = "Plain versus annealed Langevin dynamics";

  stateSpec() {
    return {
      target: { parse: parsers.oneOf(TARGETS.map((t) => t[0])) },
      smax: { parse: positive(1000) },
      smin: { parse: positive(1000) },
      L: { parse: parsers.integer(2, 1000) },
      T: { parse: parsers.integer(1, 100000) },
      eps: { parse: positive(10) },
      n: { parse: parsers.integer(1, 1000000) },
    };
  }

  getState() {
    const c = this.cfg;
    return { target: c.target, smax: c.smax, smin: c.smin, L: c.L, T: c.T, eps: c.eps, n: c.n };
  }

  setState(v) {
    Object.assign(this.cfg, Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)));
    this.syncControls();
  }

  syncControls() {
    const c = this.cfg;
    this.targetSel.input.value = c.target;
    const show = (s, stops, v, f = String) => {
      s.set(nearest(stops, v));
      s.wrap.querySelector("output").textContent = f(v);
    };
    show(this.smaxS, SMAX_STOPS, c.smax);
    show(this.sminS, SMIN_STOPS, c.smin);
    show(this.lS, L_STOPS, c.L);
    show(this.tS, T_STOPS, c.T);
    show(this.epsS, EPS_STOPS, c.eps);
    show(this.nS, N_STOPS, c.n, (v) => v.toLocaleString("en-US"));
  }

  buildUi() {
    const a = (k, d) => this.getAttribute(k) ?? d;
    this.cfg = {
      target: a("target", "separated"),
      smax: Number(a("sigma-max", "20")),
      smin: Number(a("sigma-min", "0.01")),
      L: Number(a("levels", "20")),
      T: Number(a("steps-per-level", "100")),
      eps: Number(a("step-size", "2e-5")),
      n: Number(a("particles", "20000")),
    };
    this.plainCanvas = h("canvas", { class: "sb-main sb-plain", role: "img", "aria-label": "Plain Langevin particles over the target density" });
    this.aldCanvas = h("canvas", { class: "sb-main sb-ald", role: "img", "aria-label": "Annealed Langevin particles over the noised density of the current level" });
    this.chart = h("canvas", { class: "sb-chart", role: "img", "aria-label": "Share of the first mode against step for both runs" });
    this.scheduleBody = h("tbody");
    this.scheduleTable = h(
      "table",
      { class: "sb-table sb-schedule" },
      h("caption", {}, "The schedule: σᵢ = σ_min (σ_max/σ_min)^((L−i)/(L−1)) and αᵢ = ε σᵢ²/σ_L². The current level is marked ▶."),
      h("thead", {}, h("tr", {}, ...["i", "σᵢ", "αᵢ", "αᵢ/σᵢ²"].map((t) => h("th", { scope: "col", style: "position:sticky;top:0;background:var(--w-panel, var(--w-bg))" }, t)))),
      this.scheduleBody,
    );
    const pair = (canvas, title) => h("div", { class: "sb-pair-cell" }, h("p", { class: "sb-caption sb-pair-title" }, title), canvas);
    this.stage.append(
      h("div", { class: "sb-pair", style: "display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:0.5rem;align-items:end" },
        pair(this.plainCanvas, "Plain Langevin"),
        pair(this.aldCanvas, "Annealed Langevin")),
      h("p", { class: "sb-caption" }, "Both clouds start from the same uniform draw on [−8, 8]² and receive the same noise. Left shading: the target p. Right shading: the noised density p_σ of the current level (particles outside the frame are at large σ)."),
      this.chart,
      h("p", { class: "sb-caption" }, "Share of the particles in mode 1 (the mode of largest weight for the default target) against step. Blue: annealed Langevin. Orange: plain Langevin. Grey line: the exact weight of mode 1."),
      (this.scheduleBox = h("div", { style: "max-height:14rem;overflow:auto;margin-top:0.5rem" }, this.scheduleTable)),
    );
    const c = this.cfg;
    this.targetSel = select({ label: "Target", options: TARGETS, value: c.target, onchange: (v) => { c.target = v; this.guard(() => this.handle?.setTarget(v)); this.afterChange(); } });
    const stopSlider = (label, stops, key, f = String) =>
      slider({
        label, min: 0, max: stops.length - 1, step: 1, value: nearest(stops, c[key]), format: (i) => f(stops[i]),
        oninput: (i) => { c[key] = stops[i]; this.applySchedule(); },
      });
    this.smaxS = stopSlider("σ_max (first level)", SMAX_STOPS, "smax");
    this.sminS = stopSlider("σ_min (last level)", SMIN_STOPS, "smin");
    this.lS = stopSlider("Levels L", L_STOPS, "L");
    this.tS = stopSlider("Steps per level T", T_STOPS, "T");
    this.epsS = stopSlider("Step ε at the last level", EPS_STOPS, "eps");
    this.nS = slider({
      label: "Particles per run", min: 0, max: N_STOPS.length - 1, step: 1, value: nearest(N_STOPS, c.n), format: (i) => N_STOPS[i].toLocaleString("en-US"),
      oninput: (i) => { c.n = N_STOPS[i]; this.guard(() => this.handle?.setParticles(c.n)); this.afterChange(); },
    });
    this.params.append(this.targetSel.wrap, this.smaxS.wrap, this.sminS.wrap, this.lS.wrap, this.tS.wrap, this.epsS.wrap, this.nS.wrap);
    this.syncControls();
  }

  applySchedule() {
    const c = this.cfg;
    this.clearError();
    this.guard(() => this.handle?.setSchedule(c.smax, c.smin, c.L, c.T, c.eps));
    this.afterChange();
  }

  afterChange() {
    if (!this.error) this.clearError();
    this.scheduleFor = null;
    this.paramChanged({ restarted: true });
    this.redraw();
    this.updateReadouts(true);
  }

  build(mod) {
    const c = this.cfg;
    this.handle = new mod.AnnealedWidget(c.target, c.n, c.smax, c.smin, c.L, c.T, c.eps, this.seed());
  }

  onReset(seed) {
    const c = this.cfg;
    this.handle.setSchedule(c.smax, c.smin, c.L, c.T, c.eps);
    this.handle.reset(seed);
  }

  stepsNow() {
    return this.handle ? this.handle.steps : 0;
  }

  advance(budgetMs, fixed) {
    if (this.handle.finished) {
      this.pause();
      this.status.textContent = "The schedule is finished: press Reset to run it again.";
      return;
    }
    this.stepWithin(budgetMs, fixed, 500);
    if (this.handle.finished && this.playing) this.pause();
  }

  render() {
    this.handle.draw(this.plainCanvas, 0, this.dpr, this.dark);
    this.handle.draw(this.aldCanvas, 1, this.dpr, this.dark);
  }

  fillSchedule() {
    const w = this.handle;
    const key = `${this.cfg.smax},${this.cfg.smin},${this.cfg.L},${this.cfg.T},${this.cfg.eps}`;
    if (this.scheduleFor !== key) {
      this.scheduleFor = key;
      const s = w.sigmas();
      const al = w.alphas();
      this.scheduleRows = Array.from(s, (v, i) =>
        h("tr", {}, h("th", { scope: "row" }, String(i + 1)), h("td", {}, fmt(v, 5)), h("td", {}, fmt(al[i], 4)), h("td", {}, fmt(al[i] / (v * v), 4))));
      this.scheduleBody.replaceChildren(...this.scheduleRows);
      this.markedLevel = 0;
    }
    const lv = w.level;
    if (this.markedLevel !== lv) {
      const old = this.scheduleRows[this.markedLevel - 1];
      if (old) { old.removeAttribute("aria-current"); old.firstChild.textContent = String(this.markedLevel); }
      const row = this.scheduleRows[lv - 1];
      if (row) {
        row.setAttribute("aria-current", "step");
        row.firstChild.textContent = `▶ ${lv}`;
        // keep the current level in view inside the table's own scroll box (not the page)
        const box = this.scheduleBox;
        if (row.offsetTop < box.scrollTop + 40 || row.offsetTop > box.scrollTop + box.clientHeight - 30) box.scrollTop = Math.max(0, row.offsetTop - 60);
      }
      this.markedLevel = lv;
    }
  }

  exports() {
    return [
      svgExport("Share chart (SVG)", "annealed-shares.svg", () => this.handle.historySvg(640, 260, false)),
      csvExport("Share history (CSV)", "annealed-shares.csv", ["step", "plain_share_mode1", "annealed_share_mode1"], () => this.handle.history()),
      csvExport("Schedule (CSV)", "annealed-schedule.csv", ["sigma", "alpha"], () => {
        const s = this.handle.sigmas(), al = this.handle.alphas();
        return Float64Array.from(Array.from(s).flatMap((v, i) => [v, al[i]]));
      }),
    ];
  }

  tableRows() {
    const w = this.handle;
    const sh = w.shares();
    const wt = w.weights();
    const k = wt.length;
    const rows = [];
    for (let j = 0; j < k; j++) {
      rows.push([`Mode ${j + 1}: share, plain Langevin`, fmt(sh[j], 4), fmt(wt[j], 4)]);
      rows.push([`Mode ${j + 1}: share, annealed`, fmt(sh[k + j], 4), fmt(wt[j], 4)]);
    }
    rows.push(["Schedule ratio r = σᵢ₊₁/σᵢ", fmt(w.ratio, 7), fmt(w.ratio, 7)]);
    return rows;
  }

  readouts() {
    const w = this.handle;
    const sh = w.shares();
    const wt = w.weights();
    const k = wt.length;
    const list = (off) => Array.from({ length: Math.min(k, 4) }, (_, j) => fmt(sh[off + j], 3)).join(" | ") + (k > 4 ? " | …" : "");
    this.setReadout("steps", "Step", `${w.steps.toLocaleString("en-US")} of L·T = ${w.totalSteps.toLocaleString("en-US")}${w.finished ? " (finished)" : ""}`);
    this.setReadout("level", "Level i, σᵢ, αᵢ", `${w.level} of ${this.cfg.L} · σ = ${fmt(w.sigma, 4)} · α = ${fmt(w.alpha, 4)}`);
    this.setReadout("exact", "Exact weights of the modes", Array.from(wt.slice(0, 4), (v) => fmt(v, 3)).join(" | ") + (k > 4 ? " | …" : ""));
    this.setReadout("ald", "Annealed: share in each mode", list(k));
    this.setReadout("plain", "Plain Langevin: share in each mode", w.plainError ? `diverged: ${w.plainError}` : list(0),
      "A particle belongs to the component with the largest responsibility under p.");
    this.setReadout("pstep", "Plain Langevin step (same αᵢ/σᵢ² as every level)", fmt(w.plainStep, 4));
    this.setReadout("kernel", "Kernel", `${w.kernel} · ${w.len.toLocaleString("en-US")} particles per run`);
    this.setReadout("checksum", "Checksums (plain:annealed)", w.checksum());
    this.fillSchedule();
    w.drawHistory(this.chart, this.dpr, this.dark);
    const summary = `Step ${w.steps} of ${w.totalSteps}, level ${w.level}, sigma ${fmt(w.sigma, 3)}. Share of mode 1: annealed ${fmt(sh[k], 3)}, plain ${fmt(sh[0], 3)}, exact ${fmt(wt[0], 3)}.`;
    this.aldCanvas.setAttribute("aria-label", `Annealed Langevin particles over p_σ. ${summary}`);
    if (!this.error) this.announce(summary);
  }
}

customElements.define("sb-annealed", SbAnnealed);
