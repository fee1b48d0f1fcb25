//! Maximum likelihood for a Gaussian mixture in the plane by expectation–maximisation
//! (Dempster, Laird & Rubin 1977; Bishop 2006, §9.2).
//!
//! With responsibilities r_ik = π_k N(x_i; μ_k, Σ_k) / Σ_j π_j N(x_i; μ_j, Σ_j) (E-step), the
//! M-step sets N_k = Σ_i r_ik, π_k = N_k/n, μ_k = Σ_i r_ik x_i / N_k and
//! Σ_k = Σ_i r_ik (x_i − μ_k)(x_i − μ_k)ᵀ / N_k. Each iteration never decreases the average
//! log-likelihood ℓ = (1/n) Σ_i log Σ_k π_k N(x_i; μ_k, Σ_k).
//!
//! A component that collapses onto one point drives ℓ to +∞ (a degenerate maximum). To exclude it,
//! every covariance is constrained to eigenvalues ≥ λ_min = 10⁻⁴ × (mean per-axis variance of the
//! data): the constrained M-step clips the eigenvalues of the weighted covariance at λ_min, which is
//! the exact maximiser over {Σ ⪰ λ_min I} (same eigenvectors; each eigenvalue's term
//! −½(log λ + s/λ) is maximised at max(s, λ_min)), so monotonicity still holds. Initial means are
//! chosen by k-means++ seeding (Arthur & Vassilvitskii 2007) from a seeded generator.

use crate::error::{check_range, Error};
use crate::gaussian::Gaussian2;
use crate::mixture::GaussianMixture;
use crate::rng::sim_rng;
use rand::Rng;

/// The most components.
pub const MAX_K: usize = 8;
const LN_2PI: f64 = 1.837_877_066_409_345_5;

/// Clips the eigenvalues of a 2×2 SPD matrix (σxx, σxy, σyy) at `floor`.
pub fn clip_eigenvalues(c: [f64; 3], floor: f64) -> [f64; 3] {
    let (a, b, d) = (c[0], c[1], c[2]);
    let tr = 0.5 * (a + d);
    let disc = (0.25 * (a - d) * (a - d) + b * b).sqrt();
    let (l1, l2) = (tr + disc, tr - disc);
    if l2 >= floor {
        return c;
    }
    // eigenvector of l1: (b, l1 − a) or (l1 − d, b), whichever is better conditioned
    let (mut vx, mut vy) = if (l1 - a).abs() + b.abs() > (l1 - d).abs() + b.abs() {
        (b, l1 - a)
    } else {
        (l1 - d, b)
    };
    let n = (vx * vx + vy * vy).sqrt();
    if n == 0.0 {
        // a multiple of the identity
        return [a.max(floor), 0.0, d.max(floor)];
    }
    vx /= n;
    vy /= n;
    let (m1, m2) = (l1.max(floor), l2.max(floor));
    // Σ = m1 v vᵀ + m2 u uᵀ, u ⟂ v
    [
        m1 * vx * vx + m2 * vy * vy,
        (m1 - m2) * vx * vy,
        m1 * vy * vy + m2 * vx * vx,
    ]
}

/// EM for a K-component Gaussian mixture on a fixed data set.
#[derive(Debug, Clone)]
pub struct Em {
    data: Vec<[f64; 2]>,
    k: usize,
    weights: Vec<f64>,
    means: Vec<[f64; 2]>,
    covs: Vec<[f64; 3]>,
    resp: Vec<f64>,
    floor: f64,
    loglik: f64,
    history: Vec<f64>,
}

impl Em {
    /// K ∈ [1, 8] components on `data` (at least K distinct-enough points; all finite), seeded.
    pub fn new(data: Vec<[f64; 2]>, k: usize, seed: u64) -> Result<Self, Error> {
        check_range("components", k as f64, 1.0, MAX_K as f64, false)?;
        if data.len() < k.max(2) {
            return Err(Error::invalid(
                "samples",
                format!("at least {} points for {k} components", k.max(2)),
                data.len(),
            ));
        }
        if data.iter().any(|p| !(p[0].is_finite() && p[1].is_finite())) {
            return Err(Error::invalid(
                "samples",
                "finite points",
                "a non-finite point",
            ));
        }
        let n = data.len() as f64;
        let mean = data
            .iter()
            .fold([0.0, 0.0], |a, p| [a[0] + p[0] / n, a[1] + p[1] / n]);
        let mut cov = [0.0; 3];
        for p in &data {
            let (dx, dy) = (p[0] - mean[0], p[1] - mean[1]);
            cov = [
                cov[0] + dx * dx / n,
                cov[1] + dx * dy / n,
                cov[2] + dy * dy / n,
            ];
        }
        let floor = 1e-4 * 0.5 * (cov[0] + cov[2]).max(1e-300);
        // k-means++: first centre uniform, then each next ∝ squared distance to the nearest centre
        let mut rng = sim_rng(seed);
        let pick = |rng: &mut crate::rng::SimRng| {
            ((rng.next_u32() as u64 * data.len() as u64) >> 32) as usize
        };
        let mut means = vec![data[pick(&mut rng)]];
        let mut d2: Vec<f64> = data
            .iter()
            .map(|p| (p[0] - means[0][0]).powi(2) + (p[1] - means[0][1]).powi(2))
            .collect();
        while means.len() < k {
            let total: f64 = d2.iter().sum();
            let next = if total > 0.0 {
                let u = (rng.next_u32() as f64 + 0.5) / 4_294_967_296.0 * total;
                let mut acc = 0.0;
                let mut idx = data.len() - 1;
                for (i, d) in d2.iter().enumerate() {
                    acc += d;
                    if acc >= u {
                        idx = i;
                        break;
                    }
                }
                idx
            } else {
                pick(&mut rng)
            };
            let c = data[next];
            for (d, p) in d2.iter_mut().zip(&data) {
                *d = d.min((p[0] - c[0]).powi(2) + (p[1] - c[1]).powi(2));
            }
            means.push(c);
        }
        let start = clip_eigenvalues(cov, floor);
        let mut em = Em {
            resp: vec![0.0; data.len() * k],
            data,
            k,
            weights: vec![1.0 / k as f64; k],
            means,
            covs: vec![start; k],
            floor,
            loglik: f64::NAN,
            history: vec![],
        };
        em.e_step();
        em.history.push(em.loglik);
        Ok(em)
    }

    /// Responsibilities and the average log-likelihood of the current parameters.
    fn e_step(&mut self) {
        let k = self.k;
        // per component: log π_k − log 2π − ½ log det Σ_k and the precision entries
        let consts: Vec<(f64, [f64; 3], [f64; 2])> = (0..k)
            .map(|j| {
                let c = self.covs[j];
                let det = c[0] * c[2] - c[1] * c[1];
                (
                    self.weights[j].ln() - LN_2PI - 0.5 * det.ln(),
                    [c[2] / det, -c[1] / det, c[0] / det],
                    self.means[j],
                )
            })
            .collect();
        let mut total = 0.0;
        for (i, x) in self.data.iter().enumerate() {
            let r = &mut self.resp[i * k..(i + 1) * k];
            let mut max = f64::NEG_INFINITY;
            for (v, (c0, p, m)) in r.iter_mut().zip(&consts) {
                let (dx, dy) = (x[0] - m[0], x[1] - m[1]);
                *v = c0 - 0.5 * (p[0] * dx * dx + 2.0 * p[1] * dx * dy + p[2] * dy * dy);
                max = max.max(*v);
            }
            let mut s = 0.0;
            for v in r.iter_mut() {
                *v = (*v - max).exp();
                s += *v;
            }
            let inv = 1.0 / s;
            for v in r.iter_mut() {
                *v *= inv;
            }
            total += max + s.ln();
        }
        self.loglik = total / self.data.len() as f64;
    }

    /// One EM iteration (M-step with the current responsibilities, then the E-step of the new
    /// parameters); afterwards [`Em::loglik`] is the average log-likelihood of the new parameters.
    pub fn step(&mut self) {
        let (k, n) = (self.k, self.data.len() as f64);
        // one pass for every component's weighted sums, centred on the previous means (so that
        // Σ r (x − c)(x − c)ᵀ/N − (m − c)(m − c)ᵀ keeps its precision)
        let mut acc = vec![[0.0f64; 6]; k];
        for (i, x) in self.data.iter().enumerate() {
            let r = &self.resp[i * k..(i + 1) * k];
            for j in 0..k {
                let (dx, dy) = (x[0] - self.means[j][0], x[1] - self.means[j][1]);
                let a = &mut acc[j];
                let rj = r[j];
                a[0] += rj;
                a[1] += rj * dx;
                a[2] += rj * dy;
                a[3] += rj * dx * dx;
                a[4] += rj * dx * dy;
                a[5] += rj * dy * dy;
            }
        }
        for j in 0..k {
            let [nk, sx, sy, sxx, sxy, syy] = acc[j];
            if nk < 1e-10 {
                // an empty component keeps its place with a (vanishing) weight
                self.weights[j] = nk / n;
                continue;
            }
            let (mx, my) = (sx / nk, sy / nk);
            let c = [sxx / nk - mx * mx, sxy / nk - mx * my, syy / nk - my * my];
            self.weights[j] = nk / n;
            self.means[j] = [self.means[j][0] + mx, self.means[j][1] + my];
            self.covs[j] = clip_eigenvalues(c, self.floor);
        }
        let total: f64 = self.weights.iter().sum();
        for w in &mut self.weights {
            *w = (*w / total).max(1e-300);
        }
        self.e_step();
        self.history.push(self.loglik);
    }

    /// Average training log-likelihood of the current parameters.
    pub fn loglik(&self) -> f64 {
        self.loglik
    }
    /// Average training log-likelihood after 0, 1, 2, … iterations.
    pub fn history(&self) -> &[f64] {
        &self.history
    }
    /// Iterations done.
    pub fn iterations(&self) -> usize {
        self.history.len() - 1
    }
    /// Components K.
    pub fn components(&self) -> usize {
        self.k
    }
    /// The eigenvalue floor λ_min.
    pub fn floor(&self) -> f64 {
        self.floor
    }
    /// The data.
    pub fn data(&self) -> &[[f64; 2]] {
        &self.data
    }

    /// The fitted mixture (components with vanishing weight are dropped).
    pub fn mixture(&self) -> Result<GaussianMixture, Error> {
        let mut w = Vec::new();
        let mut comps = Vec::new();
        for j in 0..self.k {
            if self.weights[j] > 1e-12 {
                let c = self.covs[j];
                w.push(self.weights[j]);
                comps.push(Gaussian2::new(self.means[j], c[0], c[1], c[2])?);
            }
        }
        GaussianMixture::new(&w, comps)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipping_keeps_eigenvectors_and_raises_small_eigenvalues() {
        // Σ = R diag(4, 0.001) Rᵀ with a 30° rotation; floor 0.1 → R diag(4, 0.1) Rᵀ
        let (c, s) = (30f64.to_radians().cos(), 30f64.to_radians().sin());
        let mk = |l1: f64, l2: f64| {
            [
                l1 * c * c + l2 * s * s,
                (l1 - l2) * c * s,
                l1 * s * s + l2 * c * c,
            ]
        };
        let got = clip_eigenvalues(mk(4.0, 0.001), 0.1);
        let want = mk(4.0, 0.1);
        for i in 0..3 {
            assert!((got[i] - want[i]).abs() < 1e-12, "{got:?} vs {want:?}");
        }
        assert_eq!(clip_eigenvalues([2.0, 0.5, 1.0], 0.1), [2.0, 0.5, 1.0]);
        assert_eq!(clip_eigenvalues([0.01, 0.0, 0.01], 0.1), [0.1, 0.0, 0.1]);
    }
}
