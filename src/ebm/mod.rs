//! Energy-based models in the plane: a mixture-of-wells energy, its Boltzmann density at
//! temperature T and partition function by quadrature, the curse of dimensionality of grids,
//! Langevin sampling without Z, and maximum-likelihood training with exact references.
//!
//! p_T(x) = e^{−E(x)/T} / Z_T,   Z_T = ∫ e^{−E(x)/T} dx                     (Boltzmann form)
//! ∇_θ E_{p_data}[−log p_θ] = E_{p_data}[∇_θE_θ] − E_{p_θ}[∇_θE_θ]          (two phases)
//!
//! | file | concept |
//! |---|---|
//! | [`wells`] | the energy E, ∇ₓE, ∇_θE, closed forms at T = 1 |
//! | [`partition`] | log Z_T by adaptive Gauss–Legendre quadrature with an error bar; well masses |
//! | [`curse`] | grid points needed for a target accuracy, measured in 2D, exact for d/2 copies |
//! | [`histogram`] | TV between a particle histogram and p_T, with its sampling-noise level |
//! | [`sampler`] | overdamped Langevin (ULA) on p_T, f32 particles |
//! | [`trainer`] | the training state machine: positive/negative phase, CD-k, PCD, Adam/SGD, exact gradient |
//! | [`picture`], [`charts`] | RGBA pictures of energies/densities/samples; line charts |
//!
//! Source: notebook section "Energy-based models" (`www/index.html#ebm`); Hinton (2002) for
//! contrastive divergence, Tieleman (2008) for persistent chains.

pub mod charts;
pub mod curse;
pub mod histogram;
pub mod partition;
pub mod picture;
pub mod sampler;
pub mod trainer;
pub mod wells;

pub use partition::{boltzmann_quadrature, BoltzmannQuadrature};
pub use sampler::WellsLangevin;
pub use trainer::{ChainMode, EbmTrainer, TrainerConfig};
pub use wells::{Well, Wells};
