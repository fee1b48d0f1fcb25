//! The Lorenz-63 twin experiment: a simulated truth, its observations over a window, and two
//! independent bootstrap particle filters (the ground-truth posterior and its noise floor).
//!
//! The truth is `burn_in` transitions from the initial law followed by `total` states
//! ([`super::lorenz::simulate_truth`]); the window is states `start … start + len − 1` of it,
//! observed by an [`ObservationOperator`]. Each filter's particles go through `burn_in + start`
//! unweighted transitions first, so that they start the window from the same law as the truth.
//! The posterior summaries: log p(x) under the dynamics ([`NoisyLorenz::log_prior`]), log p(y | x)
//! ([`Observations::log_likelihood`]), and the sliced Wasserstein distance between the two filters'
//! standardised trajectory samples ([`super::sliced`]), the floor any posterior sampler's distance
//! to the filter is measured against (Rozet & Louppe 2023, §4.1 reports the same floor).

use super::lorenz::{simulate_truth, standardise, NoisyLorenz};
use super::observation::{ObservationOperator, Observations};
use super::particle_filter::ParticleFilter;
use super::sliced::sliced_wasserstein;
use crate::error::{check_range, Error};

/// The largest particles × window length of one filter: 2.2 million stored states (26 MB of
/// f32 paths and 9 MB of parent indices per filter), so that two filters fit a phone's memory.
pub const MAX_PARTICLE_STATES: usize = 2_200_000;

/// The settings of a twin experiment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TwinSetup {
    /// Transitions before the simulated trajectory.
    pub burn_in: usize,
    /// States simulated after the burn-in.
    pub total: usize,
    /// First state of the window.
    pub start: usize,
    /// States in the window L.
    pub len: usize,
    /// What is observed.
    pub operator: ObservationOperator,
    /// Particles per filter.
    pub particles: usize,
    /// Seed of the truth, the observations and the filters.
    pub seed: u64,
}

/// A twin experiment in progress.
#[derive(Debug, Clone)]
pub struct TwinExperiment {
    setup: TwinSetup,
    kernel: NoisyLorenz,
    truth: Vec<f64>,
    filters: [ParticleFilter<NoisyLorenz>; 2],
}

impl TwinExperiment {
    /// Validates the window against the simulated trajectory, simulates the truth and its
    /// observations, and sets up both filters.
    pub fn new(setup: TwinSetup) -> Result<Self, Error> {
        check_range(
            "simulated states",
            setup.total as f64,
            2.0,
            100_000.0,
            false,
        )?;
        check_range("window length", setup.len as f64, 2.0, 4096.0, false)?;
        if setup.start + setup.len > setup.total {
            return Err(Error::invalid(
                "window",
                format!(
                    "inside the simulated trajectory of {} states (start + length ≤ {})",
                    setup.total, setup.total
                ),
                format!(
                    "start {} + length {} = {}",
                    setup.start,
                    setup.len,
                    setup.start + setup.len
                ),
            ));
        }
        if setup.particles.saturating_mul(setup.len) > MAX_PARTICLE_STATES {
            return Err(Error::invalid(
                "particles × window length",
                format!("at most {MAX_PARTICLE_STATES} (the stored ancestry of one filter)"),
                format!(
                    "{} × {} = {}",
                    setup.particles,
                    setup.len,
                    setup.particles.saturating_mul(setup.len)
                ),
            ));
        }
        let kernel = NoisyLorenz::default();
        let all = simulate_truth(&kernel, setup.burn_in, setup.total, setup.seed)?;
        let truth = all[3 * setup.start..3 * (setup.start + setup.len)].to_vec();
        let obs = Observations::simulate(setup.operator, &truth, setup.seed)?;
        let pre = setup.burn_in + setup.start;
        let a = ParticleFilter::new(kernel, obs.clone(), setup.particles, pre, setup.seed ^ 0xa)?;
        let b = ParticleFilter::new(kernel, obs, setup.particles, pre, setup.seed ^ 0xb)?;
        Ok(Self {
            setup,
            kernel,
            truth,
            filters: [a, b],
        })
    }

    /// The settings.
    pub fn setup(&self) -> &TwinSetup {
        &self.setup
    }
    /// The truth over the window (flat, physical units).
    pub fn truth(&self) -> &[f64] {
        &self.truth
    }
    /// The observations.
    pub fn observations(&self) -> &Observations {
        self.filters[0].observations()
    }
    /// Filter 0 (the reference) or 1 (the independent replica).
    pub fn filter(&self, i: usize) -> &ParticleFilter<NoisyLorenz> {
        &self.filters[i.min(1)]
    }
    /// The transition kernel.
    pub fn kernel(&self) -> &NoisyLorenz {
        &self.kernel
    }

    /// Up to `n` transitions of the filters (the first, then the second); false once both are done.
    pub fn advance(&mut self, n: usize) -> Result<bool, Error> {
        for _ in 0..n {
            let f = if !self.filters[0].is_done() {
                &mut self.filters[0]
            } else {
                &mut self.filters[1]
            };
            if f.is_done() {
                return Ok(false);
            }
            f.step()?;
        }
        Ok(!self.is_done())
    }

    /// Both filters done.
    pub fn is_done(&self) -> bool {
        self.filters[0].is_done() && self.filters[1].is_done()
    }

    /// Fraction of the work done.
    pub fn progress(&self) -> f64 {
        0.5 * (self.filters[0].progress() + self.filters[1].progress())
    }

    /// `m` trajectory samples of filter `i` (evenly spaced over its N particles), flat.
    pub fn samples(&self, i: usize, m: usize) -> Vec<f64> {
        let f = self.filter(i);
        let m = m.clamp(1, f.particles());
        (0..m)
            .flat_map(|j| f.trajectory(j * f.particles() / m))
            .collect()
    }

    /// (mean log p(x₂:L | x₁), mean log p(y | x)) over `m` samples of filter 0.
    pub fn sample_scores(&self, m: usize) -> (f64, f64) {
        let l = 3 * self.window_done(0);
        let s = self.samples(0, m);
        let k = s.len() / l.max(1);
        let (mut lp, mut ll) = (0.0, 0.0);
        for t in s.chunks_exact(l.max(1)) {
            lp += self.kernel.log_prior(t);
            ll += self.observations().log_likelihood(t);
        }
        (lp / k.max(1) as f64, ll / k.max(1) as f64)
    }

    /// (log p(x₂:L | x₁), log p(y | x)) of the truth.
    pub fn truth_scores(&self) -> (f64, f64) {
        (
            self.kernel.log_prior(&self.truth),
            self.observations().log_likelihood(&self.truth),
        )
    }

    fn window_done(&self, i: usize) -> usize {
        self.filter(i).window_done()
    }

    /// SW₁ between `m` standardised trajectory samples of the two filters (dimension 3L), with
    /// `projections` directions; an error until both are done.
    pub fn sliced_distance(&self, m: usize, projections: usize) -> Result<f64, Error> {
        if !self.is_done() {
            return Err(Error::invalid(
                "filters",
                "finished before the distance is computed",
                "still running",
            ));
        }
        let std = |v: Vec<f64>| {
            v.chunks_exact(3)
                .flat_map(|s| standardise([s[0], s[1], s[2]]))
                .collect::<Vec<f64>>()
        };
        let (a, b) = (std(self.samples(0, m)), std(self.samples(1, m)));
        sliced_wasserstein(&a, &b, 3 * self.setup.len, projections, 1, self.setup.seed)
    }
}
