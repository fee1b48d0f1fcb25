//! `SdeFpWidget`: the handle behind `<sb-sde-fp>` (forward SDE particles beside the
//! Fokker–Planck density on a grid, and both against the exact marginal).
//!
//! N particles drawn from the data mixture p₀ follow dx = f(t)x dt + g(t) dW from t = 0 to T in K
//! Euler–Maruyama steps h = T/K (or the exact Gaussian transition, `sde::forward`). Beside them
//! an n × n finite-volume solution of ∂p/∂t = −∇·(f(t)x p) + (g²/2)Δp (Song et al. 2021 eq. 5;
//! `fokker_planck::sde_density`) starts from the cell averages of p₀ and takes m explicit substeps
//! Δt = h/m per particle step: m is the smallest count with Δt ≤ 0.9 × the positivity (CFL) limit
//! over the whole run, unless the caller fixes Δt, in which case a step past the limit is refused
//! by the core with its message. The exact marginal p_t = Σ wₖ N(α_t μₖ, α_t²Σₖ + v_t I) is
//! evaluated on the same cells, and the readouts are the L1 and KL distances of the particle
//! histogram to the grid law (KL with its i.i.d. floor), of the particles to the exact cells,
//! and of the grid to the exact law.

use super::draw::{blit_with_axes, layout};
use super::sde_common::{data_by_name, dpr_ok};
use crate::chart::ChartTheme;
use crate::chart_multi::{draw_multi_chart_at, multi_chart_svg_at, palette, Series};
use crate::error::Error;
use crate::fokker_planck::distance::grid_distance;
use crate::fokker_planck::{FpDirection, GridDistance, SdeDensity2d};
use crate::mixture::GaussianMixture;
use crate::particles::{check_count, Particles};
use crate::raster::{Palette, Raster};
use crate::rng::sim_rng;
use crate::sde::forward::{ForwardMethod, ForwardSampler};
use crate::sde::{check_steps, runaway_radius, Sde};
use crate::viewport::Viewport;
use plotters::prelude::{IntoDrawingArea, SeriesLabelPosition};
use plotters_canvas::CanvasBackend;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

/// Times at which the CFL limit is sampled to choose the automatic Δt.
const CFL_PROBES: usize = 33;
/// History points over a whole run.
const HISTORY_POINTS: usize = 50;
/// Safety factor of the automatic Δt.
const CFL_SAFETY: f64 = 0.9;

/// The SDEs of this widget: VP (β 0.1 → 20), VE (σ 0.01 → 2: a grid must hold p_T, and a wider
/// σ_max would leave the data's modes one cell wide), OU dx = −x dt + √2 dW on [0, 2].
fn sde_by_name(name: &str) -> Result<Sde, Error> {
    match name {
        "vp" => Sde::vp(0.1, 20.0),
        "ve" => Sde::ve(0.01, 2.0),
        "ou" => Sde::ou(1.0, std::f64::consts::SQRT_2, 2.0),
        other => Err(Error::invalid(
            "sde",
            "one of vp, ve, ou",
            format!("{other:?}"),
        )),
    }
}

fn method_by_name(name: &str) -> Result<ForwardMethod, Error> {
    match name {
        "em" => Ok(ForwardMethod::EulerMaruyama),
        "exact" => Ok(ForwardMethod::Exact),
        other => Err(Error::invalid(
            "particle_method",
            "one of em, exact",
            format!("{other:?}"),
        )),
    }
}

/// A square box centred at 0 holding every p_t, t ∈ [0, T]: |α_t μₖ| + 5 sd of each component.
fn grid_view(sde: &Sde, data: &GaussianMixture) -> [f64; 4] {
    let mut r: f64 = 1.0;
    for j in 0..=CFL_PROBES {
        let t = sde.horizon() * j as f64 / CFL_PROBES as f64;
        let (a, v) = (sde.mean_scale(t), sde.marginal_variance(t));
        for c in data.components() {
            let (m, s) = (c.mean(), c.cov());
            let sd = (a * a * s[0].max(s[2]) + v).sqrt();
            r = r
                .max(a * m[0].abs() + 5.0 * sd)
                .max(a * m[1].abs() + 5.0 * sd);
        }
    }
    [-r, r, -r, r]
}

/// Cell counts of a cloud on an n × n grid over `view`, and the number outside.
fn cell_counts(view: [f64; 4], n: usize, p: &Particles, counts: &mut Vec<u32>) -> u32 {
    counts.clear();
    counts.resize(n * n, 0);
    let (sx, sy) = (
        n as f64 / (view[1] - view[0]),
        n as f64 / (view[3] - view[2]),
    );
    let mut outside = 0;
    for (x, y) in p.xs.iter().zip(&p.ys) {
        let fx = (*x as f64 - view[0]) * sx;
        let fy = (*y as f64 - view[2]) * sy;
        if fx >= 0.0 && fy >= 0.0 && fx < n as f64 && fy < n as f64 {
            counts[fy as usize * n + fx as usize] += 1;
        } else {
            outside += 1;
        }
    }
    outside
}

/// One history point: t, L1(particles, grid), KL(particles ‖ grid), its floor, L1(grid, exact),
/// L1(particles, exact), KL(particles ‖ exact), fraction outside the grid, grid mass.
type Point = [f64; 9];

/// Forward particles against the Fokker–Planck grid density.
#[wasm_bindgen]
pub struct SdeFpWidget {
    data: GaussianMixture,
    sde: Sde,
    sde_name: String,
    method: ForwardMethod,
    n: usize,
    steps: usize,
    cells: usize,
    fixed_dt: Option<f64>,
    seed: u32,
    view: [f64; 4],
    forward: ForwardSampler,
    cloud: Particles,
    grid: SdeDensity2d,
    substeps: usize,
    dt: f64,
    cfl_limit: f64,
    history: Vec<Point>,
    counts: Vec<u32>,
    raster: Raster,
    key: Option<(usize, usize, bool, usize)>,
    shade: Vec<u8>,
    /// The exact p_t on the cells, at the time it was computed (16 density evaluations per cell).
    exact: Option<(f64, Vec<f64>)>,
}

/// Parts that a restart rebuilds.
struct Parts {
    forward: ForwardSampler,
    cloud: Particles,
    grid: SdeDensity2d,
    substeps: usize,
    dt: f64,
    cfl_limit: f64,
}

#[allow(clippy::too_many_arguments)]
fn build(
    sde: Sde,
    data: &GaussianMixture,
    method: ForwardMethod,
    n: usize,
    steps: usize,
    cells: usize,
    fixed_dt: Option<f64>,
    view: [f64; 4],
    seed: u32,
) -> Result<Parts, Error> {
    let mut forward = ForwardSampler::new(
        sde,
        steps,
        sde.horizon(),
        runaway_radius(data, &sde),
        seed as u64,
    )?;
    forward.set_method(method);
    let h = forward.step_size();
    // the limit of the whole run, from a probe grid (the forward equation's coefficients are
    // those of the SDE alone, so the probe costs one face sweep per time)
    // (the forward coefficients do not depend on the data: a one-component probe is 8× cheaper)
    let unit = crate::presets::preset("gaussian")?;
    let mut probe = SdeDensity2d::new(sde, &unit, FpDirection::Forward, view, cells, h)?;
    let mut limit = f64::INFINITY;
    for j in 0..=CFL_PROBES {
        limit = limit.min(probe.max_time_step_at(sde.horizon() * j as f64 / CFL_PROBES as f64)?);
    }
    let target = fixed_dt.unwrap_or(CFL_SAFETY * limit).min(h);
    let substeps = ((h / target).ceil() as usize).clamp(1, 1_000_000);
    let dt = h / substeps as f64;
    let grid = SdeDensity2d::new(sde, data, FpDirection::Forward, view, cells, dt)?;
    let mut rng = sim_rng(seed as u64);
    let mut cloud = Particles {
        xs: Vec::with_capacity(n),
        ys: Vec::with_capacity(n),
    };
    for _ in 0..n {
        let x = data.sample(&mut rng);
        cloud.xs.push(x[0] as f32);
        cloud.ys.push(x[1] as f32);
    }
    Ok(Parts {
        forward,
        cloud,
        grid,
        substeps,
        dt,
        cfl_limit: limit,
    })
}

fn check_cells(cells: f64) -> Result<usize, Error> {
    if cells.is_finite() && cells.fract() == 0.0 && (8.0..=256.0).contains(&cells) {
        Ok(cells as usize)
    } else {
        Err(Error::invalid("cells", "an integer in [8, 256]", cells))
    }
}

fn check_step_count(steps: f64) -> Result<usize, Error> {
    if steps.is_finite() && steps.fract() == 0.0 && (1.0..=100_000.0).contains(&steps) {
        check_steps(steps as usize)
    } else {
        Err(Error::invalid("steps", "an integer in [1, 100000]", steps))
    }
}

/// A grid time step: 0 (automatic) or a number in (0, 1].
fn check_time_step(dt: f64) -> Result<Option<f64>, Error> {
    if dt == 0.0 {
        Ok(None)
    } else if dt.is_finite() && dt > 0.0 && dt <= 1.0 {
        Ok(Some(dt))
    } else {
        Err(Error::invalid(
            "time_step",
            "0 (automatic) or a number in (0, 1]",
            dt,
        ))
    }
}

#[wasm_bindgen]
impl SdeFpWidget {
    /// A widget for `sde` (vp, ve, ou), data `target` (ring8, gaussian, two-modes), `particles` ∈
    /// [1, 1 000 000], `steps` K ∈ [1, 100 000] particle steps, `particle_method` (em, exact),
    /// an n × n grid with n = `cells` ∈ [8, 256], the grid step `time_step` (0: automatic, under
    /// the CFL limit; otherwise a number in (0, 1]) and a `seed`.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        sde: &str,
        target: &str,
        particles: f64,
        steps: f64,
        particle_method: &str,
        cells: f64,
        time_step: f64,
        seed: u32,
    ) -> Result<SdeFpWidget, JsError> {
        let s = sde_by_name(sde)?;
        let data = data_by_name(target)?;
        let n = check_count(particles)?;
        let k = check_step_count(steps)?;
        let method = method_by_name(particle_method)?;
        let cells = check_cells(cells)?;
        let fixed_dt = check_time_step(time_step)?;
        let view = grid_view(&s, &data);
        let parts = build(s, &data, method, n, k, cells, fixed_dt, view, seed)?;
        let mut w = SdeFpWidget {
            data,
            sde: s,
            sde_name: sde.into(),
            method,
            n,
            steps: k,
            cells,
            fixed_dt,
            seed,
            view,
            forward: parts.forward,
            cloud: parts.cloud,
            grid: parts.grid,
            substeps: parts.substeps,
            dt: parts.dt,
            cfl_limit: parts.cfl_limit,
            history: vec![],
            counts: vec![],
            raster: Raster::default(),
            key: None,
            shade: vec![],
            exact: None,
        };
        w.record()?;
        Ok(w)
    }

    fn rebuild(&mut self) -> Result<(), Error> {
        let p = build(
            self.sde,
            &self.data,
            self.method,
            self.n,
            self.steps,
            self.cells,
            self.fixed_dt,
            self.view,
            self.seed,
        )?;
        self.forward = p.forward;
        self.cloud = p.cloud;
        self.grid = p.grid;
        self.substeps = p.substeps;
        self.dt = p.dt;
        self.cfl_limit = p.cfl_limit;
        self.history.clear();
        self.key = None;
        self.exact = None;
        self.record()
    }

    /// Restarts from fresh data samples with `seed`.
    pub fn reset(&mut self, seed: u32) -> Result<(), JsError> {
        self.seed = seed;
        Ok(self.rebuild()?)
    }

    /// Changes the SDE (vp, ve, ou) and restarts.
    #[wasm_bindgen(js_name = setSde)]
    pub fn set_sde(&mut self, sde: &str) -> Result<(), JsError> {
        self.sde = sde_by_name(sde)?;
        self.sde_name = sde.into();
        self.view = grid_view(&self.sde, &self.data);
        Ok(self.rebuild()?)
    }

    /// Changes the data law and restarts.
    #[wasm_bindgen(js_name = setTarget)]
    pub fn set_target(&mut self, target: &str) -> Result<(), JsError> {
        self.data = data_by_name(target)?;
        self.view = grid_view(&self.sde, &self.data);
        Ok(self.rebuild()?)
    }

    /// Changes particles, K, the particle update, n and the grid step (all validated first) and
    /// restarts.
    #[wasm_bindgen(js_name = setRun)]
    pub fn set_run(
        &mut self,
        particles: f64,
        steps: f64,
        particle_method: &str,
        cells: f64,
        time_step: f64,
    ) -> Result<(), JsError> {
        let n = check_count(particles)?;
        let k = check_step_count(steps)?;
        let m = method_by_name(particle_method)?;
        let c = check_cells(cells)?;
        let dt = check_time_step(time_step)?;
        (self.n, self.steps, self.method, self.cells, self.fixed_dt) = (n, k, m, c, dt);
        Ok(self.rebuild()?)
    }

    /// Runs `k` ∈ [0, 100 000] particle steps, each with its m grid substeps. Throws the core's
    /// message when the grid step breaks the positivity (CFL) limit or the particles diverge.
    pub fn step(&mut self, k: u32) -> Result<(), JsError> {
        if k > 100_000 {
            return Err(Error::invalid("k", "an integer in [0, 100000]", k).into());
        }
        for _ in 0..k {
            if !self.forward.step(&mut self.cloud)? {
                break;
            }
            for _ in 0..self.substeps {
                if !self.grid.step()? {
                    break;
                }
            }
            let stride = (self.steps / HISTORY_POINTS).max(1);
            if self.forward.steps_done() % stride == 0 || self.forward.is_done() {
                self.record()?;
            }
        }
        Ok(())
    }

    fn distances(&mut self) -> Result<(GridDistance, GridDistance, f64), Error> {
        let outside = cell_counts(self.view, self.cells, &self.cloud, &mut self.counts);
        let (hx, hy) = self.grid.grid().spacing();
        let a = hx * hy;
        let grid_mass: Vec<f64> = self.grid.grid().density().iter().map(|p| p * a).collect();
        let t = self.grid.time();
        if self.exact.as_ref().map(|e| e.0) != Some(t) {
            self.exact = Some((t, self.grid.exact_cells()?));
        }
        let exact = &self.exact.as_ref().expect("set above").1;
        let exact_mass: Vec<f64> = exact.iter().map(|p| p * a).collect();
        let to_grid = grid_distance(&self.counts, outside, &grid_mass);
        let to_exact = grid_distance(&self.counts, outside, &exact_mass);
        Ok((to_grid, to_exact, self.grid.grid().l1_to(exact)))
    }

    fn record(&mut self) -> Result<(), Error> {
        let t = self.forward.time();
        if self.history.last().map(|h| h[0]) == Some(t) {
            return Ok(());
        }
        let (g, e, l1) = self.distances()?;
        self.history.push([
            t,
            g.l1,
            g.kl,
            g.kl_floor,
            l1,
            e.l1,
            e.kl,
            g.outside,
            self.grid.grid().mass(),
        ]);
        Ok(())
    }

    /// The distances at the latest recorded time (every K/50 steps, and at the end): [t,
    /// L1(particles, grid), KL(particles ‖ grid), KL floor, L1(grid, exact), L1(particles, exact),
    /// KL(particles ‖ exact), fraction outside the grid, grid mass]. `now` records the current
    /// time first (16 exact density evaluations per cell: tens of ms on 64² cells).
    #[wasm_bindgen(js_name = distancesNow)]
    pub fn distances_now(&mut self, now: bool) -> Result<Vec<f64>, JsError> {
        if now {
            self.record()?;
        }
        Ok(self.history.last().map(|h| h.to_vec()).unwrap_or_default())
    }

    /// The history as flat rows [t, L1 particles–grid, KL particles‖grid, KL floor, L1 grid–exact,
    /// L1 particles–exact].
    pub fn history(&self) -> Vec<f64> {
        self.history.iter().flat_map(|h| h[..6].to_vec()).collect()
    }

    /// Particle steps completed.
    #[wasm_bindgen(getter)]
    pub fn steps(&self) -> f64 {
        self.forward.steps_done() as f64
    }
    /// K.
    #[wasm_bindgen(getter, js_name = totalSteps)]
    pub fn total_steps(&self) -> f64 {
        self.steps as f64
    }
    /// True once t = T.
    #[wasm_bindgen(getter)]
    pub fn finished(&self) -> bool {
        self.forward.is_done()
    }
    /// The current time.
    #[wasm_bindgen(getter)]
    pub fn time(&self) -> f64 {
        self.forward.time()
    }
    /// The horizon T.
    #[wasm_bindgen(getter)]
    pub fn horizon(&self) -> f64 {
        self.sde.horizon()
    }
    /// The particle step h.
    #[wasm_bindgen(getter, js_name = stepSize)]
    pub fn step_size(&self) -> f64 {
        self.forward.step_size()
    }
    /// The grid step Δt = h/m.
    #[wasm_bindgen(getter, js_name = gridStep)]
    pub fn grid_step(&self) -> f64 {
        self.dt
    }
    /// Grid substeps m per particle step.
    #[wasm_bindgen(getter)]
    pub fn substeps(&self) -> usize {
        self.substeps
    }
    /// The positivity (CFL) limit on Δt over the run.
    #[wasm_bindgen(getter, js_name = cflLimit)]
    pub fn cfl_limit(&self) -> f64 {
        self.cfl_limit
    }
    /// Cells per side n.
    #[wasm_bindgen(getter)]
    pub fn cells(&self) -> usize {
        self.cells
    }
    /// The grid's box [x₀, x₁, y₀, y₁].
    #[wasm_bindgen(getter)]
    pub fn view(&self) -> Vec<f64> {
        self.view.to_vec()
    }
    /// Number of particles.
    #[wasm_bindgen(getter)]
    pub fn len(&self) -> usize {
        self.n
    }
    /// Always false.
    #[wasm_bindgen(js_name = isEmpty)]
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }
    /// The seed of the current run.
    #[wasm_bindgen(getter)]
    pub fn seed(&self) -> u32 {
        self.seed
    }
    /// The SDE's name.
    #[wasm_bindgen(getter, js_name = sdeName)]
    pub fn sde_name(&self) -> String {
        self.sde_name.clone()
    }
    /// The exact mean scale α_t and variance v_t at the current time.
    #[wasm_bindgen(js_name = exactLevel)]
    pub fn exact_level(&self) -> Vec<f64> {
        let t = self.forward.time();
        vec![self.sde.mean_scale(t), self.sde.marginal_variance(t)]
    }
    /// FNV-1a checksum of the cloud's bits in hex.
    pub fn checksum(&self) -> String {
        format!("{:016x}", self.cloud.checksum())
    }

    /// Draws the particles over the exact p_t (`which` 0) or the grid density (`which` 1).
    pub fn draw(
        &mut self,
        canvas: &HtmlCanvasElement,
        which: u32,
        dpr: f64,
        dark: bool,
    ) -> Result<(), JsError> {
        let dpr = dpr_ok(dpr);
        let (rect, view) = layout(canvas, self.view, dpr);
        let vp = Viewport {
            data: view,
            width: rect.width as usize,
            height: rect.height as usize,
        };
        let pal = Palette::for_theme(dark);
        if which == 0 {
            // the shading follows t in 200 levels over the horizon
            let level = (self.forward.time() / self.sde.horizon() * 200.0).round() as usize;
            let key = (vp.width, vp.height, dark, level);
            if self.key != Some(key) {
                let tq = (level as f64 / 200.0 * self.sde.horizon()).min(self.sde.horizon());
                let pt = self.sde.marginal_mixture(&self.data, tq)?;
                self.raster.render_density_coarse(&pt, &vp, &pal, 6);
                self.key = Some(key);
            }
            let point = (1.5 * dpr).round().clamp(1.0, 4.0) as usize;
            self.raster.compose(&self.cloud, &vp, &pal, point);
            return blit_with_axes(canvas, self.raster.frame(), rect, view, dpr, dark);
        }
        self.shade_grid(&vp, &pal);
        blit_with_axes(canvas, &self.shade, rect, view, dpr, dark)
    }

    /// The grid density as an RGBA image of the viewport: each pixel takes its cell's value,
    /// shaded like `Raster` ((p/max p)^½ from background to the density colour).
    fn shade_grid(&mut self, vp: &Viewport, pal: &Palette) {
        let (w, h) = (vp.width, vp.height);
        self.shade.resize(4 * w * h, 0);
        let p = self.grid.grid().density();
        let max = p.iter().cloned().fold(0.0f64, f64::max);
        let n = self.cells;
        let (sx, sy) = (
            n as f64 / (self.view[1] - self.view[0]),
            n as f64 / (self.view[3] - self.view[2]),
        );
        let cols: Vec<Option<usize>> = (0..w)
            .map(|i| {
                let f = (vp.pixel_center(i, 0)[0] - self.view[0]) * sx;
                (f >= 0.0 && f < n as f64).then_some(f as usize)
            })
            .collect();
        let lerp = |a: u8, b: u8, t: f64| (a as f64 + (b as f64 - a as f64) * t + 0.5) as u8;
        for j in 0..h {
            let f = (vp.pixel_center(0, j)[1] - self.view[2]) * sy;
            let row = (f >= 0.0 && f < n as f64).then_some(f as usize);
            for (i, col) in cols.iter().enumerate() {
                let t = match (row, col) {
                    (Some(r), Some(c)) if max > 0.0 => (p[r * n + c].max(0.0) / max).sqrt(),
                    _ => 0.0,
                };
                let o = 4 * (j * w + i);
                self.shade[o..o + 4].copy_from_slice(&[
                    lerp(pal.background[0], pal.density[0], t),
                    lerp(pal.background[1], pal.density[1], t),
                    lerp(pal.background[2], pal.density[2], t),
                    255,
                ]);
            }
        }
    }

    fn curves(&self) -> [Vec<(f64, f64)>; 4] {
        let col = |k: usize| self.history.iter().map(|h| (h[0], h[k])).collect();
        [col(1), col(4), col(2), col(3)]
    }

    fn series<'a>(c: &'a [Vec<(f64, f64)>; 4], dark: bool, legend: bool) -> [Series<'a>; 4] {
        let pal = palette(dark);
        let theme = ChartTheme::for_theme(dark);
        let l = |s: &'a str| if legend { s } else { "" };
        [
            Series {
                label: l("KL floor (i.i.d.)"),
                color: theme.reference,
                points: &c[3],
                width: 1.5,
            },
            Series {
                label: l("L1 particles–grid"),
                color: pal[0],
                points: &c[0],
                width: 2.0,
            },
            Series {
                label: l("KL particles‖grid"),
                color: pal[1],
                points: &c[2],
                width: 2.0,
            },
            Series {
                label: l("L1 grid–exact"),
                color: pal[2],
                points: &c[1],
                width: 2.0,
            },
        ]
    }

    /// The distances against t (log y).
    #[wasm_bindgen(js_name = drawHistory)]
    pub fn draw_history(
        &self,
        canvas: &HtmlCanvasElement,
        dpr: f64,
        dark: bool,
    ) -> Result<(), JsError> {
        let root = CanvasBackend::with_canvas_object(canvas.clone())
            .ok_or_else(|| JsError::new("plotters could not use the canvas"))?
            .into_drawing_area();
        let c = self.curves();
        let s = Self::series(&c, dark, false);
        let theme = ChartTheme::for_theme(dark);
        draw_multi_chart_at(
            &root,
            &s,
            "t",
            "distance",
            true,
            dpr_ok(dpr),
            &theme,
            SeriesLabelPosition::UpperRight,
        )
        .map_err(|e| JsError::new(&e))?;
        root.present()
            .map_err(|e| JsError::new(&format!("{e:?}")))?;
        Ok(())
    }

    /// The distance chart as SVG.
    #[wasm_bindgen(js_name = historySvg)]
    pub fn history_svg(&self, width: u32, height: u32, dark: bool) -> Result<String, JsError> {
        let c = self.curves();
        let s = Self::series(&c, dark, true);
        multi_chart_svg_at(
            &s,
            "t",
            "distance",
            true,
            (width.clamp(100, 4000), height.clamp(80, 4000)),
            dark,
            SeriesLabelPosition::UpperRight,
        )
        .map_err(|e| JsError::new(&e))
    }
}
