//! Langevin dynamics driven by a score field s(x, σ) that is either the exact score of the
//! noised density or a learned network s_θ, as a step-wise state machine.
//!
//! The sampler is Song & Ermon (2019), Algorithm 1, over levels σ₁ > … > σ_L with steps
//! αᵢ = ε σᵢ²/σ_L² (see [`crate::annealed`]):
//!
//!   x ← x + (αᵢ/2) s(x, σᵢ) + √αᵢ z,   z ∼ N(0, I),
//!
//! or, as a single level, plain ULA on p_σ at one small σ with step ε. What changes is only where
//! s comes from ([`ScoreField`]):
//!
//! * [`ExactScore`]: ∇log p_σ of the Gaussian mixture p_σ = p ∗ N(0, σ²I) (its components have
//!   covariances Σₖ + σ²I, [`GaussianMixture::noised`]), through the same f32 routine as the ULA
//!   kernel ([`crate::kernel::scalar::neg_score`]), so a run with it is bit-identical to
//!   [`crate::annealed::AnnealedLangevin`] (same seed → same noise).
//! * [`NetScore`]: s_θ(x, σ) = f_θ(x₁, x₂, log σ)/σ, a network trained by denoising score
//!   matching ([`crate::nn::DsmTrainer`]); the whole cloud is evaluated in batches through one
//!   preallocated [`Workspace`] ([`crate::nn::score_eval::learned_score`]).
//!
//! The noise of step t and particle i is the counter-based normal pair of the ULA kernel with the
//! step's key drawn from stream 1 of the seed, so two samplers with the same seed and start differ
//! only through their scores. A step allocates nothing (the score buffer is sized once for the
//! cloud). Particles that become non-finite or leave the runaway disc stop the run with
//! [`Error::Diverged`].

use crate::annealed::{check_step_size, check_steps_per_level, GeometricSchedule};
use crate::error::{check_range, Error};
use crate::kernel::scalar::neg_score;
use crate::kernel::{KernelPath, MixtureKernel};
use crate::langevin::runaway_radius;
use crate::mixture::GaussianMixture;
use crate::nn::score_eval::{check_sigma, learned_score};
use crate::nn::{Mlp, Workspace};
use crate::normal::normal_pair;
use crate::particles::Particles;
use crate::rng::{counter_u32, sim_rng_stream, SimRng, StepKey};

/// Rows of the network workspace: the cloud is evaluated in batches of this many particles.
pub const NET_BATCH: usize = 1024;

/// A score field s(x, σ) evaluated on a whole cloud.
pub trait ScoreField {
    /// Writes s(x, σ) at (xs[i], ys[i]) into (out[2i], out[2i+1]). `level` is the index of σ in
    /// the sampler's levels (fields may precompute per level); `xs`, `ys` have equal length n and
    /// `out` has length 2n.
    fn score_into(
        &mut self,
        level: usize,
        sigma: f64,
        xs: &[f32],
        ys: &[f32],
        out: &mut [f32],
    ) -> Result<(), Error>;
}

/// The exact score ∇log p_σᵢ of a Gaussian mixture at every level σᵢ.
#[derive(Debug, Clone)]
pub struct ExactScore {
    kernels: Vec<MixtureKernel>,
}

impl ExactScore {
    /// The kernel constants of p_σ for every σ of `sigmas`.
    pub fn new(target: &GaussianMixture, sigmas: &[f64]) -> Result<Self, Error> {
        let kernels = sigmas
            .iter()
            .map(|&s| Ok(MixtureKernel::new(&target.noised(s)?)))
            .collect::<Result<_, Error>>()?;
        Ok(ExactScore { kernels })
    }
}

impl ScoreField for ExactScore {
    fn score_into(
        &mut self,
        level: usize,
        _sigma: f64,
        xs: &[f32],
        ys: &[f32],
        out: &mut [f32],
    ) -> Result<(), Error> {
        let k = self.kernels.get(level).ok_or_else(|| {
            Error::invalid(
                "level",
                format!("an index in [0, {})", self.kernels.len()),
                level,
            )
        })?;
        check_lengths(xs, ys, out)?;
        for (i, (x, y)) in xs.iter().zip(ys).enumerate() {
            let (gx, gy) = neg_score::<1>(k, [*x], [*y]);
            out[2 * i] = -gx[0];
            out[2 * i + 1] = -gy[0];
        }
        Ok(())
    }
}

fn check_lengths(xs: &[f32], ys: &[f32], out: &[f32]) -> Result<(), Error> {
    if ys.len() != xs.len() || out.len() != 2 * xs.len() {
        return Err(Error::invalid(
            "points",
            "xs and ys of equal length n and an output of length 2n",
            format!("{} xs, {} ys, {} outputs", xs.len(), ys.len(), out.len()),
        ));
    }
    Ok(())
}

/// A learned noise-conditional score s_θ(x, σ) = f_θ(x₁, x₂, log σ)/σ.
#[derive(Debug, Clone)]
pub struct NetScore {
    net: Mlp,
    ws: Workspace,
    path: KernelPath,
}

impl NetScore {
    /// Wraps a network with 3 inputs (x₁, x₂, log σ) and 2 outputs; anything else is refused.
    pub fn new(net: Mlp) -> Result<Self, Error> {
        let a = net.architecture();
        if a.input_dim() != 3 || a.output_dim() != 2 {
            return Err(Error::invalid(
                "network",
                "a score network with 3 inputs (x₁, x₂, log σ) and 2 outputs",
                a.describe(),
            ));
        }
        let ws = Workspace::new(a, NET_BATCH);
        Ok(NetScore {
            net,
            ws,
            path: KernelPath::best(),
        })
    }

    /// The network.
    pub fn network(&self) -> &Mlp {
        &self.net
    }

    /// Replaces the weights by those of `net` (same architecture, so the workspace is kept).
    pub fn set_params(&mut self, net: &Mlp) -> Result<(), Error> {
        if net.architecture() != self.net.architecture() {
            return Err(Error::invalid(
                "network",
                self.net.architecture().describe(),
                net.architecture().describe(),
            ));
        }
        self.net.set_params(net.params());
        Ok(())
    }

    /// Chooses the GEMM path (scalar and simd128 give the same bits).
    pub fn set_path(&mut self, path: KernelPath) {
        self.path = path;
    }

    /// The GEMM path.
    pub fn path(&self) -> KernelPath {
        self.path
    }
}

impl ScoreField for NetScore {
    fn score_into(
        &mut self,
        _level: usize,
        sigma: f64,
        xs: &[f32],
        ys: &[f32],
        out: &mut [f32],
    ) -> Result<(), Error> {
        learned_score(&self.net, self.path, &mut self.ws, xs, ys, sigma, out)
    }
}

/// The levels a [`ScoreLangevin`] runs: σᵢ, αᵢ and T steps at each.
#[derive(Debug, Clone, PartialEq)]
pub struct Levels {
    sigmas: Vec<f64>,
    alphas: Vec<f64>,
    steps_per_level: usize,
}

impl Levels {
    /// Annealed Langevin over a geometric `schedule` with αᵢ = ε σᵢ²/σ_L² (ε = `step_size` ∈
    /// (0, 10]) and T = `steps_per_level` ∈ [1, 100 000].
    pub fn annealed(
        schedule: &GeometricSchedule,
        step_size: f64,
        steps_per_level: f64,
    ) -> Result<Self, Error> {
        let eps = check_step_size(step_size)?;
        let t = check_steps_per_level(steps_per_level)?;
        for &s in schedule.sigmas() {
            check_sigma(s)?;
        }
        Ok(Levels {
            sigmas: schedule.sigmas().to_vec(),
            alphas: schedule.step_sizes(eps),
            steps_per_level: t,
        })
    }

    /// Plain ULA on p_σ at one `sigma` ∈ [1e-4, 100] with step ε = `step_size` ∈ (0, 10] for
    /// `steps` ∈ [1, 100 000] steps.
    pub fn fixed(sigma: f64, step_size: f64, steps: f64) -> Result<Self, Error> {
        check_range(
            "sigma",
            sigma,
            crate::nn::score_eval::SIGMA_RANGE.0,
            crate::nn::score_eval::SIGMA_RANGE.1,
            false,
        )?;
        let eps = check_step_size(step_size)?;
        let t = check_steps_per_level(steps)?;
        Ok(Levels {
            sigmas: vec![sigma],
            alphas: vec![eps],
            steps_per_level: t,
        })
    }

    /// σ₁ … σ_L.
    pub fn sigmas(&self) -> &[f64] {
        &self.sigmas
    }

    /// α₁ … α_L.
    pub fn alphas(&self) -> &[f64] {
        &self.alphas
    }

    /// T.
    pub fn steps_per_level(&self) -> usize {
        self.steps_per_level
    }

    /// L·T.
    pub fn total_steps(&self) -> u64 {
        (self.sigmas.len() * self.steps_per_level) as u64
    }
}

/// Langevin dynamics with the score of a [`ScoreField`] (see the module docs).
#[derive(Debug, Clone)]
pub struct ScoreLangevin<S: ScoreField> {
    field: S,
    levels: Levels,
    radii: Vec<f32>,
    score: Vec<f32>,
    rng: SimRng,
    steps: u64,
    diverged: Option<Error>,
}

impl<S: ScoreField> ScoreLangevin<S> {
    /// A sampler over `levels` with scores from `field`; `target` (the data law) sets the
    /// runaway radius of every level (that of [`crate::langevin::runaway_radius`] for p_σᵢ), and
    /// the noise comes from stream 1 of `seed` (as in [`crate::annealed::AnnealedLangevin`]).
    pub fn new(
        field: S,
        target: &GaussianMixture,
        levels: Levels,
        seed: u64,
    ) -> Result<Self, Error> {
        let radii = levels
            .sigmas
            .iter()
            .map(|&s| Ok(runaway_radius(&target.noised(s)?)))
            .collect::<Result<_, Error>>()?;
        Ok(ScoreLangevin {
            field,
            levels,
            radii,
            score: vec![],
            rng: sim_rng_stream(seed, 1),
            steps: 0,
            diverged: None,
        })
    }

    /// The score field.
    pub fn field(&self) -> &S {
        &self.field
    }

    /// The score field, mutably (e.g. to change its kernel path).
    pub fn field_mut(&mut self) -> &mut S {
        &mut self.field
    }

    /// The levels.
    pub fn levels(&self) -> &Levels {
        &self.levels
    }

    /// Steps completed.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// L·T.
    pub fn total_steps(&self) -> u64 {
        self.levels.total_steps()
    }

    /// True once all L·T steps have run.
    pub fn is_finished(&self) -> bool {
        self.steps >= self.total_steps()
    }

    /// The 0-based level of the next step (L − 1 once finished).
    pub fn level(&self) -> usize {
        ((self.steps / self.levels.steps_per_level as u64) as usize)
            .min(self.levels.sigmas.len() - 1)
    }

    /// σ of the current level.
    pub fn sigma(&self) -> f64 {
        self.levels.sigmas[self.level()]
    }

    /// α of the current level.
    pub fn alpha(&self) -> f64 {
        self.levels.alphas[self.level()]
    }

    /// The divergence error, once the run has diverged.
    pub fn diverged(&self) -> Option<&Error> {
        self.diverged.as_ref()
    }

    /// The score s(x, σᵢ) used by the last step, as [s₁, s₂] per particle (at the positions
    /// before that step).
    pub fn last_score(&self) -> &[f32] {
        &self.score
    }

    /// One Langevin step of every particle at the current level; `Ok(false)` without moving
    /// anything once finished. After a divergence it refuses to step.
    pub fn step(&mut self, particles: &mut Particles) -> Result<bool, Error> {
        if let Some(e) = &self.diverged {
            return Err(e.clone());
        }
        if self.is_finished() {
            return Ok(false);
        }
        let n = particles.len();
        if self.score.len() != 2 * n {
            // once per cloud size, not per step
            self.score = vec![0.0; 2 * n];
        }
        let i = self.level();
        let sigma = self.levels.sigmas[i];
        self.field
            .score_into(i, sigma, &particles.xs, &particles.ys, &mut self.score)?;
        let alpha = self.levels.alphas[i] as f32;
        let (half, sqrt) = (0.5 * alpha, alpha.sqrt());
        let limit2 = self.radii[i] * self.radii[i];
        let key = StepKey::draw(&mut self.rng);
        let mut bad = 0u32;
        for (j, (x, y)) in particles
            .xs
            .iter_mut()
            .zip(particles.ys.iter_mut())
            .enumerate()
        {
            let (zx, zy) =
                normal_pair(counter_u32(j as u32, key.k0), counter_u32(j as u32, key.k1));
            // the ULA kernel's expression with −score: x − (α/2)(−s) + √α z (bit-identical)
            let nx = (*x - half * -self.score[2 * j]) + sqrt * zx;
            let ny = (*y - half * -self.score[2 * j + 1]) + sqrt * zy;
            *x = nx;
            *y = ny;
            // written negated so that a NaN counts as diverged (as in the ULA kernel)
            #[allow(clippy::neg_cmp_op_on_partial_ord)]
            {
                bad += (!(nx * nx + ny * ny < limit2)) as u32;
            }
        }
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

/// The presets whose score models are shipped in `www/models/<name>.sbnn`.
pub const SHIPPED_MODELS: [&str; 3] = ["ring8", "two-modes", "gaussian"];
/// The seed of the shipped models' training runs.
pub const SHIPPED_SEED: u64 = 2026;
/// DSM steps of the shipped models.
pub const SHIPPED_STEPS: u64 = 6000;

/// The configuration of the shipped models: benchmark W2's ([`crate::nn::DsmConfig::w2`]), so a
/// file downloaded from `<sb-dsm-train>` with its defaults has the same architecture.
pub fn shipped_config() -> crate::nn::DsmConfig {
    crate::nn::DsmConfig::w2()
}
