//! The forward (noising) SDE on a particle cloud by Euler–Maruyama, as a state machine.
//!
//! From t = 0 to t_end in K equal steps h: x ← (1 + h f(t)) x + g(t) √h z (Kloeden & Platen
//! 1992, eq. 9.1.1, for dx = f(t)x dt + g(t) dW). For constant coefficients (OU, f = −a, g = b)
//! the iterates are exactly Gaussian with
//!   E(x_n) = rⁿ x₀,  Var(x_n) = b²h (1 − r²ⁿ)/(1 − r²),  r = 1 − ah
//! (curriculum V-02; [`super::euler_maruyama::linear_em_moments`]), whose limit b²/(a(2 − ah)) is
//! not the exact b²/(2a): the weak O(h) bias.
//!
//! [`ForwardMethod::Exact`] uses the exact transition of the linear SDE instead (Yasuda eq. 30
//! between two times): x_{t+h} = (α_{t+h}/α_t) x_t + √(v_{t+h} − (α_{t+h}/α_t)² v_t) z, whose
//! iterates have the closed-form marginals at every step count.

use super::score::{count_runaways, noise_pair};
use super::{check_steps, Sde};
use crate::error::Error;
use crate::particles::Particles;
use crate::rng::{sim_rng_stream, SimRng, StepKey};

/// The update of a [`ForwardSampler`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForwardMethod {
    /// Euler–Maruyama.
    EulerMaruyama,
    /// The exact Gaussian transition.
    Exact,
}

/// The forward SDE from 0 to t_end.
#[derive(Debug, Clone)]
pub struct ForwardSampler {
    sde: Sde,
    method: ForwardMethod,
    steps: usize,
    t_end: f64,
    done: usize,
    rng: SimRng,
    limit2: f32,
    diverged: Option<Error>,
}

impl ForwardSampler {
    /// `steps` steps from 0 to `t_end` ∈ (0, T]; noise from stream 1 of `seed`.
    pub fn new(sde: Sde, steps: usize, t_end: f64, radius: f32, seed: u64) -> Result<Self, Error> {
        let t_end = sde.check_time("t_end", t_end)?;
        if t_end <= 0.0 {
            return Err(Error::invalid(
                "t_end",
                format!("a time in (0, {}]", sde.horizon()),
                t_end,
            ));
        }
        if !(radius.is_finite() && radius > 0.0) {
            return Err(Error::invalid("radius", "a finite number > 0", radius));
        }
        Ok(ForwardSampler {
            sde,
            method: ForwardMethod::EulerMaruyama,
            steps: check_steps(steps)?,
            t_end,
            done: 0,
            rng: sim_rng_stream(seed, 1),
            limit2: radius * radius,
            diverged: None,
        })
    }

    /// Chooses the update (Euler–Maruyama by default); the run continues from the particles.
    pub fn set_method(&mut self, method: ForwardMethod) {
        self.method = method;
    }
    /// The update in use.
    pub fn method(&self) -> ForwardMethod {
        self.method
    }

    /// The step size h = t_end/K.
    pub fn step_size(&self) -> f64 {
        self.t_end / self.steps as f64
    }
    /// The current time k h.
    pub fn time(&self) -> f64 {
        self.done as f64 * self.step_size()
    }
    /// Steps completed.
    pub fn steps_done(&self) -> usize {
        self.done
    }
    /// True once t_end is reached.
    pub fn is_done(&self) -> bool {
        self.done == self.steps
    }
    /// The SDE.
    pub fn sde(&self) -> &Sde {
        &self.sde
    }

    /// One step; `Ok(false)` when already complete.
    pub fn step(&mut self, p: &mut Particles) -> Result<bool, Error> {
        if let Some(e) = &self.diverged {
            return Err(e.clone());
        }
        if self.is_done() {
            return Ok(false);
        }
        let (t, h) = (self.time(), self.step_size());
        let (kx, kz) = match self.method {
            ForwardMethod::EulerMaruyama => (
                (1.0 + h * self.sde.drift_coef(t)) as f32,
                (self.sde.diffusion_sq(t) * h).sqrt() as f32,
            ),
            ForwardMethod::Exact => {
                let t1 = if self.done + 1 == self.steps {
                    self.t_end
                } else {
                    t + h
                };
                let r = self.sde.mean_scale(t1) / self.sde.mean_scale(t);
                let v = self.sde.marginal_variance(t1) - r * r * self.sde.marginal_variance(t);
                (r as f32, v.max(0.0).sqrt() as f32)
            }
        };
        let key = StepKey::draw(&mut self.rng);
        for i in 0..p.len() {
            let (zx, zy) = noise_pair(i as u32, &key);
            p.xs[i] = kx * p.xs[i] + kz * zx;
            p.ys[i] = kx * p.ys[i] + kz * zy;
        }
        self.done += 1;
        let bad = count_runaways(&p.xs, &p.ys, self.limit2);
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
}
