//! A one-dimensional Gaussian-mixture prior under the OU forward SDE, with everything the guided
//! samplers need in closed form.
//!
//! Forward SDE (Yasuda 2025, eq. 1): dx = −a x dt + b dW, so x_t | x₀ ~ N(α_t x₀, σ_t²) with
//! α_t = e^{−at} and σ_t² = (b²/2a)(1 − e^{−2at}) (eqs. 30–31). A prior p(x₀) = Σₖ wₖ N(mₖ, sₖ²)
//! stays a mixture: p_t = Σₖ wₖ N(α_t mₖ, α_t² sₖ² + σ_t²) (eq. 125). Its log-density
//! derivatives follow from the component moments Aⱼ = p⁽ʲ⁾/p = Σₖ rₖ E_k[…]:
//!
//!   s = A₁,   ∂s = A₂ − A₁²,   ∂²s = A₃ − 3A₁A₂ + 2A₁³,
//!
//! with uₖ = (μₖ − x)/vₖ, A₁ = Σ rₖuₖ, A₂ = Σ rₖ(uₖ² − 1/vₖ), A₃ = Σ rₖ(uₖ³ − 3uₖ/vₖ).
//!
//! With a Gaussian likelihood p(y | x₀) = N(y; x₀, λ²) (eq. 138) the posterior p(x₀ | y) is again
//! a mixture (Bayes, eq. 128): weights ∝ wₖ N(y; mₖ, sₖ² + λ²), components N(m'ₖ, s'ₖ²) with
//! s'ₖ² = (1/sₖ² + 1/λ²)⁻¹ and m'ₖ = s'ₖ²(mₖ/sₖ² + y/λ²) (the Kalman update of each component),
//! and the noised posterior p(x_t | y) (eq. 130) is that mixture pushed through the same kernel.

use crate::error::{check_range, Error};
use crate::kl::mixture1::Mixture1;

/// The OU forward SDE dx = −a x dt + b dW on [0, T].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ou1 {
    /// Friction a > 0.
    pub a: f64,
    /// Diffusion b > 0.
    pub b: f64,
    /// Horizon T > 0.
    pub horizon: f64,
}

impl Ou1 {
    /// a ∈ (0, 10], b ∈ (0, 10], T ∈ (0, 50].
    pub fn new(a: f64, b: f64, horizon: f64) -> Result<Self, Error> {
        check_range("a", a, 0.0, 10.0, true)?;
        check_range("b", b, 0.0, 10.0, true)?;
        check_range("T", horizon, 0.0, 50.0, true)?;
        Ok(Self { a, b, horizon })
    }

    /// The curriculum's setting a = 1, b = √2, T = 5 (stationary law N(0, 1)).
    pub fn standard() -> Self {
        Self {
            a: 1.0,
            b: std::f64::consts::SQRT_2,
            horizon: 5.0,
        }
    }

    /// α_t = e^{−at}.
    pub fn alpha(&self, t: f64) -> f64 {
        (-self.a * t).exp()
    }

    /// σ_t² = (b²/2a)(1 − e^{−2at}).
    pub fn sigma_sq(&self, t: f64) -> f64 {
        self.stationary_variance() * -(-2.0 * self.a * t).exp_m1()
    }

    /// b²/(2a), the variance of the stationary law (and of the sampler's start).
    pub fn stationary_variance(&self) -> f64 {
        self.b * self.b / (2.0 * self.a)
    }
}

/// Log-density derivatives of a 1D mixture at one point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Derivatives {
    /// log p.
    pub log_density: f64,
    /// s = ∂ log p.
    pub score: f64,
    /// ∂s.
    pub d_score: f64,
    /// ∂²s.
    pub d2_score: f64,
}

/// A 1D mixture stored as parallel arrays of weights, means and variances.
#[derive(Debug, Clone, PartialEq)]
pub struct Mix {
    /// Normalised weights.
    pub w: Vec<f64>,
    /// Means.
    pub m: Vec<f64>,
    /// Variances.
    pub v: Vec<f64>,
    /// ln wₖ − ½ ln(2π vₖ), the log-normaliser of each weighted component.
    c: Vec<f64>,
}

const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

impl Mix {
    /// From a validated [`Mixture1`].
    pub fn from_mixture(p: &Mixture1) -> Self {
        Mix::new(
            p.weights().to_vec(),
            p.means().to_vec(),
            p.sds().iter().map(|s| s * s).collect(),
        )
    }

    /// From normalised weights, means and positive variances (not checked: callers validate).
    pub fn new(w: Vec<f64>, m: Vec<f64>, v: Vec<f64>) -> Self {
        let c = w
            .iter()
            .zip(&v)
            .map(|(w, v)| w.ln() - 0.5 * v.ln() - LN_SQRT_2PI)
            .collect();
        Mix { w, m, v, c }
    }

    /// The mixture of x ↦ scale·x + N(0, var) applied to this one.
    pub fn pushed(&self, scale: f64, var: f64) -> Mix {
        Mix::new(
            self.w.clone(),
            self.m.iter().map(|m| scale * m).collect(),
            self.v.iter().map(|v| scale * scale * v + var).collect(),
        )
    }

    /// log p, s, ∂s, ∂²s at x (log-sum-exp over components).
    pub fn derivatives(&self, x: f64) -> Derivatives {
        // at most 16 components (Mixture1's limit): the log-terms stay on the stack
        let mut lc = [0.0f64; 16];
        let k = self.w.len().min(16);
        let mut top = f64::NEG_INFINITY;
        for (j, l) in lc.iter_mut().enumerate().take(k) {
            *l = self.log_component(j, x);
            top = top.max(*l);
        }
        let (mut z, mut a1, mut a2, mut a3) = (0.0, 0.0, 0.0, 0.0);
        for (j, l) in lc.iter().enumerate().take(k) {
            let r = (l - top).exp();
            let iv = 1.0 / self.v[j];
            let u = (self.m[j] - x) * iv;
            z += r;
            a1 += r * u;
            a2 += r * (u * u - iv);
            a3 += r * (u * u * u - 3.0 * u * iv);
        }
        let (a1, a2, a3) = (a1 / z, a2 / z, a3 / z);
        Derivatives {
            log_density: top + z.ln(),
            score: a1,
            d_score: a2 - a1 * a1,
            d2_score: a3 - 3.0 * a1 * a2 + 2.0 * a1 * a1 * a1,
        }
    }

    fn log_component(&self, k: usize, x: f64) -> f64 {
        let d = x - self.m[k];
        self.c[k] - 0.5 * d * d / self.v[k]
    }

    /// The density at x.
    pub fn density(&self, x: f64) -> f64 {
        self.derivatives(x).log_density.exp()
    }

    /// Σ wₖmₖ.
    pub fn mean(&self) -> f64 {
        self.w.iter().zip(&self.m).map(|(w, m)| w * m).sum()
    }

    /// Σ wₖ(vₖ + mₖ²) − mean².
    pub fn variance(&self) -> f64 {
        let mu = self.mean();
        self.w
            .iter()
            .zip(self.m.iter().zip(&self.v))
            .map(|(w, (m, v))| w * (v + m * m))
            .sum::<f64>()
            - mu * mu
    }
}

/// The prior, the observation and the SDE of a 1D assimilation problem, with the exact posterior.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem1 {
    sde: Ou1,
    prior: Mix,
    posterior: Mix,
    y: f64,
    noise: f64,
}

impl Problem1 {
    /// Prior `prior`, observation y ∈ [−1e3, 1e3] of x₀ with noise sd λ ∈ [1e-3, 1e3].
    pub fn new(sde: Ou1, prior: &Mixture1, y: f64, noise: f64) -> Result<Self, Error> {
        check_range("y", y, -1e3, 1e3, false)?;
        check_range("observation noise", noise, 1e-3, 1e3, false)?;
        let prior = Mix::from_mixture(prior);
        let l2 = noise * noise;
        let mut lw = Vec::with_capacity(prior.w.len());
        let (mut m, mut v) = (vec![], vec![]);
        for k in 0..prior.w.len() {
            let (mk, vk) = (prior.m[k], prior.v[k]);
            let tot = vk + l2;
            lw.push(prior.w[k].ln() - 0.5 * (y - mk) * (y - mk) / tot - 0.5 * tot.ln());
            let pv = 1.0 / (1.0 / vk + 1.0 / l2);
            v.push(pv);
            m.push(pv * (mk / vk + y / l2));
        }
        let top = lw.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let e: Vec<f64> = lw.iter().map(|l| (l - top).exp()).collect();
        let z: f64 = e.iter().sum();
        let posterior = Mix::new(e.iter().map(|x| x / z).collect(), m, v);
        Ok(Self {
            sde,
            prior,
            posterior,
            y,
            noise,
        })
    }

    /// The SDE.
    pub fn sde(&self) -> &Ou1 {
        &self.sde
    }
    /// The prior p(x₀).
    pub fn prior(&self) -> &Mix {
        &self.prior
    }
    /// The exact posterior p(x₀ | y).
    pub fn posterior(&self) -> &Mix {
        &self.posterior
    }
    /// The observation y.
    pub fn y(&self) -> f64 {
        self.y
    }
    /// The observation noise sd λ.
    pub fn noise(&self) -> f64 {
        self.noise
    }
    /// p_t, the noised prior.
    pub fn prior_at(&self, t: f64) -> Mix {
        self.prior.pushed(self.sde.alpha(t), self.sde.sigma_sq(t))
    }
    /// p(x_t | y), the noised posterior.
    pub fn posterior_at(&self, t: f64) -> Mix {
        self.posterior
            .pushed(self.sde.alpha(t), self.sde.sigma_sq(t))
    }
}
