//! Posterior trajectory windows by the reverse VE SDE with SDA's Gaussian-approximation
//! likelihood guidance and Langevin corrections (a step-wise state machine).
//!
//! The window x ∈ ℝ^d (d = 3L, standardised) is noised as x_σ = x + σ z. The posterior score of a
//! noisy window (Rozet & Louppe 2023, eq. 7) is ∇log p(x_σ | y) = s(x_σ, σ) + ∇log l(y | x_σ). With
//! p(x | x_σ) ≈ N(x̂₀, V) (their eq. 10–11) and a selection operator A (y_j = x_{i_j} + λ_j ε),
//!
//!   l(y | x_σ) ≈ N(y; A x̂₀, Σ_y + A V Aᵀ),   ∇log l = (∂x̂₀/∂x_σ)ᵀ Aᵀ (Σ_y + A V Aᵀ)⁻¹ (y − A x̂₀)
//!
//! (their eqs. 12–14; the gradient flows through the Tweedie mean x̂₀ = x_σ + σ² s only, as in the
//! SDA reference code which differentiates the log-likelihood with autograd through the denoiser
//! and treats V as constant). The product (∂x̂₀/∂x_σ)ᵀ Aᵀ r is computed exactly: one
//! vector–Jacobian product u_j = (∂x̂₀/∂x_σ)ᵀ e_{i_j} per observation through the network's
//! backward pass ([`super::window_score::WindowScoreModel::vjp`]); no ∂x̂₀/∂x ≈ I approximation.
//! V is [`VarianceRule::Hyper`]`(γ)`: V = γσ² I (SDA's choice), [`VarianceRule::Tweedie`]: the
//! second-order Tweedie covariance V = σ² ∂x̂₀/∂x_σ (its observed block A V Aᵀ read off the same
//! u_j, symmetrised), or [`VarianceRule::Zero`]. For a Gaussian prior the Tweedie rule is exact.
//!
//! Levels σ_k = σ_max (σ_min/σ_max)^{k/N}, k = 0…N; the chain starts at N(0, (1 + σ_max²) I) (the
//! noised law of unit-variance data). One level is an Euler–Maruyama predictor step of the reverse
//! VE SDE (Song et al. 2021, eq. 47 discretised)
//!
//!   x ← x + (σ_k² − σ_{k+1}²) S(x, σ_k) + √(σ_k² − σ_{k+1}²) z
//!
//! followed by K Langevin corrector steps at σ_{k+1} (SDA's corrector, their Algorithm 4):
//! After the last level the windows are replaced by their Tweedie mean x̂₀(x, σ_min) (the final
//! denoising step of Karras et al. 2022, removing the σ_min noise left in x; one more sub-step).
//!
//! δ = τ / mean S², x ← x + δ S + √(2δ) z, where S is the posterior score above. SDA averages S²
//! over the coordinates of each sample; with windows of only d = 3L ≈ 27 coordinates that
//! per-window mean fluctuates like a χ²_d and an occasional tiny ‖S‖ gives a huge step, so here
//! the mean runs over all coordinates of all samples (one δ per correction, the same for every
//! window, which keeps each step an unadjusted Langevin step of the posterior at σ_{k+1}).

use super::guidance::VarianceRule;
use super::observation::Observations;
use super::window_score::WindowScoreModel;
use crate::error::{check_range, Error};
use crate::normal::normal_pair;
use crate::rng::{sim_rng_stream, SimRng};
use rand::Rng;

/// A window entry beyond this (standardised units) counts as diverged.
pub const RUNAWAY: f32 = 1e4;

/// Something that gives the Tweedie mean x̂₀(x, σ) of windows and vector–Jacobian products of it.
pub trait WindowDenoiser {
    /// d = 3L.
    fn dim(&self) -> usize;
    /// The most rows one call takes.
    fn capacity(&self) -> usize;
    /// x̂₀ of rows × d windows `x` at noise σ into `x0`.
    fn denoise(&mut self, x: &[f32], sigma: f64, x0: &mut [f32]) -> Result<(), Error>;
    /// vᵀ ∂x̂₀/∂x at the rows of the last `denoise`.
    fn vjp(&mut self, v: &[f32], out: &mut [f32]) -> Result<(), Error>;
}

impl WindowDenoiser for WindowScoreModel {
    fn dim(&self) -> usize {
        3 * self.len()
    }
    fn capacity(&self) -> usize {
        WindowScoreModel::capacity(self)
    }
    fn denoise(&mut self, x: &[f32], sigma: f64, x0: &mut [f32]) -> Result<(), Error> {
        WindowScoreModel::denoise(self, x, sigma, x0)
    }
    fn vjp(&mut self, v: &[f32], out: &mut [f32]) -> Result<(), Error> {
        WindowScoreModel::vjp(self, v, out)
    }
}

/// Observations y_j = x_{i_j} + λ_j ε of a flattened window (a selection operator A).
#[derive(Debug, Clone, PartialEq)]
pub struct SelectionObservations {
    /// Observed entries i_j of the flat window.
    pub index: Vec<usize>,
    /// y_j.
    pub value: Vec<f64>,
    /// λ_j > 0.
    pub noise: Vec<f64>,
}

impl SelectionObservations {
    /// The observations of a Lorenz window of `len` states (their window must have `len` states).
    pub fn from_window(obs: &Observations, len: usize) -> Result<Self, Error> {
        if obs.values.len() != len {
            return Err(Error::invalid(
                "window length",
                format!("{len} states (the score model's window length)"),
                obs.values.len(),
            ));
        }
        let mut s = Self {
            index: vec![],
            value: vec![],
            noise: vec![],
        };
        for (k, y) in obs.values.iter().enumerate() {
            if let Some(y) = y {
                s.index.push(3 * k + obs.operator.component);
                s.value.push(*y);
                s.noise.push(obs.operator.noise);
            }
        }
        Ok(s)
    }

    fn validate(&self, dim: usize) -> Result<(), Error> {
        let m = self.index.len();
        if self.value.len() != m || self.noise.len() != m {
            return Err(Error::invalid(
                "observations",
                "as many values and noise levels as indices",
                format!("{m}, {}, {}", self.value.len(), self.noise.len()),
            ));
        }
        if m > 64 {
            return Err(Error::invalid("observations", "at most 64 per window", m));
        }
        if let Some(&i) = self.index.iter().find(|&&i| i >= dim) {
            return Err(Error::invalid(
                "observed index",
                format!("below the window dimension {dim}"),
                i,
            ));
        }
        if let Some(&v) = self.value.iter().find(|v| !v.is_finite()) {
            return Err(Error::invalid("observed value", "a finite number", v));
        }
        for &l in &self.noise {
            check_range("observation noise", l, 0.0, 10.0, true)?;
        }
        Ok(())
    }
}

/// Settings of a guided run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GuidedWindowConfig {
    /// Trajectories n ∈ [1, 4096].
    pub samples: usize,
    /// Predictor levels N ∈ [1, 10,000].
    pub levels: usize,
    /// σ_min.
    pub sigma_min: f64,
    /// σ_max.
    pub sigma_max: f64,
    /// Langevin corrections K ∈ [0, 16] per level.
    pub corrections: usize,
    /// Corrector step scale τ ∈ (0, 1].
    pub tau: f64,
    /// The covariance V of p(x | x_σ).
    pub variance: VarianceRule,
}

impl GuidedWindowConfig {
    fn validate(&self) -> Result<(), Error> {
        check_range("samples", self.samples as f64, 1.0, 4096.0, false)?;
        check_range("levels", self.levels as f64, 1.0, 10_000.0, false)?;
        check_range("sigma_min", self.sigma_min, 1e-4, 50.0, false)?;
        check_range("sigma_max", self.sigma_max, self.sigma_min, 50.0, false)?;
        check_range("corrections", self.corrections as f64, 0.0, 16.0, false)?;
        check_range("tau", self.tau, 0.0, 1.0, true)?;
        match self.variance {
            VarianceRule::Hyper(g) => {
                check_range("gamma", g, 0.0, 100.0, false)?;
            }
            VarianceRule::Tweedie | VarianceRule::Zero => {}
        }
        Ok(())
    }
}

/// The guided sampler (see the module docs). The caller owns the loop ([`GuidedWindowSampler::advance`]).
#[derive(Debug, Clone)]
pub struct GuidedWindowSampler<D: WindowDenoiser> {
    den: D,
    obs: SelectionObservations,
    cfg: GuidedWindowConfig,
    x: Vec<f32>,
    x0: Vec<f32>,
    score: Vec<f32>,
    /// u_j per observation, m × chunk × d.
    u: Vec<f32>,
    e: Vec<f32>,
    mat: Vec<f64>,
    rhs: Vec<f64>,
    rng: SimRng,
    level: usize,
    correction: usize,
    denoised: bool,
    diverged: Option<Error>,
}

impl<D: WindowDenoiser> GuidedWindowSampler<D> {
    /// Draws the initial windows from N(0, (1 + σ_max²) I) with `seed`.
    pub fn new(
        den: D,
        obs: SelectionObservations,
        cfg: GuidedWindowConfig,
        seed: u64,
    ) -> Result<Self, Error> {
        cfg.validate()?;
        let d = den.dim();
        obs.validate(d)?;
        let chunk = den.capacity().min(cfg.samples);
        let m = obs.index.len();
        let mut rng = sim_rng_stream(seed, 0x5da);
        let mut x = vec![0.0f32; cfg.samples * d];
        let s0 = (1.0 + cfg.sigma_max * cfg.sigma_max).sqrt() as f32;
        fill_normals(&mut rng, &mut x);
        x.iter_mut().for_each(|v| *v *= s0);
        Ok(Self {
            den,
            cfg,
            x0: vec![0.0; chunk * d],
            score: vec![0.0; cfg.samples * d],
            u: vec![0.0; m.max(1) * chunk * d],
            e: vec![0.0; chunk * d],
            mat: vec![0.0; m * m],
            rhs: vec![0.0; m],
            obs,
            x,
            rng,
            level: 0,
            correction: 0,
            denoised: false,
            diverged: None,
        })
    }

    /// σ_k.
    pub fn sigma(&self, k: usize) -> f64 {
        let c = &self.cfg;
        c.sigma_max * (c.sigma_min / c.sigma_max).powf(k as f64 / c.levels as f64)
    }

    /// S(x, σ) = s + ∇log l for every window into `self.score`.
    fn posterior_score(&mut self, sigma: f64) -> Result<(), Error> {
        let d = self.den.dim();
        let m = self.obs.index.len();
        let chunk = self.den.capacity().min(self.cfg.samples);
        let s2 = sigma * sigma;
        let mut start = 0;
        while start < self.cfg.samples {
            let rows = chunk.min(self.cfg.samples - start);
            let xs = &self.x[start * d..(start + rows) * d];
            self.den.denoise(xs, sigma, &mut self.x0[..rows * d])?;
            for j in 0..m {
                let e = &mut self.e[..rows * d];
                e.iter_mut().for_each(|v| *v = 0.0);
                for r in 0..rows {
                    e[r * d + self.obs.index[j]] = 1.0;
                }
                let u = &mut self.u[j * chunk * d..j * chunk * d + rows * d];
                self.den.vjp(&self.e[..rows * d], u)?;
            }
            for r in 0..rows {
                let x0 = &self.x0[r * d..(r + 1) * d];
                let out = &mut self.score[(start + r) * d..(start + r + 1) * d];
                for i in 0..d {
                    out[i] = ((x0[i] as f64 - xs[r * d + i] as f64) / s2) as f32;
                }
                if m == 0 {
                    continue;
                }
                for j in 0..m {
                    for k in 0..m {
                        let v = match self.cfg.variance {
                            VarianceRule::Tweedie => {
                                let a = self.u[j * chunk * d + r * d + self.obs.index[k]] as f64;
                                let b = self.u[k * chunk * d + r * d + self.obs.index[j]] as f64;
                                0.5 * s2 * (a + b)
                            }
                            VarianceRule::Hyper(g) => {
                                if j == k {
                                    g * s2
                                } else {
                                    0.0
                                }
                            }
                            VarianceRule::Zero => 0.0,
                        };
                        self.mat[j * m + k] = v + if j == k {
                            self.obs.noise[j].powi(2)
                        } else {
                            0.0
                        };
                    }
                    self.rhs[j] = self.obs.value[j] - x0[self.obs.index[j]] as f64;
                }
                cholesky_solve(&mut self.mat, &mut self.rhs, m)?;
                for j in 0..m {
                    let u = &self.u[j * chunk * d + r * d..j * chunk * d + (r + 1) * d];
                    let rj = self.rhs[j] as f32;
                    for i in 0..d {
                        out[i] += rj * u[i];
                    }
                }
            }
            start += rows;
        }
        Ok(())
    }

    /// Runs up to `work` sub-steps (a predictor step or one correction each); returns true when
    /// the run is complete. A non-finite window stops the run with [`Error::Diverged`].
    pub fn advance(&mut self, work: usize) -> Result<bool, Error> {
        if let Some(e) = &self.diverged {
            return Err(e.clone());
        }
        for _ in 0..work {
            if self.is_done() {
                return Ok(true);
            }
            if self.level >= self.cfg.levels && self.correction == 0 {
                self.final_denoise()?;
            } else if self.correction == 0 {
                let (a, b) = (self.sigma(self.level), self.sigma(self.level + 1));
                self.posterior_score(a)?;
                let dv = a * a - b * b;
                let (h, g) = (dv as f32, dv.sqrt() as f32);
                let mut z = std::mem::take(&mut self.e);
                z.resize(self.x.len().max(z.len()), 0.0);
                fill_normals(&mut self.rng, &mut z[..self.x.len()]);
                for ((x, &s), &n) in self.x.iter_mut().zip(&self.score).zip(&z) {
                    *x += h * s + g * n;
                }
                self.e = z;
                self.level += 1;
                self.correction = self.cfg.corrections;
            } else {
                let b = self.sigma(self.level);
                self.posterior_score(b)?;
                let mut z = std::mem::take(&mut self.e);
                z.resize(self.x.len().max(z.len()), 0.0);
                fill_normals(&mut self.rng, &mut z[..self.x.len()]);
                let ms: f64 = self
                    .score
                    .iter()
                    .map(|&v| (v as f64) * (v as f64))
                    .sum::<f64>()
                    / self.score.len() as f64;
                let delta = self.cfg.tau / ms.max(1e-12);
                let (h, g) = (delta as f32, (2.0 * delta).sqrt() as f32);
                for ((x, &s), &n) in self.x.iter_mut().zip(&self.score).zip(&z) {
                    *x += h * s + g * n;
                }
                self.e = z;
                self.correction -= 1;
            }
            let bad = self
                .x
                .chunks_exact(self.den.dim())
                .filter(|w| w.iter().any(|v| !v.is_finite() || v.abs() > RUNAWAY))
                .count();
            if bad > 0 {
                let e = Error::Diverged {
                    step: self.level as u64,
                    particles: bad as u32,
                    radius: RUNAWAY,
                };
                self.diverged = Some(e.clone());
                return Err(e);
            }
        }
        Ok(self.is_done())
    }

    /// x ← x̂₀(x, σ_min), chunk by chunk.
    fn final_denoise(&mut self) -> Result<(), Error> {
        let d = self.den.dim();
        let chunk = self.den.capacity().min(self.cfg.samples);
        let sigma = self.sigma(self.cfg.levels);
        let mut start = 0;
        while start < self.cfg.samples {
            let rows = chunk.min(self.cfg.samples - start);
            self.den.denoise(
                &self.x[start * d..(start + rows) * d],
                sigma,
                &mut self.x0[..rows * d],
            )?;
            self.x[start * d..(start + rows) * d].copy_from_slice(&self.x0[..rows * d]);
            start += rows;
        }
        self.denoised = true;
        Ok(())
    }

    /// True after the last level, its corrections and the final denoising.
    pub fn is_done(&self) -> bool {
        self.denoised
    }

    /// Fraction of the sub-steps done.
    pub fn progress(&self) -> f64 {
        let per = 1 + self.cfg.corrections;
        let done = self.level * per - self.correction + self.denoised as usize;
        done as f64 / (self.cfg.levels * per + 1) as f64
    }

    /// The windows (samples × d, standardised), the current state of the chain.
    pub fn windows(&self) -> &[f32] {
        &self.x
    }

    /// The windows in the state's units, as f64 trajectories [x₁, y₁, z₁, x₂, …] per sample.
    pub fn trajectories(&self) -> Vec<f64> {
        use super::lorenz::{STD_MEAN, STD_SCALE};
        self.x
            .iter()
            .enumerate()
            .map(|(i, &v)| STD_MEAN[i % 3] + STD_SCALE[i % 3] * v as f64)
            .collect()
    }

    /// The configuration.
    pub fn config(&self) -> &GuidedWindowConfig {
        &self.cfg
    }

    /// The denoiser.
    pub fn denoiser(&self) -> &D {
        &self.den
    }
}

fn fill_normals(rng: &mut SimRng, out: &mut [f32]) {
    for pair in out.chunks_mut(2) {
        let (a, b) = normal_pair(rng.next_u32(), rng.next_u32());
        pair[0] = a;
        if pair.len() > 1 {
            pair[1] = b;
        }
    }
}

/// Solves M r = b in place (M symmetric positive definite, m × m, overwritten by its Cholesky factor).
fn cholesky_solve(a: &mut [f64], b: &mut [f64], m: usize) -> Result<(), Error> {
    for j in 0..m {
        let mut s = a[j * m + j];
        for k in 0..j {
            s -= a[j * m + k] * a[j * m + k];
        }
        if !(s > 0.0 && s.is_finite()) {
            return Err(Error::invalid(
                "likelihood covariance",
                "positive definite (Σ_y + A V Aᵀ)",
                s,
            ));
        }
        let l = s.sqrt();
        a[j * m + j] = l;
        for i in j + 1..m {
            let mut t = a[i * m + j];
            for k in 0..j {
                t -= a[i * m + k] * a[j * m + k];
            }
            a[i * m + j] = t / l;
        }
    }
    for i in 0..m {
        let mut t = b[i];
        for k in 0..i {
            t -= a[i * m + k] * b[k];
        }
        b[i] = t / a[i * m + i];
    }
    for i in (0..m).rev() {
        let mut t = b[i];
        for k in i + 1..m {
            t -= a[k * m + i] * b[k];
        }
        b[i] = t / a[i * m + i];
    }
    Ok(())
}
