//! The 2D Fokker–Planck equation on a uniform grid by conservative finite volumes.
//!
//!   ∂p/∂t = −∇·(u(x, t) p) + D(t) Δp   on [x₀, x₁] × [y₀, y₁], zero flux on the boundary,
//!
//! (Song et al. 2021 eq. 5 for dx = f dt + g dW with u = f, D = g²/2; for the reverse SDE with
//! noise level c, u = −f + ((1 + c²)/2) g² ∇log p_t and D = c²g²/2 in reverse time; for the
//! probability flow (c = 0) D = 0 and it is the continuity equation). Dimension by dimension it
//! is the scheme of [`super::grid1d`]: Scharfetter–Gummel fluxes at the x-faces (u_x at
//! (x_{i+½}, y_j)) and the y-faces (u_y at (x_i, y_{j+½})), explicit Euler, a positivity/CFL check
//! before every step, mass conserved to round-off. Cells are row-major with y up:
//! index j·n_x + i.

use super::distance::{grid_distance, GridDistance};
use super::flux::{face_coefficients, face_coefficients_peclet};
use super::grid1d::{cfl_error, check_diffusion, check_dt, check_grid};
use crate::error::Error;
use crate::particles::Particles;
use crate::quadrature::gauss_legendre;

/// The most cells per axis.
pub const MAX_CELLS_2D: usize = 1024;

/// A density on a uniform 2D grid, evolved by the Fokker–Planck equation.
#[derive(Debug, Clone, PartialEq)]
pub struct FokkerPlanck2d {
    view: [f64; 4],
    nx: usize,
    ny: usize,
    hx: f64,
    hy: f64,
    p: Vec<f64>,
    /// x-face coefficients, (n_x − 1) per row: F = ax p_{i,j} − bx p_{i+1,j}.
    ax: Vec<f64>,
    bx: Vec<f64>,
    /// y-face coefficients, n_x per face row (n_y − 1 rows).
    ay: Vec<f64>,
    by: Vec<f64>,
    /// The update, written before it is applied (so a refused step leaves p untouched).
    dp: Vec<f64>,
    time: f64,
    advection: Advection,
    /// True when the current face coefficients are pure advection (D = 0).
    pure_advection: bool,
}

/// The flux of a pure advection step (D = 0; with diffusion the Scharfetter–Gummel flux is used).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Advection {
    /// First-order upwind: the face value is the upwind cell's average.
    Upwind,
    /// MUSCL (van Leer 1979) with the minmod limiter: the face value is the upwind cell's average
    /// plus half its limited slope, σᵢ = minmod(pᵢ − pᵢ₋₁, pᵢ₊₁ − pᵢ) (0 in boundary cells).
    /// Second order away from extrema; since then 0 ≤ face value ≤ 1.5 pᵢ, positivity holds when
    /// Δt · 1.5 · (outflow rate) ≤ 1, the limit the step checks.
    Muscl,
}

#[inline]
fn minmod(a: f64, b: f64) -> f64 {
    if a > 0.0 && b > 0.0 {
        a.min(b)
    } else if a < 0.0 && b < 0.0 {
        a.max(b)
    } else {
        0.0
    }
}

impl FokkerPlanck2d {
    /// `nx` × `ny` cells over `view` = [x₀, x₁, y₀, y₁] holding the cell averages of `density`
    /// (4 × 4-point Gauss–Legendre per cell), normalised to mass 1.
    pub fn new(
        view: [f64; 4],
        nx: usize,
        ny: usize,
        density: impl Fn([f64; 2]) -> f64,
    ) -> Result<Self, Error> {
        check_grid("view (x)", view[0], view[1], nx, MAX_CELLS_2D)?;
        check_grid("view (y)", view[2], view[3], ny, MAX_CELLS_2D)?;
        let (hx, hy) = (
            (view[1] - view[0]) / nx as f64,
            (view[3] - view[2]) / ny as f64,
        );
        let (gx, gw) = gauss_legendre(4);
        let mut p = Vec::with_capacity(nx * ny);
        for j in 0..ny {
            for i in 0..nx {
                let (cx, cy) = (
                    view[0] + (i as f64 + 0.5) * hx,
                    view[2] + (j as f64 + 0.5) * hy,
                );
                let mut s = 0.0;
                for (a, wa) in gx.iter().zip(gw) {
                    for (b, wb) in gx.iter().zip(gw) {
                        s += wa * wb * density([cx + 0.5 * hx * a, cy + 0.5 * hy * b]);
                    }
                }
                p.push(0.25 * s);
            }
        }
        let mass: f64 = p.iter().sum::<f64>() * hx * hy;
        if !(mass.is_finite() && mass > 0.0) || p.iter().any(|v| v.is_nan() || *v < 0.0) {
            return Err(Error::invalid(
                "density",
                "finite, non-negative, with mass on the grid",
                mass,
            ));
        }
        p.iter_mut().for_each(|v| *v /= mass);
        Ok(FokkerPlanck2d {
            view,
            nx,
            ny,
            hx,
            hy,
            ax: vec![0.0; (nx - 1) * ny],
            bx: vec![0.0; (nx - 1) * ny],
            ay: vec![0.0; nx * (ny - 1)],
            by: vec![0.0; nx * (ny - 1)],
            dp: vec![0.0; nx * ny],
            p,
            time: 0.0,
            advection: Advection::Upwind,
            pure_advection: false,
        })
    }

    /// The view [x₀, x₁, y₀, y₁].
    pub fn view(&self) -> [f64; 4] {
        self.view
    }
    /// (n_x, n_y).
    pub fn cells(&self) -> (usize, usize) {
        (self.nx, self.ny)
    }
    /// (h_x, h_y).
    pub fn spacing(&self) -> (f64, f64) {
        (self.hx, self.hy)
    }
    /// The centre of cell (i, j).
    pub fn centre(&self, i: usize, j: usize) -> [f64; 2] {
        [
            self.view[0] + (i as f64 + 0.5) * self.hx,
            self.view[2] + (j as f64 + 0.5) * self.hy,
        ]
    }
    /// The cell averages, row-major with y up (a view for heatmaps).
    pub fn density(&self) -> &[f64] {
        &self.p
    }
    /// The time accumulated by the steps.
    pub fn time(&self) -> f64 {
        self.time
    }
    /// Σ p h_x h_y.
    pub fn mass(&self) -> f64 {
        self.p.iter().sum::<f64>() * self.hx * self.hy
    }
    /// The cell averages of another density on this grid (same quadrature as [`new`](Self::new),
    /// not normalised): the exact reference a solution is compared with.
    pub fn cell_averages(&self, density: impl Fn([f64; 2]) -> f64) -> Vec<f64> {
        let (gx, gw) = gauss_legendre(4);
        let mut out = Vec::with_capacity(self.p.len());
        for j in 0..self.ny {
            for i in 0..self.nx {
                let c = self.centre(i, j);
                let mut s = 0.0;
                for (a, wa) in gx.iter().zip(gw) {
                    for (b, wb) in gx.iter().zip(gw) {
                        s +=
                            wa * wb * density([c[0] + 0.5 * self.hx * a, c[1] + 0.5 * self.hy * b]);
                    }
                }
                out.push(0.25 * s);
            }
        }
        out
    }

    /// Chooses the flux of pure advection steps (upwind by default).
    pub fn set_advection(&mut self, advection: Advection) {
        self.advection = advection;
    }

    /// The flux of pure advection steps.
    pub fn advection(&self) -> Advection {
        self.advection
    }

    fn muscl(&self) -> bool {
        self.pure_advection && self.advection == Advection::Muscl
    }

    fn fill(&mut self, diffusion: f64, mut velocity: impl FnMut([f64; 2]) -> [f64; 2]) {
        self.pure_advection = diffusion == 0.0;
        let (nx, ny) = (self.nx, self.ny);
        for j in 0..ny {
            let y = self.view[2] + (j as f64 + 0.5) * self.hy;
            for i in 0..nx - 1 {
                let x = self.view[0] + (i + 1) as f64 * self.hx;
                let k = j * (nx - 1) + i;
                (self.ax[k], self.bx[k]) =
                    face_coefficients(velocity([x, y])[0], diffusion, self.hx);
            }
        }
        for j in 0..ny - 1 {
            let y = self.view[2] + (j + 1) as f64 * self.hy;
            for i in 0..nx {
                let x = self.view[0] + (i as f64 + 0.5) * self.hx;
                let k = j * nx + i;
                (self.ay[k], self.by[k]) =
                    face_coefficients(velocity([x, y])[1], diffusion, self.hy);
            }
        }
    }

    /// The largest outflow rate of a cell for the current face coefficients.
    fn max_rate(&self) -> f64 {
        let (nx, ny) = (self.nx, self.ny);
        let mut rate = 0.0f64;
        for j in 0..ny {
            for i in 0..nx {
                let mut out = 0.0;
                if i + 1 < nx {
                    out += self.ax[j * (nx - 1) + i] / self.hx;
                }
                if i > 0 {
                    out += self.bx[j * (nx - 1) + i - 1] / self.hx;
                }
                if j + 1 < ny {
                    out += self.ay[j * nx + i] / self.hy;
                }
                if j > 0 {
                    out += self.by[(j - 1) * nx + i] / self.hy;
                }
                if !out.is_finite() {
                    return f64::NAN;
                }
                rate = rate.max(out);
            }
        }
        if self.muscl() {
            1.5 * rate
        } else {
            rate
        }
    }

    fn apply(&mut self, dt: f64) -> Result<(), Error> {
        let rate = self.max_rate();
        if !rate.is_finite() {
            return Err(Error::invalid("velocity", "finite at every face", rate));
        }
        if dt * rate > 1.0 {
            return Err(cfl_error(dt, 1.0 / rate));
        }
        let (nx, ny) = (self.nx, self.ny);
        self.dp.iter_mut().for_each(|v| *v = 0.0);
        let (kx, ky) = (dt / self.hx, dt / self.hy);
        let muscl = self.muscl();
        let p = &self.p;
        // the limited slope of cell c along a direction with neighbours c − s and c + s
        let slope = |c: usize, s: usize, interior: bool| {
            if muscl && interior {
                minmod(p[c] - p[c - s], p[c + s] - p[c])
            } else {
                0.0
            }
        };
        for j in 0..ny {
            for i in 0..nx - 1 {
                let (c, f) = (j * nx + i, j * (nx - 1) + i);
                let pl = p[c] + 0.5 * slope(c, 1, i > 0);
                let pr = p[c + 1] - 0.5 * slope(c + 1, 1, i + 2 < nx);
                let flux = kx * (self.ax[f] * pl - self.bx[f] * pr);
                self.dp[c] -= flux;
                self.dp[c + 1] += flux;
            }
        }
        for j in 0..ny - 1 {
            for i in 0..nx {
                let (c, f) = (j * nx + i, j * nx + i);
                let pl = p[c] + 0.5 * slope(c, nx, j > 0);
                let pr = p[c + nx] - 0.5 * slope(c + nx, nx, j + 2 < ny);
                let flux = ky * (self.ay[f] * pl - self.by[f] * pr);
                self.dp[c] -= flux;
                self.dp[c + nx] += flux;
            }
        }
        for (p, d) in self.p.iter_mut().zip(&self.dp) {
            *p += d;
        }
        self.time += dt;
        Ok(())
    }

    /// The largest stable Δt for diffusion D and velocity u (evaluated at every face).
    pub fn max_time_step(
        &mut self,
        diffusion: f64,
        velocity: impl FnMut([f64; 2]) -> [f64; 2],
    ) -> f64 {
        self.fill(diffusion, velocity);
        1.0 / self.max_rate()
    }

    /// One explicit step of Δt with diffusion D ≥ 0 and velocity u(x) at the faces. A step beyond
    /// the positivity limit is refused with an error naming the limit (p unchanged).
    pub fn step(
        &mut self,
        dt: f64,
        diffusion: f64,
        velocity: impl FnMut([f64; 2]) -> [f64; 2],
    ) -> Result<(), Error> {
        let dt = check_dt(dt)?;
        check_diffusion(diffusion)?;
        self.fill(diffusion, velocity);
        self.apply(dt)
    }

    /// One step of Langevin dynamics towards π (u = D ∇log π with face Péclet numbers
    /// log π_R − log π_L from the cell values `log_pi`): the grid law p ∝ π is exactly stationary.
    pub fn step_towards(&mut self, dt: f64, diffusion: f64, log_pi: &[f64]) -> Result<(), Error> {
        let dt = check_dt(dt)?;
        check_diffusion(diffusion)?;
        let (nx, ny) = (self.nx, self.ny);
        self.pure_advection = false;
        if diffusion == 0.0 || log_pi.len() != nx * ny {
            return Err(Error::invalid(
                "log_pi",
                format!("{} cell values, with diffusion > 0", nx * ny),
                log_pi.len(),
            ));
        }
        for j in 0..ny {
            for i in 0..nx - 1 {
                let c = j * nx + i;
                (self.ax[j * (nx - 1) + i], self.bx[j * (nx - 1) + i]) =
                    face_coefficients_peclet(log_pi[c + 1] - log_pi[c], diffusion, self.hx);
            }
        }
        for j in 0..ny - 1 {
            for i in 0..nx {
                let c = j * nx + i;
                (self.ay[c], self.by[c]) =
                    face_coefficients_peclet(log_pi[c + nx] - log_pi[c], diffusion, self.hy);
            }
        }
        self.apply(dt)
    }

    /// ∫|p − q| on the grid (q cell values of another density).
    pub fn l1_to(&self, q: &[f64]) -> f64 {
        self.p
            .iter()
            .zip(q)
            .map(|(p, q)| (p - q).abs())
            .sum::<f64>()
            * self.hx
            * self.hy
    }

    /// KL(grid law ‖ q), q cell values of another density (renormalised on the grid).
    pub fn kl_to(&self, q: &[f64]) -> f64 {
        let a = self.hx * self.hy;
        let (mp, mq) = (self.mass(), q.iter().sum::<f64>() * a);
        self.p
            .iter()
            .zip(q)
            .filter(|(p, _)| **p > 0.0)
            .map(|(p, q)| {
                let (p, q) = (p / mp, q / mq);
                p * a * (p / q).ln()
            })
            .sum()
    }

    /// Distances between the histogram of the cloud on the grid's cells and the grid law.
    pub fn particle_distance(&self, particles: &Particles) -> GridDistance {
        let (nx, ny) = (self.nx, self.ny);
        let mut counts = vec![0u32; nx * ny];
        let mut outside = 0;
        for (x, y) in particles.xs.iter().zip(&particles.ys) {
            let fx = (*x as f64 - self.view[0]) / self.hx;
            let fy = (*y as f64 - self.view[2]) / self.hy;
            if fx >= 0.0 && fy >= 0.0 && fx < nx as f64 && fy < ny as f64 {
                counts[fy as usize * nx + fx as usize] += 1;
            } else {
                outside += 1;
            }
        }
        let a = self.hx * self.hy;
        let mass: Vec<f64> = self.p.iter().map(|p| p * a).collect();
        grid_distance(&counts, outside, &mass)
    }
}
