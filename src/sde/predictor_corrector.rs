//! The predictor–corrector sampler (Song et al. 2021, Algs. 2–3 and their `pc_sampler` code),
//! as a state machine.
//!
//! Each of K steps from t to t − h is a *predictor*, the reverse-diffusion step
//!   x ← x + h[−f(t)x + g(t)² s(x, t)] + g(t)√h z
//! (the reverse SDE with c = 1 by Euler–Maruyama), followed by M *corrector* steps of unadjusted
//! Langevin dynamics at the new time t' = t − h,
//!   x ← x + ε s(x, t') + √(2ε) z,   ε = 2α (r ‖z‖ / ‖s‖)²,
//! whose step is set by the signal-to-noise ratio r (Song et al. Alg. 4–5: ‖·‖ is the norm of one
//! sample; as in their code the batch means of the per-particle norms are used, so all particles
//! share ε). α = 1 − β(t')h for VP and sub-VP (their α_i), 1 otherwise. The √(2ε) noise makes
//! the corrector target p_t' itself (the curriculum's V-17 pitfall: with √ε noise it would
//! target p_t'²). NFE = K(1 + M).

use super::kernel::AffineStep;
use super::score::{affine_update, count_runaways, noise_pair, ScoreModel, Scratch};
use super::{check_steps, Sde};
use crate::error::{check_range, Error};
use crate::particles::Particles;
use crate::rng::{sim_rng_stream, SimRng, StepKey};

/// The most corrector steps per predictor step.
pub const MAX_CORRECTOR_STEPS: usize = 100;

/// Reverse-diffusion predictor + Langevin corrector.
#[derive(Debug, Clone)]
pub struct PredictorCorrector {
    sde: Sde,
    steps: usize,
    corrector_steps: usize,
    snr: f64,
    t_end: f64,
    done: usize,
    nfe: u64,
    last_corrector_step: f64,
    rng: SimRng,
    limit2: f32,
    diverged: Option<Error>,
    scratch: Scratch,
}

impl PredictorCorrector {
    /// K = `steps` predictor steps from T to `t_end` ∈ [0, T), each followed by M =
    /// `corrector_steps` ∈ [0, 100] corrector steps with signal-to-noise ratio `snr` ∈ (0, 1]
    /// (Song et al. use 0.16 for VE and 0.01 for VP on images; 0.1–0.2 suits 2D toys).
    pub fn new(
        sde: Sde,
        steps: usize,
        corrector_steps: usize,
        snr: f64,
        t_end: f64,
        radius: f32,
        seed: u64,
    ) -> Result<Self, Error> {
        let t_end = sde.check_time("t_end", t_end)?;
        if t_end >= sde.horizon() {
            return Err(Error::invalid(
                "t_end",
                format!("a time in [0, {})", sde.horizon()),
                t_end,
            ));
        }
        if corrector_steps > MAX_CORRECTOR_STEPS {
            return Err(Error::invalid(
                "corrector_steps",
                format!("an integer in [0, {MAX_CORRECTOR_STEPS}]"),
                corrector_steps,
            ));
        }
        if !(radius.is_finite() && radius > 0.0) {
            return Err(Error::invalid("radius", "a finite number > 0", radius));
        }
        Ok(PredictorCorrector {
            sde,
            steps: check_steps(steps)?,
            corrector_steps,
            snr: check_range("snr", snr, 0.0, 1.0, true)?,
            t_end,
            done: 0,
            nfe: 0,
            last_corrector_step: 0.0,
            rng: sim_rng_stream(seed, 1),
            limit2: radius * radius,
            diverged: None,
            scratch: Scratch::default(),
        })
    }

    /// The step size h.
    pub fn step_size(&self) -> f64 {
        (self.sde.horizon() - self.t_end) / self.steps as f64
    }
    fn time_at(&self, k: usize) -> f64 {
        if k == self.steps {
            self.t_end
        } else {
            self.sde.horizon() - k as f64 * self.step_size()
        }
    }
    /// The current time.
    pub fn time(&self) -> f64 {
        self.time_at(self.done)
    }
    /// Predictor steps completed.
    pub fn steps_done(&self) -> usize {
        self.done
    }
    /// True once t_end is reached.
    pub fn is_done(&self) -> bool {
        self.done == self.steps
    }
    /// Score evaluations so far.
    pub fn nfe(&self) -> u64 {
        self.nfe
    }
    /// The Langevin step ε of the last corrector step (0 before any).
    pub fn last_corrector_step(&self) -> f64 {
        self.last_corrector_step
    }
    /// The divergence error, once the run has diverged.
    pub fn diverged(&self) -> Option<&Error> {
        self.diverged.as_ref()
    }

    fn fail(&mut self, bad: u32) -> Result<bool, Error> {
        let e = Error::Diverged {
            step: self.done as u64,
            particles: bad,
            radius: self.limit2.sqrt(),
        };
        self.diverged = Some(e.clone());
        Err(e)
    }

    /// One predictor step and its corrector steps; `Ok(false)` when already complete.
    pub fn step(&mut self, p: &mut Particles, score: &mut dyn ScoreModel) -> Result<bool, Error> {
        if let Some(e) = &self.diverged {
            return Err(e.clone());
        }
        if self.is_done() {
            return Ok(false);
        }
        let (t, t_next) = (self.time_at(self.done), self.time_at(self.done + 1));
        let h = t - t_next;
        let g2 = self.sde.diffusion_sq(t);
        let st = AffineStep {
            kx: (1.0 - h * self.sde.drift_coef(t)) as f32,
            ks: (h * g2) as f32,
            kz: (g2 * h).sqrt() as f32,
            noise: true,
            limit2: self.limit2,
            key: StepKey::draw(&mut self.rng),
        };
        self.nfe += 1;
        let bad = affine_update(
            score,
            &self.sde.level(t),
            &mut p.xs,
            &mut p.ys,
            &st,
            &mut self.scratch,
        );
        self.done += 1;
        if bad > 0 {
            return self.fail(bad);
        }
        let alpha = match self.sde {
            Sde::Vp(v) => (1.0 - v.beta(t_next) * h).max(0.0),
            Sde::SubVp(s) => (1.0 - s.vp.beta(t_next) * h).max(0.0),
            _ => 1.0,
        };
        let level = self.sde.level(t_next);
        for _ in 0..self.corrector_steps {
            let key = StepKey::draw(&mut self.rng);
            let n = p.len();
            self.scratch.fit(n);
            score.score(
                &level,
                &p.xs,
                &p.ys,
                &mut self.scratch.sx,
                &mut self.scratch.sy,
            );
            self.nfe += 1;
            let (mut zn, mut sn) = (0.0f64, 0.0f64);
            for i in 0..n {
                let (zx, zy) = noise_pair(i as u32, &key);
                zn += ((zx * zx + zy * zy) as f64).sqrt();
                let (sx, sy) = (self.scratch.sx[i], self.scratch.sy[i]);
                sn += ((sx * sx + sy * sy) as f64).sqrt();
            }
            let eps = if sn > 0.0 && sn.is_finite() {
                2.0 * alpha * (self.snr * zn / sn).powi(2)
            } else {
                0.0
            };
            self.last_corrector_step = eps;
            let (e32, q32) = (eps as f32, (2.0 * eps).sqrt() as f32);
            for i in 0..n {
                let (zx, zy) = noise_pair(i as u32, &key);
                p.xs[i] = (p.xs[i] + e32 * self.scratch.sx[i]) + q32 * zx;
                p.ys[i] = (p.ys[i] + e32 * self.scratch.sy[i]) + q32 * zy;
            }
            let bad = count_runaways(&p.xs, &p.ys, self.limit2);
            if bad > 0 {
                return self.fail(bad);
            }
        }
        Ok(true)
    }
}
