//! The prior gap of a DDPM schedule: KL(q(x_N) ‖ N(0, I)) for mixture data.
//!
//! Ancestral sampling starts from N(0, I), not from q(x_N) = Σ wₖ N(√ᾱ_N μₖ, ᾱ_N Σₖ + (1 − ᾱ_N)I);
//! the mismatch is the L_T term of the ELBO (Ho et al. 2020, eq. 5), computed by the quadrature of
//! [`crate::sde::prior_kl`]. For data N(μ, τ²I) in d = 2 it is the closed form
//! ½ Σ_i (ᾱτ² + 1 − ᾱ − 1 − ln(ᾱτ² + 1 − ᾱ)) + ½ ᾱ|μ|², which vanishes only as ᾱ_N → 0: a
//! schedule whose ᾱ_N stays away from 0 (short, or with small β's) never reaches the prior.

use super::spec::ScheduleSpec;
use super::BetaSchedule;
use crate::error::Error;
use crate::mixture::GaussianMixture;
use crate::sde::prior_kl::prior_kl;

/// The most lengths of a [`prior_gap_curve`].
pub const MAX_CURVE_POINTS: usize = 64;

/// KL(q(x_N) ‖ N(0, I)) in nats for the schedule's last step.
pub fn prior_gap(data: &GaussianMixture, schedule: &BetaSchedule) -> Result<f64, Error> {
    let (a, v) = schedule.marginal(schedule.len());
    prior_kl(data, a, v, 1.0)
}

/// N_j and KL(q(x_{N_j}) ‖ N(0, I)) for the family `spec` at the lengths `lengths` (each in
/// [1, 100 000], at most 64 of them).
pub fn prior_gap_curve(
    data: &GaussianMixture,
    spec: &ScheduleSpec,
    lengths: &[usize],
) -> Result<Vec<(usize, f64)>, Error> {
    if lengths.is_empty() || lengths.len() > MAX_CURVE_POINTS {
        return Err(Error::invalid(
            "lengths",
            format!("1 to {MAX_CURVE_POINTS} schedule lengths"),
            lengths.len(),
        ));
    }
    lengths
        .iter()
        .map(|&n| Ok((n, prior_gap(data, &spec.build(n)?)?)))
        .collect()
}

/// Up to `points` lengths spread geometrically over [1, n_max] (distinct, increasing, ending at
/// n_max), the abscissae of the KL-against-N chart.
pub fn geometric_lengths(n_max: usize, points: usize) -> Vec<usize> {
    let n_max = n_max.max(1);
    let points = points.clamp(2, MAX_CURVE_POINTS);
    let mut v: Vec<usize> = (0..points)
        .map(|k| ((n_max as f64).powf(k as f64 / (points - 1) as f64)).round() as usize)
        .collect();
    v.dedup();
    if *v.last().unwrap() != n_max {
        v.push(n_max);
    }
    v
}
