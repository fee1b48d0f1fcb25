//! A small neural-network library for score models: multilayer perceptrons with a hand-written
//! backward pass, Adam, PyTorch's default initialisation, a versioned weights file, and a
//! denoising-score-matching trainer.
//!
//! Everything is f32. The matrix kernels ([`gemm`]) have a scalar path and a simd128 path that
//! give bit-identical results (same operations in the same order, no FMA); a training step
//! allocates nothing. Benchmark W2 (`benches/w2.rs`, `www/bench.html`) trains
//! 3 → 128 → 128 → 2 SiLU on the ring of eight Gaussians with [`DsmTrainer`].
//!
//! | file | concept |
//! |---|---|
//! | [`activation`] | SiLU, ReLU and their derivatives |
//! | [`architecture`] | widths, activation, parameter layout |
//! | [`gemm`] | C = epilogue(A·B) and column sums, scalar and simd128 |
//! | [`init`] | PyTorch's `nn.Linear` default initialisation |
//! | [`mlp`] | forward and backward passes |
//! | [`workspace`] | preallocated buffers |
//! | [`adam`] | Adam (PyTorch's formulation) |
//! | [`weights_file`] | binary export and import |
//! | [`dsm`] | the DSM trainer |
//! | [`picture`] | arrows over a density and the error heat map (widget pictures) |
//! | [`score_eval`] | the learned score on points, and its error against the exact score of p_σ |

pub mod activation;
pub mod adam;
pub mod architecture;
pub mod dsm;
pub mod gemm;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod gemm_simd128;
pub mod init;
pub mod input_grad;
pub mod mlp;
pub mod picture;
pub mod score_eval;
pub mod weights_file;
pub mod workspace;

pub use activation::Activation;
pub use adam::Adam;
pub use architecture::Architecture;
pub use dsm::{DsmConfig, DsmTrainer};
pub use mlp::Mlp;
pub use weights_file::WeightsFileError;
pub use workspace::Workspace;
