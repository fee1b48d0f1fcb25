// <sb-ebm-train>: maximum-likelihood training of a continuous energy-based model (a mixture of
// learnable wells) on 2-D data, with the negative phase sampled by Langevin chains (short-run
// from noise, CD-k from the data, or persistent), and the EXACT log-likelihood and gradient by
// quadrature beside the Monte Carlo estimate.
//
// Section: "Energy-based models" (index.html#ebm). Rust handle: EbmTrainWidget.
// Attributes (all optional): data = blobs3 | two-modes | ring8 | gaussian, wells (1–16), learning-rate,
// langevin-steps (k), step-size (ε), mode = noise | data | persistent, seed, autoplay = "false",
// controls = "hidden", text = "hidden". Every number shown comes from the Rust core.
// Embed: <script type="module" src=".../widgets/ebm-train.js"></script>
//        <sb-ebm-train data="blobs3" mode="persistent" langevin-steps="20"></sb-ebm-train>

import { SbWidget, h, slider, select, fmt } from "../lib/widget.js";
import { parsers } from "../lib/state.js";
import { csv, csvExport, svgExport } from "../lib/export.js";

const DATA = [
  ["blobs3", "Three overlapping blobs"],
  ["two-modes", "Two separated modes, weights 0.8 / 0.2"],
  ["ring8", "Ring of 8 Gaussians"],
  ["gaussian", "Single Gaussian N(0, I)"],
];
const MODES = [
  ["persistent", "Persistent chains (PCD)"],
  ["data", "Restart at the data (CD-k)"],
  ["noise", "Restart from noise (short-run)"],
];
const LR_STOPS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5];
const K_STOPS = [1, 2, 3, 5, 10, 20, 50, 100, 200, 500];
const EPS_STOPS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5];
const WELL_STOPS = [1, 2, 3, 4, 6, 8, 12, 16];
const nearest = (stops, v) => stops.reduce((b, s, i) => (Math.abs(Math.log(s / v)) < Math.abs(Math.log(stops[b] / v)) ? i : b), 0);

class SbEbmTrain extends SbWidget {
  static title = "Training a continuous energy-based model";

  stateSpec() {
    return {
      data: { parse: parsers.oneOf(DATA.map((d) => d[0])) },
      mode: { parse: parsers.oneOf(MODES.map((d) => d[0])) },
      wells: { parse: parsers.integer(1, 16) },
      lr: { parse: (s) => { const v = parsers.number(1e-6, 1)(s); return v > 0 ? v : undefined; } },
      k: { parse: parsers.integer(1, 1000) },
      eps: { parse: (s) => { const v = parsers.number(1e-6, 1)(s); return v > 0 ? v : undefined; } },
    };
  }

  getState() {
    const c = this.cfg;
    return { data: c.data, mode: c.mode, wells: c.wells, lr: c.lr, k: c.k, eps: c.eps };
  }

  setState(v) {
    Object.assign(this.cfg, Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)));
    this.syncControls();
  }

  syncControls() {
    const c = this.cfg;
    this.dataSel.input.value = c.data;
    this.modeSel.input.value = c.mode;
    const show = (s, stops, v) => {
      s.set(nearest(stops, v));
      s.wrap.querySelector("output").textContent = String(v);
    };
    show(this.wellSlider, WELL_STOPS, c.wells);
    show(this.lrSlider, LR_STOPS, c.lr);
    show(this.kSlider, K_STOPS, c.k);
    show(this.epsSlider, EPS_STOPS, c.eps);
  }

  buildUi() {
    const attr = (k, d) => this.getAttribute(k) ?? d;
    this.cfg = {
      data: attr("data", "blobs3"),
      mode: attr("mode", "persistent"),
      wells: Number(attr("wells", "4")),
      lr: Number(attr("learning-rate", "0.02")),
      k: Number(attr("langevin-steps", "20")),
      eps: Number(attr("step-size", "0.02")),
    };
    this.canvas = h("canvas", { class: "sb-main", role: "img", "aria-label": "Model density with data and model samples" });
    this.chart = h("canvas", { class: "sb-chart", role: "img", "aria-label": "Exact log-likelihood against iteration" });
    this.stage.append(
      this.canvas,
      h("p", { class: "sb-caption" }, "Shading: the model density p_θ. Green: a batch of data (positive phase, energy pushed down). Orange: the model's Langevin samples (negative phase, energy pushed up). Rings: well centres."),
      this.chart,
      h("p", { class: "sb-caption" }, "Exact average log-likelihood of the data under the model (Z by quadrature) against iteration. Grey line: −H(p_data), the best any model can reach."),
    );
    const restartSelect = (label, options, key, setter) =>
      select({
        label,
        options,
        value: this.cfg[key],
        onchange: (v) => {
          this.cfg[key] = v;
          this.guard(() => this.handle?.[setter](v));
          this.afterChange(setter !== "setMode");
        },
      });
    this.dataSel = restartSelect("Data", DATA, "data", "setData");
    this.modeSel = restartSelect("Negative chains", MODES, "mode", "setMode");
    const stopSlider = (label, stops, key, setter, restarts, fmtv = String) =>
      slider({
        label,
        min: 0,
        max: stops.length - 1,
        step: 1,
        value: nearest(stops, this.cfg[key]),
        format: (i) => fmtv(stops[i]),
        oninput: (i) => {
          this.cfg[key] = stops[i];
          this.guard(() => this.handle?.[setter](stops[i]));
          this.afterChange(restarts);
        },
      });
    this.kSlider = stopSlider("Langevin steps k per update", K_STOPS, "k", "setLangevinSteps", false);
    this.epsSlider = stopSlider("Langevin step size ε", EPS_STOPS, "eps", "setStepSize", false);
    this.lrSlider = stopSlider("Learning rate (Adam)", LR_STOPS, "lr", "setLearningRate", false);
    this.wellSlider = stopSlider("Wells in the model", WELL_STOPS, "wells", "setWells", true);
    this.params.append(this.dataSel.wrap, this.modeSel.wrap, this.kSlider.wrap, this.epsSlider.wrap, this.lrSlider.wrap, this.wellSlider.wrap);
  }

  afterChange(restarted) {
    this.clearError();
    this.paramChanged({ restarted: restarted || this.stepsNow() === 0 });
    this.redraw();
    this.updateReadouts(true);
  }

  build(mod) {
    const c = this.cfg;
    this.handle = new mod.EbmTrainWidget(c.data, c.wells, c.lr, c.k, c.eps, c.mode, this.seed());
  }

  onReset(seed) {
    this.handle.reset(seed);
  }

  stepsNow() {
    return this.handle ? this.handle.iteration : 0;
  }

  /** Training steps within the frame budget; the last one of each call is evaluated exactly. */
  advance(budgetMs, fixed) {
    return this.stepWithin(budgetMs, fixed, 20);
  }

  render() {
    this.handle.draw(this.canvas, this.dpr, this.dark);
    this.handle.drawHistory(this.chart, this.dpr, this.dark);
  }

  exports() {
    return [
      svgExport("Log-likelihood chart (SVG)", "ebm-train-loglik.svg", () => this.handle.historySvg(640, 260, false)),
      csvExport("History (CSV)", "ebm-train-history.csv", ["iteration", "exact_loglik", "kl_data_model", "cosine_mc_exact", "relative_error_mc"], () => this.handle.history()),
      {
        label: "Samples (CSV)",
        filename: "ebm-train-samples.csv",
        blob: async () => {
          const s = this.handle.samples();
          const half = s.length / 2;
          const rows = [];
          for (let i = 0; i < s.length; i += 2) rows.push([i < half ? "data" : "model", s[i], s[i + 1]]);
          return new Blob([csv(["phase", "x", "y"], rows)], { type: "text/csv" });
        },
      },
    ];
  }

  tableRows() {
    const w = this.handle;
    const rows = [
      ["Exact log-likelihood (nats) | best: −H(p_data)", fmt(w.logLikelihood, 5), fmt(w.negEntropy, 5)],
      ["KL(p_data ‖ p_θ)", fmt(w.kl, 4), "0 at the optimum"],
      ["cos(MC gradient, exact gradient)", fmt(w.cosine, 4), "1"],
      ["Relative error of the MC gradient", fmt(w.relativeError, 3), "0"],
    ];
    const f = w.wells();
    for (let k = 0; k < f.length; k += 4) rows.push([`Well ${k / 4 + 1}: centre, depth, width`, `(${fmt(f[k], 3)}, ${fmt(f[k + 1], 3)}), ${fmt(f[k + 2], 3)}, ${fmt(f[k + 3], 3)}`, "–"]);
    return rows;
  }

  readouts() {
    const w = this.handle;
    this.setReadout("iter", "Iteration", `${w.iteration.toLocaleString("en-US")} (exact values at ${w.exactIteration.toLocaleString("en-US")})`);
    this.setReadout("ll", "Exact log-likelihood E_data[log p_θ]", `${fmt(w.logLikelihood, 5)} nats (best possible −H(p_data) = ${fmt(w.negEntropy, 5)})`,
      "Average log-likelihood of the data distribution under the model, with log Z_θ by quadrature.");
    this.setReadout("kl", "Gap = KL(p_data ‖ p_θ)", `${fmt(w.kl, 4)} nats`);
    const c = w.cosine;
    this.setReadout("grad", "Monte Carlo vs exact gradient", Number.isFinite(c) ? `cosine ${fmt(c, 3)} · relative error ${fmt(w.relativeError, 3)}` : "after the first step",
      "The update uses ⟨∇θE⟩_data − ⟨∇θE⟩_negatives from 256 + 256 samples; the exact gradient integrates both terms by quadrature.");
    this.setReadout("logz", "log Z_θ (quadrature)", fmt(w.logZ, 6));
    const summary = `Iteration ${w.iteration}, ${w.mode} chains, exact log-likelihood ${fmt(w.logLikelihood, 4)} against the best ${fmt(w.negEntropy, 4)}; gradient cosine ${fmt(c, 3)}.`;
    this.canvas.setAttribute("aria-label", `Model density with data (green) and model samples (orange). ${summary}`);
    this.chart.setAttribute("aria-label", `Exact log-likelihood against iteration, now ${fmt(w.logLikelihood, 4)}; ceiling ${fmt(w.negEntropy, 4)}.`);
    if (!this.error) this.announce(summary);
  }
}

customElements.define("sb-ebm-train", SbEbmTrain);
