//! Denoising score matching over a range of noise levels, as a step-wise trainer.
//!
//! One [`DsmTrainer::step`] draws a batch x_b ∼ p_data (the mixture's exact sampler),
//! σ_b log-uniform in [σ_min, σ_max], z_b ∼ N(0, I), forms x̃_b = x_b + σ_b z_b, and takes one Adam
//! step on
//!
//!   L(θ) = (1/B) Σ_b ‖f_θ(x̃_b, log σ_b) + z_b‖²,   s_θ(x̃, σ) = f_θ(x̃, log σ)/σ,
//!
//! which is the σ²-weighted denoising score matching loss (1/B) Σ σ_b²‖s_θ(x̃_b, σ_b) + z_b/σ_b‖²
//! of Vincent (2011, eq. 8 for one σ) with the noise-conditional network and weighting
//! λ(σ) = σ² of Song & Ermon (2019, eq. 6). Its minimiser is s_θ(·, σ) = ∇log p_σ, the score of the
//! noised density p_σ = p ∗ N(0, σ²I), not of p (curriculum V-SM6); the σ² weight keeps every
//! level's loss O(1) (V-N3). ∂L/∂f = 2(f + z)/B.
//!
//! A non-finite loss (checked after the forward pass) or gradient (after the backward pass)
//! stops the step before the update, so the parameters and Adam's moments stay the last finite
//! ones; the trainer then refuses to step until [`DsmTrainer::reset`] or
//! [`DsmTrainer::import_weights`].

use super::activation::Activation;
use super::adam::{check_learning_rate, Adam};
use super::architecture::Architecture;
use super::mlp::Mlp;
use super::score_eval;
use super::weights_file::{self, WeightsFileError};
use super::workspace::Workspace;
use crate::error::{check_range, Error};
use crate::kernel::KernelPath;
use crate::mixture::GaussianMixture;
use crate::normal::normal_pair;
use crate::rng::{sim_rng_stream, SimRng};
use rand::Rng;

/// The largest batch.
pub const MAX_BATCH: usize = 4096;
/// The range allowed for σ_min and σ_max.
pub const SIGMA_LIMITS: (f64, f64) = (1e-3, 20.0);
/// The most hidden layers.
pub const MAX_HIDDEN_LAYERS: usize = 4;
/// The widest hidden layer.
pub const MAX_HIDDEN_WIDTH: usize = 512;

/// Hyper-parameters of a DSM run.
#[derive(Debug, Clone, PartialEq)]
pub struct DsmConfig {
    /// Hidden widths (the network is 3 → hidden… → 2).
    pub hidden: Vec<usize>,
    /// Hidden activation.
    pub activation: Activation,
    /// Adam's learning rate.
    pub learning_rate: f64,
    /// Batch size B.
    pub batch_size: usize,
    /// σ_min.
    pub sigma_min: f64,
    /// σ_max.
    pub sigma_max: f64,
}

impl DsmConfig {
    /// Benchmark W2: 3 → 128 → 128 → 2, SiLU, Adam 1e-3, batch 512, σ ∈ [0.01, 2].
    pub fn w2() -> Self {
        DsmConfig {
            hidden: vec![128, 128],
            activation: Activation::Silu,
            learning_rate: 1e-3,
            batch_size: 512,
            sigma_min: 0.01,
            sigma_max: 2.0,
        }
    }

    /// The network's architecture, validated.
    pub fn architecture(&self) -> Result<Architecture, Error> {
        if self.hidden.len() > MAX_HIDDEN_LAYERS {
            return Err(Error::invalid(
                "hidden",
                format!("0 to {MAX_HIDDEN_LAYERS} hidden layer widths"),
                format!("{} layers", self.hidden.len()),
            ));
        }
        if let Some(&w) = self
            .hidden
            .iter()
            .find(|&&w| w == 0 || w > MAX_HIDDEN_WIDTH)
        {
            return Err(Error::invalid(
                "hidden",
                format!("hidden widths in [1, {MAX_HIDDEN_WIDTH}]"),
                w,
            ));
        }
        let mut w = vec![3];
        w.extend_from_slice(&self.hidden);
        w.push(2);
        Architecture::new(&w, self.activation)
    }

    /// Checks every field (the messages name the parameter and its range).
    pub fn validate(&self) -> Result<Architecture, Error> {
        check_learning_rate(self.learning_rate)?;
        check_batch_size(self.batch_size)?;
        check_sigma_range(self.sigma_min, self.sigma_max)?;
        self.architecture()
    }
}

/// Checks a batch size ∈ [1, 4096].
pub fn check_batch_size(b: usize) -> Result<usize, Error> {
    if (1..=MAX_BATCH).contains(&b) {
        Ok(b)
    } else {
        Err(Error::invalid(
            "batch_size",
            format!("an integer in [1, {MAX_BATCH}]"),
            b,
        ))
    }
}

/// Checks σ_min ∈ [0.001, 20] and σ_max ∈ [σ_min, 20].
pub fn check_sigma_range(lo: f64, hi: f64) -> Result<(), Error> {
    check_range("sigma_min", lo, SIGMA_LIMITS.0, SIGMA_LIMITS.1, false)?;
    if !(hi.is_finite() && hi >= lo && hi <= SIGMA_LIMITS.1) {
        return Err(Error::invalid(
            "sigma_max",
            format!("a finite number in [sigma_min = {lo}, {}]", SIGMA_LIMITS.1),
            hi,
        ));
    }
    Ok(())
}

/// The DSM trainer (see the module docs). The caller owns the loop.
#[derive(Debug, Clone)]
pub struct DsmTrainer {
    data: GaussianMixture,
    cfg: DsmConfig,
    net: Mlp,
    adam: Adam,
    ws: Workspace,
    /// z_b (B × 2) of the current batch.
    noise: Vec<f32>,
    rng: SimRng,
    seed: u64,
    iteration: u64,
    last_loss: f64,
    diverged: Option<Error>,
    path: KernelPath,
}

impl DsmTrainer {
    /// A freshly initialised network trained on `data`, everything drawn from `seed`.
    pub fn new(data: &GaussianMixture, cfg: DsmConfig, seed: u64) -> Result<Self, Error> {
        let arch = cfg.validate()?;
        let mut init = sim_rng_stream(seed, 1);
        let net = Mlp::new(arch.clone(), &mut init);
        Ok(DsmTrainer {
            data: data.clone(),
            adam: Adam::new(arch.param_count(), cfg.learning_rate)?,
            ws: Workspace::new(&arch, cfg.batch_size),
            noise: vec![0.0; 2 * cfg.batch_size],
            rng: sim_rng_stream(seed, 2),
            net,
            cfg,
            seed,
            iteration: 0,
            last_loss: f64::NAN,
            diverged: None,
            path: KernelPath::best(),
        })
    }

    /// Re-initialises the network (PyTorch default init from `seed`), clears Adam and a divergence.
    pub fn reset(&mut self, seed: u64) {
        self.seed = seed;
        let mut init = sim_rng_stream(seed, 1);
        self.net = Mlp::new(self.net.architecture().clone(), &mut init);
        self.adam.reset();
        self.rng = sim_rng_stream(seed, 2);
        self.iteration = 0;
        self.last_loss = f64::NAN;
        self.diverged = None;
    }

    /// Draws the batch into the workspace input and `noise`.
    fn sample_batch(&mut self, b: usize) {
        let (ln_lo, ln_hi) = (self.cfg.sigma_min.ln(), self.cfg.sigma_max.ln());
        let inp = self.ws.input_mut();
        for r in 0..b {
            let x = self.data.sample(&mut self.rng);
            let u = ((self.rng.next_u32() >> 8) as f64 + 0.5) / 16_777_216.0;
            let ls = ln_lo + u * (ln_hi - ln_lo);
            let sigma = ls.exp();
            let (z1, z2) = normal_pair(self.rng.next_u32(), self.rng.next_u32());
            inp[3 * r] = (x[0] + sigma * z1 as f64) as f32;
            inp[3 * r + 1] = (x[1] + sigma * z2 as f64) as f32;
            inp[3 * r + 2] = ls as f32;
            self.noise[2 * r] = z1;
            self.noise[2 * r + 1] = z2;
        }
    }

    /// One training step; returns the batch loss (before the update). After a divergence it
    /// returns the divergence error again without doing anything.
    pub fn step(&mut self) -> Result<f64, Error> {
        if let Some(e) = &self.diverged {
            return Err(e.clone());
        }
        let b = self.cfg.batch_size;
        self.sample_batch(b);
        self.net.forward(self.path, &mut self.ws, b);
        let scale = 2.0 / b as f32;
        let mut loss = 0.0f64;
        {
            let (out, d_out) = self.ws.output_and_grad_mut();
            for r in 0..2 * b {
                let e = out[r] + self.noise[r];
                loss += (e * e) as f64;
                d_out[r] = scale * e;
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
        let grads = &self.ws.grads;
        self.adam.step(self.path, self.net.params_mut(), grads);
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

    /// The seed of the current run.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The network.
    pub fn network(&self) -> &Mlp {
        &self.net
    }

    /// Adam's state.
    pub fn optimizer(&self) -> &Adam {
        &self.adam
    }

    /// The configuration.
    pub fn config(&self) -> &DsmConfig {
        &self.cfg
    }

    /// The training data's law.
    pub fn data(&self) -> &GaussianMixture {
        &self.data
    }

    /// The kernel path (scalar or simd128; both give the same bits).
    pub fn path(&self) -> KernelPath {
        self.path
    }

    /// Chooses the kernel path.
    pub fn set_path(&mut self, path: KernelPath) {
        self.path = path;
    }

    /// Changes the learning rate ∈ (0, 1]; the run continues.
    pub fn set_learning_rate(&mut self, lr: f64) -> Result<(), Error> {
        self.adam.set_learning_rate(lr)?;
        self.cfg.learning_rate = lr;
        Ok(())
    }

    /// Changes the batch size ∈ [1, 4096] (reallocates the workspace once); the run continues.
    pub fn set_batch_size(&mut self, b: usize) -> Result<(), Error> {
        check_batch_size(b)?;
        if b != self.cfg.batch_size {
            self.cfg.batch_size = b;
            self.ws = Workspace::new(self.net.architecture(), b);
            self.noise = vec![0.0; 2 * b];
        }
        Ok(())
    }

    /// Changes the σ range (σ_min ≤ σ_max in [0.001, 20]); the run continues.
    pub fn set_sigma_range(&mut self, lo: f64, hi: f64) -> Result<(), Error> {
        check_sigma_range(lo, hi)?;
        self.cfg.sigma_min = lo;
        self.cfg.sigma_max = hi;
        Ok(())
    }

    /// Relative error on a fixed [`score_eval::EvalSet`] (no sampling; the workspace is reused).
    pub fn eval_relative_error(&mut self, set: &mut score_eval::EvalSet) -> Result<f64, Error> {
        set.relative_error(&self.net, self.path, &mut self.ws)
    }

    /// Changes the training data; the run continues (the network is not reset).
    pub fn set_data(&mut self, data: &GaussianMixture) {
        self.data = data.clone();
    }

    /// The weights file of the current network ([`weights_file`]).
    pub fn export_weights(&self) -> Vec<u8> {
        weights_file::encode(&self.net)
    }

    /// Loads a weights file of the same architecture; Adam's moments and the step count are
    /// cleared and a divergence is lifted. On error nothing changes.
    pub fn import_weights(&mut self, bytes: &[u8]) -> Result<(), WeightsFileError> {
        let net = weights_file::decode(bytes, Some(self.net.architecture()))?;
        self.net = net;
        self.adam.reset();
        self.iteration = 0;
        self.last_loss = f64::NAN;
        self.diverged = None;
        Ok(())
    }

    /// s_θ(x, σ) at the points (xs[i], ys[i]) into out[2i], out[2i+1] (uses the trainer's
    /// workspace between steps; no allocation).
    pub fn score_at(
        &mut self,
        xs: &[f32],
        ys: &[f32],
        sigma: f64,
        out: &mut [f32],
    ) -> Result<(), Error> {
        score_eval::learned_score(&self.net, self.path, &mut self.ws, xs, ys, sigma, out)
    }

    /// s_θ(·, σ) on the nodes of [`score_eval::grid_nodes`] (an nx × ny grid over `view`), as
    /// [s₁, s₂] per node, x fastest.
    pub fn score_on_grid(
        &mut self,
        view: [f64; 4],
        nx: usize,
        ny: usize,
        sigma: f64,
    ) -> Result<Vec<f32>, Error> {
        let (xs, ys) = score_eval::grid_nodes(view, nx, ny)?;
        let mut out = vec![0.0; 2 * xs.len()];
        self.score_at(&xs, &ys, sigma, &mut out)?;
        Ok(out)
    }

    /// Relative MSE of s_θ(·, σ) against ∇log p_σ on `n` samples of p_σ from `seed`, and
    /// E‖∇log p_σ‖² (see [`score_eval::relative_error`]).
    pub fn relative_error(&mut self, sigma: f64, n: usize, seed: u64) -> Result<(f64, f64), Error> {
        score_eval::relative_error(
            &self.net,
            self.path,
            &mut self.ws,
            &self.data,
            sigma,
            n,
            seed,
        )
    }
}
