// <sb-mle>: maximum likelihood from n samples of a known 2D mixture, judged against the truth.
//
// Attributes (all optional): target = ring8 | two-modes | gaussian, samples (n), components
// (0 = one Gaussian, 1–8 = mixture by EM), bins, seed, autoplay = "false", controls = "hidden",
// text = "hidden". All numbers come from the Rust core (MleWidget).

import { SbWidget, h, slider, select, fmt } from "../lib/widget.js";
import { parsers } from "../lib/state.js";
import { csvExport, svgExport } from "../lib/export.js";

const N_STOPS = [10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000];
const BIN_STOPS = [4, 8, 12, 16, 24, 32, 48, 64];
const TARGETS = [
  ["ring8", "Ring of 8 Gaussians"],
  ["two-modes", "Two modes, weights 0.8 / 0.2"],
  ["gaussian", "Single Gaussian N(0, I)"],
];
const nearest = (stops, v) => stops.reduce((b, s, i) => (Math.abs(Math.log(s / v)) < Math.abs(Math.log(stops[b] / v)) ? i : b), 0);

class SbMle extends SbWidget {
  static title = "Maximum likelihood from samples widget";

  stateSpec() {
    return {
      target: { parse: parsers.oneOf(TARGETS.map((t) => t[0])) },
      n: { parse: parsers.integer(10, 100000) },
      k: { parse: parsers.integer(0, 8) },
      bins: { parse: parsers.integer(2, 64) },
    };
  }

  getState() {
    const c = this.cfg;
    return { target: c.target, n: c.n, k: c.k, bins: c.bins };
  }

  setState(v) {
    Object.assign(this.cfg, Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)));
    this.syncControls();
  }

  syncControls() {
    const c = this.cfg;
    this.targetSel.input.value = c.target;
    this.nS.set(nearest(N_STOPS, c.n));
    this.nS.wrap.querySelector("output").textContent = c.n.toLocaleString("en-US");
    this.kS.set(c.k);
    this.binS.set(nearest(BIN_STOPS, c.bins));
    this.binS.wrap.querySelector("output").textContent = `${c.bins} × ${c.bins}`;
  }

  buildUi() {
    const a = (k, d) => this.getAttribute(k) ?? d;
    this.cfg = { target: a("target", "ring8"), n: Number(a("samples", "200")), k: Number(a("components", "8")), bins: Number(a("bins", "16")) };
    this.canvas = h("canvas", { class: "sb-main", role: "img", "aria-label": "Samples over the fitted density" });
    this.chart = h("canvas", { class: "sb-chart", role: "img", "aria-label": "Average log-likelihood against EM iteration" });
    this.stage.append(
      this.canvas,
      h("p", { class: "sb-caption" }, "Shading: the fitted density q̂. Dots: the n training samples drawn from p."),
      this.chart,
      h("p", { class: "sb-caption" }, "Average log-likelihood of q̂ on the training samples and on 10,000 fresh samples, against EM iteration. Grey: −H(p), the most any model can score on fresh samples, on average."),
    );
    this.traceChart = h("canvas", { class: "sb-chart sb-trace", role: "img", "aria-label": "True KL of fresh fits against the number of samples", hidden: true });
    this.traceCaption = h("p", { class: "sb-caption", hidden: true }, "True KL(p‖q̂) of the same model fitted to fresh samples of each size n (log scale). Grey: (number of parameters)/(2n), what the KL of a family that contains p shrinks like; a family that does not contain p levels off above it.");
    this.stage.append(this.traceChart, this.traceCaption);
    const c = this.cfg;
    this.targetSel = select({ label: "Target p", options: TARGETS, value: c.target, onchange: (v) => { c.target = v; this.change(() => this.handle.setTarget(v)); } });
    this.nS = slider({ label: "Training samples n", min: 0, max: N_STOPS.length - 1, step: 1, value: nearest(N_STOPS, c.n), format: (i) => N_STOPS[i].toLocaleString("en-US"), oninput: (i) => { c.n = N_STOPS[i]; this.change(() => this.handle.setSamples(c.n)); } });
    this.kS = slider({ label: "Model: mixture components K (0 = one Gaussian, closed form)", min: 0, max: 8, step: 1, value: c.k, format: (k) => (k === 0 ? "Gaussian" : String(k)), oninput: (k) => { c.k = k; this.change(() => this.handle.setComponents(k)); } });
    this.binS = slider({ label: "Histogram cells for KL(p̂‖p)", min: 0, max: BIN_STOPS.length - 1, step: 1, value: nearest(BIN_STOPS, c.bins), format: (i) => `${BIN_STOPS[i]} × ${BIN_STOPS[i]}`, oninput: (i) => { c.bins = BIN_STOPS[i]; this.guard(() => this.handle.setBins(c.bins)); this.paramChanged({ restarted: this.handle.iterations === 0 }); this.updateReadouts(true); } });
    this.traceBtn = h("button", { type: "button", onclick: () => this.runTrace() }, "Trace the true KL against n");
    this.params.append(this.targetSel.wrap, this.nS.wrap, this.kS.wrap, this.binS.wrap, h("div", { class: "sb-draw-tools" }, this.traceBtn));
    this.syncControls();
  }

  /** Fits fresh samples of n = 10 … 100,000 one size at a time (yielding between sizes). */
  runTrace() {
    if (!this.handle || this.tracing) return;
    this.pause();
    this.tracing = true;
    this.traceBtn.disabled = true;
    this.traceChart.hidden = false;
    this.traceCaption.hidden = false;
    this.fitCanvases();
    const token = (this.traceToken = (this.traceToken ?? 0) + 1);
    const next = () => {
      if (token !== this.traceToken || !this.handle) return;
      const more = this.guard(() => this.handle.traceNext());
      this.guard(() => this.handle.drawTrace(this.traceChart, this.dpr, this.dark));
      const f = this.handle.traceFlat();
      this.status.textContent = more ? `Tracing: n = ${f[f.length - 2].toLocaleString("en-US")} done…` : "Trace done.";
      if (more) setTimeout(next, 0);
      else this.endTrace();
    };
    setTimeout(next, 0);
  }

  endTrace() {
    this.tracing = false;
    this.traceBtn.disabled = false;
    const f = this.handle?.traceFlat() ?? [];
    if (f.length) this.traceChart.setAttribute("aria-label", `True KL of fresh fits against n: ${Array.from({ length: f.length / 2 }, (_, i) => `n = ${f[2 * i]}: ${fmt(f[2 * i + 1], 3)}`).join(", ")}.`);
  }

  change(f) {
    // a new model or target invalidates a running trace
    this.traceToken = (this.traceToken ?? 0) + 1;
    if (this.tracing) this.endTrace();
    if (!this.handle) return;
    this.clearError();
    this.guard(f);
    this.paramChanged({ restarted: true });
    this.redraw();
    this.updateReadouts(true);
  }

  build(mod) {
    const c = this.cfg;
    this.handle = new mod.MleWidget(c.target, c.n, c.k, c.bins, this.seed());
  }

  onReset(seed) {
    this.traceToken = (this.traceToken ?? 0) + 1;
    if (this.tracing) this.endTrace();
    this.handle.reset(seed);
  }

  stepsNow() {
    return this.handle ? this.handle.iterations : 0;
  }

  advance(budgetMs, fixed) {
    const w = this.handle;
    if (w.components === 0) {
      // nothing to iterate: the Gaussian fit is closed form
      if (this.playing) this.pause();
      return;
    }
    if (fixed > 0) return w.step(fixed);
    w.step(1); // one EM iteration per frame, to be watched
  }

  render() {
    this.handle.draw(this.canvas, this.dpr, this.dark);
    this.handle.drawChart(this.chart, this.dpr, this.dark);
    if (!this.traceChart.hidden) this.handle.drawTrace(this.traceChart, this.dpr, this.dark);
  }

  exports() {
    return [
      svgExport("Log-likelihood chart (SVG)", "mle-loglik.svg", () => this.handle.chartSvg(640, 260, false)),
      csvExport("True KL against n (CSV)", "mle-kl-vs-n.csv", ["n", "true_kl"], () => this.handle.traceFlat()),
      csvExport("Samples (CSV)", "mle-samples.csv", ["x", "y"], () => this.handle.trainFlat()),
      csvExport("Fitted mixture (CSV)", "mle-fit.csv", ["weight", "mean_x", "mean_y", "cov_xx", "cov_xy", "cov_yy"], () => this.handle.fitFlat()),
    ];
  }

  tableRows() {
    const w = this.handle;
    const h = w.entropy();
    return [
      ["Average log-likelihood, training samples", fmt(w.trainLoglik(), 5), ""],
      ["Average log-likelihood, held-out samples (exact expectation: −cross-entropy)", fmt(w.testLoglik(), 5), fmt(-(w.trueKl() + h), 5)],
      ["Ceiling −H(p)", "", fmt(-h, 5)],
      ["True KL(p‖q̂) by quadrature", "", fmt(w.trueKl(), 4)],
      [`Histogram KL(p̂‖p), ${w.histogramCells()} cells (exact value for i.i.d. samples)`, fmt(w.histogramKl(), 4), fmt(w.histogramKlFloor(), 4)],
    ];
  }

  readouts() {
    const w = this.handle;
    const h = w.entropy();
    const model = w.components === 0 ? "one Gaussian (sample mean, biased covariance)" : `mixture of ${w.components} by EM, iteration ${w.iterations}`;
    this.setReadout("model", "Model", model);
    this.setReadout("ll", "Average log-likelihood: training | held-out", `${fmt(w.trainLoglik(), 4)} | ${fmt(w.testLoglik(), 4)}`);
    this.setReadout("ceiling", "Ceiling on fresh data: −H(p)", fmt(-h, 4), "No model beats −H(p) on average on fresh samples: E_p[log q] = −H(p) − KL(p‖q).");
    this.setReadout("kl", "True KL(p‖q̂), by quadrature", `${fmt(w.trueKl(), 4)} nats`);
    this.setReadout("ce", "Cross-entropy = KL + H(p)", `${fmt(w.trueKl() + h, 4)} = ${fmt(w.trueKl(), 4)} + ${fmt(h, 4)}`);
    this.setReadout("hist", `Histogram KL(p̂‖p), ${w.histogramCells()} cells | exact samples score`, `${fmt(w.histogramKl(), 4)} | ${fmt(w.histogramKlFloor(), 4)}`, "Plug-in KL between the histogram of the n samples and p's exact cell probabilities; even exact samples score about (cells − 1)/(2n).");
    const summary = `${w.samples} samples of ${w.targetName}; ${model}. Training ${fmt(w.trainLoglik(), 3)}, held-out ${fmt(w.testLoglik(), 3)}, ceiling ${fmt(-h, 3)}; true KL ${fmt(w.trueKl(), 3)} nats.`;
    this.canvas.setAttribute("aria-label", `Samples over the fitted density. ${summary}`);
    if (!this.error) this.announce(summary);
  }
}

customElements.define("sb-mle", SbMle);
