//! The simd128 affine score step: four particles per iteration, lane-wise the operations of
//! `scalar.rs` (the score, the normals and the update come from `kernel::simd128`), so the two
//! paths give bit-identical clouds.

use core::arch::wasm32::*;

use super::{scalar, AffineStep};
use crate::kernel::simd128::{
    neg_score4, normal_pair4, sp, splat_all, triple32, Splat, ZERO_SPLAT,
};
use crate::kernel::MixtureKernel;
use crate::mixture::MAX_COMPONENTS;

/// One affine step for every particle; returns the number of diverged particles.
pub fn affine_step(t: &MixtureKernel, xs: &mut [f32], ys: &mut [f32], st: &AffineStep) -> u32 {
    let mut splats = [ZERO_SPLAT; MAX_COMPONENTS];
    splat_all(t, &mut splats);
    let cs = &splats[..t.len()];
    match t.len() {
        1 => body::<1>(cs, t, xs, ys, st),
        2 => body::<2>(cs, t, xs, ys, st),
        3 | 4 => body::<4>(cs, t, xs, ys, st),
        5..=8 => body::<8>(cs, t, xs, ys, st),
        9..=16 => body::<16>(cs, t, xs, ys, st),
        _ => body::<MAX_COMPONENTS>(cs, t, xs, ys, st),
    }
}

#[inline(never)]
fn body<const E: usize>(
    cs: &[Splat],
    t: &MixtureKernel,
    xs: &mut [f32],
    ys: &mut [f32],
    st: &AffineStep,
) -> u32 {
    let n = xs.len().min(ys.len());
    let body = n - n % 4;
    let (kx, ks, kz, lim) = (sp(st.kx), sp(st.ks), sp(st.kz), sp(st.limit2));
    let (k0, k1) = (u32x4_splat(st.key.k0), u32x4_splat(st.key.k1));
    let mut idx = u32x4(0, 1, 2, 3);
    let four = u32x4_splat(4);
    let one = u32x4_splat(1);
    let mut bad = u32x4_splat(0);
    let iso = t.isotropic;
    let (px, py) = (xs.as_mut_ptr(), ys.as_mut_ptr());
    let mut i = 0;
    while i < body {
        // SAFETY: i + 4 <= body <= len of both slices; v128 loads/stores are unaligned-safe.
        unsafe {
            let x = v128_load(px.add(i) as *const v128);
            let y = v128_load(py.add(i) as *const v128);
            let (gx, gy) = neg_score4::<E>(cs, iso, x, y);
            let mut nx = f32x4_sub(f32x4_mul(kx, x), f32x4_mul(ks, gx));
            let mut ny = f32x4_sub(f32x4_mul(kx, y), f32x4_mul(ks, gy));
            if st.noise {
                let (zx, zy) =
                    normal_pair4(triple32(v128_xor(idx, k0)), triple32(v128_xor(idx, k1)));
                nx = f32x4_add(nx, f32x4_mul(kz, zx));
                ny = f32x4_add(ny, f32x4_mul(kz, zy));
            }
            let r2 = f32x4_add(f32x4_mul(nx, nx), f32x4_mul(ny, ny));
            bad = i32x4_add(bad, v128_andnot(one, f32x4_lt(r2, lim)));
            v128_store(px.add(i) as *mut v128, nx);
            v128_store(py.add(i) as *mut v128, ny);
        }
        idx = i32x4_add(idx, four);
        i += 4;
    }
    let lanes = u32x4_extract_lane::<0>(bad)
        + u32x4_extract_lane::<1>(bad)
        + u32x4_extract_lane::<2>(bad)
        + u32x4_extract_lane::<3>(bad);
    lanes + scalar::affine_step(t, &mut xs[body..n], &mut ys[body..n], st, body as u32)
}
