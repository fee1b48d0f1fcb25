//! `EnergyWidget`: the handle behind the energy-landscape widget (`<sb-energy>`).
//!
//! It owns a mixture-of-wells energy and a temperature, caches the quadrature of Z_T (recomputed
//! after every change), the curse-of-dimensionality measurement (recomputed on demand), a cloud
//! of Langevin particles on p_T and the picture. JS moves wells (pointer or sliders), calls
//! `step(k)` per frame while playing, `draw`, and reads small values.

use super::draw::{blit_with_axes, layout};
use crate::chart::ChartTheme;
use crate::ebm::charts::{draw_linear_chart, linear_chart_svg};
use crate::ebm::curse::{curse_of_dimensionality, CurseReport};
use crate::ebm::histogram::BoltzmannHistogram;
use crate::ebm::partition::{boltzmann_quadrature, BoltzmannQuadrature};
use crate::ebm::picture::{EbmPalette, Picture, Shading};
use crate::ebm::sampler::{fill_normal, WellsLangevin};
use crate::ebm::wells::{check_temperature, Well, Wells};
use crate::error::{check_range, Error};
use crate::rng::{sim_rng_stream, StepKey};
use crate::viewport::Viewport;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

/// The data box shown: [−6, 6]².
const VIEW: [f64; 4] = [-6.0, 6.0, -6.0, 6.0];
/// Histogram cells per side for the TV readout.
const TV_BINS: usize = 24;
/// Langevin step size of the particles.
const STEP_SIZE: f64 = 0.01;
/// Most particles.
const MAX_PARTICLES: usize = 20_000;

fn clamp_dpr(dpr: f64) -> f64 {
    if dpr.is_finite() && dpr > 0.0 {
        dpr.clamp(0.5, 4.0)
    } else {
        1.0
    }
}

fn check_particles(n: f64) -> Result<usize, Error> {
    if n.is_finite() && n.fract() == 0.0 && (0.0..=MAX_PARTICLES as f64).contains(&n) {
        Ok(n as usize)
    } else {
        Err(Error::invalid(
            "particles",
            format!("an integer in [0, {MAX_PARTICLES}]"),
            n,
        ))
    }
}

/// A 2-D energy landscape with its Boltzmann density, partition function and particles.
#[wasm_bindgen]
pub struct EnergyWidget {
    wells: Wells,
    temperature: f64,
    selected: usize,
    energy_view: bool,
    quad: Option<BoltzmannQuadrature>,
    hist: Option<BoltzmannHistogram>,
    curse: Option<CurseReport>,
    tolerance: f64,
    sampler: WellsLangevin,
    xs: Vec<f32>,
    ys: Vec<f32>,
    seed: u32,
    picture: Picture,
    /// Bumped by every change of the energy, temperature or view: the shaded base is redrawn.
    version: u64,
    /// (width, height, dark, version, data box) the picture's base was shaded for.
    picture_key: Option<(usize, usize, bool, u64, [u64; 4])>,
}

impl EnergyWidget {
    fn changed(&mut self) -> Result<(), Error> {
        self.version += 1;
        self.quad = None;
        self.hist = None;
        self.curse = None;
        self.sampler.set_energy(&self.wells, self.temperature)
    }

    fn quad(&mut self) -> Result<&BoltzmannQuadrature, Error> {
        if self.quad.is_none() {
            self.quad = Some(boltzmann_quadrature(&self.wells, self.temperature)?);
        }
        Ok(self.quad.as_ref().unwrap())
    }

    fn restart_particles(&mut self, n: usize, seed: u32) -> Result<(), Error> {
        self.xs.resize(n, 0.0);
        self.ys.resize(n, 0.0);
        let key = StepKey::draw(&mut sim_rng_stream(seed as u64, 6));
        // broad noise N(0, 3²I): the particles find the wells by themselves
        fill_normal(&mut self.xs, &mut self.ys, [0.0, 0.0], 3.0, key);
        self.sampler = WellsLangevin::new(&self.wells, self.temperature, STEP_SIZE, seed as u64)?;
        self.seed = seed;
        Ok(())
    }
}

#[wasm_bindgen]
impl EnergyWidget {
    /// An energy from `wells` = [x₀, y₀, depth₀, width₀, …] (1 to 16 wells; |x|, |y| ≤ 1000,
    /// depth in [−100, 100], width in (0, 100]) at temperature `temperature` ∈ [0.01, 100], with
    /// `particles` ∈ [0, 20000] Langevin particles seeded by `seed`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        wells: &[f64],
        temperature: f64,
        particles: f64,
        seed: u32,
    ) -> Result<EnergyWidget, JsError> {
        let w = Wells::from_flat(wells)?;
        let t = check_temperature(temperature)?;
        let n = check_particles(particles)?;
        let sampler = WellsLangevin::new(&w, t, STEP_SIZE, seed as u64)?;
        let mut e = EnergyWidget {
            wells: w,
            temperature: t,
            selected: 0,
            energy_view: false,
            quad: None,
            hist: None,
            curse: None,
            tolerance: 1e-2,
            sampler,
            xs: vec![],
            ys: vec![],
            seed,
            picture: Picture::default(),
            version: 0,
            picture_key: None,
        };
        e.restart_particles(n, seed)?;
        Ok(e)
    }

    /// Restarts the particles from N(0, 9I) with `seed`.
    pub fn reset(&mut self, seed: u32) -> Result<(), JsError> {
        Ok(self.restart_particles(self.xs.len(), seed)?)
    }

    /// Changes the number of particles (∈ [0, 20000]) and restarts them.
    #[wasm_bindgen(js_name = setParticles)]
    pub fn set_particles(&mut self, particles: f64) -> Result<(), JsError> {
        let n = check_particles(particles)?;
        Ok(self.restart_particles(n, self.seed)?)
    }

    /// Number of particles.
    #[wasm_bindgen(getter)]
    pub fn particles(&self) -> usize {
        self.xs.len()
    }

    /// Runs `k` ∈ [0, 10000] Langevin steps of the particles (ε = 0.01). Throws on divergence.
    pub fn step(&mut self, k: u32) -> Result<(), JsError> {
        if k > 10_000 {
            return Err(Error::invalid("k", "an integer in [0, 10000]", k).into());
        }
        for _ in 0..k {
            self.sampler.step(&mut self.xs, &mut self.ys)?;
        }
        Ok(())
    }

    /// Langevin steps since the last restart of the particles.
    #[wasm_bindgen(getter)]
    pub fn steps(&self) -> f64 {
        self.sampler.steps() as f64
    }

    /// The wells as [x₀, y₀, depth₀, width₀, …].
    pub fn wells(&self) -> Vec<f64> {
        self.wells.flat()
    }

    /// Number of wells.
    #[wasm_bindgen(getter)]
    pub fn count(&self) -> usize {
        self.wells.len()
    }

    /// Sets well `k` (validated like the constructor).
    #[wasm_bindgen(js_name = setWell)]
    pub fn set_well(
        &mut self,
        k: usize,
        x: f64,
        y: f64,
        depth: f64,
        width: f64,
    ) -> Result<(), JsError> {
        let w = Well::new([x, y], depth, width)?;
        self.wells.set_well(k, w)?;
        Ok(self.changed()?)
    }

    /// Adds a well of depth 0 and width 0.8 at (x, y) and selects it (at most 16 wells).
    #[wasm_bindgen(js_name = addWell)]
    pub fn add_well(&mut self, x: f64, y: f64) -> Result<usize, JsError> {
        self.wells.push(Well::new([x, y], 0.0, 0.8)?)?;
        self.selected = self.wells.len() - 1;
        self.changed()?;
        Ok(self.selected)
    }

    /// Removes well `k` (one must remain); the selection moves to a remaining well.
    #[wasm_bindgen(js_name = removeWell)]
    pub fn remove_well(&mut self, k: usize) -> Result<(), JsError> {
        self.wells.remove(k)?;
        self.selected = self.selected.min(self.wells.len() - 1);
        Ok(self.changed()?)
    }

    /// Replaces all wells (flat array, as in the constructor).
    #[wasm_bindgen(js_name = setWells)]
    pub fn set_wells(&mut self, wells: &[f64]) -> Result<(), JsError> {
        self.wells = Wells::from_flat(wells)?;
        self.selected = self.selected.min(self.wells.len() - 1);
        Ok(self.changed()?)
    }

    /// Selects well `k` (highlighted in the picture).
    pub fn select(&mut self, k: usize) -> Result<(), JsError> {
        if k >= self.wells.len() {
            return Err(Error::invalid(
                "well",
                format!("an index in [0, {}]", self.wells.len() - 1),
                k,
            )
            .into());
        }
        self.selected = k;
        Ok(())
    }

    /// The selected well.
    #[wasm_bindgen(getter)]
    pub fn selected(&self) -> usize {
        self.selected
    }

    /// Sets T ∈ [0.01, 100].
    #[wasm_bindgen(js_name = setTemperature)]
    pub fn set_temperature(&mut self, t: f64) -> Result<(), JsError> {
        self.temperature = check_temperature(t)?;
        Ok(self.changed()?)
    }

    /// T.
    #[wasm_bindgen(getter)]
    pub fn temperature(&self) -> f64 {
        self.temperature
    }

    /// Shows the energy with contours (`energy`) or the Boltzmann density (`density`).
    #[wasm_bindgen(js_name = setView)]
    pub fn set_view(&mut self, view: &str) -> Result<(), JsError> {
        self.energy_view = match view {
            "energy" => true,
            "density" => false,
            other => {
                return Err(
                    Error::invalid("view", "density or energy", format!("{other:?}")).into(),
                )
            }
        };
        self.version += 1;
        Ok(())
    }

    /// log Z_T by adaptive quadrature.
    #[wasm_bindgen(js_name = logZ)]
    pub fn log_z(&mut self) -> Result<f64, JsError> {
        Ok(self.quad()?.log_z)
    }

    /// The error bar |log Z_h − log Z_2h| of `logZ`.
    #[wasm_bindgen(js_name = logZError)]
    pub fn log_z_error(&mut self) -> Result<f64, JsError> {
        Ok(self.quad()?.error)
    }

    /// Energy evaluations of the quadrature.
    #[wasm_bindgen(js_name = quadratureNodes)]
    pub fn quadrature_nodes(&mut self) -> Result<usize, JsError> {
        Ok(self.quad()?.nodes)
    }

    /// log Z_T in closed form when one exists (T = 1, or a single well), else `undefined`.
    #[wasm_bindgen(js_name = logZExact)]
    pub fn log_z_exact(&self) -> Option<f64> {
        self.wells.log_z_closed_form(self.temperature)
    }

    /// Basin masses ∫_{Bₖ} p_T (Bₖ: where well k has the largest logit), one per well.
    pub fn basins(&mut self) -> Result<Vec<f64>, JsError> {
        Ok(self.quad()?.basins.clone())
    }

    /// Shares ∫ p_T rₖ of the wells.
    pub fn shares(&mut self) -> Result<Vec<f64>, JsError> {
        Ok(self.quad()?.shares.clone())
    }

    /// Exact shares e^{aₖ}2πwₖ²/Z₁ at T = 1 (`undefined` at other temperatures).
    #[wasm_bindgen(js_name = sharesExact)]
    pub fn shares_exact(&self) -> Option<Vec<f64>> {
        (self.temperature == 1.0).then(|| self.wells.shares_unit_temperature())
    }

    /// E(x, y).
    pub fn energy(&self, x: f64, y: f64) -> f64 {
        self.wells.energy([x, y])
    }

    /// TV between the particle histogram (24 × 24 cells over [−6, 6]² + outside) and p_T.
    pub fn tv(&mut self) -> Result<f64, JsError> {
        if self.hist.is_none() {
            let lz = self.quad()?.log_z;
            self.hist = Some(BoltzmannHistogram::new(
                &self.wells,
                self.temperature,
                lz,
                VIEW,
                TV_BINS,
            ));
        }
        Ok(self.hist.as_mut().unwrap().tv(&self.xs, &self.ys))
    }

    /// ≈ expected TV of exact samples of the same size (the readout's noise level).
    #[wasm_bindgen(js_name = tvNoise)]
    pub fn tv_noise(&mut self) -> Result<f64, JsError> {
        self.tv()?;
        Ok(self.hist.as_ref().unwrap().noise_level(self.xs.len()))
    }

    /// Sets the target accuracy ε ∈ [1e-8, 0.5] of the curse-of-dimensionality chart.
    #[wasm_bindgen(js_name = setTolerance)]
    pub fn set_tolerance(&mut self, tol: f64) -> Result<(), JsError> {
        self.tolerance = check_range("tolerance", tol, 1e-8, 0.5, false)?;
        self.curse = None;
        Ok(())
    }

    fn curse_report(&mut self) -> Result<&CurseReport, Error> {
        if self.curse.is_none() {
            self.curse = Some(curse_of_dimensionality(
                &self.wells,
                self.temperature,
                self.tolerance,
            )?);
        }
        Ok(self.curse.as_ref().unwrap())
    }

    /// [d, n_d] pairs for d = 2, 4, …, 100 (n_d = grid points per axis needed for relative
    /// accuracy ε; −1 when the measured ladder did not reach ε).
    #[wasm_bindgen(js_name = curseNeeded)]
    pub fn curse_needed(&mut self) -> Result<Vec<f64>, JsError> {
        Ok(self
            .curse_report()?
            .needed
            .iter()
            .flat_map(|&(d, n)| [d as f64, n.map(|n| n as f64).unwrap_or(-1.0)])
            .collect())
    }

    /// [n, δ(n)] pairs: the measured relative error of the n-point-per-axis midpoint grid in 2D.
    #[wasm_bindgen(js_name = curseErrors)]
    pub fn curse_errors(&mut self) -> Result<Vec<f64>, JsError> {
        Ok(self
            .curse_report()?
            .errors
            .iter()
            .flat_map(|&(n, e)| [n as f64, e])
            .collect())
    }

    /// Draws log₁₀(grid evaluations n_d^d) against d.
    #[wasm_bindgen(js_name = drawCurse)]
    pub fn draw_curse(
        &mut self,
        canvas: &HtmlCanvasElement,
        dpr: f64,
        dark: bool,
    ) -> Result<(), JsError> {
        let dpr = clamp_dpr(dpr);
        let series = self.curse_report()?.log10_counts();
        let root = CanvasBackend::with_canvas_object(canvas.clone())
            .ok_or_else(|| JsError::new("plotters could not use the canvas"))?
            .into_drawing_area();
        draw_linear_chart(
            &root,
            &series,
            Some(80.0),
            0.0,
            "dimension d",
            "log10 evaluations",
            dpr,
            &ChartTheme::for_theme(dark),
        )
        .map_err(|e| JsError::new(&e))?;
        root.present()
            .map_err(|e| JsError::new(&format!("{e:?}")))?;
        Ok(())
    }

    /// The curse chart as SVG (`width` × `height` CSS px in [100, 4000] × [60, 4000]).
    #[wasm_bindgen(js_name = curseSvg)]
    pub fn curse_svg(&mut self, width: u32, height: u32, dark: bool) -> Result<String, JsError> {
        if !(100..=4000).contains(&width) || !(60..=4000).contains(&height) {
            return Err(Error::invalid(
                "width, height",
                "pixels in [100, 4000] × [60, 4000]",
                format!("{width} × {height}"),
            )
            .into());
        }
        let series = self.curse_report()?.log10_counts();
        linear_chart_svg(
            &series,
            Some(80.0),
            0.0,
            "dimension d",
            "log10 evaluations",
            width,
            height,
            dark,
        )
        .map_err(|e| JsError::new(&e))
    }

    /// Draws the density (or energy) picture, the particles and the wells (the selected one
    /// filled) with axes on `canvas` (device pixels).
    pub fn draw(
        &mut self,
        canvas: &HtmlCanvasElement,
        dpr: f64,
        dark: bool,
    ) -> Result<(), JsError> {
        let dpr = clamp_dpr(dpr);
        let (rect, view) = layout(canvas, VIEW, dpr);
        let vp = Viewport {
            data: view,
            width: rect.width as usize,
            height: rect.height as usize,
        };
        let pal = EbmPalette::for_theme(dark);
        let t = self.temperature;
        let wells = &self.wells;
        // the shading changes only with the energy, view, size or theme; frames of a running
        // sampler reuse it and redraw only particles and markers
        let key = (
            vp.width,
            vp.height,
            dark,
            self.version,
            view.map(f64::to_bits),
        );
        if self.picture_key != Some(key) || !self.picture.restore_base() {
            if self.energy_view {
                self.picture
                    .shade(&vp, |x| wells.energy(x), Shading::Energy, &pal);
            } else {
                self.picture
                    .shade(&vp, |x| -wells.energy(x) / t, Shading::LogDensity, &pal);
            }
            self.picture.save_base();
            self.picture_key = Some(key);
        }
        let size = (1.5 * dpr).round().max(1.0) as usize;
        self.picture
            .dots(&vp, &self.xs, &self.ys, size, pal.negative);
        for (k, w) in self.wells.wells().iter().enumerate() {
            let sel = k == self.selected;
            self.picture.ring(
                &vp,
                w.centre,
                7.0 * dpr,
                if sel { 3.0 } else { 1.6 } * dpr,
                pal.marker,
                false,
            );
            if sel {
                self.picture
                    .ring(&vp, w.centre, 2.5 * dpr, 1.0, pal.marker, true);
            }
        }
        blit_with_axes(canvas, self.picture.rgba(), rect, view, dpr, dark)
    }

    /// The data point under canvas pixel (`px`, `py`) of a `width` × `height` canvas at `dpr`.
    #[wasm_bindgen(js_name = pixelToData)]
    pub fn pixel_to_data(&self, px: f64, py: f64, width: u32, height: u32, dpr: f64) -> Vec<f64> {
        let (rect, view) = crate::chart::square_layout(width, height, clamp_dpr(dpr), VIEW);
        crate::chart::pixel_to_data(rect, view, px, py).to_vec()
    }

    /// The well whose centre is within `radius` canvas pixels of (`px`, `py`) (the nearest), or
    /// −1.
    #[wasm_bindgen(js_name = wellAt)]
    pub fn well_at(&self, px: f64, py: f64, width: u32, height: u32, dpr: f64, radius: f64) -> i32 {
        let (rect, view) = crate::chart::square_layout(width, height, clamp_dpr(dpr), VIEW);
        let vp = Viewport {
            data: view,
            width: rect.width as usize,
            height: rect.height as usize,
        };
        let mut best = (-1, radius);
        for (k, w) in self.wells.wells().iter().enumerate() {
            let (x, y) = vp.to_pixel(w.centre[0], w.centre[1]);
            let d = (x + rect.left as f64 - px).hypot(y + rect.top as f64 - py);
            if d <= best.1 {
                best = (k as i32, d);
            }
        }
        best.0
    }

    /// The particles as [x₀, y₀, x₁, y₁, …] (a copy, for export).
    #[wasm_bindgen(js_name = particlePositions)]
    pub fn particle_positions(&self) -> Vec<f32> {
        self.xs
            .iter()
            .zip(&self.ys)
            .flat_map(|(x, y)| [*x, *y])
            .collect()
    }
}
