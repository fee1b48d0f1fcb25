// <sb-score-field>: the exact score ∇log p_σ of a 2D target drawn as arrows over its density, with
// a σ slider (p_σ = p ∗ N(0, σ²I)), tracers that follow the field (the gradient flow), the field's
// critical points, and readouts at the probe point (move the pointer over the plot; click to set the
// reference point x₀ of the line integral).
//
// Attributes (all optional): target = ring8 | gaussian | two-modes | circle, sigma, tracers, seed,
// autoplay = "false", controls = "hidden", text = "hidden". All numbers come from the Rust core
// (ScoreFieldWidget).

import { SbWidget, h, slider, select, fmt } from "../lib/widget.js";
import { parsers } from "../lib/state.js";

const TARGETS = [
  ["ring8", "Ring of 8 Gaussians"],
  ["two-modes", "Two modes, weights 0.8 / 0.2"],
  ["gaussian", "Single Gaussian N(0, I)"],
  ["circle", "Data on a circle (no density at σ = 0)"],
];
const KIND = [["mode", "modes"], ["saddle", "saddles"], ["minimum", "minima"]];

function parseMeans(s) {
  const v = s.split(",").map(Number);
  return v.length >= 2 && v.length <= 16 && v.length % 2 === 0 && v.every((x) => Number.isFinite(x) && Math.abs(x) <= 50) ? v : undefined;
}
const parsePoint = (s) => {
  const v = s.split(",").map(Number);
  return v.length === 2 && v.every((x) => Number.isFinite(x) && Math.abs(x) <= 100) ? v : undefined;
};

class SbScoreField extends SbWidget {
  static title = "Score field widget";

  stateSpec() {
    return {
      target: { parse: parsers.oneOf(TARGETS.map((t) => t[0])) },
      sigma: { parse: parsers.number(0, 3) },
      means: { parse: parseMeans },
      probe: { parse: parsePoint },
      ref: { parse: parsePoint },
    };
  }

  getState() {
    const c = this.cfg;
    // full precision: a link must reproduce the readouts exactly
    const pt = (v) => (v ? Array.from(v).map((x) => String(x)).join(",") : undefined);
    return { target: c.target, sigma: c.sigma, means: c.means ? pt(c.means) : undefined, probe: pt(this.handle?.probe()), ref: pt(this.handle?.reference()) };
  }

  setState(v) {
    const c = this.cfg;
    if (v.target) c.target = v.target;
    if (v.sigma !== undefined) c.sigma = v.sigma;
    if (v.means) c.means = v.means;
    if (v.probe) c.probe = v.probe;
    if (v.ref) c.ref = v.ref;
    this.syncControls();
  }

  syncControls() {
    const c = this.cfg;
    this.targetSel.input.value = c.target;
    this.sigmaS.set(c.sigma);
    this.sigmaS.wrap.querySelector("output").textContent = String(c.sigma);
  }

  buildUi() {
    const a = (k, d) => this.getAttribute(k) ?? d;
    this.cfg = { target: a("target", "ring8"), sigma: Number(a("sigma", "0")), tracers: Number(a("tracers", "400")), means: null, probe: null, ref: null };
    this.canvas = h("canvas", { class: "sb-main", role: "img", tabindex: "0", "aria-label": "The score field over the density. With the keyboard: arrow keys move the probe x, Shift and arrow keys move the reference point x₀." });
    this.stage.append(
      this.canvas,
      h("p", { class: "sb-caption" }, "Arrows: the score ∇log p_σ (length saturates, colour grows with |s|). Shading: the density p_σ (dotted: the circle the data lie on, for that target). Dots: tracers following dx/dt = ∇log p_σ. Green discs: modes; purple crosses: saddles; blue squares: minima; rings: the mixture's means (drag them). The dashed segment runs from the reference point x₀ (click to set it) to the probe x (follows the pointer). Keyboard: focus the plot, arrows move x, Shift + arrows move x₀."),
    );
    const c = this.cfg;
    this.targetSel = select({ label: "Target", options: TARGETS, value: c.target, onchange: (v) => {
      c.target = v;
      c.means = null;
      if (v === "circle" && c.sigma < 0.02) c.sigma = 0.3;
      this.syncControls();
      this.apply(() => this.handle.setTarget(v, undefined));
    } });
    this.sigmaS = slider({ label: "Noise level σ of p_σ = p ∗ N(0, σ²I)", min: 0, max: 3, step: 0.02, value: c.sigma, format: (v) => v.toFixed(2), oninput: (v) => {
      c.sigma = c.target === "circle" ? Math.max(v, 0.02) : v;
      this.apply(() => this.handle.setSigma(c.sigma));
    } });
    this.params.append(this.targetSel.wrap, this.sigmaS.wrap);
    this.setupPointer();
    this.setupKeys();
    this.syncControls();
  }

  apply(f) {
    if (!this.handle) return;
    this.clearError();
    this.guard(f);
    this.paramChanged({ restarted: this.handle.steps === 0 });
    this.redraw();
    this.updateReadouts(true);
  }

  /** Arrow keys on the focused plot move the probe (with Shift, the reference point) by 1/50 of the view. */
  setupKeys() {
    this.canvas.addEventListener("keydown", (e) => {
      const d = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] }[e.key];
      if (!d || !this.handle || e.ctrlKey || e.metaKey || e.altKey) return;
      const c = this.canvas;
      const a = this.handle.pixelToData(c, 0, 0, this.dpr);
      const b = this.handle.pixelToData(c, c.width, c.height, this.dpr);
      const step = Math.abs(b[0] - a[0]) / 50;
      const [x, y] = e.shiftKey ? this.handle.reference() : this.handle.probe();
      this.guard(() => (e.shiftKey ? this.handle.setReference(x + d[0] * step, y + d[1] * step) : this.handle.setProbe(x + d[0] * step, y + d[1] * step)));
      this.paramChanged({ restarted: this.reproducible });
      this.redraw();
      this.updateReadouts(true);
      e.preventDefault();
      e.stopPropagation();
    });
  }

  setupPointer() {
    let drag = -1;
    const at = (e) => {
      const r = this.canvas.getBoundingClientRect();
      return this.handle.pixelToData(this.canvas, (e.clientX - r.left) * this.dpr, (e.clientY - r.top) * this.dpr, this.dpr);
    };
    this.canvas.addEventListener("pointerdown", (e) => {
      if (!this.handle) return;
      const [x, y] = at(e);
      const m = this.handle.means();
      let best = -1, bd = 0.5 * 0.5;
      for (let i = 0; i < m.length / 2; i++) {
        const d = (m[2 * i] - x) ** 2 + (m[2 * i + 1] - y) ** 2;
        if (d < bd) { bd = d; best = i; }
      }
      if (best >= 0) {
        drag = best;
        this.canvas.setPointerCapture(e.pointerId);
      } else {
        this.guard(() => this.handle.setReference(x, y));
        // the probe and the reference do not touch the tracers: a run stays reproducible
        this.paramChanged({ restarted: this.reproducible });
        this.redraw();
        this.updateReadouts(true);
      }
      e.preventDefault();
    });
    this.canvas.addEventListener("pointermove", (e) => {
      if (!this.handle) return;
      const [x, y] = at(e);
      if (drag >= 0) {
        const m = Array.from(this.handle.means());
        m[2 * drag] = Math.max(-8, Math.min(8, x));
        m[2 * drag + 1] = Math.max(-8, Math.min(8, y));
        this.cfg.means = m;
      } else {
        this.pendingProbe = [x, y];
      }
      // at most one update per animation frame (a moved mode re-finds the critical points)
      if (!this.moveQueued) {
        this.moveQueued = true;
        requestAnimationFrame(() => {
          this.moveQueued = false;
          if (!this.handle) return;
          const moved = drag >= 0;
          if (moved) this.guard(() => this.handle.setTarget(this.cfg.target, new Float64Array(this.cfg.means)));
          if (this.pendingProbe) this.guard(() => this.handle.setProbe(...this.pendingProbe));
          this.pendingProbe = null;
          this.paramChanged({ restarted: moved ? this.handle.steps === 0 : this.reproducible });
          this.redraw();
          this.updateReadouts(true);
        });
      }
    });
    const up = () => (drag = -1);
    this.canvas.addEventListener("pointerup", up);
    this.canvas.addEventListener("pointercancel", up);
  }

  build(mod) {
    const c = this.cfg;
    try {
      this.handle = new mod.ScoreFieldWidget(c.target, c.means ? new Float64Array(c.means) : undefined, c.sigma, c.tracers, this.seed());
    } catch (err) {
      if (!c.means) throw err;
      this.showNotice(`The link's mode positions do not fit the target "${c.target}" and were ignored (${err.message}).`);
      c.means = null;
      this.handle = new mod.ScoreFieldWidget(c.target, undefined, c.sigma, c.tracers, this.seed());
    }
    if (c.probe) this.handle.setProbe(...c.probe);
    if (c.ref) this.handle.setReference(...c.ref);
  }

  onReset(seed) {
    this.handle.reset(seed);
  }

  stepsNow() {
    return this.handle ? this.handle.steps : 0;
  }

  advance(budgetMs, fixed) {
    // a link may replay more steps than one core call takes (≤ 1000)
    if (fixed > 0) {
      for (let left = fixed; left > 0; left -= 1000) this.handle.step(Math.min(left, 1000));
      return;
    }
    return this.stepWithin(budgetMs, 0, 2);
  }

  render() {
    this.handle.draw(this.canvas, this.dpr, this.dark);
  }

  tableRows() {
    const w = this.handle;
    const s = w.score();
    return [
      ["log p_σ at the probe", "", fmt(w.logDensity(), 6)],
      ["Score at the probe", "", `(${fmt(s[0], 5)}, ${fmt(s[1], 5)})`],
      ["Line integral of the score from x₀ to x | exact log p_σ(x) − log p_σ(x₀)", fmt(w.lineIntegral(), 10), fmt(w.logDensityDifference(), 10)],
      ["Tracers' mean −log p_σ", fmt(w.tracerEnergy(), 5), ""],
    ];
  }

  readouts() {
    const w = this.handle;
    const [px, py] = w.probe();
    const s = w.score();
    const ld = w.logDensity();
    this.setReadout("probe", "Probe x", `(${fmt(px, 3)}, ${fmt(py, 3)})`);
    this.setReadout("dens", "Density p_σ(x) | log p_σ(x)", `${fmt(w.density(), 4)} | ${fmt(ld, 5)}`);
    this.setReadout("score", "Score ∇log p_σ(x) | its length", `(${fmt(s[0], 4)}, ${fmt(s[1], 4)}) | ${fmt(w.scoreNorm(), 4)}`);
    const li = w.lineIntegral();
    const ex = w.logDensityDifference();
    this.setReadout("li", "∫ s·dx from x₀ to x (Gauss–Legendre)", fmt(li, 10));
    this.setReadout("lix", "Exact log p_σ(x) − log p_σ(x₀) | difference", `${fmt(ex, 10)} | ${fmt(w.lineIntegralError(), 2)}`);
    const cp = w.criticalPoints();
    if (w.target === "circle") {
      const [g, approx, dist] = w.normalScore();
      this.setReadout("crit", "Critical points", "maxima on a whole circle near r = 3, a minimum at 0");
      this.setReadout("normal", "Normal component of the score at x | −(r − R)/σ² − 1/(2r)", `${fmt(g, 5)} | ${fmt(approx, 5)} (distance r − R = ${fmt(dist, 3)})`);
    } else {
      const count = [0, 0, 0];
      for (let i = 2; i < cp.length; i += 3) count[cp[i]] += 1;
      this.setReadout("crit", "Critical points", count.map((n, k) => `${n} ${KIND[k][n === 1 ? 0 : 1]}`).join(", "));
      this.setReadout("normal", "Normal component of the score", "(for the circle target)");
    }
    this.setReadout("flow", "Tracers: flow steps | mean −log p_σ (never increases)", `${w.steps} | ${fmt(w.tracerEnergy(), 5)}`);
    const summary = `Target ${w.target}, σ = ${fmt(w.sigma, 3)}. At (${fmt(px, 3)}, ${fmt(py, 3)}) the score is (${fmt(s[0], 3)}, ${fmt(s[1], 3)}); line integral ${fmt(li, 6)} against exact ${fmt(ex, 6)}.`;
    this.canvas.setAttribute("aria-label", `Score field. ${summary}`);
    if (!this.error) this.announce(summary);
  }
}

customElements.define("sb-score-field", SbScoreField);
