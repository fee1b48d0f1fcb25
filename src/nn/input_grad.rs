//! ∂loss/∂input of the last backward pass: the vector–Jacobian product vᵀ ∂f/∂x of the network.
//!
//! [`super::Mlp::backward`] stops at δ₁ = ∂loss/∂z₁ (the first layer's pre-activation) because
//! training needs no input gradient. One more product gives it (Rumelhart, Hinton & Williams
//! 1986): ∂loss/∂x_r = δ₁,r W₀, i.e. out[r, i] = Σ_o δ₁[r, o] W₀[o, i]. With ∂loss/∂output = v this
//! is the vector–Jacobian product vᵀ ∂f/∂x used by likelihood guidance (Rozet & Louppe 2023, eq. 14
//! differentiates through the denoiser in the same way).

use super::mlp::Mlp;
use super::workspace::Workspace;

/// Writes ∂loss/∂input (rows × d₀, row-major) of the last [`Mlp::backward`] over the same `rows`
/// into `out` (no allocation). Panics when `out` is shorter than rows × d₀ (internal callers size it).
pub fn input_gradient(net: &Mlp, ws: &Workspace, rows: usize, out: &mut [f32]) {
    assert!(
        rows >= 1 && rows <= ws.capacity,
        "rows out of the workspace"
    );
    let ly = net.layout()[0];
    let last = net.layout().len() - 1;
    let delta: &[f32] = if last == 0 {
        &ws.d_out
    } else {
        &ws.delta[(last - 1) % 2]
    };
    let wt = &net.params()[ly.wt..ly.wt + ly.fan_in * ly.fan_out];
    for r in 0..rows {
        let d = &delta[r * ly.fan_out..(r + 1) * ly.fan_out];
        for i in 0..ly.fan_in {
            let w = &wt[i * ly.fan_out..(i + 1) * ly.fan_out];
            out[r * ly.fan_in + i] = d.iter().zip(w).map(|(a, b)| a * b).sum();
        }
    }
}
