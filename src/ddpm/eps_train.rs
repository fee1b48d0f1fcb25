//! Training an ε-prediction network with DDPM's simple loss, as a step-wise trainer.
//!
//! One [`EpsTrainer::step`] draws a batch x₀,b ∼ p_data (the mixture's exact sampler),
//! t_b uniform on {1, …, N}, ε_b ∼ N(0, I), forms x_b = √ᾱ_{t_b} x₀,b + √(1 − ᾱ_{t_b}) ε_b and
//! takes one Adam step on
//!
//!   L_simple(θ) = (1/B) Σ_b ‖ε_θ(x_b, t_b) − ε_b‖²       (Ho, Jain & Abbeel 2020, eq. 14)
//!
//! (∂L/∂ε_θ = 2(ε_θ − ε)/B). The network is an MLP of `crate::nn` with input
//! (x₁, x₂, e(t)), where the time embedding e(t) = (√ᾱ_t, √(1 − ᾱ_t), λ_t/10) is read from the
//! noise level alone (λ_t = log SNR_t clamped to [−20, 20]), so the model answers at any step of
//! any schedule, DDIM's subsequences included. The minimiser is the conditional mean
//! ε*(x, t) = E[ε | x_t = x] = −√(1 − ᾱ_t) ∇log q_t(x) (curriculum V-D1/V-D2), and the loss never
//! goes below L* = E‖ε − ε*‖² = 2 − E‖ε*‖² (d = 2): E‖ε − ε_θ‖² = L* + E‖ε_θ − ε*‖².
//! [`EpsEvalSet`] measures both on fixed samples.
//!
//! A non-finite loss or gradient stops the step before the update (parameters and Adam's
//! moments stay the last finite ones) and the trainer refuses to step until [`EpsTrainer::reset`].
//! [`EpsNet`] is a snapshot of the network that implements [`EpsModel`], so the samplers of
//! [`super::ancestral`] and [`super::ddim`] run it through [`crate::sde::score::EpsScore`].

use super::BetaSchedule;
use crate::error::Error;
use crate::kernel::KernelPath;
use crate::mixture::GaussianMixture;
use crate::nn::activation::Activation;
use crate::nn::adam::{check_learning_rate, Adam};
use crate::nn::architecture::Architecture;
use crate::nn::dsm::{check_batch_size, MAX_HIDDEN_LAYERS, MAX_HIDDEN_WIDTH};
use crate::nn::mlp::Mlp;
use crate::nn::workspace::Workspace;
use crate::normal::normal_pair;
use crate::rng::{sim_rng_stream, SimRng};
use crate::sde::score::EpsModel;
use crate::sde::NoiseLevel;
use rand::Rng;

/// Inputs of the network: x₁, x₂ and the three time features.
pub const INPUT_DIM: usize = 5;
/// Rows of an evaluation workspace.
const EVAL_ROWS: usize = 1024;

/// The time embedding e(t) = (√ᾱ, √(1 − ᾱ), λ/10) of a noise level (λ = log SNR ∈ [−20, 20]).
pub fn time_features(level: &NoiseLevel) -> [f32; 3] {
    let (a, v) = (level.mean_scale, level.variance);
    let lam = (a * a / v).ln();
    let lam = if lam.is_nan() {
        0.0
    } else {
        lam.clamp(-20.0, 20.0)
    };
    [a as f32, v.sqrt() as f32, (lam / 10.0) as f32]
}

/// Hyper-parameters of an ε-prediction run.
#[derive(Debug, Clone, PartialEq)]
pub struct EpsConfig {
    /// Hidden widths (the network is 5 → hidden… → 2).
    pub hidden: Vec<usize>,
    /// Hidden activation.
    pub activation: Activation,
    /// Adam's learning rate.
    pub learning_rate: f64,
    /// Batch size B.
    pub batch_size: usize,
}

impl EpsConfig {
    /// The widget's default: 5 → 128 → 128 → 2, SiLU, Adam 2·10⁻³, batch 256.
    pub fn standard() -> Self {
        EpsConfig {
            hidden: vec![128, 128],
            activation: Activation::Silu,
            learning_rate: 2e-3,
            batch_size: 256,
        }
    }

    /// The validated architecture.
    pub fn validate(&self) -> Result<Architecture, Error> {
        check_learning_rate(self.learning_rate)?;
        check_batch_size(self.batch_size)?;
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
        let mut w = vec![INPUT_DIM];
        w.extend_from_slice(&self.hidden);
        w.push(2);
        Architecture::new(&w, self.activation)
    }
}

/// ε_θ at a batch of points for one level, through `ws` in chunks of its capacity.
#[allow(clippy::too_many_arguments)]
fn eval_eps(
    net: &Mlp,
    path: KernelPath,
    ws: &mut Workspace,
    level: &NoiseLevel,
    xs: &[f32],
    ys: &[f32],
    ex: &mut [f32],
    ey: &mut [f32],
) {
    let f = time_features(level);
    let cap = ws.capacity();
    let n = xs.len().min(ys.len()).min(ex.len()).min(ey.len());
    let mut start = 0;
    while start < n {
        let rows = cap.min(n - start);
        {
            let inp = ws.input_mut();
            for r in 0..rows {
                let row = &mut inp[INPUT_DIM * r..INPUT_DIM * (r + 1)];
                row[0] = xs[start + r];
                row[1] = ys[start + r];
                row[2..].copy_from_slice(&f);
            }
        }
        net.forward(path, ws, rows);
        let o = ws.output();
        for r in 0..rows {
            ex[start + r] = o[2 * r];
            ey[start + r] = o[2 * r + 1];
        }
        start += rows;
    }
}

/// A trained ε-network (a snapshot: training goes on without changing it).
#[derive(Debug, Clone)]
pub struct EpsNet {
    net: Mlp,
    ws: Workspace,
    path: KernelPath,
}

impl EpsNet {
    /// Wraps a network with 5 inputs and 2 outputs.
    pub fn new(net: Mlp) -> Result<Self, Error> {
        let a = net.architecture();
        if a.input_dim() != INPUT_DIM || a.output_dim() != 2 {
            return Err(Error::invalid(
                "widths",
                "a network with 5 inputs (x₁, x₂, e(t)) and 2 outputs",
                a.describe(),
            ));
        }
        let ws = Workspace::new(a, EVAL_ROWS);
        Ok(EpsNet {
            net,
            ws,
            path: KernelPath::best(),
        })
    }
    /// The network.
    pub fn network(&self) -> &Mlp {
        &self.net
    }
    /// Chooses the kernel path (both give the same bits).
    pub fn set_path(&mut self, path: KernelPath) {
        self.path = path;
    }
}

impl EpsModel for EpsNet {
    fn eps(&mut self, level: &NoiseLevel, xs: &[f32], ys: &[f32], ex: &mut [f32], ey: &mut [f32]) {
        eval_eps(&self.net, self.path, &mut self.ws, level, xs, ys, ex, ey);
    }
}

/// Fixed samples (t, x_t) of the training law with the exact ε*(x_t, t), for the readouts.
#[derive(Debug, Clone)]
pub struct EpsEvalSet {
    /// Sample indices sorted by step: (t, first, end) runs of equal t.
    runs: Vec<(usize, usize, usize)>,
    xs: Vec<f32>,
    ys: Vec<f32>,
    exact: Vec<[f64; 2]>,
    mean_square: f64,
    ex: Vec<f32>,
    ey: Vec<f32>,
}

impl EpsEvalSet {
    /// `n` ∈ [1, 10⁵] samples: t uniform on 1 … N, x_t ∼ q(x_t) (exact), from `seed`.
    pub fn new(
        data: &GaussianMixture,
        schedule: &BetaSchedule,
        n: usize,
        seed: u64,
    ) -> Result<Self, Error> {
        if !(1..=100_000).contains(&n) {
            return Err(Error::invalid("samples", "an integer in [1, 100000]", n));
        }
        let mut rng = sim_rng_stream(seed, 9);
        let nsteps = schedule.len();
        let mut ts: Vec<usize> = (0..n).map(|_| draw_step(&mut rng, nsteps)).collect();
        ts.sort_unstable();
        let (mut xs, mut ys, mut exact) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        let mut runs = Vec::new();
        let mut ms = 0.0;
        let mut i = 0;
        while i < n {
            let t = ts[i];
            let end = i + ts[i..].iter().take_while(|&&u| u == t).count();
            let (a, v) = schedule.marginal(t);
            let qt = data.scaled_noised(a, v)?;
            for _ in i..end {
                let x = data.sample(&mut rng);
                let (z1, z2) = normal_pair(rng.next_u32(), rng.next_u32());
                let p = [
                    (a * x[0] + v.sqrt() * z1 as f64) as f32,
                    (a * x[1] + v.sqrt() * z2 as f64) as f32,
                ];
                let s = qt.score([p[0] as f64, p[1] as f64]);
                let e = [-v.sqrt() * s[0], -v.sqrt() * s[1]];
                ms += e[0] * e[0] + e[1] * e[1];
                xs.push(p[0]);
                ys.push(p[1]);
                exact.push(e);
            }
            runs.push((t, i, end));
            i = end;
        }
        Ok(EpsEvalSet {
            runs,
            xs,
            ys,
            exact,
            mean_square: ms / n as f64,
            ex: vec![0.0; n],
            ey: vec![0.0; n],
        })
    }

    /// E‖ε*‖² on the set.
    pub fn mean_square(&self) -> f64 {
        self.mean_square
    }

    /// The loss floor L* = 2 − E‖ε*‖² estimated on the set.
    pub fn loss_floor(&self) -> f64 {
        2.0 - self.mean_square
    }

    /// E‖ε_θ − ε*‖² on the set (the excess of the expected loss over L*) for `model` over
    /// `schedule` (the one the set was drawn for).
    pub fn excess(&mut self, model: &mut dyn EpsModel, schedule: &BetaSchedule) -> f64 {
        for &(t, a, b) in &self.runs {
            let lv = super::level(schedule, t);
            model.eps(
                &lv,
                &self.xs[a..b],
                &self.ys[a..b],
                &mut self.ex[a..b],
                &mut self.ey[a..b],
            );
        }
        let s: f64 = self
            .exact
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let (dx, dy) = (self.ex[i] as f64 - e[0], self.ey[i] as f64 - e[1]);
                dx * dx + dy * dy
            })
            .sum();
        s / self.exact.len() as f64
    }
}

/// t uniform on {1, …, n} from 32 random bits (Lemire's multiply-shift; bias ≤ n/2³²).
fn draw_step(rng: &mut SimRng, n: usize) -> usize {
    1 + ((rng.next_u32() as u64 * n as u64) >> 32) as usize
}

/// The ε-prediction trainer (see the module docs). The caller owns the loop.
#[derive(Debug, Clone)]
pub struct EpsTrainer {
    data: GaussianMixture,
    schedule: BetaSchedule,
    cfg: EpsConfig,
    net: Mlp,
    adam: Adam,
    ws: Workspace,
    /// ε_b (B × 2) of the current batch.
    noise: Vec<f32>,
    rng: SimRng,
    seed: u64,
    iteration: u64,
    last_loss: f64,
    diverged: Option<Error>,
    path: KernelPath,
}

impl EpsTrainer {
    /// A freshly initialised network (PyTorch's default init) trained on `data` over `schedule`,
    /// everything drawn from `seed`.
    pub fn new(
        data: &GaussianMixture,
        schedule: BetaSchedule,
        cfg: EpsConfig,
        seed: u64,
    ) -> Result<Self, Error> {
        let arch = cfg.validate()?;
        let net = Mlp::new(arch.clone(), &mut sim_rng_stream(seed, 1));
        Ok(EpsTrainer {
            data: data.clone(),
            schedule,
            adam: Adam::new(arch.param_count(), cfg.learning_rate)?,
            ws: Workspace::new(&arch, cfg.batch_size.max(EVAL_ROWS)),
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

    /// Re-initialises the network from `seed`, clears Adam, the step count and a divergence.
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

    fn sample_batch(&mut self, b: usize) {
        let n = self.schedule.len();
        let inp = self.ws.input_mut();
        for r in 0..b {
            let x = self.data.sample(&mut self.rng);
            let t = draw_step(&mut self.rng, n);
            let (a, v) = self.schedule.marginal(t);
            let f = time_features(&super::level(&self.schedule, t));
            let (z1, z2) = normal_pair(self.rng.next_u32(), self.rng.next_u32());
            let sd = v.sqrt();
            let row = &mut inp[INPUT_DIM * r..INPUT_DIM * (r + 1)];
            row[0] = (a * x[0] + sd * z1 as f64) as f32;
            row[1] = (a * x[1] + sd * z2 as f64) as f32;
            row[2..].copy_from_slice(&f);
            self.noise[2 * r] = z1;
            self.noise[2 * r + 1] = z2;
        }
    }

    /// One Adam step on a fresh batch; returns the batch loss (before the update). After a
    /// divergence it returns the divergence error again without doing anything.
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
                let e = out[r] - self.noise[r];
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

    /// A snapshot of the current network as an [`EpsModel`].
    pub fn snapshot(&self) -> EpsNet {
        let mut n = EpsNet::new(self.net.clone())
            .expect("the trainer's network has 5 inputs and 2 outputs");
        n.set_path(self.path);
        n
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
    /// The configuration.
    pub fn config(&self) -> &EpsConfig {
        &self.cfg
    }
    /// The training data's law.
    pub fn data(&self) -> &GaussianMixture {
        &self.data
    }
    /// The training schedule.
    pub fn schedule(&self) -> &BetaSchedule {
        &self.schedule
    }
    /// The kernel path.
    pub fn path(&self) -> KernelPath {
        self.path
    }
    /// Chooses the kernel path (scalar or simd128; both give the same bits).
    pub fn set_path(&mut self, path: KernelPath) {
        self.path = path;
    }
    /// Changes the learning rate ∈ (0, 1]; the run continues.
    pub fn set_learning_rate(&mut self, lr: f64) -> Result<(), Error> {
        self.adam.set_learning_rate(lr)?;
        self.cfg.learning_rate = lr;
        Ok(())
    }
    /// Changes the training schedule; the run continues.
    pub fn set_schedule(&mut self, schedule: BetaSchedule) {
        self.schedule = schedule;
    }
    /// Changes the training data; the run continues.
    pub fn set_data(&mut self, data: &GaussianMixture) {
        self.data = data.clone();
    }
    /// The flat parameters of the current network.
    pub fn params(&self) -> &[f32] {
        self.net.params()
    }
}

impl EpsModel for EpsTrainer {
    fn eps(&mut self, level: &NoiseLevel, xs: &[f32], ys: &[f32], ex: &mut [f32], ey: &mut [f32]) {
        eval_eps(&self.net, self.path, &mut self.ws, level, xs, ys, ex, ey);
    }
}
