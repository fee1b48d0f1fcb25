//! A noise-conditional score network of short Lorenz-63 trajectory windows, trained by denoising
//! score matching with the project's own network code ([`crate::nn`]).
//!
//! A window is L consecutive states of the noisy Lorenz dynamics ([`super::lorenz`]), standardised
//! by (x − (0, 0, 25)) / (8, 9, 8.6) and flattened to x ∈ ℝ^{3L} (Rozet & Louppe 2023, §4.1 train a
//! score of such windows; their local score uses windows of 2k + 1 states). The network f_θ takes
//! (c_in(σ) x̃, log σ) with c_in(σ) = 1/√(1 + σ²) (the data are standardised, so this keeps the
//! input O(1) at every level; Karras et al. 2022, eq. 7) and returns 3L numbers; the score and the
//! Tweedie mean are
//!
//!   s_θ(x̃, σ) = f_θ / σ,   x̂₀(x̃, σ) = x̃ + σ² s_θ = x̃ + σ f_θ.
//!
//! One [`WindowScoreTrainer::step`] cuts B windows at uniform starts from a long simulated
//! trajectory, draws σ_b log-uniform in [σ_min, σ_max] and z_b ∼ N(0, I), and takes one Adam step on
//! the σ²-weighted DSM loss (Vincent 2011, eq. 8; Song & Ermon 2019, eq. 6)
//!
//!   L(θ) = (1/B) Σ_b ‖f_θ(c_in x̃_b, log σ_b) + z_b‖²,   x̃_b = x_b + σ_b z_b,
//!
//! exactly the loss of [`crate::nn::DsmTrainer`], here in 3L dimensions. A non-finite loss or
//! gradient stops the step before the update (the last finite weights are kept) and the trainer
//! refuses to step until [`WindowScoreTrainer::reset`].
//!
//! The shipped model `www/models/lorenz-window-L9.sbnn` is regenerated with
//! `cargo run --release --example train_lorenz_window` (fixed seed; see that example).

use super::lorenz::{normals3, standardise, NoisyLorenz};
use crate::error::{check_range, Error};
use crate::kernel::KernelPath;
use crate::nn::adam::{check_learning_rate, Adam};
use crate::nn::input_grad::input_gradient;
use crate::nn::weights_file::{self, WeightsFileError};
use crate::nn::{Activation, Architecture, Mlp, Workspace};
use crate::rng::{sim_rng_stream, SimRng, StepKey};
use rand::Rng;

/// Window lengths allowed (states).
pub const WINDOW_LIMITS: (usize, usize) = (2, 33);
/// The σ range allowed.
pub const SIGMA_LIMITS: (f64, f64) = (1e-3, 50.0);
/// The largest batch.
pub const MAX_BATCH: usize = 4096;

/// c_in(σ) = 1/√(1 + σ²).
#[inline]
pub fn c_in(sigma: f64) -> f64 {
    1.0 / (1.0 + sigma * sigma).sqrt()
}

/// Hyper-parameters of a window-score run.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowScoreConfig {
    /// States per window L ∈ [2, 33].
    pub len: usize,
    /// Hidden widths (the network is 3L + 1 → hidden… → 3L).
    pub hidden: Vec<usize>,
    /// Adam's learning rate ∈ (0, 1].
    pub learning_rate: f64,
    /// Batch size B ∈ [1, 4096].
    pub batch_size: usize,
    /// σ_min.
    pub sigma_min: f64,
    /// σ_max.
    pub sigma_max: f64,
    /// States of the simulated training trajectory (after a burn-in of 1024), ≥ 4L.
    pub trajectory: usize,
}

impl WindowScoreConfig {
    /// The shipped setting: L = 9, 28 → 128 → 128 → 128 → 27 SiLU, Adam 1e-3, batch 256,
    /// σ ∈ [0.01, 10], a trajectory of 65,536 states.
    pub fn shipped() -> Self {
        WindowScoreConfig {
            len: 9,
            hidden: vec![128, 128, 128],
            learning_rate: 1e-3,
            batch_size: 256,
            sigma_min: 0.01,
            sigma_max: 10.0,
            trajectory: 65_536,
        }
    }

    /// Checks every field and returns the architecture.
    pub fn validate(&self) -> Result<Architecture, Error> {
        check_range(
            "window length",
            self.len as f64,
            WINDOW_LIMITS.0 as f64,
            WINDOW_LIMITS.1 as f64,
            false,
        )?;
        check_learning_rate(self.learning_rate)?;
        if !(1..=MAX_BATCH).contains(&self.batch_size) {
            return Err(Error::invalid(
                "batch_size",
                format!("an integer in [1, {MAX_BATCH}]"),
                self.batch_size,
            ));
        }
        check_range(
            "sigma_min",
            self.sigma_min,
            SIGMA_LIMITS.0,
            SIGMA_LIMITS.1,
            false,
        )?;
        if !(self.sigma_max.is_finite()
            && self.sigma_max >= self.sigma_min
            && self.sigma_max <= SIGMA_LIMITS.1)
        {
            return Err(Error::invalid(
                "sigma_max",
                format!(
                    "a finite number in [sigma_min = {}, {}]",
                    self.sigma_min, SIGMA_LIMITS.1
                ),
                self.sigma_max,
            ));
        }
        check_range(
            "training trajectory",
            self.trajectory as f64,
            (4 * self.len) as f64,
            1_000_000.0,
            false,
        )?;
        window_architecture(self.len, &self.hidden)
    }
}

/// The architecture 3L + 1 → hidden… → 3L (SiLU), validated (1 to 4 hidden layers of width ≤ 512).
pub fn window_architecture(len: usize, hidden: &[usize]) -> Result<Architecture, Error> {
    if hidden.is_empty() || hidden.len() > 4 {
        return Err(Error::invalid(
            "hidden",
            "1 to 4 hidden layer widths",
            format!("{} layers", hidden.len()),
        ));
    }
    if let Some(&w) = hidden.iter().find(|&&w| w == 0 || w > 512) {
        return Err(Error::invalid("hidden", "hidden widths in [1, 512]", w));
    }
    let mut w = vec![3 * len + 1];
    w.extend_from_slice(hidden);
    w.push(3 * len);
    Architecture::new(&w, Activation::Silu)
}

/// A long standardised trajectory of the noisy Lorenz dynamics (f32, flat), after a burn-in of
/// 1024 transitions from the initial law, drawn from `seed`.
pub fn training_trajectory(
    kernel: &NoisyLorenz,
    states: usize,
    seed: u64,
) -> Result<Vec<f32>, Error> {
    let t = super::lorenz::simulate_truth(kernel, 1024, states, seed)?;
    Ok(t.chunks_exact(3)
        .flat_map(|s| standardise([s[0], s[1], s[2]]).map(|v| v as f32))
        .collect())
}

/// The window length L of a window-score architecture (3L + 1 → … → 3L), or an error naming the
/// expected shape.
pub fn window_len_of(arch: &Architecture) -> Result<usize, Error> {
    let (i, o) = (arch.input_dim(), arch.output_dim());
    if o % 3 != 0 || i != o + 1 || o == 0 {
        return Err(Error::invalid(
            "weights file",
            "a window-score network 3L + 1 → … → 3L",
            arch.describe(),
        ));
    }
    Ok(o / 3)
}

/// A trained window-score model for evaluation: s_θ, x̂₀ and vector–Jacobian products of x̂₀.
#[derive(Debug, Clone)]
pub struct WindowScoreModel {
    net: Mlp,
    len: usize,
    ws: Workspace,
    grad_in: Vec<f32>,
    sigma: f64,
    rows: usize,
    path: KernelPath,
}

impl WindowScoreModel {
    /// Wraps a network of shape 3L + 1 → … → 3L, with buffers for `capacity` ≥ 1 windows.
    pub fn new(net: Mlp, capacity: usize) -> Result<Self, Error> {
        let len = window_len_of(net.architecture())?;
        check_range("capacity", capacity as f64, 1.0, MAX_BATCH as f64, false)?;
        let ws = Workspace::new(net.architecture(), capacity);
        Ok(Self {
            grad_in: vec![0.0; capacity * (3 * len + 1)],
            net,
            len,
            ws,
            sigma: f64::NAN,
            rows: 0,
            path: KernelPath::best(),
        })
    }

    /// Decodes a `.sbnn` weights file; `expected_len` (when given) must match its window length.
    pub fn from_weights(
        bytes: &[u8],
        expected_len: Option<usize>,
        capacity: usize,
    ) -> Result<Self, Error> {
        let net = weights_file::decode(bytes, None).map_err(Error::from)?;
        let len = window_len_of(net.architecture())?;
        if let Some(l) = expected_len {
            if l != len {
                return Err(Error::invalid(
                    "window length",
                    format!("{len} states (the weights file's window length)"),
                    l,
                ));
            }
        }
        Self::new(net, capacity)
    }

    /// States per window L.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Always false (a window has at least two states).
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The network.
    pub fn network(&self) -> &Mlp {
        &self.net
    }

    /// Chooses the kernel path (scalar or simd128; both give the same bits).
    pub fn set_path(&mut self, path: KernelPath) {
        self.path = path;
    }

    /// Rows the buffers hold.
    pub fn capacity(&self) -> usize {
        self.ws.capacity()
    }

    /// x̂₀(x_r, σ) of `rows` windows x (rows × 3L, standardised) into `x0`; remembers the pass for
    /// [`WindowScoreModel::vjp`]. Errors on a bad σ or a size mismatch.
    pub fn denoise(&mut self, x: &[f32], sigma: f64, x0: &mut [f32]) -> Result<(), Error> {
        let d = 3 * self.len;
        if x.is_empty()
            || x.len() % d != 0
            || x.len() / d > self.ws.capacity()
            || x0.len() < x.len()
        {
            return Err(Error::invalid(
                "windows",
                format!("1 to {} rows of {d} numbers", self.ws.capacity()),
                x.len(),
            ));
        }
        check_range("sigma", sigma, 0.0, SIGMA_LIMITS.1, true)?;
        let rows = x.len() / d;
        let (ci, ls) = (c_in(sigma) as f32, sigma.ln() as f32);
        {
            let inp = self.ws.input_mut();
            for r in 0..rows {
                for j in 0..d {
                    inp[r * (d + 1) + j] = ci * x[r * d + j];
                }
                inp[r * (d + 1) + d] = ls;
            }
        }
        self.net.forward(self.path, &mut self.ws, rows);
        let out = self.ws.output();
        let s = sigma as f32;
        for i in 0..rows * d {
            x0[i] = x[i] + s * out[i];
        }
        self.sigma = sigma;
        self.rows = rows;
        Ok(())
    }

    /// The vector–Jacobian product vᵀ ∂x̂₀/∂x at the points of the last [`WindowScoreModel::denoise`]
    /// (rows × 3L each): ∂x̂₀/∂x = I + σ c_in(σ) ∂f/∂u, through the hand-written backward pass and
    /// [`input_gradient`].
    pub fn vjp(&mut self, v: &[f32], out: &mut [f32]) -> Result<(), Error> {
        let d = 3 * self.len;
        if self.rows == 0 || v.len() != self.rows * d || out.len() < v.len() {
            return Err(Error::invalid(
                "vjp",
                "one vector per window of the last denoise",
                v.len(),
            ));
        }
        let rows = self.rows;
        self.ws.output_grad_mut()[..rows * d].copy_from_slice(v);
        self.net.backward(self.path, &mut self.ws, rows);
        input_gradient(&self.net, &self.ws, rows, &mut self.grad_in);
        let k = (self.sigma * c_in(self.sigma)) as f32;
        for r in 0..rows {
            for j in 0..d {
                out[r * d + j] = v[r * d + j] + k * self.grad_in[r * (d + 1) + j];
            }
        }
        Ok(())
    }

    /// Mean σ²-weighted DSM loss (1/n) Σ ‖f(c_in x̃, log σ) + z‖² over `n` windows of `trajectory`
    /// (standardised, flat) with σ log-uniform in [σ_min, σ_max], drawn from `seed`; the zero
    /// network scores E‖z‖² = 3L.
    pub fn dsm_loss(
        &mut self,
        trajectory: &[f32],
        sigma_min: f64,
        sigma_max: f64,
        n: usize,
        seed: u64,
    ) -> Result<f64, Error> {
        let d = 3 * self.len;
        let states = trajectory.len() / 3;
        if states < self.len {
            return Err(Error::invalid(
                "trajectory",
                format!("at least {} states", self.len),
                states,
            ));
        }
        let mut rng = sim_rng_stream(seed, 0x5c0);
        let (mut x, mut z, mut x0) = (vec![0.0f32; d], vec![0.0f32; d], vec![0.0f32; d]);
        let mut total = 0.0;
        for _ in 0..n {
            let sigma = draw_window(
                &mut rng, trajectory, self.len, sigma_min, sigma_max, &mut x, &mut z,
            );
            self.denoise(&x, sigma, &mut x0)?;
            let out = self.ws.output();
            total += (0..d)
                .map(|j| ((out[j] + z[j]) as f64).powi(2))
                .sum::<f64>();
        }
        Ok(total / n.max(1) as f64)
    }
}

/// Draws one training pair: a window of `trajectory` at a uniform start, noised as x + σ z with σ
/// log-uniform; writes x̃ into `x`, z into `z` and returns σ.
fn draw_window(
    rng: &mut SimRng,
    trajectory: &[f32],
    len: usize,
    lo: f64,
    hi: f64,
    x: &mut [f32],
    z: &mut [f32],
) -> f64 {
    let d = 3 * len;
    let starts = trajectory.len() / 3 - len + 1;
    let start = (rng.next_u64() % starts as u64) as usize;
    let u = ((rng.next_u32() >> 8) as f64 + 0.5) / 16_777_216.0;
    let sigma = (lo.ln() + u * (hi.ln() - lo.ln())).exp();
    let key = StepKey::draw(rng);
    for k in 0..len {
        let e = normals3(k as u32, key);
        for c in 0..3 {
            z[3 * k + c] = e[c] as f32;
        }
    }
    let src = &trajectory[3 * start..3 * start + d];
    for j in 0..d {
        x[j] = (src[j] as f64 + sigma * z[j] as f64) as f32;
    }
    sigma
}

/// The DSM trainer of window scores (see the module docs). The caller owns the loop.
#[derive(Debug, Clone)]
pub struct WindowScoreTrainer {
    cfg: WindowScoreConfig,
    trajectory: Vec<f32>,
    net: Mlp,
    adam: Adam,
    ws: Workspace,
    noise: Vec<f32>,
    x: Vec<f32>,
    rng: SimRng,
    seed: u64,
    iteration: u64,
    last_loss: f64,
    diverged: Option<Error>,
    path: KernelPath,
}

impl WindowScoreTrainer {
    /// A fresh network trained on windows of a trajectory of the noisy dynamics `kernel`, everything
    /// drawn from `seed`.
    pub fn new(kernel: &NoisyLorenz, cfg: WindowScoreConfig, seed: u64) -> Result<Self, Error> {
        let arch = cfg.validate()?;
        let trajectory = training_trajectory(kernel, cfg.trajectory, seed)?;
        let d = 3 * cfg.len;
        Ok(Self {
            net: Mlp::new(arch.clone(), &mut sim_rng_stream(seed, 1)),
            adam: Adam::new(arch.param_count(), cfg.learning_rate)?,
            ws: Workspace::new(&arch, cfg.batch_size),
            noise: vec![0.0; cfg.batch_size * d],
            x: vec![0.0; d],
            rng: sim_rng_stream(seed, 2),
            trajectory,
            cfg,
            seed,
            iteration: 0,
            last_loss: f64::NAN,
            diverged: None,
            path: KernelPath::best(),
        })
    }

    /// Re-initialises the network from `seed` (same training trajectory), clears Adam and a divergence.
    pub fn reset(&mut self, seed: u64) {
        self.seed = seed;
        self.net = Mlp::new(
            self.net.architecture().clone(),
            &mut sim_rng_stream(seed, 1),
        );
        self.adam.reset();
        self.rng = sim_rng_stream(seed, 2);
        self.iteration = 0;
        self.last_loss = f64::NAN;
        self.diverged = None;
    }

    /// One Adam step; returns the batch loss before the update (the divergence error after one).
    pub fn step(&mut self) -> Result<f64, Error> {
        if let Some(e) = &self.diverged {
            return Err(e.clone());
        }
        let (b, d) = (self.cfg.batch_size, 3 * self.cfg.len);
        for r in 0..b {
            let sigma = draw_window(
                &mut self.rng,
                &self.trajectory,
                self.cfg.len,
                self.cfg.sigma_min,
                self.cfg.sigma_max,
                &mut self.x,
                &mut self.noise[r * d..(r + 1) * d],
            );
            let ci = c_in(sigma) as f32;
            let inp = &mut self.ws.input_mut()[r * (d + 1)..(r + 1) * (d + 1)];
            for (v, &x) in inp[..d].iter_mut().zip(&self.x) {
                *v = ci * x;
            }
            inp[d] = sigma.ln() as f32;
        }
        self.net.forward(self.path, &mut self.ws, b);
        let scale = 2.0 / b as f32;
        let mut loss = 0.0f64;
        {
            let (out, d_out) = self.ws.output_and_grad_mut();
            for i in 0..b * d {
                let e = out[i] + self.noise[i];
                loss += (e * e) as f64;
                d_out[i] = scale * e;
            }
        }
        loss /= b as f64;
        let step = self.iteration + 1;
        if !loss.is_finite() {
            return Err(self.fail(step, "loss"));
        }
        self.net.backward(self.path, &mut self.ws, b);
        if !self
            .ws
            .grads()
            .iter()
            .fold(0.0f32, |a, &g| a + g * 0.0)
            .is_finite()
        {
            return Err(self.fail(step, "gradient"));
        }
        self.adam
            .step(self.path, self.net.params_mut(), &self.ws.grads);
        self.net.refresh();
        self.iteration = step;
        self.last_loss = loss;
        Ok(loss)
    }

    fn fail(&mut self, step: u64, quantity: &'static str) -> Error {
        let e = Error::TrainingDiverged { step, quantity };
        self.diverged = Some(e.clone());
        e
    }

    /// The divergence, once a step failed.
    pub fn diverged(&self) -> Option<&Error> {
        self.diverged.as_ref()
    }

    /// Completed steps.
    pub fn iteration(&self) -> u64 {
        self.iteration
    }

    /// The loss of the last completed step (NaN before the first).
    pub fn last_loss(&self) -> f64 {
        self.last_loss
    }

    /// Changes the learning rate ∈ (0, 1]; the run continues.
    pub fn set_learning_rate(&mut self, lr: f64) -> Result<(), Error> {
        self.adam.set_learning_rate(lr)?;
        self.cfg.learning_rate = lr;
        Ok(())
    }

    /// The configuration.
    pub fn config(&self) -> &WindowScoreConfig {
        &self.cfg
    }

    /// The standardised training trajectory (flat).
    pub fn trajectory(&self) -> &[f32] {
        &self.trajectory
    }

    /// The network.
    pub fn network(&self) -> &Mlp {
        &self.net
    }

    /// The weights file of the current network.
    pub fn export_weights(&self) -> Vec<u8> {
        weights_file::encode(&self.net)
    }

    /// Loads a weights file of the same architecture; Adam and the step count are cleared.
    pub fn import_weights(&mut self, bytes: &[u8]) -> Result<(), WeightsFileError> {
        self.net = weights_file::decode(bytes, Some(self.net.architecture()))?;
        self.adam.reset();
        self.iteration = 0;
        self.last_loss = f64::NAN;
        self.diverged = None;
        Ok(())
    }
}
