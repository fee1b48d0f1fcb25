//! The Metropolis-adjusted Langevin step (MALA) on a Gaussian-mixture target, for a whole f32
//! particle cloud (every particle is an independent chain).
//!
//! Roberts & Tweedie (1996), Besag (1994): propose with one ULA step and accept it with the
//! Metropolis–Hastings probability, which makes p exactly invariant for every step size ε:
//!
//!   y = x + (ε/2) s(x) + √ε z,                        z ~ N(0, I),   s = ∇log p,
//!   log a(x, y) = log p(y) − log p(x) + log q(x | y) − log q(y | x),
//!   q(y | x) = N(y; x + (ε/2) s(x), ε I)  ⇒  log q(y | x) = −‖z‖²/2 − log(2πε),
//!   log q(x | y) = −‖x − y − (ε/2) s(y)‖² / (2ε) − log(2πε),
//!   accept (x ← y) when log u < log a,  u ~ U(0, 1]  (the normalisers cancel).
//!
//! The log-densities are computed with the same base-2 softmax as the score (log₂ p(x) = m +
//! log₂ Σₖ 2^(eₖ − m), see `params`), and the whole test is done in base 2. The uniform u comes from
//! a third counter-based word per particle. Two implementations with bit-identical results:
//! [`scalar`] (every target) and `simd128` (wasm32 with `+simd128`). Neither allocates.

pub mod scalar;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub mod simd128;

use super::{KernelPath, MixtureKernel};
use crate::rng::StepKey;

/// Constants of one MALA step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MalaStep {
    /// ε/2.
    pub half_step: f32,
    /// √ε.
    pub sqrt_step: f32,
    /// log₂e/(2ε): the reverse proposal's exponent per squared distance, in base 2.
    pub inv_two_step_log2e: f32,
    /// R², the squared runaway radius.
    pub limit2: f32,
    /// The step's keys for the proposal noise (k0, k1).
    pub key: StepKey,
    /// The key of the accept/reject uniform.
    pub key_u: u32,
}

/// Counts of one step: accepted proposals and diverged particles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MalaCounts {
    /// Proposals accepted.
    pub accepted: u32,
    /// Particles non-finite or outside the runaway disc after the step.
    pub diverged: u32,
}

/// One MALA step for every particle.
///
/// `Simd128` falls back to the scalar path in builds without simd128.
pub fn mala_step(
    path: KernelPath,
    target: &MixtureKernel,
    xs: &mut [f32],
    ys: &mut [f32],
    step: &MalaStep,
) -> MalaCounts {
    match path {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        KernelPath::Simd128 => simd128::mala_step(target, xs, ys, step),
        _ => scalar::mala_step(target, xs, ys, step, 0),
    }
}
