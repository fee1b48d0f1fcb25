// <sb-langevin>: unadjusted Langevin dynamics on a 2-D Gaussian mixture.
//
// Attributes (all optional): target = ring8 | gaussian | two-modes, step-size (ε), particles,
// seed, autoplay = "false". Every number shown is computed by the Rust core (LangevinWidget);
// this file only wires controls to it and formats values.

import { SbWidget, h, slider, select, fmt } from "../lib/widget.js";

const PARTICLE_STOPS = [100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, 200000, 500000, 1000000];
const TARGETS = [
  ["ring8", "Ring of 8 Gaussians"],
  ["gaussian", "Single Gaussian N(0, I)"],
  ["two-modes", "Two modes, weights 0.8 / 0.2"],
];
// ε slider: 200 positions on a log scale from 10⁻³ to 8 (a UI mapping, not model maths)
const EPS_MIN = 1e-3;
const EPS_MAX = 8;
const epsAt = (pos) => Number((EPS_MIN * Math.pow(EPS_MAX / EPS_MIN, pos / 200)).toPrecision(3));
const posOfEps = (eps) => Math.round((200 * Math.log(eps / EPS_MIN)) / Math.log(EPS_MAX / EPS_MIN));
const nearestStop = (n) => PARTICLE_STOPS.reduce((b, s, i) => (Math.abs(Math.log(s / n)) < Math.abs(Math.log(PARTICLE_STOPS[b] / n)) ? i : b), 0);

class SbLangevin extends SbWidget {
  buildUi() {
    const attr = (k, d) => this.getAttribute(k) ?? d;
    this.cfg = {
      target: attr("target", "ring8"),
      eps: Number(attr("step-size", "0.05")),
      n: Number(attr("particles", "20000")),
    };
    this.canvas = h("canvas", { class: "sb-main", role: "img", "aria-label": "Particles over the target density" });
    this.chart = h("canvas", { class: "sb-chart", role: "img", "aria-label": "KL divergence against step" });
    this.stage.append(
      this.canvas,
      h("p", { class: "sb-caption" }, "Shading: the exact target density p. Dots: the particles."),
      this.chart,
      h("p", { class: "sb-caption" }, "KL(p̂‖p) against step, log scale. Grey line: what exact samples of the same size would score (the estimator's bias)."),
    );
    const tsel = select({
      label: "Target",
      options: TARGETS,
      value: this.cfg.target,
      onchange: (v) => {
        this.cfg.target = v;
        this.guard(() => {
          const t = this.mod.MixtureTarget.preset(v);
          this.handle.setTarget(t);
          t.free();
        });
        this.afterChange();
      },
    });
    this.epsSlider = slider({
      label: "Step size ε",
      min: 0,
      max: 200,
      step: 1,
      value: posOfEps(this.cfg.eps),
      format: (p) => fmt(epsAt(p), 3),
      describe: (p) => `epsilon ${fmt(epsAt(p), 3)}`,
      oninput: (p) => {
        this.cfg.eps = epsAt(p);
        if (this.handle) {
          this.clearError();
          this.guard(() => this.handle.setStepSize(this.cfg.eps));
          this.updateReadouts(true);
        }
      },
    });
    this.nSlider = slider({
      label: "Particles",
      min: 0,
      max: PARTICLE_STOPS.length - 1,
      step: 1,
      value: nearestStop(this.cfg.n),
      format: (i) => PARTICLE_STOPS[i].toLocaleString("en-US"),
      oninput: (i) => {
        this.cfg.n = PARTICLE_STOPS[i];
        this.guard(() => this.handle?.setParticles(this.cfg.n));
        this.afterChange();
      },
    });
    this.params.append(tsel.wrap, this.epsSlider.wrap, this.nSlider.wrap);
  }

  afterChange() {
    this.clearError();
    this.stepTimes = [];
    this.redraw();
    this.updateReadouts(true);
  }

  build(mod) {
    const t = mod.MixtureTarget.preset(this.cfg.target);
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
    const w = this.handle;
    if (fixed > 0) return w.step(fixed);
    const t0 = performance.now();
    w.step(1);
    const per = Math.max(performance.now() - t0, 0.01);
    const more = Math.min(Math.floor((budgetMs - per) / per), 1000);
    if (more > 0) w.step(more);
  }

  render() {
    this.handle.draw(this.canvas, this.dpr, this.dark);
  }

  readouts() {
    const w = this.handle;
    const m = w.moments();
    const tm = w.targetMoments();
    const kl = w.kl();
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
    this.canvas.setAttribute("aria-label", `Particles over the target density ${w.targetName}. ${summary}`);
    if (!this.error) this.status.textContent = summary;
    w.drawHistory(this.chart, this.dpr, this.dark);
  }
}

customElements.define("sb-langevin", SbLangevin);
