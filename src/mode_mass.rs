//! The share of a particle cloud held by each mode of a Gaussian mixture.
//!
//! A particle belongs to the component with the largest responsibility
//! rₖ(x) ∝ wₖ N(x; μₖ, Σₖ) (the Bayes classifier of the mixture). For well-separated modes the
//! shares of exact samples are the weights wₖ up to the overlap mass, so comparing the shares of a
//! sampler's cloud with the weights shows whether it has mixed between the modes (Song & Ermon
//! 2019, §3.2). Particles with a non-finite coordinate belong to no mode.

use crate::mixture::GaussianMixture;
use crate::particles::Particles;

/// Writes the share of `particles` in each component of `target` into `out` (length K);
/// returns the number of particles assigned.
pub fn mode_shares_into(target: &GaussianMixture, particles: &Particles, out: &mut [f64]) -> usize {
    let k = target.len().min(out.len());
    out.iter_mut().for_each(|v| *v = 0.0);
    let logw: Vec<f64> = target.weights().iter().map(|w| w.ln()).collect();
    let mut assigned = 0;
    for (x, y) in particles.xs.iter().zip(&particles.ys) {
        if !(x.is_finite() && y.is_finite()) {
            continue;
        }
        let p = [*x as f64, *y as f64];
        let mut best = (0, f64::NEG_INFINITY);
        for (j, c) in target.components().iter().enumerate().take(k) {
            let l = logw[j] + c.log_density(p);
            if l > best.1 {
                best = (j, l);
            }
        }
        out[best.0] += 1.0;
        assigned += 1;
    }
    let n = particles.len().max(1) as f64;
    out.iter_mut().for_each(|v| *v /= n);
    assigned
}

/// The share of `particles` in each component of `target`.
pub fn mode_shares(target: &GaussianMixture, particles: &Particles) -> Vec<f64> {
    let mut out = vec![0.0; target.len()];
    mode_shares_into(target, particles, &mut out);
    out
}
