//! `SmObjectivesWidget`: the handle behind `<sb-sm-objectives>`.
//!
//! Four score-matching objectives (explicit, implicit, denoising, sliced) of the affine model
//! s(x) = a x + b on 1D mixture data: level lines over the (a, b) plane with each exact minimiser
//! and each minimiser of the objective built from n samples, gradient descent on the four
//! empirical objectives from a common start, and readouts of the exact values beside their Monte
//! Carlo estimates with standard errors (see `score::objectives`).

use super::convert::js_err;
use super::draw::{context, layout};
use crate::chart::ChartTheme;
use crate::chart::PlotRect;
use crate::chart_multi::{draw_multi_chart, palette, Series};
use crate::error::{check_range, Error};
use crate::kl::mixture1::Mixture1;
use crate::rng::sim_rng;
use crate::score::mean_se;
use crate::score::objectives::{
    AffineDescent, AffineSamples, AffineScoreMatching, Objective, Quadratic, OBJECTIVES,
};
use crate::score::picture::contours;
use crate::score::sliced::{draw_projection, quadratic_form, trace_estimator_variance, Projection};
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::prelude::*;
use wasm_bindgen::Clamped;
use web_sys::HtmlCanvasElement;
use web_sys::ImageData;

/// The 1D data sets.
pub const DATA_NAMES: [&str; 3] = ["two-modes", "gaussian", "skewed"];

fn data(name: &str) -> Result<Mixture1, Error> {
    match name {
        "two-modes" => Mixture1::new(&[0.3, 0.7], &[-2.0, 1.5], &[0.6, 1.0]),
        "gaussian" => Mixture1::new(&[1.0], &[0.0], &[1.0]),
        "skewed" => Mixture1::new(&[0.8, 0.2], &[-0.5, 2.5], &[0.7, 0.4]),
        other => Err(Error::invalid(
            "data",
            format!("one of {}", DATA_NAMES.join(", ")),
            format!("{other:?}"),
        )),
    }
}

fn objective(i: u32) -> Result<Objective, JsError> {
    OBJECTIVES.get(i as usize).copied().ok_or_else(|| {
        JsError::new(&format!(
            "objective must be 0 (ESM), 1 (ISM), 2 (DSM) or 3 (SSM); got {i}"
        ))
    })
}

fn dpr_ok(dpr: f64) -> f64 {
    if dpr.is_finite() && dpr > 0.0 {
        dpr.clamp(0.5, 4.0)
    } else {
        1.0
    }
}

fn css(c: RGBColor) -> String {
    format!("rgb({},{},{})", c.0, c.1, c.2)
}

/// Four objectives of one affine score model.
#[wasm_bindgen]
pub struct SmObjectivesWidget {
    name: String,
    sm: AffineScoreMatching,
    samples: AffineSamples,
    empirical: [Quadratic; 4],
    n: usize,
    theta: [f64; 2],
    start: [f64; 2],
    descent: AffineDescent,
    image: Vec<u8>,
    /// The level-line image is redrawn only when the canvas, the theme or the exact objectives change.
    key: Option<(u32, u32, bool, u64)>,
    version: u64,
    seed: u32,
}

impl SmObjectivesWidget {
    fn refresh(&mut self) {
        self.empirical = OBJECTIVES.map(|o| self.samples.empirical(&self.sm, o));
        self.descent = AffineDescent::new(self.empirical, self.start);
    }

    /// The (a, b) box drawn: around the exact ISM and DSM minimisers and the descents' start.
    fn param_box(&self) -> [f64; 4] {
        let (i, d) = (
            self.sm.exact(Objective::Implicit).argmin(),
            self.sm.exact(Objective::Denoising).argmin(),
        );
        let (ca, cb) = (0.5 * (i[0] + d[0]), 0.5 * (i[1] + d[1]));
        let far = [i, d, self.start]
            .iter()
            .map(|p| (p[0] - ca).abs().max((p[1] - cb).abs()))
            .fold(0.0, f64::max);
        let half = (1.5 * far).max(0.05);
        [ca - half, ca + half, cb - half, cb + half]
    }

    /// The descents' start, (2a*, −b*) of ISM's exact minimiser (a point with a clearly wrong slope
    /// and offset, where every objective is well above its minimum).
    fn default_start(sm: &AffineScoreMatching) -> [f64; 2] {
        let t = sm.exact(Objective::Implicit).argmin();
        [2.0 * t[0], -t[1]]
    }
}

#[wasm_bindgen]
impl SmObjectivesWidget {
    /// Data `two-modes` (0.3 N(−2, 0.6²) + 0.7 N(1.5, 1)), `gaussian` (N(0, 1)) or `skewed`
    /// (0.8 N(−0.5, 0.7²) + 0.2 N(2.5, 0.4²)); DSM noise σ ∈ [0.05, 3]; `samples` n ∈ [10, 100 000]
    /// drawn from `seed`. The descents start, and θ is put, at (2a*, −b*) of ISM's minimiser.
    #[wasm_bindgen(constructor)]
    pub fn new(
        data_name: &str,
        sigma: f64,
        samples: f64,
        seed: u32,
    ) -> Result<SmObjectivesWidget, JsError> {
        check_range("sigma", sigma, 0.05, 3.0, false)?;
        check_range("samples", samples, 10.0, 100_000.0, false)?;
        let p = data(data_name)?;
        let sm = AffineScoreMatching::new(p, sigma)?;
        let samples_drawn = AffineSamples::draw(sm.target(), samples as usize, seed)?;
        let q0 = Quadratic {
            m: [1.0, 0.0, 1.0],
            r: [0.0, 0.0],
            c: 0.0,
        };
        let start = Self::default_start(&sm);
        let mut w = SmObjectivesWidget {
            name: data_name.into(),
            sm,
            samples: samples_drawn,
            empirical: [q0; 4],
            n: samples as usize,
            theta: start,
            start,
            descent: AffineDescent::new([q0; 4], start),
            image: vec![],
            key: None,
            version: 0,
            seed,
        };
        w.refresh();
        Ok(w)
    }

    /// The data set's name.
    #[wasm_bindgen(getter)]
    pub fn data(&self) -> String {
        self.name.clone()
    }
    /// σ.
    #[wasm_bindgen(getter)]
    pub fn sigma(&self) -> f64 {
        self.sm.sigma()
    }
    /// n.
    #[wasm_bindgen(getter)]
    pub fn samples(&self) -> f64 {
        self.n as f64
    }
    /// Gradient-descent steps since the reset.
    #[wasm_bindgen(getter)]
    pub fn steps(&self) -> f64 {
        self.descent.steps() as f64
    }

    /// New samples from `seed`; the descents restart.
    pub fn reset(&mut self, seed: u32) -> Result<(), JsError> {
        self.samples = AffineSamples::draw(self.sm.target(), self.n, seed)?;
        self.seed = seed;
        self.refresh();
        Ok(())
    }
    /// A new noise level (new empirical objectives on the same draws; the descents restart).
    #[wasm_bindgen(js_name = setSigma)]
    pub fn set_sigma(&mut self, sigma: f64) -> Result<(), JsError> {
        check_range("sigma", sigma, 0.05, 3.0, false)?;
        self.sm = AffineScoreMatching::new(self.sm.target().clone(), sigma)?;
        self.version += 1;
        self.refresh();
        Ok(())
    }
    /// New data (new samples from `seed`).
    #[wasm_bindgen(js_name = setData)]
    pub fn set_data(&mut self, name: &str, seed: u32) -> Result<(), JsError> {
        self.sm = AffineScoreMatching::new(data(name)?, self.sm.sigma())?;
        self.version += 1;
        self.name = name.into();
        self.start = Self::default_start(&self.sm);
        self.theta = self.start;
        self.reset(seed)
    }
    /// A new sample size n ∈ [10, 100 000] (new samples from `seed`).
    #[wasm_bindgen(js_name = setSamples)]
    pub fn set_samples(&mut self, samples: f64, seed: u32) -> Result<(), JsError> {
        check_range("samples", samples, 10.0, 100_000.0, false)?;
        self.n = samples as usize;
        self.reset(seed)
    }
    /// The model's parameters (a, b) where the readouts are taken, each in [−100, 100].
    #[wasm_bindgen(js_name = setTheta)]
    pub fn set_theta(&mut self, a: f64, b: f64) -> Result<(), JsError> {
        check_range("a", a, -100.0, 100.0, false)?;
        check_range("b", b, -100.0, 100.0, false)?;
        self.theta = [a, b];
        Ok(())
    }
    /// [a, b].
    pub fn theta(&self) -> Vec<f64> {
        self.theta.to_vec()
    }

    /// `n` ∈ [1, 1000] gradient-descent steps θ ← θ − η(Mθ − r) on each empirical objective.
    pub fn step(&mut self, n: f64) -> Result<(), JsError> {
        check_range("steps", n, 1.0, 1000.0, false)?;
        for _ in 0..n as usize {
            self.descent.step();
        }
        Ok(())
    }
    /// Where gradient descent on objective `i` (0 ESM, 1 ISM, 2 DSM, 3 SSM) is now, [a, b].
    #[wasm_bindgen(js_name = descentTheta)]
    pub fn descent_theta(&self, i: u32) -> Result<Vec<f64>, JsError> {
        let o = objective(i)?;
        let k = OBJECTIVES.iter().position(|x| *x == o).unwrap_or(0);
        Ok(self.descent.theta(k).to_vec())
    }

    /// The exact value of objective `i` at θ.
    #[wasm_bindgen(js_name = exactValue)]
    pub fn exact_value(&self, i: u32) -> Result<f64, JsError> {
        Ok(self
            .sm
            .exact(objective(i)?)
            .eval(self.theta[0], self.theta[1]))
    }
    /// [Monte Carlo estimate, standard error] of objective `i` at θ from the n samples.
    pub fn estimate(&self, i: u32) -> Result<Vec<f64>, JsError> {
        let (m, se) = self
            .samples
            .estimate(&self.sm, objective(i)?, self.theta[0], self.theta[1]);
        Ok(vec![m, se])
    }
    /// The exact minimiser [a*, b*] of objective `i`.
    #[wasm_bindgen(js_name = exactArgmin)]
    pub fn exact_argmin(&self, i: u32) -> Result<Vec<f64>, JsError> {
        Ok(self.sm.exact(objective(i)?).argmin().to_vec())
    }
    /// The minimiser [â, b̂] of objective `i` built from the samples.
    #[wasm_bindgen(js_name = empiricalArgmin)]
    pub fn empirical_argmin(&self, i: u32) -> Result<Vec<f64>, JsError> {
        let o = objective(i)?;
        let k = OBJECTIVES.iter().position(|x| *x == o).unwrap_or(0);
        Ok(self.empirical[k].argmin().to_vec())
    }
    /// ESM − ISM = ½E_p[s_p²] (exact, the same at every θ).
    #[wasm_bindgen(js_name = esmMinusIsm)]
    pub fn esm_minus_ism(&self) -> f64 {
        self.sm.esm_minus_ism()
    }
    /// [estimate, standard error] of ESM − ISM at θ on the same samples.
    #[wasm_bindgen(js_name = esmMinusIsmEstimate)]
    pub fn esm_minus_ism_estimate(&self) -> Vec<f64> {
        let (m, se) = self.samples.estimate_difference(
            &self.sm,
            Objective::Explicit,
            Objective::Implicit,
            self.theta[0],
            self.theta[1],
        );
        vec![m, se]
    }
    /// DSM − ESM[q_σ] = 1/(2σ²) − ½E_{q_σ}[s_q²] (exact, the same at every θ).
    #[wasm_bindgen(js_name = dsmMinusEsmNoised)]
    pub fn dsm_minus_esm_noised(&self) -> f64 {
        self.sm.dsm_minus_esm_noised()
    }
    /// ESM[q_σ] at θ, the explicit objective of the noised data, exactly.
    #[wasm_bindgen(js_name = esmNoised)]
    pub fn esm_noised(&self) -> f64 {
        self.sm.esm_noised().eval(self.theta[0], self.theta[1])
    }
    /// The per-sample variance of the SSM term at θ: [Gaussian projections, Rademacher ones].
    #[wasm_bindgen(js_name = slicedVariances)]
    pub fn sliced_variances(&self) -> Vec<f64> {
        let (g, r) = self
            .samples
            .sliced_variances(&self.sm, self.theta[0], self.theta[1]);
        vec![g, r]
    }

    /// The trace estimator vᵀAv of sliced score matching on the 2 × 2 example
    /// A = [[−0.5, 0.2], [0.1, −2]] (tr A = −2.5) with n projections drawn from the seed:
    /// [mean, SE, sample variance, exact variance] for Gaussian v, then the same for Rademacher v.
    #[wasm_bindgen(js_name = traceEstimator)]
    pub fn trace_estimator(&self) -> Vec<f64> {
        let a = [-0.5, 0.2, 0.1, -2.0];
        let mut out = Vec::with_capacity(8);
        for (k, kind) in [Projection::Gaussian, Projection::Rademacher]
            .into_iter()
            .enumerate()
        {
            let mut rng = sim_rng(self.seed as u64 ^ (0x7472_6163 + k as u64));
            let vals: Vec<f64> = (0..self.n)
                .map(|_| quadratic_form(a, draw_projection(&mut rng, kind)))
                .collect();
            let (m, se) = mean_se(vals.iter().copied());
            out.extend([
                m,
                se,
                se * se * self.n as f64,
                trace_estimator_variance(a, kind),
            ]);
        }
        out
    }

    /// Level lines over (a, b): ESM and ISM (identical lines, blue), DSM (orange); exact
    /// minimisers filled, empirical ones hollow, descent paths, and θ as a cross.
    pub fn draw(
        &mut self,
        canvas: &HtmlCanvasElement,
        dpr: f64,
        dark: bool,
    ) -> Result<(), JsError> {
        let dpr = dpr_ok(dpr);
        let (rect, view) = layout(canvas, self.param_box(), dpr);
        let pal = palette(dark);
        let theme = ChartTheme::for_theme(dark);
        let bg = [theme.bg.0, theme.bg.1, theme.bg.2];
        let ism = self.sm.exact(Objective::Implicit);
        // level spacing: 12 lines from the ISM minimum to the box's far corner
        let corner = [
            [view[0], view[2]],
            [view[0], view[3]],
            [view[1], view[2]],
            [view[1], view[3]],
        ]
        .iter()
        .map(|c| ism.eval(c[0], c[1]) - ism.min())
        .fold(0.0, f64::max);
        let unit = (corner / 144.0).max(1e-12);
        let col = |c: RGBColor| [c.0, c.1, c.2];
        let quads = [
            (self.sm.exact(Objective::Denoising), col(pal[1])),
            (ism, col(pal[0])),
        ];
        let key = (rect.width, rect.height, dark, self.version);
        if self.key != Some(key) {
            contours(
                &quads,
                view,
                rect.width as usize,
                rect.height as usize,
                unit,
                dpr.round().max(1.0) as usize,
                bg,
                &mut self.image,
            );
            self.key = Some(key);
        }
        blit_param_axes(canvas, &self.image, rect, view, dpr, dark)?;
        let ctx = context(canvas)?;
        let (l, t) = (rect.left as f64, rect.top as f64);
        let to_px = |x: [f64; 2]| {
            (
                l + (x[0] - view[0]) / (view[1] - view[0]) * rect.width as f64,
                t + (view[3] - x[1]) / (view[3] - view[2]) * rect.height as f64,
            )
        };
        ctx.save();
        ctx.begin_path();
        ctx.rect(l, t, rect.width as f64, rect.height as f64);
        ctx.clip();
        // descent paths: ESM and ISM (blue), DSM (orange), SSM (green)
        for (k, c) in [(0usize, pal[0]), (1, pal[0]), (2, pal[1]), (3, pal[2])] {
            ctx.set_stroke_style_str(&css(c));
            ctx.set_line_width(if k == 0 { 3.0 * dpr } else { 1.5 * dpr });
            ctx.begin_path();
            for (j, x) in self.descent.path(k).iter().enumerate() {
                let (px, py) = to_px(*x);
                if j == 0 {
                    ctx.move_to(px, py)
                } else {
                    ctx.line_to(px, py)
                }
            }
            ctx.stroke();
        }
        for (k, c) in [(1usize, pal[0]), (2, pal[1]), (3, pal[2])] {
            let (px, py) = to_px(self.sm.exact(OBJECTIVES[k]).argmin());
            if k != 3 {
                ctx.set_fill_style_str(&css(c));
                ctx.begin_path();
                let _ = ctx.arc(px, py, 6.0 * dpr, 0.0, std::f64::consts::TAU);
                ctx.fill();
            }
            let (ex, ey) = to_px(self.empirical[k].argmin());
            ctx.set_stroke_style_str(&css(c));
            ctx.set_line_width(2.0 * dpr);
            ctx.begin_path();
            let _ = ctx.arc(ex, ey, 9.0 * dpr, 0.0, std::f64::consts::TAU);
            ctx.stroke();
        }
        let (px, py) = to_px(self.theta);
        ctx.set_stroke_style_str(&css(theme.fg));
        ctx.set_line_width(2.0 * dpr);
        let r = 7.0 * dpr;
        ctx.begin_path();
        ctx.move_to(px - r, py);
        ctx.line_to(px + r, py);
        ctx.move_to(px, py - r);
        ctx.line_to(px, py + r);
        ctx.stroke();
        ctx.restore();
        Ok(())
    }

    /// The scores against x: p's, q_σ's, the model at θ, and the ISM and DSM optima.
    #[wasm_bindgen(js_name = drawScores)]
    pub fn draw_scores(
        &self,
        canvas: &HtmlCanvasElement,
        dpr: f64,
        dark: bool,
    ) -> Result<(), JsError> {
        let dpr = dpr_ok(dpr);
        let p = self.sm.target();
        let (m, sd) = (p.mean(), p.variance().sqrt());
        let (lo, hi) = (m - 3.0 * sd, m + 3.0 * sd);
        let xs: Vec<f64> = (0..=300)
            .map(|k| lo + (hi - lo) * k as f64 / 300.0)
            .collect();
        let q = self.sm.noised_target();
        let line =
            |t: [f64; 2]| -> Vec<(f64, f64)> { xs.iter().map(|&x| (x, t[0] * x + t[1])).collect() };
        let sp: Vec<(f64, f64)> = xs.iter().map(|&x| (x, p.score(x))).collect();
        let sq: Vec<(f64, f64)> = xs.iter().map(|&x| (x, q.score(x))).collect();
        let (li, ld, lt) = (
            line(self.sm.exact(Objective::Implicit).argmin()),
            line(self.sm.exact(Objective::Denoising).argmin()),
            line(self.theta),
        );
        let pal = palette(dark);
        let theme = ChartTheme::for_theme(dark);
        let s = [
            Series {
                label: "p",
                color: theme.fg,
                points: &sp,
                width: 2.5,
            },
            Series {
                label: "q_σ",
                color: pal[3],
                points: &sq,
                width: 2.0,
            },
            Series {
                label: "ISM opt.",
                color: pal[0],
                points: &li,
                width: 2.0,
            },
            Series {
                label: "DSM opt.",
                color: pal[1],
                points: &ld,
                width: 2.0,
            },
            Series {
                label: "θ",
                color: pal[2],
                points: &lt,
                width: 1.5,
            },
        ];
        let root = CanvasBackend::with_canvas_object(canvas.clone())
            .ok_or_else(|| JsError::new("plotters could not use the canvas"))?
            .into_drawing_area();
        draw_multi_chart(&root, &s, "x", "score s(x)", false, dpr, &theme)
            .map_err(|e| JsError::new(&e))?;
        root.present()
            .map_err(|e| JsError::new(&format!("{e:?}")))?;
        Ok(())
    }

    /// The (a, b) under canvas pixel (`px`, `py`) of the level-line plot.
    #[wasm_bindgen(js_name = pixelToTheta)]
    pub fn pixel_to_theta(
        &self,
        canvas: &HtmlCanvasElement,
        px: f64,
        py: f64,
        dpr: f64,
    ) -> Vec<f64> {
        let (rect, view) = layout(canvas, self.param_box(), dpr_ok(dpr));
        crate::chart::pixel_to_data(rect, view, px, py).to_vec()
    }
}

/// Like `draw::blit_with_axes`, with one decimal on the ticks (parameters are O(1)) and the
/// axes named a and b.
fn blit_param_axes(
    canvas: &HtmlCanvasElement,
    rgba: &[u8],
    rect: PlotRect,
    view: [f64; 4],
    dpr: f64,
    dark: bool,
) -> Result<(), JsError> {
    let ctx = context(canvas)?;
    let theme = ChartTheme::for_theme(dark);
    ctx.set_fill_style_str(&css(theme.bg));
    ctx.fill_rect(0.0, 0.0, canvas.width() as f64, canvas.height() as f64);
    let img = ImageData::new_with_u8_clamped_array_and_sh(Clamped(rgba), rect.width, rect.height)
        .map_err(|e| js_err("ImageData failed", e))?;
    ctx.put_image_data(&img, rect.left as f64, rect.top as f64)
        .map_err(|e| js_err("putImageData failed", e))?;
    let root = CanvasBackend::with_canvas_object(canvas.clone())
        .ok_or_else(|| JsError::new("plotters could not use the canvas"))?
        .into_drawing_area();
    let font = ("sans-serif", 12.0 * dpr).into_font().color(&theme.fg);
    // the same margins as `chart::plot_rect`, so that the image sits exactly in the plot area
    let mut chart = ChartBuilder::on(&root)
        .margin((8.0 * dpr).round() as u32)
        .x_label_area_size((24.0 * dpr).round() as u32)
        .y_label_area_size((34.0 * dpr).round() as u32)
        .build_cartesian_2d(view[0]..view[1], view[2]..view[3])
        .map_err(|e| JsError::new(&format!("{e:?}")))?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(5)
        .y_labels(5)
        .label_style(font)
        .axis_style(theme.fg.stroke_width(dpr.round().max(1.0) as u32))
        .x_label_formatter(&|v| tick(*v))
        .y_label_formatter(&|v| tick(*v))
        .draw()
        .map_err(|e| JsError::new(&format!("{e:?}")))?;
    root.present()
        .map_err(|e| JsError::new(&format!("{e:?}")))?;
    Ok(())
}

/// A tick label with one decimal, and "0" rather than "-0.0".
fn tick(v: f64) -> String {
    if v.abs() < 0.05 {
        "0".into()
    } else {
        format!("{v:.1}")
    }
}
