//! Overdamped Langevin sampling of the Boltzmann density p_T ∝ e^{−E/T} of a mixture of wells.
//!
//! The stochastic differential equation dx = −∇E(x)/T dt + √2 dW has p_T as its stationary law
//! (Boltzmann stationarity; the score −∇E/T does not involve Z_T, so sampling never needs the
//! partition function). Its Euler–Maruyama discretisation with time step ε/2, the unadjusted
//! Langevin algorithm in the step-size convention of [`crate::langevin`], is
//!
//!   x ← x − (ε/2) ∇E(x)/T + √ε z,   z ~ N(0, I),
//!
//! biased by O(ε) (no Metropolis correction). Particles are f32 structure-of-arrays; the
//! responsibilities use a base-2 softmax with [`crate::fastmath::exp2_nonpos`] and the noise the
//! counter-based generator of [`crate::rng`] (particle i, step key k → its own normal pair), so a
//! seed gives the same cloud natively and in the browser. One [`WellsLangevin::step`] per call;
//! no allocation.

use super::wells::{Wells, MAX_WELLS};
use crate::error::{check_range, Error};
use crate::fastmath::exp2_nonpos;
use crate::normal::normal_pair;
use crate::rng::{counter_u32, sim_rng_stream, SimRng, StepKey};
use std::f64::consts::LOG2_E;

/// f32 constants of the wells, per field.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WellsKernel {
    cx: Vec<f32>,
    cy: Vec<f32>,
    /// aₖ·log₂e (the responsibilities are softmaxₖ lₖ, whatever T).
    c: Vec<f32>,
    /// −log₂e/(2wₖ²).
    h: Vec<f32>,
    /// 1/(wₖ²T): ∇(E/T) = Σ rₖ pₖ (x − cₖ).
    p: Vec<f32>,
}

impl WellsKernel {
    /// The constants of `wells` at temperature `t` (buffers reused: no allocation after the
    /// first call with as many wells).
    pub fn set(&mut self, wells: &Wells, t: f64) {
        self.cx.clear();
        self.cy.clear();
        self.c.clear();
        self.h.clear();
        self.p.clear();
        for w in wells.wells() {
            self.cx.push(w.centre[0] as f32);
            self.cy.push(w.centre[1] as f32);
            self.c.push((w.depth * LOG2_E) as f32);
            self.h.push((-LOG2_E / (2.0 * w.width * w.width)) as f32);
            self.p.push((1.0 / (w.width * w.width * t)) as f32);
        }
    }

    /// ∇E(x)/T for one particle.
    #[inline(always)]
    #[allow(clippy::needless_range_loop)] // parallel arrays indexed by well, as in crate::kernel
    pub fn grad(&self, x: f32, y: f32) -> (f32, f32) {
        let k = self.cx.len();
        let mut e = [0.0f32; MAX_WELLS];
        let mut m = f32::MIN;
        for j in 0..k {
            let (dx, dy) = (x - self.cx[j], y - self.cy[j]);
            let v = self.c[j] + self.h[j] * (dx * dx + dy * dy);
            e[j] = v;
            m = if m < v { v } else { m };
        }
        let (mut s, mut gx, mut gy) = (0.0f32, 0.0f32, 0.0f32);
        for j in 0..k {
            let w = exp2_nonpos(e[j] - m);
            let wp = w * self.p[j];
            s += w;
            gx += wp * (x - self.cx[j]);
            gy += wp * (y - self.cy[j]);
        }
        (gx / s, gy / s)
    }
}

/// Largest Langevin step size accepted.
pub const MAX_STEP_SIZE: f64 = 10.0;

/// ULA on p_T for a mixture of wells, with its own seeded noise stream.
#[derive(Debug, Clone)]
pub struct WellsLangevin {
    kernel: WellsKernel,
    step_size: f64,
    temperature: f64,
    runaway2: f32,
    rng: SimRng,
    steps: u64,
    diverged: Option<Error>,
}

/// 1000 × (largest |centre| + 10 × largest scale): beyond it a particle runs away geometrically.
fn runaway_radius(wells: &Wells, t: f64) -> f32 {
    let ext = wells
        .wells()
        .iter()
        .map(|w| w.centre[0].hypot(w.centre[1]) + 10.0 * w.width * t.sqrt())
        .fold(1.0, f64::max);
    (1000.0 * ext) as f32
}

impl WellsLangevin {
    /// A sampler for `wells` at temperature `t`, step size ε ∈ (0, 10], noise from stream 3 of
    /// `seed`.
    pub fn new(wells: &Wells, t: f64, step_size: f64, seed: u64) -> Result<Self, Error> {
        let t = super::wells::check_temperature(t)?;
        let mut kernel = WellsKernel::default();
        kernel.set(wells, t);
        let r = runaway_radius(wells, t);
        Ok(WellsLangevin {
            kernel,
            step_size: check_range("step_size", step_size, 0.0, MAX_STEP_SIZE, true)?,
            temperature: t,
            runaway2: r * r,
            rng: sim_rng_stream(seed, 3),
            steps: 0,
            diverged: None,
        })
    }

    /// Changes the energy (and temperature); the chains continue.
    pub fn set_energy(&mut self, wells: &Wells, t: f64) -> Result<(), Error> {
        let t = super::wells::check_temperature(t)?;
        self.kernel.set(wells, t);
        self.temperature = t;
        let r = runaway_radius(wells, t);
        self.runaway2 = r * r;
        Ok(())
    }

    /// Changes ε ∈ (0, 10].
    pub fn set_step_size(&mut self, step_size: f64) -> Result<(), Error> {
        self.step_size = check_range("step_size", step_size, 0.0, MAX_STEP_SIZE, true)?;
        Ok(())
    }

    /// ε.
    pub fn step_size(&self) -> f64 {
        self.step_size
    }
    /// T.
    pub fn temperature(&self) -> f64 {
        self.temperature
    }
    /// Steps completed.
    pub fn steps(&self) -> u64 {
        self.steps
    }
    /// The divergence error, once a chain has diverged.
    pub fn diverged(&self) -> Option<&Error> {
        self.diverged.as_ref()
    }
    /// Clears the step count and a divergence (after the caller restarted the particles).
    pub fn restart(&mut self) {
        self.steps = 0;
        self.diverged = None;
    }

    /// One ULA step of every particle (xs[i], ys[i]).
    pub fn step(&mut self, xs: &mut [f32], ys: &mut [f32]) -> Result<(), Error> {
        if let Some(e) = &self.diverged {
            return Err(e.clone());
        }
        let eps = self.step_size as f32;
        let (half, root) = (0.5 * eps, eps.sqrt());
        let key = StepKey::draw(&mut self.rng);
        let mut bad = 0u32;
        for (i, (x, y)) in xs.iter_mut().zip(ys.iter_mut()).enumerate() {
            let (gx, gy) = self.kernel.grad(*x, *y);
            let (zx, zy) =
                normal_pair(counter_u32(i as u32, key.k0), counter_u32(i as u32, key.k1));
            let nx = (*x - half * gx) + root * zx;
            let ny = (*y - half * gy) + root * zy;
            *x = nx;
            *y = ny;
            // written so that NaN counts as runaway (a NaN comparison is false)
            #[allow(clippy::neg_cmp_op_on_partial_ord)]
            let runaway = !(nx * nx + ny * ny < self.runaway2);
            bad += runaway as u32;
        }
        self.steps += 1;
        if bad > 0 {
            let e = Error::Diverged {
                step: self.steps,
                particles: bad,
                radius: self.runaway2.sqrt(),
            };
            self.diverged = Some(e.clone());
            return Err(e);
        }
        Ok(())
    }
}

/// Standard-normal positions N(mean, sd²I) written into `xs`, `ys` from the counter generator
/// under `key` (no allocation).
pub fn fill_normal(xs: &mut [f32], ys: &mut [f32], mean: [f32; 2], sd: f32, key: StepKey) {
    for (i, (x, y)) in xs.iter_mut().zip(ys.iter_mut()).enumerate() {
        let (z1, z2) = normal_pair(counter_u32(i as u32, key.k0), counter_u32(i as u32, key.k1));
        *x = mean[0] + sd * z1;
        *y = mean[1] + sd * z2;
    }
}
