//! The scalar Langevin kernel: the reference for the SIMD path, on every target.
//!
//! Particles are processed in groups of `L` independent lanes written as plain arrays (L = 4 for
//! the body of the cloud, L = 1 for its tail): per lane the operations are exactly those of
//! `simd128.rs`, in the same order, so both paths give bit-identical particles. Interleaving four
//! particles lets their dependency chains overlap and lets LLVM vectorise for the host.

use super::params::HALF_LOG2E;
use super::{MixtureKernel, UlaStep};
use crate::fastmath::exp2_nonpos;
use crate::mixture::MAX_COMPONENTS;
use crate::normal::normal_pair;
use crate::rng::counter_u32;

/// Σₖ rₖ Pₖ(x − μₖ) = −∇log p(x) for `L` particles, by a two-pass stable softmax.
#[inline(always)]
pub fn neg_score<const L: usize>(
    t: &MixtureKernel,
    x: [f32; L],
    y: [f32; L],
) -> ([f32; L], [f32; L]) {
    let mut e = [[0.0f32; L]; MAX_COMPONENTS];
    let mut m = [f32::MIN; L];
    let (mut s, mut ax, mut ay) = ([0.0f32; L], [0.0f32; L], [0.0f32; L]);
    if t.isotropic {
        // eₖ = cₖ + hₖ‖d‖², hₖ = −log₂e/(2sₖ²); −score term pₖ d with pₖ = 1/sₖ²
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
    let (mut gx, mut gy) = ([0.0f32; L], [0.0f32; L]);
    for l in 0..L {
        gx[l] = ax[l] / s[l];
        gy[l] = ay[l] / s[l];
    }
    (gx, gy)
}

/// One step of `L` particles starting at counter index `i0`; returns the number that diverged.
#[inline(always)]
fn ula_lanes<const L: usize>(
    t: &MixtureKernel,
    xs: &mut [f32],
    ys: &mut [f32],
    i0: u32,
    st: &UlaStep,
) -> u32 {
    let x: [f32; L] = std::array::from_fn(|l| xs[l]);
    let y: [f32; L] = std::array::from_fn(|l| ys[l]);
    let (gx, gy) = neg_score::<L>(t, x, y);
    let mut bad = 0;
    for l in 0..L {
        let i = i0 + l as u32;
        let (zx, zy) = normal_pair(counter_u32(i, st.key.k0), counter_u32(i, st.key.k1));
        let nx = (x[l] - st.half_step * gx[l]) + st.sqrt_step * zx;
        let ny = (y[l] - st.half_step * gy[l]) + st.sqrt_step * zy;
        xs[l] = nx;
        ys[l] = ny;
        bad += (!(nx * nx + ny * ny < st.limit2)) as u32;
    }
    bad
}

/// One Langevin step for `xs[j], ys[j]`, whose counter indices are `first_index + j`; returns the
/// number of particles that diverged.
pub fn ula_step(
    t: &MixtureKernel,
    xs: &mut [f32],
    ys: &mut [f32],
    st: &UlaStep,
    first_index: u32,
) -> u32 {
    let n = xs.len().min(ys.len());
    let body = n - n % 4;
    let mut bad = 0u32;
    let mut j = 0;
    while j < body {
        bad += ula_lanes::<4>(
            t,
            &mut xs[j..j + 4],
            &mut ys[j..j + 4],
            first_index + j as u32,
            st,
        );
        j += 4;
    }
    while j < n {
        bad += ula_lanes::<1>(
            t,
            &mut xs[j..j + 1],
            &mut ys[j..j + 1],
            first_index + j as u32,
            st,
        );
        j += 1;
    }
    bad
}
