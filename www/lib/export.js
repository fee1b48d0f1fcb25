// Downloads and clipboard helpers for widget exports (PNG, SVG, CSV) and share links.

/** Offers `blob` as a download named `filename`. */
export function download(filename, blob) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.rel = "noopener";
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A canvas as a PNG blob, at its full device-pixel resolution. */
export function canvasPng(canvas) {
  return new Promise((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("the canvas could not be encoded as PNG"))), "image/png"),
  );
}

/** CSV text from a header and rows of numbers/strings. */
export function csv(header, rows) {
  const cell = (v) => (typeof v === "number" ? String(v) : `"${String(v).replaceAll('"', '""')}"`);
  return [header.map(cell).join(","), ...rows.map((r) => r.map(cell).join(","))].join("\n") + "\n";
}

/** Rows of `width` numbers from a flat array (a Float64Array from the core); non-finite values become empty cells. */
export function rowsOf(flat, width) {
  const rows = [];
  for (let i = 0; i + width <= flat.length; i += width) rows.push(Array.from(flat.slice(i, i + width), (v) => (Number.isFinite(v) ? v : "")));
  return rows;
}

/** An export entry {label, filename, blob} for a CSV of a flat array in rows of `header.length`. */
export function csvExport(label, filename, header, flat) {
  return { label, filename, blob: async () => new Blob([csv(header, rowsOf(flat(), header.length))], { type: "text/csv" }) };
}

/** An export entry for an SVG document made by the core. */
export function svgExport(label, filename, svg) {
  return { label, filename, blob: async () => new Blob([svg()], { type: "image/svg+xml" }) };
}

/** Copies text to the clipboard; resolves to true on success (false when not allowed). */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}
