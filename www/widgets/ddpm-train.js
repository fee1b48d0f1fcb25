// <sb-ddpm-train>: live training of an ε-prediction network with DDPM's simple loss
// (1/B) Σ ‖ε_θ(√ᾱ_t x₀ + √(1 − ᾱ_t) ε, t) − ε‖², t uniform on 1 … T, and sampling with it
// (ancestral or DDIM) beside sampling with the EXACT ε* of the data mixture, from the same prior
// draw and noise. A time scrubber replays both reverse runs; the readouts compare each cloud to the
// exact marginal q(x_t) of the scrubbed step (at the end: the data law).
//
// Section: "Denoising diffusion (DDPM)" (index.html#ddpm). Rust handle: DdpmTrainWidget.
// Attributes (all optional): target = two-modes | ring8 | gaussian, schedule = linear | cosine |
// custom, steps (T), beta-end (linear), knots (custom), hidden (e.g. "64,64"), learning-rate,
// batch-size, sampler = ancestral | ddim, ddim-steps, particles, seed, autoplay = "false",
// controls = "hidden", text = "hidden". Every number shown comes from the Rust core.
// Embed: <script type="module" src=".../widgets/ddpm-train.js"></script>
//        <sb-ddpm-train target="two-modes" sampler="ddim" ddim-steps="50"></sb-ddpm-train>

import { SbWidget, h, slider, select, fmt } from "../lib/widget.js";
import { parsers } from "../lib/state.js";
import { csvExport, svgExport } from "../lib/export.js";

const TARGETS = [
  ["two-modes", "Two modes, weights 0.8 / 0.2"],
  ["ring8", "Ring of 8 Gaussians"],
  ["gaussian", "Single Gaussian N(0, I)"],
];
const SAMPLERS = [["ancestral", "Ancestral (DDPM, σ_t² = β_t)"], ["ddim", "DDIM (η = 0, deterministic)"]];
const LR_STOPS = [1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 0.01, 0.02, 0.05, 0.1, 0.5, 1];
const K_STOPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];
const N_STOPS = [500, 1000, 2000, 5000, 10000, 20000];
const nearest = (stops, v) => stops.reduce((b, s, i) => (Math.abs(Math.log(s / v)) < Math.abs(Math.log(stops[b] / v)) ? i : b), 0);
const positive = (hi) => (s) => { const v = parsers.number(0, hi)(s); return v > 0 ? v : undefined; };

class SbDdpmTrain extends SbWidget {
  /** The wasm bundle with this widget’s bindings (sections 5-8). */
  static wasmBundle = "b";

  static title = "Training a DDPM noise predictor and sampling with it";

  stateSpec() {
    return {
      target: { parse: parsers.oneOf(TARGETS.map((t) => t[0])) },
      lr: { parse: positive(1) },
      sampler: { parse: parsers.oneOf(SAMPLERS.map((s) => s[0])) },
      K: { parse: parsers.integer(1, 5000) },
      n: { parse: parsers.integer(1, 20000) },
    };
  }

  getState() {
    const c = this.cfg;
    return { target: c.target, lr: c.lr, sampler: c.sampler, K: c.K, n: c.n };
  }

  setState(v) {
    Object.assign(this.cfg, Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)));
    this.syncControls();
  }

  syncControls() {
    const c = this.cfg;
    this.targetSel.input.value = c.target;
    this.samplerSel.input.value = c.sampler;
    const show = (s, stops, v, f = String) => { s.set(nearest(stops, v)); s.wrap.querySelector("output").textContent = f(v); };
    show(this.lrS, LR_STOPS, c.lr);
    show(this.kS, K_STOPS, c.K);
    show(this.nS, N_STOPS, c.n, (v) => v.toLocaleString("en-US"));
    this.kS.input.disabled = c.sampler !== "ddim";
  }

  buildUi() {
    const a = (k, d) => this.getAttribute(k) ?? d;
    this.cfg = {
      target: a("target", "two-modes"),
      schedule: a("schedule", "linear"),
      T: Number(a("steps", "200")),
      be: Number(a("beta-end", "0.1")),
      knots: a("knots", "8,4,0,-4,-8"),
      hidden: a("hidden", "64,64"),
      lr: Number(a("learning-rate", "0.002")),
      batch: Number(a("batch-size", "256")),
      sampler: a("sampler", "ancestral"),
      K: Number(a("ddim-steps", "50")),
      n: Number(a("particles", "2000")),
    };
    this.scrub = -1;
    this.learnedCanvas = h("canvas", { class: "sb-main sb-learned", role: "img", "aria-label": "Samples of the learned model over the exact density of q(x_t)" });
    this.exactCanvas = h("canvas", { class: "sb-main sb-exact", role: "img", "aria-label": "Samples with the exact ε over the exact density of q(x_t)" });
    this.chart = h("canvas", { class: "sb-chart", role: "img", "aria-label": "Training loss, its floor and the excess loss against step" });
    const pair = (canvas, title) => h("div", {}, h("p", { class: "sb-caption" }, title), canvas);
    this.stage.append(
      h("div", { style: "display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:0.5rem;align-items:end" },
        pair(this.learnedCanvas, "Learned ε_θ"), pair(this.exactCanvas, "Exact ε* of the mixture")),
      h("p", { class: "sb-caption" }, "Both runs start from the same N(0, I) draw and get the same noise. Shading: the exact q(x_t) of the shown step; lines: the paths of 12 particles up to it."),
      this.chart,
      h("p", { class: "sb-caption" }, "Orange: batch loss (mean over 100 steps). Grey: its floor L* = 2 − E‖ε*‖², which no network can beat. Blue: the excess E‖ε_θ − ε*‖² on 1000 fixed samples (the loss minus its floor)."),
    );
    const c = this.cfg;
    this.targetSel = select({ label: "Data", options: TARGETS, value: c.target, onchange: (v) => { c.target = v; this.guard(() => this.handle?.setTarget(v)); this.afterChange(true); } });
    this.samplerSel = select({ label: "Sampler", options: SAMPLERS, value: c.sampler, onchange: (v) => { c.sampler = v; this.applySampler(); } });
    this.lrS = slider({
      label: "Learning rate (Adam)", min: 0, max: LR_STOPS.length - 1, step: 1, value: nearest(LR_STOPS, c.lr), format: (i) => String(LR_STOPS[i]),
      oninput: (i) => { c.lr = LR_STOPS[i]; this.clearError(); this.guard(() => this.handle?.setLearningRate(c.lr)); this.afterChange(false); },
    });
    this.kS = slider({
      label: "DDIM steps K", min: 0, max: K_STOPS.length - 1, step: 1, value: nearest(K_STOPS, c.K), format: (i) => String(K_STOPS[i]),
      oninput: (i) => { c.K = K_STOPS[i]; this.applySampler(); },
    });
    this.nS = slider({
      label: "Particles per run", min: 0, max: N_STOPS.length - 1, step: 1, value: nearest(N_STOPS, c.n), format: (i) => N_STOPS[i].toLocaleString("en-US"),
      oninput: (i) => { c.n = N_STOPS[i]; this.clearError(); this.guard(() => this.handle?.setParticles(c.n)); this.afterChange(false); },
    });
    this.sampleBtn = h("button", { type: "button", class: "sb-sample", onclick: () => this.startSampling() }, "Sample with the current network");
    this.scrubS = slider({
      label: "Reverse-time scrubber", min: 0, max: 0, step: 1, value: 0,
      format: (k) => (this.handle?.snapshotCount ? `t = ${this.handle.snapshotSteps()[k] ?? "–"}` : "no run yet"),
      oninput: (k) => { this.scrub = k; this.redraw(); this.updateReadouts(true); },
    });
    this.params.append(this.sampleBtn, this.scrubS.wrap, this.targetSel.wrap, this.lrS.wrap, this.samplerSel.wrap, this.kS.wrap, this.nS.wrap);
    this.syncControls();
  }

  applySampler() {
    const c = this.cfg;
    this.clearError();
    this.guard(() => this.handle?.setSampler(c.sampler, c.K));
    this.afterChange(false);
  }

  startSampling() {
    if (!this.handle) return;
    this.clearError();
    this.guard(() => this.handle.startSampling());
    this.scrub = -1;
    this.syncScrub();
    this.play();
  }

  syncScrub() {
    const n = this.handle?.snapshotCount ?? 0;
    this.scrubS.input.max = String(Math.max(0, n - 1));
    this.scrubS.set(this.scrub < 0 ? Math.max(0, n - 1) : Math.min(this.scrub, n - 1));
  }

  afterChange(restarted) {
    if (!this.error) this.clearError();
    this.syncControls();
    this.paramChanged({ restarted: restarted || this.stepsNow() === 0 });
    this.redraw();
    this.updateReadouts(true);
  }

  build(mod) {
    const c = this.cfg;
    this.handle = new mod.DdpmTrainWidget(c.target, c.schedule, c.T, c.be, c.knots, c.hidden, c.lr, c.batch, c.sampler, c.K, c.n, this.seed());
  }

  onReset(seed) {
    this.handle.reset(seed);
    this.scrub = -1;
    this.syncScrub();
  }

  stepsNow() {
    return this.handle ? this.handle.iteration : 0;
  }

  advance(budgetMs, fixed) {
    const w = this.handle;
    if (w.samplingActive) {
      if (fixed > 0) w.sampleStep(fixed);
      else {
        const t0 = performance.now();
        w.sampleStep(1);
        const per = Math.max(performance.now() - t0, 0.01);
        const more = Math.min(Math.floor((budgetMs - per) / per), 1000);
        if (more > 0) w.sampleStep(more);
      }
      this.scrub = -1;
      this.syncScrub();
      if (!w.samplingActive && this.playing) this.pause();
      return;
    }
    this.stepWithin(budgetMs, fixed, 400);
  }

  render() {
    const w = this.handle;
    const k = this.scrub < 0 ? Infinity : this.scrub;
    w.draw(this.learnedCanvas, 0, k, this.dpr, this.dark);
    w.draw(this.exactCanvas, 1, k, this.dpr, this.dark);
    w.drawHistory(this.chart, this.dpr, this.dark);
  }

  exports() {
    return [
      svgExport("Loss chart (SVG)", "ddpm-loss.svg", () => this.handle.historySvg(640, 320, false)),
      csvExport("Loss history (CSV)", "ddpm-loss.csv", ["step", "mean_batch_loss", "excess_vs_exact_eps"], () => this.handle.history()),
    ];
  }

  stats() {
    const w = this.handle;
    const n = w.snapshotCount;
    if (!n) return null;
    const k = this.scrub < 0 ? n - 1 : Math.min(this.scrub, n - 1);
    const L = w.snapshotStats(0, k), E = w.snapshotStats(1, k);
    const X = w.exactStats(L[0]);
    return { L, E, X, k };
  }

  tableRows() {
    const w = this.handle;
    const rows = [
      ["Training step", String(w.iteration), "–"],
      ["Mean batch loss over 100 steps (floor L*)", fmt(w.meanLoss, 4), fmt(w.lossFloor, 4)],
      ["Excess E‖ε_θ − ε*‖²", fmt(w.excess(), 4), "0"],
    ];
    const s = this.stats();
    if (s) {
      const names = ["Mean x", "Mean y", "Covariance xx", "Covariance xy", "Covariance yy"];
      names.forEach((nm, i) => { rows.push([`${nm}, learned | exact-ε run`, `${fmt(s.L[i + 1], 4)} | ${fmt(s.E[i + 1], 4)}`, fmt(s.X[i], 4)]); });
      rows.push(["Histogram KL to q(x_t), learned | exact-ε (floor)", `${fmt(s.L[6], 3)} | ${fmt(s.E[6], 3)}`, fmt(s.L[7], 3)]);
      const K = s.X.length - 5;
      for (let j = 0; j < K; j++) rows.push([`Mode ${j + 1} share, learned | exact-ε`, `${fmt(s.L[8 + j], 3)} | ${fmt(s.E[8 + j], 3)}`, fmt(s.X[5 + j], 3)]);
    }
    return rows;
  }

  readouts() {
    const w = this.handle;
    this.setReadout("iter", "Training step", w.iteration.toLocaleString("en-US"));
    const sps = this.stepsPerSecond();
    this.setReadout("sps", "Training steps per second", Number.isFinite(sps) && this.playing && !w.samplingActive ? `${fmt(sps, 3)} (${w.kernel})` : `– (${w.kernel})`);
    this.setReadout("loss", "Batch loss: last · mean of 100 · floor L*", `${fmt(w.loss, 4)} · ${fmt(w.meanLoss, 4)} · ${fmt(w.lossFloor, 4)}`,
      "L* = E‖ε − ε*‖² = 2 − E‖ε*‖²: the loss of the exact conditional mean, the best any network can do.");
    const ex = w.excess();
    this.setReadout("excess", "Excess E‖ε_θ − ε*‖² (relative)", `${fmt(ex, 3)} (${fmt(ex / w.meanSquareEps, 3)})`);
    this.setReadout("net", "Network", w.architecture);
    const [done, total] = w.samplingProgress();
    this.setReadout("run", "Sampling", w.hasSamples ? `${w.sampler}: ${done} of ${total} steps${w.samplingActive ? "" : " (done)"}, network of step ${w.sampledAt}` : "press “Sample with the current network”");
    const s = this.stats();
    if (s) {
      const m = (v) => `(${fmt(v[1], 3)}, ${fmt(v[2], 3)})`;
      this.setReadout("t", "Shown step t", String(s.L[0]));
      this.setReadout("mean", "Mean: learned | exact-ε | exact q(x_t)", `${m(s.L)} | ${m(s.E)} | (${fmt(s.X[0], 3)}, ${fmt(s.X[1], 3)})`);
      const cv = (v, o) => `${fmt(v[o], 3)}, ${fmt(v[o + 1], 3)}, ${fmt(v[o + 2], 3)}`;
      this.setReadout("cov", "Covariance xx, xy, yy: learned | exact-ε | exact", `${cv(s.L, 3)} | ${cv(s.E, 3)} | ${cv(s.X, 2)}`);
      this.setReadout("hkl", "Histogram KL to q(x_t): learned | exact-ε | floor", `${fmt(s.L[6], 3)} | ${fmt(s.E[6], 3)} | ${fmt(s.L[7], 3)}`,
        "Plug-in KL on a 24 × 24 grid; N exact samples score the floor on average.");
      const K = s.X.length - 5;
      const sh = (v) => Array.from({ length: Math.min(K, 4) }, (_, j) => fmt(v[8 + j], 3)).join(" | ") + (K > 4 ? " | …" : "");
      this.setReadout("shares", "Mode shares (components of q(x_t)): learned / exact-ε / weights", `${sh(s.L)} / ${sh(s.E)} / ${Array.from(s.X.slice(5, 9), (v) => fmt(v, 3)).join(" | ")}${K > 4 ? " | …" : ""}`);
    }
    const e0 = w.runError(0), e1 = w.runError(1);
    this.setReadout("div", "Divergence", w.diverged || e0 || e1 || "none");
    this.setReadout("sum", "Checksums (learned:exact)", w.checksum() || "–");
    const summary = `Training step ${w.iteration}, mean loss ${fmt(w.meanLoss, 4)} (floor ${fmt(w.lossFloor, 4)}), excess ${fmt(ex, 3)}.`;
    this.chart.setAttribute("aria-label", `Training loss and excess against step. ${summary}`);
    if (!this.error) this.announce(summary);
  }
}

customElements.define("sb-ddpm-train", SbDdpmTrain);
