//! A schedule family independent of its length: linear (Ho et al. 2020 §4), cosine (Nichol &
//! Dhariwal 2021, eq. 17) or a drawn log-SNR curve ([`super::log_snr`]). [`ScheduleSpec::build`]
//! gives the N-step [`BetaSchedule`], so one family can be compared across N (the prior gap
//! against N, [`super::prior_gap`]).

use super::log_snr::LogSnrKnots;
use super::BetaSchedule;
use crate::error::Error;

/// A schedule family.
#[derive(Debug, Clone, PartialEq)]
pub enum ScheduleSpec {
    /// β linear from `beta_start` (step 1) to `beta_end` (step N).
    Linear {
        /// β₁.
        beta_start: f64,
        /// β_N.
        beta_end: f64,
    },
    /// The cosine schedule with its offset s.
    Cosine {
        /// s ∈ [0, 0.5].
        offset: f64,
    },
    /// A log-SNR curve.
    LogSnr(LogSnrKnots),
}

impl ScheduleSpec {
    /// The family by name (`linear`, `cosine`, `custom`) with the defaults of its source.
    pub fn by_name(name: &str) -> Result<Self, Error> {
        match name {
            "linear" => Ok(ScheduleSpec::Linear {
                beta_start: 1e-4,
                beta_end: 0.02,
            }),
            "cosine" => Ok(ScheduleSpec::Cosine { offset: 0.008 }),
            "custom" => Ok(ScheduleSpec::LogSnr(LogSnrKnots::default_five())),
            other => Err(Error::invalid(
                "schedule",
                "one of linear, cosine, custom",
                format!("{other:?}"),
            )),
        }
    }

    /// `linear`, `cosine` or `custom`.
    pub fn name(&self) -> &'static str {
        match self {
            ScheduleSpec::Linear { .. } => "linear",
            ScheduleSpec::Cosine { .. } => "cosine",
            ScheduleSpec::LogSnr(_) => "custom",
        }
    }

    /// The N-step schedule (validated).
    pub fn build(&self, steps: usize) -> Result<BetaSchedule, Error> {
        match self {
            ScheduleSpec::Linear {
                beta_start,
                beta_end,
            } => BetaSchedule::linear(steps, *beta_start, *beta_end),
            ScheduleSpec::Cosine { offset } => BetaSchedule::cosine(steps, *offset),
            ScheduleSpec::LogSnr(k) => k.schedule(steps),
        }
    }
}
