//! Preallocated buffers for forward and backward passes over a batch, so a training step never
//! allocates.

use super::architecture::Architecture;

/// Activations, pre-activations, back-propagated gradients and parameter gradients for up to
/// `capacity` rows.
#[derive(Debug, Clone)]
pub struct Workspace {
    pub(crate) capacity: usize,
    /// acts[0] = input (rows × d_0), acts[l] = h_l, acts[L] = output.
    pub(crate) acts: Vec<Vec<f32>>,
    /// zs[l] = pre-activation of hidden layer l + 1 (rows × d_{l+1}), l < L − 1.
    pub(crate) zs: Vec<Vec<f32>>,
    /// gs[l] = the activation's gates (σ(z) for SiLU) of the same layer.
    pub(crate) gs: Vec<Vec<f32>>,
    /// ∂loss/∂output (rows × d_L), written by the caller before `Mlp::backward`.
    pub(crate) d_out: Vec<f32>,
    /// Two ping-pong buffers for ∂loss/∂z of the hidden layers (rows × max hidden width).
    pub(crate) delta: [Vec<f32>; 2],
    /// ∂loss/∂θ in the flat parameter layout.
    pub(crate) grads: Vec<f32>,
}

impl Workspace {
    /// Buffers for `capacity` ≥ 1 rows of a network of architecture `arch`.
    pub fn new(arch: &Architecture, capacity: usize) -> Self {
        let capacity = capacity.max(1);
        let w = arch.widths();
        let acts = w.iter().map(|&d| vec![0.0; capacity * d]).collect();
        let zs: Vec<Vec<f32>> = w[1..w.len() - 1]
            .iter()
            .map(|&d| vec![0.0; capacity * d])
            .collect();
        let gs = zs.clone();
        let hid = arch.max_hidden();
        Workspace {
            capacity,
            acts,
            zs,
            gs,
            d_out: vec![0.0; capacity * arch.output_dim()],
            delta: [vec![0.0; capacity * hid], vec![0.0; capacity * hid]],
            grads: vec![0.0; arch.param_count()],
        }
    }

    /// The number of rows the buffers hold.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The input rows (capacity × d_0), row-major.
    pub fn input_mut(&mut self) -> &mut [f32] {
        &mut self.acts[0]
    }

    /// The input rows.
    pub fn input(&self) -> &[f32] {
        &self.acts[0]
    }

    /// The output rows of the last forward pass (capacity × d_L).
    pub fn output(&self) -> &[f32] {
        self.acts.last().expect("at least two widths")
    }

    /// The output rows and ∂loss/∂output together, for a loss that writes its gradient.
    pub fn output_and_grad_mut(&mut self) -> (&[f32], &mut [f32]) {
        (
            self.acts.last().expect("at least two widths"),
            &mut self.d_out,
        )
    }

    /// ∂loss/∂output, to be filled before a backward pass.
    pub fn output_grad_mut(&mut self) -> &mut [f32] {
        &mut self.d_out
    }

    /// ∂loss/∂θ of the last backward pass, in the flat parameter layout.
    pub fn grads(&self) -> &[f32] {
        &self.grads
    }
}
