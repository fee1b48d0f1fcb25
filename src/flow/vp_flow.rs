//! The exact probability-flow ODE of the variance-preserving SDE on the same mixture data, run
//! in the flow-matching time τ = 1 − t (τ = 0 noise, τ = 1 data).
//!
//! VP SDE (Song et al. 2021, arXiv:2011.13456, eq. 11 and App. C): dx = −½β(t)x dt + √β(t) dW on
//! t ∈ [0, 1], data at t = 0, linear β(t) = β_min + t(β_max − β_min) (defaults 0.1 and 20). Its
//! marginals are exact for mixture data: with α_t = exp(−½∫₀ᵗβ) (curriculum V-08),
//!
//!   p_t = Σₖ wₖ N(α_t μₖ, α_t²Σₖ + (1 − α_t²)I),
//!
//! so the score ∇log p_t is closed form (V-09). The probability-flow ODE (Song et al. eq. 13)
//! dx/dt = −½β(t)(x + ∇log p_t(x)) has the same marginals; read in τ = 1 − t it is
//!
//!   dx/dτ = v(x, τ) = ½β(1 − τ) (x + ∇log p_{1−τ}(x)),
//!
//! a velocity field of the same kind as flow matching's (both solve a continuity equation from
//! ≈ N(0, I) to p). The diffusion starts from p₁, which is N(0, I) only up to α₁ = e^{−½∫β}
//! (α₁² = e^{−10.05} ≈ 4.3·10⁻⁵ for the defaults); the widgets start both flows from N(0, I).

use super::cond_ot::{affine_mixture_field, inverse_spd, AffineTerm};
use super::kernel::{self, AffineKernel};
use super::velocity::{check_tau, Velocity};
use crate::error::{check_range, Error};
use crate::gaussian::Gaussian2;
use crate::kernel::KernelPath;
use crate::mixture::GaussianMixture;

/// The exact VP probability-flow velocity in τ (see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct VpProbabilityFlow {
    data: GaussianMixture,
    beta_min: f64,
    beta_max: f64,
    terms: Vec<AffineTerm>,
    kernel: AffineKernel,
    path: KernelPath,
    cached: f64,
}

impl VpProbabilityFlow {
    /// β linear from `beta_min` ∈ (0, 100] to `beta_max` ∈ [beta_min, 100].
    pub fn new(data: &GaussianMixture, beta_min: f64, beta_max: f64) -> Result<Self, Error> {
        check_range("beta_min", beta_min, 0.0, 100.0, true)?;
        if !(beta_max.is_finite() && beta_max >= beta_min && beta_max <= 100.0) {
            return Err(Error::invalid(
                "beta_max",
                format!("a finite number in [beta_min = {beta_min}, 100]"),
                beta_max,
            ));
        }
        Ok(VpProbabilityFlow {
            data: data.clone(),
            beta_min,
            beta_max,
            terms: vec![AffineTerm::default(); data.len()],
            kernel: AffineKernel::default(),
            path: KernelPath::best(),
            cached: f64::NAN,
        })
    }

    /// The schedule of Song et al. (2021): β from 0.1 to 20.
    pub fn standard(data: &GaussianMixture) -> Self {
        Self::new(data, 0.1, 20.0).expect("valid defaults")
    }

    /// β(t).
    pub fn beta(&self, t: f64) -> f64 {
        self.beta_min + t * (self.beta_max - self.beta_min)
    }

    /// α_t = exp(−½∫₀ᵗβ).
    pub fn alpha(&self, t: f64) -> f64 {
        (-0.5 * (self.beta_min * t + 0.5 * (self.beta_max - self.beta_min) * t * t)).exp()
    }

    /// The marginal of the diffusion at flow time τ (diffusion time t = 1 − τ).
    pub fn marginal(&self, tau: f64) -> Result<GaussianMixture, Error> {
        check_tau(tau)?;
        let a = self.alpha(1.0 - tau);
        let (a2, n) = (a * a, 1.0 - a * a);
        let comps = self
            .data
            .components()
            .iter()
            .map(|c| {
                let (m, s) = (c.mean(), c.cov());
                Gaussian2::new(
                    [a * m[0], a * m[1]],
                    a2 * s[0] + n,
                    a2 * s[1],
                    a2 * s[2] + n,
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        GaussianMixture::new(self.data.weights(), comps)
    }

    fn prepare(&mut self, tau: f64) {
        if self.cached == tau {
            return;
        }
        let t = 1.0 - tau;
        let (a, hb) = (self.alpha(t), 0.5 * self.beta(t));
        let (a2, n) = (a * a, 1.0 - a * a);
        for ((term, comp), w) in self
            .terms
            .iter_mut()
            .zip(self.data.components())
            .zip(self.data.weights())
        {
            let (mu, s) = (comp.mean(), comp.cov());
            let (p, ln) = inverse_spd([a2 * s[0] + n, a2 * s[1], a2 * s[2] + n]);
            let m = [a * mu[0], a * mu[1]];
            // ½β(x − P(x − m)) = ½β m + ½β(I − P)(x − m)
            *term = AffineTerm {
                m,
                p,
                lw: w.ln() + ln,
                c: [hb * m[0], hb * m[1]],
                g: [hb * (1.0 - p[0]), -hb * p[1], -hb * p[1], hb * (1.0 - p[2])],
            };
        }
        self.kernel.fill(&self.terms);
        self.cached = tau;
    }

    /// v(x, τ) in f64, τ ∈ [0, 1].
    pub fn velocity_at(&mut self, tau: f64, x: [f64; 2]) -> Result<[f64; 2], Error> {
        check_tau(tau)?;
        self.prepare(tau);
        Ok(affine_mixture_field(&self.terms, x))
    }
}

impl VpProbabilityFlow {
    /// The kernel path of [`Velocity::eval`] (scalar or simd128; both give the same bits).
    pub fn path(&self) -> KernelPath {
        self.path
    }

    /// Chooses the kernel path.
    pub fn set_path(&mut self, path: KernelPath) {
        self.path = path;
    }
}

impl Velocity for VpProbabilityFlow {
    fn eval(&mut self, tau: f64, xs: &[f32], ys: &[f32], vx: &mut [f32], vy: &mut [f32]) {
        self.prepare(tau);
        kernel::eval(self.path, &self.kernel, xs, ys, vx, vy);
    }
}
