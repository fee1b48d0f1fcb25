//! A schedule drawn as a curve of log-SNR: K knots λ₀ > λ₁ > … > λ_{K−1}, linear in between.
//!
//! Kingma, Salimans, Poole & Ho 2021 ("Variational diffusion models", eq. 3 and §3.4) write a
//! VP schedule through its log signal-to-noise ratio λ_t = log SNR_t = log(ᾱ_t/(1 − ᾱ_t)), so
//! ᾱ_t = sigmoid(λ_t). Here λ is piecewise linear in u = (t − 1)/(N − 1) ∈ [0, 1] (u = 0 for
//! N = 1) through knots at u_k = k/(K − 1): knot 0 is the log-SNR of step 1 and knot K − 1 that
//! of step N, whatever N, so the same drawing gives schedules of every length. A strictly
//! decreasing λ makes ᾱ strictly decreasing, hence every
//!
//!   β_t = 1 − ᾱ_t/ᾱ_{t−1} = sigmoid(−λ_t)·(1 − e^{λ_t − λ_{t−1}})   (ᾱ₀ = 1, λ₀ = +∞)
//!
//! lies in (0, 1) (the second form has no cancellation). The schedule is then
//! [`BetaSchedule::custom`] of those β's, so ᾱ is the product of the α's (equal to sigmoid(λ_t)
//! to round-off).

use super::BetaSchedule;
use crate::error::Error;

/// The most knots.
pub const MAX_KNOTS: usize = 16;
/// The range of a knot's log-SNR.
pub const LOG_SNR_RANGE: (f64, f64) = (-15.0, 15.0);
/// The smallest gap between neighbouring knots (a drag is clamped to keep it).
pub const MIN_GAP: f64 = 0.05;

/// Log-SNR knots of a drawn schedule.
#[derive(Debug, Clone, PartialEq)]
pub struct LogSnrKnots {
    values: Vec<f64>,
}

impl LogSnrKnots {
    /// 2 ≤ K ≤ 16 knots, finite, in [−15, 15], strictly decreasing by at least 0.05.
    pub fn new(values: &[f64]) -> Result<Self, Error> {
        if !(2..=MAX_KNOTS).contains(&values.len()) {
            return Err(Error::invalid(
                "knots",
                format!("a list of 2 to {MAX_KNOTS} log-SNR values"),
                format!("{} value(s)", values.len()),
            ));
        }
        let (lo, hi) = LOG_SNR_RANGE;
        if let Some(v) = values
            .iter()
            .find(|v| !(v.is_finite() && (lo..=hi).contains(*v)))
        {
            return Err(Error::invalid(
                "knots",
                format!("log-SNR values in [{lo}, {hi}]"),
                v,
            ));
        }
        if let Some(w) = values
            .windows(2)
            .find(|w| w[1] > w[0] - MIN_GAP * 0.999_999)
        {
            return Err(Error::invalid(
                "knots",
                format!("strictly decreasing log-SNR values (gaps ≥ {MIN_GAP})"),
                format!("{} then {}", w[0], w[1]),
            ));
        }
        Ok(LogSnrKnots {
            values: values.to_vec(),
        })
    }

    /// Five knots from 8 down to −8 (log-SNR linear in t, ᾱ from 0.99966 to 0.00034).
    pub fn default_five() -> Self {
        Self::new(&[8.0, 4.0, 0.0, -4.0, -8.0]).expect("valid defaults")
    }

    /// λ₀ … λ_{K−1}.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// The knots' positions u_k = k/(K − 1).
    pub fn positions(&self) -> Vec<f64> {
        let k = self.values.len() - 1;
        (0..=k).map(|i| i as f64 / k as f64).collect()
    }

    /// Moves knot `i` to `value`, clamped to [−15, 15] and to stay 0.05 inside its neighbours;
    /// returns the value it took.
    pub fn set_clamped(&mut self, i: usize, value: f64) -> Result<f64, Error> {
        let k = self.values.len();
        if i >= k {
            return Err(Error::invalid(
                "knot",
                format!("an index in [0, {}]", k - 1),
                i,
            ));
        }
        if !value.is_finite() {
            return Err(Error::invalid("knot value", "a finite log-SNR", value));
        }
        let hi = if i == 0 {
            LOG_SNR_RANGE.1
        } else {
            self.values[i - 1] - MIN_GAP
        };
        let lo = if i + 1 == k {
            LOG_SNR_RANGE.0
        } else {
            self.values[i + 1] + MIN_GAP
        };
        let v = value.clamp(lo.min(hi), hi);
        self.values[i] = v;
        Ok(v)
    }

    /// λ at u ∈ [0, 1] (linear between knots).
    pub fn at(&self, u: f64) -> f64 {
        let k = self.values.len() - 1;
        let x = u.clamp(0.0, 1.0) * k as f64;
        let j = (x.floor() as usize).min(k - 1);
        let f = x - j as f64;
        self.values[j] + f * (self.values[j + 1] - self.values[j])
    }

    /// The N-step schedule of the curve (see the module docs).
    pub fn schedule(&self, steps: usize) -> Result<BetaSchedule, Error> {
        if !(1..=super::schedule::MAX_STEPS).contains(&steps) {
            return Err(Error::invalid(
                "steps",
                format!("an integer in [1, {}]", super::schedule::MAX_STEPS),
                steps,
            ));
        }
        let lam = |t: usize| {
            let u = if steps > 1 {
                (t - 1) as f64 / (steps - 1) as f64
            } else {
                0.0
            };
            self.at(u)
        };
        let sig = |x: f64| 1.0 / (1.0 + (-x).exp());
        let mut betas = Vec::with_capacity(steps);
        betas.push(sig(-lam(1)));
        for t in 2..=steps {
            let (l, lp) = (lam(t), lam(t - 1));
            betas.push(sig(-l) * -(l - lp).exp_m1());
        }
        BetaSchedule::custom(&betas)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alpha_bar_is_the_sigmoid_of_the_curve_and_drags_are_clamped() {
        let k = LogSnrKnots::default_five();
        for n in [1usize, 2, 7, 1000] {
            let s = k.schedule(n).unwrap();
            // ᾱ is a product of the factors 1 − β_s, each rounded with relative error
            // ≈ ε·(1 + β_s/(1 − β_s)) (the cancellation in 1 − β when β is near 1)
            let mut bound = 0.0;
            for t in 1..=n {
                let u = if n > 1 {
                    (t - 1) as f64 / (n - 1) as f64
                } else {
                    0.0
                };
                let want = 1.0 / (1.0 + (-k.at(u)).exp());
                bound += 4.0 * f64::EPSILON / (1.0 - s.beta(t));
                assert!((s.alpha_bar(t) / want - 1.0).abs() < bound, "{n} {t}");
            }
        }
        let mut k = LogSnrKnots::default_five();
        assert_eq!(k.set_clamped(2, 9.0).unwrap(), 4.0 - MIN_GAP);
        assert_eq!(k.set_clamped(4, -99.0).unwrap(), LOG_SNR_RANGE.0);
        assert!(k.set_clamped(5, 0.0).is_err() && k.set_clamped(0, f64::NAN).is_err());
        assert!(LogSnrKnots::new(&[1.0, 1.0]).is_err());
        assert!(LogSnrKnots::new(&[1.0]).is_err());
        assert!(LogSnrKnots::new(&[16.0, 0.0]).is_err());
    }
}
