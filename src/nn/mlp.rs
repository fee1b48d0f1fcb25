//! A multilayer perceptron with a hand-written backward pass.
//!
//! Forward (row r of a batch): h₀ = x_r, z_{l+1} = W_l h_l + b_l, h_{l+1} = act(z_{l+1}) for the
//! hidden layers, output = z_L (linear). Backward, given δ_L = ∂loss/∂output per row
//! (Rumelhart, Hinton & Williams 1986):
//!
//!   ∂loss/∂W_l = δ_{l+1}ᵀ H_l,  ∂loss/∂b_l = Σ_rows δ_{l+1},  δ_l = (δ_{l+1} W_l) ⊙ act′(z_l),
//!
//! every product a call of [`gemm`] with its epilogue (bias + activation forward, activation
//! derivative backward). Parameters are f32 in the flat layout of [`Architecture::layout`] (Wᵀ
//! then b per layer); a row-major copy of each W_l (l ≥ 1) is kept for δ_{l+1} W_l so that
//! every kernel reads contiguously. Nothing allocates after construction.

use super::activation::Activation;
use super::architecture::{Architecture, LayerLayout};
use super::gemm::{col_sum, gemm, Epilogue, Strided};
use super::init::{linear_bound, uniform_symmetric};
use super::workspace::Workspace;
use crate::kernel::KernelPath;
use crate::rng::SimRng;

/// A multilayer perceptron (see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct Mlp {
    arch: Architecture,
    layout: Vec<LayerLayout>,
    params: Vec<f32>,
    /// Row-major W_l (fan_out × fan_in) of every layer l ≥ 1, at `w_rows_at[l]`.
    w_rows: Vec<f32>,
    w_rows_at: Vec<usize>,
}

impl Mlp {
    /// A network with PyTorch's default initialisation (see [`super::init`]), drawn in
    /// PyTorch's order: per layer, W row by row, then b.
    pub fn new(arch: Architecture, rng: &mut SimRng) -> Self {
        let mut net = Self::zeros(arch);
        for l in 0..net.layout.len() {
            let ly = net.layout[l];
            let bound = linear_bound(ly.fan_in);
            for o in 0..ly.fan_out {
                for i in 0..ly.fan_in {
                    net.params[ly.wt + i * ly.fan_out + o] = uniform_symmetric(rng, bound);
                }
            }
            for o in 0..ly.fan_out {
                net.params[ly.b + o] = uniform_symmetric(rng, bound);
            }
        }
        net.refresh();
        net
    }

    /// A network whose parameters are all zero.
    pub fn zeros(arch: Architecture) -> Self {
        let layout = arch.layout();
        let mut w_rows_at = vec![0; layout.len()];
        let mut off = 0;
        for (l, ly) in layout.iter().enumerate().skip(1) {
            w_rows_at[l] = off;
            off += ly.fan_in * ly.fan_out;
        }
        Mlp {
            params: vec![0.0; arch.param_count()],
            w_rows: vec![0.0; off],
            w_rows_at,
            layout,
            arch,
        }
    }

    /// The architecture.
    pub fn architecture(&self) -> &Architecture {
        &self.arch
    }

    /// Offsets of every layer in [`Mlp::params`].
    pub fn layout(&self) -> &[LayerLayout] {
        &self.layout
    }

    /// The flat parameters (layout of [`Architecture::layout`]).
    pub fn params(&self) -> &[f32] {
        &self.params
    }

    /// Replaces the flat parameters (same layout); `p.len()` must be the parameter count.
    pub fn set_params(&mut self, p: &[f32]) {
        self.params.copy_from_slice(p);
        self.refresh();
    }

    /// Mutable flat parameters; call [`Mlp::refresh`] after changing them.
    pub(crate) fn params_mut(&mut self) -> &mut [f32] {
        &mut self.params
    }

    /// W_l[o][i] (PyTorch's `weight[o, i]`).
    pub fn weight(&self, l: usize, o: usize, i: usize) -> f32 {
        let ly = self.layout[l];
        self.params[ly.wt + i * ly.fan_out + o]
    }

    /// b_l[o].
    pub fn bias(&self, l: usize, o: usize) -> f32 {
        self.params[self.layout[l].b + o]
    }

    /// Sets W_l[o][i].
    pub fn set_weight(&mut self, l: usize, o: usize, i: usize, v: f32) {
        let ly = self.layout[l];
        self.params[ly.wt + i * ly.fan_out + o] = v;
        self.refresh();
    }

    /// Rebuilds the row-major copies of W_l after the flat parameters changed.
    pub(crate) fn refresh(&mut self) {
        for (l, ly) in self.layout.iter().enumerate().skip(1) {
            let wt = &self.params[ly.wt..ly.wt + ly.fan_in * ly.fan_out];
            let dst =
                &mut self.w_rows[self.w_rows_at[l]..self.w_rows_at[l] + ly.fan_in * ly.fan_out];
            for i in 0..ly.fan_in {
                for o in 0..ly.fan_out {
                    dst[o * ly.fan_in + i] = wt[i * ly.fan_out + o];
                }
            }
        }
    }

    /// The forward pass over the first `rows` input rows of `ws` (rows ≤ capacity); the output is
    /// [`Workspace::output`].
    pub fn forward(&self, path: KernelPath, ws: &mut Workspace, rows: usize) {
        assert!(
            rows >= 1 && rows <= ws.capacity,
            "rows out of the workspace"
        );
        let last = self.layout.len() - 1;
        let act = self.arch.activation();
        for (l, ly) in self.layout.iter().enumerate() {
            let (done, rest) = ws.acts.split_at_mut(l + 1);
            let a = Strided {
                data: &done[l][..rows * ly.fan_in],
                rs: ly.fan_in,
                cs: 1,
            };
            let wt = &self.params[ly.wt..ly.wt + ly.fan_in * ly.fan_out];
            let bias = &self.params[ly.b..ly.b + ly.fan_out];
            let c = &mut rest[0][..rows * ly.fan_out];
            let epi = if l < last {
                Epilogue::BiasAct {
                    bias,
                    act,
                    z: &mut ws.zs[l][..rows * ly.fan_out],
                    g: &mut ws.gs[l][..rows * ly.fan_out],
                }
            } else {
                Epilogue::Bias(bias)
            };
            gemm(path, rows, ly.fan_out, ly.fan_in, a, wt, c, epi);
        }
    }

    /// The backward pass of the last [`Mlp::forward`] over the same `rows`, from ∂loss/∂output in
    /// [`Workspace::output_grad_mut`]; writes ∂loss/∂θ to [`Workspace::grads`].
    pub fn backward(&self, path: KernelPath, ws: &mut Workspace, rows: usize) {
        assert!(
            rows >= 1 && rows <= ws.capacity,
            "rows out of the workspace"
        );
        let act: Activation = self.arch.activation();
        let last = self.layout.len() - 1;
        // δ of layer l's output lives in d_out (l = last) or delta[(last − 1 − l) % 2]
        for l in (0..=last).rev() {
            let ly = self.layout[l];
            let (d0, d1) = ws.delta.split_at_mut(1);
            let (cur, prev): (&[f32], &mut [f32]) = if l == last {
                (&ws.d_out, &mut d0[0])
            } else if (last - 1 - l) % 2 == 0 {
                (&d0[0], &mut d1[0])
            } else {
                (&d1[0], &mut d0[0])
            };
            let cur = &cur[..rows * ly.fan_out];
            let h = Strided {
                data: &ws.acts[l][..rows * ly.fan_in],
                rs: 1,
                cs: ly.fan_in,
            };
            let (gw, gb) = ws.grads[ly.wt..ly.b + ly.fan_out].split_at_mut(ly.fan_in * ly.fan_out);
            gemm(
                path,
                ly.fan_in,
                ly.fan_out,
                rows,
                h,
                cur,
                gw,
                Epilogue::Store,
            );
            col_sum(path, rows, ly.fan_out, cur, gb);
            if l > 0 {
                let w = &self.w_rows[self.w_rows_at[l]..self.w_rows_at[l] + ly.fan_in * ly.fan_out];
                let d = Strided {
                    data: cur,
                    rs: ly.fan_out,
                    cs: 1,
                };
                let epi = Epilogue::ActGrad {
                    z: &ws.zs[l - 1][..rows * ly.fan_in],
                    g: &ws.gs[l - 1][..rows * ly.fan_in],
                    act,
                };
                gemm(
                    path,
                    rows,
                    ly.fan_in,
                    ly.fan_out,
                    d,
                    w,
                    &mut prev[..rows * ly.fan_in],
                    epi,
                );
            }
        }
    }
}
