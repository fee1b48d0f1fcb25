//! Euler–Maruyama for a scalar Itô SDE dX = μ(X, t) dt + σ(X, t) dW, driven by caller-supplied
//! Brownian increments, and the exact discrete moments of the scheme on linear SDEs.
//!
//!   X_{n+1} = X_n + μ(X_n, t_n) h + σ(X_n, t_n) ΔW_n,   ΔW_n ~ N(0, h)
//!
//! (Maruyama 1955; Kloeden & Platen 1992, eq. 9.1.1). It converges with strong order ½ and weak
//! order 1 in general (Kloeden & Platen Thms. 10.2.2, 14.5.1), and with strong order 1 when σ does
//! not depend on X (additive noise: EM then coincides with Milstein's scheme). Because the caller
//! supplies ΔW, the same Brownian path can be replayed at several step sizes (sum the fine
//! increments in pairs), which is how strong orders are measured. f64 throughout: this is the
//! reference integrator for convergence studies, not a particle kernel.

use crate::error::Error;

/// A scalar Itô SDE.
pub trait ScalarSde {
    /// μ(x, t).
    fn drift(&self, x: f64, t: f64) -> f64;
    /// σ(x, t).
    fn diffusion(&self, x: f64, t: f64) -> f64;
}

/// dX = λX dt + μX dW (geometric Brownian motion), X_T = X₀ exp((λ − μ²/2)T + μW_T).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gbm {
    /// Growth rate λ.
    pub lambda: f64,
    /// Volatility μ.
    pub mu: f64,
}

impl ScalarSde for Gbm {
    fn drift(&self, x: f64, _t: f64) -> f64 {
        self.lambda * x
    }
    fn diffusion(&self, x: f64, _t: f64) -> f64 {
        self.mu * x
    }
}

impl Gbm {
    /// The exact solution at time t on the path with W_t = w.
    pub fn exact(&self, x0: f64, t: f64, w: f64) -> f64 {
        x0 * ((self.lambda - 0.5 * self.mu * self.mu) * t + self.mu * w).exp()
    }
}

/// dX = −aX dt + b dW (Ornstein–Uhlenbeck, additive noise).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScalarOu {
    /// Friction a.
    pub a: f64,
    /// Noise amplitude b.
    pub b: f64,
}

impl ScalarSde for ScalarOu {
    fn drift(&self, x: f64, _t: f64) -> f64 {
        -self.a * x
    }
    fn diffusion(&self, _x: f64, _t: f64) -> f64 {
        self.b
    }
}

/// One Euler–Maruyama step from (x, t) with step h and Brownian increment dw.
#[inline]
pub fn em_step(sde: &impl ScalarSde, x: f64, t: f64, h: f64, dw: f64) -> f64 {
    x + sde.drift(x, t) * h + sde.diffusion(x, t) * dw
}

/// EM over a whole path: `increments` are ΔW_0 … ΔW_{n−1} over steps of size h from t = 0.
pub fn em_path(sde: &impl ScalarSde, x0: f64, h: f64, increments: &[f64]) -> f64 {
    increments
        .iter()
        .enumerate()
        .fold(x0, |x, (k, dw)| em_step(sde, x, k as f64 * h, h, *dw))
}

/// The exact mean and variance of n EM steps of dX = −aX dt + b dW from X₀ = x0:
/// (rⁿ x₀, b²h (1 − r²ⁿ)/(1 − r²)), r = 1 − ah (the iteration X' = rX + b ΔW is linear).
pub fn linear_em_moments(a: f64, b: f64, x0: f64, h: f64, n: usize) -> Result<(f64, f64), Error> {
    if !(h.is_finite() && h > 0.0) {
        return Err(Error::invalid("step_size", "a finite number > 0", h));
    }
    if n == 0 {
        return Err(Error::invalid("steps", "an integer >= 1", n));
    }
    let r = 1.0 - a * h;
    let rn = r.powi(n as i32);
    let var = if (1.0 - r * r).abs() < 1e-300 {
        b * b * h * n as f64
    } else {
        b * b * h * (1.0 - rn * rn) / (1.0 - r * r)
    };
    Ok((rn * x0, var))
}

/// The least-squares slope of log y against log x (a convergence order).
pub fn log_log_slope(xs: &[f64], ys: &[f64]) -> f64 {
    let n = xs.len() as f64;
    let lx: Vec<f64> = xs.iter().map(|v| v.ln()).collect();
    let ly: Vec<f64> = ys.iter().map(|v| v.ln()).collect();
    let (mx, my) = (lx.iter().sum::<f64>() / n, ly.iter().sum::<f64>() / n);
    let sxy: f64 = lx.iter().zip(&ly).map(|(a, b)| (a - mx) * (b - my)).sum();
    let sxx: f64 = lx.iter().map(|a| (a - mx) * (a - mx)).sum();
    sxy / sxx
}
