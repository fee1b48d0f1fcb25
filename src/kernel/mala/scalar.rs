//! The scalar MALA kernel: the reference for the SIMD path, on every target.
//!
//! As in `kernel::scalar`, `L` independent lanes are written as plain arrays and every lane
//! performs exactly the operations of `simd128.rs`, in the same order. (Hence the lane-indexed
//! loops, the spelled-out `a = a + b` and the NaN-catching `!(r2 < R²)`: they mirror the SIMD code
//! operation for operation.)
#![allow(
    clippy::needless_range_loop,
    clippy::assign_op_pattern,
    clippy::nonminimal_bool,
    clippy::neg_cmp_op_on_partial_ord
)]

use super::{MalaCounts, MalaStep};
use crate::fastmath::{exp2_nonpos, ln_f32};
use crate::kernel::params::HALF_LOG2E;
use crate::kernel::MixtureKernel;
use crate::mixture::MAX_COMPONENTS;
use crate::normal::{normal_pair, TWO_POW_M24};
use crate::rng::counter_u32;

/// log₂e.
const LOG2E: f32 = std::f32::consts::LOG2_E;

/// (−∇log p(x), log₂ p(x)) for `L` particles, by a two-pass stable softmax:
/// log₂ p = m + log₂ Σₖ 2^(eₖ − m) with m = maxₖ eₖ.
#[inline(always)]
pub fn neg_score_log2p<const L: usize>(
    t: &MixtureKernel,
    x: [f32; L],
    y: [f32; L],
) -> ([f32; L], [f32; L], [f32; L]) {
    let mut e = [[0.0f32; L]; MAX_COMPONENTS];
    let mut m = [f32::MIN; L];
    let (mut s, mut ax, mut ay) = ([0.0f32; L], [0.0f32; L], [0.0f32; L]);
    if t.isotropic {
        for k in 0..t.len() {
            for l in 0..L {
                let dx = x[l] - t.mx[k];
                let dy = y[l] - t.my[k];
                let d2 = dx * dx + dy * dy;
                let ek = t.c[k] + t.h[k] * d2;
                e[k][l] = ek;
                m[l] = if m[l] < ek { ek } else { m[l] };
            }
        }
        for k in 0..t.len() {
            for l in 0..L {
                let w = exp2_nonpos(e[k][l] - m[l]);
                let dx = x[l] - t.mx[k];
                let dy = y[l] - t.my[k];
                let wp = w * t.pxx[k];
                s[l] = s[l] + w;
                ax[l] = ax[l] + wp * dx;
                ay[l] = ay[l] + wp * dy;
            }
        }
    } else {
        for k in 0..t.len() {
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
        for k in 0..t.len() {
            for l in 0..L {
                let w = exp2_nonpos(e[k][l] - m[l]);
                let dx = x[l] - t.mx[k];
                let dy = y[l] - t.my[k];
                let gx = t.pxx[k] * dx + t.pxy[k] * dy;
                let gy = t.pxy[k] * dx + t.pyy[k] * dy;
                s[l] = s[l] + w;
                ax[l] = ax[l] + w * gx;
                ay[l] = ay[l] + w * gy;
            }
        }
    }
    let (mut gx, mut gy, mut lp) = ([0.0f32; L], [0.0f32; L], [0.0f32; L]);
    for l in 0..L {
        gx[l] = ax[l] / s[l];
        gy[l] = ay[l] / s[l];
        lp[l] = m[l] + ln_f32(s[l]) * LOG2E;
    }
    (gx, gy, lp)
}

/// One MALA step of `L` particles starting at counter index `i0`.
#[inline(always)]
fn mala_lanes<const L: usize>(
    t: &MixtureKernel,
    xs: &mut [f32],
    ys: &mut [f32],
    i0: u32,
    st: &MalaStep,
) -> MalaCounts {
    let x: [f32; L] = std::array::from_fn(|l| xs[l]);
    let y: [f32; L] = std::array::from_fn(|l| ys[l]);
    let (gx, gy, lpx) = neg_score_log2p::<L>(t, x, y);
    let mut px = [0.0f32; L];
    let mut py = [0.0f32; L];
    let mut zz = [0.0f32; L];
    for l in 0..L {
        let i = i0 + l as u32;
        let (zx, zy) = normal_pair(counter_u32(i, st.key.k0), counter_u32(i, st.key.k1));
        px[l] = (x[l] - st.half_step * gx[l]) + st.sqrt_step * zx;
        py[l] = (y[l] - st.half_step * gy[l]) + st.sqrt_step * zy;
        zz[l] = zx * zx + zy * zy;
    }
    let (hx, hy, lpy) = neg_score_log2p::<L>(t, px, py);
    let mut c = MalaCounts::default();
    for l in 0..L {
        let i = i0 + l as u32;
        // x − y − (ε/2) s(y) = (x − y) + (ε/2)·(−s(y))
        let rx = (x[l] - px[l]) + st.half_step * hx[l];
        let ry = (y[l] - py[l]) + st.half_step * hy[l];
        let rr = rx * rx + ry * ry;
        // log₂ a = log₂p(y) − log₂p(x) − log₂e·‖r‖²/(2ε) + log₂e·‖z‖²/2
        let la = ((lpy[l] - lpx[l]) - st.inv_two_step_log2e * rr) + HALF_LOG2E * zz[l];
        let u = (((counter_u32(i, st.key_u) >> 8) + 1) as i32) as f32 * TWO_POW_M24;
        let lu = ln_f32(u) * LOG2E;
        let accept = lu < la;
        let (nx, ny) = if accept { (px[l], py[l]) } else { (x[l], y[l]) };
        xs[l] = nx;
        ys[l] = ny;
        c.accepted += accept as u32;
        c.diverged += (!(nx * nx + ny * ny < st.limit2)) as u32;
    }
    c
}

/// One MALA step for `xs[j], ys[j]`, whose counter indices are `first_index + j`.
pub fn mala_step(
    t: &MixtureKernel,
    xs: &mut [f32],
    ys: &mut [f32],
    st: &MalaStep,
    first_index: u32,
) -> MalaCounts {
    let n = xs.len().min(ys.len());
    let body = n - n % 4;
    let mut c = MalaCounts::default();
    let mut add = |d: MalaCounts| {
        c.accepted += d.accepted;
        c.diverged += d.diverged;
    };
    let mut j = 0;
    while j < body {
        add(mala_lanes::<4>(
            t,
            &mut xs[j..j + 4],
            &mut ys[j..j + 4],
            first_index + j as u32,
            st,
        ));
        j += 4;
    }
    while j < n {
        add(mala_lanes::<1>(
            t,
            &mut xs[j..j + 1],
            &mut ys[j..j + 1],
            first_index + j as u32,
            st,
        ));
        j += 1;
    }
    c
}
