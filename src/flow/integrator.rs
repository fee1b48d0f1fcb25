//! Explicit ODE integrators for dx/dτ = v(x, τ) from τ = 0 to τ = 1 over an f32 particle cloud,
//! as step-wise state machines (the caller owns the loop), with the flow's diagnostics.
//!
//! With h = 1/N and τ_k = k h (Hairer, Nørsett & Wanner, *Solving ODEs I*, §II.1):
//!
//! * Euler (order 1, 1 evaluation per step): x ← x + h v(x, τ_k);
//! * midpoint (order 2, 2 evaluations): x ← x + h v(x + ½h v(x, τ_k), τ_k + ½h);
//! * Heun (order 2, 2 evaluations): k₁ = v(x, τ_k), k₂ = v(x + h k₁, τ_k + h), x ← x + ½h(k₁ + k₂).
//!
//! Diagnostics accumulated on the way, per particle with Δx_k the increment of step k:
//!
//! * the discrete kinetic energy K̂ = mean Σ_k ‖Δx_k‖²/h, which tends to ∫₀¹E‖v(x_τ, τ)‖²dτ;
//! * the transport cost of the endpoint map, mean ‖x_N − x_0‖²;
//! * the straightness gap K̂ − cost = mean Σ_k h‖Δx_k/h − (x_N − x_0)‖² ≥ 0 (Cauchy–Schwarz), zero
//!   exactly when every path is a straight line run at constant speed (Liu et al. 2023, the
//!   "straightness" of rectified flow, Def. 3.5, discretised);
//! * path length over chord, Σᵢ Σ_k ‖Δx_k‖ / Σᵢ ‖x_N − x_0‖ ≥ 1.
//!
//! Since the endpoint map T moves N(0, I) onto p₁, Benamou–Brenier gives the chain
//! K ≥ E‖T(x) − x‖² ≥ W₂²(N(0, I), p₁) (curriculum 003 eq. 19). A step that leaves a finite
//! cloud or the disc of radius [`RUNAWAY_RADIUS`] is reported as [`Error::Diverged`].

use super::velocity::Velocity;
use crate::error::Error;
use crate::particles::Particles;

/// The runaway radius of the divergence check.
pub const RUNAWAY_RADIUS: f32 = 1.0e4;
/// The most steps of one run.
pub const MAX_STEPS: usize = 10_000;
/// The most recorded trajectories.
pub const MAX_RECORDED: usize = 1_000;

/// An explicit one-step method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OdeMethod {
    /// Forward Euler (order 1).
    Euler,
    /// Explicit midpoint (order 2).
    Midpoint,
    /// Heun's method, the explicit trapezoid (order 2).
    Heun,
}

impl OdeMethod {
    /// Every method, in display order.
    pub const ALL: [OdeMethod; 3] = [OdeMethod::Euler, OdeMethod::Midpoint, OdeMethod::Heun];

    /// `euler`, `midpoint` or `heun`.
    pub fn name(self) -> &'static str {
        match self {
            OdeMethod::Euler => "euler",
            OdeMethod::Midpoint => "midpoint",
            OdeMethod::Heun => "heun",
        }
    }

    /// The method by name.
    pub fn from_name(s: &str) -> Result<Self, Error> {
        match s {
            "euler" => Ok(OdeMethod::Euler),
            "midpoint" => Ok(OdeMethod::Midpoint),
            "heun" => Ok(OdeMethod::Heun),
            _ => Err(Error::invalid(
                "method",
                "one of euler, midpoint, heun",
                format!("{s:?}"),
            )),
        }
    }

    /// Velocity evaluations per step.
    pub fn evaluations_per_step(self) -> u64 {
        match self {
            OdeMethod::Euler => 1,
            _ => 2,
        }
    }

    /// The global order of accuracy.
    pub fn order(self) -> u32 {
        match self {
            OdeMethod::Euler => 1,
            _ => 2,
        }
    }
}

/// Checks a number of steps N ∈ [1, 10000].
pub fn check_steps(n: f64) -> Result<usize, Error> {
    if n.is_finite() && n.fract() == 0.0 && (1.0..=MAX_STEPS as f64).contains(&n) {
        Ok(n as usize)
    } else {
        Err(Error::invalid(
            "steps",
            format!("an integer in [1, {MAX_STEPS}]"),
            n,
        ))
    }
}

/// One integration of a cloud from τ = 0 to 1 in N steps (see the module docs).
#[derive(Debug, Clone)]
pub struct OdeIntegrator {
    method: OdeMethod,
    steps: usize,
    done: usize,
    x: Particles,
    start: Particles,
    k1: Particles,
    k2: Particles,
    tmp: Particles,
    nfe: u64,
    kinetic: f64,
    length: f64,
    record: usize,
    /// (N + 1) × record × 2 positions of the first `record` particles.
    paths: Vec<f32>,
    diverged: Option<Error>,
}

impl OdeIntegrator {
    /// Integrates `start` with `method` in `steps` ∈ [1, 10000] steps, recording the paths of the
    /// first `record` ≤ 1000 particles. The cloud must not be empty.
    pub fn new(
        method: OdeMethod,
        steps: usize,
        start: Particles,
        record: usize,
    ) -> Result<Self, Error> {
        check_steps(steps as f64)?;
        let n = start.len();
        if n == 0 || start.ys.len() != n {
            return Err(Error::invalid(
                "particles",
                "a non-empty cloud with as many y as x",
                format!("{} x and {} y", n, start.ys.len()),
            ));
        }
        if start.xs.iter().chain(&start.ys).any(|v| !v.is_finite()) {
            return Err(Error::invalid(
                "particles",
                "finite coordinates",
                "a non-finite coordinate",
            ));
        }
        let record = record.min(n).min(MAX_RECORDED);
        let zeros = Particles {
            xs: vec![0.0; n],
            ys: vec![0.0; n],
        };
        let mut paths = vec![0.0; (steps + 1) * record * 2];
        for i in 0..record {
            paths[2 * i] = start.xs[i];
            paths[2 * i + 1] = start.ys[i];
        }
        Ok(OdeIntegrator {
            method,
            steps,
            done: 0,
            x: start.clone(),
            start,
            k1: zeros.clone(),
            k2: zeros.clone(),
            tmp: zeros,
            nfe: 0,
            kinetic: 0.0,
            length: 0.0,
            record,
            paths,
            diverged: None,
        })
    }

    /// One step (no allocation). Returns Ok(false) once τ = 1 was reached (nothing is done).
    pub fn step<V: Velocity + ?Sized>(&mut self, v: &mut V) -> Result<bool, Error> {
        if let Some(e) = &self.diverged {
            return Err(e.clone());
        }
        if self.done == self.steps {
            return Ok(false);
        }
        let h = 1.0 / self.steps as f64;
        let tau = self.done as f64 * h;
        let hf = h as f32;
        let n = self.x.len();
        v.eval(
            tau,
            &self.x.xs,
            &self.x.ys,
            &mut self.k1.xs,
            &mut self.k1.ys,
        );
        // the increment Δx goes to k2 (k1 stays the first stage)
        match self.method {
            OdeMethod::Euler => {
                for i in 0..n {
                    self.k2.xs[i] = hf * self.k1.xs[i];
                    self.k2.ys[i] = hf * self.k1.ys[i];
                }
            }
            OdeMethod::Midpoint => {
                let half = 0.5 * hf;
                for i in 0..n {
                    self.tmp.xs[i] = self.x.xs[i] + half * self.k1.xs[i];
                    self.tmp.ys[i] = self.x.ys[i] + half * self.k1.ys[i];
                }
                v.eval(
                    tau + 0.5 * h,
                    &self.tmp.xs,
                    &self.tmp.ys,
                    &mut self.k2.xs,
                    &mut self.k2.ys,
                );
                for i in 0..n {
                    self.k2.xs[i] *= hf;
                    self.k2.ys[i] *= hf;
                }
            }
            OdeMethod::Heun => {
                for i in 0..n {
                    self.tmp.xs[i] = self.x.xs[i] + hf * self.k1.xs[i];
                    self.tmp.ys[i] = self.x.ys[i] + hf * self.k1.ys[i];
                }
                let t1 = if self.done + 1 == self.steps {
                    1.0
                } else {
                    tau + h
                };
                v.eval(
                    t1,
                    &self.tmp.xs,
                    &self.tmp.ys,
                    &mut self.k2.xs,
                    &mut self.k2.ys,
                );
                let half = 0.5 * hf;
                for i in 0..n {
                    self.k2.xs[i] = half * (self.k1.xs[i] + self.k2.xs[i]);
                    self.k2.ys[i] = half * (self.k1.ys[i] + self.k2.ys[i]);
                }
            }
        }
        self.nfe += self.method.evaluations_per_step();
        let (mut ke, mut len, mut bad) = (0.0f64, 0.0f64, 0u32);
        for i in 0..n {
            let (dx, dy) = (self.k2.xs[i], self.k2.ys[i]);
            let (nx, ny) = (self.x.xs[i] + dx, self.x.ys[i] + dy);
            if !(nx.is_finite() && ny.is_finite())
                || nx.abs() > RUNAWAY_RADIUS
                || ny.abs() > RUNAWAY_RADIUS
            {
                bad += 1;
            }
            let d2 = (dx as f64) * (dx as f64) + (dy as f64) * (dy as f64);
            ke += d2;
            len += d2.sqrt();
            self.x.xs[i] = nx;
            self.x.ys[i] = ny;
        }
        self.done += 1;
        if bad > 0 {
            let e = Error::Diverged {
                step: self.done as u64,
                particles: bad,
                radius: RUNAWAY_RADIUS,
            };
            self.diverged = Some(e.clone());
            return Err(e);
        }
        self.kinetic += ke / h;
        self.length += len;
        let off = self.done * self.record * 2;
        for i in 0..self.record {
            self.paths[off + 2 * i] = self.x.xs[i];
            self.paths[off + 2 * i + 1] = self.x.ys[i];
        }
        Ok(true)
    }

    /// Runs the remaining steps.
    pub fn run<V: Velocity + ?Sized>(&mut self, v: &mut V) -> Result<(), Error> {
        while self.step(v)? {}
        Ok(())
    }

    /// The method.
    pub fn method(&self) -> OdeMethod {
        self.method
    }

    /// N.
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// Completed steps.
    pub fn completed(&self) -> usize {
        self.done
    }

    /// True once τ = 1.
    pub fn finished(&self) -> bool {
        self.done == self.steps
    }

    /// The current time τ = k/N.
    pub fn tau(&self) -> f64 {
        self.done as f64 / self.steps as f64
    }

    /// Velocity evaluations so far (number of function evaluations, NFE).
    pub fn nfe(&self) -> u64 {
        self.nfe
    }

    /// The cloud now.
    pub fn particles(&self) -> &Particles {
        &self.x
    }

    /// The cloud at τ = 0.
    pub fn start(&self) -> &Particles {
        &self.start
    }

    /// Recorded trajectories: `record` paths; entry [k][i] = (x, y) at step k (k ≤ completed).
    pub fn paths(&self) -> &[f32] {
        &self.paths
    }

    /// How many trajectories are recorded.
    pub fn recorded(&self) -> usize {
        self.record
    }

    /// The divergence, if a step failed.
    pub fn diverged(&self) -> Option<&Error> {
        self.diverged.as_ref()
    }

    /// mean Σ_k ‖Δx_k‖²/h over the completed steps.
    pub fn kinetic_energy(&self) -> f64 {
        self.kinetic / self.x.len() as f64
    }

    /// mean ‖x − x₀‖² now (the endpoint map's transport cost once finished).
    pub fn transport_cost(&self) -> f64 {
        let n = self.x.len();
        (0..n)
            .map(|i| {
                let dx = (self.x.xs[i] - self.start.xs[i]) as f64;
                let dy = (self.x.ys[i] - self.start.ys[i]) as f64;
                dx * dx + dy * dy
            })
            .sum::<f64>()
            / n as f64
    }

    /// The straightness gap K̂ − mean ‖x_N − x_0‖², meaningful once finished (≥ 0 up to rounding).
    pub fn straightness_gap(&self) -> f64 {
        self.kinetic_energy() - self.transport_cost()
    }

    /// Total path length over total chord (≥ 1; 1 for straight paths). NaN before a step.
    pub fn length_over_chord(&self) -> f64 {
        let n = self.x.len();
        let chord: f64 = (0..n)
            .map(|i| {
                let dx = (self.x.xs[i] - self.start.xs[i]) as f64;
                let dy = (self.x.ys[i] - self.start.ys[i]) as f64;
                (dx * dx + dy * dy).sqrt()
            })
            .sum();
        if chord > 0.0 {
            self.length / chord
        } else {
            f64::NAN
        }
    }
}
