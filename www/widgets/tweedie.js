// <sb-tweedie>: Tweedie denoising. Clean samples x of a 2D mixture, noisy points x̃ = x + σz, and
// the denoised points x̃ + σ²∇log p_σ(x̃) beside the exact posterior mean E[x | x̃] of the mixture
// (a separate closed form). Play adds samples, so the Monte Carlo errors converge on the exact MMSE.
//
// Attributes (all optional): target = ring8 | gaussian | two-modes, sigma (0.01 to 10), samples
// (10 to 100,000 to start with), seed, autoplay = "false", controls = "hidden", text = "hidden".
// All numbers come from the Rust core (TweedieWidget).

import { SbWidget, h, slider, select, fmt } from "../lib/widget.js";
import { parsers } from "../lib/state.js";

const TARGETS = [
  ["ring8", "Ring of 8 Gaussians"],
  ["two-modes", "Two modes, weights 0.8 / 0.2"],
  ["gaussian", "Single Gaussian N(0, I)"],
];
const N_STOPS = [100, 300, 1000, 3000, 10000, 30000, 100000];
const nearest = (stops, v) => stops.reduce((b, s, i) => (Math.abs(Math.log(s / v)) < Math.abs(Math.log(stops[b] / v)) ? i : b), 0);
const pm = (v) => `${fmt(v[0], 5)} ± ${fmt(v[1], 2)}`;

class SbTweedie extends SbWidget {
  static title = "Tweedie denoising widget";

  stateSpec() {
    return {
      target: { parse: parsers.oneOf(TARGETS.map((t) => t[0])) },
      sigma: { parse: parsers.number(0.05, 3) },
      n: { parse: parsers.integer(10, 100000) },
      layers: { parse: parsers.integer(0, 15) },
    };
  }

  getState() {
    const c = this.cfg;
    return { target: c.target, sigma: c.sigma, n: c.n, layers: c.layers };
  }

  setState(v) {
    const c = this.cfg;
    for (const k of ["target", "sigma", "n", "layers"]) if (v[k] !== undefined) c[k] = v[k];
    this.syncControls();
  }

  syncControls() {
    const c = this.cfg;
    this.targetSel.input.value = c.target;
    this.sigmaS.set(c.sigma);
    this.sigmaS.wrap.querySelector("output").textContent = String(c.sigma);
    this.nS.set(nearest(N_STOPS, c.n));
    this.nS.wrap.querySelector("output").textContent = c.n.toLocaleString("en");
    this.boxes.forEach((b, i) => (b.checked = (c.layers & (1 << i)) !== 0));
  }

  buildUi() {
    const a = (k, d) => this.getAttribute(k) ?? d;
    this.cfg = { target: a("target", "ring8"), sigma: Number(a("sigma", "1")), n: Number(a("samples", "1000")), layers: 15 };
    this.canvas = h("canvas", { class: "sb-main", role: "img", "aria-label": "Clean, noisy and denoised points" });
    this.stage.append(
      this.canvas,
      h("p", { class: "sb-caption" }, "Blue: clean samples x of p (shaded). Grey: noisy points x̃ = x + σz. Orange: Tweedie's denoised points x̃ + σ²∇log p_σ(x̃); the thin rings on them are the exact posterior means E[x | x̃] computed from the mixture directly. Lines join noisy points to their denoised versions."),
    );
    const c = this.cfg;
    this.targetSel = select({ label: "Target", options: TARGETS, value: c.target, onchange: (v) => { c.target = v; this.apply(() => this.handle.setTarget(v, this.seed()), true); } });
    this.sigmaS = slider({ label: "Noise level σ", min: 0.05, max: 3, step: 0.05, value: c.sigma, format: (v) => v.toFixed(2), oninput: (v) => { c.sigma = v; this.apply(() => this.handle.setSigma(v), true); } });
    this.nS = slider({ label: "Samples at reset", min: 0, max: N_STOPS.length - 1, step: 1, value: nearest(N_STOPS, c.n), format: (i) => N_STOPS[i].toLocaleString("en"), oninput: (i) => { c.n = N_STOPS[i]; this.apply(() => this.handle.setSamples(c.n, this.seed()), true); } });
    const names = ["clean x", "noisy x̃", "denoised", "arrows"];
    const labels = names.map((n, i) => {
      const id = `${this.statePrefix}-layer-${i}`;
      const b = h("input", { type: "checkbox", id, checked: true });
      b.addEventListener("change", () => {
        c.layers = this.boxes.reduce((m, x, k) => m | (x.checked ? 1 << k : 0), 0);
        this.handle?.setLayers(c.layers);
        this.saveState();
        this.redraw();
      });
      return h("label", { for: id }, b, ` ${n} `);
    });
    this.boxes = labels.map((l) => l.querySelector("input"));
    this.params.append(this.targetSel.wrap, this.sigmaS.wrap, this.nS.wrap, h("div", { class: "sb-check", role: "group", "aria-label": "Layers to draw", style: "display: grid; grid-template-columns: 1fr 1fr; justify-items: start; column-gap: 1rem" }, ...labels));
    this.syncControls();
  }

  // `restarted`: the state equals a fresh run from the seed (σ keeps the draws: common random numbers)
  apply(f, restarted) {
    if (!this.handle) return;
    this.clearError();
    this.guard(f);
    this.paramChanged({ restarted: restarted || this.handle.steps === 0 });
    this.redraw();
    this.updateReadouts(true);
  }

  build(mod) {
    const c = this.cfg;
    this.handle = new mod.TweedieWidget(c.target, c.sigma, c.n, this.seed());
    this.handle.setLayers(c.layers);
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
    if (!this.handle.step(1)) this.pause();
  }

  render() {
    this.handle.draw(this.canvas, this.dpr, this.dark);
  }

  tableRows() {
    const w = this.handle;
    return [
      ["max |Tweedie − posterior mean| over the samples", fmt(w.maxRouteDifference(), 3), "0"],
      ["MSE of the Tweedie denoiser", pm(w.mseTweedie()), fmt(w.mmse(), 6)],
      ["MSE of the noisy points", pm(w.mseNoisy()), fmt(w.noisyExact(), 6)],
    ];
  }

  readouts() {
    const w = this.handle;
    this.setReadout("n", "Samples", w.samples.toLocaleString("en"));
    this.setReadout("diff", "max ‖Tweedie − exact posterior mean‖", `${fmt(w.maxRouteDifference(), 3)} (round-off)`);
    this.setReadout("mse", "MSE of Tweedie's denoiser (Monte Carlo ± SE)", pm(w.mseTweedie()));
    this.setReadout("mmse", "Exact MMSE ∫ p_σ tr Cov(x | x̃) (quadrature)", fmt(w.mmse(), 6));
    this.setReadout("noisy", "MSE of the noisy points | exact 2σ²", `${pm(w.mseNoisy())} | ${fmt(w.noisyExact(), 6)}`);
    const summary = `${w.samples} samples at σ = ${fmt(w.sigma, 3)}: Tweedie MSE ${pm(w.mseTweedie())}, exact MMSE ${fmt(w.mmse(), 5)}, noisy MSE ${pm(w.mseNoisy())}.`;
    this.canvas.setAttribute("aria-label", `Tweedie denoising. ${summary}`);
    if (!this.error) this.announce(summary);
  }
}

customElements.define("sb-tweedie", SbTweedie);
