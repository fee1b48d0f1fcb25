// <sb-kl-fit>: one Gaussian fitted to a two-mode target twice, by descending the forward KL
// D(p‖q) and the reverse KL D(q‖p), side by side, in 1D or 2D.
//
// Attributes (all optional): dim = 1 | 2, separation, weight, width, start (1D reverse start),
// target = two-modes | ring8 | gaussian (2D), learning-rate, seed, autoplay = "false",
// controls = "hidden", text = "hidden". All numbers come from the Rust core (KlFitWidget).

import { SbWidget, h, slider, select, fmt } from "../lib/widget.js";
import { parsers } from "../lib/state.js";
import { csvExport, svgExport } from "../lib/export.js";

const LR_STOPS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 1];
const TARGETS = [
  ["two-modes", "Two modes, weights 0.8 / 0.2"],
  ["ring8", "Ring of 8 Gaussians"],
  ["gaussian", "Single Gaussian N(0, I)"],
];
const nearest = (stops, v) => stops.reduce((b, s, i) => (Math.abs(Math.log(s / v)) < Math.abs(Math.log(stops[b] / v)) ? i : b), 0);
const kl = (v) => (v === Infinity ? "∞" : fmt(v, 4));

function parseMeans(s) {
  const v = s.split(",").map(Number);
  return v.length >= 2 && v.length <= 16 && v.length % 2 === 0 && v.every((x) => Number.isFinite(x) && Math.abs(x) <= 50) ? v : undefined;
}

class SbKlFit extends SbWidget {
  static title = "Forward versus reverse KL widget";

  stateSpec() {
    return {
      dim: { parse: parsers.oneOf(["1", "2"]) },
      // the sliders' ranges, so that a link never runs values the controls cannot show
      sep: { parse: parsers.number(0, 12) },
      w: { parse: parsers.number(0.05, 0.95) },
      sd: { parse: parsers.number(0.3, 3) },
      start: { parse: parsers.number(-8, 8) },
      target: { parse: parsers.oneOf(TARGETS.map((t) => t[0])) },
      means: { parse: parseMeans },
      lr: { parse: parsers.number(0.001, 10) },
      cut: { parse: parsers.oneOf(["0", "1"]) },
    };
  }

  getState() {
    const c = this.cfg;
    return {
      dim: String(c.dim), sep: c.sep, w: c.w, sd: c.sd, start: c.start, target: c.target,
      means: c.means ? c.means.map((v) => String(v)).join(",") : undefined, lr: c.lr, cut: c.cut ? "1" : "0",
    };
  }

  setState(v) {
    const c = this.cfg;
    if (v.dim) c.dim = Number(v.dim);
    for (const k of ["sep", "w", "sd", "start", "lr"]) if (v[k] !== undefined) c[k] = v[k];
    if (v.target) c.target = v.target;
    if (v.means) c.means = v.means;
    if (v.cut) c.cut = v.cut === "1";
    this.syncControls();
  }

  syncControls() {
    const c = this.cfg;
    this.dimSel.input.value = String(c.dim);
    // attributes may lie off the slider grid: show the value that runs
    for (const [sl, v] of [[this.sepS, c.sep], [this.wS, c.w], [this.sdS, c.sd], [this.startS, c.start]]) {
      sl.set(v);
      sl.wrap.querySelector("output").textContent = String(v);
    }
    this.targetSel.input.value = c.target;
    this.lrS.set(nearest(LR_STOPS, c.lr));
    this.lrS.wrap.querySelector("output").textContent = String(c.lr);
    this.cutBox.checked = c.cut;
    for (const el of this.only1d) el.hidden = c.dim !== 1;
    for (const el of this.only2d) el.hidden = c.dim !== 2;
  }

  buildUi() {
    const a = (k, d) => this.getAttribute(k) ?? d;
    this.cfg = {
      dim: Number(a("dim", "1")) === 2 ? 2 : 1,
      sep: Number(a("separation", "6")), w: Number(a("weight", "0.5")), sd: Number(a("width", "1")), start: Number(a("start", "2.5")),
      target: a("target", "two-modes"), means: null, lr: Number(a("learning-rate", "0.2")), cut: false,
      mode: 0,
    };
    this.canvas = h("canvas", { class: "sb-main", role: "img", "aria-label": "The target and the two fitted Gaussians" });
    this.chart = h("canvas", { class: "sb-chart", role: "img", "aria-label": "Each fit's divergence against iteration" });
    this.stage.append(
      this.canvas,
      h("p", { class: "sb-caption" }, "Blue: the Gaussian fitted by minimising the forward KL D(p‖q). Orange: the one fitted by minimising the reverse KL D(q‖p). In 2D the ellipses are 1σ and 2σ, the shading is p, and the rings mark p's modes (drag them)."),
      this.chart,
      h("p", { class: "sb-caption" }, "Each fit's own objective against iteration: blue D(p‖q) for the forward fit, orange D(q‖p) for the reverse fit."),
    );
    const c = this.cfg;
    const restartTarget = () => this.applyTarget();
    this.dimSel = select({ label: "Dimension", options: [["1", "1D: two modes on a line"], ["2", "2D: a mixture in the plane"]], value: String(c.dim), onchange: (v) => { c.dim = Number(v); this.rebuild(); } });
    const lin = (label, min, max, step, key, f = (v) => String(v)) => slider({ label, min, max, step, value: c[key], format: f, oninput: (v) => { c[key] = v; key === "start" ? this.guard(() => this.handle.setReverseStart(v)) : restartTarget(); if (key === "start") this.paramChanged({ restarted: false }); } });
    this.sepS = lin("Distance between the modes", 0, 12, 0.5, "sep");
    this.wS = lin("Weight of the left mode", 0.05, 0.95, 0.05, "w");
    this.sdS = lin("Width of each mode (sd)", 0.3, 3, 0.1, "sd");
    this.startS = lin("Reverse fit starts at μ₀ (at reset)", -8, 8, 0.5, "start");
    this.targetSel = select({ label: "Target", options: TARGETS, value: c.target, onchange: (v) => { c.target = v; c.means = null; c.mode = 0; restartTarget(); this.fillModes(); } });
    this.modeSel = select({ label: "Move mode", options: [["0", "mode 1"]], value: "0", onchange: (v) => { c.mode = Number(v); this.syncModeSliders(); } });
    const axis = (label, idx) => slider({ label, min: -8, max: 8, step: 0.1, value: 0, format: (v) => v.toFixed(1), oninput: (v) => this.moveMode(c.mode, idx, v) });
    this.mx = axis("Mode x", 0);
    this.my = axis("Mode y", 1);
    this.lrS = slider({ label: "Learning rate η", min: 0, max: LR_STOPS.length - 1, step: 1, value: nearest(LR_STOPS, c.lr), format: (i) => String(LR_STOPS[i]), oninput: (i) => { c.lr = LR_STOPS[i]; this.guard(() => this.handle.setLearningRate(c.lr)); this.paramChanged({ restarted: false }); this.updateReadouts(true); } });
    const cutId = `${this.statePrefix}-cut`;
    this.cutBox = h("input", { type: "checkbox", id: cutId });
    this.cutBox.addEventListener("change", () => { c.cut = this.cutBox.checked; this.handle?.setTruncate(c.cut); this.paramChanged({ restarted: this.handle?.iterations === 0 }); this.redraw(); this.updateReadouts(true); });
    this.only1d = [this.sepS.wrap, this.wS.wrap, this.sdS.wrap, this.startS.wrap];
    this.only2d = [this.targetSel.wrap, this.modeSel.wrap, this.mx.wrap, this.my.wrap];
    this.params.append(this.dimSel.wrap, ...this.only1d, ...this.only2d, this.lrS.wrap,
      h("div", { class: "sb-field sb-check" }, h("label", { for: cutId }, this.cutBox, " Cut q to x ≥ 0 (q = 0 on the left)")));
    this.setupDrag();
    this.syncControls();
  }

  fillModes() {
    if (!this.handle || this.cfg.dim !== 2) return;
    const m = this.handle.means();
    this.modeSel.input.replaceChildren(...Array.from({ length: m.length / 2 }, (_, i) => h("option", { value: String(i) }, `mode ${i + 1}`)));
    this.cfg.mode = Math.min(this.cfg.mode, m.length / 2 - 1);
    this.modeSel.input.value = String(this.cfg.mode);
    this.syncModeSliders();
  }

  syncModeSliders() {
    if (!this.handle || this.cfg.dim !== 2) return;
    const m = this.handle.means();
    this.mx.set(m[2 * this.cfg.mode]);
    this.my.set(m[2 * this.cfg.mode + 1]);
  }

  moveMode(i, idx, v) {
    if (!this.handle) return;
    const m = Array.from(this.handle.means());
    m[2 * i + idx] = v;
    this.cfg.means = m;
    this.applyTarget();
  }

  setupDrag() {
    let drag = -1;
    const at = (e) => {
      const r = this.canvas.getBoundingClientRect();
      return this.handle.pixelToData(this.canvas, (e.clientX - r.left) * this.dpr, (e.clientY - r.top) * this.dpr, this.dpr);
    };
    this.canvas.addEventListener("pointerdown", (e) => {
      if (!this.handle || this.cfg.dim !== 2) return;
      const [x, y] = at(e);
      const m = this.handle.means();
      let best = -1, bd = 0.8 * 0.8; // grab radius 0.8 data units
      for (let i = 0; i < m.length / 2; i++) {
        const d = (m[2 * i] - x) ** 2 + (m[2 * i + 1] - y) ** 2;
        if (d < bd) { bd = d; best = i; }
      }
      if (best < 0) return;
      drag = best;
      this.cfg.mode = best;
      this.modeSel.input.value = String(best);
      this.canvas.setPointerCapture(e.pointerId);
      e.preventDefault();
    });
    this.canvas.addEventListener("pointermove", (e) => {
      if (drag < 0) return;
      const [x, y] = at(e);
      const m = Array.from(this.handle.means());
      m[2 * drag] = Math.max(-8, Math.min(8, x));
      m[2 * drag + 1] = Math.max(-8, Math.min(8, y));
      this.cfg.means = m;
      // at most one re-fit of the target per animation frame (each costs a quadrature of H(p))
      if (!this.dragQueued) {
        this.dragQueued = true;
        requestAnimationFrame(() => {
          this.dragQueued = false;
          this.applyTarget();
          this.syncModeSliders();
        });
      }
    });
    const up = () => (drag = -1);
    this.canvas.addEventListener("pointerup", up);
    this.canvas.addEventListener("pointercancel", up);
  }

  applyTarget() {
    if (!this.handle) return;
    const c = this.cfg;
    this.clearError();
    this.guard(() => (c.dim === 1 ? this.handle.setTarget1d(c.sep, c.w, c.sd) : this.handle.setTarget2d(c.target, c.means ? new Float64Array(c.means) : undefined)));
    this.paramChanged({ restarted: this.handle.iterations === 0 });
    this.redraw();
    this.updateReadouts(true);
  }

  rebuild() {
    this.pause();
    this.clearError();
    this.freeHandle();
    this.guard(() => this.build(this.mod));
    this.syncControls();
    this.reproducible = true;
    this.paramChanged({ restarted: true });
    this.redraw();
    this.updateReadouts(true);
  }

  build(mod) {
    const c = this.cfg;
    if (c.dim === 1) {
      this.handle = mod.KlFitWidget.oneD(c.sep, c.w, c.sd, c.start, c.lr);
    } else {
      try {
        this.handle = mod.KlFitWidget.twoD(c.target, c.means ? new Float64Array(c.means) : undefined, c.lr, this.seed());
      } catch (err) {
        if (!c.means) throw err;
        // a link's mode positions that do not fit this target: keep the target, drop the positions
        this.showNotice(`The link's mode positions do not fit the target "${c.target}" and were ignored (${err.message}).`);
        c.means = null;
        this.handle = mod.KlFitWidget.twoD(c.target, undefined, c.lr, this.seed());
      }
    }
    this.handle.setTruncate(c.cut);
    this.fillModes();
  }

  onReset(seed) {
    this.handle.reset(seed);
  }

  stepsNow() {
    return this.handle ? this.handle.iterations : 0;
  }

  advance(budgetMs, fixed) {
    // at most 4 iterations per frame: the fits are meant to be watched
    return this.stepWithin(budgetMs, fixed, 3);
  }

  render() {
    this.handle.draw(this.canvas, this.dpr, this.dark);
    this.handle.drawHistory(this.chart, this.dpr, this.dark);
  }

  exports() {
    return [
      svgExport("Divergence chart (SVG)", "kl-fit.svg", () => this.handle.historySvg(640, 260, false)),
      csvExport("Fit trajectory (CSV)", "kl-fit-history.csv", ["iteration", "forward_fit_kl_p_q", "reverse_fit_kl_q_p"], () => this.handle.history()),
    ];
  }

  describeFit(i) {
    const w = this.handle;
    const m = w.fitMean(i);
    const c = w.fitCov(i);
    return m.length === 1 ? `μ = ${fmt(m[0], 3)}, s² = ${fmt(c[0], 3)}` : `μ = (${fmt(m[0], 3)}, ${fmt(m[1], 3)}), Σ = (${fmt(c[0], 3)}, ${fmt(c[1], 3)}, ${fmt(c[2], 3)})`;
  }

  tableRows() {
    const w = this.handle;
    const t = w.targetMoments();
    const m = w.fitMean(0);
    const c = w.fitCov(0);
    const rows = w.dim === 1
      ? [["Forward fit mean (exact optimum: mean of p)", fmt(m[0], 5), fmt(t[0], 5)], ["Forward fit variance (exact optimum: variance of p)", fmt(c[0], 5), fmt(t[1], 5)]]
      : [["Forward fit mean x", fmt(m[0], 5), fmt(t[0], 5)], ["Forward fit mean y", fmt(m[1], 5), fmt(t[1], 5)], ["Forward fit σxx", fmt(c[0], 5), fmt(t[2], 5)], ["Forward fit σxy", fmt(c[1], 5), fmt(t[3], 5)], ["Forward fit σyy", fmt(c[2], 5), fmt(t[4], 5)]];
    rows.push(["Forward fit: D(p‖q), D(q‖p)", `${kl(w.klForward(0))}, ${kl(w.klReverse(0))}`, ""]);
    rows.push(["Reverse fit: D(p‖q), D(q‖p)", `${kl(w.klForward(1))}, ${kl(w.klReverse(1))}`, ""]);
    rows.push(["Entropy H(p)", "", fmt(w.entropy(), 5)]);
    return rows;
  }

  readouts() {
    const w = this.handle;
    const t = w.targetMoments();
    this.setReadout("it", "Iteration", String(w.iterations));
    this.setReadout("fwd", "Forward fit (blue)", this.describeFit(0));
    this.setReadout("opt", "Its exact optimum: p's mean and (co)variance", t.length === 2 ? `μ = ${fmt(t[0], 3)}, s² = ${fmt(t[1], 3)}` : `μ = (${fmt(t[0], 3)}, ${fmt(t[1], 3)}), Σ = (${fmt(t[2], 3)}, ${fmt(t[3], 3)}, ${fmt(t[4], 3)})`);
    this.setReadout("fwdkl", "Forward fit: D(p‖q) | D(q‖p)", `${kl(w.klForward(0))} | ${kl(w.klReverse(0))} nats`);
    this.setReadout("rev", "Reverse fit (orange)", this.describeFit(1));
    this.setReadout("revkl", "Reverse fit: D(p‖q) | D(q‖p)", `${kl(w.klForward(1))} | ${kl(w.klReverse(1))} nats`);
    this.setReadout("h", "Entropy of p, H(p)", `${fmt(w.entropy(), 4)} nats`);
    const summary = `Iteration ${w.iterations}. Forward fit ${this.describeFit(0)}, D(p‖q) ${kl(w.klForward(0))}. Reverse fit ${this.describeFit(1)}, D(q‖p) ${kl(w.klReverse(1))}.`;
    this.canvas.setAttribute("aria-label", `Target and fitted Gaussians. ${summary}`);
    if (!this.error) this.announce(summary);
  }
}

customElements.define("sb-kl-fit", SbKlFit);
