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

/** Copies text to the clipboard; resolves to true on success (false when not allowed). */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}
