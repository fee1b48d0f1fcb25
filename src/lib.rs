//! # scorebook
//!
//! The Rust core of an interactive notebook on the mathematics of diffusion models. Everything
//! that is mathematics or randomness lives here and is tested natively; the `web` module (compiled
//! only for `wasm32`) is the one place that knows about JavaScript and the DOM.
//!
//! | module | what it implements | notebook section |
//! |---|---|---|
//! | [`rng`], [`normal`], [`fastmath`] | portable seeded generators, Box–Muller normals, f32 `exp`/`ln`/`sin`/`cos` | all |
//! | [`gaussian`], [`mixture`], [`presets`], [`drawn_target`] | exact log-density and score of Gaussian mixtures and of p ∗ N(0, σ²I) | score, Langevin |
//! | [`particles`], [`kernel`], [`langevin`] | f32 structure-of-arrays clouds; the unadjusted Langevin step, scalar and simd128 | Langevin |
//! | [`mala`] | the Metropolis-adjusted Langevin algorithm (MALA), scalar and simd128 | Langevin |
//! | [`sgld`] | stochastic-gradient Langevin dynamics on a conjugate Gaussian posterior | Langevin |
//! | [`annealed`], [`mode_mass`] | annealed Langevin over a geometric σ schedule (NCSN); the share of a cloud in each mode | Langevin |
//! | [`boltzmann`] | a fully visible Boltzmann machine: exact enumeration, Gibbs sampling, exact / CD-k / PCD training | EBM |
//! | [`ebm`] | mixture-of-wells energies, Z_T by quadrature, curse of dimensionality, Langevin on p_T, EBM training with exact gradients | EBM |
//! | [`kl`] | closed-form and quadrature KL, forward/reverse Gaussian fits, EM, maximum likelihood against the truth | KL |
//! | [`flow`] | flow matching: the exact marginal velocity of the conditional OT path to a mixture, the VP probability flow, Euler/midpoint/Heun, minibatch OT (Hungarian), the CFM trainer | flow matching |
//! | [`nn`] | MLPs with a hand-written backward pass, Adam, weights file, simd128 GEMM; the denoising-score-matching trainer (benchmark W2) | score |
//! | [`score`] | score-field geometry (Jacobian, critical points, line integral), the smoothed ring, Tweedie and the exact posterior mean, ESM/ISM/DSM/SSM of an affine model, sliced projections | score |
//! | [`quadrature`] | composite Gauss–Legendre rules in 1D and 2D, log-sum-exp integrals | KL, EBM |
//! | [`weighted_histogram`] | a 1-D histogram of weighted samples read as a density (SGLD chains) | Langevin |
//! | [`score_langevin`], [`cloud_vs_exact`] | annealed Langevin / ULA with the exact or a learned score (one sampler over a score trait); far share and score error of a cloud | Langevin |
//! | [`stats`], [`histogram_kl`] | sample moments; KL between a particle histogram and the exact density on a grid | Langevin, KL |
//! | [`ddpm`], [`sde`], [`fokker_planck`] | β schedules (linear, cosine, drawn log-SNR), the prior gap KL(q(x_T) ‖ N(0, I)), the ε-prediction trainer; VP/VE/sub-VP/OU SDEs and exact mixture marginals; forward, reverse (free c), Heun, predictor–corrector, ancestral and DDIM samplers; Fokker–Planck grids; probability-flow likelihood; OU thermodynamics | DDPM, SDE |
//! | [`ddpm`], [`sde`], [`fokker_planck`] | β schedules, VP/VE/sub-VP/OU SDEs and exact mixture marginals; forward, reverse (free c), Heun, predictor–corrector, ancestral and DDIM samplers; Fokker–Planck grids; probability-flow likelihood; OU thermodynamics | DDPM, SDE |
//! | [`sda`] | score-based data assimilation: exact, Tweedie-approximate and naive guidance in 1D; Lorenz-63, observation operators, bootstrap particle filter, sliced Wasserstein | SDA |
//! | [`viewport`], [`raster`], [`chart`], [`chart_multi`] | data ↔ pixel mapping; density heatmaps and particle clouds rasterised to RGBA; axes | all widgets |
//! | [`chart_mapped`] | a chart on fixed (log or linear) axes returning its pixel ↔ data map, for draggable points | DDPM |
#![warn(missing_docs)]

pub mod annealed;
pub mod boltzmann;
pub mod chart;
pub mod chart_mapped;
pub mod chart_multi;
pub mod cloud_vs_exact;
pub mod ddpm;
pub mod drawn_target;
pub mod ebm;
pub mod error;
pub mod fastmath;
pub mod flow;
pub mod fokker_planck;
pub mod gaussian;
pub mod histogram_kl;
pub mod kernel;
pub mod kl;
pub mod langevin;
pub mod mala;
pub mod mixture;
pub mod mode_mass;
pub mod nn;
pub mod normal;
pub mod particles;
pub mod presets;
pub mod quadrature;
pub mod raster;
pub mod rng;
pub mod score;
pub mod score_langevin;
pub mod sda;
pub mod sde;
pub mod sgld;
pub mod stats;
pub mod viewport;
pub mod weighted_histogram;

#[cfg(target_arch = "wasm32")]
pub mod web;

pub use error::Error;
