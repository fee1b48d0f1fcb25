//! The sub-variance-preserving SDE (Song et al. 2021, eq. 12):
//!
//!   dx = −½β(t) x dt + √(β(t)(1 − e^{−2B(t)})) dW,   B(t) = ∫₀ᵗ β,
//!
//! with the same linear β(t) as `VpSde`. Its marginal given x₀ is
//! N(α_t x₀, (1 − α_t²)² I), α_t = e^{−B(t)/2} (Song et al. eq. 30): the variance is bounded by
//! the VP one at every t (hence "sub").
//!
//! Check: v = (1 − e^{−B})² solves v' = −βv + g² = −βv + β(1 − e^{−2B}).

use super::vp::VpSde;
use crate::error::Error;

/// The sub-VP SDE; β(t) as for [`VpSde`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SubVpSde {
    /// The underlying β(t).
    pub vp: VpSde,
}

impl SubVpSde {
    /// β_min ∈ (0, 100], β_max ∈ [β_min, 100].
    pub fn new(beta_min: f64, beta_max: f64) -> Result<Self, Error> {
        Ok(SubVpSde {
            vp: VpSde::new(beta_min, beta_max)?,
        })
    }
}
