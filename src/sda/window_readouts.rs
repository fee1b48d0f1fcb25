//! Readouts of score-based posterior windows against the particle-filter ground truth.
//!
//! For n sampled trajectories x⁽ⁱ⁾ of a window (state units): the mean log-density under the
//! dynamics (1/n) Σ log p(x⁽ⁱ⁾₂:L | x⁽ⁱ⁾₁) with the Gaussian transitions of the noisy RK4 step
//! ([`super::lorenz::NoisyLorenz::log_prior`]), the mean log-likelihood (1/n) Σ log p(y | x⁽ⁱ⁾)
//! ([`super::observation::Observations::log_likelihood`]), and the sliced Wasserstein distance SW₁
//! between the standardised samples and the standardised particle-filter trajectories
//! ([`super::sliced::sliced_wasserstein`]); these are the three metrics of Rozet & Louppe (2023,
//! §4.1, Figure 3).

use super::lorenz::{standardise, NoisyLorenz};
use super::observation::Observations;
use super::sliced::sliced_wasserstein;
use crate::error::Error;

/// The three readouts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WindowReadouts {
    /// Mean log p(x₂:L | x₁) under the dynamics.
    pub log_prior: f64,
    /// Mean log p(y | x).
    pub log_likelihood: f64,
    /// SW₁ to the reference samples (standardised units).
    pub sliced_distance: f64,
}

/// Readouts of `samples` (flat, L states each, state units) against `reference` (same layout),
/// with `projections` random directions drawn from `seed`.
pub fn window_readouts(
    kernel: &NoisyLorenz,
    obs: &Observations,
    samples: &[f64],
    reference: &[f64],
    projections: usize,
    seed: u64,
) -> Result<WindowReadouts, Error> {
    let l = obs.values.len();
    let d = 3 * l;
    if samples.is_empty() || samples.len() % d != 0 {
        return Err(Error::invalid(
            "samples",
            format!("whole windows of {l} states"),
            samples.len(),
        ));
    }
    if reference.is_empty() || reference.len() % d != 0 {
        return Err(Error::invalid(
            "reference samples",
            format!("whole windows of {l} states"),
            reference.len(),
        ));
    }
    let n = (samples.len() / d) as f64;
    let (mut lp, mut ll) = (0.0, 0.0);
    for t in samples.chunks_exact(d) {
        lp += kernel.log_prior(t);
        ll += obs.log_likelihood(t);
    }
    let std = |v: &[f64]| {
        v.chunks_exact(3)
            .flat_map(|s| standardise([s[0], s[1], s[2]]))
            .collect::<Vec<f64>>()
    };
    let sw = sliced_wasserstein(&std(samples), &std(reference), d, projections, 1, seed)?;
    Ok(WindowReadouts {
        log_prior: lp / n,
        log_likelihood: ll / n,
        sliced_distance: sw,
    })
}
