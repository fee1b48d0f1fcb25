// <sb-ddpm-forward>: the DDPM forward process on a 2-D mixture, with a schedule editor. Clean
// samples x₀ are noised in one shot, x_t = √ᾱ_t x₀ + √(1 − ᾱ_t) ε (the same ε for every t), over
// the EXACT density of q(x_t); the schedule is linear, cosine or a log-SNR curve whose knots are
// dragged on the SNR chart (or typed). Charts: ᾱ_t and β_t, SNR_t (log scale), and the prior gap
// KL(q(x_T) ‖ N(0, I)) against T for the current schedule family.
//
// Section: "Denoising diffusion (DDPM)" (index.html#ddpm). Rust handle: DdpmForwardWidget.
// Attributes (all optional): target = ring8 | two-modes | gaussian, schedule = linear | cosine |
// custom, steps (T), beta-start, beta-end, knots (e.g. "8,4,0,-4,-8"), t, particles, seed,
// autoplay = "false", controls = "hidden", text = "hidden".
// Every number shown comes from the Rust core.
// Embed: <script type="module" src=".../widgets/ddpm-forward.js"></script>
//        <sb-ddpm-forward schedule="cosine" steps="1000"></sb-ddpm-forward>

import { SbWidget, h, slider, select, fmt } from "../lib/widget.js";
import { parsers } from "../lib/state.js";
import { csvExport, svgExport } from "../lib/export.js";

const TARGETS = [
  ["ring8", "Ring of 8 Gaussians"],
  ["two-modes", "Two modes, weights 0.8 / 0.2"],
  ["gaussian", "Single Gaussian N(0, I)"],
];
const KINDS = [
  ["linear", "Linear β (Ho et al.)"],
  ["cosine", "Cosine (Nichol & Dhariwal)"],
  ["custom", "Custom: drag the log-SNR knots"],
];
const T_STOPS = [1, 2, 5, 10, 20, 50, 100, 200, 300, 500, 1000, 2000, 5000];
const BS_STOPS = [1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3];
const BE_STOPS = [1e-3, 2e-3, 5e-3, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5];
const N_STOPS = [1000, 2000, 5000, 10000, 20000, 50000];
const nearest = (stops, v) => stops.reduce((b, s, i) => (Math.abs(Math.log(s / v)) < Math.abs(Math.log(stops[b] / v)) ? i : b), 0);
const positive = (hi) => (s) => { const v = parsers.number(0, hi)(s); return v > 0 ? v : undefined; };
const knotList = (s) => (/^\s*-?[\d.]+(\s*,\s*-?[\d.]+){1,15}\s*$/.test(s) ? s.replace(/\s+/g, "") : undefined);

class SbDdpmForward extends SbWidget {
  /** The wasm bundle with this widget’s bindings (sections 5-8). */
  static wasmBundle = "b";

  static title = "The DDPM forward process and its noise schedule";

  stateSpec() {
    return {
      target: { parse: parsers.oneOf(TARGETS.map((t) => t[0])) },
      kind: { parse: parsers.oneOf(KINDS.map((k) => k[0])) },
      T: { parse: parsers.integer(1, 5000) },
      bs: { parse: positive(1) },
      be: { parse: positive(1) },
      knots: { parse: knotList },
      n: { parse: parsers.integer(1, 1000000) },
    };
  }

  getState() {
    const c = this.cfg;
    return { target: c.target, kind: c.kind, T: c.T, bs: c.bs, be: c.be, knots: c.knots, n: c.n };
  }

  setState(v) {
    Object.assign(this.cfg, Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)));
    this.syncControls();
  }

  syncControls() {
    const c = this.cfg;
    this.targetSel.input.value = c.target;
    this.kindSel.input.value = c.kind;
    const show = (s, stops, v, f = String) => {
      s.set(nearest(stops, v));
      s.wrap.querySelector("output").textContent = f(v);
    };
    show(this.tS, T_STOPS, c.T);
    show(this.bsS, BS_STOPS, c.bs);
    show(this.beS, BE_STOPS, c.be);
    show(this.nS, N_STOPS, c.n, (v) => v.toLocaleString("en-US"));
    this.knotInput.value = c.knots;
    const linear = c.kind === "linear";
    this.bsS.input.disabled = !linear;
    this.beS.input.disabled = !linear;
    this.knotInput.disabled = c.kind !== "custom";
  }

  buildUi() {
    const a = (k, d) => this.getAttribute(k) ?? d;
    this.cfg = {
      target: a("target", "ring8"),
      kind: a("schedule", "linear"),
      T: Number(a("steps", "1000")),
      bs: Number(a("beta-start", "1e-4")),
      be: Number(a("beta-end", "0.02")),
      knots: a("knots", "8,4,0,-4,-8"),
      n: Number(a("particles", "20000")),
    };
    this.startT = Number(a("t", "0"));
    this.cloud = h("canvas", { class: "sb-main", role: "img", "aria-label": "Noised particles x_t over the exact density of q(x_t)" });
    this.alphaChart = h("canvas", { class: "sb-chart", role: "img", "aria-label": "ᾱ_t and β_t against t" });
    this.snrChart = h("canvas", { class: "sb-chart sb-snr", role: "img", "aria-label": "Signal-to-noise ratio against t, log scale; in the custom schedule its knots can be dragged", style: "touch-action:none" });
    this.klChart = h("canvas", { class: "sb-chart", role: "img", "aria-label": "KL(q(x_T) ‖ N(0, I)) against the schedule length T" });
    this.stage.append(
      this.cloud,
      h("p", { class: "sb-caption" }, "Particles x_t = √ᾱ_t x₀ + √(1 − ᾱ_t) ε (each keeps its ε as t moves) over the exact density of q(x_t)."),
      this.alphaChart,
      h("p", { class: "sb-caption" }, "Blue: ᾱ_t, the share of the signal's variance left. Orange: β_t. Grey line: the current t."),
      this.snrChart,
      h("p", { class: "sb-caption" }, "SNR_t = ᾱ_t/(1 − ᾱ_t) on a log scale. With the custom schedule, drag the circled knots (log-SNR is linear between them)."),
      this.klChart,
      h("p", { class: "sb-caption" }, "The prior gap KL(q(x_T) ‖ N(0, I)) against the length T for the same schedule family (dot: the current T). A sampler that starts from N(0, I) inherits this error."),
    );
    const c = this.cfg;
    this.targetSel = select({ label: "Data", options: TARGETS, value: c.target, onchange: (v) => { c.target = v; this.guard(() => this.handle?.setTarget(v)); this.afterChange(true); } });
    this.kindSel = select({ label: "Schedule", options: KINDS, value: c.kind, onchange: (v) => { c.kind = v; this.applySchedule(); } });
    const stopSlider = (label, stops, key) =>
      slider({ label, min: 0, max: stops.length - 1, step: 1, value: nearest(stops, c[key]), format: (i) => String(stops[i]), oninput: (i) => { c[key] = stops[i]; this.applySchedule(); } });
    this.tS = stopSlider("Length T", T_STOPS, "T");
    this.bsS = stopSlider("β₁ (linear)", BS_STOPS, "bs");
    this.beS = stopSlider("β_T (linear)", BE_STOPS, "be");
    this.stepS = slider({
      label: "Time step t", min: 0, max: c.T, step: 1, value: 0, format: (v) => String(v),
      oninput: (v) => { this.clearError(); this.guard(() => this.handle?.setStep(v)); this.paramChanged({ restarted: true }); this.redraw(); this.updateReadouts(true); },
    });
    this.nS = slider({
      label: "Particles", min: 0, max: N_STOPS.length - 1, step: 1, value: nearest(N_STOPS, c.n), format: (i) => N_STOPS[i].toLocaleString("en-US"),
      oninput: (i) => { c.n = N_STOPS[i]; this.guard(() => this.handle?.setParticles(c.n)); this.afterChange(true); },
    });
    const kid = `${this.statePrefix}-knots`;
    this.knotInput = h("input", { type: "text", id: kid, value: c.knots, class: "sb-knots", spellcheck: "false", "aria-describedby": `${kid}-help` });
    this.knotInput.addEventListener("change", () => {
      this.clearError();
      const ok = this.guard(() => { this.handle?.setKnots(this.knotInput.value); return true; });
      if (ok) c.knots = Array.from(this.handle.knots(), (v) => fmt(v, 4)).join(",");
      this.afterChange(true);
    });
    this.params.append(
      this.targetSel.wrap, this.kindSel.wrap, this.tS.wrap, this.stepS.wrap, this.bsS.wrap, this.beS.wrap,
      h("div", { class: "sb-field", style: "flex-direction:column;align-items:stretch;display:flex" }, h("label", { for: kid }, "Custom log-SNR knots (first step … last step)"), this.knotInput,
        h("small", { id: `${kid}-help`, class: "sb-caption" }, "2 to 16 decreasing values in [−15, 15]; Enter applies.")),
      this.nS.wrap,
    );
    this.snrChart.addEventListener("pointerdown", (e) => this.onPointer(e, "down"));
    this.snrChart.addEventListener("pointermove", (e) => this.onPointer(e, "move"));
    this.snrChart.addEventListener("pointerup", (e) => this.onPointer(e, "up"));
    this.snrChart.addEventListener("pointercancel", (e) => this.onPointer(e, "up"));
    this.syncControls();
  }

  devicePoint(e) {
    const r = this.snrChart.getBoundingClientRect();
    return [((e.clientX - r.left) * this.snrChart.width) / r.width, ((e.clientY - r.top) * this.snrChart.height) / r.height];
  }

  onPointer(e, kind) {
    if (!this.handle) return;
    const [px, py] = this.devicePoint(e);
    if (kind === "down") {
      const i = this.handle.pickKnot(px, py, this.dpr);
      if (i >= 0) {
        this.dragging = i;
        this.snrChart.setPointerCapture?.(e.pointerId);
        e.preventDefault();
      }
    } else if (kind === "move" && this.dragging >= 0 && this.dragging !== undefined) {
      this.clearError();
      this.guard(() => this.handle.dragKnot(this.dragging, px, py));
      this.cfg.knots = Array.from(this.handle.knots(), (v) => fmt(v, 4)).join(",");
      this.knotInput.value = this.cfg.knots;
      this.redraw();
      this.updateReadouts(false);
    } else if (kind === "up" && this.dragging >= 0) {
      this.dragging = -1;
      this.paramChanged({ restarted: true });
      this.updateReadouts(true);
    }
  }

  applySchedule() {
    const c = this.cfg;
    this.clearError();
    this.guard(() => this.handle?.setSchedule(c.kind, c.T, c.bs, c.be));
    this.afterChange(true);
  }

  afterChange(restarted) {
    if (!this.error) this.clearError();
    this.syncControls();
    this.syncStep();
    this.paramChanged({ restarted });
    this.redraw();
    this.updateReadouts(true);
  }

  syncStep() {
    if (!this.handle) return;
    this.stepS.input.max = String(this.handle.steps);
    this.stepS.set(this.handle.t);
  }

  build(mod) {
    const c = this.cfg;
    this.handle = new mod.DdpmForwardWidget(c.target, c.kind, c.T, c.bs, c.be, c.knots, c.n, this.seed());
    if (this.startT > 0 && !this.pendingSteps) this.pendingSteps = Math.min(this.startT, c.T);
    this.syncStep();
  }

  onReset(seed) {
    const c = this.cfg;
    this.handle.setSchedule(c.kind, c.T, c.bs, c.be);
    this.handle.reset(seed);
    this.syncStep();
  }

  stepsNow() {
    return this.handle ? this.handle.t : 0;
  }

  advance(budgetMs, fixed) {
    const w = this.handle;
    if (w.finished) {
      this.pause();
      this.status.textContent = "t = T: the forward process is finished. Press Reset to start again.";
      return;
    }
    // playing sweeps t over the schedule in about four seconds
    w.step(fixed > 0 ? fixed : Math.max(1, Math.round(w.steps / 240)));
    this.syncStep();
    if (w.finished && this.playing) this.pause();
  }

  render() {
    const w = this.handle;
    w.draw(this.cloud, this.dpr, this.dark);
    w.drawAlpha(this.alphaChart, this.dpr, this.dark);
    w.drawSnr(this.snrChart, this.dpr, this.dark);
    w.drawKl(this.klChart, this.dpr, this.dark);
  }

  exports() {
    return [
      svgExport("KL against T (SVG)", "ddpm-prior-kl.svg", () => this.handle.klSvg(640, 320, false)),
      svgExport("ᾱ and β chart (SVG)", "ddpm-schedule.svg", () => this.handle.alphaSvg(640, 320, false)),
      csvExport("Schedule (CSV)", "ddpm-schedule.csv", ["t", "beta", "alpha_bar"], () => {
        const b = this.handle.betas(), ab = this.handle.alphaBars();
        return Float64Array.from(Array.from(b).flatMap((v, i) => [i + 1, v, ab[i + 1]]));
      }),
      csvExport("KL against T (CSV)", "ddpm-prior-kl.csv", ["T", "kl_nats"], () => this.handle.klCurve()),
    ];
  }

  tableRows() {
    const w = this.handle;
    const ms = w.momentsSimulated(), me = w.momentsExact();
    const names = ["Mean x", "Mean y", "Covariance xx", "Covariance xy", "Covariance yy"];
    const [kl, floor] = w.histogramKl();
    return [
      ["Step t of T", `${w.t} of ${w.steps}`, "–"],
      ["ᾱ_t", fmt(w.alphaBar, 6), fmt(w.alphaBar, 6)],
      ...names.map((n, i) => [`${n} of x_t`, fmt(ms[i], 4), fmt(me[i], 4)]),
      ["Histogram KL(x_t ‖ q(x_t)) (exact samples score the floor)", fmt(kl, 3), fmt(floor, 3)],
      ["KL(q(x_T) ‖ N(0, I)) (nats)", "–", fmt(w.priorKl(), 4)],
    ];
  }

  readouts() {
    const w = this.handle;
    const ms = w.momentsSimulated(), me = w.momentsExact();
    const [kl, floor] = w.histogramKl();
    const pk = w.priorKl();
    this.setReadout("t", "Step t", `${w.t} of T = ${w.steps} (${w.scheduleKind})`);
    this.setReadout("beta", "β_t · ᾱ_t", `${fmt(w.beta, 4)} · ${fmt(w.alphaBar, 5)}`);
    this.setReadout("snr", "SNR_t · log-SNR", `${fmt(w.snr, 4)} · ${fmt(Math.log(w.snr), 4)}`);
    this.setReadout("ve", "Same marginal as VE noise σ = √((1 − ᾱ_t)/ᾱ_t)", fmt(w.sigmaVe, 4),
      "x_t/√ᾱ_t = x₀ + σ z: the VP process is the VE process with the signal rescaled.");
    this.setReadout("mean", "Mean of x_t: particles | exact", `(${fmt(ms[0], 3)}, ${fmt(ms[1], 3)}) | (${fmt(me[0], 3)}, ${fmt(me[1], 3)})`);
    this.setReadout("cov", "Covariance xx, xy, yy: particles | exact", `${fmt(ms[2], 3)}, ${fmt(ms[3], 3)}, ${fmt(ms[4], 3)} | ${fmt(me[2], 3)}, ${fmt(me[3], 3)}, ${fmt(me[4], 3)}`);
    this.setReadout("hkl", "Histogram KL(x_t ‖ q(x_t)) | floor for exact samples", `${fmt(kl, 3)} | ${fmt(floor, 3)}`,
      "Plug-in KL on a 16 × 16 grid; even exact samples score the floor (its bias).");
    this.setReadout("end", "ᾱ_T and the prior gap KL(q(x_T) ‖ N(0, I))", `${fmt(w.alphaBarEnd, 4)} · ${pk > 0 ? `${fmt(pk, 4)} nats` : "0 to the quadrature's precision"}`);
    this.setReadout("sum", "Checksum of x_t", w.checksum());
    const summary = `Step ${w.t} of ${w.steps}, alpha bar ${fmt(w.alphaBar, 4)}, SNR ${fmt(w.snr, 3)}. Prior gap at T: ${fmt(pk, 3)} nats.`;
    this.cloud.setAttribute("aria-label", `Noised particles over the exact density of q(x_t). ${summary}`);
    if (!this.error) this.announce(summary);
  }
}

customElements.define("sb-ddpm-forward", SbDdpmForward);
