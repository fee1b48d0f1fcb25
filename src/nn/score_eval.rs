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
        for (d, s) in out[2 * start..2 * (start + rows)]
            .iter_mut()
            .zip(&o[..2 * rows])
        {
            *d = s * inv;
        }
        start += rows;
    }
    Ok(())
}

/// The nodes of an nx × ny grid over the box [x0, x1] × [y0, y1] (both ends included; row j =
/// y₀ + j·Δy, the x index running fastest), as coordinate arrays.
pub fn grid_nodes(view: [f64; 4], nx: usize, ny: usize) -> Result<(Vec<f32>, Vec<f32>), Error> {
    if !(2..=1024).contains(&nx) || !(2..=1024).contains(&ny) {
        return Err(Error::invalid(
            "grid",
            "nx and ny in [2, 1024]",
            format!("{nx} × {ny}"),
        ));
    }
    let [x0, x1, y0, y1] = view;
    if !(view.iter().all(|v| v.is_finite()) && x1 > x0 && y1 > y0) {
        return Err(Error::invalid(
            "view",
            "a finite box [x0, x1, y0, y1] with x0 < x1 and y0 < y1",
            format!("{view:?}"),
        ));
    }
    let mut xs = Vec::with_capacity(nx * ny);
    let mut ys = Vec::with_capacity(nx * ny);
    for j in 0..ny {
        for i in 0..nx {
            xs.push((x0 + (x1 - x0) * i as f64 / (nx - 1) as f64) as f32);
            ys.push((y0 + (y1 - y0) * j as f64 / (ny - 1) as f64) as f32);
        }
    }
    Ok((xs, ys))
}

/// A fixed evaluation set for one σ: n exact samples of p_σ and the exact score there.
#[derive(Debug, Clone)]
pub struct EvalSet {
    sigma: f64,
    xs: Vec<f32>,
    ys: Vec<f32>,
    exact: Vec<[f64; 2]>,
    mean_square: f64,
    out: Vec<f32>,
}

impl EvalSet {
    /// `n` ∈ [1, 10⁶] samples x = x₀ + σz of p_σ (x₀ from the mixture's exact sampler) from `seed`.
    pub fn new(data: &GaussianMixture, sigma: f64, n: usize, seed: u64) -> Result<Self, Error> {
        check_sigma(sigma)?;
        if !(1..=1_000_000).contains(&n) {
            return Err(Error::invalid("samples", "an integer in [1, 1000000]", n));
        }
        let noised = data.noised(sigma)?;
        let mut rng = sim_rng_stream(seed, 7);
        let (mut xs, mut ys, mut exact) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        let mut ms = 0.0;
        for _ in 0..n {
            let x = data.sample(&mut rng);
            let (z1, z2) = normal_pair(rng.next_u32(), rng.next_u32());
            let (px, py) = (
                (x[0] + sigma * z1 as f64) as f32,
                (x[1] + sigma * z2 as f64) as f32,
            );
            let e = noised.score([px as f64, py as f64]);
            ms += e[0] * e[0] + e[1] * e[1];
            xs.push(px);
            ys.push(py);
            exact.push(e);
        }
        Ok(EvalSet {
            sigma,
            xs,
            ys,
            exact,
            mean_square: ms / n as f64,
            out: vec![0.0; 2 * n],
        })
    }

    /// σ.
    pub fn sigma(&self) -> f64 {
        self.sigma
    }

    /// E‖∇log p_σ‖² on the set.
    pub fn mean_square(&self) -> f64 {
        self.mean_square
    }

    /// Σ‖s_θ − ∇log p_σ‖² / Σ‖∇log p_σ‖² on the set.
    pub fn relative_error(
        &mut self,
        net: &Mlp,
        path: KernelPath,
        ws: &mut Workspace,
    ) -> Result<f64, Error> {
        learned_score(net, path, ws, &self.xs, &self.ys, self.sigma, &mut self.out)?;
        let num: f64 = self
            .exact
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let dx = self.out[2 * i] as f64 - e[0];
                let dy = self.out[2 * i + 1] as f64 - e[1];
                dx * dx + dy * dy
            })
            .sum();
        Ok(num / (self.mean_square * self.exact.len() as f64))
    }
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
) -> Result<(f64, f64), Error> {
    let mut set = EvalSet::new(data, sigma, n, seed)?;
    Ok((set.relative_error(net, path, ws)?, set.mean_square()))
}
