//! Data on a circle, the manifold toy: the uniform law on the circle of radius R has no density
//! in the plane (and no score), but its smoothing p_σ = p ∗ N(0, σ²I) does. Integrating the
//! Gaussian over the angle gives a modified Bessel function:
//!
//!   p_σ(x) = 1/(2πσ²) · exp(−(r² + R²)/(2σ²)) · I₀(rR/σ²),      r = ‖x‖,
//!   ∇log p_σ(x) = [−r/σ² + (R/σ²) · I₁(rR/σ²)/I₀(rR/σ²)] · x/r,
//!
//! purely radial (normal to the circle); the tangential part is zero by symmetry. Near the
//! circle, where rR/σ² is large, I₁/I₀ ≈ 1 − σ²/(2rR), so the score is ≈ −(r − R)/σ² − 1/(2r):
//! a pull back onto the circle of size distance/σ², which blows up as σ → 0.
//! To avoid overflow the Bessel functions are used exponentially scaled, Iₙ(z)e^{−z}: by their
//! power series for z < 40 and by their asymptotic (Hankel) expansion beyond (Abramowitz & Stegun
//! 9.6.10 and 9.7.1), both to about 1e-15 relative.

use crate::error::{check_range, Error};

/// I_ν(z)·e^{−z} for ν ∈ {0, 1}, z ≥ 0.
fn bessel_scaled(nu: u32, z: f64) -> f64 {
    if z < 40.0 {
        // Σₖ (z/2)^{2k+ν} / (k! (k+ν)!), all terms positive; ≤ 120 terms reach 1e-17 for z < 40
        let q = 0.25 * z * z;
        let mut term = if nu == 0 { 1.0 } else { 0.5 * z };
        let mut sum = term;
        for k in 1..200 {
            term *= q / (k as f64 * (k + nu as usize) as f64);
            sum += term;
            if term < 1e-17 * sum {
                break;
            }
        }
        sum * (-z).exp()
    } else {
        // I_ν(z) e^{−z} ≈ (2πz)^{−1/2} Σₖ (−1)ᵏ aₖ(ν)/zᵏ, aₖ = Π_{j≤k} (4ν² − (2j−1)²)/(8j);
        // for z ≥ 40 the terms fall below 1e-16 long before they start to grow (at k ≈ 2z)
        let mu = 4.0 * (nu * nu) as f64;
        let mut term = 1.0;
        let mut sum = 1.0;
        for k in 1..40 {
            let j = (2 * k - 1) as f64;
            term *= -(mu - j * j) / (8.0 * k as f64 * z);
            sum += term;
            if term.abs() < 1e-17 * sum.abs() {
                break;
            }
        }
        sum / (2.0 * std::f64::consts::PI * z).sqrt()
    }
}

/// I₀(z)e^{−z}.
pub fn i0e(z: f64) -> f64 {
    bessel_scaled(0, z.abs())
}

/// I₁(z)e^{−z} (z ≥ 0).
pub fn i1e(z: f64) -> f64 {
    bessel_scaled(1, z.abs())
}

/// The uniform law on a circle of radius R about the origin, smoothed by N(0, σ²I).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SmoothedRing {
    radius: f64,
    sigma: f64,
}

impl SmoothedRing {
    /// `radius` R ∈ (0, 100], `sigma` σ ∈ [0.005, 100].
    pub fn new(radius: f64, sigma: f64) -> Result<Self, Error> {
        check_range("radius", radius, 0.0, 100.0, true)?;
        check_range("sigma", sigma, 0.005, 100.0, false)?;
        Ok(Self { radius, sigma })
    }
    /// R.
    pub fn radius(&self) -> f64 {
        self.radius
    }
    /// σ.
    pub fn sigma(&self) -> f64 {
        self.sigma
    }

    /// log p_σ(x) = −log(2πσ²) − (r − R)²/(2σ²) + log(I₀(z)e^{−z}), z = rR/σ².
    pub fn log_density(&self, x: [f64; 2]) -> f64 {
        let (r, s2) = ((x[0] * x[0] + x[1] * x[1]).sqrt(), self.sigma * self.sigma);
        let z = r * self.radius / s2;
        -(2.0 * std::f64::consts::PI * s2).ln() - (r - self.radius).powi(2) / (2.0 * s2)
            + i0e(z).ln()
    }

    /// The radial component of the score, d/dr log p_σ = −r/σ² + (R/σ²) I₁(z)/I₀(z).
    pub fn radial_score(&self, r: f64) -> f64 {
        let s2 = self.sigma * self.sigma;
        let z = r.abs() * self.radius / s2;
        -r / s2 + self.radius / s2 * i1e(z) / i0e(z)
    }

    /// ∇log p_σ(x) (zero at the centre, where the field is continuous and vanishes).
    pub fn score(&self, x: [f64; 2]) -> [f64; 2] {
        let r = (x[0] * x[0] + x[1] * x[1]).sqrt();
        if r == 0.0 {
            return [0.0, 0.0];
        }
        let g = self.radial_score(r);
        [g * x[0] / r, g * x[1] / r]
    }

    /// The score by direct quadrature of the smoothing integral over the angle θ of the data
    /// point y = R(cos θ, sin θ): ∇log p_σ = E[(y − x)/σ² | x] under the posterior ∝ N(x; y, σ²I).
    /// The trapezoid rule with `n` nodes is spectrally accurate for this periodic integrand.
    pub fn score_by_quadrature(&self, x: [f64; 2], n: usize) -> [f64; 2] {
        let s2 = self.sigma * self.sigma;
        let logs: Vec<f64> = (0..n)
            .map(|k| {
                let t = std::f64::consts::TAU * k as f64 / n as f64;
                let y = [self.radius * t.cos(), self.radius * t.sin()];
                -((x[0] - y[0]).powi(2) + (x[1] - y[1]).powi(2)) / (2.0 * s2)
            })
            .collect();
        let m = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let (mut z, mut gx, mut gy) = (0.0, 0.0, 0.0);
        for (k, l) in logs.iter().enumerate() {
            let t = std::f64::consts::TAU * k as f64 / n as f64;
            let w = (l - m).exp();
            z += w;
            gx += w * (self.radius * t.cos() - x[0]) / s2;
            gy += w * (self.radius * t.sin() - x[1]) / s2;
        }
        [gx / z, gy / z]
    }
}
