//! The density of a linear diffusion on a 2D grid, forward or in reverse, as a state machine.
//!
//! For dx = f(t)x dt + g(t) dW started at a Gaussian mixture p₀:
//!
//! * [`FpDirection::Forward`], t: 0 → T: ∂p/∂t = −∇·(f(t)x p) + (g²/2) Δp (Song et al. 2021 eq. 5),
//!   from the cell averages of p₀.
//! * [`FpDirection::Reverse`] with noise level c, t: T → 0: in reverse time s = T − t,
//!   ∂p/∂s = −∇·(u p) + (c²g²/2) Δp with u = −f(t)x + ((1 + c²)/2) g(t)² ∇log p_t(x) and the exact
//!   mixture score (Yasuda eq. 67), from the cell averages of the exact p_T. With c = 0 it is the
//!   continuity equation of the probability flow (pure advection; MUSCL–minmod fluxes by
//!   default, first-order upwind on request).
//!
//! Every version returns the forward marginals p_t (the exact mixture N(α_t μₖ, α_t²Σₖ + v_t I)),
//! which [`SdeDensity2d::exact_cells`] evaluates on the same cells for the L1/KL readouts. The
//! time step is fixed at construction and checked against the positivity limit at every step.

use super::grid2d::{Advection, FokkerPlanck2d};
use crate::error::{check_range, Error};
use crate::mixture::{GaussianMixture, MAX_COMPONENTS};
use crate::sde::Sde;

/// Which equation the grid solves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FpDirection {
    /// The forward Fokker–Planck equation, t from 0 to T.
    Forward,
    /// The reverse-time equation with noise level c ∈ [0, 10] (c = 0: probability flow).
    Reverse {
        /// The noise level c.
        noise_level: f64,
    },
}

/// A grid density following an SDE from a mixture.
#[derive(Debug, Clone)]
pub struct SdeDensity2d {
    fp: FokkerPlanck2d,
    sde: Sde,
    data: GaussianMixture,
    direction: FpDirection,
    dt: f64,
    t: f64,
    steps: u64,
}

impl SdeDensity2d {
    /// An `n` × `n` grid over `view` (n ∈ [3, 1024]) with time step Δt > 0.
    pub fn new(
        sde: Sde,
        data: &GaussianMixture,
        direction: FpDirection,
        view: [f64; 4],
        n: usize,
        dt: f64,
    ) -> Result<Self, Error> {
        if let FpDirection::Reverse { noise_level } = direction {
            check_range("noise_level", noise_level, 0.0, 10.0, false)?;
        }
        if !(dt.is_finite() && dt > 0.0 && dt <= sde.horizon()) {
            return Err(Error::invalid(
                "time_step",
                format!("a number in (0, {}] (the horizon)", sde.horizon()),
                dt,
            ));
        }
        let t = match direction {
            FpDirection::Forward => 0.0,
            FpDirection::Reverse { .. } => sde.horizon(),
        };
        let start = sde.marginal_mixture(data, t)?;
        let mut fp = FokkerPlanck2d::new(view, n, n, |x| start.density(x))?;
        if direction == (FpDirection::Reverse { noise_level: 0.0 }) {
            fp.set_advection(Advection::Muscl);
        }
        Ok(SdeDensity2d {
            fp,
            sde,
            data: data.clone(),
            direction,
            dt,
            t,
            steps: 0,
        })
    }

    /// Chooses the flux of the pure advection (c = 0) equation: MUSCL–minmod (the default for
    /// c = 0, second order) or first-order upwind.
    pub fn set_advection(&mut self, advection: Advection) {
        self.fp.set_advection(advection);
    }

    /// The grid solver (density, cells, distances).
    pub fn grid(&self) -> &FokkerPlanck2d {
        &self.fp
    }
    /// The diffusion time t of the current density.
    pub fn time(&self) -> f64 {
        self.t
    }
    /// Steps completed.
    pub fn steps_done(&self) -> u64 {
        self.steps
    }
    /// True once the end of the horizon (T forward, 0 in reverse) is reached.
    pub fn is_done(&self) -> bool {
        match self.direction {
            FpDirection::Forward => self.t >= self.sde.horizon() - 1e-12,
            FpDirection::Reverse { .. } => self.t <= 1e-12,
        }
    }

    /// The largest stable time step at the current time.
    pub fn max_time_step(&mut self) -> Result<f64, Error> {
        self.max_time_step_at(self.t)
    }

    /// The largest stable time step of the equation's coefficients at time t ∈ [0, T] (the
    /// reverse equation is stiffest near t = 0, where the score is sharpest: choose Δt from the
    /// minimum over the run).
    pub fn max_time_step_at(&mut self, t: f64) -> Result<f64, Error> {
        let t = self.sde.check_time("t", t)?;
        let (d, pt) = self.coefficients(t)?;
        let (sde, dir) = (self.sde, self.direction);
        Ok(self
            .fp
            .max_time_step(d, |x| velocity(&sde, dir, pt.as_ref(), t, x)))
    }

    fn coefficients(&self, t: f64) -> Result<(f64, Option<MixtureScore64>), Error> {
        let g2 = self.sde.diffusion_sq(t);
        Ok(match self.direction {
            FpDirection::Forward => (0.5 * g2, None),
            FpDirection::Reverse { noise_level: c } => (
                0.5 * c * c * g2,
                Some(MixtureScore64::new(
                    &self.sde.marginal_mixture(&self.data, t)?,
                )),
            ),
        })
    }

    /// One explicit step of Δt (the last one shortened to land on the end); `Ok(false)` when done.
    pub fn step(&mut self) -> Result<bool, Error> {
        if self.is_done() {
            return Ok(false);
        }
        let dt = match self.direction {
            FpDirection::Forward => self.dt.min(self.sde.horizon() - self.t),
            FpDirection::Reverse { .. } => self.dt.min(self.t),
        };
        let (d, pt) = self.coefficients(self.t)?;
        let (sde, dir, t) = (self.sde, self.direction, self.t);
        self.fp
            .step(dt, d, |x| velocity(&sde, dir, pt.as_ref(), t, x))?;
        self.t = match self.direction {
            FpDirection::Forward => (self.t + dt).min(self.sde.horizon()),
            FpDirection::Reverse { .. } => (self.t - dt).max(0.0),
        };
        self.steps += 1;
        Ok(true)
    }

    /// The exact p_t (at the current t) averaged over the grid's cells.
    pub fn exact_cells(&self) -> Result<Vec<f64>, Error> {
        let pt = self.sde.marginal_mixture(&self.data, self.t)?;
        Ok(self.fp.cell_averages(|x| pt.density(x)))
    }

    /// ∫|p_grid − p_t| against the exact marginal at the current time.
    pub fn l1_to_exact(&self) -> Result<f64, Error> {
        Ok(self.fp.l1_to(&self.exact_cells()?))
    }
}

fn velocity(
    sde: &Sde,
    dir: FpDirection,
    pt: Option<&MixtureScore64>,
    t: f64,
    x: [f64; 2],
) -> [f64; 2] {
    let f = sde.drift_coef(t);
    match (dir, pt) {
        (FpDirection::Reverse { noise_level: c }, Some(p)) => {
            let k = 0.5 * (1.0 + c * c) * sde.diffusion_sq(t);
            let s = p.score(x);
            [-f * x[0] + k * s[0], -f * x[1] + k * s[1]]
        }
        _ => [f * x[0], f * x[1]],
    }
}

/// The f64 score of a mixture with its per-component constants precomputed (log wₖ + log
/// normaliser, mean, precision) and one pass per component: the same softmax as
/// `GaussianMixture::score`, about twice as fast, for the tens of thousands of faces a grid step
/// evaluates.
#[derive(Debug, Clone)]
struct MixtureScore64 {
    /// (c, μx, μy, pxx, pxy, pyy) per component, c = log w + log normaliser.
    comps: Vec<[f64; 6]>,
}

impl MixtureScore64 {
    fn new(p: &GaussianMixture) -> Self {
        MixtureScore64 {
            comps: p
                .weights()
                .iter()
                .zip(p.components())
                .map(|(w, g)| {
                    let (m, pr) = (g.mean(), g.precision());
                    [w.ln() + g.log_norm(), m[0], m[1], pr[0], pr[1], pr[2]]
                })
                .collect(),
        }
    }

    fn score(&self, x: [f64; 2]) -> [f64; 2] {
        let mut e = [0.0f64; MAX_COMPONENTS];
        let mut g = [[0.0f64; 2]; MAX_COMPONENTS];
        let mut m = f64::NEG_INFINITY;
        for (k, c) in self.comps.iter().enumerate() {
            let (dx, dy) = (x[0] - c[1], x[1] - c[2]);
            let (gx, gy) = (c[3] * dx + c[4] * dy, c[4] * dx + c[5] * dy);
            e[k] = c[0] - 0.5 * (dx * gx + dy * gy);
            g[k] = [gx, gy];
            m = m.max(e[k]);
        }
        let (mut s, mut ax, mut ay) = (0.0, 0.0, 0.0);
        for k in 0..self.comps.len() {
            let r = (e[k] - m).exp();
            s += r;
            ax += r * g[k][0];
            ay += r * g[k][1];
        }
        [-ax / s, -ay / s]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_score_matches_the_mixture_score() {
        let p = GaussianMixture::from_flat(
            &[0.5, 0.3, 0.2],
            &[-1.0, 0.5, 1.2, -0.7, 0.0, 2.0],
            &[0.4, 0.15, 0.3, 0.2, -0.05, 0.5, 1.0, 0.3, 0.4],
        )
        .unwrap();
        let f = MixtureScore64::new(&p);
        for x in [[0.0, 0.0], [-1.2, 0.4], [30.0, -20.0], [0.3, 1.7]] {
            let (a, b) = (f.score(x), p.score(x));
            // same algebra, different rounding order: 1e-12 relative
            for i in 0..2 {
                assert!((a[i] - b[i]).abs() < 1e-12 * (1.0 + b[i].abs()), "{x:?}");
            }
        }
    }
}
