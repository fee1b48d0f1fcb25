//! `LangevinWidget`: the handle behind the Langevin widget (`<sb-langevin>`).
//!
//! It owns the target, the particle cloud (f32 SoA, read by JS through views over wasm memory),
//! the ULA sampler, the histogram-KL readout and the raster. JS calls `step(k)` per animation
//! frame, then `draw`, and reads small values.

use super::draw::{blit_with_axes, history_chart, layout};
use super::target::MixtureTarget;
use crate::error::Error;
use crate::histogram_kl::HistogramKl;
use crate::kernel::KernelPath;
use crate::langevin::{gaussian_stationary_variance, Langevin};
use crate::mixture::GaussianMixture;
use crate::particles::{check_count, Particles};
use crate::raster::{Palette, Raster};
use crate::stats::moments;
use crate::viewport::Viewport;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

/// Standard deviation of the initial cloud N(0, 3²I) (the start of benchmark W1).
const START_SD: f32 = 3.0;
/// Cells per side of the histogram-KL grid.
const KL_BINS: usize = 32;
/// History points kept for the KL chart (older points are thinned 2:1).
const HISTORY_MAX: usize = 600;

/// Langevin dynamics on a 2-D Gaussian mixture, with readouts and drawing.
#[wasm_bindgen]
pub struct LangevinWidget {
    target: GaussianMixture,
    target_name: String,
    sampler: Langevin,
    particles: Particles,
    seed: u32,
    hist: HistogramKl,
    raster: Raster,
    /// (width, height, dark, data box) the raster's density base was drawn for.
    raster_key: Option<(usize, usize, bool, [u64; 4])>,
    history: Vec<(f64, f64)>,
    kl_last: f64,
}

fn build(
    target: &GaussianMixture,
    n: usize,
    step_size: f64,
    seed: u32,
) -> Result<(Langevin, Particles), Error> {
    let sampler = Langevin::new(target, step_size, seed as u64)?;
    let particles = Particles::normal(n, [0.0, 0.0], START_SD, seed as u64);
    Ok((sampler, particles))
}

#[wasm_bindgen]
impl LangevinWidget {
    /// A widget for `target` with `particles` ∈ [1, 1 000 000] particles, step size
    /// `step_size` ∈ (0, 10] and a `seed` (u32).
    #[wasm_bindgen(constructor)]
    pub fn new(
        target: &MixtureTarget,
        particles: f64,
        step_size: f64,
        seed: u32,
    ) -> Result<LangevinWidget, JsError> {
        let n = check_count(particles)?;
        let (sampler, particles) = build(&target.inner, n, step_size, seed)?;
        let hist = HistogramKl::new(&target.inner, target.inner.view_box(), KL_BINS);
        Ok(LangevinWidget {
            target: target.inner.clone(),
            target_name: target.name.clone(),
            sampler,
            particles,
            seed,
            hist,
            raster: Raster::default(),
            raster_key: None,
            history: vec![],
            kl_last: f64::NAN,
        })
    }

    /// Restarts from N(0, 9I) with `seed`, keeping target, size and step size.
    pub fn reset(&mut self, seed: u32) -> Result<(), JsError> {
        let (s, p) = build(
            &self.target,
            self.particles.len(),
            self.sampler.step_size(),
            seed,
        )?;
        let path = self.sampler.path();
        self.sampler = s;
        self.sampler.set_path(path);
        self.particles = p;
        self.seed = seed;
        self.history.clear();
        self.kl_last = f64::NAN;
        Ok(())
    }

    /// Replaces the target and restarts.
    #[wasm_bindgen(js_name = setTarget)]
    pub fn set_target(&mut self, target: &MixtureTarget) -> Result<(), JsError> {
        self.target = target.inner.clone();
        self.target_name = target.name.clone();
        self.hist = HistogramKl::new(&self.target, self.target.view_box(), KL_BINS);
        self.raster_key = None;
        self.reset(self.seed)
    }

    /// Changes the number of particles (∈ [1, 1 000 000]) and restarts.
    #[wasm_bindgen(js_name = setParticles)]
    pub fn set_particles(&mut self, particles: f64) -> Result<(), JsError> {
        let n = check_count(particles)?;
        self.particles = Particles::normal(n, [0.0, 0.0], START_SD, self.seed as u64);
        self.reset(self.seed)
    }

    /// Changes ε ∈ (0, 10]; the run continues.
    #[wasm_bindgen(js_name = setStepSize)]
    pub fn set_step_size(&mut self, step_size: f64) -> Result<(), JsError> {
        Ok(self.sampler.set_step_size(step_size)?)
    }

    /// Uses the explicit simd128 kernel (`true`, when compiled in) or the scalar one. Both give
    /// bit-identical particles.
    #[wasm_bindgen(js_name = setSimd)]
    pub fn set_simd(&mut self, on: bool) {
        self.sampler.set_path(if on {
            KernelPath::best()
        } else {
            KernelPath::Scalar
        });
    }

    /// The kernel in use: `simd128` or `scalar`.
    #[wasm_bindgen(getter)]
    pub fn kernel(&self) -> String {
        self.sampler.path().name().into()
    }

    /// Runs `k` steps (k ≤ 100 000). Throws when the sampler diverges; the particles are then
    /// left as they were at detection, and the widget must be reset.
    pub fn step(&mut self, k: u32) -> Result<(), JsError> {
        if k > 100_000 {
            return Err(Error::invalid("k", "an integer in [0, 100000]", k).into());
        }
        for _ in 0..k {
            self.sampler.step(&mut self.particles)?;
        }
        Ok(())
    }

    /// The divergence message, or `undefined` while the run is healthy.
    #[wasm_bindgen(getter)]
    pub fn divergence(&self) -> Option<String> {
        self.sampler.diverged().map(|e| e.to_string())
    }

    /// Steps completed since the last reset.
    #[wasm_bindgen(getter)]
    pub fn steps(&self) -> f64 {
        self.sampler.steps() as f64
    }

    /// The seed of the current run.
    #[wasm_bindgen(getter)]
    pub fn seed(&self) -> u32 {
        self.seed
    }

    /// ε.
    #[wasm_bindgen(getter, js_name = stepSize)]
    pub fn step_size(&self) -> f64 {
        self.sampler.step_size()
    }

    /// Number of particles.
    #[wasm_bindgen(getter)]
    pub fn len(&self) -> usize {
        self.particles.len()
    }

    /// Always false (there is at least one particle).
    #[wasm_bindgen(js_name = isEmpty)]
    pub fn is_empty(&self) -> bool {
        self.particles.is_empty()
    }

    /// Byte offset of the x coordinates in wasm memory (`new Float32Array(memory.buffer, ptr,
    /// len)`); re-create views after any call that may reallocate (reset, setParticles).
    #[wasm_bindgen(js_name = xsPtr)]
    pub fn xs_ptr(&self) -> *const f32 {
        self.particles.xs.as_ptr()
    }

    /// Byte offset of the y coordinates in wasm memory.
    #[wasm_bindgen(js_name = ysPtr)]
    pub fn ys_ptr(&self) -> *const f32 {
        self.particles.ys.as_ptr()
    }

    /// [mean x, mean y, cov xx, cov xy, cov yy, E‖x‖²] of the cloud.
    pub fn moments(&self) -> Vec<f64> {
        let m = moments(&self.particles);
        vec![
            m.mean[0],
            m.mean[1],
            m.cov[0],
            m.cov[1],
            m.cov[2],
            m.mean_sq_radius,
        ]
    }

    /// [mean x, mean y, cov xx, cov xy, cov yy] of the exact target.
    #[wasm_bindgen(js_name = targetMoments)]
    pub fn target_moments(&self) -> Vec<f64> {
        let (m, c) = (self.target.mean(), self.target.covariance());
        vec![m[0], m[1], c[0], c[1], c[2]]
    }

    /// Plug-in KL(p̂‖p) in nats between the particle histogram on a 32×32 grid (+1 outside
    /// cell) and the exact cell probabilities; also appends it to the history.
    pub fn kl(&mut self) -> f64 {
        let v = self.hist.kl(&self.particles);
        self.kl_last = v;
        if self.history.last().map(|h| h.0) != Some(self.steps()) {
            self.history.push((self.steps(), v));
            if self.history.len() > HISTORY_MAX {
                let thinned: Vec<_> = self.history.iter().step_by(2).copied().collect();
                self.history = thinned;
            }
        }
        v
    }

    /// E[KL(p̂‖p)] for exact i.i.d. samples of the same size: the estimator's floor.
    #[wasm_bindgen(js_name = klFloor)]
    pub fn kl_floor(&self) -> f64 {
        self.hist.floor(self.particles.len())
    }

    /// Number of histogram cells B.
    #[wasm_bindgen(js_name = klCells)]
    pub fn kl_cells(&self) -> usize {
        self.hist.cells()
    }

    /// For a single isotropic Gaussian target N(μ, s²I): s².
    #[wasm_bindgen(js_name = targetVariance)]
    pub fn target_variance(&self) -> Option<f64> {
        self.target.as_isotropic_gaussian().map(|g| g.1)
    }

    /// For a single isotropic Gaussian target: the exact stationary variance s²/(1 − ε/(4s²)) of
    /// this discretisation (`undefined` when ε ≥ 4s², where the chain is unstable, or for other
    /// targets).
    #[wasm_bindgen(js_name = exactStationaryVariance)]
    pub fn exact_stationary_variance(&self) -> Option<f64> {
        let (_, s2) = self.target.as_isotropic_gaussian()?;
        gaussian_stationary_variance(s2, self.sampler.step_size())
    }

    /// 4 × the smallest component variance: the stability limit of ε for a Gaussian, and a guide
    /// for mixtures.
    #[wasm_bindgen(js_name = stabilityLimit)]
    pub fn stability_limit(&self) -> f64 {
        self.target
            .components()
            .iter()
            .map(|c| {
                let s = c.cov();
                // smallest eigenvalue of the 2×2 covariance
                let (tr, det) = (s[0] + s[2], s[0] * s[2] - s[1] * s[1]);
                4.0 * (tr / 2.0 - ((tr * tr / 4.0) - det).max(0.0).sqrt())
            })
            .fold(f64::INFINITY, f64::min)
    }

    /// FNV-1a checksum of every coordinate's bits, as 16 hex digits.
    pub fn checksum(&self) -> String {
        format!("{:016x}", self.particles.checksum())
    }

    /// The current target (a copy), e.g. to encode a drawn target in a link.
    #[wasm_bindgen(js_name = targetCopy)]
    pub fn target_copy(&self) -> MixtureTarget {
        MixtureTarget {
            inner: self.target.clone(),
            name: self.target_name.clone(),
        }
    }

    /// The target's name (`ring8`, …, or `custom`).
    #[wasm_bindgen(getter, js_name = targetName)]
    pub fn target_name(&self) -> String {
        self.target_name.clone()
    }

    /// Draws the density heatmap, the cloud and the axes on `canvas` (sized in device pixels).
    pub fn draw(
        &mut self,
        canvas: &HtmlCanvasElement,
        dpr: f64,
        dark: bool,
    ) -> Result<(), JsError> {
        let dpr = if dpr.is_finite() && dpr > 0.0 {
            dpr.clamp(0.5, 4.0)
        } else {
            1.0
        };
        let (rect, view) = layout(canvas, self.target.view_box(), dpr);
        let vp = Viewport {
            data: view,
            width: rect.width as usize,
            height: rect.height as usize,
        };
        let pal = Palette::for_theme(dark);
        let key = (vp.width, vp.height, dark, view.map(f64::to_bits));
        if self.raster_key != Some(key) {
            self.raster.render_density(&self.target, &vp, &pal);
            self.raster_key = Some(key);
        }
        let n = self.particles.len();
        let base = if n <= 5_000 {
            3.0
        } else if n <= 100_000 {
            2.0
        } else {
            1.0
        };
        let point = (base * dpr).round().clamp(1.0, 4.0) as usize;
        self.raster.compose(&self.particles, &vp, &pal, point);
        blit_with_axes(canvas, self.raster.frame(), rect, view, dpr, dark)
    }

    /// The data point (x, y) under canvas pixel (`px`, `py`) of a `width` × `height` canvas drawn
    /// at `dpr` (for drawing targets with the pointer).
    #[wasm_bindgen(js_name = pixelToData)]
    pub fn pixel_to_data(&self, px: f64, py: f64, width: u32, height: u32, dpr: f64) -> Vec<f64> {
        let dpr = if dpr.is_finite() && dpr > 0.0 {
            dpr.clamp(0.5, 4.0)
        } else {
            1.0
        };
        let (rect, view) = crate::chart::square_layout(width, height, dpr, self.target.view_box());
        crate::chart::pixel_to_data(rect, view, px, py).to_vec()
    }

    /// Draws the history of the KL readout (log scale) with the exact-sample floor.
    #[wasm_bindgen(js_name = drawHistory)]
    pub fn draw_history(
        &self,
        canvas: &HtmlCanvasElement,
        dpr: f64,
        dark: bool,
    ) -> Result<(), JsError> {
        let dpr = if dpr.is_finite() && dpr > 0.0 {
            dpr.clamp(0.5, 4.0)
        } else {
            1.0
        };
        history_chart(
            canvas,
            &self.history,
            Some(self.kl_floor()),
            "step",
            "KL (nats)",
            dpr,
            dark,
        )
    }

    /// The KL history chart as an SVG document (for export).
    #[wasm_bindgen(js_name = historySvg)]
    pub fn history_svg(&self, width: u32, height: u32, dark: bool) -> Result<String, JsError> {
        if !(100..=4000).contains(&width) || !(60..=4000).contains(&height) {
            return Err(Error::invalid(
                "width, height",
                "pixels in [100, 4000] × [60, 4000]",
                format!("{width} × {height}"),
            )
            .into());
        }
        crate::chart::line_chart_svg(
            &self.history,
            Some(self.kl_floor()),
            "step",
            "KL (nats)",
            width,
            height,
            dark,
        )
        .map_err(|e| JsError::new(&e))
    }

    /// The KL history as a flat array [step₀, kl₀, step₁, kl₁, …] (for export).
    #[wasm_bindgen(js_name = klHistory)]
    pub fn kl_history(&self) -> Vec<f64> {
        self.history.iter().flat_map(|&(s, k)| [s, k]).collect()
    }
}
