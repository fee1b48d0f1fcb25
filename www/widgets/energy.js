// <sb-energy>: an energy landscape E(x) made of wells, its Boltzmann density p_T = e^{−E/T}/Z_T,
// the partition function Z_T by quadrature, the mass of each well's basin, the cost of grid
// quadrature as the dimension grows, and Langevin particles that sample p_T without knowing Z_T.
//
// Section: "Energy-based models" (index.html#ebm). Rust handle: EnergyWidget.
// Attributes (all optional): wells = "x,y,depth,width;…" (1 to 16 wells), temperature, particles
// (0 to 20000), view = density | energy, seed, autoplay = "false", controls = "hidden",
// text = "hidden". Every number shown is computed by the Rust core; this file wires controls
// and pointer/keyboard input to it and formats values.
// Embed: <script type="module" src=".../widgets/energy.js"></script>
//        <sb-energy wells="-2.5,-1,0,0.9;2,1.5,0.5,0.7" temperature="1"></sb-energy>

import { SbWidget, h, slider, select, fmt } from "../lib/widget.js";
import { parsers } from "../lib/state.js";
import { csv, svgExport } from "../lib/export.js";

const DEFAULT_WELLS = "-2.5,-1,0,0.9;2,1.5,0.5,0.7;0.8,-3,-0.4,1.2";
const T_STOPS = [0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.7, 1, 1.5, 2, 3, 4, 5, 7, 10];
const N_STOPS = [0, 200, 500, 1000, 2000, 5000, 10000, 20000];
const TOLERANCES = [["0.01", "1 % (ε = 10⁻²)"], ["0.0001", "10⁻⁴"], ["0.000001", "10⁻⁶"]];
const nearest = (stops, v) => stops.reduce((b, s, i) => (Math.abs(Math.log((s || 1e-9) / (v || 1e-9))) < Math.abs(Math.log((stops[b] || 1e-9) / (v || 1e-9))) ? i : b), 0);
/** Wells stay inside this box (the view is [−6, 6]²). */
const LIM = 5.5;

/** "x,y,a,w;…" → flat numbers (4 per well, 1 to 16 wells), or undefined. */
function parseWells(s) {
  const nums = s.split(/[;,]/).map(Number);
  if (nums.length === 0 || nums.length % 4 !== 0 || nums.length > 64 || nums.some((v) => !Number.isFinite(v))) return undefined;
  // the core's ranges: centres within the view box, depth |a| ≤ 100, width in [0.001, 100]
  for (let i = 0; i < nums.length; i += 4) {
    const [x, y, a, w] = nums.slice(i, i + 4);
    if (Math.abs(x) > LIM || Math.abs(y) > LIM || Math.abs(a) > 100 || !(w >= 0.001 && w <= 100)) return undefined;
  }
  return nums;
}
const encodeWells = (flat) => {
  const parts = [];
  for (let i = 0; i < flat.length; i += 4) parts.push(flat.slice(i, i + 4).map((v) => String(Number(v.toPrecision(6)))).join(","));
  return parts.join(";");
};

class SbEnergy extends SbWidget {
  static title = "Energy landscape widget";

  stateSpec() {
    return {
      wells: { parse: parseWells },
      T: { parse: parsers.number(0.01, 100) },
      view: { parse: parsers.oneOf(["density", "energy"]) },
      n: { parse: parsers.integer(0, 20000) },
      tol: { parse: parsers.oneOf(TOLERANCES.map((t) => t[0])) },
    };
  }

  getState() {
    return { wells: encodeWells(this.cfg.wells), T: this.cfg.T, view: this.cfg.view, n: this.cfg.n, tol: this.cfg.tol };
  }

  setState(v) {
    if (v.wells) this.cfg.wells = v.wells;
    if (v.T !== undefined) this.cfg.T = v.T;
    if (v.view) this.cfg.view = v.view;
    if (v.n !== undefined) this.cfg.n = v.n;
    if (v.tol) this.cfg.tol = v.tol;
    this.syncControls();
  }

  buildUi() {
    const attr = (k, d) => this.getAttribute(k) ?? d;
    this.cfg = {
      wells: parseWells(attr("wells", DEFAULT_WELLS)) ?? parseWells(DEFAULT_WELLS),
      T: Number(attr("temperature", "1")),
      n: Number(attr("particles", "1000")),
      view: attr("view", "density") === "energy" ? "energy" : "density",
      tol: "0.01",
      sel: 0,
    };
    this.canvas = h("canvas", {
      class: "sb-main",
      role: "img",
      tabindex: "0",
      style: "touch-action: none; cursor: grab",
      "aria-label": "Energy landscape: drag a well to move it; arrow keys move the selected well, [ and ] select another",
    });
    this.chart = h("canvas", { class: "sb-chart", role: "img", "aria-label": "Grid evaluations needed against dimension" });
    this.stage.append(
      this.canvas,
      h("p", { class: "sb-caption" }, "Shading: the Boltzmann density p_T (or the energy with contours every 0.5). Rings: the wells (filled dot: selected; drag them, or use the sliders, or arrow keys on the focused plot). Orange dots: Langevin particles, which use only −∇E/T."),
      this.chart,
      h("p", { class: "sb-caption" }, "log₁₀ of the energy evaluations a grid needs to get Z within the target accuracy, for the d-dimensional energy made of d/2 copies of this one. Grey line: 10⁸⁰, about the number of atoms in the observable universe."),
    );
    this.viewSel = select({
      label: "Show",
      options: [["density", "Boltzmann density p_T"], ["energy", "Energy E with contours"]],
      value: this.cfg.view,
      onchange: (v) => {
        this.cfg.view = v;
        this.guard(() => this.handle?.setView(v));
        this.afterEdit(false);
      },
    });
    this.tSlider = slider({
      label: "Temperature T",
      min: 0,
      max: T_STOPS.length - 1,
      step: 1,
      value: nearest(T_STOPS, this.cfg.T),
      format: (i) => String(T_STOPS[i]),
      describe: (i) => `temperature ${T_STOPS[i]}`,
      oninput: (i) => {
        this.cfg.T = T_STOPS[i];
        this.guard(() => this.handle?.setTemperature(this.cfg.T));
        this.afterEdit(true);
      },
    });
    this.wellSel = select({ label: "Selected well", options: [["0", "Well 1"]], value: "0", onchange: (v) => this.selectWell(Number(v)) });
    this.addBtn = h("button", { type: "button", onclick: () => this.addWell() }, "Add well");
    this.removeBtn = h("button", { type: "button", onclick: () => this.removeWell() }, "Remove well");
    const wellSlider = (label, idx, min, max, step, fmtd) =>
      slider({
        label,
        min,
        max,
        step,
        value: this.cfg.wells[4 * this.cfg.sel + idx],
        format: fmtd,
        oninput: (v) => this.editWell(idx, v),
      });
    this.xSlider = wellSlider("Centre x", 0, -LIM, LIM, 0.1, (v) => v.toFixed(1));
    this.ySlider = wellSlider("Centre y", 1, -LIM, LIM, 0.1, (v) => v.toFixed(1));
    this.aSlider = wellSlider("Depth a (deeper = more mass)", 2, -3, 3, 0.1, (v) => v.toFixed(1));
    this.wSlider = wellSlider("Width w", 3, 0.25, 2.5, 0.05, (v) => v.toFixed(2));
    this.nSlider = slider({
      label: "Langevin particles",
      min: 0,
      max: N_STOPS.length - 1,
      step: 1,
      value: nearest(N_STOPS, this.cfg.n),
      format: (i) => N_STOPS[i].toLocaleString("en-US"),
      oninput: (i) => {
        this.cfg.n = N_STOPS[i];
        this.guard(() => this.handle?.setParticles(this.cfg.n));
        this.afterEdit(false, true);
      },
    });
    this.tolSel = select({
      label: "Target accuracy of Z for the grid chart",
      options: TOLERANCES,
      value: this.cfg.tol,
      onchange: (v) => {
        this.cfg.tol = v;
        this.guard(() => this.handle?.setTolerance(Number(v)));
        this.curseDirty = true;
        this.afterEdit(false);
      },
    });
    this.params.append(
      this.viewSel.wrap,
      this.tSlider.wrap,
      h("div", { class: "sb-draw-tools" }, this.addBtn, this.removeBtn),
      this.wellSel.wrap,
      this.xSlider.wrap,
      this.ySlider.wrap,
      this.aSlider.wrap,
      this.wSlider.wrap,
      this.nSlider.wrap,
      this.tolSel.wrap,
    );
    this.setupPointer();
    this.syncControls();
    // fix the order of the readout rows (the grid row is filled when its chart is drawn)
    for (const [k, label] of [["logz", "log Z_T by quadrature"], ["logzex", "log Z_T exact"], ["basins", "Probability mass of each well's basin"], ["grid", "Grid points per axis"], ["tv", "Langevin particles: TV to p_T"]]) this.setReadout(k, label, "…");
  }

  /** Controls ← cfg (wells list, selected well's sliders, temperature, view, particles). */
  syncControls() {
    if (!this.wellSel) return;
    const k = this.cfg.wells.length / 4;
    this.cfg.sel = Math.min(this.cfg.sel, k - 1);
    this.wellSel.input.replaceChildren(...Array.from({ length: k }, (_, i) => h("option", { value: String(i), selected: i === this.cfg.sel }, `Well ${i + 1}`)));
    this.wellSel.input.value = String(this.cfg.sel);
    const w = this.cfg.wells.slice(4 * this.cfg.sel, 4 * this.cfg.sel + 4);
    this.xSlider.set(w[0]);
    this.ySlider.set(w[1]);
    this.aSlider.set(w[2]);
    this.wSlider.set(w[3]);
    this.tSlider.set(nearest(T_STOPS, this.cfg.T));
    this.tSlider.wrap.querySelector("output").textContent = String(this.cfg.T);
    this.viewSel.input.value = this.cfg.view;
    this.nSlider.set(nearest(N_STOPS, this.cfg.n));
    this.tolSel.input.value = this.cfg.tol;
    this.addBtn.disabled = k >= 16;
    this.removeBtn.disabled = k <= 1;
  }

  // --- editing ----------------------------------------------------------------------------------
  selectWell(k) {
    this.cfg.sel = k;
    this.guard(() => this.handle?.select(k));
    this.syncControls();
    this.redraw();
  }

  editWell(idx, v) {
    const k = this.cfg.sel;
    const w = this.cfg.wells;
    w[4 * k + idx] = v;
    this.guard(() => this.handle?.setWell(k, w[4 * k], w[4 * k + 1], w[4 * k + 2], w[4 * k + 3]));
    this.afterEdit(true);
  }

  moveWell(k, x, y) {
    const w = this.cfg.wells;
    w[4 * k] = Math.round(Math.min(LIM, Math.max(-LIM, x)) * 100) / 100;
    w[4 * k + 1] = Math.round(Math.min(LIM, Math.max(-LIM, y)) * 100) / 100;
    this.guard(() => this.handle.setWell(k, w[4 * k], w[4 * k + 1], w[4 * k + 2], w[4 * k + 3]));
    this.xSlider.set(w[4 * k]);
    this.ySlider.set(w[4 * k + 1]);
    this.afterEdit(true);
  }

  addWell() {
    if (!this.handle) return;
    const k = this.guard(() => this.handle.addWell(0, 0));
    if (k === undefined) return;
    this.cfg.wells = Array.from(this.handle.wells());
    this.cfg.sel = k;
    this.syncControls();
    this.afterEdit(true);
  }

  removeWell() {
    if (!this.handle) return;
    this.guard(() => this.handle.removeWell(this.cfg.sel));
    this.cfg.wells = Array.from(this.handle.wells());
    this.cfg.sel = this.handle.selected;
    this.syncControls();
    this.afterEdit(true);
  }

  /** After a change: redraw, readouts (the curse chart only when the edit settles). */
  afterEdit(energyChanged, restarted = false) {
    if (energyChanged) this.curseDirty = true;
    this.settling = true;
    this.clearError();
    this.paramChanged({ restarted: restarted || this.stepsNow() === 0 });
    this.redraw();
    clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => {
      this.settling = false;
      this.redraw();
      this.updateReadouts(true);
    }, 150);
    this.updateReadouts(false);
  }

  setupPointer() {
    const at = (e) => {
      const r = this.canvas.getBoundingClientRect();
      const dpr = this.dpr;
      return [(e.clientX - r.left) * dpr, (e.clientY - r.top) * dpr];
    };
    this.canvas.addEventListener("pointerdown", (e) => {
      if (!this.handle) return;
      const [px, py] = at(e);
      const k = this.handle.wellAt(px, py, this.canvas.width, this.canvas.height, this.dpr, 18 * this.dpr);
      if (k < 0) return;
      this.selectWell(k);
      this.dragging = true;
      this.canvas.style.cursor = "grabbing";
      this.canvas.setPointerCapture(e.pointerId);
      e.preventDefault();
    });
    this.canvas.addEventListener("pointermove", (e) => {
      if (!this.dragging) return;
      const [px, py] = at(e);
      const p = this.handle.pixelToData(px, py, this.canvas.width, this.canvas.height, this.dpr);
      this.moveWell(this.cfg.sel, p[0], p[1]);
    });
    const up = () => {
      if (!this.dragging) return;
      this.dragging = false;
      this.canvas.style.cursor = "grab";
      this.redraw();
      this.updateReadouts(true);
    };
    this.canvas.addEventListener("pointerup", up);
    this.canvas.addEventListener("pointercancel", up);
    // keyboard alternative: arrows move the selected well by 0.1 (Shift: 0.5); [ ] select
    this.canvas.addEventListener("keydown", (e) => {
      if (!this.handle || e.ctrlKey || e.metaKey || e.altKey) return;
      const d = e.shiftKey ? 0.5 : 0.1;
      const k = this.cfg.sel;
      const w = this.cfg.wells;
      const moves = { ArrowLeft: [-d, 0], ArrowRight: [d, 0], ArrowUp: [0, d], ArrowDown: [0, -d] };
      if (moves[e.key]) this.moveWell(k, w[4 * k] + moves[e.key][0], w[4 * k + 1] + moves[e.key][1]);
      else if (e.key === "[" || e.key === "]") {
        const n = w.length / 4;
        this.selectWell((k + (e.key === "]" ? 1 : n - 1)) % n);
      } else return;
      e.preventDefault();
      e.stopPropagation();
    });
  }

  // --- life cycle ---------------------------------------------------------------------------------
  build(mod) {
    this.handle = new mod.EnergyWidget(new Float64Array(this.cfg.wells), this.cfg.T, this.cfg.n, this.seed());
    this.handle.setView(this.cfg.view);
    this.handle.setTolerance(Number(this.cfg.tol));
    this.handle.select(Math.min(this.cfg.sel, this.handle.count - 1));
    this.curseDirty = true;
  }

  onReset(seed) {
    this.handle.reset(seed);
  }

  stepsNow() {
    return this.handle ? this.handle.steps : 0;
  }

  advance(budgetMs, fixed) {
    if (this.handle.particles === 0) return;
    return this.stepWithin(budgetMs, fixed, 200);
  }

  render() {
    const w = this.handle;
    w.draw(this.canvas, this.dpr, this.dark);
    // the grid-cost chart: recomputed (in Rust, cached) only when an edit has settled
    const key = `${this.chart.width}x${this.chart.height}:${this.dark}`;
    if (key !== this.chartKey) {
      this.chartKey = key;
      this.curseDirty = true;
    }
    if (this.dragging || this.settling || !this.curseDirty) return;
    this.curseDirty = false;
    w.drawCurse(this.chart, this.dpr, this.dark);
    const need = w.curseNeeded();
    const n2 = need[1];
    const n100 = need[need.length - 1];
    this.setReadout(
      "grid",
      "Grid points per axis",
      `ε = ${Number(this.cfg.tol)}, d = 2: ${n2 < 0 ? "> 640" : n2} (${n2 < 0 ? "–" : (n2 * n2).toLocaleString("en-US")} evaluations) · d = 100: ${n100 < 0 ? "> 640" : `${n100} (10^${fmt(100 * Math.log10(n100), 4)} evaluations)`}`,
      "Midpoint grid on the integration box; d dimensions = d/2 independent copies of this energy, whose grid sum is exactly the 2D sum to the power d/2.",
    );
    this.chart.setAttribute("aria-label", `Grid evaluations needed against dimension: ${n2 < 0 ? "more than 640" : n2} points per axis in 2D; ${n100 < 0 ? "more than 640" : `10 to the ${fmt(100 * Math.log10(n100), 3)} evaluations`} at d = 100.`);
  }

  exports() {
    return [
      svgExport("Grid-cost chart (SVG)", "energy-grid-cost.svg", () => this.handle.curseSvg(640, 260, false)),
      {
        label: "Grid cost (CSV)",
        filename: "energy-grid-cost.csv",
        blob: async () => {
          const f = this.handle.curseNeeded();
          const rows = [];
          for (let i = 0; i < f.length; i += 2) rows.push([f[i], f[i + 1] < 0 ? "" : f[i + 1], f[i + 1] < 0 ? "" : f[i] * Math.log10(f[i + 1])]);
          return new Blob([csv(["d", "points_per_axis", "log10_evaluations"], rows)], { type: "text/csv" });
        },
      },
      {
        label: "Wells and masses (CSV)",
        filename: "energy-wells.csv",
        blob: async () => {
          const w = this.handle.wells();
          const b = this.handle.basins();
          const s = this.handle.shares();
          const rows = [];
          for (let k = 0; k < b.length; k++) rows.push([k + 1, w[4 * k], w[4 * k + 1], w[4 * k + 2], w[4 * k + 3], b[k], s[k]]);
          return new Blob([csv(["well", "x", "y", "depth", "width", "basin_mass", "share"], rows)], { type: "text/csv" });
        },
      },
    ];
  }

  tableRows() {
    const w = this.handle;
    const b = w.basins();
    const s = w.shares();
    const ex = w.sharesExact();
    const lzEx = w.logZExact();
    const rows = [["log Z_T (quadrature | closed form)", `${fmt(w.logZ(), 8)} ± ${fmt(w.logZError(), 2)}`, lzEx === undefined ? "no closed form" : fmt(lzEx, 8)]];
    for (let k = 0; k < b.length; k++) {
      rows.push([`Well ${k + 1}: basin mass`, fmt(b[k], 4), "–"]);
      rows.push([`Well ${k + 1}: share ∫p_T r_k`, fmt(s[k], 6), ex ? fmt(ex[k], 6) : "closed form only at T = 1"]);
    }
    if (w.particles > 0) rows.push(["TV(particles, p_T), 24×24 cells", fmt(this.lastTv, 3), `≈ ${fmt(w.tvNoise(), 3)} for exact samples`]);
    return rows;
  }

  readouts() {
    const w = this.handle;
    const lz = w.logZ();
    const err = w.logZError();
    const lzEx = w.logZExact();
    this.setReadout("logz", "log Z_T by quadrature", `${fmt(lz, 7)} ± ${fmt(err, 2)} (${w.quadratureNodes().toLocaleString("en-US")} evaluations)`,
      "Adaptive Gauss–Legendre quadrature (order 4, cells of one well scale); the error bar is the change when the cells are doubled in width.");
    this.setReadout("logzex", "log Z_T exact", lzEx === undefined ? "no closed form (T ≠ 1 and several wells)" : fmt(lzEx, 7));
    const b = w.basins();
    this.setReadout("basins", "Probability mass of each well's basin", Array.from(b, (v, k) => `${k + 1}: ${fmt(v, 3)}`).join(" · "),
      "Mass of p_T where the well is the lowest term of the energy. Deepen one well and watch the others drain.");
    if (w.particles > 0) {
      const tv = w.tv();
      this.lastTv = tv;
      this.setReadout("tv", "Langevin particles: TV to p_T", `${fmt(tv, 3)} after ${w.steps.toLocaleString("en-US")} steps (exact samples: ≈ ${fmt(w.tvNoise(), 3)})`,
        "Total variation between the particle histogram (24×24 cells) and the exact cell probabilities of p_T.");
    } else {
      this.setReadout("tv", "Langevin particles: TV to p_T", "no particles");
    }
    const summary = `${w.count} wells at temperature ${fmt(w.temperature, 3)}; log Z = ${fmt(lz, 5)}; basin masses ${Array.from(b, (v) => fmt(v, 2)).join(", ")}.`;
    this.canvas.setAttribute("aria-label", `Energy landscape (drag a well, or arrow keys on the focused plot). ${summary}`);
    if (!this.error && !this.dragging) this.announce(summary);
  }
}

customElements.define("sb-energy", SbEnergy);
