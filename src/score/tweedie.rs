//! Tweedie's formula and the exact posterior mean of a Gaussian mixture under Gaussian noise.
//!
//! Observe x̃ = x + σz with x ~ p and z ~ N(0, I). Differentiating p_σ(x̃) = ∫ p(x) N(x̃; x, σ²I) dx
//! under the integral gives ∇log p_σ(x̃) = E[(x − x̃)/σ² | x̃], that is Tweedie's formula
//! (Efron 2011, eq. 2.8; Robbins 1956)
//!
//!   E[x | x̃] = x̃ + σ² ∇log p_σ(x̃).
//!
//! For p = Σₖ wₖ N(μₖ, Σₖ) the posterior is itself a mixture (a separate, direct route):
//!
//!   p(x | x̃) = Σₖ r̃ₖ(x̃) N(mₖ, Cₖ),   r̃ₖ ∝ wₖ N(x̃; μₖ, Σₖ + σ²I),
//!   mₖ = μₖ + Σₖ(Σₖ + σ²I)⁻¹(x̃ − μₖ),   Cₖ = Σₖ − Σₖ(Σₖ + σ²I)⁻¹Σₖ,
//!
//! so E[x | x̃] = Σₖ r̃ₖ mₖ and the minimum mean squared error of any denoiser is
//! MMSE = E‖x − E[x|x̃]‖² = ∫ p_σ(x̃) tr Cov(x | x̃) dx̃, computed here by quadrature.
//! The variance-preserving form (DDPM: x_t = √ᾱ x₀ + √(1−ᾱ) ε) is
//! E[x₀ | x_t] = (x_t + (1 − ᾱ)∇log q(x_t))/√ᾱ (Ho et al. 2020 with Tweedie; [`vp_tweedie`]).

use super::{mean_se, normal2};
use crate::error::{check_range, Error};
use crate::mixture::{GaussianMixture, MAX_COMPONENTS};
use crate::quadrature::Rule2;
use crate::rng::sim_rng;

/// A 2×2 symmetric matrix (xx, xy, yy) times a general one given as rows.
fn inv_sym(a: [f64; 3]) -> [f64; 3] {
    let det = a[0] * a[2] - a[1] * a[1];
    [a[2] / det, -a[1] / det, a[0] / det]
}

/// For each component: (log r̃ₖ unnormalised, mₖ, tr Cₖ).
fn posterior_parts(
    p: &GaussianMixture,
    sigma: f64,
    y: [f64; 2],
    out: &mut [(f64, [f64; 2], f64); MAX_COMPONENTS],
) -> f64 {
    let s2 = sigma * sigma;
    let mut mx = f64::NEG_INFINITY;
    for (k, (w, c)) in p.weights().iter().zip(p.components()).enumerate() {
        let (mu, s) = (c.mean(), c.cov());
        let t = [s[0] + s2, s[1], s[2] + s2];
        let ti = inv_sym(t);
        let d = [y[0] - mu[0], y[1] - mu[1]];
        let u = [ti[0] * d[0] + ti[1] * d[1], ti[1] * d[0] + ti[2] * d[1]];
        let det_t = t[0] * t[2] - t[1] * t[1];
        let l = w.ln()
            - (2.0 * std::f64::consts::PI).ln()
            - 0.5 * det_t.ln()
            - 0.5 * (d[0] * u[0] + d[1] * u[1]);
        // mₖ = μ + Σ T⁻¹ d;  Cₖ = Σ − Σ T⁻¹ Σ
        let m = [
            mu[0] + s[0] * u[0] + s[1] * u[1],
            mu[1] + s[1] * u[0] + s[2] * u[1],
        ];
        // Σ T⁻¹ as a general matrix, then tr(Σ T⁻¹ Σ)
        let a = [
            s[0] * ti[0] + s[1] * ti[1],
            s[0] * ti[1] + s[1] * ti[2],
            s[1] * ti[0] + s[2] * ti[1],
            s[1] * ti[1] + s[2] * ti[2],
        ];
        let tr_sts = a[0] * s[0] + a[1] * s[1] + a[2] * s[1] + a[3] * s[2];
        out[k] = (l, m, s[0] + s[2] - tr_sts);
        mx = mx.max(l);
    }
    mx
}

/// E[x | x̃ = y] by the mixture's posterior, σ > 0.
pub fn posterior_mean(p: &GaussianMixture, sigma: f64, y: [f64; 2]) -> [f64; 2] {
    posterior_moments(p, sigma, y).0
}

/// (E[x | x̃ = y], tr Cov(x | x̃ = y)) by the mixture's posterior.
pub fn posterior_moments(p: &GaussianMixture, sigma: f64, y: [f64; 2]) -> ([f64; 2], f64) {
    let mut parts = [(0.0, [0.0; 2], 0.0); MAX_COMPONENTS];
    let mx = posterior_parts(p, sigma, y, &mut parts);
    let (mut z, mut m, mut second) = (0.0, [0.0; 2], 0.0);
    for (l, mk, trc) in &parts[..p.len()] {
        let r = (l - mx).exp();
        z += r;
        m[0] += r * mk[0];
        m[1] += r * mk[1];
        second += r * (trc + mk[0] * mk[0] + mk[1] * mk[1]);
    }
    let m = [m[0] / z, m[1] / z];
    (m, second / z - m[0] * m[0] - m[1] * m[1])
}

/// Tweedie's formula y + σ²∇log p_σ(y), with `p_sigma` = p ∗ N(0, σ²I) (see `Mixture::noised`).
pub fn tweedie_mean(p_sigma: &GaussianMixture, sigma: f64, y: [f64; 2]) -> [f64; 2] {
    let s = p_sigma.score(y);
    [y[0] + sigma * sigma * s[0], y[1] + sigma * sigma * s[1]]
}

/// The exact MMSE ∫ p_σ(y) tr Cov(x | y) dy, by 8-point Gauss–Legendre on 32 × 32 cells (more,
/// up to 256, when a component of p_σ is narrower than a cell) over
/// p_σ's box (mean ± 4.4 sd of every component: the mass outside is below 1e-4 of the total,
/// and the integrand is bounded by max tr Σₖ there; the integral is divided by the mass inside).
/// The cells are at most 1/8 of the box, a few component sds wide, where the 8-point rule (exact
/// to degree 15) resolves the smooth integrand far below the Monte Carlo errors it is compared with.
pub fn exact_mmse(p: &GaussianMixture, sigma: f64) -> Result<f64, Error> {
    let q = p.noised(sigma)?;
    let b = q.view_box();
    let scale = super::field::smallest_scale(&q);
    let cells = ((b[1] - b[0]) / scale).ceil().clamp(32.0, 256.0) as usize;
    let rule = Rule2::new(b, cells, 8)?;
    let (mut mass, mut total) = (0.0, 0.0);
    rule.for_each(|y, w| {
        let d = q.density(y) * w;
        if d > 0.0 {
            mass += d;
            total += d * posterior_moments(p, sigma, y).1;
        }
    });
    Ok(total / mass)
}

/// The variance-preserving Tweedie estimate (x_t + (1 − ᾱ) score)/√ᾱ.
pub fn vp_tweedie(x_t: f64, alpha_bar: f64, score: f64) -> f64 {
    (x_t + (1.0 - alpha_bar) * score) / alpha_bar.sqrt()
}

/// For x₀ ~ N(m, v) and x_t = √ᾱ x₀ + √(1−ᾱ) ε: the score of x_t's law N(√ᾱ m, ᾱv + 1 − ᾱ) at x_t,
/// and the posterior mean E[x₀ | x_t] by Gaussian conditioning, m + √ᾱ v (x_t − √ᾱ m)/(ᾱv + 1 − ᾱ).
pub fn vp_gaussian(m: f64, v: f64, alpha_bar: f64, x_t: f64) -> (f64, f64) {
    let a = alpha_bar.sqrt();
    let var = alpha_bar * v + 1.0 - alpha_bar;
    (-(x_t - a * m) / var, m + a * v * (x_t - a * m) / var)
}

/// Summary numbers of a denoising run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DenoisingStats {
    /// max over points of ‖Tweedie − posterior mean‖ (round-off only).
    pub max_route_difference: f64,
    /// mean ‖x̂ − x‖² of the Tweedie denoiser and its standard error.
    pub mse_tweedie: (f64, f64),
    /// mean ‖x̃ − x‖² of the noisy points and its standard error (expected 2σ²).
    pub mse_noisy: (f64, f64),
}

/// Clean samples of a mixture, their noisy versions and both denoised versions. The noise
/// z of each point is kept, so that a new σ moves the same points (common random numbers).
#[derive(Debug, Clone)]
pub struct TweedieDenoising {
    p: GaussianMixture,
    p_sigma: GaussianMixture,
    sigma: f64,
    rng: crate::rng::SimRng,
    z: Vec<[f64; 2]>,
    /// Clean samples x.
    pub clean: Vec<[f64; 2]>,
    /// Noisy points x̃ = x + σz.
    pub noisy: Vec<[f64; 2]>,
    /// Tweedie estimates x̃ + σ²∇log p_σ(x̃).
    pub tweedie: Vec<[f64; 2]>,
    /// Exact posterior means by the mixture posterior.
    pub posterior: Vec<[f64; 2]>,
}

/// The most samples a run may hold.
pub const MAX_SAMPLES: usize = 200_000;

impl TweedieDenoising {
    /// `n` ∈ [1, 200 000] samples of p, noise level σ ∈ [0.01, 10], drawn from `seed`.
    pub fn new(p: GaussianMixture, sigma: f64, n: usize, seed: u32) -> Result<Self, Error> {
        check_range("sigma", sigma, 0.01, 10.0, false)?;
        check_range("samples", n as f64, 1.0, MAX_SAMPLES as f64, false)?;
        let mut d = Self {
            p_sigma: p.noised(sigma)?,
            p,
            sigma,
            rng: sim_rng(seed as u64 ^ 0x7477_6565),
            z: vec![],
            clean: vec![],
            noisy: vec![],
            tweedie: vec![],
            posterior: vec![],
        };
        d.add(n)?;
        Ok(d)
    }

    /// Draws `m` more samples (up to 200 000 in all) and denoises them.
    pub fn add(&mut self, m: usize) -> Result<(), Error> {
        let room = MAX_SAMPLES - self.clean.len();
        check_range("samples to add", m as f64, 0.0, room as f64, false)?;
        let s = self.sigma;
        for _ in 0..m {
            let x = self.p.sample(&mut self.rng);
            let (a, b) = normal2(&mut self.rng);
            let y = [x[0] + s * a, x[1] + s * b];
            self.clean.push(x);
            self.z.push([a, b]);
            self.noisy.push(y);
            self.tweedie.push(tweedie_mean(&self.p_sigma, s, y));
            self.posterior.push(posterior_mean(&self.p, s, y));
        }
        Ok(())
    }

    /// A new noise level σ ∈ [0.01, 10]: the same clean points and noise draws, x̃ = x + σz.
    pub fn set_sigma(&mut self, sigma: f64) -> Result<(), Error> {
        check_range("sigma", sigma, 0.01, 10.0, false)?;
        self.p_sigma = self.p.noised(sigma)?;
        self.sigma = sigma;
        for i in 0..self.clean.len() {
            let (x, z) = (self.clean[i], self.z[i]);
            let y = [x[0] + sigma * z[0], x[1] + sigma * z[1]];
            self.noisy[i] = y;
            self.tweedie[i] = tweedie_mean(&self.p_sigma, sigma, y);
            self.posterior[i] = posterior_mean(&self.p, sigma, y);
        }
        Ok(())
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.clean.len()
    }
    /// Never true (at least one sample).
    pub fn is_empty(&self) -> bool {
        self.clean.is_empty()
    }

    /// The data law p.
    pub fn target(&self) -> &GaussianMixture {
        &self.p
    }
    /// p_σ.
    pub fn noised_target(&self) -> &GaussianMixture {
        &self.p_sigma
    }
    /// σ.
    pub fn sigma(&self) -> f64 {
        self.sigma
    }

    /// The statistics of this run.
    pub fn stats(&self) -> DenoisingStats {
        let d2 = |a: &[f64; 2], b: &[f64; 2]| (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2);
        let max_route_difference = self
            .tweedie
            .iter()
            .zip(&self.posterior)
            .map(|(a, b)| d2(a, b).sqrt())
            .fold(0.0, f64::max);
        DenoisingStats {
            max_route_difference,
            mse_tweedie: mean_se(self.tweedie.iter().zip(&self.clean).map(|(a, b)| d2(a, b))),
            mse_noisy: mean_se(self.noisy.iter().zip(&self.clean).map(|(a, b)| d2(a, b))),
        }
    }
}
