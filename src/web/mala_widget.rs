//! `MalaWidget`: the handle behind `<sb-mala>` (ULA beside MALA).
//!
//! Two clouds start from the same draw of N(0, 9I) and receive the same proposal noise (same
//! seed): one runs ULA, the other MALA, with the same ε. A ULA run past its stability limit stops
//! alone and reports its divergence while MALA carries on. JS calls `step(k)` per frame, then
//! `draw` for each canvas and `drawHistory`, and reads small values.

use super::draw::{blit_with_axes, layout};
use crate::chart::ChartTheme;
use crate::chart_multi::{draw_multi_chart, multi_chart_svg, palette, Series};
use crate::error::Error;
use crate::kernel::KernelPath;
use crate::langevin::{gaussian_stationary_variance, Langevin};
use crate::mala::Mala;
use crate::mixture::GaussianMixture;
use crate::particles::{check_count, Particles};
use crate::presets::preset;
use crate::raster::{Palette, Raster};
use crate::stats::moments;
use crate::viewport::Viewport;
use plotters::prelude::IntoDrawingArea;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

/// Standard deviation of the initial cloud N(0, 3²I) (as `<sb-langevin>`).
const START_SD: f32 = 3.0;
/// History points kept (older points are thinned 2:1).
const HISTORY_MAX: usize = 600;

fn dpr_ok(dpr: f64) -> f64 {
    if dpr.is_finite() && dpr > 0.0 {
        dpr.clamp(0.5, 4.0)
    } else {
        1.0
    }
}

/// Mean variance per axis, (cov_xx + cov_yy)/2.
fn axis_variance(p: &Particles) -> f64 {
    let m = moments(p);
    0.5 * (m.cov[0] + m.cov[2])
}

/// (width, height, dark, data box) a raster's density base was drawn for.
type RasterKey = (usize, usize, bool, [u64; 4]);

/// ULA and MALA side by side on one target with one seed.
#[wasm_bindgen]
pub struct MalaWidget {
    target: GaussianMixture,
    target_name: String,
    ula: Langevin,
    ula_cloud: Particles,
    mala: Mala,
    mala_cloud: Particles,
    ula_error: Option<String>,
    seed: u32,
    /// (step, ULA variance per axis, MALA variance per axis)
    history: Vec<(f64, f64, f64)>,
    rasters: [Raster; 2],
    keys: [Option<RasterKey>; 2],
}

fn build(
    p: &GaussianMixture,
    n: usize,
    eps: f64,
    seed: u32,
) -> Result<(Langevin, Mala, Particles), Error> {
    let ula = Langevin::new(p, eps, seed as u64)?;
    let mala = Mala::new(p, eps, seed as u64)?;
    Ok((
        ula,
        mala,
        Particles::normal(n, [0.0, 0.0], START_SD, seed as u64),
    ))
}

#[wasm_bindgen]
impl MalaWidget {
    /// A widget for the preset `target` (`gaussian`, `two-modes`, `ring8`) with `particles` ∈
    /// [1, 1 000 000] per run, step size ε = `step_size` ∈ (0, 10] and a `seed`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        target: &str,
        particles: f64,
        step_size: f64,
        seed: u32,
    ) -> Result<MalaWidget, JsError> {
        let p = preset(target)?;
        let n = check_count(particles)?;
        let (ula, mala, cloud) = build(&p, n, step_size, seed)?;
        let mut w = MalaWidget {
            target: p,
            target_name: target.into(),
            ula,
            ula_cloud: cloud.clone(),
            mala,
            mala_cloud: cloud,
            ula_error: None,
            seed,
            history: vec![],
            rasters: [Raster::default(), Raster::default()],
            keys: [None, None],
        };
        w.record();
        Ok(w)
    }

    /// Restarts both runs from N(0, 9I) with `seed`, keeping target, size and ε.
    pub fn reset(&mut self, seed: u32) -> Result<(), JsError> {
        let path = self.mala.path();
        let (ula, mala, cloud) = build(
            &self.target,
            self.mala_cloud.len(),
            self.mala.step_size(),
            seed,
        )?;
        self.ula = ula;
        self.mala = mala;
        self.ula.set_path(path);
        self.mala.set_path(path);
        self.ula_cloud = cloud.clone();
        self.mala_cloud = cloud;
        self.ula_error = None;
        self.seed = seed;
        self.history.clear();
        self.record();
        Ok(())
    }

    /// Changes ε ∈ (0, 10] for both runs; they continue (a diverged ULA run needs a reset).
    #[wasm_bindgen(js_name = setStepSize)]
    pub fn set_step_size(&mut self, step_size: f64) -> Result<(), JsError> {
        crate::langevin::check_step_size(step_size)?;
        self.ula.set_step_size(step_size)?;
        self.mala.set_step_size(step_size)?;
        Ok(())
    }

    /// Replaces the target (a preset name) and restarts.
    #[wasm_bindgen(js_name = setTarget)]
    pub fn set_target(&mut self, target: &str) -> Result<(), JsError> {
        self.target = preset(target)?;
        self.target_name = target.into();
        self.keys = [None, None];
        self.reset(self.seed)
    }

    /// Changes the number of particles per run (∈ [1, 1 000 000]) and restarts.
    #[wasm_bindgen(js_name = setParticles)]
    pub fn set_particles(&mut self, particles: f64) -> Result<(), JsError> {
        let n = check_count(particles)?;
        self.mala_cloud = Particles::normal(n, [0.0, 0.0], START_SD, self.seed as u64);
        self.reset(self.seed)
    }

    /// Uses the simd128 kernels (when compiled in) or the scalar ones; both give identical clouds.
    #[wasm_bindgen(js_name = setSimd)]
    pub fn set_simd(&mut self, on: bool) {
        let p = if on {
            KernelPath::best()
        } else {
            KernelPath::Scalar
        };
        self.ula.set_path(p);
        self.mala.set_path(p);
    }

    /// The kernel in use: `simd128` or `scalar`.
    #[wasm_bindgen(getter)]
    pub fn kernel(&self) -> String {
        self.mala.path().name().into()
    }

    /// Runs `k` ≤ 100 000 steps of both runs. Throws if MALA diverges; a diverging ULA run stops
    /// alone and reports `ulaError`.
    pub fn step(&mut self, k: u32) -> Result<(), JsError> {
        if k > 100_000 {
            return Err(Error::invalid("k", "an integer in [0, 100000]", k).into());
        }
        for _ in 0..k {
            self.mala.step(&mut self.mala_cloud)?;
            if self.ula_error.is_none() {
                if let Err(e) = self.ula.step(&mut self.ula_cloud) {
                    self.ula_error = Some(e.to_string());
                }
            }
            let s = self.mala.steps();
            if s <= 50 || s % 10 == 0 {
                self.record();
            }
        }
        Ok(())
    }

    fn record(&mut self) {
        let s = self.mala.steps() as f64;
        if self.history.last().map(|h| h.0) == Some(s) {
            return;
        }
        let u = if self.ula_error.is_some() {
            f64::NAN
        } else {
            axis_variance(&self.ula_cloud)
        };
        self.history.push((s, u, axis_variance(&self.mala_cloud)));
        if self.history.len() > HISTORY_MAX {
            let thinned: Vec<_> = self.history.iter().step_by(2).copied().collect();
            self.history = thinned;
        }
    }

    /// [mean x, mean y, cov xx, cov xy, cov yy] of the ULA cloud (NaN after its divergence).
    #[wasm_bindgen(js_name = ulaMoments)]
    pub fn ula_moments(&self) -> Vec<f64> {
        if self.ula_error.is_some() {
            return vec![f64::NAN; 5];
        }
        let m = moments(&self.ula_cloud);
        vec![m.mean[0], m.mean[1], m.cov[0], m.cov[1], m.cov[2]]
    }

    /// [mean x, mean y, cov xx, cov xy, cov yy] of the MALA cloud.
    #[wasm_bindgen(js_name = malaMoments)]
    pub fn mala_moments(&self) -> Vec<f64> {
        let m = moments(&self.mala_cloud);
        vec![m.mean[0], m.mean[1], m.cov[0], m.cov[1], m.cov[2]]
    }

    /// [mean x, mean y, cov xx, cov xy, cov yy] of the exact target.
    #[wasm_bindgen(js_name = targetMoments)]
    pub fn target_moments(&self) -> Vec<f64> {
        let (m, c) = (self.target.mean(), self.target.covariance());
        vec![m[0], m[1], c[0], c[1], c[2]]
    }

    /// MALA's acceptance rate since the start or the last change of ε.
    #[wasm_bindgen(getter)]
    pub fn acceptance(&self) -> f64 {
        self.mala.acceptance_rate()
    }

    /// The acceptance rate of the last step.
    #[wasm_bindgen(getter, js_name = lastAcceptance)]
    pub fn last_acceptance(&self) -> f64 {
        self.mala.last_acceptance_rate()
    }

    /// For a single isotropic Gaussian N(μ, s²I): s² (`undefined` otherwise).
    #[wasm_bindgen(js_name = targetVariance)]
    pub fn target_variance(&self) -> Option<f64> {
        self.target.as_isotropic_gaussian().map(|g| g.1)
    }

    /// For a single isotropic Gaussian: ULA's exact stationary variance s²/(1 − ε/(4s²))
    /// (`undefined` when ε ≥ 4s² or for other targets). MALA's is s² for every ε.
    #[wasm_bindgen(js_name = ulaStationaryVariance)]
    pub fn ula_stationary_variance(&self) -> Option<f64> {
        let (_, s2) = self.target.as_isotropic_gaussian()?;
        gaussian_stationary_variance(s2, self.mala.step_size())
    }

    /// ULA's divergence message, or `undefined`.
    #[wasm_bindgen(getter, js_name = ulaError)]
    pub fn ula_error(&self) -> Option<String> {
        self.ula_error.clone()
    }

    /// MALA's divergence message, or `undefined`.
    #[wasm_bindgen(getter)]
    pub fn divergence(&self) -> Option<String> {
        self.mala.diverged().map(|e| e.to_string())
    }

    /// Steps completed since the last reset.
    #[wasm_bindgen(getter)]
    pub fn steps(&self) -> f64 {
        self.mala.steps() as f64
    }

    /// ε.
    #[wasm_bindgen(getter, js_name = stepSize)]
    pub fn step_size(&self) -> f64 {
        self.mala.step_size()
    }

    /// The seed of the current run.
    #[wasm_bindgen(getter)]
    pub fn seed(&self) -> u32 {
        self.seed
    }

    /// Particles per run.
    #[wasm_bindgen(getter)]
    pub fn len(&self) -> usize {
        self.mala_cloud.len()
    }

    /// Always false.
    #[wasm_bindgen(js_name = isEmpty)]
    pub fn is_empty(&self) -> bool {
        self.mala_cloud.is_empty()
    }

    /// The target's name.
    #[wasm_bindgen(getter, js_name = targetName)]
    pub fn target_name(&self) -> String {
        self.target_name.clone()
    }

    /// FNV-1a checksums of both clouds, "ula:mala" in hex.
    pub fn checksum(&self) -> String {
        format!(
            "{:016x}:{:016x}",
            self.ula_cloud.checksum(),
            self.mala_cloud.checksum()
        )
    }

    /// Byte offset of a cloud's x coordinates (`which` 0 = ULA, 1 = MALA).
    #[wasm_bindgen(js_name = xsPtr)]
    pub fn xs_ptr(&self, which: u32) -> *const f32 {
        if which == 0 {
            self.ula_cloud.xs.as_ptr()
        } else {
            self.mala_cloud.xs.as_ptr()
        }
    }

    /// Byte offset of a cloud's y coordinates.
    #[wasm_bindgen(js_name = ysPtr)]
    pub fn ys_ptr(&self, which: u32) -> *const f32 {
        if which == 0 {
            self.ula_cloud.ys.as_ptr()
        } else {
            self.mala_cloud.ys.as_ptr()
        }
    }

    /// Draws one run (`which` 0 = ULA, 1 = MALA) over the exact density. A diverged ULA cloud is
    /// not drawn (its positions are meaningless); the density alone remains.
    pub fn draw(
        &mut self,
        canvas: &HtmlCanvasElement,
        which: u32,
        dpr: f64,
        dark: bool,
    ) -> Result<(), JsError> {
        let dpr = dpr_ok(dpr);
        let w = (which != 0) as usize;
        let (rect, view) = layout(canvas, self.target.view_box(), dpr);
        let vp = Viewport {
            data: view,
            width: rect.width as usize,
            height: rect.height as usize,
        };
        let pal = Palette::for_theme(dark);
        let key = (vp.width, vp.height, dark, view.map(f64::to_bits));
        if self.keys[w] != Some(key) {
            self.rasters[w].render_density_coarse(&self.target, &vp, &pal, 4);
            self.keys[w] = Some(key);
        }
        let n = self.mala_cloud.len();
        let base = if n <= 5_000 {
            3.0
        } else if n <= 100_000 {
            2.0
        } else {
            1.0
        };
        let point = (base * dpr).round().clamp(1.0, 4.0) as usize;
        let empty = Particles::default();
        let cloud = match w {
            1 => &self.mala_cloud,
            _ if self.ula_error.is_some() => &empty,
            _ => &self.ula_cloud,
        };
        self.rasters[w].compose(cloud, &vp, &pal, point);
        blit_with_axes(canvas, self.rasters[w].frame(), rect, view, dpr, dark)
    }

    fn curves(&self) -> Vec<Vec<(f64, f64)>> {
        let end = self.history.last().map(|h| h.0).unwrap_or(0.0).max(1.0);
        let tc = self.target.covariance();
        let exact = 0.5 * (tc[0] + tc[2]);
        let mut c = vec![
            self.history.iter().map(|h| (h.0, h.1)).collect(),
            self.history.iter().map(|h| (h.0, h.2)).collect(),
            vec![(0.0, exact), (end, exact)],
        ];
        if let Some(v) = self.ula_stationary_variance() {
            c.push(vec![(0.0, v), (end, v)]);
        }
        c
    }

    fn series<'a>(c: &'a [Vec<(f64, f64)>], dark: bool) -> Vec<Series<'a>> {
        let pal = palette(dark);
        let theme = ChartTheme::for_theme(dark);
        // the exact lines last, so that the fluctuating curves do not hide them
        let mut s = vec![
            Series {
                label: "ULA",
                color: pal[1],
                points: &c[0],
                width: 2.0,
            },
            Series {
                label: "MALA",
                color: pal[0],
                points: &c[1],
                width: 2.0,
            },
            Series {
                label: "exact, p",
                color: theme.reference,
                points: &c[2],
                width: 1.5,
            },
        ];
        if c.len() > 3 {
            s.push(Series {
                label: "exact, ULA's bias",
                color: pal[2],
                points: &c[3],
                width: 1.5,
            });
        }
        s
    }

    /// The variance per axis of both clouds against step, with the exact values.
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
        let s = Self::series(&c, dark);
        draw_multi_chart(
            &root,
            &s,
            "step",
            "variance per axis",
            true,
            dpr_ok(dpr),
            &ChartTheme::for_theme(dark),
        )
        .map_err(|e| JsError::new(&e))?;
        root.present()
            .map_err(|e| JsError::new(&format!("{e:?}")))?;
        Ok(())
    }

    /// The variance chart as SVG.
    #[wasm_bindgen(js_name = historySvg)]
    pub fn history_svg(&self, width: u32, height: u32, dark: bool) -> Result<String, JsError> {
        let c = self.curves();
        let s = Self::series(&c, dark);
        multi_chart_svg(
            &s,
            "step",
            "variance per axis",
            true,
            (width.clamp(100, 4000), height.clamp(80, 4000)),
            dark,
        )
        .map_err(|e| JsError::new(&e))
    }

    /// The history as flat rows [step, ULA variance, MALA variance, …].
    pub fn history(&self) -> Vec<f64> {
        self.history.iter().flat_map(|h| [h.0, h.1, h.2]).collect()
    }
}
