//! The matrix kernels of the network: C = A·B with a fused epilogue, column sums, and their
//! dispatch between the scalar and simd128 paths.
//!
//! C[i][j] = epilogue(Σₖ A(i, k)·B[k][j]) for i < m, j < n, with A strided (A(i, k) =
//! a[i·rs + k·cs], so Aᵀ costs nothing) and B, C row-major with row length n. Every element is
//! accumulated in the same order, k = 0, 1, …, from +0, with a separate multiply and add (no FMA),
//! on both paths: the simd128 path holds a 4 × 8 block of C in eight v128 accumulators (four rows,
//! two vectors of four columns), splats A(i, k) and loads B[k][j..j+8] contiguously, so lane-wise it
//! performs the scalar path's operations and the results are bit-identical (checked in a browser
//! test). The epilogues fuse the bias and the activation (forward) or the activation's derivative
//! (backward), so a layer costs one pass over its output.

use super::activation::Activation;
use crate::kernel::KernelPath;

/// A strided read-only matrix view: element (i, k) is `data[i·rs + k·cs]`.
#[derive(Debug, Clone, Copy)]
pub struct Strided<'a> {
    /// The elements.
    pub data: &'a [f32],
    /// Row stride.
    pub rs: usize,
    /// Column stride.
    pub cs: usize,
}

/// What happens to each accumulated element S = Σₖ A(i, k)·B[k][j].
pub enum Epilogue<'a> {
    /// C = S.
    Store,
    /// C = S + bias[j].
    Bias(&'a [f32]),
    /// Z = S + bias[j] is stored in `z` and the gate of `Activation::forward` in `g`;
    /// C = act(Z) (a hidden layer's forward pass).
    BiasAct {
        /// Per-column bias.
        bias: &'a [f32],
        /// The activation.
        act: Activation,
        /// Pre-activations, m × n.
        z: &'a mut [f32],
        /// Gates, m × n.
        g: &'a mut [f32],
    },
    /// C = S · act′(z[i][j]) from the stored pre-activations and gates (a hidden layer's
    /// backward pass).
    ActGrad {
        /// Pre-activations of the layer, m × n.
        z: &'a [f32],
        /// Gates of the layer, m × n.
        g: &'a [f32],
        /// The activation.
        act: Activation,
    },
}

/// The largest element index the call reads, for the up-front bounds checks.
fn check(m: usize, n: usize, k: usize, a: &Strided, b: &[f32], c: &[f32], epi: &Epilogue) {
    assert!(m > 0 && n > 0 && k > 0, "empty product");
    assert!(
        (m - 1) * a.rs + (k - 1) * a.cs < a.data.len(),
        "A too short"
    );
    assert!(k * n <= b.len(), "B too short");
    assert!(m * n <= c.len(), "C too short");
    match epi {
        Epilogue::Store => {}
        Epilogue::Bias(bias) => assert!(bias.len() >= n),
        Epilogue::BiasAct { bias, z, g, .. } => {
            assert!(bias.len() >= n && z.len() >= m * n && g.len() >= m * n)
        }
        Epilogue::ActGrad { z, g, .. } => assert!(z.len() >= m * n && g.len() >= m * n),
    }
}

/// C = epilogue(A·B) for an m × k matrix A and a k × n matrix B (see the module docs).
///
/// Panics if a slice is too short for the dimensions (a bug of the caller, never user input).
#[allow(clippy::too_many_arguments)]
pub fn gemm(
    path: KernelPath,
    m: usize,
    n: usize,
    k: usize,
    a: Strided,
    b: &[f32],
    c: &mut [f32],
    mut epi: Epilogue,
) {
    check(m, n, k, &a, b, c, &epi);
    match path {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        KernelPath::Simd128 => super::gemm_simd128::gemm(m, n, k, a, b, c, &mut epi),
        _ => scalar_gemm(m, n, k, a, b, c, &mut epi, 0, 0),
    }
}

/// The epilogue of one element (the reference the SIMD epilogue repeats lane-wise).
#[inline(always)]
pub(crate) fn finish(epi: &mut Epilogue, n: usize, i: usize, j: usize, s: f32) -> f32 {
    match epi {
        Epilogue::Store => s,
        Epilogue::Bias(bias) => s + bias[j],
        Epilogue::BiasAct { bias, act, z, g } => {
            let v = s + bias[j];
            let (h, gate) = act.forward(v);
            z[i * n + j] = v;
            g[i * n + j] = gate;
            h
        }
        Epilogue::ActGrad { z, g, act } => act.backprop_gated(s, z[i * n + j], g[i * n + j]),
    }
}

/// The scalar path on the sub-block rows ≥ `i0`, columns ≥ `j0` (the SIMD path hands it its
/// tails). Blocks of 4 rows × 8 columns held in local arrays let LLVM keep them in registers and
/// vectorise natively; the order of operations per element is the same as the simd128 path's.
#[allow(clippy::too_many_arguments)]
pub(crate) fn scalar_gemm(
    m: usize,
    n: usize,
    k: usize,
    a: Strided,
    b: &[f32],
    c: &mut [f32],
    epi: &mut Epilogue,
    i0: usize,
    j0: usize,
) {
    let mut i = i0;
    while i + 4 <= m {
        block::<4>(n, k, &a, b, c, epi, i, j0);
        i += 4;
    }
    while i < m {
        block::<1>(n, k, &a, b, c, epi, i, j0);
        i += 1;
    }
}

/// Rows i..i+R, all columns from j0, in column blocks of 8 and then one at a time.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn block<const R: usize>(
    n: usize,
    k: usize,
    a: &Strided,
    b: &[f32],
    c: &mut [f32],
    epi: &mut Epilogue,
    i: usize,
    j0: usize,
) {
    let mut j = j0;
    while j + 8 <= n {
        let mut acc = [[0.0f32; 8]; R];
        for kk in 0..k {
            let brow: &[f32; 8] = b[kk * n + j..kk * n + j + 8].try_into().unwrap();
            for (r, accr) in acc.iter_mut().enumerate() {
                let av = a.data[(i + r) * a.rs + kk * a.cs];
                for l in 0..8 {
                    accr[l] += av * brow[l];
                }
            }
        }
        for (r, accr) in acc.iter().enumerate() {
            for (l, &s) in accr.iter().enumerate() {
                c[(i + r) * n + j + l] = finish(epi, n, i + r, j + l, s);
            }
        }
        j += 8;
    }
    while j < n {
        let mut acc = [0.0f32; R];
        for kk in 0..k {
            let bv = b[kk * n + j];
            for (r, s) in acc.iter_mut().enumerate() {
                *s += a.data[(i + r) * a.rs + kk * a.cs] * bv;
            }
        }
        for (r, &s) in acc.iter().enumerate() {
            c[(i + r) * n + j] = finish(epi, n, i + r, j, s);
        }
        j += 1;
    }
}

/// out[j] = Σᵢ d[i][j] (i = 0, 1, … in order) for an m × n row-major `d`: a bias gradient.
pub fn col_sum(path: KernelPath, m: usize, n: usize, d: &[f32], out: &mut [f32]) {
    assert!(d.len() >= m * n && out.len() >= n);
    match path {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        KernelPath::Simd128 => super::gemm_simd128::col_sum(m, n, d, out),
        _ => scalar_col_sum(m, n, d, out, 0),
    }
}

/// The scalar column sums of columns ≥ j0.
pub(crate) fn scalar_col_sum(m: usize, n: usize, d: &[f32], out: &mut [f32], j0: usize) {
    for o in out[j0..n].iter_mut() {
        *o = 0.0;
    }
    for row in d.chunks_exact(n).take(m) {
        for (o, &v) in out[j0..n].iter_mut().zip(&row[j0..]) {
            *o += v;
        }
    }
}
