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
//  * state in the URL fragment (parameters, seed, steps), read back on load with validation;
//  * share and export: copy link, copy embed snippet, PNG/SVG/CSV downloads;
//  * a table view of the key numbers (a text alternative to the canvas);
//  * flags: controls="hidden" and text="hidden" (Playground-style embeds).
// Subclasses implement: buildUi(); build(mod) → create the handle; advance(budgetMs, fixed) →
// run steps; render() → draw; readouts() → update text; onReset(seed); stateSpec() and
// getState()/setState(values) for the URL; exports() → [{label, filename, blob()}];
// tableRows() → [[quantity, measured, exact]].

import { loadWasm } from "./wasm.js";
import { readState, writeState, stateFragment, parsers } from "./state.js";
import { download, canvasPng, copyText } from "./export.js";

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
    if (!this.hasAttribute("role")) this.setAttribute("role", "region");
    if (!this.hasAttribute("aria-label")) this.setAttribute("aria-label", this.constructor.title ?? "Interactive widget");
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
    this.notice = h("p", { class: "sb-notice", role: "status", hidden: true });
    this.tableBtn = h("button", { type: "button", "aria-expanded": "false", onclick: () => this.toggleTable() }, "Show numbers as a table");
    this.table = h("table", { class: "sb-table", hidden: true });
    this.shareText = h("input", { type: "text", readonly: true, class: "sb-share-text", "aria-label": "Link or snippet to copy", value: "" });
    this.shareBox = h(
      "details",
      { class: "sb-share" },
      h("summary", {}, "Share and export"),
      h(
        "div",
        { class: "sb-share-buttons" },
        h("button", { type: "button", onclick: () => this.copyLink() }, "Copy link"),
        h("button", { type: "button", onclick: () => this.copyEmbed() }, "Copy embed snippet"),
        h("button", { type: "button", onclick: () => this.exportPng() }, "Download PNG"),
      ),
      this.shareText,
    );
    this.root.querySelector(".sb-side").append(this.tableBtn, this.shareBox);
    this.root.append(this.table, this.notice);
    this.append(this.root);
    this.addEventListener("keydown", (e) => this.onKey(e));
    if (this.getAttribute("controls") === "hidden") this.classList.add("sb-no-controls");
    if (this.getAttribute("text") === "hidden") this.classList.add("sb-no-text");
    this.buildUi();
    for (const ex of this.exports()) {
      this.shareBox.querySelector(".sb-share-buttons").append(
        h("button", { type: "button", onclick: () => this.guardAsync(async () => download(ex.filename, await ex.blob())) }, ex.label),
      );
    }
    const spec = { ...this.stateSpec(), seed: { parse: parsers.integer(0, 4294967295) }, steps: { parse: parsers.integer(0, 100000) } };
    const { values, problems } = readState(this.statePrefix, spec);
    this.pendingSteps = values.steps ?? 0;
    if (values.seed !== undefined) this.seedInput.value = String(values.seed);
    delete values.steps;
    delete values.seed;
    this.setState(values);
    if (problems.length) this.showNotice(`Some link parameters were invalid and replaced by defaults: ${problems.join(", ")}.`);
  }

  /** The fragment key prefix of this widget: its id, or its tag without "sb-". */
  get statePrefix() {
    return this.id || this.localName.replace(/^sb-/, "");
  }

  /** A parameter changed: a run that continues is no longer reproducible from its seed alone. */
  paramChanged({ restarted }) {
    this.reproducible = restarted;
    this.saveState();
  }

  showNotice(text) {
    this.notice.textContent = text;
    this.notice.hidden = false;
  }

  /** Writes the current state to the URL fragment (throttled). */
  saveState() {
    if (!this.handle || this.getAttribute("url-state") === "off") return;
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => writeState(this.statePrefix, this.fullState()), 150);
  }

  /** Parameters, seed and (when the run is reproducible from its reset) the step count. */
  fullState() {
    const v = { ...this.getState(), seed: this.seed() };
    if (this.reproducible && this.handle) v.steps = this.stepsNow();
    return v;
  }

  /** This widget alone, as a link to embed.html with its state. */
  embedUrl() {
    const name = this.localName.replace(/^sb-/, "");
    const base = new URL(`../embed.html?widget=${name}`, import.meta.url);
    return `${base.href}#${stateFragment(this.statePrefix, this.fullState(), name)}`;
  }

  async copyLink() {
    if (this.handle) writeState(this.statePrefix, this.fullState());
    this.shareText.value = location.href;
    this.shareText.select?.();
    const ok = await copyText(location.href);
    this.status.textContent = ok ? "Link copied." : "Copy the link from the box below.";
  }

  async copyEmbed() {
    const snippet = `<iframe src="${this.embedUrl()}" title="scorebook: ${this.localName.replace(/^sb-/, "")} widget" width="100%" height="760" style="border:0" loading="lazy"></iframe>`;
    this.shareText.value = snippet;
    const ok = await copyText(snippet);
    this.status.textContent = ok ? "Embed snippet copied." : "Copy the snippet from the box below.";
  }

  async exportPng() {
    await this.guardAsync(async () => {
      const c = this.querySelector("canvas");
      download(`${this.statePrefix}.png`, await canvasPng(c));
    });
  }

  async guardAsync(f) {
    try {
      await f();
    } catch (err) {
      this.showError(err);
    }
  }

  toggleTable() {
    const show = this.table.hidden;
    this.table.hidden = !show;
    this.tableBtn.setAttribute("aria-expanded", String(show));
    this.tableBtn.textContent = show ? "Hide the table" : "Show numbers as a table";
    if (show) this.fillTable();
  }

  fillTable() {
    if (this.table.hidden || !this.handle) return;
    const rows = this.tableRows();
    this.table.replaceChildren(
      h("caption", {}, "Key numbers of the widget: the simulated value beside the exact one where a closed form exists"),
      h("thead", {}, h("tr", {}, ...["Quantity", "Simulated", "Exact"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, ...rows.map(([q, sim, ex]) => h("tr", {}, h("th", { scope: "row" }, q), h("td", {}, sim), h("td", {}, ex)))),
    );
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
      this.mod = await loadWasm(this.constructor.wasmBundle ?? "a");
      this.build(this.mod);
      this.reproducible = true;
      if (this.pendingSteps > 0) {
        // a shared link: replay the run to the same step (same seed → same particles)
        this.advance(0, this.pendingSteps);
        this.pendingSteps = 0;
        this.autoplayBlocked = true;
      }
      this.fitCanvases();
      this.redraw();
      this.updateReadouts(true);
      this.status.textContent = "Ready.";
      this.saveState();
      if (!reducedMotion() && !this.autoplayBlocked && this.getAttribute("autoplay") !== "false") this.play();
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
    const was = this.playing;
    this.playing = false;
    this.playBtn.textContent = "Play";
    this.playBtn.setAttribute("aria-pressed", "false");
    if (was) {
      // show the numbers of the state the run stopped in, not the last throttled update
      this.updateReadouts(true);
      this.saveState();
    }
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
    this.saveState();
  }

  reset() {
    if (!this.handle) return;
    this.clearError();
    this.guard(() => this.onReset(this.seed()));
    this.reproducible = true;
    this.stepTimes = [];
    this.saveState();
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
    this.guard(() => this.fillTable());
  }

  /**
   * Updates the aria-live summary. While playing it is announced at most every 10 s, so that a
   * screen reader is not flooded; pausing, stepping, resetting and errors announce at once.
   */
  announce(text) {
    const now = performance.now();
    if (this.playing && now - (this.lastAnnounce ?? -Infinity) < 10_000) return;
    this.lastAnnounce = now;
    this.status.textContent = text;
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
    // labels may name a parameter (e.g. "CD-5"): keep them current
    const dt = row.previousElementSibling;
    if (dt && dt.textContent !== label) dt.textContent = label;
    row.textContent = value;
  }

  /**
   * The usual advance(): `fixed` steps of the handle, or, when fixed is 0, one step and then as
   * many more (at most `cap`) as the time of that step says fit in `budgetMs`.
   */
  stepWithin(budgetMs, fixed, cap) {
    const w = this.handle;
    if (fixed > 0) return w.step(fixed);
    const t0 = performance.now();
    w.step(1);
    const per = Math.max(performance.now() - t0, 0.01);
    const more = Math.min(Math.floor((budgetMs - per) / per), cap);
    if (more > 0) w.step(more);
  }

  // --- for subclasses -------------------------------------------------------------------------
  buildUi() {}
  build() {}
  advance() {}
  render() {}
  readouts() {}
  onReset() {}
  stateSpec() {
    return {};
  }
  getState() {
    return {};
  }
  setState() {}
  exports() {
    return [];
  }
  tableRows() {
    return [];
  }
  stepsNow() {
    return 0;
  }
}

/** Formats a number with `d` significant digits (or an en dash for non-finite values). */
export function fmt(v, d = 4) {
  if (v === undefined || v === null || !Number.isFinite(v)) return "–";
  if (Math.abs(v) < 1e-12) return "0"; // round-off of an exact zero (e.g. the ring's mean)
  if (v !== 0 && (Math.abs(v) >= 1e5 || Math.abs(v) < 1e-3)) return v.toExponential(d - 1);
  return Number(v.toPrecision(d)).toString();
}
