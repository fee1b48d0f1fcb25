//! One update of a Boltzmann machine's learning rule, with exact diagnostics.
//!
//! Gradient ascent on the average log-likelihood (descent on KL(p‖q_θ)):
//!
//!   θ ← θ + ε ĝ,   ĝ ≈ g = ⟨φ⟩_p − ⟨φ⟩_{q_θ},
//!
//! where the negative phase ⟨φ⟩_{q_θ} is
//! * [`Method::Exact`]: computed by enumerating all states (the true gradient);
//! * [`Method::Cd`] (contrastive divergence, Hinton 2002): averaged over M chains that start at
//!   data patterns and run k Gibbs sweeps — cheap, but biased towards the data while the chains
//!   have not mixed;
//! * [`Method::Pcd`] (persistent CD, Tieleman 2008): averaged over M chains that are never reset,
//!   k sweeps per update, so they keep mixing while θ changes slowly.
//!
//! After every update the trainer enumerates the new θ, so the exact KL(p‖q_θ), the exact gradient
//! and the cosine between the estimate and the exact gradient are always available. The caller
//! owns the loop: [`Trainer::step`] performs exactly one update.

use super::gibbs::sweep;
use super::machine::{add_stats, param_count, BoltzmannMachine, Enumeration};
use super::patterns::PatternSet;
use crate::error::{check_range, Error};
use crate::rng::{sim_rng_stream, SimRng};

/// The most Gibbs chains of a CD or PCD trainer.
pub const MAX_CHAINS: usize = 10_000;
/// The most Gibbs sweeps per update.
pub const MAX_SWEEPS: u32 = 1000;
/// History entries kept; beyond that the history is thinned 2:1 (every other entry dropped and
/// the recording stride doubled), so long runs keep a bounded, evenly spaced record.
pub const HISTORY_MAX: usize = 4096;

/// How the negative phase is estimated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Exact model statistics by enumeration.
    Exact,
    /// Contrastive divergence: chains restarted at data, `k` sweeps.
    Cd {
        /// Gibbs sweeps per update.
        k: u32,
    },
    /// Persistent contrastive divergence: chains kept across updates, `k` sweeps per update.
    Pcd {
        /// Gibbs sweeps per update.
        k: u32,
    },
}

impl Method {
    fn stream(self) -> u64 {
        match self {
            Method::Exact => 0,
            Method::Cd { .. } => 1,
            Method::Pcd { .. } => 2,
        }
    }
}

/// A Boltzmann machine being trained on a pattern set by one method.
#[derive(Debug, Clone)]
pub struct Trainer {
    method: Method,
    machine: BoltzmannMachine,
    data: PatternSet,
    learning_rate: f64,
    chains: Vec<u32>,
    rng: SimRng,
    updates: u64,
    exact: Enumeration,
    grad_exact: Vec<f64>,
    grad_est: Vec<f64>,
    negative: Vec<f64>,
    cosine: f64,
    history: Vec<f64>,
    stride: u64,
}

impl Trainer {
    /// A trainer from θ = 0 (uniform q) with learning rate ε ∈ (0, 10] and, for CD/PCD,
    /// M ∈ [1, 10 000] chains and k ∈ [1, 1000] sweeps; `seed` fixes the chains.
    pub fn new(
        data: PatternSet,
        method: Method,
        learning_rate: f64,
        chains: usize,
        seed: u64,
    ) -> Result<Self, Error> {
        check_range("learning_rate", learning_rate, 0.0, 10.0, true)?;
        check_range("chains", chains as f64, 1.0, MAX_CHAINS as f64, false)?;
        if let Method::Cd { k } | Method::Pcd { k } = method {
            check_range("sweeps", k as f64, 1.0, MAX_SWEEPS as f64, false)?;
        }
        let machine = BoltzmannMachine::new(data.units())?;
        let n = param_count(data.units());
        let mut t = Trainer {
            method,
            machine,
            data,
            learning_rate,
            chains: vec![0; chains],
            rng: sim_rng_stream(seed, method.stream()),
            updates: 0,
            exact: Enumeration::default(),
            grad_exact: vec![0.0; n],
            grad_est: vec![0.0; n],
            negative: vec![0.0; n],
            cosine: f64::NAN,
            history: Vec::new(),
            stride: 1,
        };
        // persistent chains start at data patterns, like CD's
        for c in 0..t.chains.len() {
            t.chains[c] = t.data.sample(&mut t.rng);
        }
        t.refresh();
        t.history.push(t.kl());
        Ok(t)
    }

    /// Enumerates the current θ and recomputes the exact gradient.
    fn refresh(&mut self) {
        self.machine.enumerate(&mut self.exact);
        for ((g, p), q) in self
            .grad_exact
            .iter_mut()
            .zip(self.data.stats())
            .zip(&self.exact.stats)
        {
            *g = p - q;
        }
    }

    /// Computes the gradient estimate ĝ at the current θ (advancing the chains of CD and PCD)
    /// without updating θ, and returns it; [`Trainer::exact_gradient`] is the true g at the same θ.
    pub fn estimate_gradient(&mut self) -> &[f64] {
        let d = self.machine.units();
        match self.method {
            Method::Exact => self.grad_est.copy_from_slice(&self.grad_exact),
            Method::Cd { k } | Method::Pcd { k } => {
                self.negative.fill(0.0);
                let w = 1.0 / self.chains.len() as f64;
                for c in 0..self.chains.len() {
                    let mut s = if matches!(self.method, Method::Cd { .. }) {
                        self.data.sample(&mut self.rng)
                    } else {
                        self.chains[c]
                    };
                    for _ in 0..k {
                        s = sweep(&self.machine, s, &mut self.rng);
                    }
                    self.chains[c] = s;
                    add_stats(d, s, w, &mut self.negative);
                }
                for ((g, p), q) in self
                    .grad_est
                    .iter_mut()
                    .zip(self.data.stats())
                    .zip(&self.negative)
                {
                    *g = p - q;
                }
            }
        }
        &self.grad_est
    }

    /// Replaces θ (e.g. parameters saved from an earlier run) and recomputes the exact quantities.
    pub fn set_params(&mut self, theta: &[f64]) -> Result<(), Error> {
        self.machine.set_params(theta)?;
        self.refresh();
        if let Some(last) = self.history.last_mut() {
            if self.updates == 0 {
                *last = self.data.kl(&self.exact);
            }
        }
        Ok(())
    }

    /// One update θ ← θ + ε ĝ. Fails only if θ would stop being finite (it cannot for
    /// ε ≤ 10 and realistic run lengths, since every gradient entry lies in [−1, 1]).
    pub fn step(&mut self) -> Result<(), Error> {
        self.estimate_gradient();
        self.cosine = cosine(&self.grad_est, &self.grad_exact);
        if !self.machine.add_scaled(&self.grad_est, self.learning_rate) {
            return Err(Error::invalid(
                "learning_rate",
                "small enough to keep the parameters finite",
                self.learning_rate,
            ));
        }
        self.updates += 1;
        self.refresh();
        if self.updates % self.stride == 0 {
            self.history.push(self.kl());
            if self.history.len() >= HISTORY_MAX {
                let kept: Vec<f64> = self.history.iter().step_by(2).copied().collect();
                self.history = kept;
                self.stride *= 2;
            }
        }
        Ok(())
    }

    /// The method.
    pub fn method(&self) -> Method {
        self.method
    }
    /// The machine being trained.
    pub fn machine(&self) -> &BoltzmannMachine {
        &self.machine
    }
    /// The data.
    pub fn data(&self) -> &PatternSet {
        &self.data
    }
    /// Exact quantities of the current θ.
    pub fn exact(&self) -> &Enumeration {
        &self.exact
    }
    /// Number of updates so far.
    pub fn updates(&self) -> u64 {
        self.updates
    }
    /// The learning rate ε.
    pub fn learning_rate(&self) -> f64 {
        self.learning_rate
    }
    /// Changes ε ∈ (0, 10] for the next updates.
    pub fn set_learning_rate(&mut self, lr: f64) -> Result<(), Error> {
        self.learning_rate = check_range("learning_rate", lr, 0.0, 10.0, true)?;
        Ok(())
    }
    /// Exact KL(p‖q_θ) in nats at the current θ.
    pub fn kl(&self) -> f64 {
        self.data.kl(&self.exact)
    }
    /// Exact KL after 0, s, 2s, … updates, s = [`Trainer::history_stride`].
    pub fn history(&self) -> &[f64] {
        &self.history
    }
    /// Updates between two history entries (1 until the history first fills up).
    pub fn history_stride(&self) -> u64 {
        self.stride
    }
    /// The exact gradient ⟨φ⟩_p − ⟨φ⟩_q at the current θ.
    pub fn exact_gradient(&self) -> &[f64] {
        &self.grad_exact
    }
    /// The gradient estimate used by the last update.
    pub fn estimated_gradient(&self) -> &[f64] {
        &self.grad_est
    }
    /// Cosine between the last update's estimate and the exact gradient at the same θ (NaN
    /// before the first update or when a gradient is zero).
    pub fn cosine(&self) -> f64 {
        self.cosine
    }
    /// max |⟨φ⟩_p − ⟨φ⟩_q| at the current θ: zero exactly at the maximum-likelihood fit, where
    /// the model reproduces every data mean and pairwise correlation (moment matching).
    pub fn moment_mismatch(&self) -> f64 {
        self.grad_exact.iter().fold(0.0, |m, g| m.max(g.abs()))
    }
    /// Current states of the Gibbs chains (CD: where the last update's chains ended; exact: the
    /// data patterns the chains were initialised with).
    pub fn chains(&self) -> &[u32] {
        &self.chains
    }
}

/// The exact expected CD-k negative statistics ⟨φ⟩_{pT^k}: the data distribution pushed through
/// k Gibbs sweeps of `m` (see [`super::gibbs::propagate`]). `dist` is scratch of length 2^D.
pub fn cd_expected_stats(
    m: &BoltzmannMachine,
    data: &PatternSet,
    k: u32,
    dist: &mut Vec<f64>,
) -> Vec<f64> {
    let d = m.units();
    dist.clear();
    dist.resize(1 << d, 0.0);
    for &(s, p) in data.distinct() {
        dist[s as usize] = p;
    }
    for _ in 0..k {
        super::gibbs::propagate(m, dist);
    }
    let mut out = vec![0.0; param_count(d)];
    for (s, &p) in dist.iter().enumerate() {
        if p > 0.0 {
            add_stats(d, s as u32, p, &mut out);
        }
    }
    out
}

/// a·b / (‖a‖‖b‖), NaN if either is zero.
pub fn cosine(a: &[f64], b: &[f64]) -> f64 {
    let ab: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let aa: f64 = a.iter().map(|x| x * x).sum();
    let bb: f64 = b.iter().map(|x| x * x).sum();
    if aa == 0.0 || bb == 0.0 {
        f64::NAN
    } else {
        ab / (aa * bb).sqrt()
    }
}
