// Benchmark W1 written the way a blog author would in plain JavaScript: Float64Array positions,
// Math.random with Box–Muller normals, a log-sum-exp softmax over the 8 components.
// It is the reference the wasm kernels are compared with (same page, same run); it is not used
// by any widget.

const K = 8;
const MU = Array.from({ length: K }, (_, k) => [4 * Math.cos((2 * Math.PI * k) / K), 4 * Math.sin((2 * Math.PI * k) / K)]);
const SD = 0.5;

function gaussian() {
  // Box–Muller
  const u1 = 1 - Math.random();
  const u2 = Math.random();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

export function initParticles(n) {
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = 3 * gaussian();
    y[i] = 3 * gaussian();
  }
  return { x, y };
}

export function stepW1(p, eps) {
  const { x, y } = p;
  const inv = 1 / (SD * SD);
  const logits = new Float64Array(K);
  const half = eps / 2;
  const sq = Math.sqrt(eps);
  for (let i = 0; i < x.length; i++) {
    let max = -Infinity;
    for (let k = 0; k < K; k++) {
      const dx = x[i] - MU[k][0];
      const dy = y[i] - MU[k][1];
      logits[k] = -0.5 * (dx * dx + dy * dy) * inv;
      if (logits[k] > max) max = logits[k];
    }
    let sum = 0;
    let sx = 0;
    let sy = 0;
    for (let k = 0; k < K; k++) {
      const w = Math.exp(logits[k] - max);
      sum += w;
      sx += w * (MU[k][0] - x[i]) * inv;
      sy += w * (MU[k][1] - y[i]) * inv;
    }
    x[i] += half * (sx / sum) + sq * gaussian();
    y[i] += half * (sy / sum) + sq * gaussian();
  }
}
