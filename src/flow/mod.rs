//! Flow matching (notebook section 7): continuous flows from N(0, I) to a 2-D Gaussian mixture.
//!
//! Time convention of the section (curriculum §0.2): **τ = 0 is the noise N(0, I), τ = 1 is the
//! data** (Lipman et al. 2023, arXiv:2210.02747), opposite to the diffusion time t of the SDE
//! section. The conditional optimal-transport path with σ_min = 0 is x_τ = (1 − τ)x₀ + τx₁ and its
//! conditional velocity is x₁ − x₀ (Lipman et al. eq. 20–23 with σ_min = 0).
//!
//! | file | concept |
//! |---|---|
//! | [`velocity`] | the velocity-field trait the integrators use (exact or learned) |
//! | [`cond_ot`] | the exact marginal velocity E[x₁ − x₀ ∣ x_τ] for a mixture target, and p_τ |
//! | [`kernel`] | the f32 particle kernel of both exact fields, scalar and simd128 (bit-identical) |
//! | [`vp_flow`] | the exact probability-flow ODE of the VP SDE on the same data, in τ |
//! | [`integrator`] | Euler, midpoint and Heun over f32 clouds, with kinetic energy and straightness |
//! | [`assignment`] | the exact assignment problem (Hungarian algorithm) for minibatch OT |
//! | [`transport`] | W₂² between Gaussians, the closed-form kinetic energy, discrete OT costs |
//! | [`targets`] | the widgets' data sets (presets and an anisotropic Gaussian) |
//! | [`picture`] | polylines as dots for the trajectory and coupling pictures |
//! | [`paths`] | the two exact flows side by side, and the transport references |
//! | [`quality`] | histogram KL to the data against the number of steps, for both flows |
//! | [`trainer`] | the conditional flow-matching trainer (independent or minibatch-OT coupling) |

pub mod assignment;
pub mod cond_ot;
pub mod integrator;
pub mod kernel;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod kernel_simd128;
pub mod paths;
pub mod picture;
pub mod quality;
pub mod targets;
pub mod trainer;
pub mod transport;
pub mod velocity;
pub mod vp_flow;

pub use cond_ot::CondOtVelocity;
pub use integrator::{OdeIntegrator, OdeMethod};
pub use trainer::{Coupling, FlowConfig, FlowTrainer};
pub use velocity::Velocity;
pub use vp_flow::VpProbabilityFlow;
