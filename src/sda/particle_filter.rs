//! The bootstrap particle filter with systematic resampling, over a trajectory window, as a
//! step-wise state machine; its genealogy gives samples of the whole trajectory posterior.
//!
//! Gordon, Salmond & Smith (1993): particles x_k^i are propagated through the transition kernel
//! (the proposal is the prior), weighted by the observation's likelihood w^i ∝ p(y_k | x_k^i),
//! and resampled. Systematic resampling (Kitagawa 1996; Douc, Cappé & Moulines 2005) takes one
//! u ~ U(0, 1/N) and the points u + j/N, j = 0…N−1, through the inverse CDF of the weights: it
//! is unbiased (each particle is copied N·w^i times in expectation) with less variance than
//! multinomial resampling. Keeping every particle's parent index and tracing them back from the
//! last time gives N equally weighted samples of p(x_{1:L} | y_{1:L}) (Kitagawa 1996, the
//! "ancestral path" smoother; the early times have few distinct ancestors: path degeneracy).
//!
//! The estimate of the evidence, log p(y) ≈ Σ_k log( (1/N) Σ_i p(y_k | x_k^i) ), is a by-product.
//! Before the window, `burn_in` unweighted transitions take the particles from the initial law to
//! the law of the window's first state (the same law the twin experiment's truth is drawn from).

use super::lorenz::{initial_state, normals3, NoisyLorenz};
use super::observation::Observations;
use crate::error::{check_range, Error};
use crate::rng::{sim_rng_stream, SimRng, StepKey};
use rand::Rng;

/// A Markov transition x' = F(x, z) with standard normal z ∈ ℝ³, and its initial law.
pub trait Transition {
    /// A draw of the initial law from normals z.
    fn initial(&self, z: [f64; 3]) -> [f64; 3];
    /// One transition with normals z.
    fn step(&self, x: [f64; 3], z: [f64; 3]) -> [f64; 3];
}

impl Transition for NoisyLorenz {
    fn initial(&self, z: [f64; 3]) -> [f64; 3] {
        initial_state(z)
    }
    fn step(&self, x: [f64; 3], z: [f64; 3]) -> [f64; 3] {
        self.transition(x, z)
    }
}

/// The linear-Gaussian AR(1) system x' = φx + √q z per coordinate, x₀ ~ N(0, s₀²): the Kalman
/// filter is exact for it, which makes it the particle filter's test case.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinearGaussian {
    /// φ.
    pub phi: f64,
    /// q.
    pub q: f64,
    /// s₀².
    pub initial_var: f64,
}

impl Transition for LinearGaussian {
    fn initial(&self, z: [f64; 3]) -> [f64; 3] {
        let s = self.initial_var.sqrt();
        [s * z[0], s * z[1], s * z[2]]
    }
    fn step(&self, x: [f64; 3], z: [f64; 3]) -> [f64; 3] {
        let s = self.q.sqrt();
        [
            self.phi * x[0] + s * z[0],
            self.phi * x[1] + s * z[1],
            self.phi * x[2] + s * z[2],
        ]
    }
}

/// Systematic resampling of normalised `weights` with the offset u ∈ [0, 1): `out[j]` is the
/// index whose CDF interval holds (u + j)/N.
pub fn systematic_resample(weights: &[f64], u: f64, out: &mut [u32]) {
    let n = out.len();
    let mut cum = 0.0;
    let mut i = 0usize;
    for (j, o) in out.iter_mut().enumerate() {
        let p = (u + j as f64) / n as f64;
        while i + 1 < weights.len() && cum + weights[i] <= p {
            cum += weights[i];
            i += 1;
        }
        *o = i as u32;
    }
}

/// Where a particle filter is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Unweighted transitions before the window: (done, total).
    BurnIn(usize, usize),
    /// Inside the window: states done out of L.
    Window(usize, usize),
    /// Finished.
    Done,
}

/// A bootstrap particle filter over an L-state window.
#[derive(Debug, Clone)]
pub struct ParticleFilter<T: Transition> {
    model: T,
    obs: Observations,
    n: usize,
    burn_in: usize,
    burned: usize,
    k: usize,
    x: Vec<[f64; 3]>,
    next: Vec<[f64; 3]>,
    w: Vec<f64>,
    idx: Vec<u32>,
    paths: Vec<f32>,
    parents: Vec<u32>,
    rng: SimRng,
    log_evidence: f64,
    min_ess: f64,
}

impl<T: Transition> ParticleFilter<T> {
    /// `particles` N ∈ [2, 2¹⁸], `burn_in` ∈ [0, 100 000] transitions, observations of an
    /// L-state window (L = `obs.values.len()` ∈ [1, 4096]).
    pub fn new(
        model: T,
        obs: Observations,
        particles: usize,
        burn_in: usize,
        seed: u64,
    ) -> Result<Self, Error> {
        check_range("particles", particles as f64, 2.0, 262_144.0, false)?;
        check_range("burn-in", burn_in as f64, 0.0, 100_000.0, false)?;
        let len = obs.values.len();
        check_range("window length", len as f64, 1.0, 4096.0, false)?;
        let mut rng = sim_rng_stream(seed, 0x0f1);
        let key = StepKey::draw(&mut rng);
        let x = (0..particles as u32)
            .map(|i| model.initial(normals3(i, key)))
            .collect();
        Ok(Self {
            model,
            obs,
            n: particles,
            burn_in,
            burned: 0,
            k: 0,
            x,
            next: vec![[0.0; 3]; particles],
            w: vec![0.0; particles],
            idx: vec![0; particles],
            paths: Vec::with_capacity(3 * particles * len),
            parents: Vec::with_capacity(particles * len),
            rng,
            log_evidence: 0.0,
            min_ess: particles as f64,
        })
    }

    /// The phase.
    pub fn phase(&self) -> Phase {
        if self.burned < self.burn_in {
            Phase::BurnIn(self.burned, self.burn_in)
        } else if self.k < self.obs.values.len() {
            Phase::Window(self.k, self.obs.values.len())
        } else {
            Phase::Done
        }
    }

    /// Fraction of the work done (transitions), in [0, 1].
    pub fn progress(&self) -> f64 {
        (self.burned + self.k) as f64 / (self.burn_in + self.obs.values.len()) as f64
    }

    /// True when the window is done.
    pub fn is_done(&self) -> bool {
        self.phase() == Phase::Done
    }

    /// N.
    pub fn particles(&self) -> usize {
        self.n
    }

    /// The observations.
    pub fn observations(&self) -> &Observations {
        &self.obs
    }

    /// One transition of every particle (a burn-in step, or one window state with its weighting
    /// and resampling); false once done. A non-finite state, or observations that no particle
    /// can explain (every weight 0), stop the filter with an error.
    pub fn step(&mut self) -> Result<bool, Error> {
        match self.phase() {
            Phase::Done => return Ok(false),
            Phase::BurnIn(..) => {
                self.propagate();
                self.burned += 1;
                return self.check();
            }
            Phase::Window(..) => {}
        }
        if self.k > 0 {
            self.propagate();
        }
        self.check()?;
        let k = self.k;
        let mut resampled = false;
        if self.obs.values[k].is_some() {
            let mut top = f64::NEG_INFINITY;
            for (w, x) in self.w.iter_mut().zip(&self.x) {
                *w = self.obs.log_likelihood_at(k, *x).unwrap_or(0.0);
                top = top.max(*w);
            }
            if !top.is_finite() {
                return Err(Error::invalid(
                    "observations",
                    "explainable by at least one particle (every weight is 0)",
                    format!("time {k}"),
                ));
            }
            let mut sum = 0.0;
            for w in self.w.iter_mut() {
                *w = (*w - top).exp();
                sum += *w;
            }
            let mut sq = 0.0;
            for w in self.w.iter_mut() {
                *w /= sum;
                sq += *w * *w;
            }
            self.min_ess = self.min_ess.min(1.0 / sq);
            self.log_evidence += top + (sum / self.n as f64).ln();
            let u: f64 = (self.rng.next_u32() as f64 + 0.5) / 4_294_967_296.0;
            systematic_resample(&self.w, u, &mut self.idx);
            for (j, &i) in self.idx.iter().enumerate() {
                self.next[j] = self.x[i as usize];
            }
            std::mem::swap(&mut self.x, &mut self.next);
            resampled = true;
        }
        for (j, x) in self.x.iter().enumerate() {
            self.paths.extend(x.iter().map(|v| *v as f32));
            self.parents
                .push(if resampled { self.idx[j] } else { j as u32 });
        }
        self.k += 1;
        Ok(!self.is_done())
    }

    fn propagate(&mut self) {
        let key = StepKey::draw(&mut self.rng);
        for (i, x) in self.x.iter_mut().enumerate() {
            *x = self.model.step(*x, normals3(i as u32, key));
        }
    }

    fn check(&self) -> Result<bool, Error> {
        let bad = self
            .x
            .iter()
            .filter(|x| !x.iter().all(|v| v.is_finite() && v.abs() < 1e6))
            .count();
        if bad > 0 {
            return Err(Error::Diverged {
                step: (self.burned + self.k) as u64,
                particles: bad as u32,
                radius: 1e6,
            });
        }
        Ok(!self.is_done())
    }

    /// The filtering particles at the last state done (equally weighted after resampling).
    pub fn current(&self) -> &[[f64; 3]] {
        &self.x
    }

    /// log p̂(y) of the observations so far.
    pub fn log_evidence(&self) -> f64 {
        self.log_evidence
    }

    /// The smallest effective sample size 1/Σw² seen at an observation.
    pub fn min_ess(&self) -> f64 {
        self.min_ess
    }

    /// The window states done so far.
    pub fn window_done(&self) -> usize {
        self.k
    }

    /// Trajectory sample `i` (traced through the parents from the last state done), flat
    /// [x₁, y₁, z₁, …] over the states done, in physical units.
    pub fn trajectory(&self, i: usize) -> Vec<f64> {
        let len = self.k;
        let mut out = vec![0.0; 3 * len];
        let mut j = i.min(self.n - 1);
        for k in (0..len).rev() {
            let base = 3 * (k * self.n + j);
            for c in 0..3 {
                out[3 * k + c] = self.paths[base + c] as f64;
            }
            j = self.parents[k * self.n + j] as usize;
        }
        out
    }

    /// The number of distinct ancestors at the first window state of all N final particles.
    pub fn distinct_ancestors(&self) -> usize {
        if self.k == 0 {
            return 0;
        }
        let mut cur: Vec<u32> = (0..self.n as u32).collect();
        let mut seen = vec![false; self.n];
        for k in (1..self.k).rev() {
            for c in cur.iter_mut() {
                *c = self.parents[k * self.n + *c as usize];
            }
        }
        cur.iter()
            .filter(|&&c| !std::mem::replace(&mut seen[c as usize], true))
            .count()
    }
}
