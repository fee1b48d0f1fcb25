//! The likelihood score ∇_{x_t} log p(y | x_t) of a noisy state: exact, Gaussian (Tweedie)
//! approximation, and the naive rule.
//!
//! Posterior score of the noisy state (Yasuda 2025, eqs. 135–137; Rozet & Louppe 2023, eq. 7):
//!
//!   ∇log p(x_t | y) = ∇log p_t(x_t) + ∇log l(y | x_t),   l(y | x_t) = ∫ p(y | x₀) p(x₀ | x_t) dx₀.
//!
//! * [`LikelihoodRule::Exact`]: l in closed form, through the noised posterior mixture:
//!   ∇log l = ∇log p(x_t | y) − ∇log p_t (eq. 130 with the mixture posterior of [`super::prior1`]).
//! * [`LikelihoodRule::Tweedie`]: p(x₀ | x_t) ≈ N(E, V) (eq. 139), so l ≈ N(y; E, λ² + V)
//!   (eq. 144), with Tweedie's mean E = (x + σ_t² s)/α_t (eq. 145, α_t = e^{−at}) and variance
//!   V = (σ_t² + σ_t⁴ ∂s)/α_t² (eq. 154), or V = γσ_t²/α_t² (the curvature replaced by a
//!   hyperparameter, as in the SDA reference code), or V = 0. The chain rule gives (erratum 5 of
//!   the curriculum: the source leaves it implicit)
//!
//!   ∇log l = (y − E)/(λ² + V) · ∂E  [+ ∂V · ((y − E)²/(2(λ² + V)²) − 1/(2(λ² + V)))],
//!
//!   with ∂E = (1 + σ_t² ∂s)/α_t and ∂V = σ_t⁴ ∂²s/α_t²; the bracket (the gradient through V) is
//!   optional, and zero whenever V does not depend on x (Gaussian prior, or V = γσ²/α², or 0).
//!   For a Gaussian prior with the eq.-154 variance the approximation is exact.
//! * [`LikelihoodRule::Naive`]: the clean-state likelihood applied to the noisy state,
//!   ∇log p(y | x = x_t) = (y − x_t)/λ² (eqs. 121–123), which is wrong: l(y | x_t) is not
//!   p(y | x₀ = x_t) for t > 0.

use super::prior1::{Mix, Problem1};
use crate::error::{check_range, Error};

/// Where the Tweedie variance comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum VarianceRule {
    /// Second-order Tweedie, V = (σ² + σ⁴∂s)/α² (eq. 154).
    Tweedie,
    /// V = γσ²/α² with a hyperparameter γ ≥ 0 (γ = 1 drops the curvature term).
    Hyper(f64),
    /// V = 0.
    Zero,
}

/// A rule for ∇log p(y | x_t).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LikelihoodRule {
    /// The exact average likelihood l(y | x_t).
    Exact,
    /// The Gaussian approximation through Tweedie's moments.
    Tweedie {
        /// The variance V.
        variance: VarianceRule,
        /// Differentiate through V as well as through E.
        through_variance: bool,
    },
    /// (y − x_t)/λ², the clean-state likelihood at the noisy state.
    Naive,
}

impl LikelihoodRule {
    /// The rule named `name`: `exact`, `tweedie` (eq. 154, gradient through E only), `tweedie-full`
    /// (through E and V), `gamma` (V = γσ²/α²), `zero` (V = 0), `naive`.
    pub fn from_name(name: &str, gamma: f64) -> Result<Self, Error> {
        let t = |variance, through_variance| LikelihoodRule::Tweedie {
            variance,
            through_variance,
        };
        Ok(match name {
            "exact" => LikelihoodRule::Exact,
            "tweedie" => t(VarianceRule::Tweedie, false),
            "tweedie-full" => t(VarianceRule::Tweedie, true),
            "gamma" => {
                check_range("gamma", gamma, 0.0, 100.0, false)?;
                t(VarianceRule::Hyper(gamma), false)
            }
            "zero" => t(VarianceRule::Zero, false),
            "naive" => LikelihoodRule::Naive,
            _ => {
                return Err(Error::invalid(
                    "rule",
                    "one of exact, tweedie, tweedie-full, gamma, zero, naive",
                    name,
                ))
            }
        })
    }
}

/// Everything about one time t that does not depend on the particle.
#[derive(Debug, Clone)]
pub struct TimeSlice {
    /// α_t.
    pub alpha: f64,
    /// σ_t².
    pub sigma_sq: f64,
    /// p_t.
    pub prior: Mix,
    /// p(x_t | y).
    pub posterior: Mix,
}

impl TimeSlice {
    /// The slice of `problem` at time t.
    pub fn new(problem: &Problem1, t: f64) -> Self {
        TimeSlice {
            alpha: problem.sde().alpha(t),
            sigma_sq: problem.sde().sigma_sq(t),
            prior: problem.prior_at(t),
            posterior: problem.posterior_at(t),
        }
    }
}

/// Tweedie's posterior mean and variance of x₀ given x_t = x, from the prior score (eqs. 145, 154).
pub fn tweedie_moments(slice: &TimeSlice, x: f64) -> (f64, f64) {
    let d = slice.prior.derivatives(x);
    let (a, s2) = (slice.alpha, slice.sigma_sq);
    (
        (x + s2 * d.score) / a,
        ((s2 + s2 * s2 * d.d_score) / (a * a)).max(0.0),
    )
}

/// (prior score ∇log p_t(x), likelihood score ∇log p(y | x_t = x)) under `rule`.
pub fn scores(rule: LikelihoodRule, slice: &TimeSlice, y: f64, noise: f64, x: f64) -> (f64, f64) {
    let d = slice.prior.derivatives(x);
    let l2 = noise * noise;
    let g = match rule {
        LikelihoodRule::Exact => slice.posterior.derivatives(x).score - d.score,
        LikelihoodRule::Naive => (y - x) / l2,
        LikelihoodRule::Tweedie {
            variance,
            through_variance,
        } => {
            let (a, s2) = (slice.alpha, slice.sigma_sq);
            let e = (x + s2 * d.score) / a;
            let de = (1.0 + s2 * d.d_score) / a;
            let (v, dv) = match variance {
                VarianceRule::Tweedie => {
                    let v = (s2 + s2 * s2 * d.d_score) / (a * a);
                    // a Var[x₀ | x_t] that round-off pushed below 0 is 0 (and then flat in x)
                    if v > 0.0 {
                        (v, s2 * s2 * d.d2_score / (a * a))
                    } else {
                        (0.0, 0.0)
                    }
                }
                VarianceRule::Hyper(gamma) => (gamma * s2 / (a * a), 0.0),
                VarianceRule::Zero => (0.0, 0.0),
            };
            let tot = l2 + v;
            let r = y - e;
            let mut g = r / tot * de;
            if through_variance {
                g += dv * (0.5 * r * r / (tot * tot) - 0.5 / tot);
            }
            g
        }
    };
    (d.score, g)
}
