//! DDIM sampling (Song, Meng & Ermon 2021, "Denoising diffusion implicit models", eq. 12 and
//! §4.2) on a subsequence of K of the N steps, as a state machine.
//!
//! With τ₁ < … < τ_K = N evenly spread over 1 … N (τ_i = ⌈iN/K⌉, τ₀ = 0, ᾱ₀ = 1), one step from
//! ᾱ = ᾱ_{τ_i} to ᾱ' = ᾱ_{τ_{i−1}} is
//!   x̂₀ = (x − √(1 − ᾱ) ε)/√ᾱ,
//!   x' = √ᾱ' x̂₀ + √(1 − ᾱ' − σ²) ε + σ z,
//!   σ = η √((1 − ᾱ')/(1 − ᾱ)) √(1 − ᾱ/ᾱ')      (eq. 16),
//! η = 0 deterministic (DDIM proper), η = 1 the DDPM ancestral step with σ² = β̃. With
//! ε = −√(1 − ᾱ) s it is affine: x' = k_x x + k_s s + σ z, k_x = √(ᾱ'/ᾱ),
//! k_s = √(ᾱ'/ᾱ)(1 − ᾱ) − √(1 − ᾱ' − σ²)√(1 − ᾱ).

use super::{level, BetaSchedule};
use crate::error::{check_range, Error};
use crate::particles::Particles;
use crate::rng::{sim_rng_stream, SimRng, StepKey};
use crate::sde::kernel::AffineStep;
use crate::sde::score::{affine_update, ScoreModel, Scratch};

/// The DDIM sampler.
#[derive(Debug, Clone)]
pub struct Ddim {
    schedule: BetaSchedule,
    eta: f64,
    /// τ₀ = 0, τ₁ … τ_K.
    taus: Vec<usize>,
    /// The index i of the current τ_i (K at the start, 0 at the end).
    i: usize,
    nfe: u64,
    rng: SimRng,
    limit2: f32,
    diverged: Option<Error>,
    scratch: Scratch,
}

impl Ddim {
    /// K = `steps` ∈ [1, N] steps with η = `eta` ∈ [0, 1]; noise from stream 1 of `seed`.
    pub fn new(
        schedule: BetaSchedule,
        steps: usize,
        eta: f64,
        radius: f32,
        seed: u64,
    ) -> Result<Self, Error> {
        let n = schedule.len();
        if !(1..=n).contains(&steps) {
            return Err(Error::invalid(
                "steps",
                format!("an integer in [1, {n}] (the schedule's length)"),
                steps,
            ));
        }
        if !(radius.is_finite() && radius > 0.0) {
            return Err(Error::invalid("radius", "a finite number > 0", radius));
        }
        let taus: Vec<usize> = (0..=steps).map(|i| (i * n).div_ceil(steps)).collect();
        Ok(Ddim {
            schedule,
            eta: check_range("eta", eta, 0.0, 1.0, false)?,
            i: steps,
            taus,
            nfe: 0,
            rng: sim_rng_stream(seed, 1),
            limit2: radius * radius,
            diverged: None,
            scratch: Scratch::default(),
        })
    }

    /// τ₀ = 0, τ₁ … τ_K.
    pub fn timesteps(&self) -> &[usize] {
        &self.taus
    }
    /// The step index the particles are at (τ_i).
    pub fn current_step(&self) -> usize {
        self.taus[self.i]
    }
    /// True once x₀ is reached.
    pub fn is_done(&self) -> bool {
        self.i == 0
    }
    /// Score evaluations so far.
    pub fn nfe(&self) -> u64 {
        self.nfe
    }
    /// The divergence error, once the run has diverged.
    pub fn diverged(&self) -> Option<&Error> {
        self.diverged.as_ref()
    }

    /// (k_x, k_s, σ) of the step from τ_i to τ_{i−1}.
    pub fn coefficients(&self, i: usize) -> (f64, f64, f64) {
        let (ab, abp) = (
            self.schedule.alpha_bar(self.taus[i]),
            self.schedule.alpha_bar(self.taus[i - 1]),
        );
        let sig = self.eta * ((1.0 - abp) / (1.0 - ab)).sqrt() * (1.0 - ab / abp).max(0.0).sqrt();
        let kx = (abp / ab).sqrt();
        let ks = kx * (1.0 - ab) - (1.0 - abp - sig * sig).max(0.0).sqrt() * (1.0 - ab).sqrt();
        (kx, ks, sig)
    }

    /// One step τ_i → τ_{i−1}; `Ok(false)` when already complete.
    pub fn step(&mut self, p: &mut Particles, score: &mut dyn ScoreModel) -> Result<bool, Error> {
        if let Some(e) = &self.diverged {
            return Err(e.clone());
        }
        if self.is_done() {
            return Ok(false);
        }
        let (kx, ks, sig) = self.coefficients(self.i);
        let st = AffineStep {
            kx: kx as f32,
            ks: ks as f32,
            kz: sig as f32,
            noise: sig > 0.0,
            limit2: self.limit2,
            key: StepKey::draw(&mut self.rng),
        };
        self.nfe += 1;
        let lv = level(&self.schedule, self.taus[self.i]);
        let bad = affine_update(score, &lv, &mut p.xs, &mut p.ys, &st, &mut self.scratch);
        self.i -= 1;
        if bad > 0 {
            let e = Error::Diverged {
                step: self.nfe,
                particles: bad,
                radius: self.limit2.sqrt(),
            };
            self.diverged = Some(e.clone());
            return Err(e);
        }
        Ok(true)
    }
}
