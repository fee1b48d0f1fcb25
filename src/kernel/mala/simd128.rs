//! The simd128 MALA kernel: four particles per iteration with `core::arch::wasm32`.
//!
//! Lane-wise it performs exactly the operations of `scalar.rs` (and of `fastmath`/`normal`), so
//! both paths give bit-identical particles and acceptance counts; a browser test checks this. The
//! tail of a cloud whose length is not a multiple of four goes through the scalar kernel.

use core::arch::wasm32::*;

use super::{scalar, MalaCounts, MalaStep};
use crate::kernel::params::HALF_LOG2E;
use crate::kernel::simd128::{
    exp2_4, ln4, normal_pair4, sp, splat_all, triple32, Splat, ZERO_SPLAT,
};
use crate::kernel::MixtureKernel;
use crate::mixture::MAX_COMPONENTS;
use crate::normal::TWO_POW_M24;

const LOG2E: f32 = core::f32::consts::LOG2_E;

/// (−∇log p, log₂ p) for four particles (see `scalar::neg_score_log2p`).
#[inline(always)]
fn neg_score_log2p4<const E: usize>(
    cs: &[Splat],
    iso: bool,
    x: v128,
    y: v128,
) -> (v128, v128, v128) {
    let cs = &cs[..cs.len().min(E)];
    let mut e = [sp(0.0); E];
    let mut m = sp(f32::MIN);
    let (mut s, mut ax, mut ay) = (sp(0.0), sp(0.0), sp(0.0));
    if iso {
        for (k, c) in cs.iter().enumerate() {
            let dx = f32x4_sub(x, c.mx);
            let dy = f32x4_sub(y, c.my);
            let d2 = f32x4_add(f32x4_mul(dx, dx), f32x4_mul(dy, dy));
            let ek = f32x4_add(c.c, f32x4_mul(c.h, d2));
            e[k] = ek;
            m = f32x4_pmax(m, ek);
        }
        for (k, c) in cs.iter().enumerate() {
            let w = exp2_4(f32x4_sub(e[k], m));
            let dx = f32x4_sub(x, c.mx);
            let dy = f32x4_sub(y, c.my);
            let wp = f32x4_mul(w, c.pxx);
            s = f32x4_add(s, w);
            ax = f32x4_add(ax, f32x4_mul(wp, dx));
            ay = f32x4_add(ay, f32x4_mul(wp, dy));
        }
    } else {
        for (k, c) in cs.iter().enumerate() {
            let dx = f32x4_sub(x, c.mx);
            let dy = f32x4_sub(y, c.my);
            let gx = f32x4_add(f32x4_mul(c.pxx, dx), f32x4_mul(c.pxy, dy));
            let gy = f32x4_add(f32x4_mul(c.pxy, dx), f32x4_mul(c.pyy, dy));
            let q = f32x4_add(f32x4_mul(dx, gx), f32x4_mul(dy, gy));
            let ek = f32x4_sub(c.c, f32x4_mul(sp(HALF_LOG2E), q));
            e[k] = ek;
            m = f32x4_pmax(m, ek);
        }
        for (k, c) in cs.iter().enumerate() {
            let w = exp2_4(f32x4_sub(e[k], m));
            let dx = f32x4_sub(x, c.mx);
            let dy = f32x4_sub(y, c.my);
            let gx = f32x4_add(f32x4_mul(c.pxx, dx), f32x4_mul(c.pxy, dy));
            let gy = f32x4_add(f32x4_mul(c.pxy, dx), f32x4_mul(c.pyy, dy));
            s = f32x4_add(s, w);
            ax = f32x4_add(ax, f32x4_mul(w, gx));
            ay = f32x4_add(ay, f32x4_mul(w, gy));
        }
    }
    let lp = f32x4_add(m, f32x4_mul(ln4(s), sp(LOG2E)));
    (f32x4_div(ax, s), f32x4_div(ay, s), lp)
}

/// One MALA step for every particle.
pub fn mala_step(t: &MixtureKernel, xs: &mut [f32], ys: &mut [f32], st: &MalaStep) -> MalaCounts {
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
    st: &MalaStep,
) -> MalaCounts {
    let n = xs.len().min(ys.len());
    let body = n - n % 4;
    let (half, sq, lim) = (sp(st.half_step), sp(st.sqrt_step), sp(st.limit2));
    let (inv2e, hl2e, l2e, two24) = (
        sp(st.inv_two_step_log2e),
        sp(HALF_LOG2E),
        sp(LOG2E),
        sp(TWO_POW_M24),
    );
    let (k0, k1, ku) = (
        u32x4_splat(st.key.k0),
        u32x4_splat(st.key.k1),
        u32x4_splat(st.key_u),
    );
    let mut idx = u32x4(0, 1, 2, 3);
    let four = u32x4_splat(4);
    let one = u32x4_splat(1);
    let (mut bad, mut acc) = (u32x4_splat(0), u32x4_splat(0));
    let iso = t.isotropic;
    let (pxs, pys) = (xs.as_mut_ptr(), ys.as_mut_ptr());
    let mut i = 0;
    while i < body {
        // SAFETY: i + 4 <= body <= len of both slices; v128 loads/stores are unaligned-safe.
        unsafe {
            let x = v128_load(pxs.add(i) as *const v128);
            let y = v128_load(pys.add(i) as *const v128);
            let (gx, gy, lpx) = neg_score_log2p4::<E>(cs, iso, x, y);
            let (zx, zy) = normal_pair4(triple32(v128_xor(idx, k0)), triple32(v128_xor(idx, k1)));
            let px = f32x4_add(f32x4_sub(x, f32x4_mul(half, gx)), f32x4_mul(sq, zx));
            let py = f32x4_add(f32x4_sub(y, f32x4_mul(half, gy)), f32x4_mul(sq, zy));
            let zz = f32x4_add(f32x4_mul(zx, zx), f32x4_mul(zy, zy));
            let (hx, hy, lpy) = neg_score_log2p4::<E>(cs, iso, px, py);
            let rx = f32x4_add(f32x4_sub(x, px), f32x4_mul(half, hx));
            let ry = f32x4_add(f32x4_sub(y, py), f32x4_mul(half, hy));
            let rr = f32x4_add(f32x4_mul(rx, rx), f32x4_mul(ry, ry));
            let la = f32x4_add(
                f32x4_sub(f32x4_sub(lpy, lpx), f32x4_mul(inv2e, rr)),
                f32x4_mul(hl2e, zz),
            );
            let w = triple32(v128_xor(idx, ku));
            let u = f32x4_mul(
                f32x4_convert_i32x4(i32x4_add(u32x4_shr(w, 8), i32x4_splat(1))),
                two24,
            );
            let lu = f32x4_mul(ln4(u), l2e);
            let accept = f32x4_lt(lu, la);
            let nx = v128_bitselect(px, x, accept);
            let ny = v128_bitselect(py, y, accept);
            acc = i32x4_sub(acc, accept);
            let r2 = f32x4_add(f32x4_mul(nx, nx), f32x4_mul(ny, ny));
            bad = i32x4_add(bad, v128_andnot(one, f32x4_lt(r2, lim)));
            v128_store(pxs.add(i) as *mut v128, nx);
            v128_store(pys.add(i) as *mut v128, ny);
        }
        idx = i32x4_add(idx, four);
        i += 4;
    }
    let sum = |v: v128| {
        u32x4_extract_lane::<0>(v)
            + u32x4_extract_lane::<1>(v)
            + u32x4_extract_lane::<2>(v)
            + u32x4_extract_lane::<3>(v)
    };
    let tail = scalar::mala_step(t, &mut xs[body..n], &mut ys[body..n], st, body as u32);
    MalaCounts {
        accepted: sum(acc) + tail.accepted,
        diverged: sum(bad) + tail.diverged,
    }
}
