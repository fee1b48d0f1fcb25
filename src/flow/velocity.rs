//! The velocity fields v(x, τ) that the ODE integrators move particles with.
//!
//! A field is evaluated on a whole f32 cloud at one time τ ∈ [0, 1]: the integrators call it once
//! per stage and never allocate. Implementations: the exact marginal velocity of the conditional
//! OT path ([`super::CondOtVelocity`]), the exact probability flow of the VP SDE
//! ([`super::VpProbabilityFlow`]) and a learned network ([`super::FlowTrainer`]).

use crate::error::Error;

/// A time-dependent velocity field on the plane.
pub trait Velocity {
    /// Writes v((xs[i], ys[i]), τ) to (vx[i], vy[i]) for every i. `tau` ∈ [0, 1] (checked by the
    /// callers); the slices have equal lengths.
    fn eval(&mut self, tau: f64, xs: &[f32], ys: &[f32], vx: &mut [f32], vy: &mut [f32]);
}

/// Checks a flow time τ ∈ [0, 1].
pub fn check_tau(tau: f64) -> Result<f64, Error> {
    if tau.is_finite() && (0.0..=1.0).contains(&tau) {
        Ok(tau)
    } else {
        Err(Error::invalid(
            "tau",
            "a finite number in [0, 1] (0 = noise, 1 = data)",
            tau,
        ))
    }
}
