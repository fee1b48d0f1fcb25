// <sb-learned-langevin>: Langevin dynamics with the learned score beside the exact score. Two
// clouds start from the same uniform draw on [−8, 8]² and get the same noise under the same
// sampler (annealed Langevin over a geometric σ schedule, or plain ULA at σ_min): one uses the
// exact score of p_σ, the other a network s_θ(x, σ) trained by denoising score matching — the
// shipped model (www/models/<target>.sbnn, made by `cargo run --release --example
// train_score_model`), one trained here, or a file downloaded from <sb-dsm-train>.
//
// Section: "Langevin dynamics" (index.html#langevin). Rust handle: LearnedLangevinWidget.
// Attributes (all optional): target = ring8 | two-modes | gaussian, model = shipped | train,
// train-steps (DSM steps when model = train), sampler = annealed | ula, sigma-max, sigma-min,
// levels (L), steps-per-level (T), step-size (ε), particles, seed, autoplay = "false",
// controls = "hidden", text = "hidden".
// Every number shown comes from the Rust core.
// Embed: <script type="module" src=".../widgets/learned-langevin.js"></script>
//        <sb-learned-langevin target="ring8" sampler="annealed"></sb-learned-langevin>

import { SbWidget, h, slider, select, fmt } from "../lib/widget.js";
import { parsers } from "../lib/state.js";
import { csvExport, svgExport } from "../lib/export.js";

const TARGETS = [
  ["ring8", "Ring of 8 Gaussians"],
  ["two-modes", "Two modes, weights 0.8 / 0.2"],
  ["gaussian", "Single Gaussian N(0, I)"],
];
const MODELS = [
  ["shipped", "Pre-trained file"],
  ["train", "Train here (DSM)"],
];
const SAMPLERS = [
  ["annealed", "Annealed Langevin"],
  ["ula", "Plain ULA at σ_min"],
];
const SMAX_STOPS = [0.5, 1, 2, 3, 5, 10];
const SMIN_STOPS = [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5];
const L_STOPS = [2, 3, 5, 10, 15, 20, 30];
const T_STOPS = [5, 10, 20, 50, 100, 200, 500];
const EPS_STOPS = [1e-5, 2e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2e-3, 5e-3];
const N_STOPS = [200, 500, 1000, 2000, 5000, 10000];
const TRAIN_STOPS = [0, 200, 500, 1000, 2000, 3000, 5000, 10000];
const nearest = (stops, v) => stops.reduce((b, s, i) => (Math.abs(Math.log((s || 0.5) / (v || 0.5))) < Math.abs(Math.log((stops[b] || 0.5) / (v || 0.5))) ? i : b), 0);
const positive = (hi) => (s) => { const v = parsers.number(1e-9, hi)(s); return v > 0 ? v : undefined; };

class SbLearnedLangevin extends SbWidget {
  static title = "Langevin dynamics with the learned score beside the exact score";

  stateSpec() {
    return {
      target: { parse: parsers.oneOf(TARGETS.map((t) => t[0])) },
      model: { parse: parsers.oneOf(MODELS.map((t) => t[0])) },
      train: { parse: parsers.integer(0, 100000) },
      sampler: { parse: parsers.oneOf(SAMPLERS.map((t) => t[0])) },
      smax: { parse: positive(1000) },
      smin: { parse: positive(1000) },
      L: { parse: parsers.integer(2, 1000) },
      T: { parse: parsers.integer(1, 100000) },
      eps: { parse: positive(10) },
      n: { parse: parsers.integer(1, 1000000) },
    };
  }

  getState() {
    const c = this.cfg;
    return { target: c.target, model: c.model, train: c.train, sampler: c.sampler, smax: c.smax, smin: c.smin, L: c.L, T: c.T, eps: c.eps, n: c.n };
  }

  setState(v) {
    Object.assign(this.cfg, Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)));
    this.syncControls();
  }

  syncControls() {
    const c = this.cfg;
    this.targetSel.input.value = c.target;
    this.modelSel.input.value = c.model;
    this.samplerSel.input.value = c.sampler;
    const show = (s, stops, v, f = String) => {
      s.set(nearest(stops, v));
      s.wrap.querySelector("output").textContent = f(v);
    };
    show(this.smaxS, SMAX_STOPS, c.smax);
    show(this.sminS, SMIN_STOPS, c.smin);
    show(this.lS, L_STOPS, c.L);
    show(this.tS, T_STOPS, c.T);
    show(this.epsS, EPS_STOPS, c.eps);
    show(this.nS, N_STOPS, c.n, (v) => v.toLocaleString("en-US"));
    show(this.trainS, TRAIN_STOPS, c.train, (v) => v.toLocaleString("en-US"));
    this.trainS.wrap.hidden = c.model !== "train";
  }

  buildUi() {
    const a = (k, d) => this.getAttribute(k) ?? d;
    this.cfg = {
      target: a("target", "ring8"),
      model: a("model", "shipped"),
      train: Number(a("train-steps", "2000")),
      sampler: a("sampler", "annealed"),
      smax: Number(a("sigma-max", "2")),
      smin: Number(a("sigma-min", "0.05")),
      L: Number(a("levels", "10")),
      T: Number(a("steps-per-level", "50")),
      eps: Number(a("step-size", "2.5e-4")),
      n: Number(a("particles", "2000")),
    };
    this.exactCanvas = h("canvas", { class: "sb-main sb-exact", role: "img", "aria-label": "Particles moved with the exact score, over the exact density p_σ" });
    this.learnedCanvas = h("canvas", { class: "sb-main sb-learned", role: "img", "aria-label": "Particles moved with the learned score, over the exact density p_σ" });
    this.chart = h("canvas", { class: "sb-chart", style: "aspect-ratio:1/1;margin-top:0", role: "img", "aria-label": "Relative error of the learned score along the run" });
    this.errMap = h("canvas", { class: "sb-main sb-error-map", role: "img", "aria-label": "Squared error of the learned score over the plane at the current σ, with the learned-score particles" });
    this.errCaption = h("span", {}, "");
    const pair = (canvas, title) => h("div", { class: "sb-pair-cell" }, h("p", { class: "sb-caption sb-pair-title" }, title), canvas);
    this.stage.append(
      h("div", { class: "sb-pair", style: "display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:0.5rem;align-items:end" },
        pair(this.exactCanvas, "Exact score ∇log p_σ"),
        pair(this.learnedCanvas, "Learned score s_θ(x, σ)")),
      h("p", { class: "sb-caption" }, "Same sampler, same uniform start on [−8, 8]², same noise; only the score differs. Both shadings show the exact p_σ of the current level."),
      h("div", { class: "sb-pair", style: "display:grid;grid-template-columns:repeat(auto-fit,minmax(10rem,1fr));gap:0.5rem;align-items:start;margin-top:0.5rem" },
        h("div", { class: "sb-pair-cell" }, h("p", { class: "sb-caption sb-pair-title" }, "Where s_θ is wrong at this σ"), this.errMap,
          h("p", { class: "sb-caption" }, "‖s_θ − ∇log p_σ‖², log colour scale (dark → bright): ", this.errCaption, " Cyan: the learned-score particles.")),
        h("div", { class: "sb-pair-cell" }, h("p", { class: "sb-caption sb-pair-title" }, "Score error along the run"), this.chart,
          h("p", { class: "sb-caption" }, "Relative error Σ‖s_θ − ∇log p_σ‖² / Σ‖∇log p_σ‖², log scale. Orange: at the learned-score particles (where the sampler uses s_θ). Blue: at the exact-score particles."))),
    );
    const c = this.cfg;
    this.targetSel = select({ label: "Target", options: TARGETS, value: c.target, onchange: (v) => { c.target = v; this.reloadModel(); } });
    this.modelSel = select({ label: "Learned model", options: MODELS, value: c.model, onchange: (v) => { c.model = v; this.syncControls(); this.reloadModel(); } });
    this.samplerSel = select({ label: "Sampler", options: SAMPLERS, value: c.sampler, onchange: (v) => { c.sampler = v; this.applySchedule(); } });
    const stopSlider = (label, stops, key, apply, f = String) =>
      slider({
        label, min: 0, max: stops.length - 1, step: 1, value: nearest(stops, c[key]), format: (i) => f(stops[i]),
        oninput: (i) => { c[key] = stops[i]; apply(); },
      });
    this.smaxS = stopSlider("σ_max (first level)", SMAX_STOPS, "smax", () => this.applySchedule());
    this.sminS = stopSlider("σ_min (last level; ULA's σ)", SMIN_STOPS, "smin", () => this.applySchedule());
    this.lS = stopSlider("Levels L", L_STOPS, "L", () => this.applySchedule());
    this.tS = stopSlider("Steps per level T", T_STOPS, "T", () => this.applySchedule());
    this.epsS = stopSlider("Step ε at the last level", EPS_STOPS, "eps", () => this.applySchedule());
    this.nS = stopSlider("Particles per run", N_STOPS, "n", () => { this.clearError(); this.guard(() => this.handle?.setParticles(c.n)); this.afterChange(); }, (v) => v.toLocaleString("en-US"));
    this.trainS = stopSlider("DSM training steps", TRAIN_STOPS, "train", () => this.reloadModel(), (v) => v.toLocaleString("en-US"));
    const fileId = `${this.statePrefix}-weights-file`;
    this.fileInput = h("input", { type: "file", id: fileId, accept: ".sbnn,application/octet-stream", class: "sb-dsm-file" });
    this.fileInput.addEventListener("change", () => this.importFile());
    this.params.append(
      this.targetSel.wrap, this.modelSel.wrap, this.trainS.wrap,
      h("div", { class: "sb-field" }, h("label", { for: fileId }, "Import weights (.sbnn from the DSM widget)"), this.fileInput),
      this.samplerSel.wrap, this.smaxS.wrap, this.sminS.wrap, this.lS.wrap, this.tS.wrap, this.epsS.wrap, this.nS.wrap,
    );
    // long option texts and the file input must not widen the side column past the figure
    const side = this.root.querySelector(".sb-side");
    side.style.minWidth = "0";
    for (const el of [this.targetSel.input, this.modelSel.input, this.samplerSel.input, this.fileInput]) { el.style.maxWidth = "100%"; el.style.minWidth = "0"; }
    this.syncControls();
  }

  /** The shipped model of the current target, as bytes. */
  async fetchShipped() {
    const url = new URL(`../models/${this.cfg.target}.sbnn`, import.meta.url);
    const r = await fetch(url);
    if (!r.ok) throw new Error(`could not load the shipped model ${url.pathname}: HTTP ${r.status}`);
    return new Uint8Array(await r.arrayBuffer());
  }

  async start() {
    this.shippedBytes = null;
    this.fetchError = null;
    if (this.cfg.model === "shipped") {
      // fetched before the handle is built; a failure is reported after the core has checked the
      // attributes (a bad target is the core's message, not a missing file)
      try {
        this.shippedBytes = await this.fetchShipped();
      } catch (err) {
        this.fetchError = err;
      }
    }
    return super.start();
  }

  /** Target or model source changed: a new model (shipped file, or training from scratch). */
  async reloadModel() {
    if (!this.handle) return;
    const c = this.cfg;
    this.clearError();
    if (this.guard(() => { this.handle.setTarget(c.target); return true; }) === undefined) return;
    if (c.model === "shipped") {
      try {
        const bytes = await this.fetchShipped();
        this.handle.loadWeights(bytes, `shipped file models/${c.target}.sbnn`);
      } catch (err) {
        this.showError(err);
      }
    } else {
      this.guard(() => this.handle.trainFromScratch(c.train));
    }
    this.afterChange();
  }

  async importFile() {
    const f = this.fileInput.files?.[0];
    if (!f || !this.handle) return;
    const bytes = new Uint8Array(await f.arrayBuffer());
    this.fileInput.value = "";
    this.clearError();
    const ok = this.guard(() => { this.handle.loadWeights(bytes, `imported file ${f.name}`); return true; });
    if (ok) {
      // an imported file is not in the link: the run is not reproducible from the URL alone
      this.paramChanged({ restarted: false });
      this.redraw();
      this.updateReadouts(true);
    }
  }

  applySchedule() {
    const c = this.cfg;
    this.clearError();
    this.guard(() => this.handle?.setSchedule(c.sampler, c.smax, c.smin, c.L, c.T, c.eps));
    this.afterChange();
  }

  afterChange() {
    if (!this.error) this.clearError();
    this.paramChanged({ restarted: true });
    this.redraw();
    this.updateReadouts(true);
  }

  build(mod) {
    const c = this.cfg;
    const train = c.model === "train" ? c.train : 0;
    this.handle = new mod.LearnedLangevinWidget(c.target, c.sampler, c.n, c.smax, c.smin, c.L, c.T, c.eps, train, this.seed());
    if (c.model === "shipped") {
      if (this.fetchError) throw this.fetchError;
      this.handle.loadWeights(this.shippedBytes, `shipped file models/${c.target}.sbnn`);
    }
  }

  onReset(seed) {
    const c = this.cfg;
    this.handle.setSchedule(c.sampler, c.smax, c.smin, c.L, c.T, c.eps);
    this.handle.reset(seed);
  }

  stepsNow() {
    return this.handle ? this.handle.steps : 0;
  }

  advance(budgetMs, fixed) {
    const w = this.handle;
    if (fixed > 0 && !w.training && !w.finished) return w.step(fixed);
    if (fixed > 0) {
      // a replay or fixed speed: train in full first, then sample
      let left = fixed;
      while (left > 0 && w.training) { const before = w.steps; w.step(Math.min(left, 10000)); left -= w.steps - before; }
      if (left > 0) w.step(left);
      return;
    }
    if (w.finished && !w.training) {
      this.pause();
      this.status.textContent = "The run is finished: press Reset to run it again.";
      return;
    }
    this.stepWithin(budgetMs, 0, w.training ? 200 : 100);
    if (this.handle.finished && !this.handle.training && this.playing) this.pause();
  }

  render() {
    this.handle.draw(this.exactCanvas, 0, this.dpr, this.dark);
    this.handle.draw(this.learnedCanvas, 1, this.dpr, this.dark);
    this.handle.drawError(this.errMap, this.dpr, this.dark);
    this.handle.drawHistory(this.chart, this.dpr, this.dark);
    const [lo, hi] = this.handle.errorRange();
    this.errCaption.textContent = `10^${fmt(lo, 3)} to 10^${fmt(hi, 3)}.`;
  }

  exports() {
    return [
      svgExport("Score-error chart (SVG)", "learned-score-error.svg", () => this.handle.historySvg(640, 260, false)),
      csvExport("History (CSV)", "learned-langevin-history.csv", ["step", "rel_err_at_learned_cloud", "rel_err_at_exact_cloud", "share_mode1_exact", "share_mode1_learned"], () => this.handle.history()),
      {
        label: "Download the model (.sbnn)",
        filename: "learned-langevin-model.sbnn",
        blob: async () => new Blob([this.handle.exportWeights()], { type: "application/octet-stream" }),
      },
    ];
  }

  tableRows() {
    const w = this.handle;
    const sh = w.shares();
    const wt = w.weights();
    const k = wt.length;
    const kl = w.kl();
    const m = w.moments();
    const far = w.farShares();
    const rows = [];
    for (let j = 0; j < k; j++) {
      rows.push([`Mode ${j + 1}: share, exact score`, fmt(sh[j], 4), fmt(wt[j], 4)]);
      rows.push([`Mode ${j + 1}: share, learned score`, fmt(sh[k + j], 4), fmt(wt[j], 4)]);
    }
    rows.push(["Histogram KL to p_σ, exact score", fmt(kl[0], 4), `${fmt(kl[2], 4)} (i.i.d. floor)`]);
    rows.push(["Histogram KL to p_σ, learned score", fmt(kl[1], 4), `${fmt(kl[2], 4)} (i.i.d. floor)`]);
    const names = ["mean x", "mean y", "cov xx", "cov xy", "cov yy"];
    names.forEach((nm, i) => {
      rows.push([`${nm}, exact score`, fmt(m[i], 4), fmt(m[10 + i], 4)]);
      rows.push([`${nm}, learned score`, fmt(m[5 + i], 4), fmt(m[10 + i], 4)]);
    });
    rows.push(["Far share (Mahalanobis > 3), exact score", fmt(far[0], 3), `≤ ${fmt(far[2], 3)}`]);
    rows.push(["Far share (Mahalanobis > 3), learned score", fmt(far[1], 3), `≤ ${fmt(far[2], 3)}`]);
    const se = w.scoreErrors();
    rows.push([`Relative score error at σ = ${fmt(w.sigma, 4)}, learned-score cloud`, fmt(se[0], 3), "0"]);
    rows.push([`Relative score error at σ = ${fmt(w.sigma, 4)}, exact-score cloud`, fmt(se[1], 3), "0"]);
    rows.push([`Relative score error at σ = ${fmt(w.sigma, 4)}, exact samples of p_σ`, fmt(se[2], 3), "0"]);
    return rows;
  }

  readouts() {
    const w = this.handle;
    const div = w.divergence;
    if (w.training) {
      this.setReadout("steps", "Phase", `training: DSM step ${w.trainIteration.toLocaleString("en-US")} of ${w.trainTarget.toLocaleString("en-US")} (loss ${fmt(w.loss, 4)})`);
    } else {
      this.setReadout("steps", "Phase", `sampling: step ${w.samplerSteps.toLocaleString("en-US")} of ${w.totalSteps.toLocaleString("en-US")}${w.finished ? " (finished)" : ""}`);
    }
    this.setReadout("level", "Level, σ, α", `${w.level} of ${w.levels} · σ = ${fmt(w.sigma, 4)} · α = ${fmt(w.alpha, 4)}`);
    this.setReadout("model", "Learned model", `${w.source}; ${w.architecture}${w.trainIteration > 0 ? `; ${w.trainIteration.toLocaleString("en-US")} DSM steps` : ""}`);
    const sh = w.shares();
    const wt = w.weights();
    const k = wt.length;
    const list = (off) => Array.from({ length: Math.min(k, 4) }, (_, j) => fmt(sh[off + j], 3)).join(" | ") + (k > 4 ? " | …" : "");
    this.setReadout("weights", "Exact weights of the modes", Array.from(wt.slice(0, 4), (v) => fmt(v, 3)).join(" | ") + (k > 4 ? " | …" : ""));
    this.setReadout("shE", "Share in each mode, exact score", list(0), "A particle belongs to the component with the largest responsibility under p.");
    this.setReadout("shL", "Share in each mode, learned score", list(k));
    const kl = w.kl();
    this.setReadout("kl", "Histogram KL to p_σ: exact · learned (floor)", `${fmt(kl[0], 3)} · ${fmt(kl[1], 3)} (i.i.d. ${fmt(kl[2], 3)})`,
      "Plug-in KL of a 32 × 32 histogram against the exact cell probabilities of p_σ; the floor is its expected value for the same number of exact samples.");
    const m = w.moments();
    const mv = (o) => `(${fmt(m[o], 3)}, ${fmt(m[o + 1], 3)})`;
    const cv = (o) => `${fmt(m[o + 2], 3)}, ${fmt(m[o + 3], 3)}, ${fmt(m[o + 4], 3)}`;
    this.setReadout("mean", "Mean: exact · learned · exact p_σ", `${mv(0)} · ${mv(5)} · ${mv(10)}`);
    this.setReadout("cov", "Covariance xx, xy, yy: exact · learned · p_σ", `${cv(0)} · ${cv(5)} · ${cv(10)}`);
    const far = w.farShares();
    this.setReadout("far", "Far from every mode: exact · learned", `${fmt(far[0], 3)} · ${fmt(far[1], 3)} (exact samples ≤ ${fmt(far[2], 3)})`,
      "Share of particles at Mahalanobis distance > 3 from every component of p_σ.");
    const se = w.scoreErrors();
    this.setReadout("serr", "Score error at σ: learned cloud · exact cloud · data", `${fmt(se[0], 3)} · ${fmt(se[1], 3)} · ${fmt(se[2], 3)}`,
      "Σ‖s_θ − ∇log p_σ‖² / Σ‖∇log p_σ‖² at the particles of each run, and on 2000 exact samples of p_σ (where DSM trains).");
    const sps = this.stepsPerSecond();
    this.setReadout("kernel", "Kernel, speed", `${w.kernel} · ${w.len.toLocaleString("en-US")} particles per run${Number.isFinite(sps) && this.playing ? ` · ${fmt(sps, 3)} steps/s` : ""}`);
    this.setReadout("checksum", "Checksums (exact:learned)", w.checksum());
    this.setReadout("div", "Divergence", div || "none");
    if (div && !this.error) this.showError(new Error(div));
    const summary = `${w.training ? "Training" : "Sampling"}, level ${w.level} of ${w.levels}, sigma ${fmt(w.sigma, 3)}. Share of mode 1: exact score ${fmt(sh[0], 3)}, learned ${fmt(sh[k], 3)}, weight ${fmt(wt[0], 3)}. Score error at the learned cloud ${fmt(se[0], 3)}.`;
    this.learnedCanvas.setAttribute("aria-label", `Particles moved with the learned score. ${summary}`);
    if (!this.error) this.announce(summary);
  }
}

customElements.define("sb-learned-langevin", SbLearnedLangevin);
