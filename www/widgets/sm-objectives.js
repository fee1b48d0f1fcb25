// <sb-sm-objectives>: four score-matching objectives of the affine model s(x) = a x + b on 1D data:
// explicit (ESM), implicit/Hyvärinen (ISM), denoising (DSM at σ) and sliced (SSM). Level lines over
// (a, b) with exact and sample minimisers, gradient descent on each empirical objective, and exact
// values beside Monte Carlo estimates with standard errors at the point θ (click the plot).
//
// Attributes (all optional): data = two-modes | gaussian | skewed, sigma (0.05 to 3), samples
// (10 to 100,000), seed, autoplay = "false", controls = "hidden", text = "hidden". All numbers come
// from the Rust core (SmObjectivesWidget).

import { SbWidget, h, slider, select, fmt } from "../lib/widget.js";
import { parsers } from "../lib/state.js";

const DATA = [
  ["two-modes", "0.3 N(−2, 0.6²) + 0.7 N(1.5, 1)"],
  ["gaussian", "N(0, 1)"],
  ["skewed", "0.8 N(−0.5, 0.7²) + 0.2 N(2.5, 0.4²)"],
];
const N_STOPS = [10, 30, 100, 300, 1000, 3000, 10000, 30000, 100000];
const NAMES = ["ESM (explicit)", "ISM (Hyvärinen)", "DSM (denoising)", "SSM (sliced, Gaussian v)"];
const nearest = (stops, v) => stops.reduce((b, s, i) => (Math.abs(Math.log(s / v)) < Math.abs(Math.log(stops[b] / v)) ? i : b), 0);
const pm = (v) => `${fmt(v[0], 5)} ± ${fmt(v[1], 2)}`;
const pair = (v) => `(${fmt(v[0], 4)}, ${fmt(v[1], 4)})`;
const parsePoint = (s) => {
  const v = s.split(",").map(Number);
  return v.length === 2 && v.every((x) => Number.isFinite(x) && Math.abs(x) <= 100) ? v : undefined;
};

class SbSmObjectives extends SbWidget {
  static title = "Score-matching objectives widget";

  stateSpec() {
    return {
      data: { parse: parsers.oneOf(DATA.map((d) => d[0])) },
      sigma: { parse: parsers.number(0.05, 3) },
      n: { parse: parsers.integer(10, 100000) },
      theta: { parse: parsePoint },
    };
  }

  getState() {
    const c = this.cfg;
    const t = this.handle ? Array.from(this.handle.theta()) : c.theta;
    return { data: c.data, sigma: c.sigma, n: c.n, theta: t ? t.map((x) => String(x)).join(",") : undefined };
  }

  setState(v) {
    const c = this.cfg;
    for (const k of ["data", "sigma", "n", "theta"]) if (v[k] !== undefined) c[k] = v[k];
    this.syncControls();
  }

  syncControls() {
    const c = this.cfg;
    this.dataSel.input.value = c.data;
    this.sigmaS.set(c.sigma);
    this.sigmaS.wrap.querySelector("output").textContent = String(c.sigma);
    this.nS.set(nearest(N_STOPS, c.n));
    this.nS.wrap.querySelector("output").textContent = c.n.toLocaleString("en");
  }

  buildUi() {
    const a = (k, d) => this.getAttribute(k) ?? d;
    this.cfg = { data: a("data", "two-modes"), sigma: Number(a("sigma", "0.8")), n: Number(a("samples", "1000")), theta: null };
    this.canvas = h("canvas", { class: "sb-main", role: "img", tabindex: "0", "aria-label": "Level lines of the objectives over (a, b). With the keyboard: arrow keys move θ." });
    this.chart = h("canvas", { class: "sb-chart", role: "img", "aria-label": "Scores against x" });
    this.stage.append(
      this.canvas,
      h("p", { class: "sb-caption" }, "Level lines over the model's parameters (a, b) (horizontal a, vertical b). Blue: ESM and ISM — the same lines, since they differ by a constant. Orange: DSM at σ. Filled discs: exact minimisers (SSM's is ISM's). Rings: the minimisers of the objectives built from the n samples (green: SSM). Paths: gradient descent on each sample objective from a common start, where θ (the cross) sits at first. The readouts are taken at θ: click to move it (or focus the plot and use the arrow keys)."),
      this.chart,
      h("p", { class: "sb-caption" }, "The scores against x: of the data p (p), of the noised data q_σ (q_σ), the best affine fits that ESM/ISM and DSM find (ISM opt., DSM opt.), and the model at θ (θ)."),
    );
    const c = this.cfg;
    this.dataSel = select({ label: "Data p", options: DATA, value: c.data, onchange: (v) => { c.data = v; this.apply(() => this.handle.setData(v, this.seed())); } });
    this.sigmaS = slider({ label: "DSM noise level σ", min: 0.05, max: 3, step: 0.05, value: c.sigma, format: (v) => v.toFixed(2), oninput: (v) => { c.sigma = v; this.apply(() => this.handle.setSigma(v)); } });
    this.nS = slider({ label: "Samples n", min: 0, max: N_STOPS.length - 1, step: 1, value: nearest(N_STOPS, c.n), format: (i) => N_STOPS[i].toLocaleString("en"), oninput: (i) => { c.n = N_STOPS[i]; this.apply(() => this.handle.setSamples(c.n, this.seed())); } });
    this.params.append(this.dataSel.wrap, this.sigmaS.wrap, this.nS.wrap);
    this.canvas.addEventListener("pointerdown", (e) => {
      if (!this.handle) return;
      const r = this.canvas.getBoundingClientRect();
      const [ta, tb] = this.handle.pixelToTheta(this.canvas, (e.clientX - r.left) * this.dpr, (e.clientY - r.top) * this.dpr, this.dpr);
      this.guard(() => this.handle.setTheta(ta, tb));
      // θ does not touch the descents: a run stays reproducible
      this.paramChanged({ restarted: this.reproducible });
      this.redraw();
      this.updateReadouts(true);
    });
    this.canvas.addEventListener("keydown", (e) => {
      const d = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] }[e.key];
      if (!d || !this.handle || e.ctrlKey || e.metaKey || e.altKey) return;
      const c = this.canvas;
      const a = this.handle.pixelToTheta(c, 0, 0, this.dpr);
      const b = this.handle.pixelToTheta(c, c.width, c.height, this.dpr);
      const step = Math.abs(b[0] - a[0]) / 50;
      const [ta, tb] = this.handle.theta();
      this.guard(() => this.handle.setTheta(ta + d[0] * step, tb + d[1] * step));
      this.paramChanged({ restarted: this.reproducible });
      this.redraw();
      this.updateReadouts(true);
      e.preventDefault();
      e.stopPropagation();
    });
    this.syncControls();
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
    this.handle = new mod.SmObjectivesWidget(c.data, c.sigma, c.n, this.seed());
    if (c.theta) this.handle.setTheta(...c.theta);
  }

  onReset(seed) {
    this.handle.reset(seed);
  }

  stepsNow() {
    return this.handle ? this.handle.steps : 0;
  }

  advance(budgetMs, fixed) {
    if (fixed > 0) {
      for (let left = fixed; left > 0; left -= 1000) this.handle.step(Math.min(left, 1000));
      return;
    }
    // a few descent steps per frame: the paths are meant to be watched
    return this.stepWithin(budgetMs, 0, 1);
  }

  render() {
    this.handle.draw(this.canvas, this.dpr, this.dark);
    this.handle.drawScores(this.chart, this.dpr, this.dark);
  }

  tableRows() {
    const w = this.handle;
    const rows = NAMES.map((n, i) => [`${n} at θ`, pm(w.estimate(i)), fmt(w.exactValue(i), 6)]);
    rows.push(["ESM − ISM (any θ)", pm(w.esmMinusIsmEstimate()), fmt(w.esmMinusIsm(), 6)]);
    rows.push(["DSM − ESM[q_σ] (any θ)", "", fmt(w.dsmMinusEsmNoised(), 6)]);
    NAMES.forEach((n, i) => rows.push([`${n} minimiser`, pair(w.empiricalArgmin(i)), pair(w.exactArgmin(i))]));
    const te = w.traceEstimator();
    rows.push(["Variance of vᵀAv, Gaussian v", fmt(te[2], 4), fmt(te[3], 4)]);
    rows.push(["Variance of vᵀAv, Rademacher v", fmt(te[6], 4), fmt(te[7], 4)]);
    return rows;
  }

  readouts() {
    const w = this.handle;
    const t = w.theta();
    this.setReadout("theta", "θ = (a, b)", pair(t));
    NAMES.forEach((n, i) => this.setReadout(`v${i}`, `${n} at θ: exact | from n samples`, `${fmt(w.exactValue(i), 5)} | ${pm(w.estimate(i))}`));
    this.setReadout("c1", "ESM − ISM: exact ½E[s_p²] | samples", `${fmt(w.esmMinusIsm(), 5)} | ${pm(w.esmMinusIsmEstimate())}`);
    this.setReadout("c2", "DSM − ESM[q_σ] = 1/(2σ²) − ½E[s_q²]", `${fmt(w.dsmMinusEsmNoised(), 5)} (DSM ${fmt(w.exactValue(2), 5)} − ESM[q_σ] ${fmt(w.esmNoised(), 5)})`);
    this.setReadout("m1", "ESM/ISM minimiser: exact | samples", `${pair(w.exactArgmin(1))} | ${pair(w.empiricalArgmin(1))}`);
    this.setReadout("m2", "DSM minimiser −(x − m)/(v + σ²): exact | samples", `${pair(w.exactArgmin(2))} | ${pair(w.empiricalArgmin(2))}`);
    this.setReadout("m3", "SSM minimiser from samples", pair(w.empiricalArgmin(3)));
    const [g, r] = w.slicedVariances();
    this.setReadout("var", "Per-sample variance of SSM: Gaussian v | Rademacher v", `${fmt(g, 4)} | ${fmt(r, 4)}`);
    const te = w.traceEstimator();
    this.setReadout("tr", "Trace estimator vᵀAv, A = [[−0.5, 0.2], [0.1, −2]], tr A = −2.5: mean of n | variance (exact)",
      `Gaussian ${pm([te[0], te[1]])} | ${fmt(te[2], 3)} (${fmt(te[3], 3)}); Rademacher ${pm([te[4], te[5]])} | ${fmt(te[6], 3)} (${fmt(te[7], 3)})`);
    this.setReadout("gd", "Descent steps | DSM descent at", `${w.steps} | ${pair(w.descentTheta(2))}`);
    const summary = `At θ = ${pair(t)}: ESM ${fmt(w.exactValue(0), 4)}, ISM ${fmt(w.exactValue(1), 4)}, DSM ${fmt(w.exactValue(2), 4)}. DSM minimiser ${pair(w.exactArgmin(2))}, ISM minimiser ${pair(w.exactArgmin(1))}.`;
    this.canvas.setAttribute("aria-label", `Score-matching objectives. ${summary}`);
    if (!this.error) this.announce(summary);
  }
}

customElements.define("sb-sm-objectives", SbSmObjectives);
