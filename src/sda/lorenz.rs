//! Lorenz-63 with noisy RK4 transitions, as in the SDA reference experiments.
//!
//! Lorenz (1963): ẋ = σ(y − x), ẏ = x(ρ − z) − y, ż = xy − βz with σ = 10, ρ = 28, β = 8/3.
//! One transition of the noisy system (Rozet & Louppe 2023, §4.1; `NoisyLorenz63` of their code,
//! listed in the project's anchors §5.2) is a classical RK4 step of size Δt = 0.025 plus Gaussian
//! noise of variance Δt per coordinate:
//!
//!   x_{k+1} = RK4_Δt(x_k) + √Δt · ε,   ε ~ N(0, I₃),
//!
//! so log p(x_{k+1} | x_k) = log N(x_{k+1}; RK4_Δt(x_k), Δt I). The initial state is drawn from
//! N((0, 0, 25), [[64, 50, 0], [50, 81, 0], [0, 0, 75]]) and run through a burn-in; observations
//! and the score model use the standardised state (x − (0, 0, 25)) / (8, 9, 8.6).

use crate::error::{check_range, Error};
use crate::normal::normal_pair;
use crate::rng::{counter_u32, sim_rng_stream, StepKey};

/// Mean of the standardisation.
pub const STD_MEAN: [f64; 3] = [0.0, 0.0, 25.0];
/// Scale of the standardisation.
pub const STD_SCALE: [f64; 3] = [8.0, 9.0, 8.6];
/// The reference step Δt.
pub const DT: f64 = 0.025;
const LN_2PI: f64 = 1.837_877_066_409_345_5;

/// The Lorenz-63 vector field.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lorenz63 {
    /// σ.
    pub sigma: f64,
    /// ρ.
    pub rho: f64,
    /// β.
    pub beta: f64,
}

impl Default for Lorenz63 {
    fn default() -> Self {
        Self {
            sigma: 10.0,
            rho: 28.0,
            beta: 8.0 / 3.0,
        }
    }
}

impl Lorenz63 {
    /// The vector field at x.
    #[inline]
    pub fn field(&self, x: [f64; 3]) -> [f64; 3] {
        [
            self.sigma * (x[1] - x[0]),
            x[0] * (self.rho - x[2]) - x[1],
            x[0] * x[1] - self.beta * x[2],
        ]
    }

    /// One classical fourth-order Runge–Kutta step of size `dt`.
    #[inline]
    pub fn rk4(&self, x: [f64; 3], dt: f64) -> [f64; 3] {
        let add =
            |a: [f64; 3], b: [f64; 3], s: f64| [a[0] + s * b[0], a[1] + s * b[1], a[2] + s * b[2]];
        let k1 = self.field(x);
        let k2 = self.field(add(x, k1, 0.5 * dt));
        let k3 = self.field(add(x, k2, 0.5 * dt));
        let k4 = self.field(add(x, k3, dt));
        let mut out = x;
        for i in 0..3 {
            out[i] += dt / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
        }
        out
    }
}

/// The noisy transition kernel x' = RK4_Δt(x) + √q ε (q = Δt in the reference setup).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NoisyLorenz {
    /// The vector field.
    pub model: Lorenz63,
    /// Δt.
    pub dt: f64,
    /// The transition noise variance q.
    pub noise_var: f64,
}

impl Default for NoisyLorenz {
    fn default() -> Self {
        Self {
            model: Lorenz63::default(),
            dt: DT,
            noise_var: DT,
        }
    }
}

impl NoisyLorenz {
    /// Δt ∈ (0, 0.1], noise variance q ∈ [0, 1].
    pub fn new(dt: f64, noise_var: f64) -> Result<Self, Error> {
        check_range("dt", dt, 0.0, 0.1, true)?;
        check_range("transition noise variance", noise_var, 0.0, 1.0, false)?;
        Ok(Self {
            model: Lorenz63::default(),
            dt,
            noise_var,
        })
    }

    /// One transition with the standard normals `z`.
    #[inline]
    pub fn transition(&self, x: [f64; 3], z: [f64; 3]) -> [f64; 3] {
        let m = self.model.rk4(x, self.dt);
        let s = self.noise_var.sqrt();
        [m[0] + s * z[0], m[1] + s * z[1], m[2] + s * z[2]]
    }

    /// log p(x' | x).
    pub fn log_transition(&self, x: [f64; 3], next: [f64; 3]) -> f64 {
        let m = self.model.rk4(x, self.dt);
        let r2: f64 = (0..3).map(|i| (next[i] - m[i]) * (next[i] - m[i])).sum();
        -0.5 * r2 / self.noise_var - 1.5 * (LN_2PI + self.noise_var.ln())
    }

    /// log p(x₂, …, x_L | x₁) of a trajectory stored as [x₁, y₁, z₁, x₂, …] (physical units).
    pub fn log_prior(&self, traj: &[f64]) -> f64 {
        traj.chunks_exact(3)
            .zip(traj.chunks_exact(3).skip(1))
            .map(|(a, b)| self.log_transition([a[0], a[1], a[2]], [b[0], b[1], b[2]]))
            .sum()
    }
}

/// Three standard normals for (index, key): two counter-based Box–Muller pairs.
#[inline]
pub fn normals3(index: u32, key: StepKey) -> [f64; 3] {
    let (a, b) = normal_pair(
        counter_u32(index.wrapping_mul(2), key.k0),
        counter_u32(index.wrapping_mul(2), key.k1),
    );
    let (c, _) = normal_pair(
        counter_u32(index.wrapping_mul(2) | 1, key.k0),
        counter_u32(index.wrapping_mul(2) | 1, key.k1),
    );
    [a as f64, b as f64, c as f64]
}

/// A draw of the initial law N((0, 0, 25), [[64, 50, 0], [50, 81, 0], [0, 0, 75]]) from normals z
/// (Cholesky factor: L₁₁ = 8, L₂₁ = 6.25, L₂₂ = √(81 − 6.25²), L₃₃ = √75).
pub fn initial_state(z: [f64; 3]) -> [f64; 3] {
    let l22 = (81.0f64 - 6.25 * 6.25).sqrt();
    [
        8.0 * z[0],
        6.25 * z[0] + l22 * z[1],
        25.0 + 75f64.sqrt() * z[2],
    ]
}

/// Standardised coordinates (x − mean) / scale.
pub fn standardise(x: [f64; 3]) -> [f64; 3] {
    [
        (x[0] - STD_MEAN[0]) / STD_SCALE[0],
        (x[1] - STD_MEAN[1]) / STD_SCALE[1],
        (x[2] - STD_MEAN[2]) / STD_SCALE[2],
    ]
}

/// The truth of a twin experiment: `burn_in` transitions from the initial law, then `len` states.
pub fn simulate_truth(
    kernel: &NoisyLorenz,
    burn_in: usize,
    len: usize,
    seed: u64,
) -> Result<Vec<f64>, Error> {
    check_range("burn-in", burn_in as f64, 0.0, 100_000.0, false)?;
    check_range("trajectory length", len as f64, 1.0, 100_000.0, false)?;
    let mut rng = sim_rng_stream(seed, 0x10e);
    let mut x = initial_state(normals3(0, StepKey::draw(&mut rng)));
    for _ in 0..burn_in {
        x = kernel.transition(x, normals3(0, StepKey::draw(&mut rng)));
    }
    let mut out = Vec::with_capacity(3 * len);
    out.extend_from_slice(&x);
    for _ in 1..len {
        x = kernel.transition(x, normals3(0, StepKey::draw(&mut rng)));
        out.extend_from_slice(&x);
    }
    Ok(out)
}
