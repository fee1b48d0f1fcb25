//! `AnnealedWidget`: the handle behind `<sb-annealed>` (the mixing problem and annealed
//! Langevin dynamics).
//!
//! Two clouds start from the same uniform draw on [−8, 8]² and receive the same noise (same seed,
//! same step keys): one runs plain ULA on p, the other annealed Langevin over a geometric σ
//! schedule with the exact scores of p_σᵢ. Both run L·T steps. JS calls `step(k)` per frame,
//! then `draw` for each canvas and `drawHistory`, and reads the shares of each mode.

use super::draw::{blit_with_axes, layout};
use crate::annealed::{separated_modes, AnnealedLangevin, GeometricSchedule, UNIFORM_START};
use crate::chart::ChartTheme;
use crate::chart_multi::{draw_multi_chart_at, multi_chart_svg_at, palette, Series};
use crate::error::Error;
use crate::kernel::KernelPath;
use crate::langevin::{Langevin, MAX_STEP_SIZE};
use crate::mixture::GaussianMixture;
use crate::mode_mass::mode_shares_into;
use crate::particles::{check_count, Particles};
use crate::presets::preset;
use crate::raster::{Palette, Raster};
use crate::viewport::Viewport;
use plotters::prelude::IntoDrawingArea;
use plotters::prelude::SeriesLabelPosition;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

/// History points of the share chart over a whole run.
const HISTORY_POINTS: u64 = 400;

fn dpr_ok(dpr: f64) -> f64 {
    if dpr.is_finite() && dpr > 0.0 {
        dpr.clamp(0.5, 4.0)
    } else {
        1.0
    }
}

/// The named targets of this widget: `separated` (Song & Ermon's 0.8/0.2 pair at (±5, ±5)) and
/// the shared presets.
fn target_by_name(name: &str) -> Result<GaussianMixture, Error> {
    match name {
        "separated" => Ok(separated_modes()),
        "ring8" | "gaussian" | "two-modes" => preset(name),
        other => Err(Error::invalid(
            "target",
            "one of separated, two-modes, ring8, gaussian",
            format!("{other:?}"),
        )),
    }
}

/// The smallest eigenvalue of the target's component covariances.
fn smallest_variance(p: &GaussianMixture) -> f64 {
    p.components()
        .iter()
        .map(|c| {
            let s = c.cov();
            let (tr, det) = (s[0] + s[2], s[0] * s[2] - s[1] * s[1]);
            tr / 2.0 - ((tr * tr / 4.0) - det).max(0.0).sqrt()
        })
        .fold(f64::INFINITY, f64::min)
}

struct Runs {
    plain: Langevin,
    plain_cloud: Particles,
    ald: AnnealedLangevin,
    ald_cloud: Particles,
}

/// Plain versus annealed Langevin on the same target, seed and start.
#[wasm_bindgen]
pub struct AnnealedWidget {
    target: GaussianMixture,
    target_name: String,
    schedule: GeometricSchedule,
    step_size: f64,
    steps_per_level: usize,
    n: usize,
    seed: u32,
    runs: Runs,
    /// (step, share of mode 1 plain, share of mode 1 annealed)
    history: Vec<(f64, f64, f64)>,
    plain_error: Option<String>,
    shares: Vec<f64>,
    rasters: [Raster; 2],
    keys: [Option<(usize, usize, bool, usize)>; 2],
}

/// The plain chain's step: the same relative step αᵢ/σᵢ² = ε/σ_L² that every annealed level
/// uses, applied at the scale of p's narrowest component (capped at ULA's largest step).
fn plain_step(schedule: &GeometricSchedule, step_size: f64, p: &GaussianMixture) -> f64 {
    let s2 = schedule.sigma_min() * schedule.sigma_min();
    (step_size / s2 * smallest_variance(p)).min(MAX_STEP_SIZE)
}

fn build_runs(
    p: &GaussianMixture,
    schedule: &GeometricSchedule,
    step_size: f64,
    t: usize,
    n: usize,
    seed: u32,
) -> Result<Runs, Error> {
    let ald = AnnealedLangevin::new(p, schedule.clone(), step_size, t as f64, seed as u64)?;
    let plain = Langevin::new(p, plain_step(schedule, step_size, p), seed as u64)?;
    let start = Particles::uniform(n, UNIFORM_START, seed as u64);
    Ok(Runs {
        plain,
        plain_cloud: start.clone(),
        ald,
        ald_cloud: start,
    })
}

#[wasm_bindgen]
impl AnnealedWidget {
    /// A widget for `target` (`separated`, `two-modes`, `ring8`, `gaussian`) with `particles` ∈
    /// [1, 1 000 000], the schedule σ_max > σ_min > 0 with `levels` L ∈ [2, 1000],
    /// `steps_per_level` T ∈ [1, 100 000], base step ε = `step_size` ∈ (0, 10] and a `seed`.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        target: &str,
        particles: f64,
        sigma_max: f64,
        sigma_min: f64,
        levels: f64,
        steps_per_level: f64,
        step_size: f64,
        seed: u32,
    ) -> Result<AnnealedWidget, JsError> {
        let p = target_by_name(target)?;
        let n = check_count(particles)?;
        let schedule = GeometricSchedule::new(sigma_max, sigma_min, levels)?;
        let t = crate::annealed::check_steps_per_level(steps_per_level)?;
        let runs = build_runs(&p, &schedule, step_size, t, n, seed)?;
        let mut w = AnnealedWidget {
            shares: vec![0.0; 2 * p.len()],
            target: p,
            target_name: target.into(),
            schedule,
            step_size,
            steps_per_level: t,
            n,
            seed,
            runs,
            history: vec![],
            plain_error: None,
            rasters: [Raster::default(), Raster::default()],
            keys: [None, None],
        };
        w.record();
        Ok(w)
    }

    /// Restarts both runs from the uniform start with `seed`.
    pub fn reset(&mut self, seed: u32) -> Result<(), JsError> {
        let path = self.runs.ald.path();
        self.runs = build_runs(
            &self.target,
            &self.schedule,
            self.step_size,
            self.steps_per_level,
            self.n,
            seed,
        )?;
        self.runs.ald.set_path(path);
        self.runs.plain.set_path(path);
        self.seed = seed;
        self.history.clear();
        self.plain_error = None;
        self.keys[1] = None;
        self.record();
        Ok(())
    }

    /// Changes the schedule and step (all validated before anything changes) and restarts.
    #[wasm_bindgen(js_name = setSchedule)]
    pub fn set_schedule(
        &mut self,
        sigma_max: f64,
        sigma_min: f64,
        levels: f64,
        steps_per_level: f64,
        step_size: f64,
    ) -> Result<(), JsError> {
        let schedule = GeometricSchedule::new(sigma_max, sigma_min, levels)?;
        let t = crate::annealed::check_steps_per_level(steps_per_level)?;
        crate::annealed::check_step_size(step_size)?;
        self.schedule = schedule;
        self.steps_per_level = t;
        self.step_size = step_size;
        self.reset(self.seed)
    }

    /// Changes the target and restarts.
    #[wasm_bindgen(js_name = setTarget)]
    pub fn set_target(&mut self, target: &str) -> Result<(), JsError> {
        let p = target_by_name(target)?;
        self.shares = vec![0.0; 2 * p.len()];
        self.target = p;
        self.target_name = target.into();
        self.keys = [None, None];
        self.reset(self.seed)
    }

    /// Changes the number of particles (∈ [1, 1 000 000]) and restarts.
    #[wasm_bindgen(js_name = setParticles)]
    pub fn set_particles(&mut self, particles: f64) -> Result<(), JsError> {
        self.n = check_count(particles)?;
        self.reset(self.seed)
    }

    /// Uses the simd128 kernel (when compiled in) or the scalar one; both give identical clouds.
    #[wasm_bindgen(js_name = setSimd)]
    pub fn set_simd(&mut self, on: bool) {
        let p = if on {
            KernelPath::best()
        } else {
            KernelPath::Scalar
        };
        self.runs.ald.set_path(p);
        self.runs.plain.set_path(p);
    }

    /// The kernel in use: `simd128` or `scalar`.
    #[wasm_bindgen(getter)]
    pub fn kernel(&self) -> String {
        self.runs.ald.path().name().into()
    }

    /// Runs `k` ≤ 100 000 steps of both chains (fewer once the schedule is finished). Throws when
    /// the annealed run diverges; a diverging plain run stops alone and reports `plainError`.
    pub fn step(&mut self, k: u32) -> Result<(), JsError> {
        if k > 100_000 {
            return Err(Error::invalid("k", "an integer in [0, 100000]", k).into());
        }
        let stride = (self.runs.ald.total_steps() / HISTORY_POINTS).max(1);
        for _ in 0..k {
            if !self.runs.ald.step(&mut self.runs.ald_cloud)? {
                break;
            }
            if self.plain_error.is_none() {
                if let Err(e) = self.runs.plain.step(&mut self.runs.plain_cloud) {
                    self.plain_error = Some(e.to_string());
                }
            }
            let s = self.runs.ald.steps();
            if s % stride == 0 || self.runs.ald.is_finished() {
                self.record();
            }
        }
        Ok(())
    }

    fn record(&mut self) {
        let k = self.target.len();
        let (a, b) = self.shares.split_at_mut(k);
        mode_shares_into(&self.target, &self.runs.plain_cloud, a);
        mode_shares_into(&self.target, &self.runs.ald_cloud, b);
        let s = self.runs.ald.steps() as f64;
        if self.history.last().map(|h| h.0) != Some(s) {
            let plain = if self.plain_error.is_some() {
                f64::NAN
            } else {
                a[0]
            };
            self.history.push((s, plain, b[0]));
        }
    }

    /// The share of each mode: [plain mode 1 … plain mode K, annealed mode 1 … annealed mode K]
    /// (a particle belongs to the component with the largest responsibility under p).
    pub fn shares(&mut self) -> Vec<f64> {
        self.record();
        self.shares.clone()
    }

    /// The exact weights of p's components.
    pub fn weights(&self) -> Vec<f64> {
        self.target.weights().to_vec()
    }

    /// σ₁ … σ_L.
    pub fn sigmas(&self) -> Vec<f64> {
        self.schedule.sigmas().to_vec()
    }

    /// α₁ … α_L.
    pub fn alphas(&self) -> Vec<f64> {
        self.runs.ald.alphas().to_vec()
    }

    /// The schedule's ratio r = σᵢ₊₁/σᵢ.
    #[wasm_bindgen(getter)]
    pub fn ratio(&self) -> f64 {
        self.schedule.ratio()
    }

    /// The 1-based level of the next annealed step (L once finished).
    #[wasm_bindgen(getter)]
    pub fn level(&self) -> usize {
        self.runs.ald.level() + 1
    }

    /// σ of the current level.
    #[wasm_bindgen(getter)]
    pub fn sigma(&self) -> f64 {
        self.runs.ald.sigma()
    }

    /// α of the current level.
    #[wasm_bindgen(getter)]
    pub fn alpha(&self) -> f64 {
        self.runs.ald.alpha()
    }

    /// The plain chain's step size.
    #[wasm_bindgen(getter, js_name = plainStep)]
    pub fn plain_step(&self) -> f64 {
        self.runs.plain.step_size()
    }

    /// Steps completed by the annealed run (the plain run has taken as many, unless it diverged).
    #[wasm_bindgen(getter)]
    pub fn steps(&self) -> f64 {
        self.runs.ald.steps() as f64
    }

    /// L·T.
    #[wasm_bindgen(getter, js_name = totalSteps)]
    pub fn total_steps(&self) -> f64 {
        self.runs.ald.total_steps() as f64
    }

    /// True once the whole schedule has run.
    #[wasm_bindgen(getter)]
    pub fn finished(&self) -> bool {
        self.runs.ald.is_finished()
    }

    /// The annealed run's divergence message, or `undefined`.
    #[wasm_bindgen(getter)]
    pub fn divergence(&self) -> Option<String> {
        self.runs.ald.diverged().map(|e| e.to_string())
    }

    /// The plain run's divergence message, or `undefined`.
    #[wasm_bindgen(getter, js_name = plainError)]
    pub fn plain_error(&self) -> Option<String> {
        self.plain_error.clone()
    }

    /// Number of particles per run.
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

    /// The target's name.
    #[wasm_bindgen(getter, js_name = targetName)]
    pub fn target_name(&self) -> String {
        self.target_name.clone()
    }

    /// FNV-1a checksums of the two clouds' bits, "plain:annealed" in hex.
    pub fn checksum(&self) -> String {
        format!(
            "{:016x}:{:016x}",
            self.runs.plain_cloud.checksum(),
            self.runs.ald_cloud.checksum()
        )
    }

    /// Byte offset of a cloud's x coordinates (`which` 0 = plain, 1 = annealed).
    #[wasm_bindgen(js_name = xsPtr)]
    pub fn xs_ptr(&self, which: u32) -> *const f32 {
        self.cloud(which).xs.as_ptr()
    }

    /// Byte offset of a cloud's y coordinates.
    #[wasm_bindgen(js_name = ysPtr)]
    pub fn ys_ptr(&self, which: u32) -> *const f32 {
        self.cloud(which).ys.as_ptr()
    }

    fn cloud(&self, which: u32) -> &Particles {
        if which == 0 {
            &self.runs.plain_cloud
        } else {
            &self.runs.ald_cloud
        }
    }

    /// Draws one run (`which` 0 = plain over p, 1 = annealed over p_σ of its current level).
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
        let level = if w == 1 {
            self.runs.ald.level()
        } else {
            usize::MAX
        };
        let key = (vp.width, vp.height, dark, level);
        if self.keys[w] != Some(key) {
            let density = if w == 1 {
                self.target.noised(self.runs.ald.sigma())?
            } else {
                self.target.clone()
            };
            self.rasters[w].render_density_coarse(&density, &vp, &pal, 4);
            self.keys[w] = Some(key);
        }
        let point = (2.0 * dpr).round().clamp(1.0, 4.0) as usize;
        let cloud = if w == 1 {
            &self.runs.ald_cloud
        } else {
            &self.runs.plain_cloud
        };
        self.rasters[w].compose(cloud, &vp, &pal, point);
        blit_with_axes(canvas, self.rasters[w].frame(), rect, view, dpr, dark)
    }

    fn curves(&self) -> [Vec<(f64, f64)>; 4] {
        let w0 = self.target.weights()[0];
        let end = self.runs.ald.total_steps() as f64;
        [
            self.history.iter().map(|h| (h.0, h.1)).collect(),
            self.history.iter().map(|h| (h.0, h.2)).collect(),
            vec![(0.0, w0), (end, w0)],
            // a share lies in [0, 1]: the axis always shows the whole range (no legend entry,
            // drawn on the y axis itself)
            vec![(0.0, 0.0), (0.0, 1.0)],
        ]
    }

    /// The share chart's curves; with `legend` false they carry no labels (on a phone the legend
    /// would cover the curves; the widget's caption names the colours).
    fn series<'a>(c: &'a [Vec<(f64, f64)>; 4], dark: bool, legend: bool) -> [Series<'a>; 4] {
        let pal = palette(dark);
        let theme = ChartTheme::for_theme(dark);
        let l = |s: &'a str| if legend { s } else { "" };
        [
            Series {
                label: "",
                color: theme.fg,
                points: &c[3],
                width: 1.0,
            },
            Series {
                label: l("exact weight"),
                color: theme.reference,
                points: &c[2],
                width: 1.5,
            },
            Series {
                label: l("plain Langevin"),
                color: pal[1],
                points: &c[0],
                width: 2.0,
            },
            Series {
                label: l("annealed"),
                color: pal[0],
                points: &c[1],
                width: 2.0,
            },
        ]
    }

    /// The share of mode 1 against step for both runs, with its exact weight.
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
            "step",
            "share of mode 1",
            false,
            dpr_ok(dpr),
            &theme,
            SeriesLabelPosition::LowerRight,
        )
        .map_err(|e| JsError::new(&e))?;
        root.present()
            .map_err(|e| JsError::new(&format!("{e:?}")))?;
        Ok(())
    }

    /// The share chart as SVG.
    #[wasm_bindgen(js_name = historySvg)]
    pub fn history_svg(&self, width: u32, height: u32, dark: bool) -> Result<String, JsError> {
        let c = self.curves();
        let s = Self::series(&c, dark, true);
        multi_chart_svg_at(
            &s,
            "step",
            "share of mode 1",
            false,
            (width.clamp(100, 4000), height.clamp(80, 4000)),
            dark,
            SeriesLabelPosition::LowerRight,
        )
        .map_err(|e| JsError::new(&e))
    }

    /// The history as flat rows [step, plain share, annealed share, …].
    pub fn history(&self) -> Vec<f64> {
        self.history.iter().flat_map(|h| [h.0, h.1, h.2]).collect()
    }
}
