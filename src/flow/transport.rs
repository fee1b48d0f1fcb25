//! Optimal-transport references for the flows from N(0, I).
//!
//! * W₂² between N(0, I) and N(μ, Σ) (Dowson & Landau 1982; Givens & Shortt 1984):
//!   W₂² = ‖μ‖² + tr(I + Σ − 2Σ^{1/2}) = ‖μ‖² + Σᵢ(1 − √λᵢ)², attained by the OT map
//!   x ↦ μ + Σ^{1/2}x. For a 2×2 SPD matrix, Σ^{1/2} = (Σ + √det Σ · I)/√(tr Σ + 2√det Σ).
//! * The kinetic energy of the conditional-OT flow N(0, I) → N(μ, Σ): u_τ is affine,
//!   u_τ(x) = μ + G_τ(x − τμ) with G_τ = (τΣ − (1 − τ)I)C_τ⁻¹, C_τ = (1 − τ)²I + τ²Σ, so
//!   E‖u_τ‖² = ‖μ‖² + Σᵢ (τλᵢ − (1 − τ))²/(τ²λᵢ + (1 − τ)²) and
//!   K = ∫₀¹E‖u_τ(x_τ)‖²dτ (quadrature). K > W₂² unless Σ = I (curriculum V-23: the endpoint map
//!   is the OT map, but p_τ is not the displacement interpolation, so the paths are curved).
//!   All the matrices are functions of Σ and commute with it, so the flow map at τ = 1 is the
//!   symmetric positive-definite Σ^{1/2} plus μ: the OT map, for every SPD Σ, not only Σ = s²I.
//!   (It is not in general for a non-isotropic source N(0, Σ₀) that does not commute with Σ.)
//! * Benamou–Brenier (Benamou & Brenier 2000; curriculum 003 eq. 19): W₂² = min over paths from
//!   p₀ to p₁ in unit time of ∫₀¹∫‖v‖²p_τ dx dτ, so every flow's kinetic energy is ≥ W₂².
//! * The exact OT cost between two clouds of n equal atoms by [`super::assignment`]. For samples
//!   of p and q, E[W₂²(p̂ₙ, q̂ₙ)] ≥ W₂²(p, q) (joint convexity of W₂²), so it over-estimates W₂².

use super::assignment::{squared_distances, Assignment};
use crate::error::Error;
use crate::quadrature::Rule1;

/// Σ^{1/2} of a 2×2 SPD matrix (a, b, c) = [[a, b], [b, c]].
pub fn sqrt_spd(s: [f64; 3]) -> [f64; 3] {
    let r = (s[0] * s[2] - s[1] * s[1]).max(0.0).sqrt();
    let t = (s[0] + s[2] + 2.0 * r).sqrt();
    [(s[0] + r) / t, s[1] / t, (s[2] + r) / t]
}

/// The eigenvalues of a 2×2 symmetric matrix.
pub fn eigenvalues(s: [f64; 3]) -> [f64; 2] {
    let m = 0.5 * (s[0] + s[2]);
    let d = (0.25 * (s[0] - s[2]).powi(2) + s[1] * s[1]).sqrt();
    [m + d, m - d]
}

/// W₂²(N(0, I), N(mean, cov)).
pub fn w2_squared_from_standard(mean: [f64; 2], cov: [f64; 3]) -> f64 {
    let r = sqrt_spd(cov);
    mean[0] * mean[0]
        + mean[1] * mean[1]
        + (1.0 + cov[0] - 2.0 * r[0])
        + (1.0 + cov[2] - 2.0 * r[2])
}

/// E‖u_τ(x_τ)‖² of the conditional-OT flow N(0, I) → N(mean, cov) at τ ∈ [0, 1].
pub fn gaussian_speed_squared(mean: [f64; 2], cov: [f64; 3], tau: f64) -> f64 {
    let lam = eigenvalues(cov);
    let mut e = mean[0] * mean[0] + mean[1] * mean[1];
    for l in lam {
        let k = tau * l - (1.0 - tau);
        e += k * k / (tau * tau * l + (1.0 - tau) * (1.0 - tau));
    }
    e
}

/// The kinetic energy K = ∫₀¹E‖u_τ‖²dτ of the conditional-OT flow N(0, I) → N(mean, cov), by
/// 64 cells × 8-point Gauss–Legendre (the integrand is smooth; error below 1e-12).
pub fn gaussian_kinetic_energy(mean: [f64; 2], cov: [f64; 3]) -> f64 {
    let rule = Rule1::new(0.0, 1.0, 64, 8).expect("valid rule");
    rule.integrate(|t| gaussian_speed_squared(mean, cov, t))
}

/// The exact mean OT cost (1/n) min_σ Σᵢ‖aᵢ − b_σ(i)‖² between two clouds of n ∈ [1, 1024] points.
pub fn discrete_ot_cost(
    ax: &[f32],
    ay: &[f32],
    bx: &[f32],
    by: &[f32],
    solver: &mut Assignment,
    cost: &mut Vec<f64>,
) -> Result<f64, Error> {
    let n = ax.len();
    if ay.len() != n || bx.len() != n || by.len() != n {
        return Err(Error::invalid(
            "points",
            "two clouds of the same size",
            format!("{n}, {}, {}, {}", ay.len(), bx.len(), by.len()),
        ));
    }
    squared_distances(ax, ay, bx, by, cost);
    Ok(solver.solve(n, cost)? / n as f64)
}
