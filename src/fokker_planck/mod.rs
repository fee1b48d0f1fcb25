//! Fokker–Planck equations on 1D and 2D grids: conservative finite volumes with zero-flux
//! boundaries and Scharfetter–Gummel fluxes (positivity kept, mass conserved to round-off,
//! the discrete Langevin equilibrium exactly stationary), and distances between a particle
//! histogram and a grid density.
//!
//! | file | what |
//! |---|---|
//! | [`flux`] | the Bernoulli function and the face coefficients (SG; upwind for D = 0, or MUSCL–minmod in 2D) |
//! | [`grid1d`] | ∂p/∂t = −∂ₓ(u p) + D ∂ₓ²p on an interval |
//! | [`grid2d`] | ∂p/∂t = −∇·(u p) + D Δp on a rectangle |
//! | [`sde_density`] | the forward, reverse (noise level c) and probability-flow densities of a linear SDE from a mixture |
//! | [`distance`] | L1 and KL between a particle histogram and the grid law, with the KL floor |

pub mod distance;
pub mod flux;
pub mod grid1d;
pub mod grid2d;
pub mod sde_density;

pub use distance::GridDistance;
pub use grid1d::FokkerPlanck1d;
pub use grid2d::{Advection, FokkerPlanck2d};
pub use sde_density::{FpDirection, SdeDensity2d};
