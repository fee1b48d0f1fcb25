//! The variance-exploding SDE with a geometric noise scale (Song et al. 2021, eq. 9 and §C.1; the
//! continuous limit of NCSN):
//!
//!   dx = √(dσ²/dt) dW,   σ(t) = σ_min (σ_max/σ_min)^t,   t ∈ [0, 1],
//!   g(t) = σ(t) √(2 ln(σ_max/σ_min)).
//!
//! Its marginal given x₀ is N(x₀, (σ(t)² − σ(0)²) I): there is no drift, and the variance added
//! between 0 and t is ∫₀ᵗ g² = σ(t)² − σ_min² exactly (Song et al. write σ(t)², which neglects
//! σ_min²). σ_min = 0.01, σ_max = 50: σ(0.5) = 0.7071068, σ(1) = 50.

use crate::error::{check_range, Error};

/// The VE SDE with σ(t) = σ_min (σ_max/σ_min)^t.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VeSde {
    sigma_min: f64,
    sigma_max: f64,
}

impl VeSde {
    /// σ_min ∈ (0, 100], σ_max ∈ (σ_min, 1000] (Song et al. use 0.01 and 50 for 2D toys).
    pub fn new(sigma_min: f64, sigma_max: f64) -> Result<Self, Error> {
        check_range("sigma_min", sigma_min, 0.0, 100.0, true)?;
        check_range("sigma_max", sigma_max, sigma_min, 1000.0, true)?;
        Ok(VeSde {
            sigma_min,
            sigma_max,
        })
    }

    /// σ(t).
    pub fn sigma(&self, t: f64) -> f64 {
        self.sigma_min * (self.sigma_max / self.sigma_min).powf(t)
    }

    /// σ_min.
    pub fn sigma_min(&self) -> f64 {
        self.sigma_min
    }

    /// σ_max.
    pub fn sigma_max(&self) -> f64 {
        self.sigma_max
    }

    /// ln(σ_max/σ_min).
    pub fn log_ratio(&self) -> f64 {
        (self.sigma_max / self.sigma_min).ln()
    }
}
