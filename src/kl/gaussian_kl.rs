//! KL divergence between Gaussians in closed form.
//!
//!   D_KL(N(μ₁, Σ₁) ‖ N(μ₂, Σ₂)) = ½ [ tr(Σ₂⁻¹Σ₁) + (μ₂ − μ₁)ᵀ Σ₂⁻¹ (μ₂ − μ₁) − d + log(det Σ₂ / det Σ₁) ]
//!
//! (e.g. Bishop, *Pattern Recognition and Machine Learning*, ex. 2.13 / Murphy 2012 §6.3). In 1D
//! this is log(s₂/s₁) + (s₁² + (μ₁ − μ₂)²)/(2s₂²) − ½. Covariances in 2D are (σxx, σxy, σyy).

/// D_KL(N(m1, v1) ‖ N(m2, v2)) for variances v1, v2 > 0.
pub fn kl_gaussian_1d(m1: f64, v1: f64, m2: f64, v2: f64) -> f64 {
    0.5 * ((v1 + (m1 - m2) * (m1 - m2)) / v2 - 1.0 + (v2 / v1).ln())
}

/// D_KL(N(μ1, Σ1) ‖ N(μ2, Σ2)) for 2×2 SPD covariances given as (σxx, σxy, σyy).
pub fn kl_gaussian_2d(mu1: [f64; 2], c1: [f64; 3], mu2: [f64; 2], c2: [f64; 3]) -> f64 {
    let det1 = c1[0] * c1[2] - c1[1] * c1[1];
    let det2 = c2[0] * c2[2] - c2[1] * c2[1];
    // Σ₂⁻¹ = [[c, −b], [−b, a]] / det₂ for Σ₂ = [[a, b], [b, c]]
    let (pa, pb, pc) = (c2[2] / det2, -c2[1] / det2, c2[0] / det2);
    let trace = pa * c1[0] + 2.0 * pb * c1[1] + pc * c1[2];
    let (dx, dy) = (mu2[0] - mu1[0], mu2[1] - mu1[1]);
    let quad = pa * dx * dx + 2.0 * pb * dx * dy + pc * dy * dy;
    0.5 * (trace + quad - 2.0 + (det2 / det1).ln())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_curriculum_values_and_the_1d_2d_agreement() {
        // KL(N(0,1)‖N(1,4)) = 0.4431472, KL(N(1,4)‖N(0,1)) = 1.3068528 (7 digits as printed)
        assert!((kl_gaussian_1d(0.0, 1.0, 1.0, 4.0) - 0.443_147_2).abs() < 1e-7);
        assert!((kl_gaussian_1d(1.0, 4.0, 0.0, 1.0) - 1.306_852_8).abs() < 1e-7);
        // a product of two 1D Gaussians: the KLs add
        let k2 = kl_gaussian_2d([0.3, -1.0], [2.0, 0.0, 0.5], [1.0, 0.5], [1.5, 0.0, 3.0]);
        let k1 = kl_gaussian_1d(0.3, 2.0, 1.0, 1.5) + kl_gaussian_1d(-1.0, 0.5, 0.5, 3.0);
        assert!((k2 - k1).abs() < 1e-14);
        assert_eq!(
            kl_gaussian_2d([1.0, 2.0], [1.0, 0.3, 2.0], [1.0, 2.0], [1.0, 0.3, 2.0]),
            0.0
        );
    }
}
