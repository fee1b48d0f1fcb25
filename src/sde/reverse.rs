//! Reverse-time sampling of a linear SDE with a free noise level c, as a state machine.
//!
//! From t = T down to t_end in K equal steps h = (T − t_end)/K, the reverse SDE (Yasuda eq. 68;
//! Anderson 1982 for c = 1; the probability-flow ODE of Song et al. 2021 eq. 13 for c = 0)
//!
//!   dx = [f(t)x − ((1 + c²)/2) g(t)² s(x, t)] dt + c g(t) dW̄,   s = ∇log p_t,
//!
//! is integrated by one of two methods. Writing D(x, t) = −f(t)x + ((1 + c²)/2) g(t)² s(x, t)
//! for the drift in reverse time:
//!
//! * [`ReverseMethod::EulerMaruyama`]: x ← x + h D(x, t) + c g(t) √h z (one score evaluation per
//!   step; weak order 1, and strong order 1 here because the noise is additive).
//! * [`ReverseMethod::Heun`]: the predictor x̃ = x + h D(x, t) + c ḡ √h z, then
//!   x ← x + (h/2)(D(x, t) + D(x̃, t − h)) + c ḡ √h z with the same z and ḡ² = (g(t)² + g(t−h)²)/2
//!   (two evaluations per step). For c = 0 it is Heun's deterministic second-order method
//!   (Karras et al. 2022, Alg. 1, used for the probability-flow ODE); for c > 0 it is the
//!   stochastic Heun (improved Euler) scheme for additive noise.
//!
//! The caller owns the loop: [`ReverseSampler::step`] advances one step, counts the score
//! evaluations (NFE), and stops with [`Error::Diverged`] if a particle becomes non-finite or
//! leaves the runaway disc.

use super::kernel::AffineStep;
use super::score::{affine_update, count_runaways, noise_pair, ScoreModel, Scratch};
use super::{check_steps, Sde};
use crate::error::{check_range, Error};
use crate::particles::Particles;
use crate::rng::{sim_rng_stream, SimRng, StepKey};

/// The largest noise level c accepted.
pub const MAX_NOISE_LEVEL: f64 = 10.0;

/// The integrator of a [`ReverseSampler`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReverseMethod {
    /// Euler–Maruyama (Euler for c = 0).
    EulerMaruyama,
    /// Heun's method (deterministic for c = 0, stochastic Heun for c > 0).
    Heun,
}

impl ReverseMethod {
    /// Score evaluations per step.
    pub fn evaluations_per_step(self) -> u64 {
        match self {
            ReverseMethod::EulerMaruyama => 1,
            ReverseMethod::Heun => 2,
        }
    }
}

/// Reverse-time integration from T to t_end with noise level c.
#[derive(Debug, Clone)]
pub struct ReverseSampler {
    sde: Sde,
    method: ReverseMethod,
    c: f64,
    steps: usize,
    t_end: f64,
    done: usize,
    nfe: u64,
    rng: SimRng,
    limit2: f32,
    diverged: Option<Error>,
    scratch: Scratch,
}

/// Validates a noise level c ∈ [0, 10].
pub fn check_noise_level(c: f64) -> Result<f64, Error> {
    check_range("noise_level", c, 0.0, MAX_NOISE_LEVEL, false)
}

impl ReverseSampler {
    /// A run of `steps` steps of `method` from T to `t_end` ∈ [0, T) with noise level c ∈ [0, 10],
    /// noise from stream 1 of `seed`; `radius` is the runaway radius (see `sde::runaway_radius`).
    pub fn new(
        sde: Sde,
        method: ReverseMethod,
        noise_level: f64,
        steps: usize,
        t_end: f64,
        radius: f32,
        seed: u64,
    ) -> Result<Self, Error> {
        let t_end = sde.check_time("t_end", t_end)?;
        if t_end >= sde.horizon() {
            return Err(Error::invalid(
                "t_end",
                format!("a time in [0, {}) (below the horizon T)", sde.horizon()),
                t_end,
            ));
        }
        if !(radius.is_finite() && radius > 0.0) {
            return Err(Error::invalid("radius", "a finite number > 0", radius));
        }
        Ok(ReverseSampler {
            sde,
            method,
            c: check_noise_level(noise_level)?,
            steps: check_steps(steps)?,
            t_end,
            done: 0,
            nfe: 0,
            rng: sim_rng_stream(seed, 1),
            limit2: radius * radius,
            diverged: None,
            scratch: Scratch::default(),
        })
    }

    /// `n` particles from the prior N(0, v I) (stream 0 of `seed`).
    pub fn prior(&self, n: usize, seed: u64) -> Particles {
        Particles::normal(n, [0.0, 0.0], self.sde.prior_variance().sqrt() as f32, seed)
    }

    /// The SDE.
    pub fn sde(&self) -> &Sde {
        &self.sde
    }
    /// The method.
    pub fn method(&self) -> ReverseMethod {
        self.method
    }
    /// The noise level c.
    pub fn noise_level(&self) -> f64 {
        self.c
    }
    /// Changes c; the run continues from the current particles.
    pub fn set_noise_level(&mut self, c: f64) -> Result<(), Error> {
        self.c = check_noise_level(c)?;
        Ok(())
    }
    /// The step size h = (T − t_end)/K.
    pub fn step_size(&self) -> f64 {
        (self.sde.horizon() - self.t_end) / self.steps as f64
    }
    /// The current time t_k = T − k h.
    pub fn time(&self) -> f64 {
        self.time_at(self.done)
    }
    fn time_at(&self, k: usize) -> f64 {
        if k == self.steps {
            self.t_end
        } else {
            self.sde.horizon() - k as f64 * self.step_size()
        }
    }
    /// Steps completed.
    pub fn steps_done(&self) -> usize {
        self.done
    }
    /// Total steps K.
    pub fn steps(&self) -> usize {
        self.steps
    }
    /// True once t_end is reached.
    pub fn is_done(&self) -> bool {
        self.done == self.steps
    }
    /// Score evaluations so far (one per call on the whole cloud).
    pub fn nfe(&self) -> u64 {
        self.nfe
    }
    /// The divergence error, once the run has diverged.
    pub fn diverged(&self) -> Option<&Error> {
        self.diverged.as_ref()
    }

    /// One step of every particle; `Ok(false)` when the run is already complete.
    pub fn step(
        &mut self,
        particles: &mut Particles,
        score: &mut dyn ScoreModel,
    ) -> Result<bool, Error> {
        if let Some(e) = &self.diverged {
            return Err(e.clone());
        }
        if self.is_done() {
            return Ok(false);
        }
        let (t, t_next) = (self.time_at(self.done), self.time_at(self.done + 1));
        let h = t - t_next;
        let key = StepKey::draw(&mut self.rng);
        let half_c = 0.5 * (1.0 + self.c * self.c);
        let bad = match self.method {
            ReverseMethod::EulerMaruyama => {
                let g2 = self.sde.diffusion_sq(t);
                let st = AffineStep {
                    kx: (1.0 - h * self.sde.drift_coef(t)) as f32,
                    ks: (h * half_c * g2) as f32,
                    kz: (self.c * (g2 * h).sqrt()) as f32,
                    noise: self.c > 0.0,
                    limit2: self.limit2,
                    key,
                };
                self.nfe += 1;
                affine_update(
                    score,
                    &self.sde.level(t),
                    &mut particles.xs,
                    &mut particles.ys,
                    &st,
                    &mut self.scratch,
                )
            }
            ReverseMethod::Heun => {
                self.nfe += 2;
                self.heun(particles, score, t, t_next, key)
            }
        };
        self.done += 1;
        if bad > 0 {
            let e = Error::Diverged {
                step: self.done as u64,
                particles: bad,
                radius: self.limit2.sqrt(),
            };
            self.diverged = Some(e.clone());
            return Err(e);
        }
        Ok(true)
    }

    fn heun(
        &mut self,
        p: &mut Particles,
        score: &mut dyn ScoreModel,
        t: f64,
        t_next: f64,
        key: StepKey,
    ) -> u32 {
        let n = p.len();
        let b = &mut self.scratch;
        b.fit(n);
        let h = (t - t_next) as f32;
        let half_c = 0.5 * (1.0 + self.c * self.c);
        let (f0, f1) = (
            self.sde.drift_coef(t) as f32,
            self.sde.drift_coef(t_next) as f32,
        );
        let (a0, a1) = (
            (half_c * self.sde.diffusion_sq(t)) as f32,
            (half_c * self.sde.diffusion_sq(t_next)) as f32,
        );
        let gbar2 = 0.5 * (self.sde.diffusion_sq(t) + self.sde.diffusion_sq(t_next));
        let kz = (self.c * (gbar2 * (t - t_next)).sqrt()) as f32;
        let noise = self.c > 0.0;
        score.score(&self.sde.level(t), &p.xs, &p.ys, &mut b.sx, &mut b.sy);
        for i in 0..n {
            let dx = a0 * b.sx[i] - f0 * p.xs[i];
            let dy = a0 * b.sy[i] - f0 * p.ys[i];
            b.dx[i] = dx;
            b.dy[i] = dy;
            let (mut nx, mut ny) = (p.xs[i] + h * dx, p.ys[i] + h * dy);
            if noise {
                let (zx, zy) = noise_pair(i as u32, &key);
                nx += kz * zx;
                ny += kz * zy;
            }
            b.xs[i] = nx;
            b.ys[i] = ny;
        }
        score.score(&self.sde.level(t_next), &b.xs, &b.ys, &mut b.sx, &mut b.sy);
        let hh = 0.5 * h;
        for i in 0..n {
            let dx = a1 * b.sx[i] - f1 * b.xs[i];
            let dy = a1 * b.sy[i] - f1 * b.ys[i];
            let (mut nx, mut ny) = (p.xs[i] + hh * (b.dx[i] + dx), p.ys[i] + hh * (b.dy[i] + dy));
            if noise {
                let (zx, zy) = noise_pair(i as u32, &key);
                nx += kz * zx;
                ny += kz * zy;
            }
            p.xs[i] = nx;
            p.ys[i] = ny;
        }
        count_runaways(&p.xs, &p.ys, self.limit2)
    }
}
