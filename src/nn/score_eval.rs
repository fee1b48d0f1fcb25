//! Reading a noise-conditional score network s_θ(x, σ) = output(x₁, x₂, log σ)/σ, and measuring
//! it against the exact score of p_σ = p ∗ N(0, σ²I) (a Gaussian mixture, so its score is exact:
//! [`GaussianMixture::noised`]).
//!
//! The relative error is E_{x∼p_σ}‖s_θ(x, σ) − ∇log p_σ(x)‖² / E_{x∼p_σ}‖∇log p_σ(x)‖², both
//! expectations estimated on the same n exact samples of p_σ from a fixed seed.

use super::mlp::Mlp;
use super::workspace::Workspace;
use crate::error::{check_range, Error};
use crate::kernel::KernelPath;
use crate::mixture::GaussianMixture;
use crate::normal::normal_pair;
use crate::rng::sim_rng_stream;
use rand::Rng;

/// The smallest and largest σ at which a score is evaluated.
pub const SIGMA_RANGE: (f64, f64) = (1e-4, 100.0);

/// Checks an evaluation σ.
pub fn check_sigma(sigma: f64) -> Result<f64, Error> {
    check_range("sigma", sigma, SIGMA_RANGE.0, SIGMA_RANGE.1, false)
}

/// s_θ at the points (xs[i], ys[i]) for one σ, written as (out[2i], out[2i+1]). The network's
/// input must be (x₁, x₂, log σ) and its output 2-dimensional.
#[allow(clippy::too_many_arguments)]
pub fn learned_score(
    net: &Mlp,
    path: KernelPath,
    ws: &mut Workspace,
    xs: &[f32],
    ys: &[f32],
    sigma: f64,
    out: &mut [f32],
) -> Result<(), Error> {
    check_sigma(sigma)?;
    let a = net.architecture();
    if a.input_dim() != 3 || a.output_dim() != 2 {
        return Err(Error::invalid(
            "widths",
            "a network with 3 inputs (x₁, x₂, log σ) and 2 outputs",
            a.describe(),
        ));
    }
    let n = xs.len();
    if ys.len() != n || out.len() != 2 * n {
        return Err(Error::invalid(
            "points",
            "xs and ys of equal length n and an output of length 2n",
            format!("{} xs, {} ys, {} outputs", n, ys.len(), out.len()),
        ));
    }
    let ls = sigma.ln() as f32;
    let inv = (1.0 / sigma) as f32;
    let cap = ws.capacity();
    let mut start = 0;
    while start < n {
        let rows = cap.min(n - start);
        {
            let inp = ws.input_mut();
            for r in 0..rows {
                inp[3 * r] = xs[start + r];
                inp[3 * r + 1] = ys[start + r];
                inp[3 * r + 2] = ls;
            }
        }
        net.forward(path, ws, rows);
        let o = ws.output();
        for (d, s) in out[2 * start..2 * (start + rows)].iter_mut().zip(&o[..2 * rows]) {
            *d = s * inv;
        }
        start += rows;
    }
    Ok(())
}

/// Relative mean squared error of s_θ(·, σ) against ∇log p_σ on `n` exact samples of p_σ drawn
/// from `seed` (see the module docs), and the mean square E‖∇log p_σ‖² it is relative to.
#[allow(clippy::too_many_arguments)]
pub fn relative_error(
    net: &Mlp,
    path: KernelPath,
    ws: &mut Workspace,
    data: &GaussianMixture,
    sigma: f64,
    n: usize,
    seed: u64,
    scratch: &mut Vec<f32>,
) -> Result<(f64, f64), Error> {
    check_sigma(sigma)?;
    if !(1..=1_000_000).contains(&n) {
        return Err(Error::invalid("samples", "an integer in [1, 1000000]", n));
    }
    let noised = data.noised(sigma)?;
    let mut rng = sim_rng_stream(seed, 7);
    scratch.clear();
    scratch.resize(4 * n, 0.0);
    let (pts, out) = scratch.split_at_mut(2 * n);
    let (xs, ys) = pts.split_at_mut(n);
    let mut exact = Vec::with_capacity(n);
    for i in 0..n {
        let x = data.sample(&mut rng);
        let (z1, z2) = normal_pair(rng.next_u32(), rng.next_u32());
        let p = [x[0] + sigma * z1 as f64, x[1] + sigma * z2 as f64];
        xs[i] = p[0] as f32;
        ys[i] = p[1] as f32;
        exact.push(noised.score([xs[i] as f64, ys[i] as f64]));
    }
    learned_score(net, path, ws, xs, ys, sigma, out)?;
    let (mut num, mut den) = (0.0f64, 0.0f64);
    for (i, e) in exact.iter().enumerate() {
        let dx = out[2 * i] as f64 - e[0];
        let dy = out[2 * i + 1] as f64 - e[1];
        num += dx * dx + dy * dy;
        den += e[0] * e[0] + e[1] * e[1];
    }
    Ok((num / den, den / n as f64))
}
