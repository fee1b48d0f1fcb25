//! KL divergence between a particle histogram and the exact density, on a grid.
//!
//! The view box is cut into B − 1 square cells plus one "outside" cell. The exact probability of
//! every cell, pᵢ = ∫_cell p(x) dx, is computed by 4×4-point Gauss–Legendre quadrature per cell
//! (and the outside cell gets 1 − Σ pᵢ). With p̂ᵢ = cᵢ/N the fraction of particles in cell i, the
//! readout is the plug-in estimator
//!
//!   KL(p̂ ‖ p) = Σᵢ p̂ᵢ log(p̂ᵢ / pᵢ).
//!
//! It is biased upwards: even N exact i.i.d. samples give E[KL(p̂‖p)] ≈ (B − 1)/(2N) for cells
//! with many expected counts (the χ²/(2N) limit of the multinomial), and less for sparsely
//! populated cells. [`HistogramKl::floor`] computes that expectation cell by cell (a Poisson sum
//! for cells expecting ≤ 200 particles, the (1 − pᵢ)/(2N) limit above), so the widget can show
//! "what exact samples would score" beside the measured value. Only values well above the
//! floor mean the particles are not yet distributed as p (or that the discretisation biases them).

use crate::mixture::GaussianMixture;
use crate::particles::Particles;
use crate::quadrature::gauss_legendre;

/// Exact cell probabilities of a target on a grid, and the KL readout against a cloud.
#[derive(Debug, Clone, PartialEq)]
pub struct HistogramKl {
    view: [f64; 4],
    bins: usize,
    /// bins² cell probabilities (row-major, y up), then the outside probability.
    exact: Vec<f64>,
    counts: Vec<u32>,
}

impl HistogramKl {
    /// Cell probabilities of `p` on a `bins` × `bins` grid over `view` = [x0, x1, y0, y1].
    pub fn new(p: &GaussianMixture, view: [f64; 4], bins: usize) -> Self {
        let (hx, hy) = (
            (view[1] - view[0]) / bins as f64,
            (view[3] - view[2]) / bins as f64,
        );
        let mut exact = Vec::with_capacity(bins * bins + 1);
        for j in 0..bins {
            for i in 0..bins {
                let (cx, cy) = (
                    view[0] + (i as f64 + 0.5) * hx,
                    view[2] + (j as f64 + 0.5) * hy,
                );
                let mut s = 0.0;
                let (gl_x, gl_w) = gauss_legendre(4);
                for (a, wa) in gl_x.iter().zip(gl_w) {
                    for (b, wb) in gl_x.iter().zip(gl_w) {
                        s += wa * wb * p.density([cx + 0.5 * hx * a, cy + 0.5 * hy * b]);
                    }
                }
                exact.push(s * 0.25 * hx * hy);
            }
        }
        let inside: f64 = exact.iter().sum();
        exact.push((1.0 - inside).max(0.0));
        HistogramKl {
            view,
            bins,
            counts: vec![0; exact.len()],
            exact,
        }
    }

    /// Number of cells B (grid cells plus the outside cell).
    pub fn cells(&self) -> usize {
        self.exact.len()
    }

    /// The exact cell probabilities (grid cells, then the outside cell).
    pub fn exact(&self) -> &[f64] {
        &self.exact
    }

    /// Bins the cloud; returns the plug-in KL(p̂ ‖ p) in nats.
    pub fn kl(&mut self, particles: &Particles) -> f64 {
        self.counts.iter_mut().for_each(|c| *c = 0);
        let b = self.bins;
        let (sx, sy) = (
            b as f64 / (self.view[1] - self.view[0]),
            b as f64 / (self.view[3] - self.view[2]),
        );
        let outside = b * b;
        for (x, y) in particles.xs.iter().zip(&particles.ys) {
            let fx = (*x as f64 - self.view[0]) * sx;
            let fy = (*y as f64 - self.view[2]) * sy;
            let cell = if fx >= 0.0 && fy >= 0.0 && fx < b as f64 && fy < b as f64 {
                fy as usize * b + fx as usize
            } else {
                outside
            };
            self.counts[cell] += 1;
        }
        let n = particles.len() as f64;
        self.counts
            .iter()
            .zip(&self.exact)
            .filter(|(c, _)| **c > 0)
            .map(|(c, p)| {
                let q = *c as f64 / n;
                q * (q / p.max(1e-300)).ln()
            })
            .sum()
    }

    /// E[KL(p̂ ‖ p)] for `n` exact i.i.d. samples: the estimator's bias, its value at perfection.
    pub fn floor(&self, n: usize) -> f64 {
        let nf = n as f64;
        self.exact.iter().map(|&p| expected_cell_term(nf, p)).sum()
    }
}

/// E[(c/N) log(c/(Np))] for c ~ Binomial(N, p): exact Poisson(λ = Np) sum for λ ≤ 200, else the
/// asymptotic (1 − p)/(2N) (the next term is O(1/(Nλ)), below 1/(200 N) per cell).
pub(crate) fn expected_cell_term(n: f64, p: f64) -> f64 {
    let lambda = n * p;
    if lambda <= 0.0 {
        return 0.0;
    }
    if lambda > 200.0 {
        return (1.0 - p) / (2.0 * n);
    }
    let cmax = (lambda + 12.0 * lambda.sqrt() + 30.0) as u64;
    let mut log_pmf = -lambda; // log P(c = 0)
    let mut s = 0.0;
    for c in 1..=cmax {
        let cf = c as f64;
        log_pmf += lambda.ln() - cf.ln();
        s += log_pmf.exp() * cf * (cf / lambda).ln();
    }
    s / n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presets::preset;
    use crate::rng::sim_rng;

    #[test]
    fn cell_probabilities_sum_to_one_and_match_a_gaussian_box() {
        let p = preset("gaussian").unwrap();
        let h = HistogramKl::new(&p, [-4.0, 4.0, -4.0, 4.0], 32);
        assert!((h.exact().iter().sum::<f64>() - 1.0).abs() < 1e-12);
        // P(|x| < 4, |y| < 4) for N(0, I) = erf(4/√2)² = (1 − 6.334e-5)² (exact to 1e-9)
        let inside: f64 = h.exact()[..1024].iter().sum();
        assert!(
            (inside - (1.0 - 6.334_248_4e-5f64).powi(2)).abs() < 1e-8,
            "{inside}"
        );
    }

    #[test]
    fn exact_samples_score_the_floor_on_average() {
        let p = preset("ring8").unwrap();
        let mut h = HistogramKl::new(&p, p.view_box(), 32);
        let mut rng = sim_rng(5);
        let (n, reps) = (20_000usize, 30);
        let mut vals = vec![];
        for _ in 0..reps {
            let mut c = Particles::default();
            for _ in 0..n {
                let x = p.sample(&mut rng);
                c.xs.push(x[0] as f32);
                c.ys.push(x[1] as f32);
            }
            vals.push(h.kl(&c));
        }
        let mean = vals.iter().sum::<f64>() / reps as f64;
        let sd = (vals.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (reps - 1) as f64).sqrt();
        let floor = h.floor(n);
        // the mean of 30 replicates has SE sd/√30; allow 4 SE plus 3 % for the Poisson
        // approximation of the binomial cell counts
        let tol = 4.0 * sd / (reps as f64).sqrt() + 0.03 * floor;
        assert!(
            (mean - floor).abs() < tol,
            "mean {mean} floor {floor} tol {tol}"
        );
        // and the floor is far below the naive (B − 1)/(2N) since most cells are nearly empty
        assert!(floor < (h.cells() - 1) as f64 / (2.0 * n as f64));
    }

    #[test]
    fn a_wrong_cloud_scores_far_above_the_floor() {
        let p = preset("ring8").unwrap();
        let mut h = HistogramKl::new(&p, p.view_box(), 32);
        let c = Particles::normal(20_000, [0.0, 0.0], 3.0, 1);
        assert!(h.kl(&c) > 20.0 * h.floor(20_000));
    }
}
