//! Stochastic differential equations of diffusion models, their exact marginals, and
//! integrators run as step-wise state machines over f32 particle clouds.
//!
//! Every SDE here is linear with a scalar, time-dependent drift coefficient:
//!
//!   dx = f(t) x dt + g(t) dW,   x ∈ ℝ²,
//!
//! so x_t | x₀ ~ N(α_t x₀, v_t I) with α_t = exp(∫₀ᵗ f) and v_t = ∫₀ᵗ α_t²/α_s² g(s)² ds
//! (Särkkä & Solin 2019, "Applied SDEs", eq. 6.7), and a Gaussian-mixture data law stays a
//! mixture at every t: components N(α_t μₖ, α_t² Σₖ + v_t I) (see [`Sde::marginal_mixture`]).
//!
//! | SDE | f(t) | g(t)² | α_t | v_t | source |
//! |---|---|---|---|---|---|
//! | [`VpSde`] | −β(t)/2 | β(t) | e^{−B/2} | 1 − α_t² | Song et al. 2021 eq. 11 |
//! | [`SubVpSde`] | −β(t)/2 | β(t)(1 − e^{−2B}) | e^{−B/2} | (1 − α_t²)² | eq. 12 |
//! | [`VeSde`] | 0 | dσ²/dt | 1 | σ(t)² − σ(0)² | eq. 9 |
//! | [`OuSde`] | −a | b² | e^{−at} | (b²/2a)(1 − e^{−2at}) | Yasuda eqs. 1, 30–31 |
//!
//! The reverse-time SDE with a free noise level c ≥ 0 (Yasuda eq. 68; c = 1 is Anderson 1982,
//! c = 0 the probability-flow ODE of Song et al. eq. 13), integrated from t = T down to 0:
//!
//!   dx = [f(t)x − ((1 + c²)/2) g(t)² ∇log p_t(x)] dt + c g(t) dW̄,
//!
//! has the forward marginals p_t for every c (Fokker–Planck: the extra drift −(c²/2)g²∇log p_t
//! cancels the extra diffusion (c²/2)g²Δp_t, since Δp = ∇·(p∇log p)).
//!
//! Submodules: the SDEs ([`vp`], [`sub_vp`], [`ve`], [`ou`]); the score interface and the exact
//! mixture score ([`score`]); the particle kernel ([`kernel`]); integrators ([`forward`],
//! [`euler_maruyama`], [`reverse`], [`predictor_corrector`]); recorded paths ([`trajectories`]);
//! the probability-flow likelihood ([`likelihood`]); KL(p_T ‖ prior) ([`prior_kl`]); the
//! thermodynamics of the OU example ([`thermodynamics`]). DDPM's discrete
//! chain and its samplers live in [`crate::ddpm`], the grid densities in [`crate::fokker_planck`].

pub mod euler_maruyama;
pub mod forward;
pub mod kernel;
pub mod likelihood;
pub mod ou;
pub mod predictor_corrector;
pub mod prior_kl;
pub mod reverse;
pub mod score;
pub mod sub_vp;
pub mod thermodynamics;
pub mod trajectories;
pub mod ve;
pub mod vp;

pub use ou::OuSde;
pub use sub_vp::SubVpSde;
pub use ve::VeSde;
pub use vp::VpSde;

use crate::error::Error;
use crate::mixture::GaussianMixture;

/// One of the linear SDEs of the table above.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Sde {
    /// Variance preserving.
    Vp(VpSde),
    /// Sub-variance preserving.
    SubVp(SubVpSde),
    /// Variance exploding.
    Ve(VeSde),
    /// Ornstein–Uhlenbeck with constant a, b on [0, T].
    Ou(OuSde),
}

/// The noise level of p_t at one time: x_t | x₀ ~ N(mean_scale·x₀, variance·I).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NoiseLevel {
    /// The time (continuous SDEs) or the step index t ∈ [1, N] as f64 (DDPM); a learned model
    /// reads it as its conditioning input.
    pub t: f64,
    /// α_t (√ᾱ_t for DDPM).
    pub mean_scale: f64,
    /// v_t (1 − ᾱ_t for DDPM).
    pub variance: f64,
}

impl Sde {
    /// The VP SDE with β from `beta_min` to `beta_max`.
    pub fn vp(beta_min: f64, beta_max: f64) -> Result<Self, Error> {
        Ok(Sde::Vp(VpSde::new(beta_min, beta_max)?))
    }
    /// The sub-VP SDE with β from `beta_min` to `beta_max`.
    pub fn sub_vp(beta_min: f64, beta_max: f64) -> Result<Self, Error> {
        Ok(Sde::SubVp(SubVpSde::new(beta_min, beta_max)?))
    }
    /// The VE SDE with σ from `sigma_min` to `sigma_max`.
    pub fn ve(sigma_min: f64, sigma_max: f64) -> Result<Self, Error> {
        Ok(Sde::Ve(VeSde::new(sigma_min, sigma_max)?))
    }
    /// dx = −ax dt + b dW on [0, T].
    pub fn ou(a: f64, b: f64, horizon: f64) -> Result<Self, Error> {
        Ok(Sde::Ou(OuSde::new(a, b, horizon)?))
    }

    /// The short name (`vp`, `sub-vp`, `ve`, `ou`).
    pub fn name(&self) -> &'static str {
        match self {
            Sde::Vp(_) => "vp",
            Sde::SubVp(_) => "sub-vp",
            Sde::Ve(_) => "ve",
            Sde::Ou(_) => "ou",
        }
    }

    /// The horizon T (1 for VP, sub-VP and VE).
    pub fn horizon(&self) -> f64 {
        match self {
            Sde::Ou(o) => o.horizon,
            _ => 1.0,
        }
    }

    /// Validates a time t ∈ [0, T].
    pub fn check_time(&self, name: &'static str, t: f64) -> Result<f64, Error> {
        crate::error::check_range(name, t, 0.0, self.horizon(), false)
    }

    /// f(t), the drift coefficient: the drift is f(t)·x.
    pub fn drift_coef(&self, t: f64) -> f64 {
        match self {
            Sde::Vp(v) => -0.5 * v.beta(t),
            Sde::SubVp(s) => -0.5 * s.vp.beta(t),
            Sde::Ve(_) => 0.0,
            Sde::Ou(o) => -o.a,
        }
    }

    /// g(t)².
    pub fn diffusion_sq(&self, t: f64) -> f64 {
        match self {
            Sde::Vp(v) => v.beta(t),
            Sde::SubVp(s) => s.vp.beta(t) * (1.0 - (-2.0 * s.vp.beta_integral(t)).exp()),
            Sde::Ve(v) => {
                let s = v.sigma(t);
                2.0 * s * s * v.log_ratio()
            }
            Sde::Ou(o) => o.b * o.b,
        }
    }

    /// g(t).
    pub fn diffusion(&self, t: f64) -> f64 {
        self.diffusion_sq(t).sqrt()
    }

    /// α_t, the mean scale of x_t | x₀.
    pub fn mean_scale(&self, t: f64) -> f64 {
        match self {
            Sde::Vp(v) => (-0.5 * v.beta_integral(t)).exp(),
            Sde::SubVp(s) => (-0.5 * s.vp.beta_integral(t)).exp(),
            Sde::Ve(_) => 1.0,
            Sde::Ou(o) => (-o.a * t).exp(),
        }
    }

    /// v_t, the variance of x_t | x₀ (per coordinate).
    pub fn marginal_variance(&self, t: f64) -> f64 {
        match self {
            // −expm1(−B) = 1 − e^{−B} without cancellation at small t
            Sde::Vp(v) => -(-v.beta_integral(t)).exp_m1(),
            Sde::SubVp(s) => {
                let u = -(-s.vp.beta_integral(t)).exp_m1();
                u * u
            }
            Sde::Ve(v) => {
                let (s, s0) = (v.sigma(t), v.sigma_min());
                s * s - s0 * s0
            }
            Sde::Ou(o) => o.stationary_variance() * -(-2.0 * o.a * t).exp_m1(),
        }
    }

    /// The noise level at t.
    pub fn level(&self, t: f64) -> NoiseLevel {
        NoiseLevel {
            t,
            mean_scale: self.mean_scale(t),
            variance: self.marginal_variance(t),
        }
    }

    /// The variance of the prior N(0, v I) a reverse run starts from: 1 for VP and sub-VP
    /// (their t → ∞ limit), σ_max² for VE, b²/(2a) for OU.
    pub fn prior_variance(&self) -> f64 {
        match self {
            Sde::Vp(_) | Sde::SubVp(_) => 1.0,
            Sde::Ve(v) => v.sigma_max() * v.sigma_max(),
            Sde::Ou(o) => o.stationary_variance(),
        }
    }

    /// The exact marginal p_t of data p₀: components N(α_t μₖ, α_t² Σₖ + v_t I).
    pub fn marginal_mixture(
        &self,
        data: &GaussianMixture,
        t: f64,
    ) -> Result<GaussianMixture, Error> {
        let t = self.check_time("t", t)?;
        data.scaled_noised(self.mean_scale(t), self.marginal_variance(t))
    }
}

/// Validates a step count K ∈ [1, 100 000].
pub fn check_steps(steps: usize) -> Result<usize, Error> {
    if (1..=100_000).contains(&steps) {
        Ok(steps)
    } else {
        Err(Error::invalid("steps", "an integer in [1, 100000]", steps))
    }
}

/// 1000 × the extent of the data and of the prior (|μₖ| + 5 sd, 5 prior sd), at least 1000:
/// beyond it a particle is running away geometrically, not exploring a tail.
pub fn runaway_radius(data: &GaussianMixture, sde: &Sde) -> f32 {
    runaway_radius_with_prior(data, sde.prior_variance())
}

/// [`runaway_radius`] for a prior N(0, prior_variance·I) (DDPM samplers: 1).
pub fn runaway_radius_with_prior(data: &GaussianMixture, prior_variance: f64) -> f32 {
    let extent = data
        .components()
        .iter()
        .map(|c| {
            let (m, s) = (c.mean(), c.cov());
            (m[0] * m[0] + m[1] * m[1]).sqrt() + 5.0 * s[0].max(s[2]).sqrt()
        })
        .fold(5.0 * prior_variance.max(0.0).sqrt(), f64::max)
        .max(1.0);
    (1000.0 * extent) as f32
}
