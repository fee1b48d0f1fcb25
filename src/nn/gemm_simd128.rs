//! The simd128 matrix kernels (see `gemm.rs` for the contract): a 4 × 8 register block of C in
//! eight v128 accumulators (R × 8 with R < 4 for the last rows), lane-wise the scalar path's
//! operations, so the results are bit-identical. The columns past the last multiple of 8 (the
//! 2 outputs of a score network) are vectorised across four rows instead: the four A(i, k) are
//! loaded (or gathered) into one vector and multiplied by a splat of B[k][j], which again
//! accumulates every element in the scalar order; the epilogue is then applied lane by lane with
//! the scalar function.

use core::arch::wasm32::*;

use super::activation::simd::{backprop_gated4, forward4};
use super::gemm::{finish, scalar_col_sum, scalar_gemm, Epilogue, Strided};

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

/// Rows i..i+R (R < 4), columns j..j+8.
///
/// SAFETY: i + R <= m, j + 8 <= n, and the bounds of `gemm::check`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn block_rx8<const R: usize>(
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
    let mut acc = [[f32x4_splat(0.0); 2]; R];
    let mut bq = b.add(j);
    let mut o = 0;
    for _ in 0..k {
        let b0 = v128_load(bq as *const v128);
        let b1 = v128_load(bq.add(4) as *const v128);
        for (r, ar) in acc.iter_mut().enumerate() {
            let x = splat(a0.add(r * a.rs + o));
            ar[0] = madd(ar[0], x, b0);
            ar[1] = madd(ar[1], x, b1);
        }
        bq = bq.add(n);
        o += a.cs;
    }
    for (r, ar) in acc.iter().enumerate() {
        put(epi, c, n, i + r, j, ar[0]);
        put(epi, c, n, i + r, j + 4, ar[1]);
    }
}

/// Rows i..i+4 and the T columns j0..j0+T (T < 8): one vector of four rows per column.
///
/// SAFETY: i + 4 <= m, j0 + T <= n, and the bounds of `gemm::check`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn narrow4<const T: usize>(
    n: usize,
    k: usize,
    a: &Strided,
    b: &[f32],
    c: &mut [f32],
    epi: &mut Epilogue,
    i: usize,
    j0: usize,
) {
    let ap = a.data.as_ptr().add(i * a.rs);
    let bp = b.as_ptr().add(j0);
    let mut acc = [f32x4_splat(0.0); T];
    let contiguous = a.rs == 1;
    let mut o = 0;
    for kk in 0..k {
        let x = if contiguous {
            v128_load(ap.add(o) as *const v128)
        } else {
            f32x4(
                *ap.add(o),
                *ap.add(a.rs + o),
                *ap.add(2 * a.rs + o),
                *ap.add(3 * a.rs + o),
            )
        };
        let brow = bp.add(kk * n);
        for (t, at) in acc.iter_mut().enumerate() {
            *at = madd(*at, x, splat(brow.add(t)));
        }
        o += a.cs;
    }
    let mut lanes = [0.0f32; 4];
    for (t, at) in acc.iter().enumerate() {
        v128_store(lanes.as_mut_ptr() as *mut v128, *at);
        for (l, &sum) in lanes.iter().enumerate() {
            let (row, col) = (i + l, j0 + t);
            c[row * n + col] = finish(epi, n, row, col, sum);
        }
    }
}

/// The columns j0..n (fewer than 8) of every row: four rows at a time, then the scalar path.
#[allow(clippy::too_many_arguments)]
fn narrow(
    m: usize,
    n: usize,
    k: usize,
    a: Strided,
    b: &[f32],
    c: &mut [f32],
    epi: &mut Epilogue,
    j0: usize,
) {
    let mb = m - m % 4;
    let mut i = 0;
    while i < mb {
        // SAFETY: i + 4 <= m and j0 + (n − j0) = n; `gemm::check` bounded every index.
        unsafe {
            match n - j0 {
                1 => narrow4::<1>(n, k, &a, b, c, epi, i, j0),
                2 => narrow4::<2>(n, k, &a, b, c, epi, i, j0),
                3 => narrow4::<3>(n, k, &a, b, c, epi, i, j0),
                4 => narrow4::<4>(n, k, &a, b, c, epi, i, j0),
                5 => narrow4::<5>(n, k, &a, b, c, epi, i, j0),
                6 => narrow4::<6>(n, k, &a, b, c, epi, i, j0),
                _ => narrow4::<7>(n, k, &a, b, c, epi, i, j0),
            }
        }
        i += 4;
    }
    if mb < m {
        scalar_gemm(m, n, k, a, b, c, epi, mb, j0);
    }
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
            match m - i {
                1 => block_rx8::<1>(n, k, &a, bp, cp, epi, i, j),
                2 => block_rx8::<2>(n, k, &a, bp, cp, epi, i, j),
                3 => block_rx8::<3>(n, k, &a, bp, cp, epi, i, j),
                _ => {}
            }
        }
        j += 8;
    }
    if nb < n {
        narrow(m, n, k, a, b, c, epi, nb);
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
            s = f32x4_add(s, unsafe {
                v128_load(d.as_ptr().add(i * n + j) as *const v128)
            });
        }
        // SAFETY: j + 4 <= n <= out.len().
        unsafe { v128_store(out.as_mut_ptr().add(j) as *mut v128, s) };
        j += 4;
    }
    if nb < n {
        scalar_col_sum(m, n, d, out, nb);
    }
}
