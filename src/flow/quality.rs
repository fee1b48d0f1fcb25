//! Sample quality against the number of steps: each flow integrates the same noise with N steps
//! for N = 1, 2, 4, …, 128, and the histogram KL of the endpoint cloud to the exact data mixture
//! ([`crate::histogram_kl`], 20 × 20 cells over the data's view box) is recorded beside its
//! expected value for exact i.i.d. samples of the same size (the estimator's floor). The sweep is
//! a state machine: one [`QualitySweep::step`] runs one (flow, N) integration, so a widget can
//! spread the work over frames.

use super::cond_ot::CondOtVelocity;
use super::integrator::{OdeIntegrator, OdeMethod};
use super::vp_flow::VpProbabilityFlow;
use crate::error::Error;
use crate::histogram_kl::HistogramKl;
use crate::mixture::GaussianMixture;
use crate::particles::Particles;

/// The step counts of the sweep.
pub const SWEEP_STEPS: [usize; 8] = [1, 2, 4, 8, 16, 32, 64, 128];
/// Histogram bins per side.
pub const BINS: usize = 20;

/// The sweep's state and results.
#[derive(Debug, Clone)]
pub struct QualitySweep {
    fm: CondOtVelocity,
    pf: VpProbabilityFlow,
    method: OdeMethod,
    start: Particles,
    hist: HistogramKl,
    /// KL per step count: [flow matching, probability flow] (NaN until computed).
    kl: Vec<[f64; 2]>,
    next: usize,
}

impl QualitySweep {
    /// A sweep over `particles` ∈ [1, 1e6] noise points from `seed`.
    pub fn new(
        data: &GaussianMixture,
        method: OdeMethod,
        particles: usize,
        seed: u64,
    ) -> Result<Self, Error> {
        crate::particles::check_count(particles as f64)?;
        Ok(QualitySweep {
            fm: CondOtVelocity::new(data),
            pf: VpProbabilityFlow::standard(data),
            method,
            start: Particles::normal(particles, [0.0, 0.0], 1.0, seed ^ 0x5eed),
            hist: HistogramKl::new(data, data.view_box(), BINS),
            kl: vec![[f64::NAN; 2]; SWEEP_STEPS.len()],
            next: 0,
        })
    }

    /// Runs the next integration; Ok(false) when the sweep is complete.
    pub fn step(&mut self) -> Result<bool, Error> {
        if self.done() {
            return Ok(false);
        }
        let (k, flow) = (self.next / 2, self.next % 2);
        let mut ode = OdeIntegrator::new(self.method, SWEEP_STEPS[k], self.start.clone(), 0)?;
        if flow == 0 {
            ode.run(&mut self.fm)?;
        } else {
            ode.run(&mut self.pf)?;
        }
        self.kl[k][flow] = self.hist.kl(ode.particles());
        self.next += 1;
        Ok(true)
    }

    /// True when every entry is computed.
    pub fn done(&self) -> bool {
        self.next == 2 * SWEEP_STEPS.len()
    }

    /// The fraction done.
    pub fn progress(&self) -> f64 {
        self.next as f64 / (2 * SWEEP_STEPS.len()) as f64
    }

    /// [KL flow matching, KL probability flow] per entry of [`SWEEP_STEPS`].
    pub fn kl(&self) -> &[[f64; 2]] {
        &self.kl
    }

    /// E[KL] of exact i.i.d. samples of the same size (the estimator's floor).
    pub fn floor(&self) -> f64 {
        self.hist.floor(self.start.len())
    }

    /// The method.
    pub fn method(&self) -> OdeMethod {
        self.method
    }
}
