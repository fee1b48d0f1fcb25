//! The sliced Wasserstein distance between two equally sized sample sets in ℝᵈ.
//!
//! Rabin, Peyré, Delon & Bernot (2011); Bonneel et al. (2015): project both sets on random unit
//! directions θ (uniform on the sphere), where optimal transport in 1D matches sorted samples,
//! and average: SW_p(μ, ν)^p = E_θ[W_p(θ#μ, θ#ν)^p] with W_p(a, b)^p = (1/n) Σ |a₍ᵢ₎ − b₍ᵢ₎|^p.
//! For ν = μ shifted by m, every projection is shifted by θ·m, so SW₂² = E(θ·m)² = |m|²/d and
//! SW₁ = |m| E|θ₁| = |m| Γ(d/2)/(√π Γ((d+1)/2)).

use crate::error::Error;
use crate::normal::normal_pair;
use crate::rng::{counter_u32, sim_rng_stream, StepKey};

/// SW_p (p = 1 or 2) between `a` and `b`, each n points of dimension `dim` stored row-major,
/// with `projections` random directions drawn from `seed`.
pub fn sliced_wasserstein(
    a: &[f64],
    b: &[f64],
    dim: usize,
    projections: usize,
    p: u32,
    seed: u64,
) -> Result<f64, Error> {
    if dim == 0 || a.len() % dim != 0 || b.len() % dim != 0 {
        return Err(Error::invalid(
            "dimension",
            "a positive divisor of both sample arrays' lengths",
            dim,
        ));
    }
    if a.len() != b.len() || a.is_empty() {
        return Err(Error::invalid(
            "samples",
            "two non-empty sets of the same size",
            format!("{} and {} points", a.len() / dim, b.len() / dim),
        ));
    }
    if projections == 0 || projections > 100_000 {
        return Err(Error::invalid("projections", "1 to 100 000", projections));
    }
    if p != 1 && p != 2 {
        return Err(Error::invalid("p", "1 or 2", p));
    }
    let n = a.len() / dim;
    let mut rng = sim_rng_stream(seed, 0x5e);
    let (mut pa, mut pb) = (vec![0.0; n], vec![0.0; n]);
    let mut theta = vec![0.0; dim];
    let mut total = 0.0;
    for _ in 0..projections {
        let key = StepKey::draw(&mut rng);
        let mut norm = 0.0;
        for (c, t) in theta.iter_mut().enumerate() {
            *t = normal_pair(counter_u32(c as u32, key.k0), counter_u32(c as u32, key.k1)).0 as f64;
            norm += *t * *t;
        }
        let inv = 1.0 / norm.sqrt().max(1e-300);
        theta.iter_mut().for_each(|t| *t *= inv);
        for i in 0..n {
            pa[i] = (0..dim).map(|c| theta[c] * a[i * dim + c]).sum();
            pb[i] = (0..dim).map(|c| theta[c] * b[i * dim + c]).sum();
        }
        pa.sort_unstable_by(|x, y| x.total_cmp(y));
        pb.sort_unstable_by(|x, y| x.total_cmp(y));
        let w: f64 = pa
            .iter()
            .zip(&pb)
            .map(|(x, y)| {
                if p == 1 {
                    (x - y).abs()
                } else {
                    (x - y) * (x - y)
                }
            })
            .sum::<f64>()
            / n as f64;
        total += w;
    }
    let mean = total / projections as f64;
    Ok(if p == 1 { mean } else { mean.sqrt() })
}
