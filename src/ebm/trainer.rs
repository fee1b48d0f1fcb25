//! Maximum-likelihood training of a continuous energy-based model, with exact references.
//!
//! Model: the mixture of wells E_θ ([`super::wells`]) at T = 1, p_θ = e^{−E_θ}/Z_θ, with learnable
//! centres, depths and log-widths. Data: a Gaussian mixture ([`data_preset`]), sampled
//! afresh every step (seeded). The loss is the negative average log-likelihood (cross-entropy)
//!
//!   L(θ) = E_{p_data}[−log p_θ(x)] = E_{p_data}[E_θ(x)] + log Z_θ,
//!
//! and since ∇_θ log Z_θ = −E_{p_θ}[∇_θE_θ] its gradient splits into two phases,
//!
//!   ∇_θL = E_{p_data}[∇_θE_θ] − E_{p_θ}[∇_θE_θ]        (positive phase − negative phase).
//!
//! Gradient *descent* θ ← θ − η∇_θL lowers the energy where the data are and raises it where
//! the model's samples are. (Some lecture notes print the opposite sign; with p ∝ e^{−E} it is
//! wrong: at θ where the model puts too little mass on the data, descent must lower E there.)
//!
//! Each [`EbmTrainer::step`]: B positive samples from p_data; B negative samples from k steps of
//! ULA on E_θ ([`super::sampler`]) started from noise (short-run), from the positive batch
//! (contrastive divergence, CD-k) or from where they ended last step (persistent chains, PCD); the
//! Monte Carlo gradient; an Adam (Kingma & Ba 2015) or SGD update. Because the model lives in the
//! plane, the EXACT loss and gradient are available by quadrature (Z_θ and E_{p_θ} on the adaptive
//! rule of [`super::partition`], E_{p_data} on a rule fitted to the data mixture), together with the
//! best achievable value E_{p_data}[log p_data] = −H(p_data); [`StepReport`] compares the Monte
//! Carlo gradient with the exact one.
//!
//! After each update the depths are shifted to mean 0 (a gauge: adding a constant to every aₖ
//! adds it to −E and changes neither p_θ nor the loss), and parameters are kept in a safe box
//! (|c| ≤ 50, |a| ≤ 50, w ∈ [0.05, 20]).

use super::partition::{adaptive_rule, breakpoints};
use super::sampler::{fill_normal, WellsLangevin};
use super::wells::{Well, Wells, MAX_WELLS, PARAMS_PER_WELL};
use crate::error::{check_range, Error};
use crate::gaussian::Gaussian2;
use crate::mixture::GaussianMixture;
use crate::presets::preset;
use crate::quadrature::{Rule1, Rule2};
use crate::rng::{sim_rng_stream, SimRng, StepKey};

/// The data sets of the trainer: `blobs3` (defined here) and the presets of [`crate::presets`].
pub const DATA_NAMES: [&str; 4] = ["blobs3", "two-modes", "ring8", "gaussian"];

/// A data distribution by name. `blobs3`: three overlapping Gaussians with weights 0.5, 0.3, 0.2,
/// means (−1.5, −0.8), (1.5, −0.5), (0.2, 1.6), the last one tilted (covariance
/// [[0.5, 0.15], [0.15, 0.35]]), the others isotropic with sd 0.7 and 0.6. The modes are close
/// enough for Langevin chains to move between them in a few time units, unlike `two-modes` and
/// `ring8`, where they practically never do.
pub fn data_preset(name: &str) -> Result<GaussianMixture, Error> {
    match name {
        "blobs3" => GaussianMixture::new(
            &[0.5, 0.3, 0.2],
            vec![
                Gaussian2::isotropic([-1.5, -0.8], 0.7)?,
                Gaussian2::isotropic([1.5, -0.5], 0.6)?,
                Gaussian2::new([0.2, 1.6], 0.5, 0.15, 0.35)?,
            ],
        ),
        n if DATA_NAMES.contains(&n) => preset(n),
        other => Err(Error::invalid(
            "data",
            format!("one of {}", DATA_NAMES.join(", ")),
            format!("{other:?}"),
        )),
    }
}

/// Where the negative chains start at every step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChainMode {
    /// Short-run: restarted from broad Gaussian noise each step.
    Noise,
    /// Contrastive divergence CD-k: restarted at the positive (data) batch each step.
    Data,
    /// Persistent chains (PCD): continued from the previous step.
    Persistent,
}

impl ChainMode {
    /// Parses `noise`, `data` or `persistent`.
    pub fn from_name(name: &str) -> Result<Self, Error> {
        match name {
            "noise" => Ok(ChainMode::Noise),
            "data" => Ok(ChainMode::Data),
            "persistent" => Ok(ChainMode::Persistent),
            other => Err(Error::invalid(
                "chain_mode",
                "one of noise, data, persistent",
                format!("{other:?}"),
            )),
        }
    }
    /// The mode's name.
    pub fn name(self) -> &'static str {
        match self {
            ChainMode::Noise => "noise",
            ChainMode::Data => "data",
            ChainMode::Persistent => "persistent",
        }
    }
}

/// The optimiser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Optimizer {
    /// Adam with β₁ = 0.9, β₂ = 0.999.
    Adam,
    /// Plain gradient descent.
    Sgd,
}

/// Settings of a training run.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainerConfig {
    /// Data set name (see [`DATA_NAMES`]).
    pub data: String,
    /// Wells of the model, 1 to 16.
    pub wells: usize,
    /// Positive and negative samples per step, 8 to 4096.
    pub batch: usize,
    /// Learning rate η ∈ (0, 1].
    pub learning_rate: f64,
    /// Langevin steps per training step, 1 to 1000.
    pub langevin_steps: usize,
    /// Langevin step size ε ∈ (0, 1].
    pub step_size: f64,
    /// Where the chains start.
    pub mode: ChainMode,
    /// The optimiser.
    pub optimizer: Optimizer,
    /// Seed of every random stream.
    pub seed: u64,
}

impl Default for TrainerConfig {
    fn default() -> Self {
        TrainerConfig {
            data: "blobs3".into(),
            wells: 4,
            batch: 256,
            learning_rate: 0.05,
            langevin_steps: 20,
            step_size: 0.02,
            mode: ChainMode::Persistent,
            optimizer: Optimizer::Adam,
            seed: 1,
        }
    }
}

/// Checks the numeric settings.
pub fn check_wells(k: f64) -> Result<usize, Error> {
    check_int("wells", k, 1, MAX_WELLS)
}
/// Checks a batch size.
pub fn check_batch(b: f64) -> Result<usize, Error> {
    check_int("batch", b, 8, 4096)
}
/// Checks a learning rate.
pub fn check_learning_rate(v: f64) -> Result<f64, Error> {
    check_range("learning_rate", v, 0.0, 1.0, true)
}
/// Checks a number of Langevin steps per training step.
pub fn check_langevin_steps(k: f64) -> Result<usize, Error> {
    check_int("langevin_steps", k, 1, 1000)
}
/// Checks a Langevin step size.
pub fn check_step_size(v: f64) -> Result<f64, Error> {
    check_range("step_size", v, 0.0, 1.0, true)
}

fn check_int(name: &'static str, v: f64, lo: usize, hi: usize) -> Result<usize, Error> {
    if v.is_finite() && v.fract() == 0.0 && v >= lo as f64 && v <= hi as f64 {
        Ok(v as usize)
    } else {
        Err(Error::invalid(
            name,
            format!("an integer in [{lo}, {hi}]"),
            v,
        ))
    }
}

/// Exact quantities at one θ.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ExactEval {
    /// E_{p_data}[log p_θ] (nats).
    pub log_likelihood: f64,
    /// KL(p_data ‖ p_θ) = −H(p_data) − E_{p_data}[log p_θ].
    pub kl: f64,
    /// log Z_θ.
    pub log_z: f64,
}

/// What one step did.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct StepReport {
    /// Training steps completed.
    pub iteration: u64,
    /// Exact values at θ before the update (when requested).
    pub exact: Option<ExactEval>,
    /// cos∠(Monte Carlo gradient, exact gradient) (when requested).
    pub cosine: f64,
    /// ‖g_MC − g‖/‖g‖ (when requested).
    pub relative_error: f64,
}

/// The data distribution on a quadrature rule: nodes, weights × density, and −H.
#[derive(Debug, Clone, PartialEq)]
struct DataRule {
    xs: Vec<f64>,
    ys: Vec<f64>,
    /// Normalised weights ŵᵢ ∝ wᵢ p_data(xᵢ).
    w: Vec<f64>,
    neg_entropy: f64,
}

impl DataRule {
    fn new(p: &GaussianMixture) -> Result<Self, Error> {
        let (mut cx, mut cy, mut sx, mut sy) = (vec![], vec![], vec![], vec![]);
        let mut ratio: f64 = 1.0;
        for c in p.components() {
            let (m, s) = (c.mean(), c.cov());
            let (tr, det) = (s[0] + s[2], s[0] * s[2] - s[1] * s[1]);
            let disc = ((tr * tr / 4.0) - det).max(0.0).sqrt();
            let (l_max, l_min) = (tr / 2.0 + disc, tr / 2.0 - disc);
            ratio = ratio.max((l_max / l_min).sqrt());
            cx.push(m[0]);
            cy.push(m[1]);
            sx.push(l_max.sqrt());
            sy.push(l_max.sqrt());
        }
        // cells no wider than the smallest principal sd of each component
        let rule = Rule2 {
            x: Rule1::from_breakpoints(&breakpoints(&cx, &sx, ratio), 4)?,
            y: Rule1::from_breakpoints(&breakpoints(&cy, &sy, ratio), 4)?,
        };
        let (mut xs, mut ys, mut w, mut lp) = (vec![], vec![], vec![], vec![]);
        rule.for_each(|x, wt| {
            let l = p.log_density(x);
            // nodes below e^{−60} of a unit density contribute nothing at f64 precision
            if l > -60.0 {
                xs.push(x[0]);
                ys.push(x[1]);
                w.push(wt * l.exp());
                lp.push(l);
            }
        });
        let total: f64 = w.iter().sum();
        w.iter_mut().for_each(|v| *v /= total);
        let neg_entropy = w.iter().zip(&lp).map(|(a, b)| a * b).sum();
        Ok(DataRule {
            xs,
            ys,
            w,
            neg_entropy,
        })
    }
}

/// The training state machine. The caller owns the loop: one [`EbmTrainer::step`] per call.
#[derive(Debug, Clone)]
pub struct EbmTrainer {
    cfg: TrainerConfig,
    data: GaussianMixture,
    data_rule: DataRule,
    wells: Wells,
    theta: Vec<f64>,
    adam_m: Vec<f64>,
    adam_v: Vec<f64>,
    iteration: u64,
    batch_rng: SimRng,
    init_rng: SimRng,
    sampler: WellsLangevin,
    /// Positive (data) batch.
    pos_x: Vec<f32>,
    pos_y: Vec<f32>,
    /// Negative chains.
    neg_x: Vec<f32>,
    neg_y: Vec<f32>,
    grad_mc: Vec<f64>,
    grad_exact: Vec<f64>,
    noise_sd: f32,
    noise_mean: [f32; 2],
    failed: Option<Error>,
}

impl EbmTrainer {
    /// A fresh run (validates every setting).
    pub fn new(cfg: TrainerConfig) -> Result<Self, Error> {
        let data = data_preset(&cfg.data)?;
        check_wells(cfg.wells as f64)?;
        check_batch(cfg.batch as f64)?;
        check_learning_rate(cfg.learning_rate)?;
        check_langevin_steps(cfg.langevin_steps as f64)?;
        check_step_size(cfg.step_size)?;
        let data_rule = DataRule::new(&data)?;
        let (m, c) = (data.mean(), data.covariance());
        let spread = c[0].max(c[2]).sqrt();
        // initial wells: centres at K data samples, depth 0, width = half the data's spread
        let mut init_rng = sim_rng_stream(cfg.seed, 5);
        let wells = Wells::new(
            (0..cfg.wells)
                .map(|_| Well::new(data.sample(&mut init_rng), 0.0, 0.5 * spread))
                .collect::<Result<Vec<_>, _>>()?,
        )?;
        let mut theta = Vec::new();
        wells.params_into(&mut theta);
        let n = theta.len();
        let sampler = WellsLangevin::new(&wells, 1.0, cfg.step_size, cfg.seed)?;
        let b = cfg.batch;
        let mut t = EbmTrainer {
            data_rule,
            wells,
            theta,
            adam_m: vec![0.0; n],
            adam_v: vec![0.0; n],
            iteration: 0,
            batch_rng: sim_rng_stream(cfg.seed, 4),
            init_rng,
            sampler,
            pos_x: vec![0.0; b],
            pos_y: vec![0.0; b],
            neg_x: vec![0.0; b],
            neg_y: vec![0.0; b],
            grad_mc: vec![0.0; n],
            grad_exact: vec![0.0; n],
            noise_sd: (1.5 * spread) as f32,
            noise_mean: [m[0] as f32, m[1] as f32],
            failed: None,
            data,
            cfg,
        };
        t.restart_chains();
        Ok(t)
    }

    fn restart_chains(&mut self) {
        let key = StepKey::draw(&mut self.init_rng);
        fill_normal(
            &mut self.neg_x,
            &mut self.neg_y,
            self.noise_mean,
            self.noise_sd,
            key,
        );
    }

    /// The settings.
    pub fn config(&self) -> &TrainerConfig {
        &self.cfg
    }
    /// The current energy.
    pub fn wells(&self) -> &Wells {
        &self.wells
    }
    /// The data distribution.
    pub fn data(&self) -> &GaussianMixture {
        &self.data
    }
    /// Training steps completed.
    pub fn iteration(&self) -> u64 {
        self.iteration
    }
    /// The positive batch of the last step (x, y).
    pub fn positives(&self) -> (&[f32], &[f32]) {
        (&self.pos_x, &self.pos_y)
    }
    /// The negative samples of the last step (x, y).
    pub fn negatives(&self) -> (&[f32], &[f32]) {
        (&self.neg_x, &self.neg_y)
    }
    /// The Monte Carlo gradient of the last step.
    pub fn mc_gradient(&self) -> &[f64] {
        &self.grad_mc
    }
    /// The exact gradient of the last step that asked for it.
    pub fn exact_gradient(&self) -> &[f64] {
        &self.grad_exact
    }
    /// E_{p_data}[log p_data] = −H(p_data), the best achievable average log-likelihood.
    pub fn data_neg_entropy(&self) -> f64 {
        self.data_rule.neg_entropy
    }
    /// The error that stopped the run, if any.
    pub fn failure(&self) -> Option<&Error> {
        self.failed.as_ref()
    }

    /// Changes the learning rate (the run continues).
    pub fn set_learning_rate(&mut self, v: f64) -> Result<(), Error> {
        self.cfg.learning_rate = check_learning_rate(v)?;
        Ok(())
    }
    /// Changes the Langevin steps per training step (the run continues).
    pub fn set_langevin_steps(&mut self, k: f64) -> Result<(), Error> {
        self.cfg.langevin_steps = check_langevin_steps(k)?;
        Ok(())
    }
    /// Changes the Langevin step size (the run continues).
    pub fn set_step_size(&mut self, v: f64) -> Result<(), Error> {
        self.cfg.step_size = check_step_size(v)?;
        self.sampler.set_step_size(v)
    }
    /// Changes the chain mode (the run continues; persistent chains restart from noise).
    pub fn set_mode(&mut self, mode: ChainMode) {
        if mode == ChainMode::Persistent && self.cfg.mode != ChainMode::Persistent {
            self.restart_chains();
        }
        self.cfg.mode = mode;
    }

    /// Exact E_{p_data}[log p_θ], KL and log Z at the current θ; writes the exact gradient of
    /// the loss L = −E_{p_data}[log p_θ] into `grad` when given (length 4K).
    pub fn exact(&self, grad: Option<&mut [f64]>) -> Result<ExactEval, Error> {
        exact_eval(&self.wells, &self.data_rule, grad)
    }

    /// One training step; `with_exact` also computes the exact loss and gradient at θ before the
    /// update and compares the Monte Carlo gradient with it.
    pub fn step(&mut self, with_exact: bool) -> Result<StepReport, Error> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        // positive phase: fresh data
        for (x, y) in self.pos_x.iter_mut().zip(self.pos_y.iter_mut()) {
            let s = self.data.sample(&mut self.batch_rng);
            *x = s[0] as f32;
            *y = s[1] as f32;
        }
        // negative phase: k Langevin steps on the current energy
        match self.cfg.mode {
            ChainMode::Noise => self.restart_chains(),
            ChainMode::Data => {
                self.neg_x.copy_from_slice(&self.pos_x);
                self.neg_y.copy_from_slice(&self.pos_y);
            }
            ChainMode::Persistent => {}
        }
        self.sampler.set_energy(&self.wells, 1.0)?;
        for _ in 0..self.cfg.langevin_steps {
            if let Err(e) = self.sampler.step(&mut self.neg_x, &mut self.neg_y) {
                self.failed = Some(e.clone());
                return Err(e);
            }
        }
        // Monte Carlo gradient ⟨∇θE⟩_data − ⟨∇θE⟩_model
        self.grad_mc.iter_mut().for_each(|g| *g = 0.0);
        let (bp, bn) = (self.pos_x.len() as f64, self.neg_x.len() as f64);
        for (x, y) in self.pos_x.iter().zip(&self.pos_y) {
            self.wells
                .accumulate_grad_theta([*x as f64, *y as f64], 1.0 / bp, &mut self.grad_mc);
        }
        for (x, y) in self.neg_x.iter().zip(&self.neg_y) {
            self.wells
                .accumulate_grad_theta([*x as f64, *y as f64], -1.0 / bn, &mut self.grad_mc);
        }
        let mut report = StepReport::default();
        if with_exact {
            let ev = exact_eval(&self.wells, &self.data_rule, Some(&mut self.grad_exact))?;
            let (mut dot, mut nn, mut ne, mut nd) = (0.0, 0.0, 0.0, 0.0);
            for (a, b) in self.grad_mc.iter().zip(&self.grad_exact) {
                dot += a * b;
                nn += a * a;
                ne += b * b;
                nd += (a - b) * (a - b);
            }
            report.exact = Some(ev);
            report.cosine = dot / (nn.sqrt() * ne.sqrt()).max(1e-300);
            report.relative_error = (nd / ne.max(1e-300)).sqrt();
        }
        self.update();
        self.iteration += 1;
        report.iteration = self.iteration;
        if self.theta.iter().any(|v| !v.is_finite()) {
            let e = Error::invalid(
                "learning_rate",
                "small enough for a stable run (the parameters became non-finite; reset)",
                self.cfg.learning_rate,
            );
            self.failed = Some(e.clone());
            return Err(e);
        }
        Ok(report)
    }

    fn update(&mut self) {
        let lr = self.cfg.learning_rate;
        match self.cfg.optimizer {
            Optimizer::Sgd => {
                for (t, g) in self.theta.iter_mut().zip(&self.grad_mc) {
                    *t -= lr * g;
                }
            }
            Optimizer::Adam => {
                let (b1, b2) = (0.9f64, 0.999f64);
                let i = (self.iteration + 1) as i32;
                let (c1, c2) = (1.0 - b1.powi(i), 1.0 - b2.powi(i));
                for (((t, g), m), v) in self
                    .theta
                    .iter_mut()
                    .zip(&self.grad_mc)
                    .zip(&mut self.adam_m)
                    .zip(&mut self.adam_v)
                {
                    *m = b1 * *m + (1.0 - b1) * g;
                    *v = b2 * *v + (1.0 - b2) * g * g;
                    *t -= lr * (*m / c1) / ((*v / c2).sqrt() + 1e-8);
                }
            }
        }
        // gauge: mean depth 0; and the safe box
        let k = self.wells.len();
        let mean_a: f64 = self
            .theta
            .chunks_exact(PARAMS_PER_WELL)
            .map(|c| c[2])
            .sum::<f64>()
            / k as f64;
        for c in self.theta.chunks_exact_mut(PARAMS_PER_WELL) {
            c[0] = c[0].clamp(-50.0, 50.0);
            c[1] = c[1].clamp(-50.0, 50.0);
            c[2] = (c[2] - mean_a).clamp(-50.0, 50.0);
            c[3] = c[3].clamp(0.05f64.ln(), 20f64.ln());
        }
        self.wells.set_params_unchecked(&self.theta);
    }
}

/// Exact loss pieces and gradient of L = E_{p_data}[E_θ] + log Z_θ for `wells` against the data
/// rule.
fn exact_eval(
    wells: &Wells,
    data: &DataRule,
    grad: Option<&mut [f64]>,
) -> Result<ExactEval, Error> {
    let n = wells.n_params();
    let mut g_data = [0.0; MAX_WELLS * PARAMS_PER_WELL];
    let mut mean_e = 0.0;
    for i in 0..data.w.len() {
        mean_e += data.w[i]
            * wells.accumulate_grad_theta([data.xs[i], data.ys[i]], data.w[i], &mut g_data[..n]);
    }
    // model side, one pass with a running log-sum-exp shift
    let rule = adaptive_rule(wells, 1.0, 1.0)?;
    let (mut m, mut s) = (f64::NEG_INFINITY, 0.0);
    let mut g_model = [0.0; MAX_WELLS * PARAMS_PER_WELL];
    let mut gx = [0.0; MAX_WELLS * PARAMS_PER_WELL];
    let log_k = (wells.len() as f64).ln();
    rule.for_each(|x, w| {
        // skip nodes below e^{−60} of the largest term so far (see partition::SKIP)
        if wells.max_logit(x) + log_k < m - super::partition::SKIP {
            return;
        }
        let e = wells.grad_theta(x, &mut gx[..n]);
        let l = -e;
        if l > m {
            let f = (m - l).exp();
            s *= f;
            g_model[..n].iter_mut().for_each(|v| *v *= f);
            m = l;
        }
        let wt = w * (l - m).exp();
        s += wt;
        for (a, b) in g_model[..n].iter_mut().zip(&gx[..n]) {
            *a += wt * b;
        }
    });
    let log_z = m + s.ln();
    if let Some(out) = grad {
        for j in 0..n {
            out[j] = g_data[j] - g_model[j] / s;
        }
    }
    let ll = -mean_e - log_z;
    Ok(ExactEval {
        log_likelihood: ll,
        kl: data.neg_entropy - ll,
        log_z,
    })
}

/// Exact average log-likelihood E_{p_data}[log p_θ] of an arbitrary energy under a preset's data
/// (for tests and finite differences).
pub fn exact_log_likelihood(
    wells: &Wells,
    data: &str,
    grad: Option<&mut [f64]>,
) -> Result<ExactEval, Error> {
    let rule = DataRule::new(&data_preset(data)?)?;
    exact_eval(wells, &rule, grad)
}
