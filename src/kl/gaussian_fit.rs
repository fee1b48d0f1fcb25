//! Fitting a Gaussian q to a mixture p by gradient descent on the forward or the reverse KL.
//!
//! Parameters: in 1D θ = (μ, ρ) with q = N(μ, e^{2ρ}); in 2D θ = (μx, μy, a, b, c) with
//! q = N(μ, LLᵀ), L = [[eᵃ, 0], [b, eᶜ]], so every θ gives a valid (SPD) covariance.
//!
//! * Forward, D_KL(p‖q) = −H(p) − E_p[log q]. Because log q is quadratic in x, E_p[log q] needs only
//!   p's exact mean m and covariance S: with M = S + (m − μ)(m − μ)ᵀ,
//!   −E_p[log q] = (d/2) log 2π + log det L + ½ tr(Σ⁻¹M), and its gradient is closed form. The
//!   optimum is μ = m, Σ = S: moment matching, the "mode-covering" fit. H(p) is a constant, computed
//!   once by grid quadrature ([`super::grid_kl`]).
//! * Reverse, D_KL(q‖p) = −H(q) − E_q[log p], H(q) = ½ log det(2πe Σ). With x = μ + Lz,
//!   z ~ N(0, I), the expectation and its gradient (the reparametrisation trick,
//!   ∇_μ = −E[∇log p(x)], ∇_L = −E[∇log p(x) zᵀ] − ∇ log det L) are computed by a tensor
//!   Gauss–Hermite rule ([`super::hermite`]): deterministic, and exact when p is Gaussian. Its
//!   optima sit on single modes: the "mode-seeking" fit.
//!
//! Each [`GaussianFit1::step`] / [`GaussianFit2::step`] is one step θ ← θ − η∇θ with every
//! component of the step clipped to ±0.5 — a trust region that only acts far from the optimum (for
//! instance when q starts much too narrow and the forward gradient in ρ is huge), so the fixed
//! points are those of plain gradient descent.

use super::grid_kl::{entropy_1d, entropy_2d};
use super::hermite::gauss_hermite_normal;
use super::mixture1::Mixture1;
use crate::error::{check_range, Error};
use crate::mixture::GaussianMixture;
use crate::quadrature::{Rule1, Rule2};

/// Which divergence a fit descends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// D_KL(p‖q): mass-covering, maximum likelihood.
    Forward,
    /// D_KL(q‖p): mode-seeking.
    Reverse,
}

/// The largest change of one parameter in one step.
const MAX_STEP: f64 = 0.5;
/// Gauss–Hermite points per dimension.
const GH_1D: usize = 64;
const GH_2D: usize = 24;
const LN_2PI: f64 = 1.837_877_066_409_345_5;

fn check_lr(lr: f64) -> Result<f64, Error> {
    check_range("learning_rate", lr, 0.0, 10.0, true)
}

/// θ ← θ − clip(η∇θ), committed only if every component stays finite and within ±300 (which
/// keeps e^{±2θ} finite for the log-scale parameters); otherwise θ is left as it was.
fn apply<const N: usize>(theta: &mut [f64; N], grad: &[f64; N], lr: f64) -> Result<(), Error> {
    let mut next = *theta;
    for (t, g) in next.iter_mut().zip(grad) {
        *t -= (lr * g).clamp(-MAX_STEP, MAX_STEP);
    }
    if next.iter().any(|t| !(t.is_finite() && t.abs() <= 300.0)) {
        return Err(Error::invalid(
            "learning_rate",
            "small enough for the fit to stay finite; reset",
            lr,
        ));
    }
    *theta = next;
    Ok(())
}

/// The entropy of a 1D mixture by quadrature (box: every component ± 10 sd).
pub fn mixture1_entropy(p: &Mixture1) -> Result<f64, Error> {
    let [lo, hi] = p.support();
    let r = Rule1::new(lo, hi, 400, 4)?;
    Ok(entropy_1d(&r, |x| p.log_density(x)))
}

/// A box holding all but ~e^{−32} of a 2D mixture's mass: each component's mean ± 8 sd.
pub fn mixture2_box(p: &GaussianMixture) -> [f64; 4] {
    let mut b = [
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ];
    for c in p.components() {
        let (m, s) = (c.mean(), c.cov());
        let (sx, sy) = (8.0 * s[0].sqrt(), 8.0 * s[2].sqrt());
        b = [
            b[0].min(m[0] - sx),
            b[1].max(m[0] + sx),
            b[2].min(m[1] - sy),
            b[3].max(m[1] + sy),
        ];
    }
    b
}

/// The entropy of a 2D mixture by quadrature on [`mixture2_box`] (128² cells of 2×2 points).
pub fn mixture2_entropy(p: &GaussianMixture) -> Result<f64, Error> {
    let r = Rule2::new(mixture2_box(p), 128, 2)?;
    Ok(entropy_2d(&r, |x| p.log_density(x)))
}

/// A 1D Gaussian N(μ, s²) fitted to a 1D mixture.
#[derive(Debug, Clone)]
pub struct GaussianFit1 {
    target: Mixture1,
    direction: Direction,
    theta: [f64; 2],
    lr: f64,
    iterations: u64,
    entropy_p: f64,
    gh: (Vec<f64>, Vec<f64>),
}

impl GaussianFit1 {
    /// Starts at N(`mean`, `sd`²) (sd ∈ (0, 1e4]) with learning rate η ∈ (0, 10].
    pub fn new(
        target: Mixture1,
        direction: Direction,
        mean: f64,
        sd: f64,
        lr: f64,
    ) -> Result<Self, Error> {
        check_range("start mean", mean, -1e4, 1e4, false)?;
        check_range("start sd", sd, 0.0, 1e4, true)?;
        let entropy_p = mixture1_entropy(&target)?;
        Ok(Self {
            target,
            direction,
            theta: [mean, sd.ln()],
            lr: check_lr(lr)?,
            iterations: 0,
            entropy_p,
            gh: gauss_hermite_normal(GH_1D),
        })
    }

    /// Replaces the target (the fit continues from where it is).
    pub fn set_target(&mut self, target: Mixture1) -> Result<(), Error> {
        self.entropy_p = mixture1_entropy(&target)?;
        self.target = target;
        Ok(())
    }
    /// Replaces η.
    pub fn set_learning_rate(&mut self, lr: f64) -> Result<(), Error> {
        self.lr = check_lr(lr)?;
        Ok(())
    }
    /// The target.
    pub fn target(&self) -> &Mixture1 {
        &self.target
    }
    /// μ.
    pub fn mean(&self) -> f64 {
        self.theta[0]
    }
    /// s.
    pub fn sd(&self) -> f64 {
        self.theta[1].exp()
    }
    /// θ = (μ, log s).
    pub fn params(&self) -> [f64; 2] {
        self.theta
    }
    /// Sets θ = (μ, log s) (for tests and resets).
    pub fn set_params(&mut self, theta: [f64; 2]) {
        self.theta = theta;
    }
    /// Completed steps.
    pub fn iterations(&self) -> u64 {
        self.iterations
    }
    /// H(p) by quadrature.
    pub fn entropy_p(&self) -> f64 {
        self.entropy_p
    }

    /// D_KL(p‖q) (closed-form cross-entropy minus the quadrature entropy of p).
    pub fn kl_forward(&self) -> f64 {
        let (m, v) = (self.target.mean(), self.target.variance());
        let [mu, rho] = self.theta;
        -self.entropy_p + 0.5 * LN_2PI + rho + (v + (m - mu) * (m - mu)) * (-2.0 * rho).exp() / 2.0
    }

    /// D_KL(q‖p) by Gauss–Hermite.
    pub fn kl_reverse(&self) -> f64 {
        let [mu, rho] = self.theta;
        let s = rho.exp();
        let e: f64 = self
            .gh
            .0
            .iter()
            .zip(&self.gh.1)
            .map(|(z, w)| w * self.target.log_density(mu + s * z))
            .sum();
        -(0.5 * (LN_2PI + 1.0) + rho) - e
    }

    /// ∇θ of the fit's divergence.
    pub fn gradient(&self) -> [f64; 2] {
        let [mu, rho] = self.theta;
        match self.direction {
            Direction::Forward => {
                let (m, v) = (self.target.mean(), self.target.variance());
                let e2 = (-2.0 * rho).exp();
                [-(m - mu) * e2, 1.0 - (v + (m - mu) * (m - mu)) * e2]
            }
            Direction::Reverse => {
                let s = rho.exp();
                let (mut gm, mut gr) = (0.0, -1.0);
                for (z, w) in self.gh.0.iter().zip(&self.gh.1) {
                    let sc = self.target.score(mu + s * z);
                    gm -= w * sc;
                    gr -= w * sc * s * z;
                }
                [gm, gr]
            }
        }
    }

    /// One clipped gradient step.
    pub fn step(&mut self) -> Result<(), Error> {
        let g = self.gradient();
        apply(&mut self.theta, &g, self.lr)?;
        self.iterations += 1;
        Ok(())
    }
}

/// A 2D Gaussian N(μ, LLᵀ) fitted to a 2D mixture.
#[derive(Debug, Clone)]
pub struct GaussianFit2 {
    target: GaussianMixture,
    direction: Direction,
    theta: [f64; 5],
    lr: f64,
    iterations: u64,
    entropy_p: f64,
    gh: (Vec<f64>, Vec<f64>),
}

/// Σ = LLᵀ as (σxx, σxy, σyy) from θ = (μx, μy, a, b, c).
pub fn covariance_of(theta: &[f64; 5]) -> [f64; 3] {
    let (ea, b, ec) = (theta[2].exp(), theta[3], theta[4].exp());
    [ea * ea, b * ea, b * b + ec * ec]
}

impl GaussianFit2 {
    /// Starts at N(`mean`, `sd`² I) (sd ∈ (0, 1e3]) with learning rate η ∈ (0, 10].
    pub fn new(
        target: GaussianMixture,
        direction: Direction,
        mean: [f64; 2],
        sd: f64,
        lr: f64,
    ) -> Result<Self, Error> {
        check_range("start mean x", mean[0], -1e4, 1e4, false)?;
        check_range("start mean y", mean[1], -1e4, 1e4, false)?;
        check_range("start sd", sd, 0.0, 1e3, true)?;
        let entropy_p = mixture2_entropy(&target)?;
        Ok(Self {
            target,
            direction,
            theta: [mean[0], mean[1], sd.ln(), 0.0, sd.ln()],
            lr: check_lr(lr)?,
            iterations: 0,
            entropy_p,
            gh: gauss_hermite_normal(GH_2D),
        })
    }

    /// Replaces the target (the fit continues from where it is); `entropy_p` is its entropy
    /// when already known (two fits of one target need it computed once), else `None`.
    pub fn set_target(
        &mut self,
        target: GaussianMixture,
        entropy_p: Option<f64>,
    ) -> Result<f64, Error> {
        self.entropy_p = match entropy_p {
            Some(h) => h,
            None => mixture2_entropy(&target)?,
        };
        self.target = target;
        Ok(self.entropy_p)
    }
    /// Replaces η.
    pub fn set_learning_rate(&mut self, lr: f64) -> Result<(), Error> {
        self.lr = check_lr(lr)?;
        Ok(())
    }
    /// The target.
    pub fn target(&self) -> &GaussianMixture {
        &self.target
    }
    /// μ.
    pub fn mean(&self) -> [f64; 2] {
        [self.theta[0], self.theta[1]]
    }
    /// Σ as (σxx, σxy, σyy).
    pub fn covariance(&self) -> [f64; 3] {
        covariance_of(&self.theta)
    }
    /// θ = (μx, μy, a, b, c).
    pub fn params(&self) -> [f64; 5] {
        self.theta
    }
    /// Sets θ (for tests and resets).
    pub fn set_params(&mut self, theta: [f64; 5]) {
        self.theta = theta;
    }
    /// Completed steps.
    pub fn iterations(&self) -> u64 {
        self.iterations
    }
    /// H(p) by quadrature.
    pub fn entropy_p(&self) -> f64 {
        self.entropy_p
    }

    /// M = S + (m − μ)(m − μ)ᵀ as (Mxx, Mxy, Myy).
    fn second_moment(&self) -> [f64; 3] {
        let (m, s) = (self.target.mean(), self.target.covariance());
        let (dx, dy) = (m[0] - self.theta[0], m[1] - self.theta[1]);
        [s[0] + dx * dx, s[1] + dx * dy, s[2] + dy * dy]
    }

    /// D_KL(p‖q) (closed-form cross-entropy minus the quadrature entropy of p).
    pub fn kl_forward(&self) -> f64 {
        let mm = self.second_moment();
        let [_, _, a, b, c] = self.theta;
        let (ia, ic) = ((-a).exp(), (-c).exp());
        let w1 = mm[0] * ia * ia;
        let w2 = (mm[2] - 2.0 * b * ia * mm[1] + b * b * ia * ia * mm[0]) * ic * ic;
        -self.entropy_p + LN_2PI + a + c + 0.5 * (w1 + w2)
    }

    /// D_KL(q‖p) by tensor Gauss–Hermite.
    pub fn kl_reverse(&self) -> f64 {
        let [mx, my, a, b, c] = self.theta;
        let (ea, ec) = (a.exp(), c.exp());
        let (z, w) = (&self.gh.0, &self.gh.1);
        let mut e = 0.0;
        for (z2, w2) in z.iter().zip(w) {
            for (z1, w1) in z.iter().zip(w) {
                e += w1
                    * w2
                    * self
                        .target
                        .log_density([mx + ea * z1, my + b * z1 + ec * z2]);
            }
        }
        -(LN_2PI + 1.0 + a + c) - e
    }

    /// ∇θ of the fit's divergence.
    pub fn gradient(&self) -> [f64; 5] {
        let [mx, my, a, b, c] = self.theta;
        let (ea, ec) = (a.exp(), c.exp());
        match self.direction {
            Direction::Forward => {
                let m = self.target.mean();
                let mm = self.second_moment();
                let (ia, ic) = (1.0 / ea, 1.0 / ec);
                // Σ⁻¹(m − μ) with Σ = [[ea², b ea], [b ea, b² + ec²]], det Σ = ea² ec²
                let cov = covariance_of(&self.theta);
                let det = ea * ea * ec * ec;
                let (dx, dy) = (m[0] - mx, m[1] - my);
                let gx = -(cov[2] * dx - cov[1] * dy) / det;
                let gy = -(-cov[1] * dx + cov[0] * dy) / det;
                let ga =
                    1.0 - mm[0] * ia * ia + ic * ic * (b * ia * mm[1] - b * b * ia * ia * mm[0]);
                let gb = ic * ic * (b * ia * ia * mm[0] - ia * mm[1]);
                let gc = 1.0 - (mm[2] - 2.0 * b * ia * mm[1] + b * b * ia * ia * mm[0]) * ic * ic;
                [gx, gy, ga, gb, gc]
            }
            Direction::Reverse => {
                let (z, w) = (&self.gh.0, &self.gh.1);
                let mut g = [0.0, 0.0, -1.0, 0.0, -1.0];
                for (z2, w2) in z.iter().zip(w) {
                    for (z1, w1) in z.iter().zip(w) {
                        let ww = w1 * w2;
                        let s = self.target.score([mx + ea * z1, my + b * z1 + ec * z2]);
                        g[0] -= ww * s[0];
                        g[1] -= ww * s[1];
                        g[2] -= ww * s[0] * ea * z1;
                        g[3] -= ww * s[1] * z1;
                        g[4] -= ww * s[1] * ec * z2;
                    }
                }
                g
            }
        }
    }

    /// One clipped gradient step.
    pub fn step(&mut self) -> Result<(), Error> {
        let g = self.gradient();
        apply(&mut self.theta, &g, self.lr)?;
        self.iterations += 1;
        Ok(())
    }
}
