// <sb-sde-reverse>: the reverse-time SDE with noise level c beside the probability-flow ODE
// (c = 0), from the same prior draw, with the exact score of a 2D mixture.
//
// Section: "Stochastic differential equations" (index.html#sde). Rust handle: SdeReverseWidget.
// Attributes (all optional): sde = vp | sub-vp | ve | ou, target = ring8 | gaussian | two-modes,
// noise-level (c, 0 … 10; the slider covers 0 … 2), steps (K), method = em | heun, particles,
// seed, autoplay = "false", controls = "hidden", text = "hidden".
// Every number shown comes from the Rust core.
// Embed: <script type="module" src=".../widgets/sde-reverse.js"></script>
//        <sb-sde-reverse sde="vp" noise-level="1" steps="500"></sb-sde-reverse>

import { SbWidget, h, slider, select, fmt } from "../lib/widget.js";
import { parsers } from "../lib/state.js";

const SDES = [
  ["vp", "Variance preserving (β 0.1 → 20)"],
  ["sub-vp", "Sub-variance preserving"],
  ["ve", "Variance exploding (σ 0.01 → 10)"],
  ["ou", "Ornstein–Uhlenbeck dx = −x dt + √2 dW, T = 5"],
];
const TARGETS = [
  ["ring8", "Ring of 8 Gaussians"],
  ["two-modes", "Two modes, weights 0.8 / 0.2"],
  ["gaussian", "Single Gaussian N(0, I)"],
];
const METHODS = [["em", "Euler–Maruyama (1 NFE/step)"], ["heun", "Heun (2 NFE/step)"]];
const K_STOPS = [5, 10, 20, 50, 100, 200, 500, 1000, 2000];
const N_STOPS = [1000, 2000, 5000, 10000, 20000, 50000, 100000];
const nearest = (stops, v) => stops.reduce((b, s, i) => (Math.abs(Math.log(s / v)) < Math.abs(Math.log(stops[b] / v)) ? i : b), 0);

class SbSdeReverse extends SbWidget {
  /** The wasm bundle with this widget’s bindings (sections 5-8). */
  static wasmBundle = "b";

  static title = "Reverse SDE versus the probability-flow ODE";

  stateSpec() {
    return {
      sde: { parse: parsers.oneOf(SDES.map((t) => t[0])) },
      target: { parse: parsers.oneOf(TARGETS.map((t) => t[0])) },
      c: { parse: parsers.number(0, 10) },
      K: { parse: parsers.integer(1, 100000) },
      method: { parse: parsers.oneOf(METHODS.map((t) => t[0])) },
      n: { parse: parsers.integer(1, 1000000) },
    };
  }

  getState() {
    const c = this.cfg;
    return { sde: c.sde, target: c.target, c: c.c, K: c.K, method: c.method, n: c.n };
  }

  setState(v) {
    Object.assign(this.cfg, Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)));
    this.syncControls();
  }

  syncControls() {
    const c = this.cfg;
    this.sdeSel.input.value = c.sde;
    this.targetSel.input.value = c.target;
    this.methodSel.input.value = c.method;
    this.cS.set(Math.min(c.c, 2));
    this.cS.wrap.querySelector("output").textContent = fmt(c.c, 3);
    this.kS.set(nearest(K_STOPS, c.K));
    this.kS.wrap.querySelector("output").textContent = String(c.K);
    this.nS.set(nearest(N_STOPS, c.n));
    this.nS.wrap.querySelector("output").textContent = c.n.toLocaleString("en-US");
  }

  buildUi() {
    const a = (k, d) => this.getAttribute(k) ?? d;
    this.cfg = {
      sde: a("sde", "vp"),
      target: a("target", "ring8"),
      c: Number(a("noise-level", "1")),
      K: Number(a("steps", "500")),
      method: a("method", "em"),
      n: Number(a("particles", "20000")),
    };
    this.sdeCanvas = h("canvas", { class: "sb-main sb-sde", role: "img", "aria-label": "Reverse SDE particles and paths over the exact p_t" });
    this.odeCanvas = h("canvas", { class: "sb-main sb-ode", role: "img", "aria-label": "Probability-flow ODE particles and paths over the exact p_t" });
    const pair = (canvas, title) => h("div", { class: "sb-pair-cell" }, title, canvas);
    this.sdeTitle = h("p", { class: "sb-caption sb-pair-title" }, "Reverse SDE, c = 1");
    this.stage.append(
      h("div", { class: "sb-pair", style: "display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:0.5rem;align-items:end" },
        pair(this.sdeCanvas, this.sdeTitle),
        pair(this.odeCanvas, h("p", { class: "sb-caption sb-pair-title" }, "Probability-flow ODE, c = 0"))),
      h("p", { class: "sb-caption" }, "Both clouds start from the same draw of the prior and run from t = T down to t = 10⁻³T with the exact score. Shading: the exact marginal p_t at the current time. Lines: the paths of the first 12 particles (jagged for c > 0, smooth for the ODE)."),
    );
    const c = this.cfg;
    const restart = () => { this.afterChange(); };
    this.sdeSel = select({ label: "SDE", options: SDES, value: c.sde, onchange: (v) => { c.sde = v; this.guard(() => this.handle?.setSde(v)); restart(); } });
    this.targetSel = select({ label: "Data", options: TARGETS, value: c.target, onchange: (v) => { c.target = v; this.guard(() => this.handle?.setTarget(v)); restart(); } });
    this.methodSel = select({ label: "Integrator", options: METHODS, value: c.method, onchange: (v) => { c.method = v; this.guard(() => this.handle?.setMethod(v)); restart(); } });
    this.cS = slider({
      label: "Noise level c (left run)", min: 0, max: 2, step: 0.05, value: Math.min(c.c, 2), format: (v) => fmt(v, 3),
      oninput: (v) => { c.c = v; this.guard(() => this.handle?.setNoiseLevel(v)); restart(); },
    });
    this.kS = slider({
      label: "Steps K", min: 0, max: K_STOPS.length - 1, step: 1, value: nearest(K_STOPS, c.K), format: (i) => String(K_STOPS[i]),
      oninput: (i) => { c.K = K_STOPS[i]; this.guard(() => this.handle?.setSteps(c.K)); restart(); },
    });
    this.nS = slider({
      label: "Particles per run", min: 0, max: N_STOPS.length - 1, step: 1, value: nearest(N_STOPS, c.n), format: (i) => N_STOPS[i].toLocaleString("en-US"),
      oninput: (i) => { c.n = N_STOPS[i]; this.guard(() => this.handle?.setParticles(c.n)); restart(); },
    });
    this.params.append(this.sdeSel.wrap, this.targetSel.wrap, this.methodSel.wrap, this.cS.wrap, this.kS.wrap, this.nS.wrap);
    this.syncControls();
  }

  afterChange() {
    if (!this.error) this.clearError();
    this.paramChanged({ restarted: true });
    this.redraw();
    this.updateReadouts(true);
  }

  build(mod) {
    const c = this.cfg;
    this.handle = new mod.SdeReverseWidget(c.sde, c.target, c.n, c.K, c.c, c.method, this.seed());
  }

  onReset(seed) {
    this.handle.reset(seed);
  }

  stepsNow() {
    return this.handle ? this.handle.steps : 0;
  }

  advance(budgetMs, fixed) {
    if (this.handle.finished) {
      this.pause();
      this.status.textContent = "Both runs reached t_end: press Reset to run again.";
      return;
    }
    this.stepWithin(budgetMs, fixed, 200);
    if (this.handle.finished && this.playing) this.pause();
  }

  render() {
    this.handle.draw(this.sdeCanvas, 0, this.dpr, this.dark);
    this.handle.draw(this.odeCanvas, 1, this.dpr, this.dark);
  }

  tableRows() {
    const w = this.handle;
    const q = w.quality();
    const m = w.exactMoments();
    return [
      ["Time t (SDE | ODE)", `${fmt(w.time(0), 4)} | ${fmt(w.time(1), 4)}`, "—"],
      ["NFE (SDE | ODE)", `${w.nfe(0)} | ${w.nfe(1)}`, "—"],
      ["Histogram KL to p_t, SDE", fmt(q[0], 4), `${fmt(q[1], 4)} (i.i.d. floor)`],
      ["Histogram KL to p_t, ODE", fmt(q[4], 4), `${fmt(q[5], 4)} (i.i.d. floor)`],
      ["|mean error| to p_t, SDE | ODE", `${fmt(q[2], 3)} | ${fmt(q[6], 3)}`, "0"],
      ["‖cov error‖ to p_t, SDE | ODE", `${fmt(q[3], 3)} | ${fmt(q[7], 3)}`, "0"],
      ["Data mean and covariance", "—", `(${fmt(m[0], 3)}, ${fmt(m[1], 3)}); ${fmt(m[2], 3)}, ${fmt(m[3], 3)}, ${fmt(m[4], 3)}`],
    ];
  }

  readouts() {
    const w = this.handle;
    this.sdeTitle.textContent = `Reverse SDE, c = ${fmt(w.noiseLevel, 3)}`;
    const q = w.quality();
    const err = [w.error(0), w.error(1)];
    this.setReadout("steps", "Step", `${w.steps.toLocaleString("en-US")} of K = ${w.totalSteps.toLocaleString("en-US")} · h = ${fmt(w.stepSize, 3)}${w.finished ? " (finished)" : ""}`);
    this.setReadout("time", "Time t (T → t_end)", `${fmt(w.time(0), 4)} (T = ${fmt(w.horizon, 3)}, t_end = ${fmt(w.endTime, 3)})`);
    this.setReadout("nfe", "Score evaluations (NFE): SDE | ODE", `${w.nfe(0)} | ${w.nfe(1)}`);
    const qual = (o, e) => (e ? `diverged: ${e}` : `KL ${fmt(q[o], 3)} (floor ${fmt(q[o + 1], 3)}) · |Δm| ${fmt(q[o + 2], 3)} · ‖ΔC‖ ${fmt(q[o + 3], 3)}`);
    this.setReadout("qsde", "SDE vs exact p_t", qual(0, err[0]), "Histogram KL on a 32 × 32 grid beside the value exact i.i.d. samples would score; errors of the mean and covariance against p_t.");
    this.setReadout("qode", "ODE vs exact p_t", qual(4, err[1]));
    this.setReadout("kernel", "Kernel", `${w.kernel} · ${w.len.toLocaleString("en-US")} particles per run`);
    this.setReadout("checksum", "Checksums (SDE:ODE)", w.checksum());
    if (err[0] || err[1]) this.status.textContent = `A run diverged: ${err[0] ?? err[1]}`;
    const summary = `Step ${w.steps} of ${w.totalSteps}, t = ${fmt(w.time(0), 3)}. KL to p_t: SDE ${fmt(q[0], 3)}, ODE ${fmt(q[4], 3)}, floor ${fmt(q[1], 3)}.`;
    this.sdeCanvas.setAttribute("aria-label", `Reverse SDE particles over p_t. ${summary}`);
    if (!this.error && !err[0] && !err[1]) this.announce(summary);
  }
}

customElements.define("sb-sde-reverse", SbSdeReverse);
