//! The unadjusted Langevin algorithm (ULA) as a step-wise state machine.
//!
//! Overdamped Langevin dynamics dx = ∇log p(x) dt + √2 dW has p as its stationary law. Its
//! Euler–Maruyama discretisation with time step h = ε/2 is
//!
//!   x_{k+1} = x_k + (ε/2) ∇log p(x_k) + √ε z_k,   z_k ~ N(0, I)
//!
//! (Roberts & Tweedie 1996; the "ε" form of Song & Ermon 2019, eq. 4). It is *unadjusted*: no
//! Metropolis correction, so its stationary law is only close to p. For p = N(μ, s²I) the chain
//! is linear, x' − μ = (1 − ε/(2s²))(x − μ) + √ε z, and its stationary variance solves
//! v = (1 − ε/(2s²))² v + ε, i.e.
//!
//!   v∞ = s² / (1 − ε/(4s²)),   stable only for 0 < ε < 4s²,
//!
//! which [`gaussian_stationary_variance`] returns. The caller owns the loop: one [`Langevin::step`]
//! per call, so a widget can spread work over animation frames.

use crate::error::{check_range, Error};
use crate::kernel::{ula_step, KernelPath, MixtureKernel, UlaStep};
use crate::mixture::GaussianMixture;
use crate::particles::Particles;
use crate::rng::{sim_rng_stream, SimRng, StepKey};

/// Largest step size accepted (far beyond stability for every preset; divergence is then
/// detected and reported rather than forbidden).
pub const MAX_STEP_SIZE: f64 = 10.0;

/// The exact stationary variance s²/(1 − ε/(4s²)) of ULA on N(μ, s²I), or `None` when the chain
/// is unstable (ε ≥ 4s²).
pub fn gaussian_stationary_variance(s2: f64, step_size: f64) -> Option<f64> {
    let d = 1.0 - step_size / (4.0 * s2);
    (d > 0.0).then(|| s2 / d)
}

/// Validates a step size ε.
pub fn check_step_size(step_size: f64) -> Result<f64, Error> {
    check_range("step_size", step_size, 0.0, MAX_STEP_SIZE, true)
}

/// A ULA sampler for a Gaussian-mixture target, with its own seeded noise stream.
#[derive(Debug, Clone)]
pub struct Langevin {
    target: MixtureKernel,
    step_size: f64,
    runaway_radius: f32,
    rng: SimRng,
    steps: u64,
    diverged: Option<Error>,
    path: KernelPath,
}

impl Langevin {
    /// A sampler for `target` with step size ε, noise from stream 1 of `seed`.
    pub fn new(target: &GaussianMixture, step_size: f64, seed: u64) -> Result<Self, Error> {
        Ok(Langevin {
            target: MixtureKernel::new(target),
            step_size: check_step_size(step_size)?,
            runaway_radius: runaway_radius(target),
            rng: sim_rng_stream(seed, 1),
            steps: 0,
            diverged: None,
            path: KernelPath::best(),
        })
    }

    /// Changes ε; the run continues from the current particles.
    pub fn set_step_size(&mut self, step_size: f64) -> Result<(), Error> {
        self.step_size = check_step_size(step_size)?;
        Ok(())
    }

    /// The step size ε.
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

    /// The radius beyond which a particle counts as runaway.
    pub fn runaway_radius(&self) -> f32 {
        self.runaway_radius
    }

    /// The divergence error, once the chain has diverged.
    pub fn diverged(&self) -> Option<&Error> {
        self.diverged.as_ref()
    }

    /// One step of every particle. After a divergence it refuses to step (reset to continue).
    pub fn step(&mut self, particles: &mut Particles) -> Result<(), Error> {
        if let Some(e) = &self.diverged {
            return Err(e.clone());
        }
        let eps = self.step_size as f32;
        let st = UlaStep {
            half_step: 0.5 * eps,
            sqrt_step: eps.sqrt(),
            limit2: self.runaway_radius * self.runaway_radius,
            key: StepKey::draw(&mut self.rng),
        };
        let bad = ula_step(
            self.path,
            &self.target,
            &mut particles.xs,
            &mut particles.ys,
            &st,
        );
        self.steps += 1;
        if bad > 0 {
            let e = Error::Diverged {
                step: self.steps,
                particles: bad,
                radius: self.runaway_radius,
            };
            self.diverged = Some(e.clone());
            return Err(e);
        }
        Ok(())
    }
}

/// 1000 × the extent of the target (|μₖ| + 5 sd), at least 1000: a particle out there is running
/// away geometrically, not exploring a tail (the tail mass beyond is below e⁻¹⁰⁰⁰⁰⁰).
pub fn runaway_radius(p: &GaussianMixture) -> f32 {
    let extent = p
        .components()
        .iter()
        .map(|c| {
            let (m, s) = (c.mean(), c.cov());
            (m[0] * m[0] + m[1] * m[1]).sqrt() + 5.0 * s[0].max(s[2]).sqrt()
        })
        .fold(1.0, f64::max);
    (1000.0 * extent) as f32
}
