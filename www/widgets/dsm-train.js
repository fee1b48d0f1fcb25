// <sb-dsm-train>: live denoising score matching. A noise-conditional MLP s_θ(x, σ) =
// f_θ(x₁, x₂, log σ)/σ (default 3 → 128 → 128 → 2, SiLU: benchmark W2) is trained in the browser
// by Adam on (1/B) Σ ‖f_θ(x + σz, log σ) + z‖² with x from a 2-D mixture, σ log-uniform in
// [σ_min, σ_max] and z ~ N(0, I). Beside the learned field: the EXACT score of p_σ = p ∗ N(0, σ²I)
// (a mixture, so it is exact), the error map ‖s_θ − ∇log p_σ‖², and the relative error against
// training step at σ = 0.1, 0.5, 1, 2.
//
// Section: "The score and score matching" (index.html#score). Rust handle: DsmTrainWidget.
// Attributes (all optional): target = ring8 | gaussian | two-modes, learning-rate, batch-size,
// sigma-min, sigma-max (training range), sigma (the σ shown), hidden (e.g. "128,128"),
// activation = silu | relu, seed, autoplay = "false", controls = "hidden", text = "hidden".
// Every number shown comes from the Rust core.
// Embed: <script type="module" src=".../widgets/dsm-train.js"></script>
//        <sb-dsm-train target="ring8" learning-rate="0.001" batch-size="512"></sb-dsm-train>

import { SbWidget, h, slider, select, fmt } from "../lib/widget.js";
import { parsers } from "../lib/state.js";
import { csvExport, svgExport } from "../lib/export.js";

const TARGETS = [
  ["ring8", "Ring of 8 Gaussians (W2)"],
  ["gaussian", "Single Gaussian N(0, I)"],
  ["two-modes", "Two modes, weights 0.8 / 0.2"],
];
const LR_STOPS = [0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1];
const BATCH_STOPS = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096];
const SMIN_STOPS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1];
const SMAX_STOPS = [0.1, 0.2, 0.5, 1, 2, 3, 5, 10, 20];
const SIGMA_STOPS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1, 1.5, 2, 3, 5];
const nearest = (stops, v) => stops.reduce((b, s, i) => (Math.abs(Math.log(s / v)) < Math.abs(Math.log(stops[b] / v)) ? i : b), 0);
const positive = (hi) => (s) => { const v = parsers.number(0, hi)(s); return v > 0 ? v : undefined; };

class SbDsmTrain extends SbWidget {
  static title = "Learning the score with a neural network (denoising score matching)";

  stateSpec() {
    return {
      target: { parse: parsers.oneOf(TARGETS.map((t) => t[0])) },
      lr: { parse: positive(1) },
      batch: { parse: parsers.integer(1, 4096) },
      smin: { parse: positive(20) },
      smax: { parse: positive(20) },
      sigma: { parse: positive(100) },
    };
  }

  getState() {
    const c = this.cfg;
    return { target: c.target, lr: c.lr, batch: c.batch, smin: c.smin, smax: c.smax, sigma: c.sigma };
  }

  setState(v) {
    Object.assign(this.cfg, Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)));
    this.syncControls();
  }

  syncControls() {
    const c = this.cfg;
    this.targetSel.input.value = c.target;
    const show = (s, stops, v) => {
      s.set(nearest(stops, v));
      s.wrap.querySelector("output").textContent = String(v);
    };
    show(this.lrSlider, LR_STOPS, c.lr);
    show(this.batchSlider, BATCH_STOPS, c.batch);
    show(this.sminSlider, SMIN_STOPS, c.smin);
    show(this.smaxSlider, SMAX_STOPS, c.smax);
    show(this.sigmaSlider, SIGMA_STOPS, c.sigma);
  }

  buildUi() {
    const attr = (k, d) => this.getAttribute(k) ?? d;
    this.cfg = {
      target: attr("target", "ring8"),
      lr: Number(attr("learning-rate", "0.001")),
      batch: Number(attr("batch-size", "512")),
      smin: Number(attr("sigma-min", "0.01")),
      smax: Number(attr("sigma-max", "2")),
      sigma: Number(attr("sigma", "0.5")),
      hidden: attr("hidden", "128,128"),
      activation: attr("activation", "silu"),
    };
    const cell = (canvas, caption) => h("div", { class: "sb-dsm-cell" }, canvas, h("p", { class: "sb-caption" }, caption));
    this.learned = h("canvas", { class: "sb-dsm-canvas", role: "img", "aria-label": "Learned score field over the density of p_σ" });
    this.exact = h("canvas", { class: "sb-dsm-canvas", role: "img", "aria-label": "Exact score field of p_σ" });
    this.errMap = h("canvas", { class: "sb-dsm-canvas", role: "img", "aria-label": "Squared error of the learned score over the plane" });
    this.chart = h("canvas", { class: "sb-dsm-canvas", role: "img", "aria-label": "Relative error of the learned score against training step" });
    this.errCaption = h("span", {}, "");
    this.stage.append(
      h("div", { class: "sb-dsm-grid" },
        cell(this.learned, "Learned s_θ(x, σ) (coloured arrows) over the density of p_σ."),
        cell(this.exact, "Exact ∇log p_σ (same arrow scale) over the same density."),
        h("div", { class: "sb-dsm-cell" }, this.errMap, h("p", { class: "sb-caption" }, "Error ‖s_θ − ∇log p_σ‖², log colour scale (dark → bright): ", this.errCaption)),
        cell(this.chart, "Relative error E‖s_θ − ∇log p_σ‖² / E‖∇log p_σ‖² on 1000 fixed samples of p_σ, every 100 steps."),
      ),
    );
    this.targetSel = select({
      label: "Data",
      options: TARGETS,
      value: this.cfg.target,
      onchange: (v) => {
        this.cfg.target = v;
        this.guard(() => this.handle?.setTarget(v));
        this.afterChange(true);
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
        oninput: (i) => {
          this.cfg[key] = stops[i];
          this.clearError();
          this.guard(() => apply(stops[i]));
          this.afterChange(false);
        },
      });
    this.lrSlider = stopSlider("Learning rate (Adam)", LR_STOPS, "lr", (v) => this.handle?.setLearningRate(v));
    this.batchSlider = stopSlider("Batch size B", BATCH_STOPS, "batch", (v) => this.handle?.setBatchSize(v));
    this.sminSlider = stopSlider("Training σ_min", SMIN_STOPS, "smin", () => this.handle?.setSigmaRange(this.cfg.smin, this.cfg.smax));
    this.smaxSlider = stopSlider("Training σ_max", SMAX_STOPS, "smax", () => this.handle?.setSigmaRange(this.cfg.smin, this.cfg.smax));
    this.sigmaSlider = slider({
      label: "σ shown in the pictures",
      min: 0,
      max: SIGMA_STOPS.length - 1,
      step: 1,
      value: nearest(SIGMA_STOPS, this.cfg.sigma),
      format: (i) => String(SIGMA_STOPS[i]),
      oninput: (i) => {
        this.cfg.sigma = SIGMA_STOPS[i];
        this.saveState();
        this.redraw();
        this.updateReadouts(true);
      },
    });
    const fileId = `${this.statePrefix}-weights-file`;
    this.fileInput = h("input", { type: "file", id: fileId, accept: ".sbnn,application/octet-stream", class: "sb-dsm-file" });
    this.fileInput.addEventListener("change", () => this.importFile());
    this.params.append(
      this.targetSel.wrap, this.sigmaSlider.wrap, this.lrSlider.wrap, this.batchSlider.wrap, this.sminSlider.wrap, this.smaxSlider.wrap,
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

  afterChange(restarted) {
    if (!this.error) this.clearError();
    this.paramChanged({ restarted: restarted || this.stepsNow() === 0 });
    this.redraw();
    this.updateReadouts(true);
  }

  build(mod) {
    const c = this.cfg;
    this.handle = new mod.DsmTrainWidget(c.target, c.hidden, c.activation, c.lr, c.batch, c.smin, c.smax, this.seed());
  }

  onReset(seed) {
    this.handle.reset(seed);
  }

  stepsNow() {
    return this.handle ? this.handle.iteration : 0;
  }

  advance(budgetMs, fixed) {
    return this.stepWithin(budgetMs, fixed, 400);
  }

  render() {
    const w = this.handle;
    const s = this.cfg.sigma;
    w.drawField(this.learned, true, s, this.dpr, this.dark);
    w.drawField(this.exact, false, s, this.dpr, this.dark);
    w.drawError(this.errMap, s, this.dpr, this.dark);
    w.drawHistory(this.chart, this.dpr, this.dark);
    const [lo, hi] = w.errorRange();
    this.errCaption.textContent = `10^${fmt(lo, 3)} to 10^${fmt(hi, 3)}; brightest where the data are scarce.`;
  }

  exports() {
    return [
      {
        label: "Download weights (.sbnn)",
        filename: "dsm-weights.sbnn",
        blob: async () => new Blob([this.handle.exportWeights()], { type: "application/octet-stream" }),
      },
      svgExport("Error chart (SVG)", "dsm-error.svg", () => this.handle.historySvg(640, 320, false)),
      csvExport("Error history (CSV)", "dsm-error-history.csv", ["step", "rel_err_sigma_0.1", "rel_err_sigma_0.5", "rel_err_sigma_1", "rel_err_sigma_2"], () => this.handle.history()),
    ];
  }

  tableRows() {
    const w = this.handle;
    const errs = w.relativeErrors();
    const sig = w.evalSigmas();
    return [
      ["Training step", String(w.iteration), "–"],
      ["Batch loss mean‖f_θ + z‖²", fmt(w.loss, 4), "–"],
      ...sig.map((s, k) => [`Relative error at σ = ${s}`, fmt(errs[k], 3), "0"]),
      [`Relative error at σ = ${this.cfg.sigma}`, fmt(w.relativeErrorAt(this.cfg.sigma), 3), "0"],
    ];
  }

  readouts() {
    const w = this.handle;
    const s = this.cfg.sigma;
    this.setReadout("iter", "Training step", w.iteration.toLocaleString("en-US"));
    this.setReadout("loss", "Batch loss (1/B)Σ‖f_θ + z‖²", fmt(w.loss, 4),
      "σ²-weighted DSM loss of the last batch. It does not go to 0: its minimum is a θ-independent constant.");
    const sps = this.stepsPerSecond();
    this.setReadout("sps", "Training steps per second", Number.isFinite(sps) && this.playing ? `${fmt(sps, 3)} (${w.kernel})` : `– (${w.kernel})`);
    this.setReadout("net", "Network", `${w.architecture}, ${w.parameterCount.toLocaleString("en-US")} parameters`);
    const e = w.relativeErrorAt(s);
    this.setReadout("err", `Relative error at σ = ${s}`, `${fmt(e, 3)} (E‖∇log p_σ‖² = ${fmt(w.meanSquareScore, 4)})`,
      "E‖s_θ − ∇log p_σ‖² / E‖∇log p_σ‖² on 2000 fixed samples of p_σ; 0 is a perfect score model, 1 is as bad as s = 0.");
    const errs = w.relativeErrors();
    this.setReadout("errs", "Relative error at σ = 0.1 · 0.5 · 1 · 2", errs.map((x) => fmt(x, 3)).join(" · "));
    this.setReadout("emax", `Largest ‖s_θ − ∇log p_σ‖² on the plane`, fmt(w.errorMax, 3));
    this.setReadout("div", "Divergence", w.diverged || "none (the loss and gradient are finite)");
    const summary = `Step ${w.iteration}, loss ${fmt(w.loss, 4)}, relative error at σ = ${s}: ${fmt(e, 3)}.`;
    this.learned.setAttribute("aria-label", `Learned score field at σ = ${s}. ${summary}`);
    this.chart.setAttribute("aria-label", `Relative error against training step at σ = 0.1, 0.5, 1, 2: now ${errs.map((x) => fmt(x, 3)).join(", ")}.`);
    if (!this.error) this.announce(summary);
  }
}

customElements.define("sb-dsm-train", SbDsmTrain);
