//! The score interface the samplers call, and the exact score of a noised Gaussian mixture.
//!
//! A sampler needs s(x, t) = ∇ₓ log p_t(x) at every particle. [`ScoreModel`] is that contract,
//! batched over the cloud (a learned network evaluates a whole batch at once); the samplers count
//! one *function evaluation* (NFE) per call, whatever the cloud size. [`ExactMixtureScore`] is the
//! oracle: for data p₀ = Σ wₖ N(μₖ, Σₖ) under a linear SDE with x_t | x₀ ~ N(α x₀, v I),
//!
//!   p_t = Σₖ wₖ N(α μₖ, α² Σₖ + v I)
//!
//! (a mixture stays a mixture), whose score is the softmax-weighted component score of
//! `mixture.rs`. It also offers the fused simd128/scalar kernel of [`super::kernel`] for the
//! affine updates, which the samplers use when it is available.

use super::kernel::{affine_step, scalar, AffineStep};
use super::NoiseLevel;
use crate::error::Error;
use crate::kernel::{KernelPath, MixtureKernel};
use crate::mixture::GaussianMixture;

/// ∇log p_t at a batch of particles.
pub trait ScoreModel {
    /// Writes s(x, t) at (xs\[i\], ys\[i\]) into (sx\[i\], sy\[i\]) for every i.
    fn score(&mut self, level: &NoiseLevel, xs: &[f32], ys: &[f32], sx: &mut [f32], sy: &mut [f32]);

    /// Optionally runs x ← k_x x + k_s s(x, t) + k_z z fused (no score buffers); returns the
    /// number of diverged particles, or `None` when the model has no fused kernel (the sampler
    /// then calls [`score`](Self::score) and applies the update itself, with the same noise).
    fn fused_affine_step(
        &mut self,
        _level: &NoiseLevel,
        _xs: &mut [f32],
        _ys: &mut [f32],
        _step: &AffineStep,
    ) -> Option<u32> {
        None
    }
}

/// The exact score of the data mixture pushed through a linear SDE, in f32.
#[derive(Debug, Clone)]
pub struct ExactMixtureScore {
    data: GaussianMixture,
    kernel: MixtureKernel,
    /// (mean scale, variance) the kernel holds.
    cached: (f64, f64),
    path: KernelPath,
}

impl ExactMixtureScore {
    /// The exact score of `data` (at t = 0: mean scale 1, no added variance).
    pub fn new(data: &GaussianMixture) -> Self {
        ExactMixtureScore {
            data: data.clone(),
            kernel: MixtureKernel::new(data),
            cached: (1.0, 0.0),
            path: KernelPath::best(),
        }
    }

    /// The data law p₀.
    pub fn data(&self) -> &GaussianMixture {
        &self.data
    }

    /// Chooses the kernel implementation (both give identical particles).
    pub fn set_path(&mut self, path: KernelPath) {
        self.path = path;
    }

    /// The kernel implementation in use.
    pub fn path(&self) -> KernelPath {
        self.path
    }

    /// Points the f32 kernel at p_t (in place, no allocation). Fails only for a mean scale or a
    /// variance that is negative or not finite.
    pub fn set_level(&mut self, level: &NoiseLevel) -> Result<(), Error> {
        let key = (level.mean_scale, level.variance);
        if key != self.cached {
            self.kernel
                .set_scaled_noised(&self.data, level.mean_scale, level.variance)?;
            self.cached = key;
        }
        Ok(())
    }

    /// The exact p_t as a mixture (f64, allocating: for readouts and references).
    pub fn marginal(&self, level: &NoiseLevel) -> Result<GaussianMixture, Error> {
        self.data.scaled_noised(level.mean_scale, level.variance)
    }
}

impl ScoreModel for ExactMixtureScore {
    fn score(
        &mut self,
        level: &NoiseLevel,
        xs: &[f32],
        ys: &[f32],
        sx: &mut [f32],
        sy: &mut [f32],
    ) {
        if self.set_level(level).is_err() {
            sx.iter_mut().for_each(|v| *v = f32::NAN);
            sy.iter_mut().for_each(|v| *v = f32::NAN);
            return;
        }
        scalar::scores(&self.kernel, xs, ys, sx, sy);
    }

    fn fused_affine_step(
        &mut self,
        level: &NoiseLevel,
        xs: &mut [f32],
        ys: &mut [f32],
        step: &AffineStep,
    ) -> Option<u32> {
        if self.set_level(level).is_err() {
            return Some(xs.len() as u32);
        }
        Some(affine_step(self.path, &self.kernel, xs, ys, step))
    }
}

/// A noise-prediction model ε(x, t) (the DDPM parametrisation), batched like [`ScoreModel`].
pub trait EpsModel {
    /// Writes ε(x, t) at every particle into (ex, ey).
    fn eps(&mut self, level: &NoiseLevel, xs: &[f32], ys: &[f32], ex: &mut [f32], ey: &mut [f32]);
}

/// An ε-model used as a score: s = −ε/√v with v the level's variance (v = 1 − ᾱ_t for DDPM,
/// σ_t² for an SDE; curriculum V-D1, Yasuda eq. 114). A v of 0 gives non-finite scores, which
/// the samplers report as divergence.
#[derive(Debug, Clone)]
pub struct EpsScore<M>(pub M);

impl<M: EpsModel> ScoreModel for EpsScore<M> {
    fn score(
        &mut self,
        level: &NoiseLevel,
        xs: &[f32],
        ys: &[f32],
        sx: &mut [f32],
        sy: &mut [f32],
    ) {
        self.0.eps(level, xs, ys, sx, sy);
        let k = (-1.0 / level.variance.sqrt()) as f32;
        sx.iter_mut().for_each(|v| *v *= k);
        sy.iter_mut().for_each(|v| *v *= k);
    }
}

/// The exact ε* = −√v ∇log p_t of the mixture (the optimal ε-predictor, V-D2), the reference a
/// trained ε-network is compared with.
impl EpsModel for ExactMixtureScore {
    fn eps(&mut self, level: &NoiseLevel, xs: &[f32], ys: &[f32], ex: &mut [f32], ey: &mut [f32]) {
        ScoreModel::score(self, level, xs, ys, ex, ey);
        let k = -(level.variance.sqrt() as f32);
        ex.iter_mut().for_each(|v| *v *= k);
        ey.iter_mut().for_each(|v| *v *= k);
    }
}

/// Score buffers a sampler owns: allocated on the first step (or when the cloud grows), reused
/// afterwards, so no step allocates.
#[derive(Debug, Clone, Default)]
pub struct Scratch {
    /// s_x at every particle.
    pub sx: Vec<f32>,
    /// s_y at every particle.
    pub sy: Vec<f32>,
    /// Spare x coordinates (Heun's predictor).
    pub xs: Vec<f32>,
    /// Spare y coordinates.
    pub ys: Vec<f32>,
    /// Spare drift x (Heun's first slope).
    pub dx: Vec<f32>,
    /// Spare drift y.
    pub dy: Vec<f32>,
}

impl Scratch {
    /// Makes every buffer hold `n` values.
    pub fn fit(&mut self, n: usize) {
        for v in [
            &mut self.sx,
            &mut self.sy,
            &mut self.xs,
            &mut self.ys,
            &mut self.dx,
            &mut self.dy,
        ] {
            if v.len() != n {
                v.resize(n, 0.0);
            }
        }
    }
}

/// The noise pair of particle `i` under `key` (the kernels' counter-based normals).
#[inline(always)]
pub fn noise_pair(i: u32, key: &crate::rng::StepKey) -> (f32, f32) {
    crate::normal::normal_pair(
        crate::rng::counter_u32(i, key.k0),
        crate::rng::counter_u32(i, key.k1),
    )
}

/// x ← k_x x + k_s s(x) + k_z z for the whole cloud, fused when the model allows it, otherwise
/// through the score buffers with the same arithmetic and the same noise (so for the exact
/// mixture both routes give identical particles). Returns the number of diverged particles.
pub fn affine_update(
    model: &mut dyn ScoreModel,
    level: &NoiseLevel,
    xs: &mut [f32],
    ys: &mut [f32],
    step: &AffineStep,
    buf: &mut Scratch,
) -> u32 {
    if let Some(bad) = model.fused_affine_step(level, xs, ys, step) {
        return bad;
    }
    buf.fit(xs.len());
    model.score(level, xs, ys, &mut buf.sx, &mut buf.sy);
    let mut bad = 0;
    for i in 0..xs.len() {
        // g = −s, as in the kernel: ((k_x x) − (k_s g)) + k_z z
        let (gx, gy) = (-buf.sx[i], -buf.sy[i]);
        let mut nx = step.kx * xs[i] - step.ks * gx;
        let mut ny = step.kx * ys[i] - step.ks * gy;
        if step.noise {
            let (zx, zy) = noise_pair(i as u32, &step.key);
            nx += step.kz * zx;
            ny += step.kz * zy;
        }
        xs[i] = nx;
        ys[i] = ny;
        bad += runaway(nx * nx + ny * ny, step.limit2) as u32;
    }
    bad
}

/// True when a squared radius is NaN or ≥ R² (a runaway particle): `!(r2 < limit2)` spelled out.
#[inline(always)]
pub fn runaway(r2: f32, limit2: f32) -> bool {
    r2.is_nan() || r2 >= limit2
}

/// The number of particles that are non-finite or outside the disc of radius √limit2.
pub fn count_runaways(xs: &[f32], ys: &[f32], limit2: f32) -> u32 {
    xs.iter()
        .zip(ys)
        .map(|(x, y)| runaway(x * x + y * y, limit2) as u32)
        .sum()
}
