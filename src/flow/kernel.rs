//! The f32 particle kernel of the exact velocity fields: v(x) = Σₖ ρₖ(x)(cₖ + Gₖ(x − mₖ)) with
//! ρₖ ∝ 2^{eₖ(x)}, eₖ = log₂e·(lwₖ − ½(x − mₖ)ᵀPₖ(x − mₖ)). Both the conditional-OT marginal
//! velocity ([`super::cond_ot`]) and the VP probability flow ([`super::vp_flow`]) have this form
//! at a fixed τ; the f64 per-τ constants are computed once per evaluation time and rounded to f32.
//!
//! The scalar path processes `L` independent lanes as plain arrays (L = 4 for the body of the
//! cloud, 1 for its tail) with exactly the operations of the simd128 path
//! ([`super::kernel_simd128`]) in the same order, and `fastmath::exp2_nonpos` for the softmax, so
//! both give bit-identical velocities (a browser test checks this). No allocation.

use super::cond_ot::AffineTerm;
use crate::fastmath::exp2_nonpos;
use crate::kernel::params::HALF_LOG2E;
use crate::kernel::KernelPath;
use crate::mixture::MAX_COMPONENTS;
use std::f64::consts::LOG2_E;

/// f32 constants of the terms, one array per field.
#[derive(Debug, Clone, PartialEq)]
pub struct AffineKernel {
    pub(crate) n: usize,
    pub(crate) mx: [f32; MAX_COMPONENTS],
    pub(crate) my: [f32; MAX_COMPONENTS],
    pub(crate) pxx: [f32; MAX_COMPONENTS],
    pub(crate) pxy: [f32; MAX_COMPONENTS],
    pub(crate) pyy: [f32; MAX_COMPONENTS],
    /// lwₖ·log₂e.
    pub(crate) c: [f32; MAX_COMPONENTS],
    pub(crate) cx: [f32; MAX_COMPONENTS],
    pub(crate) cy: [f32; MAX_COMPONENTS],
    pub(crate) g: [[f32; MAX_COMPONENTS]; 4],
}

impl Default for AffineKernel {
    fn default() -> Self {
        let z = [0.0f32; MAX_COMPONENTS];
        AffineKernel {
            n: 0,
            mx: z,
            my: z,
            pxx: z,
            pxy: z,
            pyy: z,
            c: z,
            cx: z,
            cy: z,
            g: [z; 4],
        }
    }
}

impl AffineKernel {
    /// Rounds the f64 terms to the kernel's constants (≤ 64 terms).
    pub(crate) fn fill(&mut self, terms: &[AffineTerm]) {
        self.n = terms.len().min(MAX_COMPONENTS);
        for (k, t) in terms.iter().take(self.n).enumerate() {
            self.mx[k] = t.m[0] as f32;
            self.my[k] = t.m[1] as f32;
            self.pxx[k] = t.p[0] as f32;
            self.pxy[k] = t.p[1] as f32;
            self.pyy[k] = t.p[2] as f32;
            self.c[k] = (t.lw * LOG2_E) as f32;
            self.cx[k] = t.c[0] as f32;
            self.cy[k] = t.c[1] as f32;
            for r in 0..4 {
                self.g[r][k] = t.g[r] as f32;
            }
        }
    }
}

/// The field at `L` points (two-pass stable softmax).
// indices k and l mirror the simd128 path's per-component loop and lanes
#[allow(clippy::needless_range_loop)]
#[inline(always)]
pub fn field<const L: usize>(t: &AffineKernel, x: [f32; L], y: [f32; L]) -> ([f32; L], [f32; L]) {
    let mut e = [[0.0f32; L]; MAX_COMPONENTS];
    let mut m = [f32::MIN; L];
    for k in 0..t.n {
        for l in 0..L {
            let dx = x[l] - t.mx[k];
            let dy = y[l] - t.my[k];
            let gx = t.pxx[k] * dx + t.pxy[k] * dy;
            let gy = t.pxy[k] * dx + t.pyy[k] * dy;
            let q = dx * gx + dy * gy;
            let ek = t.c[k] - HALF_LOG2E * q;
            e[k][l] = ek;
            m[l] = if m[l] < ek { ek } else { m[l] };
        }
    }
    let (mut s, mut ax, mut ay) = ([0.0f32; L], [0.0f32; L], [0.0f32; L]);
    for k in 0..t.n {
        for l in 0..L {
            let w = exp2_nonpos(e[k][l] - m[l]);
            let dx = x[l] - t.mx[k];
            let dy = y[l] - t.my[k];
            let vx = t.cx[k] + (t.g[0][k] * dx + t.g[1][k] * dy);
            let vy = t.cy[k] + (t.g[2][k] * dx + t.g[3][k] * dy);
            s[l] += w;
            ax[l] += w * vx;
            ay[l] += w * vy;
        }
    }
    let (mut vx, mut vy) = ([0.0f32; L], [0.0f32; L]);
    for l in 0..L {
        vx[l] = ax[l] / s[l];
        vy[l] = ay[l] / s[l];
    }
    (vx, vy)
}

/// The field on a whole cloud, scalar path.
pub fn eval_scalar(t: &AffineKernel, xs: &[f32], ys: &[f32], vx: &mut [f32], vy: &mut [f32]) {
    let n = xs.len().min(ys.len()).min(vx.len()).min(vy.len());
    let body = n - n % 4;
    let mut i = 0;
    while i < body {
        let (a, b) = field::<4>(
            t,
            [xs[i], xs[i + 1], xs[i + 2], xs[i + 3]],
            [ys[i], ys[i + 1], ys[i + 2], ys[i + 3]],
        );
        vx[i..i + 4].copy_from_slice(&a);
        vy[i..i + 4].copy_from_slice(&b);
        i += 4;
    }
    for j in body..n {
        let (a, b) = field::<1>(t, [xs[j]], [ys[j]]);
        vx[j] = a[0];
        vy[j] = b[0];
    }
}

/// The field on a whole cloud by the chosen path (both give the same bits).
pub fn eval(
    path: KernelPath,
    t: &AffineKernel,
    xs: &[f32],
    ys: &[f32],
    vx: &mut [f32],
    vy: &mut [f32],
) {
    match path {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        KernelPath::Simd128 => super::kernel_simd128::eval(t, xs, ys, vx, vy),
        _ => eval_scalar(t, xs, ys, vx, vy),
    }
}
