//! How far a particle cloud is from an exact Gaussian-mixture law q (typically p_σ), beyond the
//! mode shares ([`crate::mode_mass`]) and the histogram KL ([`crate::histogram_kl`]).
//!
//! * The far share: the fraction of particles whose Mahalanobis distance
//!   dₖ(x)² = (x − μₖ)ᵀΣₖ⁻¹(x − μₖ) to every component of q exceeds r. For an exact sample of q
//!   its own component's d² is χ²₂, so the expected far share is at most P(χ²₂ > r²) = e^{−r²/2}
//!   ([`far_share_bound`]); a sampler whose score is wrong in the low-density regions leaves
//!   particles there and exceeds it.
//! * The relative score error at the cloud: Σᵢ‖s(xᵢ) − ∇log q(xᵢ)‖² / Σᵢ‖∇log q(xᵢ)‖², the
//!   error of a score field where the sampler actually uses it (not where the data are).

use crate::mixture::GaussianMixture;
use crate::particles::Particles;

/// The share of particles farther than Mahalanobis distance `r` from every component of `q`
/// (non-finite particles count as far).
pub fn far_share(q: &GaussianMixture, particles: &Particles, r: f64) -> f64 {
    let r2 = r * r;
    let far = particles
        .xs
        .iter()
        .zip(&particles.ys)
        .filter(|(x, y)| {
            let p = [**x as f64, **y as f64];
            !q.components().iter().any(|c| {
                let (m, a) = (c.mean(), c.precision());
                let (dx, dy) = (p[0] - m[0], p[1] - m[1]);
                a[0] * dx * dx + 2.0 * a[1] * dx * dy + a[2] * dy * dy <= r2
            })
        })
        .count();
    far as f64 / particles.len().max(1) as f64
}

/// e^{−r²/2}: the bound on the far share of exact samples (see the module docs).
pub fn far_share_bound(r: f64) -> f64 {
    (-0.5 * r * r).exp()
}

/// Σ‖s − ∇log q‖² / Σ‖∇log q‖² over the cloud, with `score` = [s₁, s₂] per particle; NaN for an
/// empty cloud or a length mismatch.
pub fn relative_score_error(q: &GaussianMixture, particles: &Particles, score: &[f32]) -> f64 {
    let n = particles.len();
    if n == 0 || score.len() != 2 * n {
        return f64::NAN;
    }
    let (mut num, mut den) = (0.0, 0.0);
    for i in 0..n {
        let e = q.score([particles.xs[i] as f64, particles.ys[i] as f64]);
        let (dx, dy) = (score[2 * i] as f64 - e[0], score[2 * i + 1] as f64 - e[1]);
        num += dx * dx + dy * dy;
        den += e[0] * e[0] + e[1] * e[1];
    }
    num / den
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presets::preset;
    use crate::rng::sim_rng;

    #[test]
    fn far_share_of_exact_samples_respects_its_bound() {
        let q = preset("ring8").unwrap().noised(0.1).unwrap();
        let mut rng = sim_rng(3);
        let mut p = Particles::default();
        for _ in 0..20_000 {
            let x = q.sample(&mut rng);
            p.xs.push(x[0] as f32);
            p.ys.push(x[1] as f32);
        }
        // separated modes: the far share is P(χ²₂ > 4) = e^{−2} = 0.135 up to the binomial SE
        // √(0.135·0.865/20000) = 0.0024; 4 SE
        let f = far_share(&q, &p, 2.0);
        assert!((f - far_share_bound(2.0)).abs() < 0.01, "{f}");
        // the exact score has zero error
        let s: Vec<f32> = (0..p.len())
            .flat_map(|i| q.score([p.xs[i] as f64, p.ys[i] as f64]).map(|v| v as f32))
            .collect();
        // f32 rounding of the score: relative error (2⁻²⁴)² per coordinate
        assert!(relative_score_error(&q, &p, &s) < 1e-12);
    }
}
