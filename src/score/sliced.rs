//! Sliced score matching's random projections, and the linear-Gaussian Hyvärinen objective.
//!
//! Sliced score matching (Song, Garg, Shi & Ermon 2019, eq. 7) replaces tr ∇s by vᵀ(∇s)v with a
//! random v of E[vvᵀ] = I, which is unbiased: E[vᵀAv] = tr(A E[vvᵀ]) = tr A. Its variance depends
//! only on the symmetric part S = (A + Aᵀ)/2 and on the law of v (Hutchinson 1990):
//!
//!   v ~ N(0, I):          Var(vᵀAv) = 2‖S‖²_F,
//!   v Rademacher (±1):    Var(vᵀAv) = 2(‖S‖²_F − Σᵢ Aᵢᵢ²),
//!
//! so Rademacher projections remove the diagonal's contribution (and are exact for diagonal A).
//! For data N(0, Σ) and the linear model s(x) = Wx, Hyvärinen's objective and the Fisher
//! divergence are closed forms: J(W) = tr W + ½ tr(WᵀWΣ), ½E‖Wx + Σ⁻¹x‖² = ½ tr((W + Σ⁻¹)ᵀ(W + Σ⁻¹)Σ),
//! and they differ by ½ tr Σ⁻¹ = ½E‖∇log p‖² for every W (d/2 when Σ = I).

use crate::normal::normal_pair;
use crate::rng::SimRng;
use rand::Rng;

/// The law of the projection directions v.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Projection {
    /// v ~ N(0, I).
    Gaussian,
    /// vᵢ = ±1 with probability ½ each.
    Rademacher,
}

/// A 2×2 matrix [a₁₁, a₁₂, a₂₁, a₂₂] (row-major).
pub type Mat2 = [f64; 4];

/// vᵀAv.
pub fn quadratic_form(a: Mat2, v: [f64; 2]) -> f64 {
    v[0] * (a[0] * v[0] + a[1] * v[1]) + v[1] * (a[2] * v[0] + a[3] * v[1])
}

/// A projection direction.
pub fn draw_projection(rng: &mut SimRng, kind: Projection) -> [f64; 2] {
    match kind {
        Projection::Gaussian => {
            let (a, b) = normal_pair(rng.next_u32(), rng.next_u32());
            [a as f64, b as f64]
        }
        Projection::Rademacher => {
            let u = rng.next_u32();
            [
                if u & 1 == 0 { 1.0 } else { -1.0 },
                if u & 2 == 0 { 1.0 } else { -1.0 },
            ]
        }
    }
}

/// The exact variance of vᵀAv under `kind`.
pub fn trace_estimator_variance(a: Mat2, kind: Projection) -> f64 {
    let off = 0.5 * (a[1] + a[2]);
    let frob = a[0] * a[0] + a[3] * a[3] + 2.0 * off * off;
    match kind {
        Projection::Gaussian => 2.0 * frob,
        Projection::Rademacher => 2.0 * (frob - a[0] * a[0] - a[3] * a[3]),
    }
}

/// Hyvärinen's objective tr W + ½ tr(WᵀWΣ) of s(x) = Wx for data N(0, Σ), Σ = (xx, xy, yy).
pub fn linear_gaussian_ism(w: Mat2, cov: [f64; 3]) -> f64 {
    // tr(WᵀWΣ) = Σ_ij (WᵀW)_ij Σ_ji
    let g = [
        w[0] * w[0] + w[2] * w[2],
        w[0] * w[1] + w[2] * w[3],
        w[1] * w[1] + w[3] * w[3],
    ];
    w[0] + w[3] + 0.5 * (g[0] * cov[0] + 2.0 * g[1] * cov[1] + g[2] * cov[2])
}

/// The Fisher divergence ½E‖Wx − ∇log p(x)‖² for data N(0, Σ): ½ tr((W + Σ⁻¹)ᵀ(W + Σ⁻¹)Σ).
pub fn linear_gaussian_fisher(w: Mat2, cov: [f64; 3]) -> f64 {
    let det = cov[0] * cov[2] - cov[1] * cov[1];
    let p = [cov[2] / det, -cov[1] / det, cov[0] / det];
    let m = [w[0] + p[0], w[1] + p[1], w[2] + p[1], w[3] + p[2]];
    let g = [
        m[0] * m[0] + m[2] * m[2],
        m[0] * m[1] + m[2] * m[3],
        m[1] * m[1] + m[3] * m[3],
    ];
    0.5 * (g[0] * cov[0] + 2.0 * g[1] * cov[1] + g[2] * cov[2])
}
