//! Denoising diffusion probabilistic models: the discrete forward chain and its samplers.
//!
//! [`schedule`] holds β₁ … β_N with ᾱ_t, the SNR and the forward posterior q(x_{t−1} | x_t, x₀);
//! [`ancestral`] is DDPM's ancestral sampler (Ho et al. 2020, Alg. 2) and [`ddim`] the DDIM
//! sampler with its η parameter (Song, Meng & Ermon 2021, eq. 12). Both are state machines over
//! f32 particle clouds and take any [`ScoreModel`](crate::sde::score::ScoreModel), called with
//! the `crate::sde::NoiseLevel` t = step index, mean scale √ᾱ_t and variance
//! 1 − ᾱ_t; an ε-model plugs in through ε = −√(1 − ᾱ_t)·s (V-D1).
//!
//! [`log_snr`] draws a schedule as a log-SNR curve, [`spec`] names a schedule family apart
//! from its length, [`prior_gap`] is KL(q(x_N) ‖ N(0, I)), and [`eps_train`] trains an
//! ε-prediction network with the simple loss (Ho et al. eq. 14) that the samplers use through
//! [`EpsScore`](crate::sde::score::EpsScore).

pub mod ancestral;
pub mod ddim;
pub mod eps_train;
pub mod forward;
pub mod log_snr;
pub mod prior_gap;
pub mod schedule;
pub mod spec;

pub use schedule::BetaSchedule;

use crate::sde::NoiseLevel;

/// The noise level of step t ∈ [0, N] of a schedule.
pub fn level(s: &BetaSchedule, t: usize) -> NoiseLevel {
    let (scale, var) = s.marginal(t);
    NoiseLevel {
        t: t as f64,
        mean_scale: scale,
        variance: var,
    }
}
