// <sb-sda-1d>: score-based data assimilation on the line. Three guided reverse SDE runs of the
// same problem with common random numbers: the exact likelihood of the noisy state l(y | x_t),
// SDA's Gaussian (Tweedie) approximation, and the naive rule (y − x_t)/λ², as histograms over the
// exact noised posterior p(x_t | y); at t = 0 that is the Kalman posterior (Gaussian prior) or a
// reweighted mixture (bimodal prior).
//
// Attributes (all optional): prior = gaussian | bimodal, y (−4 to 4), noise (λ, 0.05 to 2),
// approx = tweedie | tweedie-full | gamma | zero, gamma (0 to 5), c (c/b, 0 to 1), steps (10 to
// 5000), particles (100 to 200,000), seed, autoplay = "false", controls = "hidden",
// text = "hidden". All numbers come from the Rust core (Sda1dWidget).

import { SbWidget, h, slider, select, fmt } from "../lib/widget.js";
import { parsers } from "../lib/state.js";
import { csvExport, svgExport } from "../lib/export.js";

const PRIORS = [
  ["gaussian", "Gaussian N(1, 0.5²)"],
  ["bimodal", "Bimodal 0.3 N(−2, 0.3²) + 0.7 N(1.5, 0.5²)"],
];
const DEFAULTS = { gaussian: { y: 2, noise: 0.3 }, bimodal: { y: 0, noise: 0.5 } };
const APPROX = [
  ["tweedie", "Tweedie mean and variance, gradient through the mean"],
  ["tweedie-full", "Tweedie mean and variance, gradient through both"],
  ["gamma", "variance γσ²/α² (a tuned constant)"],
  ["zero", "variance 0 (mean only)"],
];
const N_STOPS = [1000, 3000, 10000, 30000, 100000];
const K_STOPS = [100, 250, 500, 1000, 2000];
const RUNS = ["exact l(y | x_t)", "Tweedie approximation", "naive (y − x_t)/λ²"];
const nearest = (stops, v) => stops.reduce((b, s, i) => (Math.abs(Math.log(s / v)) < Math.abs(Math.log(stops[b] / v)) ? i : b), 0);

class SbSda1d extends SbWidget {
  /** The wasm bundle with this widget’s bindings (sections 5-8). */
  static wasmBundle = "b";

  static title = "Score-based data assimilation in one dimension";

  stateSpec() {
    return {
      prior: { parse: parsers.oneOf(PRIORS.map((p) => p[0])) },
      y: { parse: parsers.number(-4, 4) },
      noise: { parse: parsers.number(0.05, 2) },
      approx: { parse: parsers.oneOf(APPROX.map((p) => p[0])) },
      gamma: { parse: parsers.number(0, 5) },
      c: { parse: parsers.number(0, 1) },
      k: { parse: parsers.integer(10, 5000) },
      n: { parse: parsers.integer(100, 200000) },
    };
  }

  getState() {
    const c = this.cfg;
    return { prior: c.prior, y: c.y, noise: c.noise, approx: c.approx, gamma: c.gamma, c: c.c, k: c.k, n: c.n };
  }

  setState(v) {
    for (const k of Object.keys(this.stateSpec())) if (v[k] !== undefined) this.cfg[k] = v[k];
    this.syncControls();
  }

  syncControls() {
    const c = this.cfg;
    this.priorSel.input.value = c.prior;
    this.approxSel.input.value = c.approx;
    for (const [sl, v] of [[this.yS, c.y], [this.noiseS, c.noise], [this.gammaS, c.gamma], [this.cS, c.c]]) {
      sl.set(v);
      sl.wrap.querySelector("output").textContent = String(v);
    }
    this.kS.set(nearest(K_STOPS, c.k));
    this.kS.wrap.querySelector("output").textContent = c.k.toLocaleString("en");
    this.nS.set(nearest(N_STOPS, c.n));
    this.nS.wrap.querySelector("output").textContent = c.n.toLocaleString("en");
    this.gammaS.wrap.hidden = c.approx !== "gamma";
  }

  buildUi() {
    const a = (k, d) => this.getAttribute(k) ?? d;
    const prior = a("prior", "gaussian");
    const d = DEFAULTS[prior] ?? DEFAULTS.gaussian;
    this.cfg = {
      prior, y: Number(a("y", String(d.y))), noise: Number(a("noise", String(d.noise))), approx: a("approx", "tweedie"),
      gamma: Number(a("gamma", "1")), c: Number(a("c", "1")), k: Number(a("steps", "1000")), n: Number(a("particles", "10000")),
    };
    this.canvas = h("canvas", { class: "sb-main", style: "aspect-ratio: 8 / 5", role: "img", "aria-label": "Histograms of the three guided runs over the exact posterior" });
    this.chart = h("canvas", { class: "sb-chart", role: "img", "aria-label": "The likelihood score of the three rules against x at the current time" });
    this.stage.append(
      this.canvas,
      h("p", { class: "sb-caption" }, "Histograms of the particles at the current time t of the reverse run (it ends at t = 0): blue with the exact likelihood of the noisy state, orange with SDA's Gaussian approximation, green with the naive rule. Thick line: the exact p(x_t | y), which at t = 0 is the posterior; thin grey: the prior p_t."),
      this.chart,
      h("p", { class: "sb-caption" }, "The likelihood score ∇log p(y | x_t) that each rule adds to the prior score at the current t: blue exact, orange approximation, green naive. The naive rule pulls with the full strength 1/λ² at every noise level."),
    );
    const c = this.cfg;
    const restart = () => this.apply(() => this.configure());
    this.priorSel = select({ label: "Prior", options: PRIORS, value: c.prior, onchange: (v) => { c.prior = v; c.y = DEFAULTS[v].y; c.noise = DEFAULTS[v].noise; this.syncControls(); restart(); } });
    this.yS = slider({ label: "Observation y", min: -4, max: 4, step: 0.1, value: c.y, format: (v) => v.toFixed(1), oninput: (v) => { c.y = v; restart(); } });
    this.noiseS = slider({ label: "Observation noise λ", min: 0.05, max: 2, step: 0.05, value: c.noise, format: (v) => v.toFixed(2), oninput: (v) => { c.noise = v; restart(); } });
    this.approxSel = select({ label: "Approximation", options: APPROX, value: c.approx, onchange: (v) => { c.approx = v; this.syncControls(); restart(); } });
    this.gammaS = slider({ label: "γ", min: 0, max: 5, step: 0.05, value: c.gamma, format: (v) => v.toFixed(2), oninput: (v) => { c.gamma = v; restart(); } });
    this.cS = slider({ label: "Reverse noise c / b", min: 0, max: 1, step: 0.25, value: c.c, format: (v) => (v === 0 ? "0 (ODE)" : v.toFixed(2)), oninput: (v) => { c.c = v; restart(); } });
    this.kS = slider({ label: "Steps K", min: 0, max: K_STOPS.length - 1, step: 1, value: nearest(K_STOPS, c.k), format: (i) => K_STOPS[i].toLocaleString("en"), oninput: (i) => { c.k = K_STOPS[i]; restart(); } });
    this.nS = slider({ label: "Particles", min: 0, max: N_STOPS.length - 1, step: 1, value: nearest(N_STOPS, c.n), format: (i) => N_STOPS[i].toLocaleString("en"), oninput: (i) => { c.n = N_STOPS[i]; restart(); } });
    this.params.append(this.priorSel.wrap, this.yS.wrap, this.noiseS.wrap, this.approxSel.wrap, this.gammaS.wrap, this.cS.wrap, this.kS.wrap, this.nS.wrap);
    this.syncControls();
  }

  configure() {
    const c = this.cfg;
    this.handle.configure(c.prior, c.y, c.noise, c.approx, c.gamma, c.c, c.k, c.n, this.seed());
  }

  apply(f) {
    if (!this.handle) return;
    this.clearError();
    this.guard(f);
    this.paramChanged({ restarted: true });
    this.redraw();
    this.updateReadouts(true);
  }

  build(mod) {
    const c = this.cfg;
    this.handle = new mod.Sda1dWidget(c.prior, c.y, c.noise, c.approx, c.gamma, c.c, c.k, c.n, this.seed());
  }

  onReset(seed) {
    this.handle.reset(seed);
  }

  stepsNow() {
    return this.handle ? this.handle.stepsDone : 0;
  }

  advance(budgetMs, fixed) {
    const w = this.handle;
    if (fixed > 0) {
      for (let left = fixed; left > 0; left -= 5000) w.step(Math.min(left, 5000));
      return;
    }
    const t0 = performance.now();
    let more = w.step(1);
    const per = Math.max(performance.now() - t0, 0.01);
    const n = Math.min(Math.floor((budgetMs - per) / per), 200);
    if (more && n > 0) more = w.step(n);
    if (!more) this.pause();
  }

  render() {
    this.handle.draw(this.canvas, this.dpr, this.dark);
    this.handle.drawGuidance(this.chart, this.dpr, this.dark);
  }

  exports() {
    return [
      svgExport("Download histograms (SVG)", "sda-1d.svg", () => this.handle.svg(800, 500, false)),
      csvExport("Download particles (CSV)", "sda-1d.csv", ["exact", "approximation", "naive"], () => {
        const r = [0, 1, 2].map((i) => this.handle.particles(i));
        const out = [];
        for (let j = 0; j < r[0].length; j++) out.push(r[0][j], r[1][j] ?? NaN, r[2][j] ?? NaN);
        return out;
      }),
    ];
  }

  rowText(m, e) {
    const bimodal = Number.isFinite(e[2]);
    return `mean ${fmt(m[0], 4)}, var ${fmt(m[1], 4)}${bimodal ? `, left mode ${fmt(m[2], 3)}` : ""}`;
  }

  tableRows() {
    const w = this.handle;
    const e = w.exactMoments();
    const rows = [];
    RUNS.forEach((name, i) => {
      const m = w.moments(i);
      rows.push([`${name}: mean`, fmt(m[0], 5), fmt(e[0], 5)]);
      rows.push([`${name}: variance`, fmt(m[1], 5), fmt(e[1], 5)]);
      if (Number.isFinite(e[2])) rows.push([`${name}: mass below ${fmt(w.threshold, 3)}`, fmt(m[2], 4), fmt(e[2], 4)]);
    });
    return rows;
  }

  readouts() {
    const w = this.handle;
    const e = w.exactMoments();
    this.setReadout("t", "Time t (steps done)", `${fmt(w.time, 3)} (${w.stepsDone.toLocaleString("en")})`);
    this.setReadout("exact", "Exact p(x_t | y)", this.rowText(e, e));
    RUNS.forEach((name, i) => {
      const err = w.runError(i);
      this.setReadout(`r${i}`, name, err ? `stopped: ${err}` : this.rowText(w.moments(i), e));
    });
    const post = w.posteriorMoments();
    this.setReadout("post", w.prior === "gaussian" ? "Kalman posterior p(x₀ | y)" : "Exact posterior p(x₀ | y)", `mean ${fmt(post[0], 6)}, var ${fmt(post[1], 6)}`);
    const m = [0, 1, 2].map((i) => w.moments(i));
    const summary = `t = ${fmt(w.time, 3)}. Exact: mean ${fmt(e[0], 4)}, variance ${fmt(e[1], 4)}. Exact-likelihood run ${fmt(m[0][0], 4)}, ${fmt(m[0][1], 4)}; approximation ${fmt(m[1][0], 4)}, ${fmt(m[1][1], 4)}; naive ${fmt(m[2][0], 4)}, ${fmt(m[2][1], 4)}.`;
    this.canvas.setAttribute("aria-label", `Histograms of three guided runs. ${summary}`);
    if (!this.error) this.announce(summary);
  }
}

customElements.define("sb-sda-1d", SbSda1d);
