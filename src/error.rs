//! Typed errors of the core.
//!
//! Constructors and setters validate their arguments and return [`Error`]; hot loops never fail.
//! Every message names the parameter, the allowed range and the value received, so that the
//! bindings can turn it into a JS `Error` a reader can act on.

use std::fmt;

/// An error of the scorebook core.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// A parameter is outside its allowed range (or not a finite number).
    InvalidParameter {
        /// The parameter's name as the user sees it (`step_size`, `particles`, …).
        name: &'static str,
        /// The allowed range, in words (`a finite number in (0, 10]`).
        allowed: String,
        /// The value received, formatted.
        got: String,
    },
    /// A sampler left the region where it is numerically meaningful.
    Diverged {
        /// The step at which divergence was detected (1-based count of completed steps).
        step: u64,
        /// How many particles were non-finite or beyond the runaway radius.
        particles: u32,
        /// The runaway radius used by the check.
        radius: f32,
    },
    /// A trainer's loss or gradient became non-finite; the last finite parameters were kept.
    TrainingDiverged {
        /// The step that failed (1-based).
        step: u64,
        /// What became non-finite (`loss`, `gradient`).
        quantity: &'static str,
    },
}

impl Error {
    /// Shorthand for [`Error::InvalidParameter`].
    pub fn invalid(name: &'static str, allowed: impl Into<String>, got: impl fmt::Display) -> Self {
        Error::InvalidParameter {
            name,
            allowed: allowed.into(),
            got: got.to_string(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidParameter { name, allowed, got } => {
                write!(f, "{name} must be {allowed}; got {got}")
            }
            Error::Diverged {
                step,
                particles,
                radius,
            } => write!(
                f,
                "the sampler diverged at step {step}: {particles} particle(s) became non-finite or \
                 left the disc of radius {radius}; reduce the step size and reset"
            ),
            Error::TrainingDiverged { step, quantity } => write!(
                f,
                "training diverged at step {step}: the {quantity} became non-finite; the last \
                 finite weights were kept; lower the learning rate and reset"
            ),
        }
    }
}

impl std::error::Error for Error {}

/// Checks that `value` is finite and in `[lo, hi]` (or `(lo, hi]` when `open_lo`).
pub fn check_range(
    name: &'static str,
    value: f64,
    lo: f64,
    hi: f64,
    open_lo: bool,
) -> Result<f64, Error> {
    let lower_ok = if open_lo { value > lo } else { value >= lo };
    if value.is_finite() && lower_ok && value <= hi {
        Ok(value)
    } else {
        let bracket = if open_lo { "(" } else { "[" };
        Err(Error::invalid(
            name,
            format!("a finite number in {bracket}{lo}, {hi}]"),
            value,
        ))
    }
}
