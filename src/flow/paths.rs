//! Flow matching's marginal flow beside the diffusion probability flow on the same data, from
//! the same noise, with the same integrator: the state of the "paths compared" widget.
//!
//! Both fields are exact ([`super::CondOtVelocity`], [`super::VpProbabilityFlow`]); one
//! [`PathsComparison::step`] advances both clouds by one step of τ. [`TransportReferences`] holds
//! the numbers the kinetic energies are compared with (Benamou–Brenier, curriculum 003 eq. 19):
//! W₂² exactly when the target is one Gaussian, else bracketed by Gelbrich's lower bound and the
//! exact OT cost of a 256-point batch (an over-estimate in expectation); the independent
//! coupling's E‖x₁ − x₀‖²; a minibatch of pairs under both couplings for the picture.

use super::assignment::{squared_distances, Assignment};
use super::cond_ot::CondOtVelocity;
use super::integrator::{OdeIntegrator, OdeMethod};
use super::targets::single_gaussian;
use super::transport::{discrete_ot_cost, gaussian_kinetic_energy, w2_squared_from_standard};
use super::vp_flow::VpProbabilityFlow;
use crate::error::Error;
use crate::mixture::GaussianMixture;
use crate::normal::normal_pair;
use crate::particles::Particles;
use crate::rng::sim_rng_stream;
use rand::Rng;

/// Pairs drawn in the coupling picture.
pub const PAIRS: usize = 64;
/// The batch of the OT upper estimate of W₂².
pub const OT_BATCH: usize = 256;

/// Exact and bracketing transport numbers for N(0, I) → p.
#[derive(Debug, Clone, PartialEq)]
pub struct TransportReferences {
    /// W₂² when p is one Gaussian.
    pub w2_exact: Option<f64>,
    /// Gelbrich's lower bound from p's mean and covariance (= W₂² for a Gaussian).
    pub gelbrich: f64,
    /// Mean exact OT cost between 256 noise points and 256 data points (seeded).
    pub ot_batch_cost: f64,
    /// E‖x₁ − x₀‖² under the independent coupling (exact).
    pub independent_cost: f64,
    /// The flow-matching flow's kinetic energy when p is one Gaussian (closed form).
    pub fm_kinetic_exact: Option<f64>,
    /// PAIRS noise points, then PAIRS data points, as (x, y).
    pub pair_points: Vec<[f32; 2]>,
    /// The data point paired with noise point i by the OT assignment.
    pub ot_pairing: Vec<usize>,
    /// Mean ‖x₁ − x₀‖² of the PAIRS pairs: independent (i ↔ i) and OT.
    pub pair_costs: [f64; 2],
}

impl TransportReferences {
    /// The references for `data`, drawn from `seed`.
    pub fn new(data: &GaussianMixture, seed: u64) -> Result<Self, Error> {
        let mut rng = sim_rng_stream(seed, 11);
        let mut draw = |n: usize| {
            let (mut ax, mut ay, mut bx, mut by) = (vec![], vec![], vec![], vec![]);
            for _ in 0..n {
                let (z1, z2) = normal_pair(rng.next_u32(), rng.next_u32());
                let y = data.sample(&mut rng);
                ax.push(z1);
                ay.push(z2);
                bx.push(y[0] as f32);
                by.push(y[1] as f32);
            }
            (ax, ay, bx, by)
        };
        let mut solver = Assignment::new();
        let mut cost = Vec::new();
        let (ax, ay, bx, by) = draw(OT_BATCH);
        let ot_batch_cost = discrete_ot_cost(&ax, &ay, &bx, &by, &mut solver, &mut cost)?;
        let (ax, ay, bx, by) = draw(PAIRS);
        squared_distances(&ax, &ay, &bx, &by, &mut cost);
        let ot = solver.solve(PAIRS, &cost)? / PAIRS as f64;
        let indep = (0..PAIRS).map(|i| cost[i * PAIRS + i]).sum::<f64>() / PAIRS as f64;
        let mut pair_points: Vec<[f32; 2]> = (0..PAIRS).map(|i| [ax[i], ay[i]]).collect();
        pair_points.extend((0..PAIRS).map(|i| [bx[i], by[i]]));
        let g = single_gaussian(data);
        Ok(TransportReferences {
            w2_exact: g.map(|(m, s)| w2_squared_from_standard(m, s)),
            gelbrich: w2_squared_from_standard(data.mean(), data.covariance()),
            ot_batch_cost,
            independent_cost: CondOtVelocity::new(data).independent_cost(),
            fm_kinetic_exact: g.map(|(m, s)| gaussian_kinetic_energy(m, s)),
            pair_points,
            ot_pairing: solver.columns().to_vec(),
            pair_costs: [indep, ot],
        })
    }
}

/// The two flows side by side (see the module docs).
#[derive(Debug, Clone)]
pub struct PathsComparison {
    fm: CondOtVelocity,
    pf: VpProbabilityFlow,
    fm_ode: OdeIntegrator,
    pf_ode: OdeIntegrator,
    method: OdeMethod,
    steps: usize,
    particles: usize,
    record: usize,
    seed: u64,
}

impl PathsComparison {
    /// `particles` ∈ [1, 1e6] noise points from `seed`, `steps` ∈ [1, 10000] of `method`, the
    /// first `record` paths kept.
    pub fn new(
        data: &GaussianMixture,
        method: OdeMethod,
        steps: usize,
        particles: usize,
        record: usize,
        seed: u64,
    ) -> Result<Self, Error> {
        crate::particles::check_count(particles as f64)?;
        let start = Particles::normal(particles, [0.0, 0.0], 1.0, seed);
        Ok(PathsComparison {
            fm: CondOtVelocity::new(data),
            pf: VpProbabilityFlow::standard(data),
            fm_ode: OdeIntegrator::new(method, steps, start.clone(), record)?,
            pf_ode: OdeIntegrator::new(method, steps, start, record)?,
            method,
            steps,
            particles,
            record,
            seed,
        })
    }

    /// Restarts both flows from fresh noise of `seed`.
    pub fn reset(&mut self, seed: u64) -> Result<(), Error> {
        let path = self.path();
        *self = Self::new(
            &self.fm.data().clone(),
            self.method,
            self.steps,
            self.particles,
            self.record,
            seed,
        )?;
        self.set_path(path);
        Ok(())
    }

    /// One step of both flows; Ok(false) once both reached τ = 1.
    pub fn step(&mut self) -> Result<bool, Error> {
        let a = self.fm_ode.step(&mut self.fm)?;
        let b = self.pf_ode.step(&mut self.pf)?;
        Ok(a || b)
    }

    /// The flow-matching integrator.
    pub fn fm(&self) -> &OdeIntegrator {
        &self.fm_ode
    }

    /// The probability-flow integrator.
    pub fn pf(&self) -> &OdeIntegrator {
        &self.pf_ode
    }

    /// The exact flow-matching field.
    pub fn fm_field(&mut self) -> &mut CondOtVelocity {
        &mut self.fm
    }

    /// The exact probability-flow field.
    pub fn pf_field(&mut self) -> &mut VpProbabilityFlow {
        &mut self.pf
    }

    /// The current τ.
    pub fn tau(&self) -> f64 {
        self.fm_ode.tau()
    }

    /// The data law.
    pub fn data(&self) -> &GaussianMixture {
        self.fm.data()
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The method.
    pub fn method(&self) -> OdeMethod {
        self.method
    }

    /// N.
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// Chooses the kernel path of both exact fields (scalar or simd128; the same bits).
    pub fn set_path(&mut self, path: crate::kernel::KernelPath) {
        self.fm.set_path(path);
        self.pf.set_path(path);
    }

    /// The kernel path.
    pub fn path(&self) -> crate::kernel::KernelPath {
        self.fm.path()
    }

    /// The cloud size.
    pub fn particles(&self) -> usize {
        self.particles
    }
}
