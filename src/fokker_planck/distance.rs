//! Distances between a particle histogram and a grid density on the same cells.
//!
//! With P_i = p_i·|cell| the grid's cell masses and p̂_i = c_i/N the particles' fractions:
//!   L1 = Σ_i |p̂_i − P_i| + p̂_out   (the total-variation distance ×2),
//!   KL(p̂ ‖ P) = Σ_i p̂_i log(p̂_i / P_i)   (∞ if a particle lies outside the grid or in a cell
//!   the grid gives no mass: the grid holds all its mass, so that is an honest ∞),
//! and the KL *floor*: its expectation for N exact i.i.d. samples of the grid law, the bias of the
//! plug-in estimator (see `histogram_kl`), which the measured value should be read against.

use crate::histogram_kl::expected_cell_term;

/// The distances between a cloud and a grid density.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GridDistance {
    /// Σ|p̂ − P| + fraction outside, in [0, 2].
    pub l1: f64,
    /// KL(p̂ ‖ P) in nats (may be ∞).
    pub kl: f64,
    /// E(KL) for N exact samples of the grid law.
    pub kl_floor: f64,
    /// Fraction of particles outside the grid.
    pub outside: f64,
}

/// The distances from cell counts (`counts.len()` = number of cells) and cell masses.
pub fn grid_distance(counts: &[u32], outside: u32, mass: &[f64]) -> GridDistance {
    let n: f64 = counts.iter().map(|c| *c as f64).sum::<f64>() + outside as f64;
    if n == 0.0 {
        return GridDistance {
            l1: 0.0,
            kl: 0.0,
            kl_floor: 0.0,
            outside: 0.0,
        };
    }
    let (mut l1, mut kl, mut floor) = (outside as f64 / n, 0.0, 0.0);
    if outside > 0 {
        kl = f64::INFINITY;
    }
    for (c, m) in counts.iter().zip(mass) {
        let q = *c as f64 / n;
        let m = m.max(0.0);
        l1 += (q - m).abs();
        if *c > 0 {
            kl += if m > 0.0 {
                q * (q / m).ln()
            } else {
                f64::INFINITY
            };
        }
        floor += expected_cell_term(n, m);
    }
    GridDistance {
        l1,
        kl,
        kl_floor: floor,
        outside: outside as f64 / n,
    }
}
