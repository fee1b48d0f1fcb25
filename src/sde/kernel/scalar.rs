//! The scalar affine score step: the reference for the simd128 path (same operations, same
//! order, per lane), in groups of four independent lanes and a tail of single particles.

use super::AffineStep;
use crate::kernel::scalar::neg_score;
use crate::kernel::MixtureKernel;
use crate::normal::normal_pair;
use crate::rng::counter_u32;
use crate::sde::score::runaway;

#[inline(always)]
fn lanes<const L: usize>(
    t: &MixtureKernel,
    xs: &mut [f32],
    ys: &mut [f32],
    i0: u32,
    st: &AffineStep,
) -> u32 {
    let x: [f32; L] = std::array::from_fn(|l| xs[l]);
    let y: [f32; L] = std::array::from_fn(|l| ys[l]);
    let (gx, gy) = neg_score::<L>(t, x, y);
    let mut bad = 0;
    for l in 0..L {
        let mut nx = st.kx * x[l] - st.ks * gx[l];
        let mut ny = st.kx * y[l] - st.ks * gy[l];
        if st.noise {
            let i = i0 + l as u32;
            let (zx, zy) = normal_pair(counter_u32(i, st.key.k0), counter_u32(i, st.key.k1));
            nx += st.kz * zx;
            ny += st.kz * zy;
        }
        xs[l] = nx;
        ys[l] = ny;
        bad += runaway(nx * nx + ny * ny, st.limit2) as u32;
    }
    bad
}

/// One affine step for `xs[j], ys[j]` with counter indices `first_index + j`; returns the number
/// of particles that diverged.
pub fn affine_step(
    t: &MixtureKernel,
    xs: &mut [f32],
    ys: &mut [f32],
    st: &AffineStep,
    first_index: u32,
) -> u32 {
    let n = xs.len().min(ys.len());
    let body = n - n % 4;
    let mut bad = 0u32;
    let mut j = 0;
    while j < body {
        bad += lanes::<4>(
            t,
            &mut xs[j..j + 4],
            &mut ys[j..j + 4],
            first_index + j as u32,
            st,
        );
        j += 4;
    }
    while j < n {
        bad += lanes::<1>(
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

/// The exact mixture score s(x) = ∇log p(x) at every particle, written to `sx`, `sy` (the same
/// f32 arithmetic as the kernel).
pub fn scores(t: &MixtureKernel, xs: &[f32], ys: &[f32], sx: &mut [f32], sy: &mut [f32]) {
    let n = xs.len().min(ys.len()).min(sx.len()).min(sy.len());
    let body = n - n % 4;
    let mut j = 0;
    while j < body {
        let x: [f32; 4] = std::array::from_fn(|l| xs[j + l]);
        let y: [f32; 4] = std::array::from_fn(|l| ys[j + l]);
        let (gx, gy) = neg_score::<4>(t, x, y);
        for l in 0..4 {
            sx[j + l] = -gx[l];
            sy[j + l] = -gy[l];
        }
        j += 4;
    }
    while j < n {
        let (gx, gy) = neg_score::<1>(t, [xs[j]], [ys[j]]);
        sx[j] = -gx[0];
        sy[j] = -gy[0];
        j += 1;
    }
}
