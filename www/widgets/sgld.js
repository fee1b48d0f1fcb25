// <sb-sgld>: stochastic-gradient Langevin dynamics on a conjugate Gaussian posterior
// (y_i ~ N(θ, 1), prior N(0, 1)), with minibatch gradients; a decreasing step schedule
// ε_t = a (b + t)^(−γ) beside a constant step, against the exact posterior.
//
// Section: "Langevin dynamics" (index.html#langevin). Rust handle: SgldWidget.
// Attributes (all optional): data-size (N), theta (θ used to draw the data), batch-size (n),
// a, b, gamma, constant-step, seed, autoplay = "false", controls = "hidden", text = "hidden".
// Every number shown comes from the Rust core.
// Embed: <script type="module" src=".../widgets/sgld.js"></script>
//        <sb-sgld data-size="100" batch-size="10" gamma="0.55"></sb-sgld>

import { SbWidget, h, slider, fmt } from "../lib/widget.js";
import { parsers } from "../lib/state.js";
import { csvExport, svgExport } from "../lib/export.js";

const N_STOPS = [10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];
const B_STOPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];
const A_STOPS = [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1];
const G_STOPS = [0.51, 0.55, 0.6, 0.7, 0.8, 0.9, 1];
const C_STOPS = [1e-4, 2e-4, 5e-4, 0.001, 0.002, 0.005, 0.01, 0.02, 0.03, 0.035, 0.04, 0.05];
const nearest = (stops, v) => stops.reduce((b, s, i) => (Math.abs(Math.log(s / v)) < Math.abs(Math.log(stops[b] / v)) ? i : b), 0);
const positive = (hi) => (s) => { const v = parsers.number(1e-12, hi)(s); return v > 0 ? v : undefined; };

class SbSgld extends SbWidget {
  static title = "Stochastic-gradient Langevin dynamics";

  stateSpec() {
    return {
      N: { parse: parsers.integer(1, 100000) },
      n: { parse: parsers.integer(1, 100000) },
      a: { parse: positive(10) },
      b: { parse: positive(1e9) },
      g: { parse: parsers.number(0.5, 1) },
      c: { parse: positive(10) },
    };
  }

  getState() {
    const c = this.cfg;
    return { N: c.N, n: c.n, a: c.a, b: c.b, g: c.g, c: c.c };
  }

  setState(v) {
    Object.assign(this.cfg, Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)));
    this.syncControls();
  }

  syncControls() {
    const c = this.cfg;
    const show = (s, stops, v) => {
      s.set(nearest(stops, v));
      s.wrap.querySelector("output").textContent = typeof v === "number" && v >= 1000 ? v.toLocaleString("en-US") : String(v);
    };
    show(this.nS, N_STOPS, c.N);
    show(this.bS, B_STOPS, c.n);
    show(this.aS, A_STOPS, c.a);
    show(this.gS, G_STOPS, c.g);
    show(this.cS, C_STOPS, c.c);
  }

  buildUi() {
    const at = (k, d) => this.getAttribute(k) ?? d;
    this.cfg = {
      N: Number(at("data-size", "100")),
      theta: Number(at("theta", "1")),
      n: Number(at("batch-size", "10")),
      a: Number(at("a", "0.02")),
      b: Number(at("b", "100")),
      g: Number(at("gamma", "0.55")),
      c: Number(at("constant-step", "0.005")),
    };
    this.hist = h("canvas", { class: "sb-chart sb-hist", style: "aspect-ratio:3/2", role: "img", "aria-label": "Histograms of both chains against the exact posterior" });
    this.meanChart = h("canvas", { class: "sb-chart sb-mean", style: "aspect-ratio:2/1", role: "img", "aria-label": "Running mean of both chains against step" });
    this.varChart = h("canvas", { class: "sb-chart sb-var", style: "aspect-ratio:2/1", role: "img", "aria-label": "Running variance of both chains against step" });
    this.stage.append(
      this.hist,
      h("p", { class: "sb-caption" }, "Step-size-weighted histograms of θ after 1,000 burn-in steps, in posterior standard deviations from the exact posterior mean. Blue: the decreasing-step chain. Orange: the constant-step chain. Thin curve in the text colour: the exact posterior N(0, 1). Green: the exact stationary law of the constant-step chain."),
      this.meanChart,
      h("p", { class: "sb-caption" }, "Running weighted mean of each chain minus the exact posterior mean, in posterior standard deviations."),
      this.varChart,
      h("p", { class: "sb-caption" }, "Running weighted variance of each chain divided by the exact posterior variance 1/(N + 1). Green: the exact value for the constant step."),
    );
    const c = this.cfg;
    const stop = (label, stops, key, f = String) =>
      slider({
        label, min: 0, max: stops.length - 1, step: 1, value: nearest(stops, c[key]), format: (i) => f(stops[i]),
        oninput: (i) => { c[key] = stops[i]; this.apply(); },
      });
    const big = (v) => v.toLocaleString("en-US");
    this.nS = stop("Data points N", N_STOPS, "N", big);
    this.bS = stop("Batch size n (at most N)", B_STOPS, "n", big);
    this.aS = stop("Decreasing schedule: a", A_STOPS, "a");
    this.gS = stop("Decreasing schedule: γ", G_STOPS, "g");
    this.cS = stop("Constant step ε", C_STOPS, "c");
    this.params.append(this.nS.wrap, this.bS.wrap, this.aS.wrap, this.gS.wrap, this.cS.wrap);
    this.syncControls();
  }

  apply() {
    const c = this.cfg;
    // the batch cannot exceed the data: follow N down (a visible change of the batch slider)
    if (c.n > c.N) {
      c.n = c.N;
      this.syncControls();
    }
    this.clearError();
    this.guard(() => this.handle?.setParameters(c.N, c.n, c.a, c.b, c.g, c.c));
    this.paramChanged({ restarted: true });
    this.redraw();
    this.updateReadouts(true);
  }

  build(mod) {
    const c = this.cfg;
    this.handle = new mod.SgldWidget(c.N, c.theta, c.n, c.a, c.b, c.g, c.c, this.seed());
  }

  onReset(seed) {
    const c = this.cfg;
    this.handle.setParameters(c.N, c.n, c.a, c.b, c.g, c.c);
    this.handle.reset(seed);
  }

  stepsNow() {
    return this.handle ? this.handle.steps : 0;
  }

  advance(budgetMs, fixed) {
    return this.stepWithin(budgetMs, fixed, 200000);
  }

  render() {
    this.handle.drawHistogram(this.hist, this.dpr, this.dark);
    this.handle.drawRunning(this.meanChart, 0, this.dpr, this.dark);
    this.handle.drawRunning(this.varChart, 1, this.dpr, this.dark);
  }

  exports() {
    return [
      svgExport("Histogram (SVG)", "sgld-histogram.svg", () => this.handle.histogramSvg(640, 380, false)),
      csvExport("Running moments (CSV)", "sgld-running.csv", ["step", "mean_error_sd_decreasing", "variance_ratio_decreasing", "mean_error_sd_constant", "variance_ratio_constant"], () => this.handle.history()),
    ];
  }

  tableRows() {
    const w = this.handle;
    const p = w.posterior(), d = w.decreasingMoments(), k = w.constantMoments();
    const v = w.constantStepVariance();
    return [
      ["Posterior mean, decreasing-step chain", fmt(d[0], 5), fmt(p[0], 5)],
      ["Posterior mean, constant-step chain", fmt(k[0], 5), fmt(p[0], 5)],
      ["Posterior variance, decreasing-step chain", fmt(d[1], 5), fmt(p[1], 5)],
      ["Variance, constant-step chain (exact: its stationary variance)", fmt(k[1], 5), v === undefined ? "unstable" : fmt(v, 5)],
    ];
  }

  readouts() {
    const w = this.handle;
    const p = w.posterior(), d = w.decreasingMoments(), k = w.constantMoments();
    const v = w.constantStepVariance();
    const c = this.cfg;
    const vg = w.gradientNoiseVariance;
    this.setReadout("steps", "Steps t", w.steps.toLocaleString("en-US"));
    this.setReadout("post", "Exact posterior N(Σy/(N+1), 1/(N+1))", `mean ${fmt(p[0], 5)} · variance ${fmt(p[1], 5)}`);
    this.setReadout("dec", "Decreasing ε_t: weighted mean · variance", `${fmt(d[0], 5)} · ${fmt(d[1], 5)} (${fmt(d[1] / p[1], 3)}× the posterior's)`);
    this.setReadout("con", "Constant ε: weighted mean · variance", w.constantError ? `diverged: ${w.constantError}` : `${fmt(k[0], 5)} · ${fmt(k[1], 5)} (${fmt(k[1] / p[1], 3)}× the posterior's)`);
    this.setReadout("exactc", "Exact stationary variance for constant ε", v === undefined ? `none: unstable (ε ≥ 4/(N+1) = ${fmt(w.stepLimit, 4)})` : `${fmt(v, 5)} (${fmt(v / p[1], 4)}× the posterior's)`,
      "(1 + εV_g/4) / ((N+1)(1 − ε(N+1)/4)): minibatch noise times discretisation bias.");
    const et = w.currentStep;
    this.setReadout("eps", "Step now: decreasing ε_t | constant ε", `${fmt(et, 3)} | ${fmt(c.c, 3)}`);
    this.setReadout("ratio", "Gradient noise / injected noise, εV_g/4", `${fmt((et * vg) / 4, 3)} | ${fmt((c.c * vg) / 4, 3)}`,
      "The minibatch error adds variance (ε/2)²V_g per step, the injected noise ε: their ratio εV_g/4 shrinks with the step.");
    this.setReadout("vg", "Minibatch gradient variance V_g", fmt(vg, 4));
    this.setReadout("checksum", "Chains' θ bits (decreasing:constant)", w.checksum());
    const summary = `Step ${w.steps}. Posterior variance ${fmt(p[1], 4)}; decreasing-step chain ${fmt(d[1], 4)}, constant-step chain ${w.constantError ? "diverged" : fmt(k[1], 4)}.`;
    this.hist.setAttribute("aria-label", `Histograms of both chains against the exact posterior. ${summary}`);
    if (!this.error) this.announce(summary);
  }
}

customElements.define("sb-sgld", SbSgld);
