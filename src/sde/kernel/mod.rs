//! The affine score step, for a whole f32 particle cloud and an exact Gaussian-mixture score.
//!
//! Every sampler of this crate whose update is linear in (x, s(x), z) runs through one kernel:
//!
//!   x ← k_x·x + k_s·s(x) + k_z·z,   s = ∇log p_t (the exact mixture score), z ~ N(0, I),
//!
//! | update | k_x | k_s | k_z |
//! |---|---|---|---|
//! | reverse SDE, Euler–Maruyama, step h at t (Yasuda eq. 68) | 1 − h f(t) | h (1 + c²)/2 · g² | c g √h |
//! | probability-flow ODE, Euler (c = 0) | 1 − h f(t) | h g²/2 | 0 |
//! | DDPM ancestral (Ho et al. Alg. 2, ε = −√(1 − ᾱ) s) | 1/√α_t | β_t/√α_t | σ_t |
//! | DDIM (Song, Meng & Ermon 2021 eq. 12) | √(ᾱ'/ᾱ) | see `ddpm::ddim` | σ_t(η) |
//! | Langevin corrector | 1 | ε | √(2ε) |
//!
//! followed by the runaway check of the Langevin kernel (non-finite, or outside the disc of
//! radius R). Two implementations with bit-identical results: [`scalar`] (every target) and
//! `simd128` (wasm32 + simd128, four particles per iteration; the tail goes through the scalar
//! path). Neither allocates; the expression is evaluated in the same order in both,
//! `((k_x·x) − (k_s·g)) + k_z·z` with g = −s, and Rust never contracts it into an FMA.

pub mod scalar;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub mod simd128;

use crate::kernel::{KernelPath, MixtureKernel};
use crate::rng::StepKey;

/// The constants of one affine score step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AffineStep {
    /// k_x.
    pub kx: f32,
    /// k_s (multiplies the score).
    pub ks: f32,
    /// k_z (multiplies the noise).
    pub kz: f32,
    /// False for deterministic steps (k_z = 0): the noise is then not drawn at all.
    pub noise: bool,
    /// R², the squared runaway radius.
    pub limit2: f32,
    /// The step's random keys.
    pub key: StepKey,
}

/// One affine score step for every particle; returns the number of diverged particles.
pub fn affine_step(
    path: KernelPath,
    target: &MixtureKernel,
    xs: &mut [f32],
    ys: &mut [f32],
    step: &AffineStep,
) -> u32 {
    match path {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        KernelPath::Simd128 => simd128::affine_step(target, xs, ys, step),
        _ => scalar::affine_step(target, xs, ys, step, 0),
    }
}
