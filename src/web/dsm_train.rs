//! `DsmTrainWidget`: the handle behind the live denoising-score-matching widget
//! (`<sb-dsm-train>`) and benchmark W2 in the browser.
//!
//! It owns a [`DsmTrainer`] (the caller owns the loop: `step(n)` runs n Adam steps), the history
//! of the relative score error at several σ (each against the exact score of p_σ), and the
//! pictures: the learned and the exact score fields over the density of p_σ, and the error map
//! ‖s_θ − ∇log p_σ‖².

use super::draw::{blit_with_axes, layout};
use crate::chart::ChartTheme;
use crate::chart_multi::{draw_multi_chart, multi_chart_svg, palette, Series};
use crate::ebm::picture::{EbmPalette, Picture, Shading};
use crate::error::Error;
use crate::kernel::KernelPath;
use crate::mixture::GaussianMixture;
use crate::nn::activation::Activation;
use crate::nn::dsm::{DsmConfig, DsmTrainer};
use crate::nn::picture::{arrow_grid, arrow_points, arrow_scale, heat_grid, render_heat};
use crate::nn::score_eval::{check_sigma, EvalSet};
use crate::presets::preset;
use crate::viewport::Viewport;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

/// The noise levels of the error history (one curve each).
pub const EVAL_SIGMAS: [f64; 4] = [0.1, 0.5, 1.0, 2.0];
/// Samples of p_σ per history evaluation (fixed seed: the curves are not re-sampled).
pub const EVAL_SAMPLES: usize = 1000;
/// Training steps between history points.
pub const EVAL_EVERY: u64 = 100;
/// History points kept (older ones thinned 2:1).
const HISTORY_MAX: usize = 600;
/// Arrows per side of the field pictures: one per ~18 CSS pixels, 9 to 21.
fn arrows_per_side(width_px: usize, dpr: f64) -> usize {
    ((width_px as f64 / dpr / 18.0).round() as usize).clamp(9, 21)
}
/// Side of the error map's evaluation grid.
const HEAT_GRID: usize = 64;

fn clamp_dpr(dpr: f64) -> f64 {
    if dpr.is_finite() && dpr > 0.0 {
        dpr.clamp(0.5, 4.0)
    } else {
        1.0
    }
}

/// Parses `128,128` into hidden widths.
fn parse_hidden(s: &str) -> Result<Vec<usize>, Error> {
    if s.trim().is_empty() {
        return Ok(vec![]);
    }
    s.split(',')
        .map(|t| {
            t.trim().parse::<usize>().map_err(|_| {
                Error::invalid(
                    "hidden",
                    "comma-separated layer widths such as 128,128",
                    format!("{s:?}"),
                )
            })
        })
        .collect()
}

/// Live DSM training of a noise-conditional MLP score model on a 2-D mixture.
#[wasm_bindgen]
pub struct DsmTrainWidget {
    trainer: DsmTrainer,
    target: String,
    sets: Vec<EvalSet>,
    /// Rows [iteration, relative error at each of EVAL_SIGMAS].
    history: Vec<[f64; 5]>,
    /// The evaluation set of the σ slider.
    slider_set: Option<EvalSet>,
    pictures: [Picture; 2],
    /// (σ, width, height, dark) of each picture's cached density shading.
    shaded: [Option<(f64, usize, usize, bool)>; 2],
    heat: Vec<u8>,
    heat_range: (f64, f64),
    heat_max: f64,
    xs: Vec<f32>,
    ys: Vec<f32>,
    out: Vec<f32>,
}

impl DsmTrainWidget {
    fn eval_sets(data: &GaussianMixture) -> Result<Vec<EvalSet>, Error> {
        EVAL_SIGMAS
            .iter()
            .enumerate()
            .map(|(k, &s)| EvalSet::new(data, s, EVAL_SAMPLES, 1000 + k as u64))
            .collect()
    }

    /// Evaluates the history sets now and records a row (replacing one at the same iteration).
    fn record(&mut self) -> Result<(), Error> {
        let mut row = [self.trainer.iteration() as f64, 0.0, 0.0, 0.0, 0.0];
        for (k, set) in self.sets.iter_mut().enumerate() {
            row[k + 1] = self.trainer.eval_relative_error(set)?;
        }
        if self.history.last().map(|r| r[0]) == Some(row[0]) {
            self.history.pop();
        }
        self.history.push(row);
        if self.history.len() > HISTORY_MAX {
            let first = self.history[0];
            let mut thinned: Vec<[f64; 5]> =
                self.history.iter().skip(1).step_by(2).copied().collect();
            thinned.insert(0, first);
            self.history = thinned;
        }
        Ok(())
    }

    fn restart_history(&mut self) -> Result<(), Error> {
        self.history.clear();
        self.record()
    }

    /// The exact noised law p_σ (validated σ).
    fn noised(&self, sigma: f64) -> Result<GaussianMixture, Error> {
        check_sigma(sigma)?;
        self.trainer.data().noised(sigma)
    }
}

#[wasm_bindgen]
impl DsmTrainWidget {
    /// A run on the preset `target` (`ring8`, `gaussian`, `two-modes`) with hidden widths
    /// `hidden` (e.g. `128,128`, 0–4 layers of 1–512), activation `silu` or `relu`, Adam
    /// `learning_rate` ∈ (0, 1], `batch_size` ∈ [1, 4096], σ log-uniform in
    /// [`sigma_min`, `sigma_max`] ⊂ [0.001, 20], and `seed`.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        target: &str,
        hidden: &str,
        activation: &str,
        learning_rate: f64,
        batch_size: f64,
        sigma_min: f64,
        sigma_max: f64,
        seed: u32,
    ) -> Result<DsmTrainWidget, JsError> {
        let data = preset(target)?;
        let cfg = DsmConfig {
            hidden: parse_hidden(hidden)?,
            activation: Activation::from_name(activation)?,
            learning_rate,
            batch_size: batch(batch_size)?,
            sigma_min,
            sigma_max,
        };
        let trainer = DsmTrainer::new(&data, cfg, seed as u64)?;
        let mut w = DsmTrainWidget {
            sets: Self::eval_sets(&data)?,
            trainer,
            target: target.into(),
            history: vec![],
            slider_set: None,
            pictures: [Picture::default(), Picture::default()],
            shaded: [None, None],
            heat: vec![],
            heat_range: (f64::NAN, f64::NAN),
            heat_max: f64::NAN,
            xs: vec![],
            ys: vec![],
            out: vec![],
        };
        w.restart_history()?;
        Ok(w)
    }

    /// Re-initialises the network from `seed`, keeping every setting.
    pub fn reset(&mut self, seed: u32) -> Result<(), JsError> {
        self.trainer.reset(seed as u64);
        Ok(self.restart_history()?)
    }

    /// Changes the training data to the preset `target` and restarts from the same seed.
    #[wasm_bindgen(js_name = setTarget)]
    pub fn set_target(&mut self, target: &str) -> Result<(), JsError> {
        let data = preset(target)?;
        self.sets = Self::eval_sets(&data)?;
        self.trainer.set_data(&data);
        self.target = target.into();
        self.slider_set = None;
        self.shaded = [None, None];
        let seed = self.trainer.seed();
        self.trainer.reset(seed);
        Ok(self.restart_history()?)
    }

    /// Changes Adam's learning rate ∈ (0, 1]; the run continues.
    #[wasm_bindgen(js_name = setLearningRate)]
    pub fn set_learning_rate(&mut self, v: f64) -> Result<(), JsError> {
        Ok(self.trainer.set_learning_rate(v)?)
    }

    /// Changes the batch size ∈ [1, 4096]; the run continues.
    #[wasm_bindgen(js_name = setBatchSize)]
    pub fn set_batch_size(&mut self, v: f64) -> Result<(), JsError> {
        Ok(self.trainer.set_batch_size(batch(v)?)?)
    }

    /// Changes the training σ range [lo, hi] ⊂ [0.001, 20]; the run continues.
    #[wasm_bindgen(js_name = setSigmaRange)]
    pub fn set_sigma_range(&mut self, lo: f64, hi: f64) -> Result<(), JsError> {
        Ok(self.trainer.set_sigma_range(lo, hi)?)
    }

    /// Runs `n` ∈ [0, 10000] training steps, recording the relative errors every 100 steps.
    /// Throws when the loss or the gradient becomes non-finite; the last finite weights are kept
    /// and the run must be reset.
    pub fn step(&mut self, n: u32) -> Result<(), JsError> {
        if n > 10_000 {
            return Err(Error::invalid("n", "an integer in [0, 10000]", n).into());
        }
        for _ in 0..n {
            self.trainer.step()?;
            if self.trainer.iteration() % EVAL_EVERY == 0 {
                self.record()?;
            }
        }
        Ok(())
    }

    /// Adam's learning rate.
    #[wasm_bindgen(getter, js_name = learningRate)]
    pub fn learning_rate(&self) -> f64 {
        self.trainer.config().learning_rate
    }

    /// The batch size.
    #[wasm_bindgen(getter, js_name = batchSize)]
    pub fn batch_size(&self) -> f64 {
        self.trainer.config().batch_size as f64
    }

    /// σ_min of training.
    #[wasm_bindgen(getter, js_name = sigmaMin)]
    pub fn sigma_min(&self) -> f64 {
        self.trainer.config().sigma_min
    }

    /// σ_max of training.
    #[wasm_bindgen(getter, js_name = sigmaMax)]
    pub fn sigma_max(&self) -> f64 {
        self.trainer.config().sigma_max
    }

    /// The network, e.g. `3-128-128-2 (silu)`.
    #[wasm_bindgen(getter)]
    pub fn architecture(&self) -> String {
        self.trainer.network().architecture().describe()
    }

    /// The number of parameters.
    #[wasm_bindgen(getter, js_name = parameterCount)]
    pub fn parameter_count(&self) -> f64 {
        self.trainer.network().params().len() as f64
    }

    /// The σ of the history curves: [0.1, 0.5, 1, 2].
    #[wasm_bindgen(js_name = evalSigmas)]
    pub fn eval_sigmas(&self) -> Vec<f64> {
        EVAL_SIGMAS.to_vec()
    }

    /// The relative errors E‖s_θ − ∇log p_σ‖²/E‖∇log p_σ‖² at the history σ (1000 fixed samples
    /// of p_σ each), evaluated now.
    #[wasm_bindgen(js_name = relativeErrors)]
    pub fn relative_errors(&mut self) -> Result<Vec<f64>, JsError> {
        let mut v = Vec::with_capacity(self.sets.len());
        for set in self.sets.iter_mut() {
            v.push(self.trainer.eval_relative_error(set)?);
        }
        Ok(v)
    }

    /// The relative error at any σ ∈ [1e-4, 100] on 2000 fixed samples of p_σ (the set is kept
    /// while σ does not change).
    #[wasm_bindgen(js_name = relativeErrorAt)]
    pub fn relative_error_at(&mut self, sigma: f64) -> Result<f64, JsError> {
        check_sigma(sigma)?;
        if self.slider_set.as_ref().map(|s| s.sigma()) != Some(sigma) {
            self.slider_set = Some(EvalSet::new(self.trainer.data(), sigma, 2000, 99)?);
        }
        let set = self.slider_set.as_mut().expect("set just built");
        Ok(self.trainer.eval_relative_error(set)?)
    }

    /// E‖∇log p_σ‖² on the slider's evaluation set (after `relativeErrorAt`).
    #[wasm_bindgen(getter, js_name = meanSquareScore)]
    pub fn mean_square_score(&self) -> f64 {
        self.slider_set
            .as_ref()
            .map(|s| s.mean_square())
            .unwrap_or(f64::NAN)
    }

    /// The history as [iteration, error at σ = 0.1, 0.5, 1, 2, …] (5 per row).
    pub fn history(&self) -> Vec<f64> {
        self.history
            .iter()
            .flat_map(|r| r.iter().copied())
            .collect()
    }

    /// The learned score s_θ(x, σ) at the points (xs[i], ys[i]) as [s₁, s₂, …].
    #[wasm_bindgen(js_name = learnedScore)]
    pub fn learned_score(
        &mut self,
        xs: &[f32],
        ys: &[f32],
        sigma: f64,
    ) -> Result<Vec<f32>, JsError> {
        let mut out = vec![0.0; 2 * xs.len()];
        self.trainer.score_at(xs, ys, sigma, &mut out)?;
        Ok(out)
    }

    /// Draws the density of p_σ with arrows of the learned score s_θ(·, σ) (`learned`) or of
    /// the exact ∇log p_σ, at one arrow scale shared by both pictures.
    #[wasm_bindgen(js_name = drawField)]
    pub fn draw_field(
        &mut self,
        canvas: &HtmlCanvasElement,
        learned: bool,
        sigma: f64,
        dpr: f64,
        dark: bool,
    ) -> Result<(), JsError> {
        let dpr = clamp_dpr(dpr);
        let noised = self.noised(sigma)?;
        let (rect, view) = layout(canvas, self.trainer.data().view_box(), dpr);
        let vp = Viewport {
            data: view,
            width: rect.width as usize,
            height: rect.height as usize,
        };
        let pal = EbmPalette::for_theme(dark);
        let k = learned as usize;
        let key = Some((sigma, vp.width, vp.height, dark));
        if self.shaded[k] != key || !self.pictures[k].restore_base() {
            if self.shaded[1 - k] == key {
                // the other field picture has the same shading of p_σ: copy it
                self.pictures[k] = self.pictures[1 - k].clone();
                self.pictures[k].restore_base();
            } else {
                self.pictures[k].shade(&vp, |x| noised.log_density(x), Shading::LogDensity, &pal);
                self.pictures[k].save_base();
            }
            self.shaded[k] = key;
        }
        let arrows = arrows_per_side(vp.width, dpr);
        arrow_grid(&vp, arrows, &mut self.xs, &mut self.ys);
        let n = self.xs.len();
        let exact: Vec<[f64; 2]> = (0..n)
            .map(|i| noised.score([self.xs[i] as f64, self.ys[i] as f64]))
            .collect();
        let mags: Vec<f64> = exact.iter().map(|e| e[0].hypot(e[1])).collect();
        let cell = vp.width as f64 / arrows as f64;
        let scale = arrow_scale(&mags, cell);
        self.out.resize(2 * n, 0.0);
        let vecs: Vec<[f64; 2]> = if learned {
            self.trainer
                .score_at(&self.xs, &self.ys, sigma, &mut self.out)?;
            (0..n)
                .map(|i| [self.out[2 * i] as f64, self.out[2 * i + 1] as f64])
                .collect()
        } else {
            exact
        };
        let (mut ax, mut ay) = (Vec::new(), Vec::new());
        for (i, &v) in vecs.iter().enumerate() {
            let mut len = v[0].hypot(v[1]) * scale;
            if !len.is_finite() {
                continue;
            }
            let cap = 0.9 * cell;
            let f = if len > cap { cap / len } else { 1.0 };
            len *= f;
            if len < 0.5 {
                continue;
            }
            // pixel y points down
            arrow_points(
                &vp,
                [self.xs[i] as f64, self.ys[i] as f64],
                v[0] * scale * f,
                -v[1] * scale * f,
                &mut ax,
                &mut ay,
            );
        }
        let size = (1.2 * dpr).round().max(1.0) as usize;
        let colour = if learned { pal.negative } else { pal.marker };
        self.pictures[k].dots(&vp, &ax, &ay, size, colour);
        blit_with_axes(canvas, self.pictures[k].rgba(), rect, view, dpr, dark)
    }

    /// Draws the squared error ‖s_θ(x, σ) − ∇log p_σ(x)‖² over the plane on a log colour scale
    /// spanning four decades below its maximum (see `errorRange`).
    #[wasm_bindgen(js_name = drawError)]
    pub fn draw_error(
        &mut self,
        canvas: &HtmlCanvasElement,
        sigma: f64,
        dpr: f64,
        dark: bool,
    ) -> Result<(), JsError> {
        let dpr = clamp_dpr(dpr);
        let noised = self.noised(sigma)?;
        let (rect, view) = layout(canvas, self.trainer.data().view_box(), dpr);
        let vp = Viewport {
            data: view,
            width: rect.width as usize,
            height: rect.height as usize,
        };
        let g = HEAT_GRID;
        heat_grid(&vp, g, g, &mut self.xs, &mut self.ys);
        self.out.resize(2 * g * g, 0.0);
        self.trainer
            .score_at(&self.xs, &self.ys, sigma, &mut self.out)?;
        let vals: Vec<f64> = (0..g * g)
            .map(|i| {
                let e = noised.score([self.xs[i] as f64, self.ys[i] as f64]);
                let dx = self.out[2 * i] as f64 - e[0];
                let dy = self.out[2 * i + 1] as f64 - e[1];
                dx * dx + dy * dy
            })
            .collect();
        self.heat_max = vals.iter().copied().fold(0.0, f64::max);
        self.heat_range = render_heat(&vp, &vals, g, g, &mut self.heat);
        blit_with_axes(canvas, &self.heat, rect, view, dpr, dark)
    }

    /// [lo, hi]: log₁₀ of the error map's colour range (after `drawError`).
    #[wasm_bindgen(js_name = errorRange)]
    pub fn error_range(&self) -> Vec<f64> {
        vec![self.heat_range.0, self.heat_range.1]
    }

    /// The largest squared error on the error map's grid (after `drawError`).
    #[wasm_bindgen(getter, js_name = errorMax)]
    pub fn error_max(&self) -> f64 {
        self.heat_max
    }

    fn series_points(&self) -> Vec<Vec<(f64, f64)>> {
        (0..EVAL_SIGMAS.len())
            .map(|k| self.history.iter().map(|r| (r[0], r[k + 1])).collect())
            .collect()
    }

    /// Draws the relative error against training step, one curve per σ, log scale.
    #[wasm_bindgen(js_name = drawHistory)]
    pub fn draw_history(
        &self,
        canvas: &HtmlCanvasElement,
        dpr: f64,
        dark: bool,
    ) -> Result<(), JsError> {
        let pts = self.series_points();
        let labels = ["σ = 0.1", "σ = 0.5", "σ = 1", "σ = 2"];
        let pal = palette(dark);
        let series: Vec<Series> = (0..4)
            .map(|k| Series {
                label: labels[k],
                color: pal[k],
                points: &pts[k],
                width: 1.8,
            })
            .collect();
        let root = CanvasBackend::with_canvas_object(canvas.clone())
            .ok_or_else(|| JsError::new("plotters could not use the canvas"))?
            .into_drawing_area();
        draw_multi_chart(
            &root,
            &series,
            "training step",
            "relative error",
            true,
            clamp_dpr(dpr),
            &ChartTheme::for_theme(dark),
        )
        .map_err(|e| JsError::new(&e))?;
        root.present()
            .map_err(|e| JsError::new(&format!("{e:?}")))?;
        Ok(())
    }

    /// The error chart as SVG (`width` × `height` CSS px in [100, 4000] × [60, 4000]).
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
        let pts = self.series_points();
        let labels = ["σ = 0.1", "σ = 0.5", "σ = 1", "σ = 2"];
        let pal = palette(dark);
        let series: Vec<Series> = (0..4)
            .map(|k| Series {
                label: labels[k],
                color: pal[k],
                points: &pts[k],
                width: 1.8,
            })
            .collect();
        multi_chart_svg(
            &series,
            "training step",
            "relative error",
            true,
            (width, height),
            dark,
        )
        .map_err(|e| JsError::new(&e))
    }

    /// Uses the explicit simd128 kernels (`true`, when compiled in) or the scalar ones; both give
    /// bit-identical weights.
    #[wasm_bindgen(js_name = setSimd)]
    pub fn set_simd(&mut self, on: bool) {
        self.trainer.set_path(if on {
            KernelPath::best()
        } else {
            KernelPath::Scalar
        });
    }

    /// The kernel in use: `simd128` or `scalar`.
    #[wasm_bindgen(getter)]
    pub fn kernel(&self) -> String {
        self.trainer.path().name().into()
    }

    /// Completed training steps.
    #[wasm_bindgen(getter)]
    pub fn iteration(&self) -> f64 {
        self.trainer.iteration() as f64
    }

    /// The batch loss of the last step (NaN before the first).
    #[wasm_bindgen(getter)]
    pub fn loss(&self) -> f64 {
        self.trainer.last_loss()
    }

    /// The divergence message, or an empty string.
    #[wasm_bindgen(getter)]
    pub fn diverged(&self) -> String {
        self.trainer
            .diverged()
            .map(|e| e.to_string())
            .unwrap_or_default()
    }

    /// The training target's preset name.
    #[wasm_bindgen(getter)]
    pub fn target(&self) -> String {
        self.target.clone()
    }

    /// The flat parameters (a copy; layout of `nn::Architecture::layout`).
    pub fn params(&self) -> Vec<f32> {
        self.trainer.network().params().to_vec()
    }

    /// The weights file (`SBNN` version 1) of the current network.
    #[wasm_bindgen(js_name = exportWeights)]
    pub fn export_weights(&self) -> Vec<u8> {
        self.trainer.export_weights()
    }

    /// Loads a weights file of the same architecture (clears Adam and the step count). Throws
    /// with the file's problem (bad magic, version, architecture, length, non-finite weight).
    #[wasm_bindgen(js_name = importWeights)]
    pub fn import_weights(&mut self, bytes: &[u8]) -> Result<(), JsError> {
        self.trainer
            .import_weights(bytes)
            .map_err(|e| JsError::new(&e.to_string()))?;
        Ok(self.restart_history()?)
    }
}

fn batch(b: f64) -> Result<usize, Error> {
    if b.is_finite() && b.fract() == 0.0 && (1.0..=4096.0).contains(&b) {
        Ok(b as usize)
    } else {
        Err(Error::invalid("batch_size", "an integer in [1, 4096]", b))
    }
}
