//! The simd128 path of [`super::kernel`]: four particles per iteration with the same operations
//! in the same order (compare-and-select max as `pmax`, the shared `exp2_4`), so the velocities
//! are bit-identical to the scalar path. The tail of a cloud goes through the scalar kernel.

use core::arch::wasm32::*;

use super::kernel::{field, AffineKernel};
use crate::kernel::params::HALF_LOG2E;
use crate::kernel::simd128::{exp2_4, sp};
use crate::mixture::MAX_COMPONENTS;

// index k walks the components of the kernel arrays and of the logits together
#[allow(clippy::needless_range_loop)]
#[inline(always)]
fn field4(t: &AffineKernel, x: v128, y: v128) -> (v128, v128) {
    let mut e = [sp(0.0); MAX_COMPONENTS];
    let mut m = sp(f32::MIN);
    for k in 0..t.n {
        let dx = f32x4_sub(x, sp(t.mx[k]));
        let dy = f32x4_sub(y, sp(t.my[k]));
        let gx = f32x4_add(f32x4_mul(sp(t.pxx[k]), dx), f32x4_mul(sp(t.pxy[k]), dy));
        let gy = f32x4_add(f32x4_mul(sp(t.pxy[k]), dx), f32x4_mul(sp(t.pyy[k]), dy));
        let q = f32x4_add(f32x4_mul(dx, gx), f32x4_mul(dy, gy));
        let ek = f32x4_sub(sp(t.c[k]), f32x4_mul(sp(HALF_LOG2E), q));
        e[k] = ek;
        m = f32x4_pmax(m, ek);
    }
    let (mut s, mut ax, mut ay) = (sp(0.0), sp(0.0), sp(0.0));
    for k in 0..t.n {
        let w = exp2_4(f32x4_sub(e[k], m));
        let dx = f32x4_sub(x, sp(t.mx[k]));
        let dy = f32x4_sub(y, sp(t.my[k]));
        let vx = f32x4_add(
            sp(t.cx[k]),
            f32x4_add(f32x4_mul(sp(t.g[0][k]), dx), f32x4_mul(sp(t.g[1][k]), dy)),
        );
        let vy = f32x4_add(
            sp(t.cy[k]),
            f32x4_add(f32x4_mul(sp(t.g[2][k]), dx), f32x4_mul(sp(t.g[3][k]), dy)),
        );
        s = f32x4_add(s, w);
        ax = f32x4_add(ax, f32x4_mul(w, vx));
        ay = f32x4_add(ay, f32x4_mul(w, vy));
    }
    (f32x4_div(ax, s), f32x4_div(ay, s))
}

/// The field on a whole cloud, four particles at a time.
pub fn eval(t: &AffineKernel, xs: &[f32], ys: &[f32], vx: &mut [f32], vy: &mut [f32]) {
    let n = xs.len().min(ys.len()).min(vx.len()).min(vy.len());
    let body = n - n % 4;
    let mut i = 0;
    while i < body {
        // SAFETY: i + 4 ≤ body ≤ len of every slice; unaligned loads/stores are allowed
        unsafe {
            let x = v128_load(xs.as_ptr().add(i) as *const v128);
            let y = v128_load(ys.as_ptr().add(i) as *const v128);
            let (a, b) = field4(t, x, y);
            v128_store(vx.as_mut_ptr().add(i) as *mut v128, a);
            v128_store(vy.as_mut_ptr().add(i) as *mut v128, b);
        }
        i += 4;
    }
    for j in body..n {
        let (a, b) = field::<1>(t, [xs[j]], [ys[j]]);
        vx[j] = a[0];
        vy[j] = b[0];
    }
}
