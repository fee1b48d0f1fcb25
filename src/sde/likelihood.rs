//! Exact log-likelihoods through the probability-flow ODE (instantaneous change of variables).
//!
//! The probability-flow ODE dx/dt = v(x, t) = f(t)x − ½g(t)² ∇log p_t(x) (Song et al. 2021,
//! eq. 13) transports p₀ to p_T, and along a trajectory d/dt log p_t(x(t)) = −∇·v(x(t), t)
//! (Chen et al. 2018, "Neural ODEs", Thm. 1), so
//!
//!   log p₀(x₀) = log p_T(x(T)) + ∫₀ᵀ ∇·v(x(t), t) dt      (Song et al. eq. 39).
//!
//! [`PfLikelihood`] integrates the augmented state (x, ∫∇·v) from x(0) = x₀ to T with classical
//! RK4 in K steps. The divergence is either exact — ∇·v = 2f(t) − ½g² tr ∇²log p_t, with the
//! mixture's exact Hessian — or Hutchinson's estimator εᵀ(∂v/∂x)ε (Hutchinson 1989; Grathwohl et
//! al. 2019, "FFJORD", eq. 7) with probes ε fixed for the whole solve, Rademacher or Gaussian:
//! E(εᵀAε) = tr A for both, with variances 2(‖A_s‖²_F − Σᵢ Aᵢᵢ²) and 2‖A_s‖²_F (A_s the
//! symmetric part). Since x(t) does not depend on ε, the estimate of the integral is unbiased too.
//! For a learned model, [`VelocityField::jacobian_vector`] defaults to central differences.

use super::Sde;
use crate::error::Error;
use crate::mixture::GaussianMixture;
use crate::normal::normal_pair;
use crate::rng::{sim_rng_stream, SimRng};
use rand::Rng;

/// A time-dependent velocity field in the plane, with its Jacobian–vector product.
pub trait VelocityField {
    /// v(x, t).
    fn velocity(&self, x: [f64; 2], t: f64) -> [f64; 2];
    /// (∂v/∂x)·w; by default central differences with step 1e-5·(1 + |x|).
    fn jacobian_vector(&self, x: [f64; 2], t: f64, w: [f64; 2]) -> [f64; 2] {
        let e = 1e-5 * (1.0 + x[0].abs().max(x[1].abs()));
        let a = self.velocity([x[0] + e * w[0], x[1] + e * w[1]], t);
        let b = self.velocity([x[0] - e * w[0], x[1] - e * w[1]], t);
        [(a[0] - b[0]) / (2.0 * e), (a[1] - b[1]) / (2.0 * e)]
    }
    /// ∇·v(x, t); by default the trace from two Jacobian–vector products.
    fn divergence(&self, x: [f64; 2], t: f64) -> f64 {
        self.jacobian_vector(x, t, [1.0, 0.0])[0] + self.jacobian_vector(x, t, [0.0, 1.0])[1]
    }
}

/// The probability-flow velocity of a mixture under a linear SDE, with the exact score and
/// Hessian of p_t.
#[derive(Debug, Clone)]
pub struct PfOde {
    sde: Sde,
    data: GaussianMixture,
}

impl PfOde {
    /// The flow of `data` under `sde`.
    pub fn new(sde: Sde, data: &GaussianMixture) -> Self {
        PfOde {
            sde,
            data: data.clone(),
        }
    }

    fn marginal(&self, t: f64) -> GaussianMixture {
        self.data
            .scaled_noised(self.sde.mean_scale(t), self.sde.marginal_variance(t))
            .expect("valid marginal for t in [0, T]")
    }

    /// ∂v/∂x = f I − ½g² ∇²log p_t, as (xx, xy, yx, yy).
    pub fn jacobian(&self, x: [f64; 2], t: f64) -> [f64; 4] {
        let (_, h) = self.marginal(t).score_hessian(x);
        let (f, k) = (self.sde.drift_coef(t), 0.5 * self.sde.diffusion_sq(t));
        [f - k * h[0], -k * h[1], -k * h[1], f - k * h[2]]
    }
}

impl VelocityField for PfOde {
    fn velocity(&self, x: [f64; 2], t: f64) -> [f64; 2] {
        let s = self.marginal(t).score(x);
        let (f, k) = (self.sde.drift_coef(t), 0.5 * self.sde.diffusion_sq(t));
        [f * x[0] - k * s[0], f * x[1] - k * s[1]]
    }
    fn jacobian_vector(&self, x: [f64; 2], t: f64, w: [f64; 2]) -> [f64; 2] {
        let j = self.jacobian(x, t);
        [j[0] * w[0] + j[1] * w[1], j[2] * w[0] + j[3] * w[1]]
    }
    fn divergence(&self, x: [f64; 2], t: f64) -> f64 {
        let j = self.jacobian(x, t);
        j[0] + j[3]
    }
}

/// The distribution of Hutchinson's probe vectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Probe {
    /// Independent ±1 entries.
    Rademacher,
    /// Independent N(0, 1) entries.
    Gaussian,
}

/// How ∇·v is evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Divergence {
    /// The exact trace of the Jacobian.
    Exact,
    /// Hutchinson's estimator, averaging `probes` ∈ [1, 1000] probe vectors fixed for the solve.
    Hutchinson {
        /// The probes' law.
        probe: Probe,
        /// How many probes are averaged.
        probes: usize,
    },
}

/// One probe vector.
pub fn draw_probe(probe: Probe, rng: &mut SimRng) -> [f64; 2] {
    match probe {
        Probe::Rademacher => {
            let b = rng.next_u32();
            [
                if b & 1 == 0 { 1.0 } else { -1.0 },
                if b & 2 == 0 { 1.0 } else { -1.0 },
            ]
        }
        Probe::Gaussian => {
            let (a, b) = normal_pair(rng.next_u32(), rng.next_u32());
            [a as f64, b as f64]
        }
    }
}

/// εᵀ A ε for A = (xx, xy, yx, yy): one Hutchinson sample of tr A.
pub fn hutchinson_sample(a: [f64; 4], e: [f64; 2]) -> f64 {
    e[0] * (a[0] * e[0] + a[1] * e[1]) + e[1] * (a[2] * e[0] + a[3] * e[1])
}

/// The log-density p_T the solve ends in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prior {
    /// The exact marginal p_T of the data (the likelihood is then exact up to the ODE error).
    Exact,
    /// The sampler's prior N(0, v I) (what a model without access to p_T uses).
    Gaussian,
}

/// The log-likelihood of one point by integrating the probability-flow ODE, as a state machine.
#[derive(Debug, Clone)]
pub struct PfLikelihood<V: VelocityField> {
    field: V,
    sde: Sde,
    x0: [f64; 2],
    x: [f64; 2],
    integral: f64,
    steps: usize,
    done: usize,
    divergence: Divergence,
    probes: Vec<[f64; 2]>,
    nfe: u64,
}

impl<V: VelocityField> PfLikelihood<V> {
    /// A solve of `steps` RK4 steps from x₀ at t = 0 to T; Hutchinson probes from stream 2 of
    /// `seed`.
    pub fn new(
        field: V,
        sde: Sde,
        x0: [f64; 2],
        steps: usize,
        divergence: Divergence,
        seed: u64,
    ) -> Result<Self, Error> {
        if !(x0[0].is_finite() && x0[1].is_finite()) {
            return Err(Error::invalid(
                "x0",
                "a pair of finite numbers",
                format!("({}, {})", x0[0], x0[1]),
            ));
        }
        let steps = super::check_steps(steps)?;
        let probes = match divergence {
            Divergence::Exact => vec![],
            Divergence::Hutchinson { probe, probes } => {
                if !(1..=1000).contains(&probes) {
                    return Err(Error::invalid("probes", "an integer in [1, 1000]", probes));
                }
                let mut rng = sim_rng_stream(seed, 2);
                (0..probes).map(|_| draw_probe(probe, &mut rng)).collect()
            }
        };
        Ok(PfLikelihood {
            field,
            sde,
            x0,
            x: x0,
            integral: 0.0,
            steps,
            done: 0,
            divergence,
            probes,
            nfe: 0,
        })
    }

    fn div(&mut self, x: [f64; 2], t: f64) -> f64 {
        match self.divergence {
            Divergence::Exact => {
                self.nfe += 1;
                self.field.divergence(x, t)
            }
            Divergence::Hutchinson { .. } => {
                self.nfe += self.probes.len() as u64;
                let s: f64 = self
                    .probes
                    .iter()
                    .map(|e| {
                        let jv = self.field.jacobian_vector(x, t, *e);
                        e[0] * jv[0] + e[1] * jv[1]
                    })
                    .sum();
                s / self.probes.len() as f64
            }
        }
    }

    /// One RK4 step of the augmented ODE; `false` when already at T.
    pub fn step(&mut self) -> bool {
        if self.done == self.steps {
            return false;
        }
        let h = self.sde.horizon() / self.steps as f64;
        let t = self.done as f64 * h;
        let x = self.x;
        let add = |x: [f64; 2], k: [f64; 2], c: f64| [x[0] + c * k[0], x[1] + c * k[1]];
        let k1 = self.field.velocity(x, t);
        let d1 = self.div(x, t);
        let x2 = add(x, k1, 0.5 * h);
        let k2 = self.field.velocity(x2, t + 0.5 * h);
        let d2 = self.div(x2, t + 0.5 * h);
        let x3 = add(x, k2, 0.5 * h);
        let k3 = self.field.velocity(x3, t + 0.5 * h);
        let d3 = self.div(x3, t + 0.5 * h);
        let x4 = add(x, k3, h);
        let k4 = self.field.velocity(x4, t + h);
        let d4 = self.div(x4, t + h);
        self.nfe += 4;
        for i in 0..2 {
            self.x[i] += h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
        }
        self.integral += h / 6.0 * (d1 + 2.0 * d2 + 2.0 * d3 + d4);
        self.done += 1;
        true
    }

    /// Runs the remaining steps.
    pub fn run(&mut self) {
        while self.step() {}
    }

    /// True once T is reached.
    pub fn is_done(&self) -> bool {
        self.done == self.steps
    }
    /// The current point x(t).
    pub fn point(&self) -> [f64; 2] {
        self.x
    }
    /// The start x₀.
    pub fn start(&self) -> [f64; 2] {
        self.x0
    }
    /// ∫₀ᵗ ∇·v so far.
    pub fn divergence_integral(&self) -> f64 {
        self.integral
    }
    /// Velocity and divergence evaluations so far (a Hutchinson probe counts one).
    pub fn nfe(&self) -> u64 {
        self.nfe
    }

    /// log p₀(x₀) = log p_T(x(T)) + ∫₀ᵀ ∇·v, with p_T exact (`data` pushed to T) or the Gaussian
    /// prior; `None` before the solve reaches T.
    pub fn log_likelihood(&self, data: &GaussianMixture, prior: Prior) -> Option<f64> {
        if !self.is_done() {
            return None;
        }
        let t = self.sde.horizon();
        let lp = match prior {
            Prior::Exact => data
                .scaled_noised(self.sde.mean_scale(t), self.sde.marginal_variance(t))
                .ok()?
                .log_density(self.x),
            Prior::Gaussian => {
                let v = self.sde.prior_variance();
                -(2.0 * std::f64::consts::PI * v).ln()
                    - (self.x[0].powi(2) + self.x[1].powi(2)) / (2.0 * v)
            }
        };
        Some(lp + self.integral)
    }
}
