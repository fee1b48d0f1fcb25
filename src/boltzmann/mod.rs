//! A fully visible Boltzmann machine on D ≤ 16 binary units, small enough to enumerate.
//!
//! The model (Ackley, Hinton & Sejnowski 1985) is the exponential family
//!
//!   q_θ(s) = e^{−E_θ(s)} / Z_θ,   E_θ(s) = −Σ_{i<j} W_ij s_i s_j − Σ_i b_i s_i,   s ∈ {0, 1}^D,
//!
//! with sufficient statistics φ(s) = (s_i s_j for i < j, then s_i), so E_θ(s) = −θ·φ(s). Because
//! 2^D ≤ 65 536 states can be listed, Z_θ, the log-likelihood of a data set and its gradient
//!
//!   ∇_θ ⟨log q_θ⟩_p = −⟨∇_θE⟩_p + ⟨∇_θE⟩_{q_θ} = ⟨φ⟩_p − ⟨φ⟩_{q_θ}
//!
//! (data correlations minus model correlations) are all exact. Contrastive divergence (Hinton
//! 2002) and persistent contrastive divergence (Tieleman 2008) replace ⟨φ⟩_{q_θ} by an average
//! over Gibbs chains; here they can be compared with the exact gradient at every update.
//!
//! Sign: ∇_θ KL(p‖q_θ) = −∇_θ⟨log q_θ⟩_p = ⟨∇_θE⟩_p − ⟨∇_θE⟩_{q_θ}, so descent on the KL lowers
//! the energy of the data and raises it where the model puts mass. One of the course sources
//! prints this gradient and its update rule with the opposite overall sign, which would climb the
//! KL; `tests/boltzmann.rs` checks the sign.
//!
//! | file | concept |
//! |---|---|
//! | [`machine`] | parameters, energy, conditional field, exact enumeration of Z and ⟨φ⟩_q |
//! | [`patterns`] | the data: a multiset of binary patterns, presets, ⟨φ⟩_p and H(p) |
//! | [`gibbs`] | single-site Gibbs sweeps |
//! | [`trainer`] | one update of the exact, CD-k and PCD learning rules, with exact diagnostics |
//! | [`view`] | the figure: pattern rows and coupling matrices (plotters) |

pub mod gibbs;
pub mod machine;
pub mod patterns;
pub mod trainer;
pub mod view;

pub use machine::{BoltzmannMachine, Enumeration, MAX_UNITS};
pub use patterns::PatternSet;
pub use trainer::{Method, Trainer};
