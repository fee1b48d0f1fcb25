//! Total variation between a particle histogram and the Boltzmann density p_T on a grid.
//!
//! The view box is cut into B × B square cells plus one "outside" cell. The exact probability of
//! every cell, pᵢ = ∫_cell e^{−E/T}/Z_T dx, is computed by 4 × 4-point Gauss–Legendre quadrature
//! per cell with Z_T from [`super::partition`] (the outside cell gets 1 − Σ pᵢ). With p̂ᵢ = cᵢ/N the
//! fraction of particles in cell i, the readout is
//!
//!   TV(p̂, p) = ½ Σᵢ |p̂ᵢ − pᵢ|.
//!
//! Even exact samples give TV > 0: for cells with many expected counts p̂ᵢ is nearly normal with
//! variance pᵢ(1 − pᵢ)/N, so E|p̂ᵢ − pᵢ| ≈ √(2pᵢ(1 − pᵢ)/(πN)). [`BoltzmannHistogram::noise_level`]
//! sums these. The normal approximation is only asymptotic: for cells expecting less than about one
//! particle the exact E|p̂ᵢ − pᵢ| (≈ 2pᵢ when Npᵢ ≪ 1) differs from it, by a factor up to
//! 1/√(2πNpᵢ) too high for very sparse cells and somewhat too low for 0.16 < Npᵢ < 1, so the level
//! is a guide at this resolution rather than an exact expectation.

use super::wells::Wells;
use crate::quadrature::gauss_legendre;

/// Exact cell probabilities of p_T and the TV readout.
#[derive(Debug, Clone, PartialEq)]
pub struct BoltzmannHistogram {
    view: [f64; 4],
    bins: usize,
    probs: Vec<f64>,
    counts: Vec<u32>,
}

impl BoltzmannHistogram {
    /// Cell probabilities of p_T = e^{−E/T − log Z_T} on a `bins` × `bins` grid over `view`.
    pub fn new(wells: &Wells, t: f64, log_z: f64, view: [f64; 4], bins: usize) -> Self {
        let bins = bins.clamp(1, 256);
        let (hx, hy) = (
            (view[1] - view[0]) / bins as f64,
            (view[3] - view[2]) / bins as f64,
        );
        let (gx, gw) = gauss_legendre(4);
        let mut probs = Vec::with_capacity(bins * bins + 1);
        for j in 0..bins {
            for i in 0..bins {
                let (cx, cy) = (
                    view[0] + (i as f64 + 0.5) * hx,
                    view[2] + (j as f64 + 0.5) * hy,
                );
                let mut s = 0.0;
                for (a, wa) in gx.iter().zip(gw) {
                    for (b, wb) in gx.iter().zip(gw) {
                        let x = [cx + 0.5 * hx * a, cy + 0.5 * hy * b];
                        s += wa * wb * (-wells.energy(x) / t - log_z).exp();
                    }
                }
                probs.push(s * 0.25 * hx * hy);
            }
        }
        let inside: f64 = probs.iter().sum();
        probs.push((1.0 - inside).max(0.0));
        BoltzmannHistogram {
            view,
            bins,
            counts: vec![0; probs.len()],
            probs,
        }
    }

    /// The exact cell probabilities (grid cells row by row from the bottom, then outside).
    pub fn probabilities(&self) -> &[f64] {
        &self.probs
    }

    /// TV(p̂, p) of the particles (xs, ys).
    pub fn tv(&mut self, xs: &[f32], ys: &[f32]) -> f64 {
        let b = self.bins;
        self.counts.iter_mut().for_each(|c| *c = 0);
        let (sx, sy) = (
            b as f64 / (self.view[1] - self.view[0]),
            b as f64 / (self.view[3] - self.view[2]),
        );
        for (x, y) in xs.iter().zip(ys) {
            let fx = (*x as f64 - self.view[0]) * sx;
            let fy = (*y as f64 - self.view[2]) * sy;
            let k = if fx >= 0.0 && fy >= 0.0 && fx < b as f64 && fy < b as f64 {
                fy as usize * b + fx as usize
            } else {
                b * b
            };
            self.counts[k] += 1;
        }
        let n = xs.len().max(1) as f64;
        0.5 * self
            .counts
            .iter()
            .zip(&self.probs)
            .map(|(c, p)| (*c as f64 / n - p).abs())
            .sum::<f64>()
    }

    /// ≈ E[TV] of `n` exact samples, ½ Σ √(2pᵢ(1 − pᵢ)/(πn)).
    pub fn noise_level(&self, n: usize) -> f64 {
        let nf = n.max(1) as f64;
        0.5 * self
            .probs
            .iter()
            .map(|p| (2.0 * p * (1.0 - p) / (std::f64::consts::PI * nf)).sqrt())
            .sum::<f64>()
    }
}
