// Widget state in the URL fragment, both ways.
//
// Each widget owns the keys `<id>.<name>` of the fragment (so several widgets share one URL),
// plus `<id>.v`, the schema version. Values are validated on load; a malformed or out-of-range
// value falls back to its default and is reported (the widget shows a notice), never breaks the
// page. Writing uses history.replaceState, so the back button is not flooded.

/** Version of the fragment schema; bump it (and keep reading old versions) when keys change. */
export const STATE_VERSION = 1;

function fragmentParams() {
  return new URLSearchParams(location.hash.replace(/^#/, ""));
}

/**
 * Reads a widget's state: `spec` maps names to { parse(string) → value | undefined }.
 * Returns { values, problems } where problems lists the rejected entries.
 */
export function readState(prefix, spec) {
  const params = fragmentParams();
  const values = {};
  const problems = [];
  const version = params.get(`${prefix}.v`);
  if (version !== null && version !== String(STATE_VERSION)) {
    problems.push(`link version ${version} is not understood (this page reads version ${STATE_VERSION})`);
    return { values, problems };
  }
  for (const [name, { parse }] of Object.entries(spec)) {
    const raw = params.get(`${prefix}.${name}`);
    if (raw === null) continue;
    const v = parse(raw);
    if (v === undefined) problems.push(`${name}=${raw.length > 40 ? `${raw.slice(0, 40)}…` : raw}`);
    else values[name] = v;
  }
  return { values, problems };
}

/** Writes a widget's state into the fragment (other widgets' keys are kept). */
export function writeState(prefix, values) {
  const params = fragmentParams();
  for (const key of [...params.keys()]) if (key.startsWith(`${prefix}.`)) params.delete(key);
  params.set(`${prefix}.v`, String(STATE_VERSION));
  for (const [k, v] of Object.entries(values)) if (v !== undefined && v !== null) params.set(`${prefix}.${k}`, String(v));
  const hash = `#${params.toString()}`;
  if (location.hash !== hash) history.replaceState(history.state, "", hash);
}

/** The fragment of just one widget's state (for embed snippets). */
export function stateFragment(prefix, values, asPrefix = prefix) {
  const params = new URLSearchParams();
  params.set(`${asPrefix}.v`, String(STATE_VERSION));
  for (const [k, v] of Object.entries(values)) if (v !== undefined && v !== null) params.set(`${asPrefix}.${k}`, String(v));
  return params.toString();
}

/** Parsers for common kinds of values. */
export const parsers = {
  oneOf: (options) => (s) => (options.includes(s) ? s : undefined),
  number: (lo, hi) => (s) => {
    const v = Number(s);
    return s.trim() !== "" && Number.isFinite(v) && v >= lo && v <= hi ? v : undefined;
  },
  integer: (lo, hi) => (s) => {
    const v = Number(s);
    return /^\d+$/.test(s) && Number.isSafeInteger(v) && v >= lo && v <= hi ? v : undefined;
  },
};
