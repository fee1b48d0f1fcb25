//! Gaussian mixtures on the line: p(x) = Σₖ wₖ N(x; mₖ, sₖ²).
//!
//! log p by log-sum-exp, the score d/dx log p = Σₖ rₖ(x)(mₖ − x)/sₖ² with responsibilities
//! rₖ = wₖN(x; mₖ, sₖ²)/p(x), and the exact mean and variance (Σwₖmₖ and Σwₖ(sₖ² + mₖ²) − mean²),
//! which are the forward-KL optimum over Gaussians (moment matching).

use crate::error::Error;
use crate::normal::normal_pair;
use crate::rng::SimRng;
use rand::Rng;

const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

/// A 1D Gaussian mixture with normalised weights.
#[derive(Debug, Clone, PartialEq)]
pub struct Mixture1 {
    weights: Vec<f64>,
    means: Vec<f64>,
    sds: Vec<f64>,
}

impl Mixture1 {
    /// From positive weights (normalised here), means in [−1e4, 1e4] and standard deviations in
    /// [1e-6, 1e4] (so that mean ± 10 sd is always a proper interval); 1 to 16 components.
    pub fn new(weights: &[f64], means: &[f64], sds: &[f64]) -> Result<Self, Error> {
        let k = weights.len();
        if k == 0 || k > 16 {
            return Err(Error::invalid("components", "1 to 16 components", k));
        }
        if means.len() != k || sds.len() != k {
            return Err(Error::invalid(
                "means",
                format!("{k} means and {k} widths"),
                format!("{} and {}", means.len(), sds.len()),
            ));
        }
        if let Some(w) = weights.iter().find(|w| !(w.is_finite() && **w > 0.0)) {
            return Err(Error::invalid("weight", "a finite number > 0", w));
        }
        if let Some(m) = means.iter().find(|m| !(m.is_finite() && m.abs() <= 1e4)) {
            return Err(Error::invalid("mean", "a finite number in [−1e4, 1e4]", m));
        }
        if let Some(s) = sds
            .iter()
            .find(|s| !(s.is_finite() && **s >= 1e-6 && **s <= 1e4))
        {
            return Err(Error::invalid(
                "width",
                "a standard deviation in [1e-6, 1e4]",
                s,
            ));
        }
        let total: f64 = weights.iter().sum();
        Ok(Self {
            weights: weights.iter().map(|w| w / total).collect(),
            means: means.to_vec(),
            sds: sds.to_vec(),
        })
    }

    /// w N(−d/2, s²) + (1 − w) N(d/2, s²): two modes `separation` d apart, weight w ∈ (0, 1) on
    /// the left one.
    pub fn two_modes(separation: f64, weight: f64, sd: f64) -> Result<Self, Error> {
        if !(weight.is_finite() && weight > 0.0 && weight < 1.0) {
            return Err(Error::invalid("weight", "a number in (0, 1)", weight));
        }
        Self::new(
            &[weight, 1.0 - weight],
            &[-0.5 * separation, 0.5 * separation],
            &[sd, sd],
        )
    }

    /// Normalised weights.
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }
    /// Component means.
    pub fn means(&self) -> &[f64] {
        &self.means
    }
    /// Component standard deviations.
    pub fn sds(&self) -> &[f64] {
        &self.sds
    }

    /// log p(x).
    pub fn log_density(&self, x: f64) -> f64 {
        let mut max = f64::NEG_INFINITY;
        let mut terms = [0.0f64; 16];
        for k in 0..self.weights.len() {
            let z = (x - self.means[k]) / self.sds[k];
            terms[k] = self.weights[k].ln() - LN_SQRT_2PI - self.sds[k].ln() - 0.5 * z * z;
            max = max.max(terms[k]);
        }
        let s: f64 = terms[..self.weights.len()]
            .iter()
            .map(|t| (t - max).exp())
            .sum();
        max + s.ln()
    }

    /// d/dx log p(x), finite everywhere.
    pub fn score(&self, x: f64) -> f64 {
        let lp = self.log_density(x);
        (0..self.weights.len())
            .map(|k| {
                let z = (x - self.means[k]) / self.sds[k];
                let lk = self.weights[k].ln() - LN_SQRT_2PI - self.sds[k].ln() - 0.5 * z * z;
                (lk - lp).exp() * (self.means[k] - x) / (self.sds[k] * self.sds[k])
            })
            .sum()
    }

    /// Exact mean Σ wₖ mₖ.
    pub fn mean(&self) -> f64 {
        self.weights
            .iter()
            .zip(&self.means)
            .map(|(w, m)| w * m)
            .sum()
    }

    /// Exact variance Σ wₖ (sₖ² + mₖ²) − mean².
    pub fn variance(&self) -> f64 {
        let m = self.mean();
        self.weights
            .iter()
            .zip(&self.means)
            .zip(&self.sds)
            .map(|((w, mk), s)| w * (s * s + (mk - m) * (mk - m)))
            .sum()
    }

    /// An interval holding all but a negligible mass (every component's mean ± 10 sd).
    pub fn support(&self) -> [f64; 2] {
        let lo = self
            .means
            .iter()
            .zip(&self.sds)
            .map(|(m, s)| m - 10.0 * s)
            .fold(f64::INFINITY, f64::min);
        let hi = self
            .means
            .iter()
            .zip(&self.sds)
            .map(|(m, s)| m + 10.0 * s)
            .fold(f64::NEG_INFINITY, f64::max);
        [lo, hi]
    }

    /// One exact sample.
    pub fn sample(&self, rng: &mut SimRng) -> f64 {
        let u = (rng.next_u32() >> 8) as f64 / 16_777_216.0;
        let mut acc = 0.0;
        let mut k = self.weights.len() - 1;
        for (i, w) in self.weights.iter().enumerate() {
            acc += w;
            if u < acc {
                k = i;
                break;
            }
        }
        let (z, _) = normal_pair(rng.next_u32(), rng.next_u32());
        self.means[k] + self.sds[k] * z as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_score_and_density_agree_with_definitions() {
        let p = Mixture1::two_modes(4.0, 0.5, 1.0).unwrap();
        // 0.5 N(−2, 1) + 0.5 N(2, 1): mean 0, variance 1 + 4 = 5
        assert!(p.mean().abs() < 1e-15 && (p.variance() - 5.0).abs() < 1e-14);
        // the curriculum's closed form s(x) = −x/v + (a/v) tanh(ax/v), a = 2, v = 1
        for x in [-3.0f64, -0.7, 0.0, 0.4, 5.0] {
            let want = -x + 2.0 * (2.0 * x).tanh();
            assert!((p.score(x) - want).abs() < 1e-12, "x={x}");
            let h = 1e-5;
            let fd = (p.log_density(x + h) - p.log_density(x - h)) / (2.0 * h);
            assert!((fd - p.score(x)).abs() < 1e-7);
        }
        assert!(p.score(1e3).is_finite() && p.log_density(1e3).is_finite());
        assert!(Mixture1::two_modes(4.0, 1.0, 1.0).is_err());
        assert!(Mixture1::new(&[1.0], &[0.0], &[0.0])
            .unwrap_err()
            .to_string()
            .starts_with("width must be"));
    }
}
