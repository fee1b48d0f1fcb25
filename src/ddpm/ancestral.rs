//! DDPM ancestral sampling (Ho, Jain & Abbeel 2020, Alg. 2) as a state machine.
//!
//! From x_N ~ N(0, I), for t = N … 1:
//!   x_{t−1} = (1/√α_t)(x_t − β_t/√(1 − ᾱ_t) ε(x_t, t)) + σ_t z,   z ~ N(0, I) (z = 0 at t = 1),
//! with σ_t² = β_t or β̃_t (both choices of Ho et al. §3.2). With ε = −√(1 − ᾱ_t) s this is
//!   x_{t−1} = (x_t + β_t s(x_t))/√α_t + σ_t z,
//! an affine step run by the fused kernel for the exact mixture score. For Gaussian data
//! N(m, s₀²) the exact score is linear, so the output law is Gaussian with moments given by the
//! recursion of [`gaussian_output_moments`] (curriculum V-16).

use super::{level, BetaSchedule};
use crate::error::Error;
use crate::particles::Particles;
use crate::rng::{sim_rng_stream, SimRng, StepKey};
use crate::sde::kernel::AffineStep;
use crate::sde::score::{affine_update, ScoreModel, Scratch};

/// The variance σ_t² of the reverse kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReverseVariance {
    /// σ_t² = β_t (the upper bound of Ho et al.; optimal for x₀ ~ N(0, I)).
    Beta,
    /// σ_t² = β̃_t = (1 − ᾱ_{t−1})β_t/(1 − ᾱ_t) (optimal for a deterministic x₀).
    BetaTilde,
}

impl ReverseVariance {
    /// σ_t² for step t.
    pub fn sigma2(self, s: &BetaSchedule, t: usize) -> f64 {
        match self {
            ReverseVariance::Beta => s.beta(t),
            ReverseVariance::BetaTilde => s.posterior_variance(t),
        }
    }
}

/// The ancestral sampler.
#[derive(Debug, Clone)]
pub struct Ancestral {
    schedule: BetaSchedule,
    variance: ReverseVariance,
    /// The next step to run (N … 1); 0 when done.
    t: usize,
    nfe: u64,
    rng: SimRng,
    limit2: f32,
    diverged: Option<Error>,
    scratch: Scratch,
}

impl Ancestral {
    /// A run over all N steps of `schedule`, noise from stream 1 of `seed`.
    pub fn new(
        schedule: BetaSchedule,
        variance: ReverseVariance,
        radius: f32,
        seed: u64,
    ) -> Result<Self, Error> {
        if !(radius.is_finite() && radius > 0.0) {
            return Err(Error::invalid("radius", "a finite number > 0", radius));
        }
        Ok(Ancestral {
            t: schedule.len(),
            schedule,
            variance,
            nfe: 0,
            rng: sim_rng_stream(seed, 1),
            limit2: radius * radius,
            diverged: None,
            scratch: Scratch::default(),
        })
    }

    /// `n` particles from N(0, I) (stream 0 of `seed`).
    pub fn prior(n: usize, seed: u64) -> Particles {
        Particles::normal(n, [0.0, 0.0], 1.0, seed)
    }

    /// The schedule.
    pub fn schedule(&self) -> &BetaSchedule {
        &self.schedule
    }
    /// The step index the particles are at (N at the start, 0 at the end).
    pub fn current_step(&self) -> usize {
        self.t
    }
    /// True once x₀ is reached.
    pub fn is_done(&self) -> bool {
        self.t == 0
    }
    /// Score evaluations so far.
    pub fn nfe(&self) -> u64 {
        self.nfe
    }
    /// The divergence error, once the run has diverged.
    pub fn diverged(&self) -> Option<&Error> {
        self.diverged.as_ref()
    }

    /// One step x_t → x_{t−1}; `Ok(false)` when already complete.
    pub fn step(&mut self, p: &mut Particles, score: &mut dyn ScoreModel) -> Result<bool, Error> {
        if let Some(e) = &self.diverged {
            return Err(e.clone());
        }
        if self.is_done() {
            return Ok(false);
        }
        let t = self.t;
        let (a, b) = (self.schedule.alpha(t), self.schedule.beta(t));
        let sig = if t > 1 {
            self.variance.sigma2(&self.schedule, t).sqrt()
        } else {
            0.0
        };
        let st = AffineStep {
            kx: (1.0 / a.sqrt()) as f32,
            ks: (b / a.sqrt()) as f32,
            kz: sig as f32,
            noise: t > 1,
            limit2: self.limit2,
            key: StepKey::draw(&mut self.rng),
        };
        self.nfe += 1;
        let bad = affine_update(
            score,
            &level(&self.schedule, t),
            &mut p.xs,
            &mut p.ys,
            &st,
            &mut self.scratch,
        );
        self.t -= 1;
        if bad > 0 {
            let e = Error::Diverged {
                step: (self.schedule.len() - self.t) as u64,
                particles: bad,
                radius: self.limit2.sqrt(),
            };
            self.diverged = Some(e.clone());
            return Err(e);
        }
        Ok(true)
    }
}

/// The exact (mean, variance) of ancestral sampling's output, per coordinate, for Gaussian data
/// N(m, s₀²) with the exact ε, from x_N ~ N(start_mean, start_var). With V_t = ᾱ_t s₀² + 1 − ᾱ_t
/// the exact score is s(x) = −(x − √ᾱ_t m)/V_t, so one step is x' = A x + B + σ_t z with
/// A = (1 − β_t/V_t)/√α_t, B = β_t √ᾱ_t m/(V_t √α_t): mean' = A·mean + B, var' = A²·var + σ_t².
pub fn gaussian_output_moments(
    s: &BetaSchedule,
    variance: ReverseVariance,
    m: f64,
    s0_sq: f64,
    start_mean: f64,
    start_var: f64,
) -> (f64, f64) {
    let (mut mean, mut var) = (start_mean, start_var);
    for t in (1..=s.len()).rev() {
        let (ab, a, b) = (s.alpha_bar(t), s.alpha(t), s.beta(t));
        let v = ab * s0_sq + 1.0 - ab;
        let aa = (1.0 - b / v) / a.sqrt();
        let bb = b * ab.sqrt() * m / (v * a.sqrt());
        let sig2 = if t > 1 { variance.sigma2(s, t) } else { 0.0 };
        mean = aa * mean + bb;
        var = aa * aa * var + sig2;
    }
    (mean, var)
}
