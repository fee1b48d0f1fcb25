//! The simd128 matrix kernels (see `gemm.rs` for the contract): a 4 × 8 register block of C in
//! eight v128 accumulators, lane-wise the scalar path's operations, so the results are
//! bit-identical. Columns past the last multiple of 8 go through the scalar path.

use core::arch::wasm32::*;

use super::activation::simd::{backprop_gated4, forward4};
use super::gemm::{scalar_col_sum, scalar_gemm, Epilogue, Strided};

/// Writes the accumulated vector `s` of row `i`, columns j..j+4, through the epilogue.
///
/// SAFETY: `i < m`, `j + 4 <= n` and the slices hold m × n elements (checked by `gemm::check`).
#[inline(always)]
unsafe fn put(epi: &mut Epilogue, c: *mut f32, n: usize, i: usize, j: usize, s: v128) {
    let at = i * n + j;
    let v = match epi {
        Epilogue::Store => s,
        Epilogue::Bias(bias) => f32x4_add(s, v128_load(bias.as_ptr().add(j) as *const v128)),
        Epilogue::BiasAct { bias, act, z, g } => {
            let v = f32x4_add(s, v128_load(bias.as_ptr().add(j) as *const v128));
            let (h, gate) = forward4(*act, v);
            v128_store(z.as_mut_ptr().add(at) as *mut v128, v);
            v128_store(g.as_mut_ptr().add(at) as *mut v128, gate);
            h
        }
        Epilogue::ActGrad { z, g, act } => backprop_gated4(
            *act,
            s,
            v128_load(z.as_ptr().add(at) as *const v128),
            v128_load(g.as_ptr().add(at) as *const v128),
        ),
    };
    v128_store(c.add(at) as *mut v128, v);
}

#[inline(always)]
unsafe fn splat(p: *const f32) -> v128 {
    v128_load32_splat(p as *const u32)
}

#[inline(always)]
fn madd(acc: v128, x: v128, y: v128) -> v128 {
    f32x4_add(acc, f32x4_mul(x, y))
}

/// Rows i..i+4, columns j..j+8.
///
/// SAFETY: i + 4 <= m, j + 8 <= n, and the bounds of `gemm::check`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn block4x8(
    n: usize,
    k: usize,
    a: &Strided,
    b: *const f32,
    c: *mut f32,
    epi: &mut Epilogue,
    i: usize,
    j: usize,
) {
    let (rs, cs) = (a.rs, a.cs);
    let a0 = a.data.as_ptr().add(i * rs);
    let (a1, a2, a3) = (a0.add(rs), a0.add(2 * rs), a0.add(3 * rs));
    let z = f32x4_splat(0.0);
    let (mut c00, mut c01, mut c10, mut c11) = (z, z, z, z);
    let (mut c20, mut c21, mut c30, mut c31) = (z, z, z, z);
    let mut bq = b.add(j);
    let mut o = 0;
    for _ in 0..k {
        let b0 = v128_load(bq as *const v128);
        let b1 = v128_load(bq.add(4) as *const v128);
        let x0 = splat(a0.add(o));
        c00 = madd(c00, x0, b0);
        c01 = madd(c01, x0, b1);
        let x1 = splat(a1.add(o));
        c10 = madd(c10, x1, b0);
        c11 = madd(c11, x1, b1);
        let x2 = splat(a2.add(o));
        c20 = madd(c20, x2, b0);
        c21 = madd(c21, x2, b1);
        let x3 = splat(a3.add(o));
        c30 = madd(c30, x3, b0);
        c31 = madd(c31, x3, b1);
        bq = bq.add(n);
        o += cs;
    }
    put(epi, c, n, i, j, c00);
    put(epi, c, n, i, j + 4, c01);
    put(epi, c, n, i + 1, j, c10);
    put(epi, c, n, i + 1, j + 4, c11);
    put(epi, c, n, i + 2, j, c20);
    put(epi, c, n, i + 2, j + 4, c21);
    put(epi, c, n, i + 3, j, c30);
    put(epi, c, n, i + 3, j + 4, c31);
}

/// Row i, columns j..j+8.
///
/// SAFETY: i < m, j + 8 <= n, and the bounds of `gemm::check`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn block1x8(
    n: usize,
    k: usize,
    a: &Strided,
    b: *const f32,
    c: *mut f32,
    epi: &mut Epilogue,
    i: usize,
    j: usize,
) {
    let a0 = a.data.as_ptr().add(i * a.rs);
    let z = f32x4_splat(0.0);
    let (mut c00, mut c01) = (z, z);
    let mut bq = b.add(j);
    let mut o = 0;
    for _ in 0..k {
        let x0 = splat(a0.add(o));
        c00 = madd(c00, x0, v128_load(bq as *const v128));
        c01 = madd(c01, x0, v128_load(bq.add(4) as *const v128));
        bq = bq.add(n);
        o += a.cs;
    }
    put(epi, c, n, i, j, c00);
    put(epi, c, n, i, j + 4, c01);
}

/// C = epilogue(A·B); the caller (`gemm::gemm`) has checked the bounds.
pub fn gemm(
    m: usize,
    n: usize,
    k: usize,
    a: Strided,
    b: &[f32],
    c: &mut [f32],
    epi: &mut Epilogue,
) {
    let nb = n - n % 8;
    let (bp, cp) = (b.as_ptr(), c.as_mut_ptr());
    let mut j = 0;
    while j < nb {
        let mut i = 0;
        // SAFETY: i + 4 <= m and j + 8 <= nb <= n; `gemm::check` bounded every index.
        unsafe {
            while i + 4 <= m {
                block4x8(n, k, &a, bp, cp, epi, i, j);
                i += 4;
            }
            while i < m {
                block1x8(n, k, &a, bp, cp, epi, i, j);
                i += 1;
            }
        }
        j += 8;
    }
    if nb < n {
        scalar_gemm(m, n, k, a, b, c, epi, 0, nb);
    }
}

/// out[j] = Σᵢ d[i][j], four columns at a time, rows in order.
pub fn col_sum(m: usize, n: usize, d: &[f32], out: &mut [f32]) {
    let nb = n - n % 4;
    let mut j = 0;
    while j < nb {
        let mut s = f32x4_splat(0.0);
        for i in 0..m {
            // SAFETY: i·n + j + 4 <= m·n <= d.len() (checked by `gemm::col_sum`).
            s = f32x4_add(s, unsafe { v128_load(d.as_ptr().add(i * n + j) as *const v128) });
        }
        // SAFETY: j + 4 <= n <= out.len().
        unsafe { v128_store(out.as_mut_ptr().add(j) as *mut v128, s) };
        j += 4;
    }
    if nb < n {
        scalar_col_sum(m, n, d, out, nb);
    }
}
