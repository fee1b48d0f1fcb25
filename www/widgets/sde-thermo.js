// <sb-sde-thermo>: entropy production of a Brownian particle in a moving harmonic trap, against
// the thermodynamic speed limit Σ ≥ W₂²/(μTτ) (Ito 2024). Three protocols move the trap centre a
// distance L in time τ: relaxation (a jump), a linear ramp, and the geodesic (constant speed).
//
// Section: "Stochastic differential equations" (index.html#sde). Rust handle: SdeThermoWidget.
// Attributes (all optional): duration (τ), distance (L), stiffness (k), initial-sd (s₀),
// autoplay = "false", controls = "hidden", text = "hidden". μ = T = 1.
// Every number shown comes from the Rust core.
// Embed: <script type="module" src=".../widgets/sde-thermo.js"></script>
//        <sb-sde-thermo duration="1" distance="2"></sb-sde-thermo>

import { SbWidget, h, slider, fmt } from "../lib/widget.js";
import { parsers } from "../lib/state.js";
import { csvExport, svgExport } from "../lib/export.js";

const TAU_STOPS = [0.1, 0.2, 0.5, 1, 2, 5, 10, 20];
const L_STOPS = [0.5, 1, 2, 3, 5];
const K_STOPS = [0.25, 0.5, 1, 2, 4];
const S0_STOPS = [0.25, 0.5, 0.71, 1, 1.41, 2];
const nearest = (stops, v) => stops.reduce((b, s, i) => (Math.abs(Math.log(s / v)) < Math.abs(Math.log(stops[b] / v)) ? i : b), 0);
const NAMES = ["Relaxation (jump)", "Linear ramp", "Geodesic"];
const positive = (hi) => (s) => { const v = parsers.number(1e-9, hi)(s); return v > 0 ? v : undefined; };

class SbSdeThermo extends SbWidget {
  /** The wasm bundle with this widget’s bindings (sections 5-8). */
  static wasmBundle = "b";

  static title = "Entropy production and the thermodynamic speed limit";

  stateSpec() {
    return { tau: { parse: positive(1000) }, L: { parse: parsers.number(-100, 100) }, k: { parse: positive(100) }, s0: { parse: positive(100) } };
  }

  getState() {
    const c = this.cfg;
    return { tau: c.tau, L: c.L, k: c.k, s0: c.s0 };
  }

  setState(v) {
    Object.assign(this.cfg, Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)));
    this.syncControls();
  }

  syncControls() {
    const c = this.cfg;
    const show = (s, stops, v) => { s.set(nearest(stops, Math.abs(v) || stops[0])); s.wrap.querySelector("output").textContent = fmt(v, 3); };
    show(this.tauS, TAU_STOPS, c.tau);
    show(this.lS, L_STOPS, c.L);
    show(this.kS, K_STOPS, c.k);
    show(this.s0S, S0_STOPS, c.s0);
  }

  buildUi() {
    const a = (k, d) => this.getAttribute(k) ?? d;
    this.cfg = { tau: Number(a("duration", "1")), L: Number(a("distance", "2")), k: Number(a("stiffness", "1")), s0: Number(a("initial-sd", "1")) };
    this.rates = h("canvas", { class: "sb-chart sb-rates", role: "img", "aria-label": "Entropy-production rate against time for the three protocols" });
    this.dens = h("canvas", { class: "sb-chart sb-densities", role: "img", "aria-label": "The law of the particle at the cursor time for the three protocols" });
    this.stage.append(
      this.rates,
      h("p", { class: "sb-caption" }, "Entropy-production rate σ_t = (ṁ² + ṡ²)/(μT) against t. Orange: relaxation after a jump of the trap. Green: linear ramp. Blue: geodesic (the trap leads the mean so that it moves at constant speed). Grey line: the constant rate W₂²/(μTτ²) of the geodesic; grey vertical: the cursor."),
      this.dens,
      h("p", { class: "sb-caption" }, "The law P_t of the particle at the cursor time for each protocol (same colours), and the start P₀ in grey."),
    );
    const c = this.cfg;
    const stopSlider = (label, stops, key) =>
      slider({ label, min: 0, max: stops.length - 1, step: 1, value: nearest(stops, c[key]), format: (i) => fmt(stops[i], 3), oninput: (i) => { c[key] = stops[i]; this.apply(); } });
    this.tauS = stopSlider("Duration τ", TAU_STOPS, "tau");
    this.lS = stopSlider("Distance L", L_STOPS, "L");
    this.kS = stopSlider("Stiffness k", K_STOPS, "k");
    this.s0S = stopSlider("Start sd s₀ (equilibrium: 1/√k)", S0_STOPS, "s0");
    this.params.append(this.tauS.wrap, this.lS.wrap, this.kS.wrap, this.s0S.wrap);
    this.syncControls();
  }

  apply() {
    const c = this.cfg;
    this.clearError();
    this.guard(() => this.handle?.setParams(1, 1, c.k, c.s0, c.L, c.tau));
    this.paramChanged({ restarted: true });
    this.redraw();
    this.updateReadouts(true);
  }

  build(mod) {
    const c = this.cfg;
    this.handle = new mod.SdeThermoWidget(1, 1, c.k, c.s0, c.L, c.tau);
  }

  onReset() {
    const c = this.cfg;
    this.handle.setParams(1, 1, c.k, c.s0, c.L, c.tau);
  }

  stepsNow() {
    return this.handle ? this.handle.steps : 0;
  }

  advance(budgetMs, fixed) {
    if (this.handle.finished) {
      this.pause();
      this.status.textContent = "t = τ: press Reset to run again.";
      return;
    }
    this.handle.step(fixed > 0 ? fixed : 1);
    if (this.handle.finished && this.playing) this.pause();
  }

  render() {
    this.handle.drawRates(this.rates, this.dpr, this.dark);
    this.handle.drawDensities(this.dens, this.dpr, this.dark);
  }

  exports() {
    return [
      svgExport("Rate chart (SVG)", "sde-thermo-rates.svg", () => this.handle.ratesSvg(640, 260, false)),
      csvExport("Rates (CSV)", "sde-thermo-rates.csv", ["t", "sigma_relaxation", "sigma_ramp", "sigma_geodesic"], () => this.handle.curves()),
    ];
  }

  tableRows() {
    const w = this.handle;
    const s = w.totals();
    return NAMES.map((n, i) => [`${n}: Σ_τ (bound W₂²/(μTτ))`, fmt(s[4 * i], 6), fmt(s[4 * i + 1], 6)]);
  }

  readouts() {
    const w = this.handle;
    const s = w.totals();
    const r = w.rates();
    this.setReadout("t", "Cursor t", `${fmt(w.time, 3)} of τ = ${fmt(w.duration, 3)}`);
    NAMES.forEach((n, i) => {
      const [sig, bound] = [s[4 * i], s[4 * i + 1]];
      this.setReadout(`S${i}`, `${n}: Σ_τ vs W₂²/(μTτ)`, `${fmt(sig, 5)} ≥ ${fmt(bound, 5)} (ratio ${fmt(sig / bound, 4)}) · P_τ = N(${fmt(s[4 * i + 2], 3)}, ${fmt(s[4 * i + 3], 3)}²)`);
      const o = 9 * i;
      this.setReadout(`r${i}`, `${n} at t: σ_t = −Q̇/T + Ṡ`, `${fmt(r[o], 4)} = ${fmt(r[o + 2], 4)} + ${fmt(r[o + 3], 4)} · quadrature ${fmt(r[o + 1], 4)} · v²/(μT) ${fmt(r[o + 4], 4)}`);
    });
    this.setReadout("kl", "Relaxation: KL(P_t ‖ equilibrium)", `${fmt(r[8], 4)} (decreases at the rate σ_t)`);
    const summary = `Sigma: relaxation ${fmt(s[0], 3)} (bound ${fmt(s[1], 3)}), ramp ${fmt(s[4], 3)} (bound ${fmt(s[5], 3)}), geodesic ${fmt(s[8], 3)} (bound ${fmt(s[9], 3)}).`;
    this.rates.setAttribute("aria-label", `Entropy-production rates. ${summary}`);
    if (!this.error) this.announce(summary);
  }
}

customElements.define("sb-sde-thermo", SbSdeThermo);
