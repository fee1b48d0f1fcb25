//! The shape of a multilayer perceptron: layer widths, the hidden activation, and where each
//! layer's parameters live in the flat parameter vector.
//!
//! Layer l maps h_l ∈ ℝ^{d_l} to z_{l+1} = W_l h_l + b_l (W_l is d_{l+1} × d_l, as in PyTorch's
//! `nn.Linear`); hidden layers apply the activation, the last layer is linear. In the flat vector
//! each layer stores Wᵀ (d_l × d_{l+1}, row-major, so a forward pass reads it contiguously) followed
//! by b.

use super::activation::Activation;
use crate::error::Error;

/// The widest layer allowed.
pub const MAX_WIDTH: usize = 1024;
/// The most layers (linear maps) allowed.
pub const MAX_LAYERS: usize = 8;

/// Widths d_0 (input), d_1, …, d_L (output) and the hidden activation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Architecture {
    widths: Vec<usize>,
    activation: Activation,
}

/// Offsets of one layer in the flat parameter vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayerLayout {
    /// d_l.
    pub fan_in: usize,
    /// d_{l+1}.
    pub fan_out: usize,
    /// Start of Wᵀ (fan_in × fan_out).
    pub wt: usize,
    /// Start of b (fan_out).
    pub b: usize,
}

impl Architecture {
    /// Validates widths (at least input and output, 1 to [`MAX_LAYERS`] layers, each width in
    /// [1, [`MAX_WIDTH`]]).
    pub fn new(widths: &[usize], activation: Activation) -> Result<Self, Error> {
        if widths.len() < 2 || widths.len() > MAX_LAYERS + 1 {
            return Err(Error::invalid(
                "widths",
                format!(
                    "a list of 2 to {} layer widths (input … output)",
                    MAX_LAYERS + 1
                ),
                format!("{} width(s)", widths.len()),
            ));
        }
        if let Some(&w) = widths.iter().find(|&&w| w == 0 || w > MAX_WIDTH) {
            return Err(Error::invalid(
                "widths",
                format!("layer widths in [1, {MAX_WIDTH}]"),
                format!("{w} in {}", format_widths(widths)),
            ));
        }
        Ok(Architecture {
            widths: widths.to_vec(),
            activation,
        })
    }

    /// d_0, …, d_L.
    pub fn widths(&self) -> &[usize] {
        &self.widths
    }

    /// The hidden activation.
    pub fn activation(&self) -> Activation {
        self.activation
    }

    /// The number of linear layers L.
    pub fn layers(&self) -> usize {
        self.widths.len() - 1
    }

    /// d_0.
    pub fn input_dim(&self) -> usize {
        self.widths[0]
    }

    /// d_L.
    pub fn output_dim(&self) -> usize {
        self.widths[self.widths.len() - 1]
    }

    /// The widest hidden layer (0 without hidden layers).
    pub fn max_hidden(&self) -> usize {
        self.widths[1..self.widths.len() - 1]
            .iter()
            .copied()
            .max()
            .unwrap_or(0)
    }

    /// Offsets of every layer.
    pub fn layout(&self) -> Vec<LayerLayout> {
        let mut off = 0;
        self.widths
            .windows(2)
            .map(|w| {
                let l = LayerLayout {
                    fan_in: w[0],
                    fan_out: w[1],
                    wt: off,
                    b: off + w[0] * w[1],
                };
                off += w[0] * w[1] + w[1];
                l
            })
            .collect()
    }

    /// The number of parameters Σ (d_l + 1) d_{l+1}.
    pub fn param_count(&self) -> usize {
        self.widths.windows(2).map(|w| (w[0] + 1) * w[1]).sum()
    }

    /// `3-128-128-2 (silu)`.
    pub fn describe(&self) -> String {
        format!(
            "{} ({})",
            format_widths(&self.widths),
            self.activation.name()
        )
    }
}

fn format_widths(w: &[usize]) -> String {
    w.iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join("-")
}
