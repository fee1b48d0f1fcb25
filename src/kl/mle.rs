//! Maximum likelihood from samples, judged against the known truth.
//!
//! n training samples and 10 000 held-out samples are drawn from a known 2D mixture p (two
//! independent streams of one seed). A fitted model q̂ is scored three ways:
//! * the average log-likelihood on the training and on the held-out samples, (1/n) Σ log q̂(xᵢ): the
//!   first is what maximum likelihood maximises, the second estimates E_p[log q̂];
//! * the true D_KL(p‖q̂) = −H(p) − E_p[log q̂], both terms by grid quadrature (the same rule as
//!   [`super::gaussian_fit::mixture2_entropy`]), so the cross-entropy −E_p[log q̂] = D_KL + H(p)
//!   can be shown split into its two parts.
//!
//! Since E[held-out average] = E_p[log q̂] = −H(p) − D_KL(p‖q̂) ≤ −H(p), −H(p) is the ceiling that
//! no model beats on fresh data; the training average can exceed it when q̂ overfits.
//! The Gaussian maximum-likelihood fit is closed form: the sample mean and the biased sample
//! covariance (1/n) Σ (xᵢ − x̄)(xᵢ − x̄)ᵀ.

use super::em::clip_eigenvalues;
use super::gaussian_fit::mixture2_box;
use crate::error::{check_range, Error};
use crate::gaussian::Gaussian2;
use crate::mixture::GaussianMixture;
use crate::quadrature::Rule2;
use crate::rng::sim_rng_stream;

/// Size of the held-out set.
pub const HELD_OUT: usize = 10_000;
/// The most training samples.
pub const MAX_SAMPLES: usize = 100_000;

/// Samples of a known target, with the quadrature needed to score fits exactly.
#[derive(Debug, Clone)]
pub struct MleSamples {
    p: GaussianMixture,
    train: Vec<[f64; 2]>,
    test: Vec<[f64; 2]>,
    entropy_p: f64,
    /// Quadrature nodes carrying non-negligible p-mass, with weights wᵢ p(xᵢ).
    nodes: Vec<([f64; 2], f64)>,
}

/// The maximum-likelihood Gaussian: sample mean and biased sample covariance (eigenvalues floored
/// at 10⁻⁹ × the per-axis variance, so that identical points still give a valid density).
pub fn gaussian_mle(points: &[[f64; 2]]) -> Result<Gaussian2, Error> {
    if points.len() < 2 {
        return Err(Error::invalid("samples", "at least 2 points", points.len()));
    }
    let n = points.len() as f64;
    let m = points
        .iter()
        .fold([0.0, 0.0], |a, p| [a[0] + p[0] / n, a[1] + p[1] / n]);
    let mut c = [0.0; 3];
    for p in points {
        let (dx, dy) = (p[0] - m[0], p[1] - m[1]);
        c = [c[0] + dx * dx / n, c[1] + dx * dy / n, c[2] + dy * dy / n];
    }
    let floor = (1e-9 * 0.5 * (c[0] + c[2])).max(1e-12);
    let c = clip_eigenvalues(c, floor);
    // clipping can leave det/(σxx σyy) below Gaussian2's conditioning margin only for
    // near-singular data; widen the floor until it is accepted
    let mut f = floor;
    loop {
        let cc = clip_eigenvalues(c, f);
        match Gaussian2::new(m, cc[0], cc[1], cc[2]) {
            Ok(g) => return Ok(g),
            Err(e) if f > 1e6 => return Err(e),
            Err(_) => f *= 10.0,
        }
    }
}

/// The average of log q(xᵢ) over `points`.
pub fn avg_loglik(q: &GaussianMixture, points: &[[f64; 2]]) -> f64 {
    points.iter().map(|&x| q.log_density(x)).sum::<f64>() / points.len().max(1) as f64
}

impl MleSamples {
    /// n ∈ [10, 100 000] training samples and 10 000 held-out samples of `p`, from `seed`.
    pub fn draw(p: GaussianMixture, n: usize, seed: u64) -> Result<Self, Error> {
        check_range("samples", n as f64, 10.0, MAX_SAMPLES as f64, false)?;
        let mut r_train = sim_rng_stream(seed, 11);
        let mut r_test = sim_rng_stream(seed, 12);
        let train = (0..n).map(|_| p.sample(&mut r_train)).collect();
        let test = (0..HELD_OUT).map(|_| p.sample(&mut r_test)).collect();
        // every component's mean ± 8 sd (truncation below e^{−32}), 96² cells of 2×2 points: the
        // cell width is 1/96 of the box, ≥ 1/6 sd of the widest component, i.e. σ/3 on ring8 and
        // ≈ 0.5σ of the narrow axis on two-modes; the 2-point rule's error on a cell is
        // h⁵f⁗/4320 per axis, below 1e-4 relative at h = σ/2, under the 4 digits shown
        let rule = Rule2::new(mixture2_box(&p), 96, 2)?;
        let mut nodes = Vec::new();
        let mut entropy_p = 0.0;
        rule.for_each(|x, w| {
            let lp = p.log_density(x);
            let wp = w * lp.exp();
            if wp > 1e-14 {
                nodes.push((x, wp));
                entropy_p -= wp * lp;
            }
        });
        Ok(Self {
            p,
            train,
            test,
            entropy_p,
            nodes,
        })
    }

    /// New samples of the same target (n ∈ [10, 100 000], another seed), reusing the quadrature.
    pub fn resample(&self, n: usize, seed: u64) -> Result<Self, Error> {
        check_range("samples", n as f64, 10.0, MAX_SAMPLES as f64, false)?;
        let mut r_train = sim_rng_stream(seed, 11);
        let mut r_test = sim_rng_stream(seed, 12);
        Ok(Self {
            p: self.p.clone(),
            train: (0..n).map(|_| self.p.sample(&mut r_train)).collect(),
            test: (0..HELD_OUT).map(|_| self.p.sample(&mut r_test)).collect(),
            entropy_p: self.entropy_p,
            nodes: self.nodes.clone(),
        })
    }

    /// The target.
    pub fn target(&self) -> &GaussianMixture {
        &self.p
    }
    /// Training samples.
    pub fn train(&self) -> &[[f64; 2]] {
        &self.train
    }
    /// Held-out samples.
    pub fn test(&self) -> &[[f64; 2]] {
        &self.test
    }
    /// H(p) by quadrature.
    pub fn entropy_p(&self) -> f64 {
        self.entropy_p
    }
    /// The cross-entropy −E_p[log q] by quadrature.
    pub fn cross_entropy(&self, q: &GaussianMixture) -> f64 {
        -self
            .nodes
            .iter()
            .map(|&(x, wp)| wp * q.log_density(x))
            .sum::<f64>()
    }
    /// The true D_KL(p‖q) = cross-entropy − H(p).
    pub fn true_kl(&self, q: &GaussianMixture) -> f64 {
        self.cross_entropy(q) - self.entropy_p
    }
}
