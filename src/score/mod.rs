//! The score ∇log p and score matching (notebook section 3).
//!
//! * [`field`]: the Hessian of log p for a Gaussian mixture (the Jacobian of its score), the
//!   critical points of the score field found by Newton's method and classified by that Hessian,
//!   the line-integral reconstruction of log p from the score (Gauss–Legendre), E_p‖s‖² and
//!   E_p[tr ∇s] by quadrature, and the closed-form Fisher divergence of two 1D Gaussians.
//! * [`flow`]: tracers carried by the gradient flow dx/dt = ∇log p (RK4, capped moves).
//! * [`ring`]: data on a circle smoothed by N(0, σ²I): the closed-form score with exponentially
//!   scaled Bessel functions I₀, I₁ (the manifold toy).
//! * [`tweedie`]: the posterior mean E[x | x̃] of a mixture under Gaussian noise in closed form,
//!   Tweedie's formula x̃ + σ²∇log p_σ(x̃), the exact MMSE by quadrature, and the denoising
//!   experiment behind `<sb-tweedie>`.
//! * [`objectives`]: explicit, implicit (Hyvärinen), denoising and sliced score matching of the
//!   affine model s(x) = a x + b on 1D mixture data, exact and from samples.
//! * [`sliced`]: the random-projection trace estimator vᵀAv (Gaussian and Rademacher v) with its
//!   exact variance, and the linear-Gaussian Hyvärinen objective tr W + ½ tr(WᵀWΣ).
//! * [`picture`]: the score-field picture (density shading, arrows) rasterised to RGBA.
//!
//! Sources: Hyvärinen (2005), *Estimation of non-normalized statistical models by score
//! matching*, JMLR 6, Theorem 1; Vincent (2011), *A connection between score matching and
//! denoising autoencoders*, Neural Computation 23(7), eq. 11 and appendix; Song, Garg, Shi & Ermon
//! (2019), *Sliced score matching*, UAI, eq. 7; Efron (2011), *Tweedie's formula and selection
//! bias*, JASA 106, eq. 2.8.

pub mod field;
pub mod flow;
pub mod objectives;
pub mod picture;
pub mod ring;
pub mod sliced;
pub mod tweedie;

use crate::normal::normal_pair;
use crate::rng::SimRng;
use rand::Rng;

/// Two independent standard normals in f64 (Box–Muller on two 32-bit words, as the particle
/// kernels draw them).
pub fn normal2(rng: &mut SimRng) -> (f64, f64) {
    let (a, b) = normal_pair(rng.next_u32(), rng.next_u32());
    (a as f64, b as f64)
}

/// Mean and standard error (sample sd / √n) of a list of values; (NaN, NaN) when empty.
pub fn mean_se(values: impl IntoIterator<Item = f64>) -> (f64, f64) {
    // Welford's running mean and variance: stable for values with a large common offset
    let (mut n, mut mean, mut m2) = (0.0f64, 0.0f64, 0.0f64);
    for v in values {
        n += 1.0;
        let d = v - mean;
        mean += d / n;
        m2 += d * (v - mean);
    }
    if n == 0.0 {
        return (f64::NAN, f64::NAN);
    }
    let var = if n > 1.0 { m2 / (n - 1.0) } else { 0.0 };
    (mean, (var / n).sqrt())
}
