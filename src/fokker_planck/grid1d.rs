//! The 1D Fokker–Planck equation on a uniform grid by conservative finite volumes.
//!
//!   ∂p/∂t = −∂ₓ(u(x, t) p) + D(t) ∂ₓ²p   on [x₀, x₁], zero flux at both ends,
//!
//! (Risken 1989, eq. 4.94; Yasuda eq. 40 with u = −ax, D = b²/2). Cell averages p_i, Scharfetter–
//! Gummel fluxes at the faces ([`super::flux`]), explicit Euler in time:
//!   p_i ← p_i − (Δt/h)(F_{i+½} − F_{i−½}).
//! The update telescopes, so the mass Σ p_i h changes only by round-off; every step checks the
//! positivity (CFL) limit Δt · max_i (outflow rate of cell i) ≤ 1 first and refuses (leaving p
//! untouched) with an error naming the limit when it is exceeded.

use super::distance::{grid_distance, GridDistance};
use super::flux::{face_coefficients, face_coefficients_peclet};
use crate::error::Error;
use crate::quadrature::gauss_legendre;

/// The most cells per axis.
pub const MAX_CELLS: usize = 100_000;

/// A density on a uniform 1D grid, evolved by the Fokker–Planck equation.
#[derive(Debug, Clone, PartialEq)]
pub struct FokkerPlanck1d {
    x0: f64,
    h: f64,
    p: Vec<f64>,
    /// Face coefficients (interior faces i + ½, i = 0 … n − 2): F = a p_i − b p_{i+1}.
    a: Vec<f64>,
    b: Vec<f64>,
    time: f64,
}

/// Validates a grid: finite lo < hi and `cells` ∈ [3, max].
pub(crate) fn check_grid(
    name: &'static str,
    lo: f64,
    hi: f64,
    cells: usize,
    max: usize,
) -> Result<(), Error> {
    if !(lo.is_finite() && hi.is_finite() && lo < hi) {
        return Err(Error::invalid(
            name,
            "finite bounds lo < hi",
            format!("[{lo}, {hi}]"),
        ));
    }
    if !(3..=max).contains(&cells) {
        return Err(Error::invalid(
            "cells",
            format!("an integer in [3, {max}]"),
            cells,
        ));
    }
    Ok(())
}

/// The error of a step beyond the positivity limit.
pub(crate) fn cfl_error(dt: f64, limit: f64) -> Error {
    Error::invalid(
        "time_step",
        format!(
            "a number in (0, {limit:.4e}], the positivity (CFL) limit of this grid and these \
             coefficients (1 / the largest outflow rate of a cell); refine the time step or coarsen the grid"
        ),
        dt,
    )
}

pub(crate) fn check_dt(dt: f64) -> Result<f64, Error> {
    if dt.is_finite() && dt > 0.0 {
        Ok(dt)
    } else {
        Err(Error::invalid("time_step", "a finite number > 0", dt))
    }
}

impl FokkerPlanck1d {
    /// `cells` cells on [x₀, x₁] holding the cell averages of `density` (4-point Gauss–Legendre
    /// per cell), normalised to mass 1. Fails if the density has no mass on the grid.
    pub fn new(
        x0: f64,
        x1: f64,
        cells: usize,
        density: impl Fn(f64) -> f64,
    ) -> Result<Self, Error> {
        check_grid("interval", x0, x1, cells, MAX_CELLS)?;
        let h = (x1 - x0) / cells as f64;
        let (gx, gw) = gauss_legendre(4);
        let mut p: Vec<f64> = (0..cells)
            .map(|i| {
                let c = x0 + (i as f64 + 0.5) * h;
                0.5 * gx
                    .iter()
                    .zip(gw)
                    .map(|(x, w)| w * density(c + 0.5 * h * x))
                    .sum::<f64>()
            })
            .collect();
        let mass: f64 = p.iter().sum::<f64>() * h;
        if !(mass.is_finite() && mass > 0.0) || p.iter().any(|v| v.is_nan() || *v < 0.0) {
            return Err(Error::invalid(
                "density",
                "finite, non-negative, with mass on the grid",
                mass,
            ));
        }
        p.iter_mut().for_each(|v| *v /= mass);
        Ok(FokkerPlanck1d {
            x0,
            h,
            a: vec![0.0; cells - 1],
            b: vec![0.0; cells - 1],
            p,
            time: 0.0,
        })
    }

    /// Number of cells.
    pub fn cells(&self) -> usize {
        self.p.len()
    }
    /// The cell width h.
    pub fn spacing(&self) -> f64 {
        self.h
    }
    /// The centre of cell i.
    pub fn centre(&self, i: usize) -> f64 {
        self.x0 + (i as f64 + 0.5) * self.h
    }
    /// The position of interior face i + ½ (between cells i and i + 1).
    pub fn face(&self, i: usize) -> f64 {
        self.x0 + (i + 1) as f64 * self.h
    }
    /// The cell averages p_i (a view for plots).
    pub fn density(&self) -> &[f64] {
        &self.p
    }
    /// Replaces the density (same length; not renormalised).
    pub fn set_density(&mut self, p: &[f64]) -> Result<(), Error> {
        if p.len() != self.p.len() || p.iter().any(|v| !(v.is_finite() && *v >= 0.0)) {
            return Err(Error::invalid(
                "density",
                format!("{} finite non-negative values", self.p.len()),
                p.len(),
            ));
        }
        self.p.copy_from_slice(p);
        Ok(())
    }
    /// The time accumulated by the steps.
    pub fn time(&self) -> f64 {
        self.time
    }
    /// Σ p_i h.
    pub fn mass(&self) -> f64 {
        self.p.iter().sum::<f64>() * self.h
    }
    /// (mean, variance) of the grid law (midpoint rule; the variance includes the h²/12 of the
    /// cells' own width only through the cell averages).
    pub fn moments(&self) -> (f64, f64) {
        let m = self.mass();
        let mean = (0..self.cells())
            .map(|i| self.centre(i) * self.p[i])
            .sum::<f64>()
            * self.h
            / m;
        let var = (0..self.cells())
            .map(|i| (self.centre(i) - mean).powi(2) * self.p[i])
            .sum::<f64>()
            * self.h
            / m;
        (mean, var)
    }

    fn apply(&mut self, dt: f64) -> Result<(), Error> {
        let n = self.cells();
        let mut rate = 0.0f64;
        for i in 0..n {
            let out =
                if i + 1 < n { self.a[i] } else { 0.0 } + if i > 0 { self.b[i - 1] } else { 0.0 };
            if !out.is_finite() {
                rate = f64::NAN;
                break;
            }
            rate = rate.max(out / self.h);
        }
        if !rate.is_finite() {
            return Err(Error::invalid("velocity", "finite at every face", rate));
        }
        if dt * rate > 1.0 {
            return Err(cfl_error(dt, 1.0 / rate));
        }
        let k = dt / self.h;
        let mut prev_flux = 0.0;
        for i in 0..n {
            let flux = if i + 1 < n {
                self.a[i] * self.p[i] - self.b[i] * self.p[i + 1]
            } else {
                0.0
            };
            // p_{i+1} is read before it is updated, p_i after: use the old p_i through `flux`
            let old = self.p[i];
            self.p[i] = old - k * (flux - prev_flux);
            prev_flux = flux;
        }
        self.time += dt;
        Ok(())
    }

    /// The largest stable Δt for these coefficients (evaluates the velocity at every face).
    pub fn max_time_step(&mut self, diffusion: f64, mut velocity: impl FnMut(f64) -> f64) -> f64 {
        for i in 0..self.cells() - 1 {
            (self.a[i], self.b[i]) = face_coefficients(velocity(self.face(i)), diffusion, self.h);
        }
        let n = self.cells();
        let rate = (0..n)
            .map(|i| {
                (if i + 1 < n { self.a[i] } else { 0.0 } + if i > 0 { self.b[i - 1] } else { 0.0 })
                    / self.h
            })
            .fold(0.0, f64::max);
        1.0 / rate
    }

    /// One explicit step of Δt with diffusion D ≥ 0 and velocity u(x) evaluated at the faces.
    pub fn step(
        &mut self,
        dt: f64,
        diffusion: f64,
        mut velocity: impl FnMut(f64) -> f64,
    ) -> Result<(), Error> {
        let dt = check_dt(dt)?;
        check_diffusion(diffusion)?;
        for i in 0..self.cells() - 1 {
            (self.a[i], self.b[i]) = face_coefficients(velocity(self.face(i)), diffusion, self.h);
        }
        self.apply(dt)
    }

    /// One step of ∂p/∂t = −∂ₓ(u p) + D ∂ₓ²p with the drift u = D ∂ₓ log π discretised
    /// as Pe = log π_{i+1} − log π_i from the cell values `log_pi` (Langevin dynamics towards π):
    /// the grid law p ∝ π is then exactly stationary.
    pub fn step_towards(&mut self, dt: f64, diffusion: f64, log_pi: &[f64]) -> Result<(), Error> {
        let dt = check_dt(dt)?;
        check_diffusion(diffusion)?;
        if diffusion == 0.0 || log_pi.len() != self.cells() {
            return Err(Error::invalid(
                "log_pi",
                format!("{} cell values, with diffusion > 0", self.cells()),
                log_pi.len(),
            ));
        }
        for i in 0..self.cells() - 1 {
            (self.a[i], self.b[i]) =
                face_coefficients_peclet(log_pi[i + 1] - log_pi[i], diffusion, self.h);
        }
        self.apply(dt)
    }

    /// Σ P_i log(P_i/Q_i) between the grid law and cell values `q` of another density (any
    /// normalisation: q is renormalised on the grid).
    pub fn kl_to(&self, q: &[f64]) -> f64 {
        let (mp, mq) = (self.mass(), q.iter().sum::<f64>() * self.h);
        self.p
            .iter()
            .zip(q)
            .filter(|(p, _)| **p > 0.0)
            .map(|(p, q)| {
                let (p, q) = (p / mp, q / mq);
                p * self.h * (p / q).ln()
            })
            .sum()
    }

    /// ∫|p − q| on the grid (q cell values of another normalised density).
    pub fn l1_to(&self, q: &[f64]) -> f64 {
        self.p
            .iter()
            .zip(q)
            .map(|(p, q)| (p - q).abs())
            .sum::<f64>()
            * self.h
    }

    /// Distances between the histogram of `xs` on the grid's cells and the grid law.
    pub fn particle_distance(&self, xs: &[f32]) -> GridDistance {
        let n = self.cells();
        let mut counts = vec![0u32; n];
        let mut outside = 0;
        for x in xs {
            let f = (*x as f64 - self.x0) / self.h;
            if f >= 0.0 && f < n as f64 {
                counts[f as usize] += 1;
            } else {
                outside += 1;
            }
        }
        let mass: Vec<f64> = self.p.iter().map(|p| p * self.h).collect();
        grid_distance(&counts, outside, &mass)
    }
}

pub(crate) fn check_diffusion(d: f64) -> Result<f64, Error> {
    if d.is_finite() && d >= 0.0 {
        Ok(d)
    } else {
        Err(Error::invalid("diffusion", "a finite number >= 0", d))
    }
}
