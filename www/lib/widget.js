// The widget runtime: a base custom element that every scorebook widget extends.
//
// It gives each widget the same life cycle and controls:
//  * the shared wasm module (loadWasm), started lazily when the widget scrolls into view;
//  * an animation loop that runs only while playing and on screen (paused off-screen), with a
//    per-frame time budget so the page stays responsive;
//  * a standard control bar: play/pause, step, reset, seed, speed; keyboard shortcuts scoped to
//    the focused widget (Space or K play/pause, S or → step, R reset), never to the host page;
//  * canvases sized in device pixels (sharp on HiDPI screens) and redrawn on resize;
//  * an error overlay that shows the core's message (bad input, divergence, unsupported browser);
//  * freeing of the Rust handle when the element is removed.
// Subclasses implement: build(mod) → create the handle; advance(budgetMs) → run steps;
// render() → draw; readouts() → update text; and may override onReset().

import { loadWasm } from "./wasm.js";

let cssLinked = false;
function linkCss() {
  if (cssLinked) return;
  cssLinked = true;
  const href = new URL("./widget.css", import.meta.url).href;
  if (![...document.querySelectorAll("link[rel=stylesheet]")].some((l) => l.href === href)) {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    document.head.append(link);
  }
}

let uid = 0;
/** A unique element id with a prefix. */
export function uniqueId(prefix) {
  uid += 1;
  return `${prefix}-${uid}`;
}

/** Creates an element with attributes and children. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v == null) continue;
    if (k === "class") el.className = v;
    else if (k === "text") el.textContent = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : v);
  }
  el.append(...children.filter((c) => c != null));
  return el;
}

/** A labelled range input with a live <output>. `format(value)` renders the value. */
export function slider({ label, min, max, step, value, format, oninput, describe }) {
  const id = uniqueId("sb-range");
  const input = h("input", { type: "range", id, min, max, step, value });
  const out = h("output", { for: id, class: "sb-value" });
  const show = () => {
    out.textContent = format(Number(input.value));
    input.setAttribute("aria-valuetext", describe ? describe(Number(input.value)) : out.textContent);
  };
  input.addEventListener("input", () => {
    show();
    oninput(Number(input.value));
  });
  show();
  const wrap = h("div", { class: "sb-field" }, h("label", { for: id }, label), input, out);
  return { wrap, input, set: (v) => ((input.value = v), show()) };
}

/** A labelled <select>. */
export function select({ label, options, value, onchange }) {
  const id = uniqueId("sb-select");
  const sel = h(
    "select",
    { id },
    ...options.map(([v, text]) => h("option", { value: v, selected: v === value }, text)),
  );
  sel.addEventListener("change", () => onchange(sel.value));
  return { wrap: h("div", { class: "sb-field" }, h("label", { for: id }, label), sel), input: sel };
}

const reducedMotion = () => matchMedia("(prefers-reduced-motion: reduce)").matches;
const darkScheme = () => matchMedia("(prefers-color-scheme: dark)").matches;

/** Base class of every scorebook widget. */
export class SbWidget extends HTMLElement {
  constructor() {
    super();
    this.mod = null;
    this.handle = null;
    this.playing = false;
    this.visible = false;
    this.raf = 0;
    this.error = null;
    this.speed = "auto";
    this.lastReadout = 0;
    this.stepTimes = [];
  }

  /** Current colour scheme, for the Rust drawing code. */
  get dark() {
    return darkScheme();
  }

  /** Device-pixel ratio used for canvases. */
  get dpr() {
    return Math.min(Math.max(window.devicePixelRatio || 1, 1), 3);
  }

  connectedCallback() {
    linkCss();
    if (!this.root) this.buildShell();
    this.observer = new IntersectionObserver((entries) => {
      this.visible = entries.some((e) => e.isIntersecting);
      if (this.visible && !this.handle && !this.loading) this.start();
      this.schedule();
    });
    this.observer.observe(this);
    this.resizer = new ResizeObserver(() => this.fitCanvases());
    for (const c of this.canvases()) this.resizer.observe(c);
    this.schemeQuery = matchMedia("(prefers-color-scheme: dark)");
    this.onScheme = () => this.redraw();
    this.schemeQuery.addEventListener("change", this.onScheme);
  }

  disconnectedCallback() {
    cancelAnimationFrame(this.raf);
    this.raf = 0;
    this.observer?.disconnect();
    this.resizer?.disconnect();
    this.schemeQuery?.removeEventListener("change", this.onScheme);
    this.freeHandle();
  }

  /** Frees the Rust handle (if any). */
  freeHandle() {
    if (this.handle) {
      this.handle.free();
      this.handle = null;
    }
  }

  /** Builds the common shell: title, stage (canvases), controls, readouts, error overlay. */
  buildShell() {
    this.classList.add("sb-widget");
    this.tabIndex = this.tabIndex >= 0 ? this.tabIndex : -1;
    this.status = h("p", { class: "sb-status", role: "status", "aria-live": "polite" }, "Loading…");
    this.errorBox = h("div", { class: "sb-error", role: "alert", hidden: true });
    this.playBtn = h("button", { type: "button", class: "sb-play", "aria-pressed": "false", onclick: () => this.toggle() }, "Play");
    this.stepBtn = h("button", { type: "button", onclick: () => this.stepOnce() }, "Step");
    this.resetBtn = h("button", { type: "button", onclick: () => this.reset() }, "Reset");
    const seedId = uniqueId("sb-seed");
    this.seedInput = h("input", { type: "number", id: seedId, min: 0, max: 4294967295, step: 1, value: this.getAttribute("seed") ?? "1", class: "sb-seed" });
    this.seedInput.addEventListener("change", () => this.reset());
    this.speedSel = select({
      label: "Speed",
      value: "auto",
      options: [["1", "1 step/frame"], ["10", "10 steps/frame"], ["auto", "as fast as smooth"]],
      onchange: (v) => (this.speed = v),
    });
    this.controlBar = h(
      "div",
      { class: "sb-controls", role: "group", "aria-label": "Simulation controls" },
      this.playBtn,
      this.stepBtn,
      this.resetBtn,
      h("div", { class: "sb-field sb-seed-field" }, h("label", { for: seedId }, "Seed"), this.seedInput),
      this.speedSel.wrap,
    );
    this.stage = h("div", { class: "sb-stage" });
    this.params = h("div", { class: "sb-params" });
    this.readoutBox = h("dl", { class: "sb-readouts" });
    this.root = h(
      "figure",
      { class: "sb-figure" },
      this.stage,
      h("div", { class: "sb-side" }, this.controlBar, this.params, this.readoutBox, this.status),
      this.errorBox,
    );
    this.append(this.root);
    this.addEventListener("keydown", (e) => this.onKey(e));
    this.buildUi();
  }

  /** Keyboard shortcuts, only while focus is inside this widget. */
  onKey(e) {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target;
    const typing = t instanceof HTMLInputElement && (t.type === "number" || t.type === "text");
    const onRange = t instanceof HTMLInputElement && t.type === "range";
    const onButton = t instanceof HTMLButtonElement || t instanceof HTMLSelectElement;
    if (typing) return;
    const k = e.key;
    if ((k === " " && !onButton) || k === "k" || k === "K") this.toggle();
    else if (k === "s" || k === "S" || (k === "ArrowRight" && !onRange)) this.stepOnce();
    else if (k === "r" || k === "R") this.reset();
    else return;
    e.preventDefault();
    e.stopPropagation();
  }

  canvases() {
    return [...this.querySelectorAll("canvas")];
  }

  /** Sizes every canvas to its CSS box × devicePixelRatio, then redraws. */
  fitCanvases() {
    const dpr = this.dpr;
    let changed = false;
    for (const c of this.canvases()) {
      const r = c.getBoundingClientRect();
      const w = Math.max(1, Math.round(r.width * dpr));
      const hgt = Math.max(1, Math.round(r.height * dpr));
      if (c.width !== w || c.height !== hgt) {
        c.width = w;
        c.height = hgt;
        changed = true;
      }
    }
    if (changed) this.redraw();
  }

  async start() {
    this.loading = true;
    try {
      this.mod = await loadWasm();
      this.build(this.mod);
      this.fitCanvases();
      this.redraw();
      this.updateReadouts(true);
      this.status.textContent = "Ready.";
      if (!reducedMotion() && this.getAttribute("autoplay") !== "false") this.play();
    } catch (err) {
      this.showError(err);
    } finally {
      this.loading = false;
    }
  }

  /** Runs `f`, showing any thrown error (a core Error names the bad parameter) in the overlay. */
  guard(f) {
    try {
      return f();
    } catch (err) {
      this.showError(err);
      return undefined;
    }
  }

  showError(err) {
    this.pause();
    this.error = err;
    const msg = err instanceof Error ? err.message : String(err);
    this.errorBox.replaceChildren(
      h("strong", {}, err?.name === "UnsupportedBrowserError" ? "Unsupported browser. " : "Stopped. "),
      h("span", { class: "sb-error-msg" }, msg),
      this.handle ? h("button", { type: "button", onclick: () => this.reset() }, "Reset") : null,
    );
    this.errorBox.hidden = false;
    this.status.textContent = `Error: ${msg}`;
  }

  clearError() {
    this.error = null;
    this.errorBox.hidden = true;
  }

  seed() {
    const v = Number(this.seedInput.value);
    if (!Number.isInteger(v) || v < 0 || v > 4294967295) {
      this.seedInput.value = "1";
      return 1;
    }
    return v;
  }

  play() {
    if (!this.handle || this.error) return;
    this.playing = true;
    this.playBtn.textContent = "Pause";
    this.playBtn.setAttribute("aria-pressed", "true");
    this.schedule();
  }

  pause() {
    this.playing = false;
    this.playBtn.textContent = "Play";
    this.playBtn.setAttribute("aria-pressed", "false");
  }

  toggle() {
    if (this.playing) this.pause();
    else this.play();
  }

  stepOnce() {
    if (!this.handle || this.error) return;
    this.pause();
    this.guard(() => this.advance(0, 1));
    this.redraw();
    this.updateReadouts(true);
  }

  reset() {
    if (!this.handle) return;
    this.clearError();
    this.guard(() => this.onReset(this.seed()));
    this.stepTimes = [];
    this.redraw();
    this.updateReadouts(true);
  }

  schedule() {
    if (!this.raf && this.playing && this.visible && this.isConnected) {
      this.raf = requestAnimationFrame((t) => this.frame(t));
    }
  }

  frame() {
    this.raf = 0;
    if (!this.playing || !this.visible || !this.handle) return;
    const fixed = this.speed === "auto" ? 0 : Number(this.speed);
    const t0 = performance.now();
    const ok = this.guard(() => this.advance(12, fixed) ?? true);
    const t1 = performance.now();
    if (ok !== undefined) this.stepTimes.push([t1, this.stepsNow()]);
    this.redraw();
    this.updateReadouts(false);
    if (t1 - t0 > 200) this.speedSel.input.value = "1";
    this.schedule();
  }

  /** Steps per second over the last second of frames. */
  stepsPerSecond() {
    const s = this.stepTimes;
    while (s.length > 2 && s[s.length - 1][0] - s[0][0] > 1000) s.shift();
    if (s.length < 2) return NaN;
    const [t0, n0] = s[0];
    const [t1, n1] = s[s.length - 1];
    return t1 > t0 ? ((n1 - n0) * 1000) / (t1 - t0) : NaN;
  }

  redraw() {
    if (!this.handle) return;
    this.guard(() => this.render());
  }

  updateReadouts(force) {
    if (!this.handle) return;
    const now = performance.now();
    if (!force && now - this.lastReadout < 250) return;
    this.lastReadout = now;
    this.guard(() => this.readouts());
  }

  /** Sets a readout row (created on first use). */
  setReadout(key, label, value, title) {
    this.rows ??= new Map();
    let row = this.rows.get(key);
    if (!row) {
      const dd = h("dd", {});
      const dt = h("dt", {}, label);
      if (title) dt.title = title;
      this.readoutBox.append(dt, dd);
      row = dd;
      this.rows.set(key, row);
    }
    row.textContent = value;
  }

  // --- for subclasses -------------------------------------------------------------------------
  buildUi() {}
  build() {}
  advance() {}
  render() {}
  readouts() {}
  onReset() {}
  stepsNow() {
    return 0;
  }
}

/** Formats a number with `d` significant digits (or an en dash for non-finite values). */
export function fmt(v, d = 4) {
  if (v === undefined || v === null || !Number.isFinite(v)) return "–";
  if (v !== 0 && (Math.abs(v) >= 1e5 || Math.abs(v) < 1e-3)) return v.toExponential(d - 1);
  return Number(v.toPrecision(d)).toString();
}
