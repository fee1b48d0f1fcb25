//! Gaussian mixtures in the plane: exact density, score, noising and sampling.
//!
//! p(x) = Σₖ wₖ N(x; μₖ, Σₖ) with Σ wₖ = 1.
//! The score is the responsibility-weighted component score,
//!   ∇log p(x) = Σₖ rₖ(x) (−Σₖ⁻¹(x − μₖ)),  rₖ(x) = wₖ N(x; μₖ, Σₖ) / p(x),
//! with the responsibilities computed by a numerically stable softmax (log-sum-exp), so the score
//! is finite everywhere, even far from every mode.
//! Convolving with Gaussian noise keeps a mixture a mixture: p_σ = p ∗ N(0, σ²I) has components
//! N(μₖ, Σₖ + σ²I) with the same weights, so its score is exact at every noise level (this is the
//! oracle every score-based widget compares a learned model with).

use crate::error::Error;
use crate::gaussian::Gaussian2;
use crate::normal::normal_pair;
use crate::rng::SimRng;
use rand::Rng;

/// The most components a mixture may have (drawn targets included).
pub const MAX_COMPONENTS: usize = 64;

/// A finite mixture of bivariate Gaussians.
#[derive(Debug, Clone, PartialEq)]
pub struct GaussianMixture {
    weights: Vec<f64>,
    components: Vec<Gaussian2>,
}

impl GaussianMixture {
    /// A mixture from (unnormalised, positive) weights and components.
    pub fn new(weights: &[f64], components: Vec<Gaussian2>) -> Result<Self, Error> {
        if components.is_empty() || components.len() > MAX_COMPONENTS {
            return Err(Error::invalid(
                "components",
                format!("a list of 1 to {MAX_COMPONENTS} Gaussians"),
                format!("{} components", components.len()),
            ));
        }
        if weights.len() != components.len() {
            return Err(Error::invalid(
                "weights",
                format!("one weight per component ({})", components.len()),
                format!("{} weights", weights.len()),
            ));
        }
        if let Some(w) = weights.iter().find(|w| !(w.is_finite() && **w > 0.0)) {
            return Err(Error::invalid("weights", "finite numbers > 0", w));
        }
        let total: f64 = weights.iter().sum();
        Ok(GaussianMixture {
            weights: weights.iter().map(|w| w / total).collect(),
            components,
        })
    }

    /// A mixture from flat arrays: `means` = [x₀, y₀, x₁, y₁, …] and
    /// `covariances` = [σxx₀, σxy₀, σyy₀, σxx₁, …].
    pub fn from_flat(weights: &[f64], means: &[f64], covariances: &[f64]) -> Result<Self, Error> {
        let k = weights.len();
        if means.len() != 2 * k {
            return Err(Error::invalid(
                "means",
                format!("2 numbers per component ({} for {k} weights)", 2 * k),
                format!("{} numbers", means.len()),
            ));
        }
        if covariances.len() != 3 * k {
            return Err(Error::invalid(
                "covariances",
                format!(
                    "3 numbers (sxx, sxy, syy) per component ({} for {k} weights)",
                    3 * k
                ),
                format!("{} numbers", covariances.len()),
            ));
        }
        let comps = (0..k)
            .map(|i| {
                Gaussian2::new(
                    [means[2 * i], means[2 * i + 1]],
                    covariances[3 * i],
                    covariances[3 * i + 1],
                    covariances[3 * i + 2],
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        Self::new(weights, comps)
    }

    /// The normalised weights.
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }
    /// The components.
    pub fn components(&self) -> &[Gaussian2] {
        &self.components
    }
    /// Number of components.
    pub fn len(&self) -> usize {
        self.components.len()
    }
    /// Always false: a mixture has at least one component.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The single component, if the mixture is one isotropic Gaussian N(μ, s²I): returns (μ, s²).
    pub fn as_isotropic_gaussian(&self) -> Option<([f64; 2], f64)> {
        if self.len() != 1 {
            return None;
        }
        let c = self.components[0].cov();
        (c[1] == 0.0 && c[0] == c[2]).then(|| (self.components[0].mean(), c[0]))
    }

    /// log wₖ + log N(x; μₖ, Σₖ) for every k, written into `out`; returns the maximum.
    fn component_logs(&self, x: [f64; 2], out: &mut [f64; MAX_COMPONENTS]) -> f64 {
        let mut m = f64::NEG_INFINITY;
        for (k, (w, c)) in self.weights.iter().zip(&self.components).enumerate() {
            out[k] = w.ln() + c.log_density(x);
            m = m.max(out[k]);
        }
        m
    }

    /// log p(x), by log-sum-exp.
    pub fn log_density(&self, x: [f64; 2]) -> f64 {
        let mut l = [0.0; MAX_COMPONENTS];
        let m = self.component_logs(x, &mut l);
        m + l[..self.len()]
            .iter()
            .map(|v| (v - m).exp())
            .sum::<f64>()
            .ln()
    }

    /// p(x).
    pub fn density(&self, x: [f64; 2]) -> f64 {
        self.log_density(x).exp()
    }

    /// ∇ log p(x), with softmax responsibilities.
    pub fn score(&self, x: [f64; 2]) -> [f64; 2] {
        let mut l = [0.0; MAX_COMPONENTS];
        let m = self.component_logs(x, &mut l);
        let (mut s, mut gx, mut gy) = (0.0, 0.0, 0.0);
        for (k, c) in self.components.iter().enumerate() {
            let r = (l[k] - m).exp();
            let g = c.score(x);
            s += r;
            gx += r * g[0];
            gy += r * g[1];
        }
        [gx / s, gy / s]
    }

    /// p_σ = p ∗ N(0, σ²I), again a Gaussian mixture.
    pub fn noised(&self, sigma: f64) -> Result<Self, Error> {
        if !(sigma.is_finite() && sigma >= 0.0) {
            return Err(Error::invalid("sigma", "a finite number >= 0", sigma));
        }
        let comps = self
            .components
            .iter()
            .map(|c| c.noised(sigma))
            .collect::<Result<Vec<_>, _>>()?;
        Self::new(&self.weights, comps)
    }

    /// The law of s·x + √v·z for x ~ p, z ~ N(0, I): components N(sμₖ, s²Σₖ + vI), same weights.
    /// With s = α_t and v = σ_t² it is the exact marginal p_t of a linear diffusion started at p
    /// (a mixture stays a mixture; see `sde::noised`).
    pub fn scaled_noised(&self, scale: f64, var: f64) -> Result<Self, Error> {
        let comps = self
            .components
            .iter()
            .map(|c| c.scaled_noised(scale, var))
            .collect::<Result<Vec<_>, _>>()?;
        Self::new(&self.weights, comps)
    }

    /// The score ∇log p(x) and the Hessian ∇²log p(x) as (xx, xy, yy):
    ///   ∇²log p = Σₖ rₖ (gₖgₖᵀ − Pₖ) − s sᵀ,  gₖ = −Pₖ(x − μₖ), s = Σₖ rₖ gₖ,
    /// (differentiate s = Σ rₖ gₖ with ∇rₖ = rₖ(gₖ − s)). Its trace is the divergence of the score.
    pub fn score_hessian(&self, x: [f64; 2]) -> ([f64; 2], [f64; 3]) {
        let mut l = [0.0; MAX_COMPONENTS];
        let m = self.component_logs(x, &mut l);
        let (mut tot, mut s) = (0.0, [0.0; 2]);
        let mut h = [0.0; 3];
        for (k, c) in self.components.iter().enumerate() {
            let r = (l[k] - m).exp();
            let g = c.score(x);
            let p = c.precision();
            tot += r;
            s[0] += r * g[0];
            s[1] += r * g[1];
            h[0] += r * (g[0] * g[0] - p[0]);
            h[1] += r * (g[0] * g[1] - p[1]);
            h[2] += r * (g[1] * g[1] - p[2]);
        }
        let s = [s[0] / tot, s[1] / tot];
        (
            s,
            [
                h[0] / tot - s[0] * s[0],
                h[1] / tot - s[0] * s[1],
                h[2] / tot - s[1] * s[1],
            ],
        )
    }

    /// The mean E[x] = Σ wₖ μₖ.
    pub fn mean(&self) -> [f64; 2] {
        let mut m = [0.0; 2];
        for (w, c) in self.weights.iter().zip(&self.components) {
            m[0] += w * c.mean()[0];
            m[1] += w * c.mean()[1];
        }
        m
    }

    /// The covariance Σ wₖ (Σₖ + μₖμₖᵀ) − μμᵀ as (xx, xy, yy).
    pub fn covariance(&self) -> [f64; 3] {
        let m = self.mean();
        let mut c = [0.0; 3];
        for (w, g) in self.weights.iter().zip(&self.components) {
            let (mu, s) = (g.mean(), g.cov());
            c[0] += w * (s[0] + mu[0] * mu[0]);
            c[1] += w * (s[1] + mu[0] * mu[1]);
            c[2] += w * (s[2] + mu[1] * mu[1]);
        }
        [c[0] - m[0] * m[0], c[1] - m[0] * m[1], c[2] - m[1] * m[1]]
    }

    /// One exact sample: a component by its weight, then μₖ + Lₖ z.
    pub fn sample(&self, rng: &mut SimRng) -> [f64; 2] {
        let u = (rng.next_u32() >> 8) as f64 / 16_777_216.0;
        let mut acc = 0.0;
        let mut k = self.len() - 1;
        for (i, w) in self.weights.iter().enumerate() {
            acc += w;
            if u < acc {
                k = i;
                break;
            }
        }
        let (z1, z2) = normal_pair(rng.next_u32(), rng.next_u32());
        let (z1, z2) = (z1 as f64, z2 as f64);
        let c = &self.components[k];
        let l = c.cholesky();
        let mu = c.mean();
        [mu[0] + l[0] * z1, mu[1] + l[1] * z1 + l[2] * z2]
    }

    /// A square box [x0, x1] × [y0, y1] that holds the mass of every component (mean ± 4 sd),
    /// padded by 10 %, for plots and histograms.
    pub fn view_box(&self) -> [f64; 4] {
        let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for c in &self.components {
            let (m, s) = (c.mean(), c.cov());
            let (sx, sy) = (4.0 * s[0].sqrt(), 4.0 * s[2].sqrt());
            x0 = x0.min(m[0] - sx);
            x1 = x1.max(m[0] + sx);
            y0 = y0.min(m[1] - sy);
            y1 = y1.max(m[1] + sy);
        }
        let (cx, cy) = (0.5 * (x0 + x1), 0.5 * (y0 + y1));
        let half = 0.55 * (x1 - x0).max(y1 - y0);
        [cx - half, cx + half, cy - half, cy + half]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::sim_rng;

    fn two_modes() -> GaussianMixture {
        GaussianMixture::from_flat(
            &[0.8, 0.2],
            &[-2.0, 0.0, 2.5, 1.0],
            &[0.5, 0.1, 0.3, 0.2, 0.0, 0.2],
        )
        .unwrap()
    }

    fn fd_score(p: &GaussianMixture, x: [f64; 2]) -> [f64; 2] {
        let e = 1e-5;
        [
            (p.log_density([x[0] + e, x[1]]) - p.log_density([x[0] - e, x[1]])) / (2.0 * e),
            (p.log_density([x[0], x[1] + e]) - p.log_density([x[0], x[1] - e])) / (2.0 * e),
        ]
    }

    #[test]
    fn score_matches_finite_differences_at_every_noise_level() {
        let p = two_modes();
        for sigma in [0.0, 0.1, 0.5, 2.0] {
            let q = p.noised(sigma).unwrap();
            for x in [[0.0, 0.0], [-2.0, 0.3], [2.4, 1.1], [0.2, -1.7], [7.0, 5.0]] {
                let (s, f) = (q.score(x), fd_score(&q, x));
                // central differences: truncation O(e² ‖∇³log p‖) ~ 1e-9, rounding ~ 1e-11
                for i in 0..2 {
                    assert!(
                        (s[i] - f[i]).abs() < 1e-6 * (1.0 + s[i].abs()),
                        "σ={sigma} x={x:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn score_is_finite_far_from_all_modes() {
        let p = two_modes();
        let s = p.score([400.0, -300.0]);
        assert!(s[0].is_finite() && s[1].is_finite());
        // far away, the widest component dominates: score ≈ −Σ⁻¹(x − μ) of component 0
        let g = p.components()[0].score([400.0, -300.0]);
        assert!((s[0] - g[0]).abs() / g[0].abs() < 1e-9);
    }

    #[test]
    fn noised_density_is_the_convolution() {
        // p_σ(x) = ∫ p(y) N(x − y; 0, σ²I) dy, by the midpoint rule on a fine grid
        let p = two_modes();
        let sigma = 0.7;
        let q = p.noised(sigma).unwrap();
        let x = [0.4, 0.5];
        let h = 0.02;
        let mut conv = 0.0;
        for i in 0..1000 {
            for j in 0..1000 {
                let y = [-10.0 + (i as f64 + 0.5) * h, -10.0 + (j as f64 + 0.5) * h];
                let r2 = (x[0] - y[0]).powi(2) + (x[1] - y[1]).powi(2);
                let k = (-r2 / (2.0 * sigma * sigma)).exp()
                    / (2.0 * std::f64::consts::PI * sigma * sigma);
                conv += p.density(y) * k * h * h;
            }
        }
        // midpoint rule on a smooth integrand: error ≪ 1e-8 relative
        assert!(
            (conv - q.density(x)).abs() < 1e-8 * q.density(x),
            "{conv} {}",
            q.density(x)
        );
    }

    #[test]
    fn samples_have_the_mixture_moments() {
        let p = two_modes();
        let mut rng = sim_rng(11);
        let n = 200_000;
        let (mut m0, mut m1, mut c00) = (0.0, 0.0, 0.0);
        for _ in 0..n {
            let x = p.sample(&mut rng);
            m0 += x[0];
            m1 += x[1];
            c00 += x[0] * x[0];
        }
        let nf = n as f64;
        let (mu, cov) = (p.mean(), p.covariance());
        let var0 = c00 / nf - (m0 / nf).powi(2);
        // SE of the mean = sd/√n; of the variance ≈ var·√((κ−1)/n) with kurtosis κ < 3 here
        let se = (cov[0] / nf).sqrt();
        assert!((m0 / nf - mu[0]).abs() < 5.0 * se);
        assert!((m1 / nf - mu[1]).abs() < 5.0 * (cov[2] / nf).sqrt());
        assert!((var0 - cov[0]).abs() < 5.0 * cov[0] * (2.0 / nf).sqrt());
    }

    #[test]
    fn rejects_bad_mixtures() {
        assert!(GaussianMixture::from_flat(&[], &[], &[])
            .unwrap_err()
            .to_string()
            .starts_with("components must be a list of 1 to 64"));
        assert!(
            GaussianMixture::from_flat(&[1.0], &[0.0, 0.0], &[0.0, 0.0, 1.0])
                .unwrap_err()
                .to_string()
                .starts_with("variance (xx) must be")
        );
        assert!(
            GaussianMixture::from_flat(&[-1.0], &[0.0, 0.0], &[1.0, 0.0, 1.0])
                .unwrap_err()
                .to_string()
                .starts_with("weights must be finite numbers > 0")
        );
        assert!(GaussianMixture::from_flat(&[1.0], &[0.0], &[1.0, 0.0, 1.0])
            .unwrap_err()
            .to_string()
            .starts_with("means must be 2 numbers per component"));
    }
}
