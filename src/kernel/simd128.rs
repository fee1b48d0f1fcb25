//! The simd128 Langevin kernel: four particles per iteration with `core::arch::wasm32`.
//!
//! Lane-wise it performs exactly the operations of `scalar.rs` and of `fastmath`/`normal`
//! (compare-and-select clamps as `pmax`, the shifter trick, bit operations), so its
//! results are bit-identical to the scalar path; a browser test checks this. The tail of a cloud
//! whose length is not a multiple of four goes through the scalar kernel.

use core::arch::wasm32::*;

use super::params::HALF_LOG2E;
use super::{scalar, MixtureKernel, UlaStep};
use crate::fastmath::{COS_P, EXP2_LO, EXP2_P, LN2_HI, LN2_LO, LOG_P, SHIFTER, SIN_P, SQRT_HALF};
use crate::mixture::MAX_COMPONENTS;
use crate::normal::{HALF_PI_OVER_2POW24, TWO_POW_M24};

#[inline(always)]
pub(crate) fn sp(v: f32) -> v128 {
    f32x4_splat(v)
}

#[inline(always)]
pub(crate) fn triple32(mut x: v128) -> v128 {
    x = v128_xor(x, u32x4_shr(x, 17));
    x = i32x4_mul(x, u32x4_splat(0xed5a_d4bb));
    x = v128_xor(x, u32x4_shr(x, 11));
    x = i32x4_mul(x, u32x4_splat(0xac4c_1b51));
    x = v128_xor(x, u32x4_shr(x, 15));
    x = i32x4_mul(x, u32x4_splat(0x3184_8bab));
    v128_xor(x, u32x4_shr(x, 14))
}

#[inline(always)]
pub(crate) fn exp2_4(t: v128) -> v128 {
    let t = f32x4_pmax(t, sp(EXP2_LO));
    let kf = f32x4_add(t, sp(SHIFTER));
    let n = f32x4_sub(kf, sp(SHIFTER));
    let f = f32x4_sub(t, n);
    let mut p = sp(EXP2_P[0]);
    p = f32x4_add(f32x4_mul(p, f), sp(EXP2_P[1]));
    p = f32x4_add(f32x4_mul(p, f), sp(EXP2_P[2]));
    p = f32x4_add(f32x4_mul(p, f), sp(EXP2_P[3]));
    p = f32x4_add(f32x4_mul(p, f), sp(EXP2_P[4]));
    p = f32x4_add(f32x4_mul(p, f), sp(EXP2_P[5]));
    let y = f32x4_add(f32x4_mul(p, f), sp(1.0));
    f32x4_mul(y, i32x4_shl(i32x4_add(kf, i32x4_splat(127)), 23))
}

#[inline(always)]
pub(crate) fn ln4(x: v128) -> v128 {
    let e = i32x4_sub(
        v128_and(u32x4_shr(x, 23), u32x4_splat(0xff)),
        i32x4_splat(126),
    );
    let m = v128_or(
        v128_and(x, u32x4_splat(0x007f_ffff)),
        u32x4_splat(0x3f00_0000),
    );
    let small = f32x4_lt(m, sp(SQRT_HALF));
    let e = i32x4_add(e, small); // small lanes are all-ones = −1
    let t = v128_bitselect(
        f32x4_sub(f32x4_add(m, m), sp(1.0)),
        f32x4_sub(m, sp(1.0)),
        small,
    );
    let z = f32x4_mul(t, t);
    let mut p = sp(LOG_P[0]);
    for &c in &LOG_P[1..] {
        p = f32x4_add(f32x4_mul(p, t), sp(c));
    }
    let fe = f32x4_convert_i32x4(e);
    let mut y = f32x4_mul(f32x4_mul(p, t), z);
    y = f32x4_add(y, f32x4_mul(fe, sp(LN2_LO)));
    y = f32x4_sub(y, f32x4_mul(sp(0.5), z));
    let r = f32x4_add(t, y);
    f32x4_add(r, f32x4_mul(fe, sp(LN2_HI)))
}

#[inline(always)]
pub(crate) fn normal_pair4(a: v128, b: v128) -> (v128, v128) {
    let u1 = f32x4_mul(
        f32x4_convert_i32x4(i32x4_add(u32x4_shr(a, 8), i32x4_splat(1))),
        sp(TWO_POW_M24),
    );
    let r = f32x4_sqrt(f32x4_mul(ln4(u1), sp(-2.0)));
    let q = u32x4_shr(b, 30);
    let f = f32x4_convert_i32x4(v128_and(u32x4_shr(b, 6), u32x4_splat(0x00ff_ffff)));
    let phi = f32x4_sub(
        f32x4_mul(f32x4_add(f, sp(0.5)), sp(HALF_PI_OVER_2POW24)),
        sp(core::f32::consts::FRAC_PI_4),
    );
    let z = f32x4_mul(phi, phi);
    let s = f32x4_add(
        f32x4_mul(
            f32x4_mul(
                f32x4_add(
                    f32x4_mul(f32x4_add(f32x4_mul(sp(SIN_P[0]), z), sp(SIN_P[1])), z),
                    sp(SIN_P[2]),
                ),
                z,
            ),
            phi,
        ),
        phi,
    );
    let c = f32x4_mul(
        f32x4_mul(
            f32x4_add(
                f32x4_mul(f32x4_add(f32x4_mul(sp(COS_P[0]), z), sp(COS_P[1])), z),
                sp(COS_P[2]),
            ),
            z,
        ),
        z,
    );
    let c = f32x4_add(f32x4_sub(c, f32x4_mul(sp(0.5), z)), sp(1.0));
    let bit0 = v128_and(q, u32x4_splat(1));
    let bit1 = u32x4_shr(q, 1);
    let swap = i32x4_eq(bit0, u32x4_splat(1));
    let cx = v128_bitselect(s, c, swap);
    let sy = v128_bitselect(c, s, swap);
    let cx = v128_xor(cx, i32x4_shl(v128_xor(bit1, bit0), 31));
    let sy = v128_xor(sy, i32x4_shl(bit1, 31));
    (f32x4_mul(r, cx), f32x4_mul(r, sy))
}

/// One component's constants, splatted to four lanes once per step (not once per particle).
#[derive(Clone, Copy)]
pub(crate) struct Splat {
    pub(crate) mx: v128,
    pub(crate) my: v128,
    pub(crate) pxx: v128,
    pub(crate) pxy: v128,
    pub(crate) pyy: v128,
    pub(crate) c: v128,
    pub(crate) h: v128,
}

pub(crate) const ZERO_SPLAT: Splat = Splat {
    mx: f32x4(0.0, 0.0, 0.0, 0.0),
    my: f32x4(0.0, 0.0, 0.0, 0.0),
    pxx: f32x4(0.0, 0.0, 0.0, 0.0),
    pxy: f32x4(0.0, 0.0, 0.0, 0.0),
    pyy: f32x4(0.0, 0.0, 0.0, 0.0),
    c: f32x4(0.0, 0.0, 0.0, 0.0),
    h: f32x4(0.0, 0.0, 0.0, 0.0),
};

pub(crate) fn splat_all(t: &MixtureKernel, out: &mut [Splat; MAX_COMPONENTS]) {
    for (k, o) in out.iter_mut().enumerate().take(t.len()) {
        *o = Splat {
            mx: sp(t.mx[k]),
            my: sp(t.my[k]),
            pxx: sp(t.pxx[k]),
            pxy: sp(t.pxy[k]),
            pyy: sp(t.pyy[k]),
            c: sp(t.c[k]),
            h: sp(t.h[k]),
        };
    }
}

/// Σₖ rₖ Pₖ(x − μₖ) = −∇log p(x) for four particles (see `scalar::neg_score`). `E` bounds the
/// number of components (the length of `cs`): a small constant lets the compiler unroll the
/// component loops and keep the logits in registers.
#[inline(always)]
pub(crate) fn neg_score4<const E: usize>(
    cs: &[Splat],
    iso: bool,
    x: v128,
    y: v128,
) -> (v128, v128) {
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
    (f32x4_div(ax, s), f32x4_div(ay, s))
}

/// One Langevin step for every particle; returns the number of diverged particles.
pub fn ula_step(t: &MixtureKernel, xs: &mut [f32], ys: &mut [f32], st: &UlaStep) -> u32 {
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

/// The step for mixtures of at most `E` components (`cs.len() <= E`).
#[inline(never)]
fn body<const E: usize>(
    cs: &[Splat],
    t: &MixtureKernel,
    xs: &mut [f32],
    ys: &mut [f32],
    st: &UlaStep,
) -> u32 {
    let n = xs.len().min(ys.len());
    let body = n - n % 4;
    let (half, sq, lim) = (sp(st.half_step), sp(st.sqrt_step), sp(st.limit2));
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
            let (zx, zy) = normal_pair4(triple32(v128_xor(idx, k0)), triple32(v128_xor(idx, k1)));
            let (gx, gy) = neg_score4::<E>(cs, iso, x, y);
            let nx = f32x4_add(f32x4_sub(x, f32x4_mul(half, gx)), f32x4_mul(sq, zx));
            let ny = f32x4_add(f32x4_sub(y, f32x4_mul(half, gy)), f32x4_mul(sq, zy));
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
    lanes + scalar::ula_step(t, &mut xs[body..n], &mut ys[body..n], st, body as u32)
}
