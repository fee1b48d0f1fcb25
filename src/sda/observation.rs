//! Observation operators of the Lorenz-63 twin experiment and their likelihood.
//!
//! One standardised coordinate c of the state is observed every `every` steps (times k = 0,
//! every, 2·every, … of the window) with Gaussian noise of sd λ (Rozet & Louppe 2023, §4.1;
//! anchors §5.4): y_k = (x_k[c] − μ_c)/s_c + λ ε_k, so log p(y | x) = Σ_k log N(y_k; ·, λ²).
//! The reference settings: x every 8 steps with λ = 0.05; x every step with λ = 0.25; z every 4
//! steps with λ = 0.1 (whose posterior is bimodal, by the (x, y) ↦ (−x, −y) symmetry).

use super::lorenz::{normals3, standardise};
use crate::error::{check_range, Error};
use crate::rng::{sim_rng_stream, StepKey};

const LN_2PI: f64 = 1.837_877_066_409_345_5;

/// Which coordinate is observed, how often, and how noisily.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ObservationOperator {
    /// 0 = x, 1 = y, 2 = z.
    pub component: usize,
    /// Observe at k ≡ 0 (mod every).
    pub every: usize,
    /// Noise sd λ (standardised units).
    pub noise: f64,
}

impl ObservationOperator {
    /// `component` ∈ {0, 1, 2}, `every` ≥ 1 (0 would observe nothing), noise λ ∈ (0, 10].
    pub fn new(component: usize, every: usize, noise: f64) -> Result<Self, Error> {
        if component > 2 {
            return Err(Error::invalid(
                "observed coordinate",
                "0 (x), 1 (y) or 2 (z)",
                component,
            ));
        }
        if every == 0 {
            return Err(Error::invalid(
                "observation interval",
                "at least 1 (an interval of 0 observes nothing)",
                every,
            ));
        }
        check_range("observation noise", noise, 0.0, 10.0, true)?;
        Ok(Self {
            component,
            every,
            noise,
        })
    }

    /// A reference setting: `x8` (x every 8, λ 0.05), `x1` (x every step, λ 0.25), `z4` (z every 4, λ 0.1).
    pub fn preset(name: &str) -> Result<Self, Error> {
        match name {
            "x8" => Self::new(0, 8, 0.05),
            "x1" => Self::new(0, 1, 0.25),
            "z4" => Self::new(2, 4, 0.1),
            _ => Err(Error::invalid("observation operator", "x8, x1 or z4", name)),
        }
    }

    /// The observed coordinate of a state (standardised).
    #[inline]
    pub fn apply(&self, x: [f64; 3]) -> f64 {
        standardise(x)[self.component]
    }
}

/// Observations of one window: y_k at the observed times, `None` elsewhere.
#[derive(Debug, Clone, PartialEq)]
pub struct Observations {
    /// The operator.
    pub operator: ObservationOperator,
    /// y_k or None, one entry per state of the window.
    pub values: Vec<Option<f64>>,
}

impl Observations {
    /// Observations of the window `truth` (L states, flat [x, y, z, …]) drawn from `seed`. The
    /// interval must not exceed the window length L (it would observe the first state only).
    pub fn simulate(
        operator: ObservationOperator,
        truth: &[f64],
        seed: u64,
    ) -> Result<Self, Error> {
        let len = truth.len() / 3;
        if len == 0 {
            return Err(Error::invalid("window length", "at least 1 state", len));
        }
        if operator.every > len {
            return Err(Error::invalid(
                "observation interval",
                format!("at most the window length {len}"),
                operator.every,
            ));
        }
        let mut rng = sim_rng_stream(seed, 0x0b5);
        let values = (0..len)
            .map(|k| {
                let z = normals3(k as u32, StepKey::draw(&mut rng))[0];
                (k % operator.every == 0).then(|| {
                    operator.apply([truth[3 * k], truth[3 * k + 1], truth[3 * k + 2]])
                        + operator.noise * z
                })
            })
            .collect();
        Ok(Self { operator, values })
    }

    /// The number of observations.
    pub fn count(&self) -> usize {
        self.values.iter().filter(|v| v.is_some()).count()
    }

    /// log p(y_k | x_k), or None when time k is not observed.
    #[inline]
    pub fn log_likelihood_at(&self, k: usize, x: [f64; 3]) -> Option<f64> {
        let y = self.values.get(k).copied().flatten()?;
        let r = (y - self.operator.apply(x)) / self.operator.noise;
        Some(-0.5 * r * r - 0.5 * LN_2PI - self.operator.noise.ln())
    }

    /// log p(y | x) of a whole window trajectory (flat, L states).
    pub fn log_likelihood(&self, traj: &[f64]) -> f64 {
        traj.chunks_exact(3)
            .enumerate()
            .filter_map(|(k, s)| self.log_likelihood_at(k, [s[0], s[1], s[2]]))
            .sum()
    }
}
