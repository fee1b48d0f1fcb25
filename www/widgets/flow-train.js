// <sb-flow-train>: live conditional flow matching. A velocity network v_θ(x, τ) (default
// 3 → 64 → 64 → 2, SiLU) is trained in the browser by Adam on (1/B) Σ ‖v_θ(x_τ, τ) − (x₁ − x₀)‖²
// with x₀ ~ N(0, I), x₁ from a 2-D mixture, τ ~ U[0, 1] and x_τ = (1 − τ)x₀ + τx₁, the pairs
// independent or re-paired by the exact minibatch OT assignment. Beside the learned field: the
// EXACT marginal velocity u_τ(x) = E[x₁ − x₀ | x_τ = x] (closed form for mixtures), the error map,
// the relative error against training step, and samples from integrating the learned ODE with
// Euler, midpoint or Heun, scored by histogram KL beside the exact field's samples.
//
// Section: "Flow matching" (index.html#flow-matching). Rust handle: FlowTrainWidget.
// Data: a preset, or points drawn on the samples picture or pasted as CSV (turned into a mixture
// by the core's MixtureTarget.fromPoints, so the exact field stays exact).
// Attributes (all optional): target = two-modes | ring8 | shifted-gaussian | gaussian,
// learning-rate, batch-size, coupling = independent | minibatch-ot, tau (the τ shown),
// method = euler | midpoint | heun, steps (sampling, 1–200), hidden (e.g. "64,64"), seed,
// autoplay = "false", controls = "hidden", text = "hidden". Every number shown comes from the core.
// Embed: <script type="module" src=".../widgets/flow-train.js"></script>
//        <sb-flow-train target="ring8" coupling="minibatch-ot"></sb-flow-train>

import { SbWidget, h, slider, select, fmt } from "../lib/widget.js";
import { parsers } from "../lib/state.js";
import { csvExport } from "../lib/export.js";

const TARGETS = [
  ["two-modes", "Two modes, weights 0.8 / 0.2"],
  ["ring8", "Ring of 8 Gaussians"],
  ["shifted-gaussian", "One Gaussian N(μ, Σ)"],
  ["gaussian", "N(0, I) itself"],
];
const COUPLINGS = [["independent", "Independent (x₀ ⟂ x₁)"], ["minibatch-ot", "Minibatch optimal transport"]];
const METHODS = [["euler", "Euler (order 1)"], ["midpoint", "Midpoint (order 2)"], ["heun", "Heun (order 2)"]];
const LR_STOPS = [0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1];
const BATCH_STOPS = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096];
const STEP_STOPS = [1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 32, 50, 100, 200];
/** Bandwidth (data units) of the Gaussians placed on drawn points, and the most components. */
const DRAW_BANDWIDTH = 0.35;
const DRAW_COMPONENTS = 48;
/** "w,mx,my,sxx,sxy,syy;…" → flat numbers (6 per component), or undefined. */
function parseMix(s) {
  const v = s.split(/[;,]/).map(Number);
  if (v.length === 0 || v.length % 6 !== 0 || v.length > 6 * 64 || v.some((x) => !Number.isFinite(x))) return undefined;
  return v;
}
const encodeMix = (flat) => {
  const parts = [];
  for (let i = 0; i < flat.length; i += 6) parts.push(flat.slice(i, i + 6).map((v) => String(v)).join(","));
  return parts.join(";");
};
const TAU_STOPS = Array.from({ length: 21 }, (_, i) => i / 20);
const nearest = (stops, v) => stops.reduce((b, s, i) => (Math.abs(Math.log(s / v)) < Math.abs(Math.log(stops[b] / v)) ? i : b), 0);
const nearestLin = (stops, v) => stops.reduce((b, s, i) => (Math.abs(s - v) < Math.abs(stops[b] - v) ? i : b), 0);
const positive = (hi) => (s) => { const v = parsers.number(0, hi)(s); return v > 0 ? v : undefined; };

class SbFlowTrain extends SbWidget {
  /** The wasm bundle with this widget's bindings (sections 5-8). */
  static wasmBundle = "b";

  static title = "Learning a velocity field by conditional flow matching";

  stateSpec() {
    return {
      target: { parse: parsers.oneOf([...TARGETS.map((t) => t[0]), "drawn"]) },
      mix: { parse: parseMix },
      coupling: { parse: parsers.oneOf(COUPLINGS.map((t) => t[0])) },
      lr: { parse: positive(1) },
      batch: { parse: parsers.integer(1, 4096) },
      tau: { parse: parsers.number(0, 1) },
      method: { parse: parsers.oneOf(METHODS.map((t) => t[0])) },
      n: { parse: parsers.integer(1, 200) },
    };
  }

  getState() {
    const c = this.cfg;
    return { target: c.target, mix: c.target === "drawn" && c.mix ? encodeMix(c.mix) : undefined, coupling: c.coupling, lr: c.lr, batch: c.batch, tau: c.tau, method: c.method, n: c.steps };
  }

  setState(v) {
    const c = this.cfg;
    if (v.mix) c.mix = v.mix;
    for (const [k, key] of [["target", "target"], ["coupling", "coupling"], ["lr", "lr"], ["batch", "batch"], ["tau", "tau"], ["method", "method"], ["n", "steps"]]) {
      if (v[k] !== undefined) c[key] = v[k];
    }
    if (c.target === "drawn" && !c.mix) {
      this.showNotice("The link names drawn data but carries no valid mixture; showing the two modes.");
      c.target = "two-modes";
    }
    this.syncControls();
  }

  syncControls() {
    const c = this.cfg;
    this.targetSel.input.value = c.target;
    this.couplingSel.input.value = c.coupling;
    this.methodSel.input.value = c.method;
    const show = (s, i, v) => {
      s.set(i);
      s.wrap.querySelector("output").textContent = String(v);
    };
    show(this.lrSlider, nearest(LR_STOPS, c.lr), c.lr);
    show(this.batchSlider, nearest(BATCH_STOPS, c.batch), c.batch);
    show(this.stepsSlider, nearest(STEP_STOPS, c.steps), c.steps);
    show(this.tauSlider, nearestLin(TAU_STOPS, c.tau), c.tau);
  }

  buildUi() {
    const attr = (k, d) => this.getAttribute(k) ?? d;
    this.cfg = {
      target: attr("target", "two-modes"),
      coupling: attr("coupling", "independent"),
      lr: Number(attr("learning-rate", "0.002")),
      batch: Number(attr("batch-size", "256")),
      tau: Number(attr("tau", "0.5")),
      method: attr("method", "midpoint"),
      steps: Number(attr("steps", "8")),
      hidden: attr("hidden", "64,64"),
    };
    const cell = (canvas, caption) => h("div", { class: "sb-dsm-cell" }, canvas, h("p", { class: "sb-caption" }, caption));
    this.learned = h("canvas", { class: "sb-dsm-canvas", role: "img", "aria-label": "Learned velocity field over the density of p_τ" });
    this.exact = h("canvas", { class: "sb-dsm-canvas", role: "img", "aria-label": "Exact marginal velocity over the density of p_τ" });
    this.errMap = h("canvas", { class: "sb-dsm-canvas", role: "img", "aria-label": "Squared error of the learned velocity over the plane" });
    this.samplesCanvas = h("canvas", { class: "sb-dsm-canvas", role: "img", "aria-label": "Samples of the learned flow over the data density" });
    this.chart = h("canvas", { class: "sb-dsm-canvas", role: "img", "aria-label": "Relative error of the learned velocity against training step" });
    this.errCaption = h("span", {}, "");
    this.sampleCaption = h("span", {}, "");
    this.stage.append(
      h("div", { class: "sb-dsm-grid" },
        cell(this.learned, "Learned v_θ(x, τ) (coloured arrows) over the exact density of p_τ."),
        cell(this.exact, "Exact u_τ(x) = E[x₁ − x₀ | x_τ = x] (same arrow scale)."),
        h("div", { class: "sb-dsm-cell" }, this.errMap, h("p", { class: "sb-caption" }, "Error ‖v_θ − u_τ‖², log colour scale (dark → bright): ", this.errCaption)),
        h("div", { class: "sb-dsm-cell" }, this.samplesCanvas, h("p", { class: "sb-caption" }, this.sampleCaption)),
        cell(this.chart, "Relative error E‖v_θ − u‖² / E‖u‖² on 2000 fixed points of the path (τ uniform), every 100 steps."),
      ),
    );
    const change = (key, apply, restarted) => (v) => {
      this.cfg[key] = v;
      this.clearError();
      this.guard(() => apply(v));
      this.paramChanged({ restarted: restarted || this.stepsNow() === 0 });
      this.redraw();
      this.updateReadouts(true);
    };
    const view = (key) => (v) => {
      this.cfg[key] = v;
      this.saveState();
      this.redraw();
      this.updateReadouts(true);
    };
    this.targetSel = select({
      label: "Data",
      options: [...TARGETS, ["drawn", "Drawn or pasted points"]],
      value: this.cfg.target,
      onchange: (v) => {
        if (v === "drawn" && !this.cfg.mix) {
          this.targetSel.input.value = this.cfg.target;
          this.startDrawing();
          return;
        }
        change("target", (t) => (t === "drawn" ? this.applyMix() : this.handle?.setTarget(t)), true)(v);
      },
    });
    this.drawBtn = h("button", { type: "button", "aria-pressed": "false", onclick: () => (this.drawing ? this.finishDrawing() : this.startDrawing()) }, "Draw data");
    this.pasteBox = h("textarea", { "aria-label": "Points as CSV: one x,y pair per line", placeholder: "x,y per line, e.g.\n-2,0\n2,1.5", hidden: true });
    this.pasteBtn = h("button", { type: "button", onclick: () => this.togglePaste() }, "Paste points (CSV)");
    this.couplingSel = select({ label: "Coupling", options: COUPLINGS, value: this.cfg.coupling, onchange: change("coupling", (v) => this.handle?.setCoupling(v), false) });
    this.methodSel = select({ label: "Sampler", options: METHODS, value: this.cfg.method, onchange: view("method") });
    const stopSlider = (label, stops, key, onv, near = nearest) =>
      slider({ label, min: 0, max: stops.length - 1, step: 1, value: near(stops, this.cfg[key]), format: (i) => String(stops[i]), oninput: (i) => onv(stops[i]) });
    this.lrSlider = stopSlider("Learning rate (Adam)", LR_STOPS, "lr", change("lr", (v) => this.handle?.setLearningRate(v), false));
    this.batchSlider = stopSlider("Batch size B", BATCH_STOPS, "batch", change("batch", (v) => this.handle?.setBatchSize(v), false));
    this.tauSlider = stopSlider("τ shown (0 = noise, 1 = data)", TAU_STOPS, "tau", view("tau"), nearestLin);
    this.stepsSlider = stopSlider("Sampling steps N", STEP_STOPS, "steps", view("steps"));
    const fileId = `${this.statePrefix}-weights-file`;
    this.fileInput = h("input", { type: "file", id: fileId, accept: ".sbnn,application/octet-stream", class: "sb-dsm-file" });
    this.fileInput.addEventListener("change", () => this.importFile());
    this.params.append(
      this.targetSel.wrap, h("div", { class: "sb-draw-tools" }, this.drawBtn, this.pasteBtn, this.pasteBox), this.tauSlider.wrap, this.couplingSel.wrap, this.lrSlider.wrap, this.batchSlider.wrap, this.methodSel.wrap, this.stepsSlider.wrap,
      h("div", { class: "sb-field" }, h("label", { for: fileId }, "Import weights (.sbnn)"), this.fileInput),
    );
  }

  async importFile() {
    const f = this.fileInput.files?.[0];
    if (!f || !this.handle) return;
    const bytes = new Uint8Array(await f.arrayBuffer());
    this.fileInput.value = "";
    this.clearError();
    const ok = this.guard(() => { this.handle.importWeights(bytes); return true; });
    if (ok) {
      this.paramChanged({ restarted: false });
      this.redraw();
      this.updateReadouts(true);
    }
  }

  build(mod) {
    const c = this.cfg;
    this.handle = new mod.FlowTrainWidget(c.target === "drawn" ? "two-modes" : c.target, c.hidden, c.lr, c.batch, c.coupling, this.seed());
    if (c.target === "drawn") this.applyMix();
    this.handle.sample(c.method, c.steps);
    this.setupDrawing();
  }

  // --- drawn or pasted data: a mixture from the points (MixtureTarget.fromPoints) -----------------
  applyMix() {
    const f = this.cfg.mix;
    const w = [], m = [], cv = [];
    for (let i = 0; i < f.length; i += 6) {
      w.push(f[i]);
      m.push(f[i + 1], f[i + 2]);
      cv.push(f[i + 3], f[i + 4], f[i + 5]);
    }
    const t = new this.mod.MixtureTarget(new Float64Array(w), new Float64Array(m), new Float64Array(cv));
    try {
      this.handle.setMixture(t);
    } finally {
      t.free();
    }
  }

  fromPoints(xs, ys) {
    this.clearError();
    const ok = this.guard(() => {
      const t = this.mod.MixtureTarget.fromPoints(new Float64Array(xs), new Float64Array(ys), DRAW_BANDWIDTH, DRAW_COMPONENTS);
      try {
        this.cfg.mix = Array.from(t.flat());
        this.handle.setMixture(t);
      } finally {
        t.free();
      }
      return true;
    });
    if (!ok) return;
    this.cfg.target = "drawn";
    this.targetSel.input.value = "drawn";
    this.paramChanged({ restarted: true });
    this.redraw();
    this.updateReadouts(true);
  }

  setupDrawing() {
    if (this.drawingReady) return;
    this.drawingReady = true;
    this.drawing = false;
    this.stroke = { xs: [], ys: [] };
    const c = this.samplesCanvas;
    const add = (e) => {
      const r = c.getBoundingClientRect();
      const p = this.handle.pixelToData((e.clientX - r.left) * this.dpr, (e.clientY - r.top) * this.dpr, c.width, c.height, this.dpr);
      this.stroke.xs.push(p[0]);
      this.stroke.ys.push(p[1]);
    };
    c.addEventListener("pointerdown", (e) => {
      if (!this.drawing || !this.handle) return;
      c.setPointerCapture(e.pointerId);
      this.pointerDown = true;
      add(e);
      e.preventDefault();
    });
    c.addEventListener("pointermove", (e) => {
      if (!this.drawing || !this.pointerDown) return;
      for (const ce of e.getCoalescedEvents?.() ?? [e]) add(ce);
    });
    const up = () => (this.pointerDown = false);
    c.addEventListener("pointerup", up);
    c.addEventListener("pointercancel", up);
  }

  startDrawing() {
    if (!this.handle) return;
    this.pause();
    this.drawing = true;
    this.stroke = { xs: [], ys: [] };
    this.samplesCanvas.classList.add("sb-drawing");
    this.drawBtn.textContent = "Use drawing";
    this.drawBtn.setAttribute("aria-pressed", "true");
    this.status.textContent = "Drawing: press and drag on the samples picture (mouse, touch or pen), then press “Use drawing”.";
  }

  finishDrawing() {
    this.drawing = false;
    this.samplesCanvas.classList.remove("sb-drawing");
    this.drawBtn.textContent = "Draw data";
    this.drawBtn.setAttribute("aria-pressed", "false");
    if (this.stroke.xs.length === 0) {
      this.status.textContent = "Nothing was drawn; the data are unchanged.";
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

  onReset(seed) {
    this.handle.reset(seed);
  }

  stepsNow() {
    return this.handle ? this.handle.iteration : 0;
  }

  advance(budgetMs, fixed) {
    return this.stepWithin(budgetMs, fixed, 200);
  }

  render() {
    const w = this.handle;
    const c = this.cfg;
    // sampling integrates the network N times over 1000 points: at most about once a second while training runs
    const now = performance.now();
    if (!this.playing || now - (this.lastSample ?? 0) > 1000) {
      this.lastSample = now;
      w.sample(c.method, c.steps);
    }
    w.drawField(this.learned, true, c.tau, this.dpr, this.dark);
    w.drawField(this.exact, false, c.tau, this.dpr, this.dark);
    w.drawError(this.errMap, c.tau, this.dpr, this.dark);
    w.drawSamples(this.samplesCanvas, this.dpr, this.dark);
    w.drawHistory(this.chart, this.dpr, this.dark);
    const [lo, hi] = w.errorRange();
    this.errCaption.textContent = `10^${fmt(lo, 3)} to 10^${fmt(hi, 3)}.`;
    const [kl, klx, floor] = w.sampleKl();
    this.sampleCaption.textContent = `1000 samples of the learned flow (${c.method}, N = ${c.steps}) over the data density. Histogram KL to p: ${fmt(kl, 3)}; exact field, same steps: ${fmt(klx, 3)}; exact samples: ${fmt(floor, 3)}.`;
  }

  exports() {
    return [
      { label: "Download weights (.sbnn)", filename: "flow-weights.sbnn", blob: async () => new Blob([this.handle.exportWeights()], { type: "application/octet-stream" }) },
      csvExport("Error history (CSV)", "flow-error-history.csv", ["step", "relative_error"], () => this.handle.history()),
    ];
  }

  tableRows() {
    const w = this.handle;
    const [kl, klx, floor] = w.sampleKl();
    return [
      ["Training step", String(w.iteration), "–"],
      ["Batch loss", fmt(w.loss, 4), w.coupling === "independent" ? `floor ≈ ${fmt(w.lossFloor, 4)}` : "–"],
      ["Relative error of v_θ", fmt(w.relativeError(), 3), "0"],
      ["Histogram KL of samples", fmt(kl, 3), `${fmt(klx, 3)} (exact field), ${fmt(floor, 3)} (exact samples)`],
    ];
  }

  readouts() {
    const w = this.handle;
    const c = this.cfg;
    this.setReadout("iter", "Training step", w.iteration.toLocaleString("en-US"));
    const lossFloor = w.coupling === "independent" ? ` (constant E‖x₁ − x₀‖² − E‖u‖² ≈ ${fmt(w.lossFloor, 4)})` : "";
    this.setReadout("loss", "Batch loss (1/B)Σ‖v_θ − (x₁ − x₀)‖²", `${fmt(w.loss, 4)}${lossFloor}`,
      "The conditional loss equals the intractable one plus a θ-independent constant, so it settles near that constant, not at 0.");
    this.setReadout("pair", "Mean ‖x₁ − x₀‖² of the batch's pairs", fmt(w.pairCost, 4));
    const sps = this.stepsPerSecond();
    this.setReadout("sps", "Training steps per second", Number.isFinite(sps) && this.playing ? `${fmt(sps, 3)} (${w.kernel})` : `– (${w.kernel})`);
    this.setReadout("net", "Network", `${w.architecture}, ${w.parameterCount.toLocaleString("en-US")} parameters`);
    const e = w.relativeError();
    this.setReadout("err", "Relative error E‖v_θ − u‖²/E‖u‖²", fmt(e, 3),
      c.coupling === "minibatch-ot" ? "u is the exact field of the independent coupling; minibatch OT learns a different, straighter field, so this does not go to 0." : "0 is a perfect velocity model; 1 is as bad as v = 0.");
    const [kl, klx, floor] = w.sampleKl();
    this.setReadout("kl", `Histogram KL of samples (${c.method}, N = ${c.steps}): learned · exact field · exact samples`, `${fmt(kl, 3)} · ${fmt(klx, 3)} · ${fmt(floor, 3)}`);
    const fl = w.sampleFlow();
    this.setReadout("straight", "Learned flow: kinetic energy · straightness gap · length/chord", `${fmt(fl[0], 4)} · ${fmt(fl[1], 3)} · ${fmt(fl[2], 4)}`,
      "Along the sampling run: K̂ = mean Σ‖Δx‖²/h, the gap K̂ − mean‖x_N − x_0‖² (0 only for straight paths at constant speed), and total path length over total chord.");
    this.setReadout("div", "Divergence", w.diverged || "none (the loss and gradient are finite)");
    const summary = `Step ${w.iteration}, loss ${fmt(w.loss, 4)}, relative error ${fmt(e, 3)}, sample KL ${fmt(kl, 3)}.`;
    this.learned.setAttribute("aria-label", `Learned velocity field at τ = ${c.tau}. ${summary}`);
    if (!this.error) this.announce(summary);
  }
}

customElements.define("sb-flow-train", SbFlowTrain);
