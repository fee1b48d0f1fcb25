//! Conditional flow matching with a neural velocity field, as a step-wise trainer.
//!
//! One [`FlowTrainer::step`] draws x₀ᵇ ∼ N(0, I), x₁ᵇ ∼ p (the mixture's exact sampler),
//! τᵇ ∼ U(0, 1), pairs x₀ with x₁ by the [`Coupling`], forms x_τ = (1 − τ)x₀ + τx₁ and takes one
//! Adam step on the conditional flow-matching loss (Lipman et al. 2023, arXiv:2210.02747, eq. 9
//! and 23 with σ_min = 0)
//!
//!   L_CFM(θ) = (1/B) Σ_b ‖v_θ(x_τᵇ, τᵇ) − (x₁ᵇ − x₀ᵇ)‖²,   ∂L/∂v = 2(v − (x₁ − x₀))/B.
//!
//! Its expectation is L_FM(θ) = E‖v_θ(x_τ, τ) − u_τ(x_τ)‖² plus the θ-independent constant
//! E‖x₁ − x₀‖² − E‖u_τ(x_τ)‖² (expand the square and use u_τ = E[x₁ − x₀ ∣ x_τ]; Lipman et al.
//! Thm 2, curriculum 004 §4-5), so both losses have the same gradient and the same minimiser
//! u_τ. The network is 3 → hidden… → 2 with input (x, y, τ).
//!
//! Couplings: `independent` (x₀ ⟂ x₁, the field of [`super::CondOtVelocity`]) or `minibatch-ot`,
//! which re-pairs the batch by the exact assignment minimising Σ‖x₀ⁱ − x₁^σ(i)‖² (Tong et al.
//! 2024, arXiv:2302.00482, Alg. 2; Pooladian et al. 2023). The latter's marginal field is not
//! closed form; as B grows its paths approach the straight OT displacement.
//!
//! A non-finite loss or gradient stops the step before the update (the last finite weights are
//! kept) and the trainer refuses to step until reset, as the DSM trainer does.

use super::assignment::{squared_distances, Assignment};
use super::cond_ot::CondOtVelocity;
use super::velocity::{check_tau, Velocity};
use crate::error::Error;
use crate::kernel::KernelPath;
use crate::mixture::GaussianMixture;
use crate::nn::activation::Activation;
use crate::nn::adam::{check_learning_rate, Adam};
use crate::nn::architecture::Architecture;
use crate::nn::dsm::{MAX_HIDDEN_LAYERS, MAX_HIDDEN_WIDTH};
use crate::nn::mlp::Mlp;
use crate::nn::weights_file::{self, WeightsFileError};
use crate::nn::workspace::Workspace;
use crate::normal::normal_pair;
use crate::rng::{sim_rng_stream, SimRng};
use rand::Rng;

/// The largest batch (independent coupling).
pub const MAX_BATCH: usize = 4096;
/// The largest batch with the minibatch-OT coupling (one O(B³) assignment per step).
pub const MAX_OT_BATCH: usize = 512;

/// How x₀ and x₁ are paired within a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coupling {
    /// x₀ ⟂ x₁.
    Independent,
    /// The exact OT assignment within the batch.
    MinibatchOt,
}

impl Coupling {
    /// `independent` or `minibatch-ot`.
    pub fn name(self) -> &'static str {
        match self {
            Coupling::Independent => "independent",
            Coupling::MinibatchOt => "minibatch-ot",
        }
    }

    /// The coupling by name.
    pub fn from_name(s: &str) -> Result<Self, Error> {
        match s {
            "independent" => Ok(Coupling::Independent),
            "minibatch-ot" => Ok(Coupling::MinibatchOt),
            _ => Err(Error::invalid(
                "coupling",
                "independent or minibatch-ot",
                format!("{s:?}"),
            )),
        }
    }
}

/// Hyper-parameters of a flow-matching run.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowConfig {
    /// Hidden widths (the network is 3 → hidden… → 2).
    pub hidden: Vec<usize>,
    /// Hidden activation.
    pub activation: Activation,
    /// Adam's learning rate.
    pub learning_rate: f64,
    /// Batch size B.
    pub batch_size: usize,
    /// The pairing of x₀ and x₁.
    pub coupling: Coupling,
}

impl FlowConfig {
    /// 3 → 64 → 64 → 2 SiLU, Adam 2e-3, B = 256, independent coupling.
    pub fn standard() -> Self {
        FlowConfig {
            hidden: vec![64, 64],
            activation: Activation::Silu,
            learning_rate: 2e-3,
            batch_size: 256,
            coupling: Coupling::Independent,
        }
    }

    /// Checks every field and returns the architecture.
    pub fn validate(&self) -> Result<Architecture, Error> {
        check_learning_rate(self.learning_rate)?;
        check_batch(self.batch_size, self.coupling)?;
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
}

/// Checks B ∈ [1, 4096] (independent) or [1, 512] (minibatch OT).
pub fn check_batch(b: usize, coupling: Coupling) -> Result<usize, Error> {
    let max = if coupling == Coupling::MinibatchOt {
        MAX_OT_BATCH
    } else {
        MAX_BATCH
    };
    if (1..=max).contains(&b) {
        Ok(b)
    } else {
        let what = if coupling == Coupling::MinibatchOt {
            " with the minibatch-ot coupling"
        } else {
            ""
        };
        Err(Error::invalid(
            "batch_size",
            format!("an integer in [1, {max}]{what}"),
            b,
        ))
    }
}

/// A fixed evaluation set: (x_τ, τ) of the independent-coupling path and the exact u_τ(x_τ).
#[derive(Debug, Clone, PartialEq)]
pub struct FlowEvalSet {
    xs: Vec<f32>,
    ys: Vec<f32>,
    taus: Vec<f64>,
    exact: Vec<[f64; 2]>,
    mean_square: f64,
}

impl FlowEvalSet {
    /// `n` ∈ [1, 100000] points drawn from `seed`.
    pub fn new(data: &GaussianMixture, n: usize, seed: u64) -> Result<Self, Error> {
        if !(1..=100_000).contains(&n) {
            return Err(Error::invalid("n", "an integer in [1, 100000]", n));
        }
        let mut rng = sim_rng_stream(seed, 7);
        let mut field = CondOtVelocity::new(data);
        let (mut xs, mut ys, mut taus, mut exact) = (vec![], vec![], vec![], vec![]);
        let mut ms = 0.0;
        for _ in 0..n {
            let x1 = data.sample(&mut rng);
            let (z1, z2) = normal_pair(rng.next_u32(), rng.next_u32());
            let tau = ((rng.next_u32() >> 8) as f64 + 0.5) / 16_777_216.0;
            let x = [
                (1.0 - tau) * z1 as f64 + tau * x1[0],
                (1.0 - tau) * z2 as f64 + tau * x1[1],
            ];
            let x = [x[0] as f32 as f64, x[1] as f32 as f64];
            let u = field.velocity_at(tau, x)?;
            ms += u[0] * u[0] + u[1] * u[1];
            xs.push(x[0] as f32);
            ys.push(x[1] as f32);
            taus.push(tau);
            exact.push(u);
        }
        Ok(FlowEvalSet {
            xs,
            ys,
            taus,
            exact,
            mean_square: ms / n as f64,
        })
    }

    /// The Monte Carlo estimate of E_τ E‖u_τ(x_τ)‖², the kinetic energy K of the exact flow.
    pub fn mean_square(&self) -> f64 {
        self.mean_square
    }

    /// The number of points.
    pub fn len(&self) -> usize {
        self.xs.len()
    }

    /// True when empty (never: n ≥ 1).
    pub fn is_empty(&self) -> bool {
        self.xs.is_empty()
    }
}

/// The flow-matching trainer (see the module docs). The caller owns the loop.
#[derive(Debug, Clone)]
pub struct FlowTrainer {
    data: GaussianMixture,
    cfg: FlowConfig,
    net: Mlp,
    adam: Adam,
    ws: Workspace,
    /// x₁ − x₀ per row (B × 2).
    target: Vec<f32>,
    x0: [Vec<f32>; 2],
    x1: [Vec<f32>; 2],
    cost: Vec<f64>,
    solver: Assignment,
    rng: SimRng,
    seed: u64,
    iteration: u64,
    last_loss: f64,
    last_pair_cost: f64,
    diverged: Option<Error>,
    path: KernelPath,
}

impl FlowTrainer {
    /// A freshly initialised network trained on `data`, everything drawn from `seed`.
    pub fn new(data: &GaussianMixture, cfg: FlowConfig, seed: u64) -> Result<Self, Error> {
        let arch = cfg.validate()?;
        let mut init = sim_rng_stream(seed, 1);
        let net = Mlp::new(arch.clone(), &mut init);
        let b = cfg.batch_size;
        Ok(FlowTrainer {
            data: data.clone(),
            adam: Adam::new(arch.param_count(), cfg.learning_rate)?,
            ws: Workspace::new(&arch, b),
            target: vec![0.0; 2 * b],
            x0: [vec![0.0; b], vec![0.0; b]],
            x1: [vec![0.0; b], vec![0.0; b]],
            cost: Vec::with_capacity(if cfg.coupling == Coupling::MinibatchOt {
                b * b
            } else {
                0
            }),
            solver: Assignment::new(),
            rng: sim_rng_stream(seed, 2),
            net,
            cfg,
            seed,
            iteration: 0,
            last_loss: f64::NAN,
            last_pair_cost: f64::NAN,
            diverged: None,
            path: KernelPath::best(),
        })
    }

    /// Re-initialises the network from `seed`, clears Adam and a divergence.
    pub fn reset(&mut self, seed: u64) {
        self.seed = seed;
        let mut init = sim_rng_stream(seed, 1);
        self.net = Mlp::new(self.net.architecture().clone(), &mut init);
        self.adam.reset();
        self.rng = sim_rng_stream(seed, 2);
        self.iteration = 0;
        self.last_loss = f64::NAN;
        self.last_pair_cost = f64::NAN;
        self.diverged = None;
    }

    fn sample_batch(&mut self, b: usize) -> Result<(), Error> {
        for r in 0..b {
            let x = self.data.sample(&mut self.rng);
            let (z1, z2) = normal_pair(self.rng.next_u32(), self.rng.next_u32());
            self.x1[0][r] = x[0] as f32;
            self.x1[1][r] = x[1] as f32;
            self.x0[0][r] = z1;
            self.x0[1][r] = z2;
        }
        let mut pair_cost = 0.0;
        if self.cfg.coupling == Coupling::MinibatchOt {
            squared_distances(
                &self.x0[0][..b],
                &self.x0[1][..b],
                &self.x1[0][..b],
                &self.x1[1][..b],
                &mut self.cost,
            );
            pair_cost = self.solver.solve(b, &self.cost)?;
        }
        let inp = self.ws.input_mut();
        for r in 0..b {
            let j = if self.cfg.coupling == Coupling::MinibatchOt {
                self.solver.columns()[r]
            } else {
                r
            };
            let (a0, a1) = (self.x0[0][r], self.x0[1][r]);
            let (b0, b1) = (self.x1[0][j], self.x1[1][j]);
            if self.cfg.coupling == Coupling::Independent {
                pair_cost += ((b0 - a0) as f64).powi(2) + ((b1 - a1) as f64).powi(2);
            }
            let tau = ((self.rng.next_u32() >> 8) as f32 + 0.5) / 16_777_216.0;
            inp[3 * r] = (1.0 - tau) * a0 + tau * b0;
            inp[3 * r + 1] = (1.0 - tau) * a1 + tau * b1;
            inp[3 * r + 2] = tau;
            self.target[2 * r] = b0 - a0;
            self.target[2 * r + 1] = b1 - a1;
        }
        self.last_pair_cost = pair_cost / b as f64;
        Ok(())
    }

    /// One training step; returns the batch loss (before the update). After a divergence it
    /// returns the divergence error again without doing anything.
    pub fn step(&mut self) -> Result<f64, Error> {
        if let Some(e) = &self.diverged {
            return Err(e.clone());
        }
        let b = self.cfg.batch_size;
        self.sample_batch(b)?;
        self.net.forward(self.path, &mut self.ws, b);
        let scale = 2.0 / b as f32;
        let mut loss = 0.0f64;
        {
            let (out, d_out) = self.ws.output_and_grad_mut();
            for r in 0..2 * b {
                let e = out[r] - self.target[r];
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

    /// v_θ(x, τ) at the points (xs[i], ys[i]) into out[2i], out[2i+1] (no allocation).
    pub fn velocity_at(
        &mut self,
        tau: f64,
        xs: &[f32],
        ys: &[f32],
        out: &mut [f32],
    ) -> Result<(), Error> {
        check_tau(tau)?;
        if ys.len() != xs.len() || out.len() < 2 * xs.len() {
            return Err(Error::invalid(
                "points",
                "equal numbers of x and y and room for 2 outputs each",
                format!("{} x, {} y, {} outputs", xs.len(), ys.len(), out.len()),
            ));
        }
        let cap = self.ws.capacity();
        let t = tau as f32;
        let mut start = 0;
        while start < xs.len() {
            let rows = cap.min(xs.len() - start);
            let inp = self.ws.input_mut();
            for r in 0..rows {
                inp[3 * r] = xs[start + r];
                inp[3 * r + 1] = ys[start + r];
                inp[3 * r + 2] = t;
            }
            self.net.forward(self.path, &mut self.ws, rows);
            out[2 * start..2 * (start + rows)].copy_from_slice(&self.ws.output()[..2 * rows]);
            start += rows;
        }
        Ok(())
    }

    /// The relative error E‖v_θ − u‖²/E‖u‖² on a fixed set (u: the exact independent-coupling field).
    pub fn relative_error(&mut self, set: &FlowEvalSet) -> f64 {
        let cap = self.ws.capacity();
        let mut se = 0.0;
        let mut start = 0;
        while start < set.len() {
            let rows = cap.min(set.len() - start);
            let inp = self.ws.input_mut();
            for r in 0..rows {
                inp[3 * r] = set.xs[start + r];
                inp[3 * r + 1] = set.ys[start + r];
                inp[3 * r + 2] = set.taus[start + r] as f32;
            }
            self.net.forward(self.path, &mut self.ws, rows);
            let out = self.ws.output();
            for r in 0..rows {
                let u = set.exact[start + r];
                let (dx, dy) = (out[2 * r] as f64 - u[0], out[2 * r + 1] as f64 - u[1]);
                se += dx * dx + dy * dy;
            }
            start += rows;
        }
        se / set.len() as f64 / set.mean_square
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

    /// Mean ‖x₁ − x₀‖² of the last batch's pairs (the coupling's cost).
    pub fn last_pair_cost(&self) -> f64 {
        self.last_pair_cost
    }

    /// The seed of the current run.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The network.
    pub fn network(&self) -> &Mlp {
        &self.net
    }

    /// The configuration.
    pub fn config(&self) -> &FlowConfig {
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

    /// Changes the batch size (see [`check_batch`]); the run continues.
    pub fn set_batch_size(&mut self, b: usize) -> Result<(), Error> {
        check_batch(b, self.cfg.coupling)?;
        if b != self.cfg.batch_size {
            self.cfg.batch_size = b;
            self.ws = Workspace::new(self.net.architecture(), b);
            self.target = vec![0.0; 2 * b];
            self.x0 = [vec![0.0; b], vec![0.0; b]];
            self.x1 = [vec![0.0; b], vec![0.0; b]];
        }
        Ok(())
    }

    /// Changes the coupling (the batch size must fit it); the run continues.
    pub fn set_coupling(&mut self, c: Coupling) -> Result<(), Error> {
        check_batch(self.cfg.batch_size, c)?;
        self.cfg.coupling = c;
        Ok(())
    }

    /// Changes the training data; the run continues (the network is not reset).
    pub fn set_data(&mut self, data: &GaussianMixture) {
        self.data = data.clone();
    }

    /// The weights file of the current network.
    pub fn export_weights(&self) -> Vec<u8> {
        weights_file::encode(&self.net)
    }

    /// Loads a weights file of the same architecture; Adam and the step count are cleared.
    pub fn import_weights(&mut self, bytes: &[u8]) -> Result<(), WeightsFileError> {
        let net = weights_file::decode(bytes, Some(self.net.architecture()))?;
        self.net = net;
        self.adam.reset();
        self.iteration = 0;
        self.last_loss = f64::NAN;
        self.diverged = None;
        Ok(())
    }
}

impl Velocity for FlowTrainer {
    fn eval(&mut self, tau: f64, xs: &[f32], ys: &[f32], vx: &mut [f32], vy: &mut [f32]) {
        let cap = self.ws.capacity();
        let t = tau as f32;
        let mut start = 0;
        while start < xs.len() {
            let rows = cap.min(xs.len() - start);
            let inp = self.ws.input_mut();
            for r in 0..rows {
                inp[3 * r] = xs[start + r];
                inp[3 * r + 1] = ys[start + r];
                inp[3 * r + 2] = t;
            }
            self.net.forward(self.path, &mut self.ws, rows);
            let out = self.ws.output();
            for r in 0..rows {
                vx[start + r] = out[2 * r];
                vy[start + r] = out[2 * r + 1];
            }
            start += rows;
        }
    }
}
