//! A Gaussian in the plane, N(μ, Σ), with its exact log-density and score.
//!
//! log N(x; μ, Σ) = −log(2π) − ½ log det Σ − ½ (x − μ)ᵀ Σ⁻¹ (x − μ),
//! ∇ₓ log N(x; μ, Σ) = −Σ⁻¹ (x − μ).
//! Exact references use f64; the f32 kernels take their constants from here.

use crate::error::Error;

/// A bivariate normal distribution with a symmetric positive-definite covariance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gaussian2 {
    mean: [f64; 2],
    /// Covariance entries (σxx, σxy, σyy).
    cov: [f64; 3],
    /// Precision entries (pxx, pxy, pyy) = Σ⁻¹.
    precision: [f64; 3],
    /// −log(2π) − ½ log det Σ.
    log_norm: f64,
}

impl Gaussian2 {
    /// N(mean, [[sxx, sxy], [sxy, syy]]); the covariance must be positive definite.
    pub fn new(mean: [f64; 2], sxx: f64, sxy: f64, syy: f64) -> Result<Self, Error> {
        if !(mean[0].is_finite() && mean[1].is_finite()) {
            return Err(Error::invalid(
                "mean",
                "a pair of finite numbers",
                format!("({}, {})", mean[0], mean[1]),
            ));
        }
        for (name, v) in [("variance (xx)", sxx), ("variance (yy)", syy)] {
            if !(v.is_finite() && v > 0.0 && v <= 1e8) {
                return Err(Error::invalid(name, "a finite number in (0, 1e8]", v));
            }
        }
        let det = sxx * syy - sxy * sxy;
        // a relative margin keeps the precision matrix well conditioned in f32
        if !(sxy.is_finite() && det > 1e-9 * sxx * syy) {
            return Err(Error::invalid(
                "covariance (xy)",
                format!(
                    "such that the covariance is positive definite: |sxy| < sqrt(sxx*syy) = {}",
                    (sxx * syy).sqrt()
                ),
                sxy,
            ));
        }
        Ok(Gaussian2 {
            mean,
            cov: [sxx, sxy, syy],
            precision: [syy / det, -sxy / det, sxx / det],
            log_norm: -(2.0 * std::f64::consts::PI).ln() - 0.5 * det.ln(),
        })
    }

    /// An isotropic N(mean, s²I).
    pub fn isotropic(mean: [f64; 2], std_dev: f64) -> Result<Self, Error> {
        if !(std_dev.is_finite() && std_dev > 0.0) {
            return Err(Error::invalid(
                "standard deviation",
                "a finite number > 0",
                std_dev,
            ));
        }
        Self::new(mean, std_dev * std_dev, 0.0, std_dev * std_dev)
    }

    /// The mean μ.
    pub fn mean(&self) -> [f64; 2] {
        self.mean
    }
    /// The covariance entries (σxx, σxy, σyy).
    pub fn cov(&self) -> [f64; 3] {
        self.cov
    }
    /// The precision entries (pxx, pxy, pyy) of Σ⁻¹.
    pub fn precision(&self) -> [f64; 3] {
        self.precision
    }
    /// −log(2π) − ½ log det Σ.
    pub fn log_norm(&self) -> f64 {
        self.log_norm
    }

    /// The Gaussian convolved with N(0, σ²I): N(μ, Σ + σ²I).
    pub fn noised(&self, sigma: f64) -> Result<Self, Error> {
        let s2 = sigma * sigma;
        Self::new(self.mean, self.cov[0] + s2, self.cov[1], self.cov[2] + s2)
    }

    /// The law of s·x + √v·z for x ~ N(μ, Σ) and z ~ N(0, I) independent: N(sμ, s²Σ + vI).
    /// It is the marginal p(x_t | x₀-law) of every linear diffusion (mean scale s = α_t,
    /// added variance v = σ_t²); `noised(σ)` is the case s = 1, v = σ².
    pub fn scaled_noised(&self, scale: f64, var: f64) -> Result<Self, Error> {
        if !(scale.is_finite() && scale >= 0.0) {
            return Err(Error::invalid("mean scale", "a finite number >= 0", scale));
        }
        if !(var.is_finite() && var >= 0.0) {
            return Err(Error::invalid(
                "added variance",
                "a finite number >= 0",
                var,
            ));
        }
        let s2 = scale * scale;
        Self::new(
            [scale * self.mean[0], scale * self.mean[1]],
            s2 * self.cov[0] + var,
            s2 * self.cov[1],
            s2 * self.cov[2] + var,
        )
    }

    /// (x − μ) and Σ⁻¹(x − μ).
    #[inline]
    fn whiten(&self, x: [f64; 2]) -> ([f64; 2], [f64; 2]) {
        let d = [x[0] - self.mean[0], x[1] - self.mean[1]];
        let p = self.precision;
        (d, [p[0] * d[0] + p[1] * d[1], p[1] * d[0] + p[2] * d[1]])
    }

    /// log N(x; μ, Σ).
    pub fn log_density(&self, x: [f64; 2]) -> f64 {
        let (d, g) = self.whiten(x);
        self.log_norm - 0.5 * (d[0] * g[0] + d[1] * g[1])
    }

    /// ∇ log N(x; μ, Σ) = −Σ⁻¹(x − μ).
    pub fn score(&self, x: [f64; 2]) -> [f64; 2] {
        let (_, g) = self.whiten(x);
        [-g[0], -g[1]]
    }

    /// A lower-triangular L with L Lᵀ = Σ, as (lxx, lyx, lyy).
    pub fn cholesky(&self) -> [f64; 3] {
        let lxx = self.cov[0].sqrt();
        let lyx = self.cov[1] / lxx;
        [lxx, lyx, (self.cov[2] - lyx * lyx).sqrt()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn density_integrates_to_one_and_score_is_gradient() {
        let g = Gaussian2::new([0.3, -0.2], 1.5, 0.4, 0.7).unwrap();
        // midpoint rule on [-12, 12]² with h = 0.04: error far below 1e-6 for a smooth,
        // rapidly decaying integrand (spectral accuracy of the midpoint rule)
        let h = 0.04;
        let mut total = 0.0;
        for i in 0..600 {
            for j in 0..600 {
                let x = [-12.0 + (i as f64 + 0.5) * h, -12.0 + (j as f64 + 0.5) * h];
                total += g.log_density(x).exp() * h * h;
            }
        }
        assert!((total - 1.0).abs() < 1e-6, "{total}");
        let x = [0.9, 0.1];
        let e = 1e-5;
        let s = g.score(x);
        let fx = (g.log_density([x[0] + e, x[1]]) - g.log_density([x[0] - e, x[1]])) / (2.0 * e);
        let fy = (g.log_density([x[0], x[1] + e]) - g.log_density([x[0], x[1] - e])) / (2.0 * e);
        // central differences: O(e²) truncation (≈1e-10 here) + rounding ≈ 1e-16/e ≈ 1e-11
        assert!((s[0] - fx).abs() < 1e-8 && (s[1] - fy).abs() < 1e-8);
    }

    #[test]
    fn rejects_bad_covariances_with_named_parameters() {
        let e = Gaussian2::new([0.0, 0.0], -1.0, 0.0, 1.0).unwrap_err();
        assert!(e.to_string().starts_with("variance (xx) must be"));
        let e = Gaussian2::new([0.0, 0.0], 1.0, 1.0, 1.0).unwrap_err();
        assert!(e.to_string().contains("positive definite"));
        let e = Gaussian2::new([f64::NAN, 0.0], 1.0, 0.0, 1.0).unwrap_err();
        assert!(e.to_string().starts_with("mean must be"));
    }
}
