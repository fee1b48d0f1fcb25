//! Stochastic-gradient Langevin dynamics (SGLD) on a conjugate Gaussian posterior, as a step-wise
//! state machine.
//!
//! Welling & Teh (2011), eq. 4: with data y₁ … y_N and a minibatch B of n indices drawn afresh at
//! every step,
//!
//!   θ_{t+1} = θ_t + (ε_t/2) ĝ(θ_t) + η_t,   η_t ~ N(0, ε_t),
//!   ĝ(θ) = ∇log p(θ) + (N/n) Σ_{i∈B} ∇log p(y_i | θ),
//!
//! an unbiased estimate of the gradient of the log-posterior. The step schedule
//! ε_t = a (b + t)^(−γ) with γ ∈ (0.5, 1] satisfies Σ ε_t = ∞ and Σ ε_t² < ∞ (their eq. 2). The
//! reason the chain samples the posterior: the minibatch error enters as (ε_t/2)(ĝ − g), whose
//! variance (ε_t²/4) V_g is of order ε_t², while the injected noise has variance ε_t; as ε_t → 0
//! the injected noise dominates and the update becomes exact Langevin dynamics.
//!
//! The model is y_i ~ N(θ, 1) with prior θ ~ N(0, 1) (curriculum V-L11), whose posterior is
//! N(Σy/(N+1), 1/(N+1)) exactly. The recursion is then linear,
//! θ' = (1 − εP/2) θ + (ε/2) G + √ε z with P = N + 1 and G = (N/n) Σ_{i∈B} y_i, and for a
//! constant step ε < 4/P its stationary law has the posterior mean and the variance
//!
//!   v(ε) = (1 + ε V_g/4) / (P (1 − ε P/4)),   V_g = Var G = N² (1 − n/N) S² / n,
//!
//! (S² the data's sample variance with N − 1, for batches drawn without replacement): the factor
//! 1 + εV_g/4 is the minibatch noise, 1/(1 − εP/4) the discretisation. [`Sgld::step`] draws the
//! batch by a partial Fisher–Yates shuffle of a preallocated permutation (no allocation per
//! step). One chain, so there is no particle loop to vectorise: a step costs n additions.

use crate::error::{check_range, Error};
use crate::normal::normal_pair;
use crate::rng::{sim_rng, sim_rng_stream, SimRng};
use rand::Rng;

/// The most data points N.
pub const MAX_DATA: usize = 100_000;

/// y_i ~ N(θ, 1), prior θ ~ N(0, 1): data and the exact posterior.
#[derive(Debug, Clone, PartialEq)]
pub struct ConjugateGaussian {
    data: Vec<f64>,
    sum: f64,
    sample_var: f64,
}

fn check_int(name: &'static str, v: f64, lo: usize, hi: usize) -> Result<usize, Error> {
    if v.is_finite() && v.fract() == 0.0 && v >= lo as f64 && v <= hi as f64 {
        Ok(v as usize)
    } else {
        Err(Error::invalid(
            name,
            format!("an integer in [{lo}, {hi}]"),
            v,
        ))
    }
}

impl ConjugateGaussian {
    /// The model for given observations (1 ≤ N ≤ 100 000 finite numbers).
    pub fn new(data: Vec<f64>) -> Result<Self, Error> {
        if data.is_empty() || data.len() > MAX_DATA {
            return Err(Error::invalid(
                "data",
                format!("1 to {MAX_DATA} numbers"),
                format!("{} numbers", data.len()),
            ));
        }
        if let Some(v) = data.iter().find(|v| !v.is_finite()) {
            return Err(Error::invalid("data", "finite numbers", v));
        }
        let n = data.len() as f64;
        let sum: f64 = data.iter().sum();
        let mean = sum / n;
        let ss: f64 = data.iter().map(|y| (y - mean) * (y - mean)).sum();
        let sample_var = if data.len() > 1 { ss / (n - 1.0) } else { 0.0 };
        Ok(ConjugateGaussian {
            data,
            sum,
            sample_var,
        })
    }

    /// N observations y_i = θ_true + z_i drawn with `seed` (|θ_true| ≤ 10).
    pub fn synthetic(n: f64, theta_true: f64, seed: u64) -> Result<Self, Error> {
        let n = check_int("data_size", n, 1, MAX_DATA)?;
        check_range("theta_true", theta_true, -10.0, 10.0, false)?;
        let mut rng = sim_rng(seed);
        let mut data = Vec::with_capacity(n);
        while data.len() < n {
            let (a, b) = normal_pair(rng.next_u32(), rng.next_u32());
            data.push(theta_true + a as f64);
            if data.len() < n {
                data.push(theta_true + b as f64);
            }
        }
        Self::new(data)
    }

    /// The observations.
    pub fn data(&self) -> &[f64] {
        &self.data
    }

    /// N.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Always false (N ≥ 1).
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The posterior precision P = N + 1.
    pub fn precision(&self) -> f64 {
        self.data.len() as f64 + 1.0
    }

    /// The exact posterior mean Σy/(N + 1).
    pub fn posterior_mean(&self) -> f64 {
        self.sum / self.precision()
    }

    /// The exact posterior variance 1/(N + 1).
    pub fn posterior_variance(&self) -> f64 {
        1.0 / self.precision()
    }

    /// The exact posterior density at θ.
    pub fn posterior_density(&self, theta: f64) -> f64 {
        let (m, v) = (self.posterior_mean(), self.posterior_variance());
        (-(theta - m) * (theta - m) / (2.0 * v)).exp() / (2.0 * std::f64::consts::PI * v).sqrt()
    }

    /// V_g = N²(1 − n/N)S²/n, the variance of the minibatch term G = (N/n)Σ_B y_i for batches
    /// of n drawn without replacement.
    pub fn gradient_noise_variance(&self, batch: usize) -> f64 {
        let (nn, b) = (self.data.len() as f64, batch as f64);
        nn * nn * (1.0 - b / nn) * self.sample_var / b
    }

    /// The exact stationary variance (1 + εV_g/4)/(P(1 − εP/4)) of constant-step SGLD with
    /// batch size `batch`, or `None` when the chain is unstable (ε ≥ 4/P).
    pub fn constant_step_variance(&self, step_size: f64, batch: usize) -> Option<f64> {
        let p = self.precision();
        let d = 1.0 - step_size * p / 4.0;
        (d > 0.0).then(|| (1.0 + step_size * self.gradient_noise_variance(batch) / 4.0) / (p * d))
    }
}

/// The step schedule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StepSchedule {
    /// ε_t = ε.
    Constant(f64),
    /// ε_t = a (b + t)^(−γ).
    Decreasing {
        /// a > 0.
        a: f64,
        /// b ≥ 0 (b = 0 needs t ≥ 1; the chain's t starts at 0, so b > 0 is required).
        b: f64,
        /// γ ∈ (0.5, 1]: Σε = ∞ and Σε² < ∞.
        gamma: f64,
    },
}

impl StepSchedule {
    /// A constant step ε ∈ (0, 10].
    pub fn constant(step_size: f64) -> Result<Self, Error> {
        Ok(StepSchedule::Constant(check_range(
            "step_size",
            step_size,
            0.0,
            10.0,
            true,
        )?))
    }

    /// ε_t = a (b + t)^(−γ) with a ∈ (0, 10], b ∈ (0, 1e9], γ ∈ (0.5, 1].
    pub fn decreasing(a: f64, b: f64, gamma: f64) -> Result<Self, Error> {
        check_range("a", a, 0.0, 10.0, true)?;
        check_range("b", b, 0.0, 1e9, true)?;
        check_range("gamma", gamma, 0.5, 1.0, true)?;
        Ok(StepSchedule::Decreasing { a, b, gamma })
    }

    /// ε_t (t = 0, 1, …).
    pub fn step_size(&self, t: u64) -> f64 {
        match *self {
            StepSchedule::Constant(e) => e,
            StepSchedule::Decreasing { a, b, gamma } => a * (b + t as f64).powf(-gamma),
        }
    }
}

/// Validates a batch size n ∈ [1, N].
pub fn check_batch(batch: f64, n: usize) -> Result<usize, Error> {
    check_int("batch_size", batch, 1, n)
}

/// Largest |θ| before the chain counts as diverged (the posterior lives within a few units of
/// the data mean; only an unstable step reaches this).
pub const RUNAWAY: f64 = 1e6;

/// An SGLD chain on a [`ConjugateGaussian`] posterior, with ε-weighted running moments.
#[derive(Debug, Clone)]
pub struct Sgld {
    model: ConjugateGaussian,
    schedule: StepSchedule,
    batch: usize,
    burn_in: u64,
    theta: f64,
    t: u64,
    perm: Vec<u32>,
    rng: SimRng,
    /// Σ ε_t, Σ ε_t θ_t, Σ ε_t θ_t² over the steps after burn-in (shifted by the posterior mean
    /// to avoid cancellation).
    w: f64,
    s1: f64,
    s2: f64,
    diverged: Option<Error>,
}

impl Sgld {
    /// A chain for `model` with `schedule`, minibatches of `batch` ∈ [1, N], moments collected
    /// after `burn_in` steps, started at θ₀ = 0 (the prior mean), seeded.
    pub fn new(
        model: ConjugateGaussian,
        schedule: StepSchedule,
        batch: f64,
        burn_in: u64,
        seed: u64,
    ) -> Result<Self, Error> {
        let batch = check_batch(batch, model.len())?;
        let perm = (0..model.len() as u32).collect();
        Ok(Sgld {
            model,
            schedule,
            batch,
            burn_in,
            theta: 0.0,
            t: 0,
            perm,
            rng: sim_rng_stream(seed, 3),
            w: 0.0,
            s1: 0.0,
            s2: 0.0,
            diverged: None,
        })
    }

    /// The model.
    pub fn model(&self) -> &ConjugateGaussian {
        &self.model
    }

    /// The schedule.
    pub fn schedule(&self) -> StepSchedule {
        self.schedule
    }

    /// n.
    pub fn batch(&self) -> usize {
        self.batch
    }

    /// θ_t.
    pub fn theta(&self) -> f64 {
        self.theta
    }

    /// Steps completed t.
    pub fn steps(&self) -> u64 {
        self.t
    }

    /// The step size the next step uses.
    pub fn next_step_size(&self) -> f64 {
        self.schedule.step_size(self.t)
    }

    /// The divergence error, once θ has run away.
    pub fn diverged(&self) -> Option<&Error> {
        self.diverged.as_ref()
    }

    /// Σ ε_t over the steps collected so far (the estimator's weight).
    pub fn weight(&self) -> f64 {
        self.w
    }

    /// The ε-weighted mean Σε_tθ_t/Σε_t after burn-in (Welling & Teh, §4), NaN before any.
    pub fn mean(&self) -> f64 {
        self.model.posterior_mean() + self.s1 / self.w
    }

    /// The ε-weighted variance after burn-in.
    pub fn variance(&self) -> f64 {
        let m = self.s1 / self.w;
        self.s2 / self.w - m * m
    }

    /// One SGLD step; returns θ_{t+1} and its weight ε_t (0 during burn-in).
    pub fn step(&mut self) -> Result<(f64, f64), Error> {
        if let Some(e) = &self.diverged {
            return Err(e.clone());
        }
        let eps = self.schedule.step_size(self.t);
        let n = self.model.len();
        // partial Fisher–Yates: perm[0..batch] becomes a uniform batch without replacement
        // (index by Lemire's multiply-shift; its bias is below N/2³² ≤ 2.4e-5)
        let mut g = 0.0;
        for j in 0..self.batch {
            let k = j + ((self.rng.next_u32() as u64 * (n - j) as u64) >> 32) as usize;
            self.perm.swap(j, k);
            g += self.model.data[self.perm[j] as usize];
        }
        let nn = n as f64;
        // ∇log prior + (N/n) Σ_B ∇log lik = −θ + (N/n) Σ_B (y_i − θ)
        let grad = -self.theta + nn / self.batch as f64 * (g - self.batch as f64 * self.theta);
        let (z, _) = normal_pair(self.rng.next_u32(), self.rng.next_u32());
        self.theta += 0.5 * eps * grad + eps.sqrt() * z as f64;
        self.t += 1;
        if !self.theta.is_finite() || self.theta.abs() >= RUNAWAY {
            let e = Error::Diverged {
                step: self.t,
                particles: 1,
                radius: RUNAWAY as f32,
            };
            self.diverged = Some(e.clone());
            return Err(e);
        }
        let mut weight = 0.0;
        if self.t > self.burn_in {
            let d = self.theta - self.model.posterior_mean();
            self.w += eps;
            self.s1 += eps * d;
            self.s2 += eps * d * d;
            weight = eps;
        }
        Ok((self.theta, weight))
    }
}
