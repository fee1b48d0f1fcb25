//! The mixture-of-wells energy in the plane and its derivatives.
//!
//! With K wells of centre cₖ ∈ ℝ², depth aₖ ∈ ℝ and width wₖ > 0 (1 ≤ K ≤ 16),
//!
//!   lₖ(x) = aₖ − ‖x − cₖ‖² / (2wₖ²),     E(x) = −log Σₖ exp lₖ(x)          (a smooth minimum),
//!
//! and at temperature T > 0 the Boltzmann density is p_T(x) = e^{−E(x)/T} / Z_T. Deeper wells
//! (larger aₖ) and wider wells hold more probability. With the responsibilities
//! rₖ(x) = softmaxₖ lₖ(x) (computed with the log-sum-exp shift, so finite everywhere):
//!
//!   ∇ₓE(x) = Σₖ rₖ(x) (x − cₖ)/wₖ²,              the score is ∇ₓ log p_T = −∇ₓE / T,
//!   ∂E/∂cₖ = −rₖ (x − cₖ)/wₖ²,  ∂E/∂aₖ = −rₖ,  ∂E/∂sₖ = −rₖ ‖x − cₖ‖²/wₖ²   (sₖ = log wₖ).
//!
//! The trainable parameters are θ = (cₖₓ, cₖᵧ, aₖ, sₖ)ₖ, four per well, in that order; learning
//! the log-width keeps the width positive. At T = 1, e^{−E} = Σₖ e^{aₖ} e^{−‖x−cₖ‖²/(2wₖ²)} is an
//! unnormalised Gaussian mixture, so Z₁ = Σₖ e^{aₖ} 2πwₖ² in closed form (a check for the
//! quadrature); for T ≠ 1 only a single well has a closed form, Z_T = e^{a/T} 2πw²T.

use crate::error::{check_range, Error};

/// Most wells of an energy.
pub const MAX_WELLS: usize = 16;
/// Trainable parameters per well: centre x, centre y, depth, log-width.
pub const PARAMS_PER_WELL: usize = 4;
/// Largest |centre coordinate| accepted.
pub const MAX_CENTRE: f64 = 1000.0;
/// Depths are limited to [−MAX_DEPTH, MAX_DEPTH].
pub const MAX_DEPTH: f64 = 100.0;
/// Widths are limited to [MIN_WIDTH, MAX_WIDTH].
pub const MAX_WIDTH: f64 = 100.0;
/// The narrowest well: far below anything drawable (the view is ~10 units wide), but wide enough
/// that quadrature breakpoints and Langevin steps stay representable in f64/f32.
pub const MIN_WIDTH: f64 = 1e-3;
/// Temperatures are limited to [MIN_TEMPERATURE, MAX_TEMPERATURE].
pub const MIN_TEMPERATURE: f64 = 0.01;
/// See [`MIN_TEMPERATURE`].
pub const MAX_TEMPERATURE: f64 = 100.0;

/// Validates a temperature T.
pub fn check_temperature(t: f64) -> Result<f64, Error> {
    check_range("temperature", t, MIN_TEMPERATURE, MAX_TEMPERATURE, false)
}

/// One well: centre, depth and width.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Well {
    /// Centre cₖ.
    pub centre: [f64; 2],
    /// Depth aₖ (the well's log-weight).
    pub depth: f64,
    /// Width wₖ > 0 (the standard deviation of the well's Gaussian bump at T = 1).
    pub width: f64,
}

impl Well {
    /// A validated well.
    pub fn new(centre: [f64; 2], depth: f64, width: f64) -> Result<Self, Error> {
        if !centre
            .iter()
            .all(|c| c.is_finite() && c.abs() <= MAX_CENTRE)
        {
            return Err(Error::invalid(
                "centre",
                format!("a pair of finite numbers in [-{MAX_CENTRE}, {MAX_CENTRE}]"),
                format!("({}, {})", centre[0], centre[1]),
            ));
        }
        check_range("depth", depth, -MAX_DEPTH, MAX_DEPTH, false)?;
        check_range("width", width, MIN_WIDTH, MAX_WIDTH, false)?;
        Ok(Well {
            centre,
            depth,
            width,
        })
    }
}

/// The energy E(x) = −log Σₖ exp(aₖ − ‖x − cₖ‖²/(2wₖ²)).
#[derive(Debug, Clone, PartialEq)]
pub struct Wells {
    wells: Vec<Well>,
}

/// Validates a well count.
fn check_count(k: usize) -> Result<(), Error> {
    if (1..=MAX_WELLS).contains(&k) {
        Ok(())
    } else {
        Err(Error::invalid(
            "wells",
            format!("a list of 1 to {MAX_WELLS} wells"),
            format!("{k} wells"),
        ))
    }
}

impl Wells {
    /// An energy from 1 to 16 wells.
    pub fn new(wells: Vec<Well>) -> Result<Self, Error> {
        check_count(wells.len())?;
        Ok(Wells { wells })
    }

    /// From a flat array [x₀, y₀, a₀, w₀, x₁, …] (4 numbers per well).
    pub fn from_flat(flat: &[f64]) -> Result<Self, Error> {
        if flat.len() % 4 != 0 {
            return Err(Error::invalid(
                "wells",
                "4 numbers (x, y, depth, width) per well",
                format!("{} numbers", flat.len()),
            ));
        }
        check_count(flat.len() / 4)?;
        let wells = flat
            .chunks_exact(4)
            .map(|c| Well::new([c[0], c[1]], c[2], c[3]))
            .collect::<Result<Vec<_>, _>>()?;
        Self::new(wells)
    }

    /// From trainable parameters θ = [cx₀, cy₀, a₀, s₀ = log w₀, …].
    pub fn from_params(theta: &[f64]) -> Result<Self, Error> {
        if theta.len() % PARAMS_PER_WELL != 0 {
            return Err(Error::invalid(
                "parameters",
                "4 numbers (cx, cy, depth, log-width) per well",
                format!("{} numbers", theta.len()),
            ));
        }
        let flat: Vec<f64> = theta
            .chunks_exact(PARAMS_PER_WELL)
            .flat_map(|c| [c[0], c[1], c[2], c[3].exp()])
            .collect();
        Self::from_flat(&flat)
    }

    /// The parameters θ = [cx₀, cy₀, a₀, log w₀, …] written into `out` (cleared first).
    pub fn params_into(&self, out: &mut Vec<f64>) {
        out.clear();
        for w in &self.wells {
            out.extend_from_slice(&[w.centre[0], w.centre[1], w.depth, w.width.ln()]);
        }
    }

    /// Overwrites the wells from θ without validation or allocation (the trainer keeps θ in
    /// range itself). The length of θ must be 4 × the number of wells.
    pub fn set_params_unchecked(&mut self, theta: &[f64]) {
        for (w, c) in self
            .wells
            .iter_mut()
            .zip(theta.chunks_exact(PARAMS_PER_WELL))
        {
            w.centre = [c[0], c[1]];
            w.depth = c[2];
            w.width = c[3].exp();
        }
    }

    /// The flat array [x₀, y₀, a₀, w₀, …].
    pub fn flat(&self) -> Vec<f64> {
        self.wells
            .iter()
            .flat_map(|w| [w.centre[0], w.centre[1], w.depth, w.width])
            .collect()
    }

    /// The wells.
    pub fn wells(&self) -> &[Well] {
        &self.wells
    }
    /// Number of wells.
    pub fn len(&self) -> usize {
        self.wells.len()
    }
    /// Always false (there is at least one well).
    pub fn is_empty(&self) -> bool {
        self.wells.is_empty()
    }
    /// Number of trainable parameters, 4K.
    pub fn n_params(&self) -> usize {
        PARAMS_PER_WELL * self.wells.len()
    }

    /// Replaces well `k`.
    pub fn set_well(&mut self, k: usize, well: Well) -> Result<(), Error> {
        if k >= self.wells.len() {
            return Err(Error::invalid(
                "well",
                format!("an index in [0, {}]", self.wells.len() - 1),
                k,
            ));
        }
        self.wells[k] = well;
        Ok(())
    }

    /// Adds a well (at most 16).
    pub fn push(&mut self, well: Well) -> Result<(), Error> {
        check_count(self.wells.len() + 1)?;
        self.wells.push(well);
        Ok(())
    }

    /// Removes well `k` (at least one must remain).
    pub fn remove(&mut self, k: usize) -> Result<(), Error> {
        if k >= self.wells.len() {
            return Err(Error::invalid(
                "well",
                format!("an index in [0, {}]", self.wells.len() - 1),
                k,
            ));
        }
        check_count(self.wells.len() - 1)?;
        self.wells.remove(k);
        Ok(())
    }

    /// The logits lₖ(x) into `out`; returns their maximum.
    #[inline]
    fn logits(&self, x: [f64; 2], out: &mut [f64; MAX_WELLS]) -> f64 {
        let mut m = f64::NEG_INFINITY;
        for (k, w) in self.wells.iter().enumerate() {
            let (dx, dy) = (x[0] - w.centre[0], x[1] - w.centre[1]);
            out[k] = w.depth - (dx * dx + dy * dy) / (2.0 * w.width * w.width);
            m = m.max(out[k]);
        }
        m
    }

    /// The largest logit maxₖ lₖ(x); E(x) ∈ [−max − log K, −max].
    #[inline]
    pub fn max_logit(&self, x: [f64; 2]) -> f64 {
        let mut m = f64::NEG_INFINITY;
        for w in &self.wells {
            let (dx, dy) = (x[0] - w.centre[0], x[1] - w.centre[1]);
            m = m.max(w.depth - (dx * dx + dy * dy) / (2.0 * w.width * w.width));
        }
        m
    }

    /// Responsibilities rₖ(x) into `out` (they sum to 1); returns E(x). Terms more than 40
    /// below the largest logit (relative weight < 5e-18, below f64 resolution of the sum) are
    /// set to 0 without calling `exp`.
    #[inline]
    pub fn responsibilities(&self, x: [f64; 2], out: &mut [f64; MAX_WELLS]) -> f64 {
        let m = self.logits(x, out);
        let mut s = 0.0;
        for r in out[..self.len()].iter_mut() {
            let d = *r - m;
            *r = if d < -40.0 { 0.0 } else { d.exp() };
            s += *r;
        }
        for r in out[..self.len()].iter_mut() {
            *r /= s;
        }
        -(m + s.ln())
    }

    /// E(x).
    pub fn energy(&self, x: [f64; 2]) -> f64 {
        let mut l = [0.0; MAX_WELLS];
        let m = self.logits(x, &mut l);
        let s: f64 = l[..self.len()]
            .iter()
            .map(|v| if v - m < -40.0 { 0.0 } else { (v - m).exp() })
            .sum();
        -(m + s.ln())
    }

    /// ∇ₓE(x).
    pub fn grad_x(&self, x: [f64; 2]) -> [f64; 2] {
        let mut r = [0.0; MAX_WELLS];
        self.responsibilities(x, &mut r);
        let mut g = [0.0; 2];
        for (k, w) in self.wells.iter().enumerate() {
            let p = r[k] / (w.width * w.width);
            g[0] += p * (x[0] - w.centre[0]);
            g[1] += p * (x[1] - w.centre[1]);
        }
        g
    }

    /// E(x), and ∇_θE(x) (4 per well) added, times `scale`, to `acc`.
    #[inline]
    pub fn accumulate_grad_theta(&self, x: [f64; 2], scale: f64, acc: &mut [f64]) -> f64 {
        let mut r = [0.0; MAX_WELLS];
        let e = self.responsibilities(x, &mut r);
        for (k, (w, g)) in self
            .wells
            .iter()
            .zip(acc.chunks_exact_mut(PARAMS_PER_WELL))
            .enumerate()
        {
            let inv_w2 = 1.0 / (w.width * w.width);
            let (dx, dy) = (x[0] - w.centre[0], x[1] - w.centre[1]);
            let rs = r[k] * scale;
            g[0] -= rs * dx * inv_w2;
            g[1] -= rs * dy * inv_w2;
            g[2] -= rs;
            g[3] -= rs * (dx * dx + dy * dy) * inv_w2;
        }
        e
    }

    /// ∇_θE(x) written into `out` (length 4K); returns E(x).
    pub fn grad_theta(&self, x: [f64; 2], out: &mut [f64]) -> f64 {
        out.iter_mut().for_each(|v| *v = 0.0);
        self.accumulate_grad_theta(x, 1.0, out)
    }

    /// log Z₁ = log Σₖ e^{aₖ} 2πwₖ², exact at T = 1.
    pub fn log_z_unit_temperature(&self) -> f64 {
        let terms: Vec<f64> = self
            .wells
            .iter()
            .map(|w| w.depth + (2.0 * std::f64::consts::PI * w.width * w.width).ln())
            .collect();
        let m = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        m + terms.iter().map(|t| (t - m).exp()).sum::<f64>().ln()
    }

    /// log Z_T in closed form where one exists: T = 1 (any K) or a single well (any T).
    pub fn log_z_closed_form(&self, t: f64) -> Option<f64> {
        if t == 1.0 {
            Some(self.log_z_unit_temperature())
        } else if self.len() == 1 {
            let w = self.wells[0];
            Some(w.depth / t + (2.0 * std::f64::consts::PI * w.width * w.width * t).ln())
        } else {
            None
        }
    }

    /// The well shares ∫ p₁ rₖ = e^{aₖ}2πwₖ²/Z₁ at T = 1 (exact; they sum to 1).
    pub fn shares_unit_temperature(&self) -> Vec<f64> {
        let lz = self.log_z_unit_temperature();
        self.wells
            .iter()
            .map(|w| (w.depth + (2.0 * std::f64::consts::PI * w.width * w.width).ln() - lz).exp())
            .collect()
    }

    /// Scale of well k at temperature T: the standard deviation wₖ√T of its bump in p_T.
    pub fn scale(&self, k: usize, t: f64) -> f64 {
        self.wells[k].width * t.sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_names_the_parameter() {
        assert!(Well::new([0.0, f64::NAN], 0.0, 1.0)
            .unwrap_err()
            .to_string()
            .starts_with("centre"));
        assert!(Well::new([0.0, 0.0], 0.0, 0.0)
            .unwrap_err()
            .to_string()
            .starts_with("width"));
        assert!(Well::new([0.0, 0.0], f64::INFINITY, 1.0)
            .unwrap_err()
            .to_string()
            .starts_with("depth"));
        assert!(Wells::new(vec![])
            .unwrap_err()
            .to_string()
            .starts_with("wells"));
        assert!(Wells::from_flat(&[0.0; 17 * 4]).is_err());
        assert!(Wells::from_flat(&[0.0, 0.0, 0.0]).is_err());
        assert!(check_temperature(0.0)
            .unwrap_err()
            .to_string()
            .starts_with("temperature"));
        let mut w = Wells::from_flat(&[0.0, 0.0, 0.0, 1.0]).unwrap();
        assert!(w.remove(0).is_err(), "the last well cannot be removed");
    }

    #[test]
    fn energy_is_a_smooth_minimum_and_finite_far_away() {
        let w = Wells::from_flat(&[-1.0, 0.0, 0.5, 0.7, 2.0, 1.0, -0.3, 1.2]).unwrap();
        // E ≤ min of the single-well energies −lₖ, and ≥ that minimum − log K
        for x in [[0.0, 0.0], [-1.0, 0.1], [3.0, -2.0]] {
            let single: Vec<f64> = w
                .wells()
                .iter()
                .map(|k| {
                    let d2 = (x[0] - k.centre[0]).powi(2) + (x[1] - k.centre[1]).powi(2);
                    -(k.depth - d2 / (2.0 * k.width * k.width))
                })
                .collect();
            let m = single.iter().copied().fold(f64::INFINITY, f64::min);
            let e = w.energy(x);
            assert!(e <= m + 1e-12 && e >= m - 2f64.ln() - 1e-12);
        }
        let far = w.grad_x([1e4, -1e4]);
        assert!(far[0].is_finite() && far[1].is_finite() && w.energy([1e4, -1e4]).is_finite());
    }
}
