//! The DDPM forward (noising) chain on a particle cloud: step by step, or in one shot.
//!
//!   q(x_t | x_{t−1}) = N(√α_t x_{t−1}, β_t I)   (Ho et al. 2020, eq. 2)  — [`ForwardChain::step`];
//!   q(x_t | x₀) = N(√ᾱ_t x₀, (1 − ᾱ_t) I)       (eq. 4)                  — [`noise_to`].
//! Iterating the chain t times gives the one-shot marginal in law (Lemma 1 of the course slides),
//! which the tests check by sampling; the one-shot form is what training uses.

use super::BetaSchedule;
use crate::error::Error;
use crate::particles::Particles;
use crate::rng::{sim_rng_stream, SimRng, StepKey};
use crate::sde::score::noise_pair;

/// The forward chain x₀ → x_N.
#[derive(Debug, Clone)]
pub struct ForwardChain {
    schedule: BetaSchedule,
    t: usize,
    rng: SimRng,
}

impl ForwardChain {
    /// A chain over `schedule`, noise from stream 1 of `seed`.
    pub fn new(schedule: BetaSchedule, seed: u64) -> Self {
        ForwardChain {
            schedule,
            t: 0,
            rng: sim_rng_stream(seed, 1),
        }
    }
    /// The step the particles are at (0 … N).
    pub fn current_step(&self) -> usize {
        self.t
    }
    /// True once x_N is reached.
    pub fn is_done(&self) -> bool {
        self.t == self.schedule.len()
    }
    /// The schedule.
    pub fn schedule(&self) -> &BetaSchedule {
        &self.schedule
    }
    /// One step x_{t−1} → x_t; `false` when already at N.
    pub fn step(&mut self, p: &mut Particles) -> bool {
        if self.is_done() {
            return false;
        }
        self.t += 1;
        let (a, b) = (
            self.schedule.alpha(self.t).sqrt() as f32,
            self.schedule.beta(self.t).sqrt() as f32,
        );
        let key = StepKey::draw(&mut self.rng);
        for i in 0..p.len() {
            let (zx, zy) = noise_pair(i as u32, &key);
            p.xs[i] = a * p.xs[i] + b * zx;
            p.ys[i] = a * p.ys[i] + b * zy;
        }
        true
    }
}

/// x_t = √ᾱ_t x₀ + √(1 − ᾱ_t) ε for every particle of `x0`, with ε from stream 3 of `seed`
/// (the same ε for the same seed, so a scrubber over t moves each particle continuously).
pub fn noise_to(
    schedule: &BetaSchedule,
    x0: &Particles,
    t: usize,
    seed: u64,
) -> Result<Particles, Error> {
    let mut out = x0.clone();
    noise_into(schedule, x0, t, seed, &mut out)?;
    Ok(out)
}

/// [`noise_to`] into an existing cloud (resized to `x0`'s length; no allocation when it fits).
pub fn noise_into(
    schedule: &BetaSchedule,
    x0: &Particles,
    t: usize,
    seed: u64,
    out: &mut Particles,
) -> Result<(), Error> {
    if t > schedule.len() {
        return Err(Error::invalid(
            "t",
            format!("an integer step in [0, {}]", schedule.len()),
            t,
        ));
    }
    let (a, s) = schedule.marginal(t);
    let (a, s) = (a as f32, s.sqrt() as f32);
    let key = StepKey::draw(&mut sim_rng_stream(seed, 3));
    out.xs.resize(x0.len(), 0.0);
    out.ys.resize(x0.len(), 0.0);
    for i in 0..x0.len() {
        let (zx, zy) = noise_pair(i as u32, &key);
        out.xs[i] = a * x0.xs[i] + s * zx;
        out.ys[i] = a * x0.ys[i] + s * zy;
    }
    Ok(())
}
