// Benchmark W2 written the way a blog author would in plain JavaScript: one DSM training step of
// the MLP 3 → 128 → 128 → 2 (SiLU) on the ring of 8 Gaussians, with Float32Array weights,
// row-major loops in the cache-friendly i-k-j order, Math.random with Box–Muller normals and
// Adam (β = 0.9, 0.999, ε = 1e-8, lr 1e-3). Batch 512, σ log-uniform in [0.01, 2], input
// (x₁, x₂, log σ), loss mean‖output + z‖². It is the reference the wasm kernels are compared with
// (same page, same run); it is not used by any widget.

const B = 512;
const W = [3, 128, 128, 2];
const SMIN = 0.01;
const SMAX = 2;

function gaussian() {
  const u1 = 1 - Math.random();
  const u2 = Math.random();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

export function createW2() {
  const layers = [];
  for (let l = 0; l < W.length - 1; l++) {
    const nin = W[l];
    const nout = W[l + 1];
    const bound = 1 / Math.sqrt(nin);
    const w = new Float32Array(nin * nout); // w[i * nout + o] = W[o][i]
    const b = new Float32Array(nout);
    for (let i = 0; i < w.length; i++) w[i] = (2 * Math.random() - 1) * bound;
    for (let i = 0; i < nout; i++) b[i] = (2 * Math.random() - 1) * bound;
    layers.push({
      nin, nout, w, b,
      gw: new Float32Array(nin * nout), gb: new Float32Array(nout),
      mw: new Float32Array(nin * nout), vw: new Float32Array(nin * nout),
      mb: new Float32Array(nout), vb: new Float32Array(nout),
      z: new Float32Array(B * nout), h: new Float32Array(B * nout), d: new Float32Array(B * nout),
    });
  }
  return { layers, x: new Float32Array(B * 3), noise: new Float32Array(B * 2), t: 0 };
}

function adam(p, g, m, v, t) {
  const lr = 1e-3, b1 = 0.9, b2 = 0.999, eps = 1e-8;
  const bc1 = 1 - Math.pow(b1, t), bc2 = Math.sqrt(1 - Math.pow(b2, t));
  for (let i = 0; i < p.length; i++) {
    m[i] = b1 * m[i] + (1 - b1) * g[i];
    v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
    p[i] -= (lr / bc1) * m[i] / (Math.sqrt(v[i]) / bc2 + eps);
  }
}

export function stepW2(net) {
  const { layers, x, noise } = net;
  // batch
  for (let r = 0; r < B; r++) {
    const k = Math.floor(Math.random() * 8);
    const a = (2 * Math.PI * k) / 8;
    const ls = Math.log(SMIN) + Math.random() * (Math.log(SMAX) - Math.log(SMIN));
    const s = Math.exp(ls);
    const z1 = gaussian(), z2 = gaussian();
    x[3 * r] = 4 * Math.cos(a) + 0.5 * gaussian() + s * z1;
    x[3 * r + 1] = 4 * Math.sin(a) + 0.5 * gaussian() + s * z2;
    x[3 * r + 2] = ls;
    noise[2 * r] = z1;
    noise[2 * r + 1] = z2;
  }
  // forward
  let inp = x;
  for (let l = 0; l < layers.length; l++) {
    const L = layers[l];
    const last = l === layers.length - 1;
    for (let r = 0; r < B; r++) {
      const zo = r * L.nout;
      for (let o = 0; o < L.nout; o++) L.z[zo + o] = L.b[o];
      for (let i = 0; i < L.nin; i++) {
        const a = inp[r * L.nin + i];
        const wo = i * L.nout;
        for (let o = 0; o < L.nout; o++) L.z[zo + o] += a * L.w[wo + o];
      }
      for (let o = 0; o < L.nout; o++) {
        const z = L.z[zo + o];
        L.h[zo + o] = last ? z : z / (1 + Math.exp(-z));
      }
    }
    inp = L.h;
  }
  // loss gradient
  const out = layers[layers.length - 1];
  let loss = 0;
  for (let i = 0; i < 2 * B; i++) {
    const e = out.h[i] + noise[i];
    loss += e * e;
    out.d[i] = (2 * e) / B;
  }
  // backward
  for (let l = layers.length - 1; l >= 0; l--) {
    const L = layers[l];
    const hin = l === 0 ? x : layers[l - 1].h;
    L.gw.fill(0);
    L.gb.fill(0);
    for (let r = 0; r < B; r++) {
      const dr = r * L.nout;
      for (let o = 0; o < L.nout; o++) L.gb[o] += L.d[dr + o];
      for (let i = 0; i < L.nin; i++) {
        const a = hin[r * L.nin + i];
        const wo = i * L.nout;
        for (let o = 0; o < L.nout; o++) L.gw[wo + o] += a * L.d[dr + o];
      }
    }
    if (l > 0) {
      const P = layers[l - 1];
      for (let r = 0; r < B; r++) {
        const dr = r * L.nout;
        for (let i = 0; i < L.nin; i++) {
          let s = 0;
          const wo = i * L.nout;
          for (let o = 0; o < L.nout; o++) s += L.w[wo + o] * L.d[dr + o];
          const z = P.z[r * L.nin + i];
          const sg = 1 / (1 + Math.exp(-z));
          P.d[r * L.nin + i] = s * sg * (1 + z * (1 - sg));
        }
      }
    }
  }
  net.t += 1;
  for (const L of layers) {
    adam(L.w, L.gw, L.mw, L.vw, net.t);
    adam(L.b, L.gb, L.mb, L.vb, net.t);
  }
  return loss / B;
}
