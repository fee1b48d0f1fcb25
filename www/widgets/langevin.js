// <sb-langevin>: unadjusted Langevin dynamics on a 2-D Gaussian mixture.
//
// Attributes (all optional): target = ring8 | gaussian | two-modes, step-size (ε), particles,
// seed, autoplay = "false", controls = "hidden", text = "hidden". Every number shown is computed
// by the Rust core (LangevinWidget); this file wires controls to it, formats values and turns
// pointer positions into points through the core's pixel→data map.

import { SbWidget, h, slider, select, fmt } from "../lib/widget.js";
import { parsers } from "../lib/state.js";
import { csv, csvExport, svgExport } from "../lib/export.js";

const PARTICLE_STOPS = [100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, 200000, 500000, 1000000];
const PRESETS = [
  ["ring8", "Ring of 8 Gaussians"],
  ["gaussian", "Single Gaussian N(0, I)"],
  ["two-modes", "Two modes, weights 0.8 / 0.2"],
];
// ε slider: round values on a roughly logarithmic scale, with stops on both sides of the
// stability limit 4s² = 4 of the single Gaussian
const EPS_STOPS = [0.001, 0.002, 0.003, 0.005, 0.007, 0.01, 0.015, 0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.3, 0.5, 0.7, 1, 1.5, 2, 2.5, 3, 3.5, 3.9, 4.2, 5, 6, 8];
const nearest = (stops, v) => stops.reduce((b, s, i) => (Math.abs(Math.log(s / v)) < Math.abs(Math.log(stops[b] / v)) ? i : b), 0);
/** Bandwidth (data units) of the Gaussians placed on drawn points, and the most components. */
const DRAW_BANDWIDTH = 0.35;
const DRAW_COMPONENTS = 48;

/** "w,mx,my,sxx,sxy,syy;…" → flat numbers (6 per component), or undefined. */
function parseMix(s) {
  const nums = s.split(/[;,]/).map(Number);
  if (nums.length === 0 || nums.length % 6 !== 0 || nums.length > 6 * 64 || nums.some((v) => !Number.isFinite(v))) return undefined;
  return nums;
}
const encodeMix = (flat) => {
  const parts = [];
  // String(v) is the shortest text that parses back to the same double: the link reproduces the run exactly
  for (let i = 0; i < flat.length; i += 6) parts.push(flat.slice(i, i + 6).map((v) => String(v)).join(","));
  return parts.join(";");
};

class SbLangevin extends SbWidget {
  static title = "Langevin dynamics widget";

  stateSpec() {
    return {
      target: { parse: parsers.oneOf([...PRESETS.map((p) => p[0]), "drawn"]) },
      mix: { parse: parseMix },
      eps: { parse: (s) => { const v = parsers.number(1e-6, 10)(s); return v > 0 ? v : undefined; } },
      n: { parse: parsers.integer(1, 1000000) },
    };
  }

  getState() {
    return {
      target: this.cfg.target,
      mix: this.cfg.target === "drawn" && this.cfg.mix ? encodeMix(this.cfg.mix) : undefined,
      eps: this.cfg.eps,
      n: this.cfg.n,
    };
  }

  setState(v) {
    if (v.target) this.cfg.target = v.target;
    if (v.mix) this.cfg.mix = v.mix;
    if (this.cfg.target === "drawn" && !this.cfg.mix) {
      this.showNotice("The link names a drawn target but carries no valid mixture; showing the ring of 8 Gaussians.");
      this.cfg.target = "ring8";
    }
    if (v.eps !== undefined) this.cfg.eps = v.eps;
    if (v.n !== undefined) this.cfg.n = v.n;
    this.syncControls();
  }

  syncControls() {
    this.targetSel.input.value = this.cfg.target;
    this.epsSlider.set(nearest(EPS_STOPS, this.cfg.eps));
    this.epsSlider.showExact(this.cfg.eps);
    this.nSlider.set(nearest(PARTICLE_STOPS, this.cfg.n));
    this.nSlider.showExact(this.cfg.n);
  }

  buildUi() {
    const attr = (k, d) => this.getAttribute(k) ?? d;
    this.cfg = { target: attr("target", "ring8"), eps: Number(attr("step-size", "0.05")), n: Number(attr("particles", "20000")), mix: null };
    this.canvas = h("canvas", { class: "sb-main", role: "img", "aria-label": "Particles over the target density" });
    this.chart = h("canvas", { class: "sb-chart", role: "img", "aria-label": "KL divergence against step" });
    this.equation = h("p", { class: "sb-live-eq", "aria-live": "off" });
    this.stage.append(
      this.canvas,
      h("p", { class: "sb-caption" }, "Shading: the exact target density p. Dots: the particles."),
      this.equation,
      this.chart,
      h("p", { class: "sb-caption" }, "KL(p̂‖p) against step, log scale. Grey line: what exact samples of the same size would score (the estimator's bias)."),
    );
    this.targetSel = select({
      label: "Target",
      options: [...PRESETS, ["drawn", "Drawn or pasted points"]],
      value: this.cfg.target,
      onchange: (v) => {
        if (v === "drawn" && !this.cfg.mix) {
          this.targetSel.input.value = this.cfg.target;
          this.startDrawing();
          return;
        }
        this.cfg.target = v;
        this.applyTarget();
      },
    });
    this.epsSlider = slider({
      label: "Step size ε",
      min: 0,
      max: EPS_STOPS.length - 1,
      step: 1,
      value: nearest(EPS_STOPS, this.cfg.eps),
      format: (i) => String(EPS_STOPS[i]),
      describe: (i) => `epsilon ${EPS_STOPS[i]}`,
      oninput: (i) => {
        this.cfg.eps = EPS_STOPS[i];
        if (this.handle) {
          this.clearError();
          this.guard(() => this.handle.setStepSize(this.cfg.eps));
          this.paramChanged({ restarted: this.handle.steps === 0 });
          this.updateReadouts(true);
        }
      },
    });
    this.nSlider = slider({
      label: "Particles",
      min: 0,
      max: PARTICLE_STOPS.length - 1,
      step: 1,
      value: nearest(PARTICLE_STOPS, this.cfg.n),
      format: (i) => PARTICLE_STOPS[i].toLocaleString("en-US"),
      oninput: (i) => {
        this.cfg.n = PARTICLE_STOPS[i];
        this.guard(() => this.handle?.setParticles(this.cfg.n));
        this.afterChange();
      },
    });
    // values from attributes or links may lie between slider stops: show them exactly
    this.epsSlider.showExact = (v) => (this.epsSlider.wrap.querySelector("output").textContent = String(v));
    this.nSlider.showExact = (v) => (this.nSlider.wrap.querySelector("output").textContent = v.toLocaleString("en-US"));
    this.drawBtn = h("button", { type: "button", "aria-pressed": "false", onclick: () => (this.drawing ? this.finishDrawing() : this.startDrawing()) }, "Draw a target");
    this.pasteBox = h("textarea", { "aria-label": "Points as CSV: one x,y pair per line", placeholder: "x,y per line, e.g.\n-2,0\n2,1.5", hidden: true });
    this.pasteBtn = h("button", { type: "button", onclick: () => this.togglePaste() }, "Paste points (CSV)");
    this.params.append(
      this.targetSel.wrap,
      this.epsSlider.wrap,
      this.nSlider.wrap,
      h("div", { class: "sb-draw-tools" }, this.drawBtn, this.pasteBtn, this.pasteBox),
    );
    this.syncControls();
    this.setupDrawing();
  }

  // --- targets -----------------------------------------------------------------------------------
  makeTarget() {
    const M = this.mod.MixtureTarget;
    if (this.cfg.target !== "drawn") return M.preset(this.cfg.target);
    const f = this.cfg.mix;
    const w = [], m = [], c = [];
    for (let i = 0; i < f.length; i += 6) {
      w.push(f[i]);
      m.push(f[i + 1], f[i + 2]);
      c.push(f[i + 3], f[i + 4], f[i + 5]);
    }
    return new M(new Float64Array(w), new Float64Array(m), new Float64Array(c));
  }

  applyTarget() {
    this.guard(() => {
      const t = this.makeTarget();
      try {
        this.handle.setTarget(t);
      } finally {
        t.free();
      }
    });
    this.afterChange();
  }

  useTarget(t) {
    // t: a MixtureTarget from the core (drawn or pasted points)
    this.cfg.mix = Array.from(t.flat());
    this.cfg.target = "drawn";
    this.targetSel.input.value = "drawn";
    this.handle.setTarget(t);
    t.free();
    this.afterChange();
  }

  fromPoints(xs, ys) {
    this.guard(() => this.useTarget(this.mod.MixtureTarget.fromPoints(new Float64Array(xs), new Float64Array(ys), DRAW_BANDWIDTH, DRAW_COMPONENTS)));
  }

  setupDrawing() {
    this.drawing = false;
    this.stroke = { xs: [], ys: [] };
    const add = (e) => {
      const r = this.canvas.getBoundingClientRect();
      const dpr = this.dpr;
      const p = this.handle.pixelToData((e.clientX - r.left) * dpr, (e.clientY - r.top) * dpr, this.canvas.width, this.canvas.height, dpr);
      this.stroke.xs.push(p[0]);
      this.stroke.ys.push(p[1]);
    };
    this.canvas.addEventListener("pointerdown", (e) => {
      if (!this.drawing || !this.handle) return;
      this.canvas.setPointerCapture(e.pointerId);
      this.pointerDown = true;
      add(e);
      e.preventDefault();
    });
    this.canvas.addEventListener("pointermove", (e) => {
      if (!this.drawing || !this.pointerDown) return;
      for (const ce of e.getCoalescedEvents?.() ?? [e]) add(ce);
    });
    const up = () => (this.pointerDown = false);
    this.canvas.addEventListener("pointerup", up);
    this.canvas.addEventListener("pointercancel", up);
  }

  startDrawing() {
    if (!this.handle) return;
    this.pause();
    this.drawing = true;
    this.stroke = { xs: [], ys: [] };
    this.canvas.classList.add("sb-drawing");
    this.drawBtn.textContent = "Use drawing";
    this.drawBtn.setAttribute("aria-pressed", "true");
    this.status.textContent = "Drawing: press and drag on the plot (mouse, touch or pen), then press “Use drawing”.";
  }

  finishDrawing() {
    this.drawing = false;
    this.canvas.classList.remove("sb-drawing");
    this.drawBtn.textContent = "Draw a target";
    this.drawBtn.setAttribute("aria-pressed", "false");
    if (this.stroke.xs.length === 0) {
      this.status.textContent = "Nothing was drawn; the target is unchanged.";
      return;
    }
    this.fromPoints(this.stroke.xs, this.stroke.ys);
  }

  togglePaste() {
    if (this.pasteBox.hidden) {
      this.pasteBox.hidden = false;
      this.pasteBtn.textContent = "Use pasted points";
      this.pasteBox.focus();
      return;
    }
    const xs = [], ys = [];
    for (const line of this.pasteBox.value.split(/\r?\n/)) {
      const f = line.trim().split(/[\s,;]+/).filter(Boolean);
      if (f.length === 0 || (f.length >= 2 && isNaN(Number(f[0])) && xs.length === 0)) continue; // blank or header
      xs.push(Number(f[0]));
      ys.push(Number(f[1]));
    }
    this.pasteBox.hidden = true;
    this.pasteBtn.textContent = "Paste points (CSV)";
    this.fromPoints(xs, ys);
  }

  // --- life cycle ---------------------------------------------------------------------------------
  afterChange() {
    this.clearError();
    this.stepTimes = [];
    this.paramChanged({ restarted: true });
    this.redraw();
    this.updateReadouts(true);
  }

  build(mod) {
    const t = this.makeTarget();
    try {
      this.handle = new mod.LangevinWidget(t, this.cfg.n, this.cfg.eps, this.seed());
    } finally {
      t.free();
    }
  }

  onReset(seed) {
    this.handle.reset(seed);
    this.handle.setStepSize(this.cfg.eps);
  }

  stepsNow() {
    return this.handle ? this.handle.steps : 0;
  }

  /** Runs `fixed` steps, or as many as fit in `budgetMs` when fixed is 0. */
  advance(budgetMs, fixed) {
    return this.stepWithin(budgetMs, fixed, 1000);
  }

  render() {
    this.handle.draw(this.canvas, this.dpr, this.dark);
  }

  exports() {
    return [
      svgExport("KL chart (SVG)", "langevin-kl.svg", () => this.handle.historySvg(640, 260, false)),
      {
        label: "Particles (CSV)",
        filename: "langevin-particles.csv",
        blob: async () => {
          const w = this.handle;
          // zero-copy views over wasm memory, re-created now (memory may have grown)
          const xs = new Float32Array(this.mod.memory.buffer, w.xsPtr(), w.len);
          const ys = new Float32Array(this.mod.memory.buffer, w.ysPtr(), w.len);
          const rows = new Array(w.len);
          for (let i = 0; i < w.len; i++) rows[i] = [xs[i], ys[i]];
          return new Blob([csv(["x", "y"], rows)], { type: "text/csv" });
        },
      },
      csvExport("KL history (CSV)", "langevin-kl-history.csv", ["step", "kl_nats"], () => this.handle.klHistory()),
    ];
  }

  tableRows() {
    const w = this.handle;
    const m = w.moments();
    const t = w.targetMoments();
    const rows = [
      ["Mean x", fmt(m[0], 4), fmt(t[0], 4)],
      ["Mean y", fmt(m[1], 4), fmt(t[1], 4)],
      ["Variance x", fmt(m[2], 4), fmt(t[2], 4)],
      ["Covariance xy", fmt(m[3], 4), fmt(t[3], 4)],
      ["Variance y", fmt(m[4], 4), fmt(t[4], 4)],
      ["KL(p̂‖p) in nats (exact: value for exact samples)", fmt(this.lastKl, 3), fmt(w.klFloor(), 3)],
    ];
    const vInf = w.exactStationaryVariance();
    if (w.targetVariance() !== undefined) rows.push(["Stationary variance per axis for this ε", fmt(0.5 * (m[2] + m[4]), 4), vInf === undefined ? "unstable" : fmt(vInf, 4)]);
    return rows;
  }

  readouts() {
    const w = this.handle;
    const m = w.moments();
    const tm = w.targetMoments();
    const kl = w.kl();
    this.lastKl = kl;
    const floor = w.klFloor();
    const sps = this.stepsPerSecond();
    this.setReadout("steps", "Steps", w.steps.toLocaleString("en-US"));
    this.setReadout("speed", "Steps per second", this.playing ? fmt(sps, 3) : "paused");
    this.setReadout("kernel", "Kernel", `${w.kernel} · ${w.len.toLocaleString("en-US")} particles`);
    this.setReadout("mean", "Mean (particles | exact)", `(${fmt(m[0], 3)}, ${fmt(m[1], 3)}) | (${fmt(tm[0], 3)}, ${fmt(tm[1], 3)})`);
    this.setReadout("cov", "Covariance xx, xy, yy (particles)", `${fmt(m[2], 4)}, ${fmt(m[3], 3)}, ${fmt(m[4], 4)}`);
    this.setReadout("tcov", "Covariance xx, xy, yy (exact p)", `${fmt(tm[2], 4)}, ${fmt(tm[3], 3)}, ${fmt(tm[4], 4)}`);
    this.setReadout(
      "kl",
      `KL(p̂‖p), ${w.klCells()} cells`,
      `${fmt(kl, 3)} nats (exact samples: ${fmt(floor, 3)})`,
      "Plug-in KL divergence between the particle histogram on a 32×32 grid (plus one outside cell) and the exact cell probabilities of p.",
    );
    const s2 = w.targetVariance();
    if (s2 !== undefined) {
      const vInf = w.exactStationaryVariance();
      this.setReadout(
        "var",
        "Variance per axis: measured | exact for this ε | target s²",
        `${fmt(0.5 * (m[2] + m[4]), 4)} | ${vInf === undefined ? "unstable (ε ≥ 4s²)" : fmt(vInf, 4)} | ${fmt(s2, 4)}`,
        "For N(0, s²I) the Langevin chain with step ε has the exact stationary variance s²/(1 − ε/(4s²)).",
      );
    } else {
      this.setReadout("var", "Variance per axis: measured | exact for this ε | target s²", "single Gaussian target only");
    }
    this.setReadout("limit", "Stability guide 4·min variance", fmt(w.stabilityLimit(), 3));
    this.setReadout("checksum", "Checksum of all positions", w.checksum());
    const summary = `Step ${w.steps}, ${w.len} particles, step size ${fmt(w.stepSize, 3)}, KL ${fmt(kl, 3)} nats against ${fmt(floor, 3)} for exact samples.`;
    this.canvas.setAttribute("aria-label", `Particles over the target density (${w.targetName}). ${summary}`);
    if (!this.error && !this.drawing) this.announce(summary);
    w.drawHistory(this.chart, this.dpr, this.dark);
    this.renderEquation(w.stepSize);
  }

  renderEquation(eps) {
    if (this.eqFor === eps) return;
    this.eqFor = eps;
    const e = String(Number(eps.toPrecision(3)));
    const src = `x_{k+1} = x_k + \\tfrac{${e}}{2}\\,\\nabla\\log p(x_k) + \\sqrt{${e}}\\,z_k,\\quad z_k\\sim\\mathcal N(0, I)`;
    import("../lib/math.js")
      .then((m) => m.renderTex(this.equation, src, true))
      .catch(() => (this.equation.textContent = `x ← x + (${e}/2)∇log p(x) + √${e} z`));
  }
}

customElements.define("sb-langevin", SbLangevin);
