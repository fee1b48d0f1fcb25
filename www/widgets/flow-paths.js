// <sb-flow-paths>: flow matching's marginal flow beside the diffusion probability flow on the same
// data, from the same noise, with the same integrator. Both velocity fields are EXACT (the data are
// a Gaussian mixture): u_τ(x) = E[x₁ − x₀ | x_τ = x] of the straight conditional paths
// x_τ = (1 − τ)x₀ + τx₁, and ½β(x + ∇log p_t(x)) of the VP SDE read in τ = 1 − t. Readouts: the
// kinetic energy ∫E‖v‖²dτ of each flow against W₂² (Benamou–Brenier), straightness, the cloud's
// moments against the exact marginal p_τ, a minibatch under the independent and the OT coupling,
// and the histogram KL to the data against the number of steps for both flows.
//
// Section: "Flow matching" (index.html#flow-matching). Rust handle: FlowPathsWidget.
// Attributes (all optional): target = ring8 | two-modes | shifted-gaussian | gaussian,
// method = euler | midpoint | heun, steps (1–10000), particles (1–20000),
// coupling = independent | minibatch-ot (the pairs picture), seed, autoplay = "false",
// controls = "hidden", text = "hidden". Every number shown comes from the Rust core.
// Embed: <script type="module" src=".../widgets/flow-paths.js"></script>
//        <sb-flow-paths target="two-modes" method="euler" steps="8"></sb-flow-paths>

import { SbWidget, h, slider, select, fmt } from "../lib/widget.js";
import { parsers } from "../lib/state.js";
import { csvExport, svgExport } from "../lib/export.js";

const TARGETS = [
  ["two-modes", "Two modes, weights 0.8 / 0.2"],
  ["ring8", "Ring of 8 Gaussians"],
  ["shifted-gaussian", "One Gaussian N(μ, Σ), Σ not diagonal (W₂ exact)"],
  ["gaussian", "N(0, I) itself"],
];
const METHODS = [["euler", "Euler (order 1)"], ["midpoint", "Midpoint (order 2)"], ["heun", "Heun (order 2)"]];
const COUPLINGS = [["independent", "Independent (x₀ ⟂ x₁)"], ["minibatch-ot", "Minibatch optimal transport"]];
const STEP_STOPS = [1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 25, 32, 40, 50, 64, 80, 100, 128, 200];
const PARTICLE_STOPS = [200, 500, 1000, 2000, 5000, 10000, 20000];
const nearest = (stops, v) => stops.reduce((b, s, i) => (Math.abs(Math.log(s / v)) < Math.abs(Math.log(stops[b] / v)) ? i : b), 0);

class SbFlowPaths extends SbWidget {
  /** The wasm bundle with this widget's bindings (sections 5-8). */
  static wasmBundle = "b";

  static title = "Flow matching's straight paths against the diffusion probability flow";

  stateSpec() {
    return {
      target: { parse: parsers.oneOf(TARGETS.map((t) => t[0])) },
      method: { parse: parsers.oneOf(METHODS.map((t) => t[0])) },
      n: { parse: parsers.integer(1, 10000) },
      particles: { parse: parsers.integer(1, 20000) },
      coupling: { parse: parsers.oneOf(COUPLINGS.map((t) => t[0])) },
    };
  }

  getState() {
    const c = this.cfg;
    return { target: c.target, method: c.method, n: c.steps, particles: c.particles, coupling: c.coupling };
  }

  setState(v) {
    const c = this.cfg;
    if (v.target !== undefined) c.target = v.target;
    if (v.method !== undefined) c.method = v.method;
    if (v.n !== undefined) c.steps = v.n;
    if (v.particles !== undefined) c.particles = v.particles;
    if (v.coupling !== undefined) c.coupling = v.coupling;
    this.syncControls();
  }

  syncControls() {
    const c = this.cfg;
    this.targetSel.input.value = c.target;
    this.methodSel.input.value = c.method;
    this.couplingSel.input.value = c.coupling;
    const show = (s, stops, v) => {
      s.set(nearest(stops, v));
      s.wrap.querySelector("output").textContent = String(v);
    };
    show(this.stepsSlider, STEP_STOPS, c.steps);
    show(this.particleSlider, PARTICLE_STOPS, c.particles);
  }

  buildUi() {
    const attr = (k, d) => this.getAttribute(k) ?? d;
    this.cfg = {
      target: attr("target", "two-modes"),
      method: attr("method", "midpoint"),
      steps: Number(attr("steps", "8")),
      particles: Number(attr("particles", "2000")),
      coupling: attr("coupling", "minibatch-ot"),
    };
    const cell = (canvas, caption) => h("div", { class: "sb-dsm-cell" }, canvas, h("p", { class: "sb-caption" }, caption));
    this.fmCanvas = h("canvas", { class: "sb-dsm-canvas", role: "img", "aria-label": "Flow matching: particles and paths over the exact density of p_τ" });
    this.pfCanvas = h("canvas", { class: "sb-dsm-canvas", role: "img", "aria-label": "Diffusion probability flow: particles and paths over the exact density of its marginal" });
    this.pairCanvas = h("canvas", { class: "sb-dsm-canvas", role: "img", "aria-label": "A minibatch of noise and data points joined by their conditional paths" });
    this.chart = h("canvas", { class: "sb-dsm-canvas", role: "img", "aria-label": "Histogram KL to the data against the number of steps" });
    this.pairCaption = h("span", {}, "");
    this.chartCaption = h("span", {}, "");
    this.stage.append(
      h("div", { class: "sb-dsm-grid" },
        cell(this.fmCanvas, "Flow matching: the cloud and 40 of its paths (thin lines) over the exact density of p_τ."),
        cell(this.pfCanvas, "Diffusion probability-flow ODE from the same noise: cloud and paths over its exact marginal."),
        h("div", { class: "sb-dsm-cell" }, this.pairCanvas, h("p", { class: "sb-caption" }, this.pairCaption)),
        h("div", { class: "sb-dsm-cell" }, this.chart, h("p", { class: "sb-caption" }, this.chartCaption)),
      ),
    );
    const restart = (key, setter) => (v) => {
      this.cfg[key] = v;
      this.clearError();
      this.guard(() => setter(v));
      this.afterRestart();
    };
    this.targetSel = select({ label: "Data p", options: TARGETS, value: this.cfg.target, onchange: restart("target", (v) => this.handle?.setTarget(v)) });
    this.methodSel = select({ label: "Integrator", options: METHODS, value: this.cfg.method, onchange: restart("method", (v) => this.handle?.setMethod(v)) });
    this.couplingSel = select({
      label: "Coupling of the pairs picture",
      options: COUPLINGS,
      value: this.cfg.coupling,
      onchange: (v) => {
        this.cfg.coupling = v;
        this.saveState();
        this.redraw();
        this.updateReadouts(true);
      },
    });
    const stopSlider = (label, stops, key, apply) =>
      slider({
        label,
        min: 0,
        max: stops.length - 1,
        step: 1,
        value: nearest(stops, this.cfg[key]),
        format: (i) => String(stops[i]),
        oninput: (i) => restart(key, apply)(stops[i]),
      });
    this.stepsSlider = stopSlider("Steps N", STEP_STOPS, "steps", (v) => this.handle?.setSteps(v));
    this.particleSlider = stopSlider("Particles", PARTICLE_STOPS, "particles", (v) => this.handle?.setParticles(v));
    this.params.append(this.targetSel.wrap, this.methodSel.wrap, this.stepsSlider.wrap, this.particleSlider.wrap, this.couplingSel.wrap);
  }

  afterRestart() {
    this.paramChanged({ restarted: true });
    this.pumpSweep();
    this.redraw();
    this.updateReadouts(true);
  }

  build(mod) {
    const c = this.cfg;
    this.handle = new mod.FlowPathsWidget(c.target, c.method, c.steps, c.particles, this.seed());
    this.pumpSweep();
  }

  /** Runs the quality sweep one integration per task, so the page stays responsive. */
  pumpSweep() {
    if (this.sweepTimer) return;
    const tick = () => {
      this.sweepTimer = 0;
      if (!this.handle || this.error || !this.isConnected) return;
      const more = this.guard(() => this.handle.sweepStep());
      this.guard(() => this.handle.drawQuality(this.chart, this.dpr, this.dark));
      this.updateCaptions();
      if (more) this.sweepTimer = setTimeout(tick, 0);
      else this.updateReadouts(true);
    };
    this.sweepTimer = setTimeout(tick, 0);
  }

  onReset(seed) {
    this.handle.reset(seed);
    this.pumpSweep();
  }

  stepsNow() {
    return this.handle ? this.handle.completed : 0;
  }

  advance(budgetMs, fixed) {
    const w = this.handle;
    w.step(fixed > 0 ? fixed : 1);
    if (w.finished && this.playing) this.pause();
  }

  updateCaptions() {
    const w = this.handle;
    if (!w) return;
    const r = w.references();
    const ot = this.cfg.coupling === "minibatch-ot";
    this.pairCaption.textContent = `64 noise points (rings) joined to 64 data points (dots) by straight conditional paths, ${ot ? "paired by the exact OT assignment" : "paired independently"}: mean ‖x₁ − x₀‖² = ${fmt(ot ? r[6] : r[5], 4)}.`;
    const done = w.sweepProgress >= 1;
    this.chartCaption.textContent = `Histogram KL of ${2000} samples to the exact p against log₂ N (${w.method}): flow matching orange, probability flow blue, exact samples green (the floor).${done ? "" : ` Computing… ${Math.round(100 * w.sweepProgress)} %`}`;
  }

  render() {
    const w = this.handle;
    w.drawFlow(this.fmCanvas, 0, this.dpr, this.dark);
    w.drawFlow(this.pfCanvas, 1, this.dpr, this.dark);
    w.drawCoupling(this.pairCanvas, this.cfg.coupling === "minibatch-ot", this.dpr, this.dark);
    w.drawQuality(this.chart, this.dpr, this.dark);
    this.updateCaptions();
  }

  exports() {
    return [
      svgExport("Quality chart (SVG)", "flow-quality.svg", () => this.handle.qualitySvg(640, 320, false)),
      csvExport("Quality against steps (CSV)", "flow-quality.csv", ["steps", "kl_flow_matching", "kl_probability_flow"], () => this.handle.sweepKl()),
    ];
  }

  w2Text() {
    const r = this.handle.references();
    return Number.isFinite(r[0]) ? `${fmt(r[0], 4)} (exact, Gaussian data)` : `between ${fmt(r[1], 4)} (Gelbrich bound) and ${fmt(r[2], 4)} (OT of 256 + 256 samples)`;
  }

  sweepAt() {
    const kl = this.handle.sweepKl();
    for (let i = 0; i < kl.length; i += 3) if (kl[i] >= this.cfg.steps) return [kl[i], kl[i + 1], kl[i + 2]];
    return [kl[kl.length - 3], kl[kl.length - 2], kl[kl.length - 1]];
  }

  tableRows() {
    const w = this.handle;
    const f = w.diagnostics(0);
    const p = w.diagnostics(1);
    const r = w.references();
    const [n, kf, kp] = this.sweepAt();
    return [
      ["τ", fmt(w.tau, 3), "–"],
      ["Kinetic energy, flow matching", fmt(f[0], 4), Number.isFinite(r[4]) ? fmt(r[4], 4) : "≥ W₂²"],
      ["Kinetic energy, probability flow", fmt(p[0], 4), "≥ W₂²"],
      ["Transport cost mean‖x − x₀‖², flow matching", fmt(f[1], 4), Number.isFinite(r[0]) ? fmt(r[0], 4) : "≥ W₂²"],
      ["Transport cost, probability flow", fmt(p[1], 4), "≥ W₂²"],
      ["W₂²(N(0, I), p)", "–", this.w2Text()],
      ["E‖x₁ − x₀‖², independent coupling", fmt(r[5], 4), fmt(r[3], 4)],
      ["Mean ‖x₁ − x₀‖², OT coupling of 64 pairs", fmt(r[6], 4), "–"],
      [`Histogram KL at N = ${n}, flow matching`, fmt(kf, 3), fmt(w.sweepFloor, 3)],
      [`Histogram KL at N = ${n}, probability flow`, fmt(kp, 3), fmt(w.sweepFloor, 3)],
    ];
  }

  readouts() {
    const w = this.handle;
    const f = w.diagnostics(0);
    const p = w.diagnostics(1);
    const r = w.references();
    this.setReadout("tau", "τ (0 = noise, 1 = data)", `${fmt(w.tau, 3)} (step ${w.completed} of ${w.steps})`);
    this.setReadout("nfe", "Velocity evaluations (NFE)", `${f[4]} per flow`);
    const ke = (d) => `${fmt(d[0], 4)} · ${fmt(d[1], 4)} · ${fmt(d[2], 3)}`;
    this.setReadout("fm", "Flow matching: K̂ · mean‖x − x₀‖² · gap", ke(f),
      "K̂ = mean Σ‖Δx‖²/h (the kinetic energy so far), the transport cost of the map so far, and their difference: 0 only for straight paths at constant speed.");
    this.setReadout("pf", "Probability flow: K̂ · mean‖x − x₀‖² · gap", ke(p));
    this.setReadout("len", "Path length / chord (FM · PF)", `${fmt(f[3], 4)} · ${fmt(p[3], 4)}`);
    this.setReadout("kex", "Flow-matching kinetic energy, exact", Number.isFinite(r[4]) ? fmt(r[4], 5) : "no closed form for a mixture");
    this.setReadout("w2", "W₂²(N(0, I), p)", this.w2Text(), "Benamou–Brenier: every flow from N(0, I) to p in unit time has kinetic energy ≥ W₂².");
    this.setReadout("ind", "E‖x₁ − x₀‖², independent coupling", `${fmt(r[3], 4)} (exact)`);
    this.setReadout("pairs", "64 pairs: independent · OT", `${fmt(r[5], 4)} · ${fmt(r[6], 4)}`);
    const m = w.moments(0);
    const q = w.moments(1);
    this.setReadout("mom", "FM cloud mean vs exact p_τ", `(${fmt(m[0], 3)}, ${fmt(m[1], 3)}) vs (${fmt(m[5], 3)}, ${fmt(m[6], 3)})`);
    this.setReadout("var", "FM cloud var x · y vs exact", `${fmt(m[2], 3)} · ${fmt(m[4], 3)} vs ${fmt(m[7], 3)} · ${fmt(m[9], 3)}`);
    this.setReadout("pmom", "PF cloud mean vs exact marginal", `(${fmt(q[0], 3)}, ${fmt(q[1], 3)}) vs (${fmt(q[5], 3)}, ${fmt(q[6], 3)})`);
    const [n, kf, kp] = this.sweepAt();
    this.setReadout("kl", `Histogram KL to p at N = ${n}: FM · PF · exact samples`, `${fmt(kf, 3)} · ${fmt(kp, 3)} · ${fmt(w.sweepFloor, 3)}`);
    const summary = `τ = ${fmt(w.tau, 3)}; kinetic energy ${fmt(f[0], 4)} (flow matching) and ${fmt(p[0], 4)} (probability flow); W₂² ${this.w2Text()}.`;
    this.fmCanvas.setAttribute("aria-label", `Flow matching at τ = ${fmt(w.tau, 3)}. ${summary}`);
    if (!this.error) this.announce(summary);
  }
}

customElements.define("sb-flow-paths", SbFlowPaths);
