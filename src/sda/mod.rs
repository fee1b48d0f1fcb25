//! Score-based data assimilation (SDA): posterior sampling with a prior score and a likelihood
//! score, and the Lorenz-63 twin experiment with its particle-filter ground truth.
//!
//! Bayes' rule for scores (Yasuda 2025, eq. 120; Rozet & Louppe 2023, eq. 7):
//! ∇log p(x | y) = ∇log p(x) + ∇log p(y | x). For the noisy states of a diffusion the likelihood
//! becomes the average l(y | x_t) = ∫ p(y | x₀) p(x₀ | x_t) dx₀ (eq. 136), which is intractable in
//! general and approximated through Tweedie's moments (eqs. 139–156).
//!
//! | file | what |
//! |---|---|
//! | [`prior1`] | the OU SDE, a 1D mixture prior and its noised marginals, the exact (Kalman / reweighted-mixture) posterior |
//! | [`guidance`] | the likelihood score of a noisy state: exact, Gaussian (Tweedie) approximation, naive |
//! | [`guided`] | the guided reverse SDE over 1D particles (state machine), moment recursions |
//! | [`lorenz`] | Lorenz-63, RK4, noisy transitions, truth simulation, log p(x) under the dynamics |
//! | [`observation`] | observation operators (which coordinate, how often, how noisy) and log p(y | x) |
//! | [`particle_filter`] | the bootstrap particle filter with systematic resampling, over trajectory windows |
//! | [`sliced`] | the sliced Wasserstein distance between two sample sets |
//! | [`picture`] | the x, y, z panels of the twin experiment (any plotters backend) |
//! | [`twin`] | the twin experiment: truth, observations of a window, two particle filters, summaries |
//! | [`window_score`] | a noise-conditional score network of short trajectory windows, trained by DSM |
//! | [`window_posterior`] | posterior windows: reverse VE SDE with Gaussian-approximation guidance and Langevin corrections |
//! | [`window_readouts`] | log p(x), log p(y | x) and SW₁ of sampled windows against the particle filter |

pub mod guidance;
pub mod guided;
pub mod lorenz;
pub mod observation;
pub mod particle_filter;
pub mod picture;
pub mod prior1;
pub mod sliced;
pub mod twin;
pub mod window_posterior;
pub mod window_readouts;
pub mod window_score;
