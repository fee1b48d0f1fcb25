// <sb-sda-lorenz>: a Lorenz-63 twin experiment. The truth (σ = 10, ρ = 28, β = 8/3, RK4 over
// Δt = 0.025 with transition noise of variance Δt), its observations through one standardised
// coordinate, and the ground-truth posterior over the window's trajectories from a bootstrap
// particle filter with systematic resampling; a second, independent filter gives the sliced
// Wasserstein noise floor. The filters run in chunks across animation frames. Once they are done,
// "Sample score-based posterior" draws 64 windows with the shipped window-score model
// (www/models/lorenz-window-L9.sbnn, `cargo run --release --example train_lorenz_window`) and
// SDA's Gaussian-approximation guidance (SdaWindowWidget), also in chunks across frames.
//
// Attributes (all optional): operator = x8 | x1 | z4, window (2 to 257 states), start (first
// state of the window in the 512-state truth), particles (64 to 65,536, with particles × window
// at most 2.2 million), corrections (Langevin corrections K per level of the score-based
// sampler, 0 to 4), seed, autoplay = "false",
// controls = "hidden", text = "hidden". All numbers come from the Rust core (SdaLorenzWidget).

import { SbWidget, h, slider, select, fmt } from "../lib/widget.js";
import { parsers } from "../lib/state.js";
import { csvExport, svgExport } from "../lib/export.js";

const OPERATORS = [
  ["x8", "x every 8 steps, noise 0.05"],
  ["x1", "x every step, noise 0.25"],
  ["z4", "z every 4 steps, noise 0.1 (two modes)"],
];
const WINDOWS = [9, 17, 33, 49, 65, 129];
/** The window length of the shipped score model. */
const SCORE_L = 9;
const N_STOPS = [1024, 4096, 16384, 32768];
const nearest = (stops, v) => stops.reduce((b, s, i) => (Math.abs(Math.log(s / v)) < Math.abs(Math.log(stops[b] / v)) ? i : b), 0);

class SbSdaLorenz extends SbWidget {
  /** The wasm bundle with this widget’s bindings (sections 5-8). */
  static wasmBundle = "b";

  static title = "Lorenz-63 twin experiment with a particle-filter posterior";

  stateSpec() {
    return {
      op: { parse: parsers.oneOf(OPERATORS.map((o) => o[0])) },
      L: { parse: parsers.integer(2, 257) },
      start: { parse: parsers.integer(0, 510) },
      n: { parse: parsers.integer(64, 65536) },
      K: { parse: parsers.integer(0, 4) },
    };
  }

  getState() {
    const c = this.cfg;
    return { op: c.op, L: c.L, start: c.start, n: c.n, K: c.K };
  }

  setState(v) {
    for (const k of ["op", "L", "start", "n", "K"]) if (v[k] !== undefined) this.cfg[k] = v[k];
    this.syncControls();
  }

  syncControls() {
    const c = this.cfg;
    this.opSel.input.value = c.op;
    this.lS.set(nearest(WINDOWS, c.L));
    this.lS.wrap.querySelector("output").textContent = String(c.L);
    this.startS.set(c.start);
    this.startS.wrap.querySelector("output").textContent = String(c.start);
    this.nS.set(nearest(N_STOPS, c.n));
    this.nS.wrap.querySelector("output").textContent = c.n.toLocaleString("en");
    this.kS.set(c.K);
  }

  buildUi() {
    const a = (k, d) => this.getAttribute(k) ?? d;
    this.cfg = { op: a("operator", "x8"), L: Number(a("window", "65")), start: Number(a("start", "64")), n: Number(a("particles", "16384")), K: Number(a("corrections", "1")) };
    this.canvas = h("canvas", { class: "sb-main sb-tall", role: "img", "aria-label": "Truth, observations and particle-filter posterior trajectories of x, y and z" });
    this.stage.append(
      this.canvas,
      h("p", { class: "sb-caption" }, "Dark line: the simulated truth. Orange dots: the observations (standardised values mapped back to the state's units). Blue: 64 posterior trajectories of the particle filter, traced back through their ancestry, and their mean (thick; with z observed the posterior has two mirror-image modes and the mean lies between them). This is the ground truth the score-based sampler below is compared with."),
      (this.sdaCanvas = h("canvas", { class: "sb-main sb-tall", role: "img", "aria-label": "Score-based posterior trajectories of x, y and z" })),
      h("p", { class: "sb-caption" }, `Score-based posterior (window length ${SCORE_L} only: the shipped score model covers ${SCORE_L}-state windows). Blue: 64 trajectories from the reverse SDE with a score network trained by denoising score matching on simulated windows, guided by the Gaussian approximation of the likelihood, with K Langevin corrections per noise level. Press "Sample score-based posterior" once the filters are done.`),
    );
    const c = this.cfg;
    const restart = () => this.apply(() => this.configure());
    this.opSel = select({ label: "Observations", options: OPERATORS, value: c.op, onchange: (v) => { c.op = v; restart(); } });
    this.lS = slider({ label: "Window length L (states)", min: 0, max: WINDOWS.length - 1, step: 1, value: nearest(WINDOWS, c.L), format: (i) => String(WINDOWS[i]), oninput: (i) => { c.L = WINDOWS[i]; restart(); } });
    this.startS = slider({ label: "Window start (state of the truth)", min: 0, max: 383, step: 1, value: c.start, format: (v) => String(v), oninput: (v) => { c.start = v; restart(); } });
    this.nS = slider({ label: "Particles per filter", min: 0, max: N_STOPS.length - 1, step: 1, value: nearest(N_STOPS, c.n), format: (i) => N_STOPS[i].toLocaleString("en"), oninput: (i) => { c.n = N_STOPS[i]; restart(); } });
    this.kS = slider({ label: "Langevin corrections K per level (score-based sampler)", min: 0, max: 4, step: 1, value: c.K, format: (v) => String(v), oninput: (v) => { c.K = v; this.paramChanged({ restarted: false }); } });
    this.sdaBtn = h("button", { type: "button", class: "sb-sda-sample", onclick: () => this.sampleScoreBased() }, "Sample score-based posterior");
    this.params.append(this.opSel.wrap, this.lS.wrap, this.startS.wrap, this.nS.wrap, this.kS.wrap, h("div", { class: "sb-field" }, this.sdaBtn));
    this.syncControls();
  }

  /** The shipped window-score weights, as bytes. */
  async fetchScoreModel() {
    if (this.scoreBytes) return this.scoreBytes;
    const url = new URL(`../models/lorenz-window-L${SCORE_L}.sbnn`, import.meta.url);
    const r = await fetch(url);
    if (!r.ok) throw new Error(`could not load the shipped score model ${url.pathname}: HTTP ${r.status}`);
    this.scoreBytes = new Uint8Array(await r.arrayBuffer());
    return this.scoreBytes;
  }

  freeSda() {
    if (this.sda) this.sda.free();
    this.sda = null;
  }

  /** Starts the score-based sampler on the finished twin experiment (the core checks the window length). */
  async sampleScoreBased() {
    if (!this.handle) return;
    this.clearError();
    let bytes;
    try {
      bytes = await this.fetchScoreModel();
    } catch (err) {
      this.showError(err);
      return;
    }
    const ok = this.guard(() => {
      const fresh = new this.mod.SdaWindowWidget(this.handle, bytes, this.cfg.K, this.seed());
      this.freeSda();
      this.sda = fresh;
      return true;
    });
    if (ok) {
      this.redraw();
      this.updateReadouts(true);
      this.play();
    }
  }

  configure() {
    this.freeSda();
    const c = this.cfg;
    const fresh = new this.mod.SdaLorenzWidget(c.op, 8, 0.05, c.L, c.start, c.n, this.seed());
    this.freeHandle();
    this.handle = fresh;
  }

  apply(f) {
    if (!this.handle) return;
    this.clearError();
    this.guard(f);
    this.paramChanged({ restarted: true });
    this.redraw();
    this.updateReadouts(true);
  }

  build(mod) {
    const c = this.cfg;
    this.handle = new mod.SdaLorenzWidget(c.op, 8, 0.05, c.L, c.start, c.n, this.seed());
  }

  onReset(seed) {
    this.freeSda();
    this.handle.reset(seed);
  }

  stepsNow() {
    return this.handle ? Math.round(this.handle.stepsDone) : 0;
  }

  advance(budgetMs, fixed) {
    const w = this.handle;
    if (w.done && this.sda && !this.sda.done) {
      const t0 = performance.now();
      let more = this.sda.step(1);
      const per = Math.max(performance.now() - t0, 0.01);
      const n = Math.min(Math.floor((budgetMs - per) / per), 200);
      if (more && n > 0) more = this.sda.step(n);
      if (!more) this.pause();
      return;
    }
    if (fixed > 0) {
      for (let left = fixed; left > 0; left -= 10000) if (!w.step(Math.min(left, 10000))) break;
      return;
    }
    const t0 = performance.now();
    let more = w.step(1);
    const per = Math.max(performance.now() - t0, 0.01);
    const n = Math.min(Math.floor((budgetMs - per) / per), 2000);
    if (more && n > 0) more = w.step(n);
    if (!more) this.pause();
  }

  render() {
    this.handle.draw(this.canvas, this.dpr, this.dark);
    const ctx = this.sdaCanvas.getContext("2d");
    if (this.sda) this.sda.draw(this.sdaCanvas, this.dpr, this.dark);
    else ctx.clearRect(0, 0, this.sdaCanvas.width, this.sdaCanvas.height);
  }

  exports() {
    return [
      svgExport("Download picture (SVG)", "sda-lorenz.svg", () => this.handle.svg(900, 675, false)),
      csvExport("Download posterior trajectories (CSV)", "sda-lorenz.csv", ["sample", "k", "x", "y", "z"], () => {
        const m = Math.min(256, this.handle.particles);
        const s = this.handle.samples(m);
        const L = s.length / (3 * m);
        const out = [];
        for (let j = 0; j < m; j++) for (let k = 0; k < L; k++) out.push(j, k, s[3 * (j * L + k)], s[3 * (j * L + k) + 1], s[3 * (j * L + k) + 2]);
        return out;
      }),
    ];
  }

  tableRows() {
    const w = this.handle;
    const s = w.scores();
    return [
      ["mean log p(x) of the filter's trajectories (truth)", fmt(s[0], 5), fmt(s[2], 5)],
      ["mean log p(y | x) of the filter's trajectories (truth)", fmt(s[1], 5), fmt(s[3], 5)],
      ["SW₁ between two independent filters (noise floor)", fmt(w.slicedDistance(), 3), "0 as N → ∞"],
      ...(this.sda ? (() => {
        const r = this.sda.readouts();
        return [
          ["mean log p(x) of the score-based trajectories (truth)", fmt(r[0], 5), fmt(s[2], 5)],
          ["mean log p(y | x) of the score-based trajectories (truth)", fmt(r[1], 5), fmt(s[3], 5)],
          ["SW₁ from the score-based samples to the filter (noise floor)", fmt(r[2], 3), fmt(w.slicedDistance(), 3)],
        ];
      })() : []),
    ];
  }

  readouts() {
    const w = this.handle;
    const st = w.filterStats();
    const s = w.scores();
    this.setReadout("progress", "Progress (filter 1 | filter 2)", `${Math.round(100 * w.progress)} % (${w.phase(0)} | ${w.phase(1)})`);
    this.setReadout("obs", "Observations in the window", `${w.observationCount()} over ${w.window} states`);
    this.setReadout("ess", "Smallest effective sample size", `${fmt(st[0], 4)} of ${w.particles.toLocaleString("en")}`);
    this.setReadout("anc", "Distinct ancestors of the first state", fmt(st[1], 5));
    this.setReadout("ev", "log p̂(y), the filter's evidence", fmt(st[2], 5));
    this.setReadout("lp", "log p(x) under the dynamics: samples | truth", `${fmt(s[0], 5)} | ${fmt(s[2], 5)}`);
    this.setReadout("ll", "log p(y | x): samples | truth", `${fmt(s[1], 5)} | ${fmt(s[3], 5)}`);
    this.setReadout("sw", "Sliced W₁ between two filters (noise floor)", fmt(w.slicedDistance(), 3));
    this.sdaBtn.disabled = !w.done || w.window !== SCORE_L;
    this.sdaBtn.title = w.window !== SCORE_L ? `The score model covers ${SCORE_L}-state windows: set L = ${SCORE_L}` : w.done ? "" : "Wait for the particle filters";
    const d = this.sda;
    const r = d ? d.readouts() : [NaN, NaN, NaN];
    this.setReadout("sda", "Score-based sampler", d ? `${Math.round(100 * d.progress)} % (K = ${d.corrections})` : w.window === SCORE_L ? "not started" : `needs L = ${SCORE_L}`);
    this.setReadout("sdalp", "Score-based: log p(x) | log p(y | x)", `${fmt(r[0], 5)} | ${fmt(r[1], 5)}`);
    this.setReadout("sdasw", "Score-based: sliced W₁ to the filter", fmt(r[2], 3));
    const summary = `Lorenz-63 twin experiment, ${w.operator}: ${Math.round(100 * w.progress)} % done; log p(y | x) of the posterior samples ${fmt(s[1], 4)}, of the truth ${fmt(s[3], 4)}.`;
    this.canvas.setAttribute("aria-label", summary);
    if (!this.error) this.announce(summary);
  }
}

customElements.define("sb-sda-lorenz", SbSdaLorenz);
