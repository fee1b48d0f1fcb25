//! KL divergence and maximum likelihood (notebook section 1).
//!
//!   D_KL(p‖q) = ∫ p log(p/q) dx = E_p[log p − log q] ≥ 0,
//!
//! with equality iff p = q almost everywhere; it is +∞ when q vanishes on a set where p has mass.
//! Writing it as −H(p) − E_p[log q] shows why minimising the forward KL over q, with p known only
//! through samples, is maximum likelihood: H(p) does not depend on q.
//!
//! | file | concept |
//! |---|---|
//! | [`gaussian_kl`] | closed-form KL between Gaussians in 1D and 2D |
//! | [`hermite`] | Gauss–Hermite quadrature for expectations under N(0, 1) |
//! | [`mixture1`] | one-dimensional Gaussian mixtures (density, score, moments, samples) |
//! | [`grid_kl`] | KL divergence and entropy by quadrature on a grid, with +∞ for missing support |
//! | [`gaussian_fit`] | fitting a Gaussian by gradient descent on the forward or the reverse KL |
//! | [`em`] | maximum likelihood for Gaussian mixtures by expectation–maximisation |
//! | [`mle`] | training and held-out samples, their log-likelihoods and the true KL of a fit |

pub mod em;
pub mod gaussian_fit;
pub mod gaussian_kl;
pub mod grid_kl;
pub mod hermite;
pub mod mixture1;
pub mod mle;
