// <sb-boltzmann>: a fully visible Boltzmann machine on 3 × 3 binary images, trained three ways
// side by side (exact gradient, CD-k, persistent CD), with the exact KL of each after every update.
//
// Attributes (all optional): preset = bars-and-stripes | letters | diagonals, learning-rate,
// sweeps (k), chains (M), seed, autoplay = "false", controls = "hidden", text = "hidden".
// Every number shown comes from the Rust core (BoltzmannWidget); this file wires the controls and
// the pattern editor and formats values.

import { SbWidget, h, slider, select, fmt, uniqueId } from "../lib/widget.js";
import { parsers } from "../lib/state.js";
import { csv, svgExport } from "../lib/export.js";

const UNITS = 9; // 3 × 3 pixels, bit 3r + c
const PRESETS = [
  ["bars-and-stripes", "Bars and stripes (14 images)"],
  ["letters", "Letters T, L, C, H, + (5 images)"],
  ["diagonals", "Diagonals and X (3 images)"],
];
const LR_STOPS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1, 1.5, 2, 3];
const K_STOPS = [1, 2, 3, 5, 10, 20, 50, 100];
const M_STOPS = [10, 20, 50, 100, 200, 500, 1000, 2000, 5000];
const MAX_EDIT = 32;
const nearest = (stops, v) => stops.reduce((b, s, i) => (Math.abs(Math.log(s / v)) < Math.abs(Math.log(stops[b] / v)) ? i : b), 0);
const pct = (p) => `${fmt(100 * p, 3)} %`;

/** "5,12,300" → [5, 12, 300] (each a 9-bit pattern), or undefined. */
function parsePatterns(s) {
  if (!/^\d{1,3}(,\d{1,3}){0,31}$/.test(s)) return undefined; // the editor's 32 images at most
  const v = s.split(",").map(Number);
  return v.every((x) => x < 512) ? v : undefined;
}

class SbBoltzmann extends SbWidget {
  static title = "Boltzmann machine widget";

  stateSpec() {
    return {
      preset: { parse: parsers.oneOf([...PRESETS.map((p) => p[0]), "custom"]) },
      pats: { parse: parsePatterns },
      lr: { parse: parsers.number(0.001, 10) },
      k: { parse: parsers.integer(1, 1000) },
      m: { parse: parsers.integer(1, 10000) },
    };
  }

  getState() {
    const c = this.cfg;
    return { preset: c.preset, pats: c.preset === "custom" ? c.patterns.join(",") : undefined, lr: c.lr, k: c.k, m: c.m };
  }

  setState(v) {
    if (v.preset) this.cfg.preset = v.preset;
    if (this.cfg.preset === "custom") {
      if (v.pats) this.cfg.patterns = v.pats;
      else {
        this.showNotice("The link names custom patterns but carries none; showing bars and stripes.");
        this.cfg.preset = "bars-and-stripes";
      }
    }
    if (v.lr !== undefined) this.cfg.lr = v.lr;
    if (v.k !== undefined) this.cfg.k = v.k;
    if (v.m !== undefined) this.cfg.m = v.m;
    this.syncControls();
  }

  syncControls() {
    this.presetSel.input.value = this.cfg.preset;
    this.lrSlider.set(nearest(LR_STOPS, this.cfg.lr));
    this.lrSlider.showExact(this.cfg.lr);
    this.kSlider.set(nearest(K_STOPS, this.cfg.k));
    this.kSlider.showExact(this.cfg.k);
    this.mSlider.set(nearest(M_STOPS, this.cfg.m));
    this.mSlider.showExact(this.cfg.m);
  }

  buildUi() {
    const attr = (k, d) => this.getAttribute(k) ?? d;
    this.cfg = {
      preset: attr("preset", "bars-and-stripes"),
      patterns: null,
      lr: Number(attr("learning-rate", "0.5")),
      k: Number(attr("sweeps", "1")),
      m: Number(attr("chains", "500")),
    };
    this.canvas = h("canvas", { class: "sb-main sb-tall", role: "img", "aria-label": "Data patterns, model samples and coupling matrices" });
    this.chart = h("canvas", { class: "sb-chart", role: "img", "aria-label": "Exact KL divergence of the three trainers against update" });
    this.stage.append(
      this.canvas,
      h("p", { class: "sb-caption" }, "Each 3 × 3 square is an image; filled pixels are units that are on. Percentages are exact probabilities from enumerating all 512 states. The matrices show the couplings W learned by each rule."),
      this.chart,
      h("p", { class: "sb-caption" }, "Exact KL(p‖q_θ) after each update for the three learning rules, all from θ = 0 on the same data (the exact rule is the wide line)."),
    );
    this.presetSel = select({
      label: "Training images",
      options: [...PRESETS, ["custom", "Custom (edit below)"]],
      value: this.cfg.preset,
      onchange: (v) => {
        if (v === "custom") {
          this.cfg.patterns = this.currentPatterns();
          this.cfg.preset = "custom";
          this.editor.open = true;
          return;
        }
        this.cfg.preset = v;
        this.cfg.patterns = null;
        this.applyPatterns();
      },
    });
    const stops = (label, arr, key, apply, describe) => {
      const s = slider({
        label,
        min: 0,
        max: arr.length - 1,
        step: 1,
        value: nearest(arr, this.cfg[key]),
        format: (i) => String(arr[i]),
        describe,
        oninput: (i) => {
          this.cfg[key] = arr[i];
          apply(arr[i]);
        },
      });
      s.showExact = (v) => (s.wrap.querySelector("output").textContent = String(v));
      return s;
    };
    this.lrSlider = stops("Learning rate ε", LR_STOPS, "lr", (v) => {
      if (!this.handle) return;
      this.clearError();
      this.guard(() => this.handle.setLearningRate(v));
      this.paramChanged({ restarted: this.handle.updates === 0 });
      this.updateReadouts(true);
    });
    this.kSlider = stops("Gibbs sweeps k (CD-k, PCD)", K_STOPS, "k", (v) => this.restartWith(() => this.handle.setSweeps(v)));
    this.mSlider = stops("Chains M (CD, PCD)", M_STOPS, "m", (v) => this.restartWith(() => this.handle.setChains(v)));
    this.editor = h("details", { class: "sb-bm-editor" }, h("summary", {}, "Edit the training images"));
    this.editorBody = h("div", { class: "sb-bm-grids" });
    this.addBtn = h("button", { type: "button", onclick: () => this.editPatterns((p) => [...p, 0]) }, "Add an image");
    this.editor.append(
      h("p", { class: "sb-caption" }, "Click pixels to switch them; every change restarts the three trainers from θ = 0."),
      this.editorBody,
      this.addBtn,
    );
    this.params.append(this.presetSel.wrap, this.lrSlider.wrap, this.kSlider.wrap, this.mSlider.wrap, this.editor);
    this.syncControls();
  }

  currentPatterns() {
    if (this.cfg.preset === "custom" && this.cfg.patterns) return this.cfg.patterns;
    return this.handle ? Array.from(this.handle.patterns()) : [];
  }

  /** Rebuilds the pattern editor: one 3 × 3 grid of toggle buttons per image. */
  renderEditor() {
    const pats = this.currentPatterns();
    const grids = pats.map((s, k) => {
      const cells = [];
      for (let u = 0; u < UNITS; u++) {
        const on = ((s >> u) & 1) === 1;
        cells.push(
          h("button", {
            type: "button",
            class: "sb-bm-px",
            "aria-pressed": String(on),
            "aria-label": `Image ${k + 1}, row ${Math.floor(u / 3) + 1}, column ${(u % 3) + 1}`,
            onclick: () => this.editPatterns((p) => p.map((x, j) => (j === k ? x ^ (1 << u) : x))),
          }),
        );
      }
      return h(
        "div",
        { class: "sb-bm-item", role: "group", "aria-label": `Image ${k + 1}` },
        h("div", { class: "sb-bm-grid" }, ...cells),
        h("button", { type: "button", class: "sb-bm-remove", "aria-label": `Remove image ${k + 1}`, disabled: pats.length <= 1, onclick: () => this.editPatterns((p) => p.filter((_, j) => j !== k)) }, "Remove"),
      );
    });
    this.editorBody.replaceChildren(...grids);
    this.addBtn.disabled = pats.length >= MAX_EDIT;
  }

  editPatterns(change) {
    const next = change(this.currentPatterns());
    this.cfg.preset = "custom";
    this.cfg.patterns = next;
    this.presetSel.input.value = "custom";
    const focused = this.editor.contains(document.activeElement) ? document.activeElement.getAttribute("aria-label") : null;
    this.applyPatterns();
    if (focused) this.editorBody.querySelector(`[aria-label="${focused}"]`)?.focus();
  }

  patternsForCore() {
    if (this.cfg.preset === "custom") return new Uint32Array(this.cfg.patterns ?? []);
    return this.mod.BoltzmannWidget.presetPatterns(this.cfg.preset);
  }

  applyPatterns() {
    this.guard(() => this.handle.setPatterns(this.patternsForCore()));
    this.afterChange();
  }

  restartWith(f) {
    if (!this.handle) return;
    this.guard(f);
    this.afterChange();
  }

  afterChange() {
    this.clearError();
    this.stepTimes = [];
    this.renderEditor();
    this.paramChanged({ restarted: true });
    this.redraw();
    this.updateReadouts(true);
  }

  build(mod) {
    this.handle = new mod.BoltzmannWidget(UNITS, this.patternsForCore(), this.cfg.lr, this.cfg.k, this.cfg.m, this.seed());
    this.renderEditor();
  }

  onReset(seed) {
    this.handle.reset(seed);
  }

  stepsNow() {
    return this.handle ? this.handle.updates : 0;
  }

  /** Runs `fixed` updates, or as many as fit in `budgetMs` when fixed is 0. */
  advance(budgetMs, fixed) {
    return this.stepWithin(budgetMs, fixed, 200);
  }

  render() {
    this.handle.draw(this.canvas, this.dpr, this.dark);
    this.handle.drawChart(this.chart, this.dpr, this.dark);
  }

  exports() {
    return [
      svgExport("KL chart (SVG)", "boltzmann-kl.svg", () => this.handle.chartSvg(640, 260, false)),
      {
        label: "KL curves (CSV)",
        filename: "boltzmann-kl.csv",
        blob: async () => {
          const [a, b, c] = [0, 1, 2].map((i) => this.handle.klHistory(i));
          const rows = Array.from(a, (v, i) => [i, v, b[i], c[i]]);
          return new Blob([csv(["update", "kl_exact", `kl_cd${this.cfg.k}`, `kl_pcd${this.cfg.k}`], rows)], { type: "text/csv" });
        },
      },
      {
        label: "Parameters (JSON)",
        filename: "boltzmann-params.json",
        blob: async () => {
          const w = this.handle;
          const doc = {
            units: UNITS,
            layout: "theta = couplings W_ij for i < j row by row, then biases b_i; E(s) = -sum W_ij s_i s_j - sum b_i s_i, s in {0,1}",
            patterns: Array.from(w.patterns()),
            updates: w.updates,
            exact: Array.from(w.params(0)),
            cd: Array.from(w.params(1)),
            pcd: Array.from(w.params(2)),
          };
          return new Blob([JSON.stringify(doc, null, 1)], { type: "application/json" });
        },
      },
    ];
  }

  tableRows() {
    const w = this.handle;
    const names = ["exact gradient", `CD-${w.sweeps}`, `PCD-${w.sweeps}`];
    const rows = [["Entropy of the data H(p), nats", "", fmt(w.entropy(), 4)]];
    for (let i = 0; i < 3; i++) {
      rows.push([`KL(p‖q) of ${names[i]} (exact, nats)`, "", fmt(w.kl(i), 4)]);
      if (i > 0) rows.push([`Cosine of the ${names[i]} gradient with the exact one`, fmt(w.cosine(i), 3), "1"]);
      rows.push([`Moment mismatch of ${names[i]}`, "", fmt(w.mismatch(i), 3)]);
    }
    rows.push([`Relative bias of the CD-${w.sweeps} gradient (exact)`, "", fmt(w.cdBias(), 3)]);
    return rows;
  }

  readouts() {
    const w = this.handle;
    const k = w.sweeps;
    const kl = [0, 1, 2].map((i) => w.kl(i));
    this.setReadout("updates", "Updates", w.updates.toLocaleString("en-US"));
    this.setReadout("kl", `Exact KL(p‖q): exact | CD-${k} | PCD-${k}`, kl.map((v) => fmt(v, 4)).join(" | "), "KL divergence of the data distribution from each model, computed by enumerating all 512 states.");
    this.setReadout("cos", `Gradient cosine with the exact one: CD-${k} | PCD-${k}`, `${fmt(w.cosine(1), 3)} | ${fmt(w.cosine(2), 3)}`, "Cosine between the Monte Carlo gradient estimate of the last update and the exact gradient at the same parameters.");
    this.setReadout("bias", `CD-${k} bias ‖E[ĝ] − g‖/‖g‖ (exact)`, fmt(w.cdBias(), 3), "The expected CD-k gradient, computed by pushing the data distribution through k Gibbs sweeps exactly, compared with the true gradient.");
    this.setReadout("mismatch", "Moment mismatch max|⟨sᵢsⱼ⟩data − ⟨sᵢsⱼ⟩model|: exact | CD | PCD", [0, 1, 2].map((i) => fmt(w.mismatch(i), 3)).join(" | "), "Zero exactly at the maximum-likelihood fit, where the model reproduces every pixel mean and pairwise correlation of the data.");
    this.setReadout("entropy", "Data entropy H(p) | exact model log Z", `${fmt(w.entropy(), 4)} | ${fmt(w.logZ(0), 4)}`);
    const top = w.topStates(0, 1);
    const summary = `Update ${w.updates}: exact KL ${fmt(kl[0], 3)}, CD-${k} ${fmt(kl[1], 3)}, PCD-${k} ${fmt(kl[2], 3)} nats. The exact model's most probable image has probability ${pct(top[1])}.`;
    this.canvas.setAttribute("aria-label", `Boltzmann machine on ${w.patterns().length} training images. ${summary}`);
    this.chart.setAttribute("aria-label", `Exact KL against update. ${summary}`);
    if (!this.error) this.announce(summary);
  }
}

customElements.define("sb-boltzmann", SbBoltzmann);
