// Maths rendering for scorebook: a thin wrapper around the self-hosted KaTeX in ../vendor/katex.
//
//   renderMath(root)            renders every .tex (inline) and .tex-display (display) element
//                               under root from its LaTeX source;
//   renderTex(el, src, display) renders one live equation (widgets call it with current values).
//
// The source of each element is kept in data-tex, so rendering again (e.g. after a widget or a
// script changed it) always starts from the LaTeX, never from KaTeX's output. One bad equation
// never stops the others: it keeps its source text visible and gets the class tex-error.

import katex from "../vendor/katex/katex.mjs";

const CSS_URL = new URL("../vendor/katex/katex.min.css", import.meta.url);

/** Links katex.min.css once, so a widget embedded alone on another page gets the fonts too. */
function ensureCss(doc = globalThis.document) {
  if (!doc || !doc.head) return;
  for (const link of doc.querySelectorAll('link[rel~="stylesheet"]')) {
    // link.href is the resolved absolute URL, whatever the page wrote in the attribute.
    if (link.href === CSS_URL.href || /(^|\/)katex(\.min)?\.css(\?|#|$)/.test(link.getAttribute("href") ?? "")) {
      return;
    }
  }
  const link = doc.createElement("link");
  link.rel = "stylesheet";
  link.href = CSS_URL.href;
  link.dataset.sbKatex = "";
  doc.head.append(link);
}

ensureCss();

/**
 * Renders `src` into `el` with KaTeX (display mode if `displayMode`). On failure the source stays
 * visible as plain text and `el` gets the class `tex-error`. Returns true on success.
 */
export function renderTex(el, src, displayMode = false) {
  if (!el) return false;
  const source = String(src ?? "");
  el.dataset.tex = source;
  ensureCss(el.ownerDocument);
  try {
    katex.render(source, el, {
      displayMode,
      throwOnError: false,
      output: "htmlAndMathml",
    });
    // With throwOnError: false KaTeX draws a red error span instead of throwing.
    if (el.querySelector(".katex-error")) throw new Error(el.querySelector(".katex-error").title || "KaTeX parse error");
    el.classList.remove("tex-error");
    el.removeAttribute("title");
    return true;
  } catch (err) {
    el.textContent = source;
    el.classList.add("tex-error");
    el.title = `Could not render this equation: ${err && err.message ? err.message : err}`;
    console.warn("scorebook: equation failed to render:", source, err);
    return false;
  }
}

/**
 * Renders every `.tex` (inline) and `.tex-display` (display) element under `root` (a Document,
 * an Element or a ShadowRoot). Returns the number of equations that failed.
 */
export function renderMath(root = document) {
  let failed = 0;
  const els = root.querySelectorAll ? root.querySelectorAll(".tex, .tex-display") : [];
  for (const el of els) {
    if (!("tex" in el.dataset)) el.dataset.tex = el.textContent.trim();
    const display = el.classList.contains("tex-display");
    if (!renderTex(el, el.dataset.tex, display)) failed += 1;
  }
  return failed;
}

export default renderMath;
