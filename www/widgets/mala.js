// <sb-mala>: the unadjusted Langevin algorithm beside the Metropolis-adjusted one (MALA), same
// target, same step size, same start and same proposal noise.
//
// Section: "Langevin dynamics" (index.html#langevin). Rust handle: MalaWidget.
// Attributes (all optional): target = gaussian | two-modes | ring8, step-size (0 < ε ≤ 10),
// particles (per run), seed, autoplay = "false", controls = "hidden", text = "hidden".
// Every number shown comes from the Rust core.
// Embed: <script type="module" src=".../widgets/mala.js"></script>
//        <sb-mala target="gaussian" step-size="1"></sb-mala>

import { SbWidget, h, slider, select, fmt } from "../lib/widget.js";
import { parsers } from "../lib/state.js";
import { csvExport, svgExport } from "../lib/export.js";

const TARGETS = [
  ["gaussian", "Single Gaussian N(0, I)"],
  ["two-modes", "Two modes, weights 0.8 / 0.2"],
  ["ring8", "Ring of 8 Gaussians"],
];
// stops on both sides of the Gaussian's stability limit 4s² = 4
const EPS_STOPS = [0.001, 0.003, 0.01, 0.03, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1, 1.5, 2, 2.5, 3, 3.5, 3.9, 4.2, 5, 6, 8];
const N_STOPS = [1000, 2000, 5000, 10000, 20000, 50000, 100000, 200000];
const nearest = (stops, v) => stops.reduce((b, s, i) => (Math.abs(Math.log(s / v)) < Math.abs(Math.log(stops[b] / v)) ? i : b), 0);

class SbMala extends SbWidget {
  static title = "ULA beside MALA";

  stateSpec() {
    return {
      target: { parse: parsers.oneOf(TARGETS.map((t) => t[0])) },
      eps: { parse: (s) => { const v = parsers.number(1e-6, 10)(s); return v > 0 ? v : undefined; } },
      n: { parse: parsers.integer(1, 1000000) },
    };
  }

  getState() {
    const c = this.cfg;
    return { target: c.target, eps: c.eps, n: c.n };
  }

  setState(v) {
    Object.assign(this.cfg, Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)));
    this.syncControls();
  }

  syncControls() {
    const c = this.cfg;
    this.targetSel.input.value = c.target;
    this.epsS.set(nearest(EPS_STOPS, c.eps));
    this.epsS.wrap.querySelector("output").textContent = String(c.eps);
    this.nS.set(nearest(N_STOPS, c.n));
    this.nS.wrap.querySelector("output").textContent = c.n.toLocaleString("en-US");
  }

  buildUi() {
    const a = (k, d) => this.getAttribute(k) ?? d;
    this.cfg = { target: a("target", "gaussian"), eps: Number(a("step-size", "1")), n: Number(a("particles", "20000")) };
    this.ulaCanvas = h("canvas", { class: "sb-main sb-ula", role: "img", "aria-label": "ULA particles over the target density" });
    this.malaCanvas = h("canvas", { class: "sb-main sb-mala", role: "img", "aria-label": "MALA particles over the target density" });
    this.chart = h("canvas", { class: "sb-chart", role: "img", "aria-label": "Variance per axis against step for both samplers" });
    this.ulaTitle = h("p", { class: "sb-caption sb-ula-title" }, "ULA (unadjusted)");
    const pair = (canvas, title) => h("div", {}, typeof title === "string" ? h("p", { class: "sb-caption" }, title) : title, canvas);
    this.stage.append(
      h("div", { class: "sb-pair", style: "display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:0.5rem;align-items:end" },
        pair(this.ulaCanvas, this.ulaTitle),
        pair(this.malaCanvas, "MALA (accept/reject)")),
      h("p", { class: "sb-caption" }, "Both clouds start from the same draw of N(0, 9I) and propose the same moves; MALA accepts each with the Metropolis–Hastings probability. Shading: the exact target density."),
      this.chart,
      h("p", { class: "sb-caption" }, "Variance per axis against step (log scale). Grey: the target's. Green (single Gaussian): ULA's exact stationary variance s²/(1 − ε/(4s²))."),
    );
    const c = this.cfg;
    this.targetSel = select({ label: "Target", options: TARGETS, value: c.target, onchange: (v) => { c.target = v; this.guard(() => this.handle?.setTarget(v)); this.afterChange(true); } });
    this.epsS = slider({
      label: "Step size ε (both samplers)", min: 0, max: EPS_STOPS.length - 1, step: 1, value: nearest(EPS_STOPS, c.eps),
      format: (i) => String(EPS_STOPS[i]), describe: (i) => `epsilon ${EPS_STOPS[i]}`,
      oninput: (i) => { c.eps = EPS_STOPS[i]; this.guard(() => this.handle?.setStepSize(c.eps)); this.afterChange(this.stepsNow() === 0); },
    });
    this.nS = slider({
      label: "Particles per run", min: 0, max: N_STOPS.length - 1, step: 1, value: nearest(N_STOPS, c.n), format: (i) => N_STOPS[i].toLocaleString("en-US"),
      oninput: (i) => { c.n = N_STOPS[i]; this.guard(() => this.handle?.setParticles(c.n)); this.afterChange(true); },
    });
    this.params.append(this.targetSel.wrap, this.epsS.wrap, this.nS.wrap);
    this.syncControls();
  }

  afterChange(restarted) {
    this.clearError();
    this.paramChanged({ restarted });
    this.redraw();
    this.updateReadouts(true);
  }

  build(mod) {
    const c = this.cfg;
    this.handle = new mod.MalaWidget(c.target, c.n, c.eps, this.seed());
  }

  onReset(seed) {
    this.handle.reset(seed);
    this.handle.setStepSize(this.cfg.eps);
  }

  stepsNow() {
    return this.handle ? this.handle.steps : 0;
  }

  advance(budgetMs, fixed) {
    return this.stepWithin(budgetMs, fixed, 500);
  }

  render() {
    this.handle.draw(this.ulaCanvas, 0, this.dpr, this.dark);
    this.handle.draw(this.malaCanvas, 1, this.dpr, this.dark);
  }

  exports() {
    return [
      svgExport("Variance chart (SVG)", "mala-variance.svg", () => this.handle.historySvg(640, 260, false)),
      csvExport("Variance history (CSV)", "mala-variance.csv", ["step", "ula_variance", "mala_variance"], () => this.handle.history()),
    ];
  }

  tableRows() {
    const w = this.handle;
    const u = w.ulaMoments(), m = w.malaMoments(), t = w.targetMoments();
    const rows = [];
    const names = ["Mean x", "Mean y", "Variance x", "Covariance xy", "Variance y"];
    names.forEach((nm, i) => {
      rows.push([`${nm}, ULA`, fmt(u[i], 4), fmt(t[i], 4)]);
      rows.push([`${nm}, MALA`, fmt(m[i], 4), fmt(t[i], 4)]);
    });
    const v = w.ulaStationaryVariance();
    if (w.targetVariance() !== undefined) rows.push(["ULA variance per axis for this ε", fmt(0.5 * (u[2] + u[4]), 4), v === undefined ? "unstable (ε ≥ 4s²)" : fmt(v, 4)]);
    rows.push(["MALA acceptance rate", fmt(w.acceptance, 4), "→ 1 as ε → 0"]);
    return rows;
  }

  readouts() {
    const w = this.handle;
    const u = w.ulaMoments(), m = w.malaMoments(), t = w.targetMoments();
    const vu = 0.5 * (u[2] + u[4]), vm = 0.5 * (m[2] + m[4]), vt = 0.5 * (t[2] + t[4]);
    this.setReadout("steps", "Steps", w.steps.toLocaleString("en-US"));
    this.setReadout("acc", "MALA acceptance rate (all steps | last step)", `${fmt(w.acceptance, 4)} | ${fmt(w.lastAcceptance, 4)}`,
      "Share of proposals accepted since the start or the last change of ε.");
    const s2 = w.targetVariance();
    const vInf = w.ulaStationaryVariance();
    this.setReadout("var", "Variance per axis: ULA | MALA | exact p", `${w.ulaError ? "diverged" : fmt(vu, 4)} | ${fmt(vm, 4)} | ${fmt(vt, 4)}`);
    this.setReadout("bias", "ULA's exact stationary variance for this ε",
      s2 === undefined ? "single Gaussian target only" : vInf === undefined ? "none: unstable (ε ≥ 4s²)" : `${fmt(vInf, 4)} (MALA's: ${fmt(s2, 4)} exactly)`,
      "For N(0, s²I), ULA's stationary variance is s²/(1 − ε/(4s²)); MALA leaves p itself invariant for every ε.");
    this.setReadout("mean", "Mean: ULA | MALA | exact", `${w.ulaError ? "–" : `(${fmt(u[0], 3)}, ${fmt(u[1], 3)})`} | (${fmt(m[0], 3)}, ${fmt(m[1], 3)}) | (${fmt(t[0], 3)}, ${fmt(t[1], 3)})`);
    this.ulaTitle.textContent = w.ulaError ? "ULA: diverged (reset to restart)" : "ULA (unadjusted)";
    this.setReadout("ula", "ULA status", w.ulaError ? `diverged: ${w.ulaError}` : "running");
    this.setReadout("kernel", "Kernel", `${w.kernel} · ${w.len.toLocaleString("en-US")} particles per run`);
    this.setReadout("checksum", "Checksums (ULA:MALA)", w.checksum());
    w.drawHistory(this.chart, this.dpr, this.dark);
    const summary = `Step ${w.steps}, step size ${fmt(w.stepSize, 3)}. Variance per axis: ULA ${w.ulaError ? "diverged" : fmt(vu, 3)}, MALA ${fmt(vm, 3)}, exact ${fmt(vt, 3)}. MALA acceptance ${fmt(w.acceptance, 3)}.`;
    this.malaCanvas.setAttribute("aria-label", `MALA particles over the target density. ${summary}`);
    if (!this.error) this.announce(summary);
  }
}

customElements.define("sb-mala", SbMala);
