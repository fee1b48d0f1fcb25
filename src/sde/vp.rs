//! The variance-preserving SDE with a linear β(t) (Song et al. 2021, "Score-based generative
//! modeling through SDEs", eq. 11; the continuous limit of DDPM):
//!
//!   dx = −½β(t) x dt + √β(t) dW,   β(t) = β_min + t(β_max − β_min),  t ∈ [0, 1].
//!
//! Its marginal given x₀ is N(α_t x₀, (1 − α_t²) I) with
//!   α_t = exp(−½ B(t)),  B(t) = ∫₀ᵗ β = β_min t + ½(β_max − β_min) t²
//! (Song et al. eq. 29). With β_min = 0.1, β_max = 20: B(1) = 10.05, α₁ = 0.0065716.

use crate::error::{check_range, Error};

/// The VP SDE with β(t) = β_min + t(β_max − β_min) on t ∈ [0, 1].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VpSde {
    beta_min: f64,
    beta_max: f64,
}

impl VpSde {
    /// β_min ∈ (0, 100], β_max ∈ [β_min, 100] (Song et al. use 0.1 and 20).
    pub fn new(beta_min: f64, beta_max: f64) -> Result<Self, Error> {
        check_range("beta_min", beta_min, 0.0, 100.0, true)?;
        check_range("beta_max", beta_max, beta_min, 100.0, false)?;
        Ok(VpSde { beta_min, beta_max })
    }

    /// Song et al.'s defaults β_min = 0.1, β_max = 20.
    pub fn song() -> Self {
        VpSde {
            beta_min: 0.1,
            beta_max: 20.0,
        }
    }

    /// β(t).
    pub fn beta(&self, t: f64) -> f64 {
        self.beta_min + t * (self.beta_max - self.beta_min)
    }

    /// B(t) = ∫₀ᵗ β(s) ds.
    pub fn beta_integral(&self, t: f64) -> f64 {
        self.beta_min * t + 0.5 * (self.beta_max - self.beta_min) * t * t
    }

    /// β_min.
    pub fn beta_min(&self) -> f64 {
        self.beta_min
    }

    /// β_max.
    pub fn beta_max(&self) -> f64 {
        self.beta_max
    }
}
