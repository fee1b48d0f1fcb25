//! Annealed Langevin dynamics (NCSN sampling) over a geometric noise schedule, as a step-wise
//! state machine.
//!
//! Song & Ermon (2019), "Generative modeling by estimating gradients of the data distribution",
//! Algorithm 1: noise levels σ₁ > σ₂ > … > σ_L form a geometric sequence
//!
//!   σᵢ = σ_min (σ_max/σ_min)^((L−i)/(L−1)),   i = 1 … L,   so σ₁ = σ_max, σ_L = σ_min,
//!
//! with constant ratio r = σᵢ₊₁/σᵢ = (σ_min/σ_max)^(1/(L−1)). At level i the sampler runs T
//! Langevin steps on the noised density p_σᵢ = p ∗ N(0, σᵢ²I) with step
//!
//!   αᵢ = ε σᵢ²/σ_L²,   x ← x + (αᵢ/2) ∇log p_σᵢ(x) + √αᵢ z,
//!
//! so ε is the step of the last (smallest) level and αᵢ ∝ σᵢ²: every level moves by the same
//! fraction of its own width (the "signal-to-noise" argument of Song & Ermon, §4.3). Large σ
//! joins the modes into one broad bump, where particles move freely and settle in proportion to
//! the weights; shrinking σ then carves the modes out without moving mass across the barriers.
//! Here the score of every level is exact: a Gaussian mixture noised by σ is the mixture with
//! covariances Σₖ + σ²I ([`GaussianMixture::noised`]). Each step is the ULA kernel of
//! [`crate::kernel`] (simd128 and scalar paths, bit-identical), with the level's constants.
//! The caller owns the loop: one [`AnnealedLangevin::step`] per call.

use crate::error::{check_range, Error};
use crate::kernel::{ula_step, KernelPath, MixtureKernel, UlaStep};
use crate::langevin::runaway_radius;
use crate::mixture::GaussianMixture;
use crate::particles::Particles;
use crate::rng::{sim_rng_stream, SimRng, StepKey};

/// Most noise levels L.
pub const MAX_LEVELS: usize = 1000;
/// Most Langevin steps per level T.
pub const MAX_STEPS_PER_LEVEL: usize = 100_000;
/// Largest σ_max accepted.
pub const MAX_SIGMA: f64 = 1000.0;
/// Largest ε accepted (beyond it every level is far past its stability limit).
pub const MAX_STEP_SIZE: f64 = 10.0;

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

/// The geometric noise schedule σ₁ = σ_max > … > σ_L = σ_min.
#[derive(Debug, Clone, PartialEq)]
pub struct GeometricSchedule {
    sigmas: Vec<f64>,
}

impl GeometricSchedule {
    /// L levels from `sigma_max` down to `sigma_min` (0 < σ_min < σ_max ≤ 1000, 2 ≤ L ≤ 1000).
    /// `levels` is an f64 so that a non-integer from JS is rejected with a message, not truncated.
    pub fn new(sigma_max: f64, sigma_min: f64, levels: f64) -> Result<Self, Error> {
        check_range("sigma_max", sigma_max, 0.0, MAX_SIGMA, true)?;
        if !(sigma_min.is_finite() && sigma_min > 0.0 && sigma_min < sigma_max) {
            return Err(Error::invalid(
                "sigma_min",
                format!("a finite number in (0, sigma_max) = (0, {sigma_max})"),
                sigma_min,
            ));
        }
        let l = check_int("levels", levels, 2, MAX_LEVELS)?;
        let (lo, hi) = (sigma_min.ln(), sigma_max.ln());
        let sigmas = (1..=l)
            .map(|i| match i {
                1 => sigma_max,
                _ if i == l => sigma_min,
                _ => (lo + (hi - lo) * (l - i) as f64 / (l - 1) as f64).exp(),
            })
            .collect();
        Ok(GeometricSchedule { sigmas })
    }

    /// σ₁ … σ_L (decreasing).
    pub fn sigmas(&self) -> &[f64] {
        &self.sigmas
    }

    /// Number of levels L.
    pub fn levels(&self) -> usize {
        self.sigmas.len()
    }

    /// σ_max = σ₁.
    pub fn sigma_max(&self) -> f64 {
        self.sigmas[0]
    }

    /// σ_min = σ_L.
    pub fn sigma_min(&self) -> f64 {
        self.sigmas[self.sigmas.len() - 1]
    }

    /// The constant ratio r = σᵢ₊₁/σᵢ = (σ_min/σ_max)^(1/(L−1)).
    pub fn ratio(&self) -> f64 {
        (self.sigma_min() / self.sigma_max()).powf(1.0 / (self.levels() - 1) as f64)
    }

    /// The step sizes αᵢ = ε σᵢ²/σ_L² of Song & Ermon's Algorithm 1.
    pub fn step_sizes(&self, step_size: f64) -> Vec<f64> {
        let s2 = self.sigma_min() * self.sigma_min();
        self.sigmas.iter().map(|s| step_size * s * s / s2).collect()
    }
}

/// Validates the base step size ε (the step of the last level).
pub fn check_step_size(step_size: f64) -> Result<f64, Error> {
    check_range("step_size", step_size, 0.0, MAX_STEP_SIZE, true)
}

/// Validates T, the number of Langevin steps per level.
pub fn check_steps_per_level(t: f64) -> Result<usize, Error> {
    check_int("steps_per_level", t, 1, MAX_STEPS_PER_LEVEL)
}

/// Annealed Langevin dynamics on a Gaussian-mixture target with exact noised scores.
#[derive(Debug, Clone)]
pub struct AnnealedLangevin {
    schedule: GeometricSchedule,
    step_size: f64,
    steps_per_level: usize,
    /// The kernel constants of p_σᵢ, one per level.
    kernels: Vec<MixtureKernel>,
    alphas: Vec<f64>,
    radii: Vec<f32>,
    rng: SimRng,
    steps: u64,
    diverged: Option<Error>,
    path: KernelPath,
}

impl AnnealedLangevin {
    /// A sampler for `target` over `schedule`, base step ε (`step_size`, the step at σ_L), T =
    /// `steps_per_level`, noise from stream 1 of `seed`.
    pub fn new(
        target: &GaussianMixture,
        schedule: GeometricSchedule,
        step_size: f64,
        steps_per_level: f64,
        seed: u64,
    ) -> Result<Self, Error> {
        let step_size = check_step_size(step_size)?;
        let steps_per_level = check_steps_per_level(steps_per_level)?;
        let mut kernels = Vec::with_capacity(schedule.levels());
        let mut radii = Vec::with_capacity(schedule.levels());
        for &s in schedule.sigmas() {
            let q = target.noised(s)?;
            kernels.push(MixtureKernel::new(&q));
            radii.push(runaway_radius(&q));
        }
        Ok(AnnealedLangevin {
            alphas: schedule.step_sizes(step_size),
            schedule,
            step_size,
            steps_per_level,
            kernels,
            radii,
            rng: sim_rng_stream(seed, 1),
            steps: 0,
            diverged: None,
            path: KernelPath::best(),
        })
    }

    /// The schedule.
    pub fn schedule(&self) -> &GeometricSchedule {
        &self.schedule
    }

    /// ε, the step size of the last level.
    pub fn step_size(&self) -> f64 {
        self.step_size
    }

    /// αᵢ for every level.
    pub fn alphas(&self) -> &[f64] {
        &self.alphas
    }

    /// T.
    pub fn steps_per_level(&self) -> usize {
        self.steps_per_level
    }

    /// L·T, the length of the whole run.
    pub fn total_steps(&self) -> u64 {
        (self.schedule.levels() * self.steps_per_level) as u64
    }

    /// Steps completed.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// True once all L·T steps have run.
    pub fn is_finished(&self) -> bool {
        self.steps >= self.total_steps()
    }

    /// The 0-based level the next step runs at (L − 1 once finished).
    pub fn level(&self) -> usize {
        ((self.steps / self.steps_per_level as u64) as usize).min(self.schedule.levels() - 1)
    }

    /// σ of the current level.
    pub fn sigma(&self) -> f64 {
        self.schedule.sigmas()[self.level()]
    }

    /// α of the current level.
    pub fn alpha(&self) -> f64 {
        self.alphas[self.level()]
    }

    /// Chooses the kernel implementation (both give identical particles).
    pub fn set_path(&mut self, path: KernelPath) {
        self.path = path;
    }

    /// The kernel implementation in use.
    pub fn path(&self) -> KernelPath {
        self.path
    }

    /// The divergence error, once a level has diverged.
    pub fn diverged(&self) -> Option<&Error> {
        self.diverged.as_ref()
    }

    /// One Langevin step of every particle at the current level; returns `Ok(false)` without
    /// moving anything once the schedule is finished. After a divergence it refuses to step.
    pub fn step(&mut self, particles: &mut Particles) -> Result<bool, Error> {
        if let Some(e) = &self.diverged {
            return Err(e.clone());
        }
        if self.is_finished() {
            return Ok(false);
        }
        let i = self.level();
        let alpha = self.alphas[i] as f32;
        let st = UlaStep {
            half_step: 0.5 * alpha,
            sqrt_step: alpha.sqrt(),
            limit2: self.radii[i] * self.radii[i],
            key: StepKey::draw(&mut self.rng),
        };
        let bad = ula_step(
            self.path,
            &self.kernels[i],
            &mut particles.xs,
            &mut particles.ys,
            &st,
        );
        self.steps += 1;
        if bad > 0 {
            let e = Error::Diverged {
                step: self.steps,
                particles: bad,
                radius: self.radii[i],
            };
            self.diverged = Some(e.clone());
            return Err(e);
        }
        Ok(true)
    }
}

/// The mixture of Song & Ermon's mixing experiment (§3.2 of the paper, their Fig. 3):
/// 0.8 N((5, 5), I) + 0.2 N((−5, −5), I).
pub fn separated_modes() -> GaussianMixture {
    use crate::gaussian::Gaussian2;
    GaussianMixture::new(
        &[0.8, 0.2],
        vec![
            Gaussian2::isotropic([5.0, 5.0], 1.0).expect("valid"),
            Gaussian2::isotropic([-5.0, -5.0], 1.0).expect("valid"),
        ],
    )
    .expect("valid")
}

/// The box [−8, 8]² of the uniform start of Song & Ermon's experiment.
pub const UNIFORM_START: [f32; 4] = [-8.0, 8.0, -8.0, 8.0];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_endpoints_are_exact_and_the_ratio_constant() {
        let s = GeometricSchedule::new(20.0, 0.01, 20.0).unwrap();
        assert_eq!(s.sigmas()[0], 20.0);
        assert_eq!(s.sigmas()[19], 0.01);
        let r = s.ratio();
        for w in s.sigmas().windows(2) {
            // exp/ln of f64: relative error a few ulp
            assert!((w[1] / w[0] - r).abs() < 1e-13);
        }
    }
}
