// Page script for the scorebook notebook (index.html): renders the equations and keeps the table
// of contents in step with the section being read. No maths and no randomness here: every number
// shown by a widget comes from the Rust core.

import { renderMath } from "./lib/math.js";

/** Display equations wider than their column scroll sideways; make those reachable by keyboard. */
function markScrollableEquations() {
  for (const el of document.querySelectorAll(".tex-display")) {
    const scrolls = el.scrollWidth > el.clientWidth + 1;
    if (scrolls && !el.hasAttribute("tabindex")) {
      el.setAttribute("tabindex", "0");
      el.setAttribute("role", "group");
      el.setAttribute("aria-label", "Equation (scrolls sideways)");
      el.dataset.sbScroll = "";
    } else if (!scrolls && "sbScroll" in el.dataset) {
      el.removeAttribute("tabindex");
      el.removeAttribute("role");
      el.removeAttribute("aria-label");
      delete el.dataset.sbScroll;
    }
  }
}

/**
 * Keeps punctuation next to an inline equation on the same line: "… to p." must not wrap before
 * the full stop. The equation and the touching punctuation go into a nowrap span; the equation
 * inside it may still wrap at its own break points (see .tex-glue in notebook.css).
 */
function glueInlineMath(root = document) {
  for (const el of root.querySelectorAll(".tex")) {
    if (el.parentElement?.classList.contains("tex-glue")) continue;
    const prev = el.previousSibling;
    const next = el.nextSibling;
    const before = prev?.nodeType === Node.TEXT_NODE ? /[(\[‘“]+$/.exec(prev.data) : null;
    const after = next?.nodeType === Node.TEXT_NODE ? /^[.,;:!?)\]’”]+/.exec(next.data) : null;
    if (!before && !after) continue;
    const glue = document.createElement("span");
    glue.className = "tex-glue";
    el.before(glue);
    if (before) {
      prev.data = prev.data.slice(0, before.index);
      glue.append(before[0]);
    }
    glue.append(el);
    if (after) {
      next.data = next.data.slice(after[0].length);
      glue.append(after[0]);
    }
  }
}

/** Marks the TOC link of the section at the top of the viewport with aria-current. */
function trackCurrentSection() {
  const links = new Map();
  for (const a of document.querySelectorAll('.toc a[href^="#"]')) {
    links.set(a.getAttribute("href").slice(1), a);
  }
  const sections = [...document.querySelectorAll(".article section[id]")].filter((s) => links.has(s.id));
  if (sections.length === 0) return;

  let current = null;
  const update = () => {
    const line = window.innerHeight * 0.3;
    let active = null;
    for (const s of sections) {
      if (s.getBoundingClientRect().top <= line) active = s;
      else break;
    }
    // At the very bottom of the page the last section is the current one even if short.
    if (window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 2) {
      active = sections[sections.length - 1];
    }
    const id = active ? active.id : null;
    if (id === current) return;
    if (current) links.get(current)?.removeAttribute("aria-current");
    if (id) links.get(id)?.setAttribute("aria-current", "location");
    current = id;
  };

  let queued = false;
  const schedule = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      update();
    });
  };
  window.addEventListener("scroll", schedule, { passive: true });
  window.addEventListener("resize", schedule, { passive: true });
  update();
}

const failed = renderMath(document);
if (failed > 0) console.warn(`scorebook: ${failed} equation(s) could not be rendered`);
glueInlineMath(document.querySelector(".article") ?? document);
markScrollableEquations();
window.addEventListener("resize", () => requestAnimationFrame(markScrollableEquations), { passive: true });
// KaTeX's fonts arrive after the first layout and change equation widths: check again once they
// (and everything else) have loaded.
const recheck = () => requestAnimationFrame(markScrollableEquations);
document.fonts?.addEventListener?.("loadingdone", recheck);
if (document.readyState === "complete") recheck();
else window.addEventListener("load", () => (document.fonts ? document.fonts.ready.then(recheck) : recheck()));
trackCurrentSection();
