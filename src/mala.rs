//! The Metropolis-adjusted Langevin algorithm (MALA) as a step-wise state machine.
//!
//! Each step proposes the ULA move y = x + (ε/2)∇log p(x) + √ε z and accepts it with probability
//! min(1, p(y) q(x | y) / (p(x) q(y | x))), q(y | x) = N(y; x + (ε/2)∇log p(x), εI) (Roberts &
//! Tweedie 1996, eq. 2.3 with h = ε; Besag 1994). The Metropolis–Hastings correction makes p
//! exactly invariant for every ε > 0: the step-size bias of ULA (stationary variance
//! s²/(1 − ε/(4s²)) on N(μ, s²I), see [`crate::langevin`]) disappears, and a step past ULA's
//! stability limit ε < 4s² no longer diverges, it is mostly rejected. The price is that rejected
//! steps do not move; the acceptance rate tends to 1 as ε → 0 (its defect 1 − a is O(ε^{3/2}) for
//! smooth targets) and falls as ε grows.
//!
//! The proposal noise z comes from the same stream as ULA's ([`crate::langevin::Langevin`]) for the
//! same seed, and the uniforms of the accept/reject test from a separate stream, so a ULA and a
//! MALA run with one seed propose the same moves. The caller owns the loop: one [`Mala::step`] per
//! call. The kernel is [`crate::kernel::mala`] (scalar and simd128, bit-identical).

use crate::error::Error;
use crate::kernel::mala::{mala_step, MalaStep};
use crate::kernel::{KernelPath, MixtureKernel};
use crate::langevin::{check_step_size, runaway_radius};
use crate::mixture::GaussianMixture;
use crate::particles::Particles;
use crate::rng::{sim_rng_stream, SimRng, StepKey};
use rand::Rng;

/// A MALA sampler (one independent chain per particle) for a Gaussian-mixture target.
#[derive(Debug, Clone)]
pub struct Mala {
    target: MixtureKernel,
    step_size: f64,
    runaway_radius: f32,
    rng: SimRng,
    rng_u: SimRng,
    steps: u64,
    proposed: u64,
    accepted: u64,
    last_rate: f64,
    diverged: Option<Error>,
    path: KernelPath,
}

impl Mala {
    /// A sampler for `target` with step size ε ∈ (0, 10], proposal noise from stream 1 of `seed`
    /// (as ULA) and accept/reject uniforms from stream 2.
    pub fn new(target: &GaussianMixture, step_size: f64, seed: u64) -> Result<Self, Error> {
        Ok(Mala {
            target: MixtureKernel::new(target),
            step_size: check_step_size(step_size)?,
            runaway_radius: runaway_radius(target),
            rng: sim_rng_stream(seed, 1),
            rng_u: sim_rng_stream(seed, 2),
            steps: 0,
            proposed: 0,
            accepted: 0,
            last_rate: f64::NAN,
            diverged: None,
            path: KernelPath::best(),
        })
    }

    /// Changes ε (the run continues) and restarts the acceptance count.
    pub fn set_step_size(&mut self, step_size: f64) -> Result<(), Error> {
        self.step_size = check_step_size(step_size)?;
        self.proposed = 0;
        self.accepted = 0;
        Ok(())
    }

    /// ε.
    pub fn step_size(&self) -> f64 {
        self.step_size
    }

    /// Chooses the kernel implementation (both give identical particles).
    pub fn set_path(&mut self, path: KernelPath) {
        self.path = path;
    }

    /// The kernel implementation in use.
    pub fn path(&self) -> KernelPath {
        self.path
    }

    /// Steps completed.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Accepted / proposed moves since the start or the last change of ε (NaN before any step).
    pub fn acceptance_rate(&self) -> f64 {
        if self.proposed == 0 {
            f64::NAN
        } else {
            self.accepted as f64 / self.proposed as f64
        }
    }

    /// The acceptance rate of the last step alone.
    pub fn last_acceptance_rate(&self) -> f64 {
        self.last_rate
    }

    /// The divergence error, once the chain has diverged.
    pub fn diverged(&self) -> Option<&Error> {
        self.diverged.as_ref()
    }

    /// One MALA step of every particle; returns the number of accepted proposals.
    pub fn step(&mut self, particles: &mut Particles) -> Result<u32, Error> {
        if let Some(e) = &self.diverged {
            return Err(e.clone());
        }
        let eps = self.step_size as f32;
        let st = MalaStep {
            half_step: 0.5 * eps,
            sqrt_step: eps.sqrt(),
            inv_two_step_log2e: std::f32::consts::LOG2_E / (2.0 * eps),
            limit2: self.runaway_radius * self.runaway_radius,
            key: StepKey::draw(&mut self.rng),
            key_u: self.rng_u.next_u32(),
        };
        let c = mala_step(
            self.path,
            &self.target,
            &mut particles.xs,
            &mut particles.ys,
            &st,
        );
        self.steps += 1;
        self.proposed += particles.len() as u64;
        self.accepted += c.accepted as u64;
        self.last_rate = c.accepted as f64 / particles.len().max(1) as f64;
        if c.diverged > 0 {
            let e = Error::Diverged {
                step: self.steps,
                particles: c.diverged,
                radius: self.runaway_radius,
            };
            self.diverged = Some(e.clone());
            return Err(e);
        }
        Ok(c.accepted)
    }
}
