//! The Ornstein–Uhlenbeck SDE of Yasuda's lecture notes (eq. 1), on t ∈ [0, T]:
//!
//!   dx = −a x dt + b dW,   a, b > 0,
//!
//! solved by the integrating factor (eqs. 22, 30–31):
//!   x_t = e^{−at} x₀ + σ_t ε,   σ_t² = (b²/2a)(1 − e^{−2at}),
//! so its stationary law is N(0, b²/(2a)) — the standard normal only when b² = 2a (the notes'
//! a = b = 1 relaxes to N(0, ½), one of the source errors the curriculum corrects). The VP SDE
//! with constant β is the case a = β/2, b = √β.

use crate::error::{check_range, Error};

/// dx = −a x dt + b dW on [0, T].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OuSde {
    /// Friction a > 0.
    pub a: f64,
    /// Noise amplitude b > 0.
    pub b: f64,
    /// Horizon T > 0.
    pub horizon: f64,
}

impl OuSde {
    /// a ∈ (0, 100], b ∈ (0, 100], T ∈ (0, 1000].
    pub fn new(a: f64, b: f64, horizon: f64) -> Result<Self, Error> {
        Ok(OuSde {
            a: check_range("a", a, 0.0, 100.0, true)?,
            b: check_range("b", b, 0.0, 100.0, true)?,
            horizon: check_range("horizon", horizon, 0.0, 1000.0, true)?,
        })
    }

    /// The stationary variance b²/(2a).
    pub fn stationary_variance(&self) -> f64 {
        self.b * self.b / (2.0 * self.a)
    }
}
