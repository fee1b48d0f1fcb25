//! `MleWidget`: the handle behind `<sb-mle>` (maximum likelihood from samples).
//!
//! n samples of a known 2D mixture p are fitted by a Gaussian (closed form) or by a K-component
//! mixture (EM, one iteration per `step`). Readouts compare the training and held-out
//! log-likelihoods with the ceiling −H(p), give the true D_KL(p‖q̂) by quadrature, and the
//! histogram KL of the samples against p with its exact i.i.d. floor (the estimator the later
//! sections reuse for particle clouds).

use super::draw::{blit_with_axes, layout};
use crate::chart::ChartTheme;
use crate::chart_multi::{draw_multi_chart, multi_chart_svg, palette, Series};
use crate::error::{check_range, Error};
use crate::histogram_kl::HistogramKl;
use crate::kl::em::Em;
use crate::kl::mle::{avg_loglik, gaussian_mle, MleSamples};
use crate::mixture::GaussianMixture;
use crate::particles::Particles;
use crate::presets::preset;
use crate::raster::{Palette, Raster};
use crate::viewport::Viewport;
use plotters::prelude::IntoDrawingArea;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

/// Maximum likelihood on samples of a known target.
#[wasm_bindgen]
pub struct MleWidget {
    target_name: String,
    samples: MleSamples,
    cloud: Particles,
    components: usize,
    seed: u32,
    em: Option<Em>,
    fit: GaussianMixture,
    /// (iteration, train, held-out) average log-likelihoods.
    history: Vec<[f64; 3]>,
    true_kl: f64,
    bins: usize,
    hist: HistogramKl,
    hist_kl: f64,
    raster: Raster,
    /// (n, true KL of a fresh fit on n samples) for the sample sizes traced so far.
    trace: Vec<(f64, f64)>,
}

/// Sample sizes of the KL-against-n trace.
const TRACE_N: [usize; 9] = [10, 30, 100, 300, 1_000, 3_000, 10_000, 30_000, 100_000];
/// EM iterations per traced fit (at most; it stops earlier once the average log-likelihood
/// gains less than 1e-8 per iteration).
const TRACE_EM: usize = 60;

fn check_int(name: &'static str, v: f64, lo: f64, hi: f64) -> Result<usize, Error> {
    check_range(name, v, lo, hi, false)?;
    if v.fract() != 0.0 {
        return Err(Error::invalid(
            name,
            format!("an integer in [{lo}, {hi}]"),
            v,
        ));
    }
    Ok(v as usize)
}

#[wasm_bindgen]
impl MleWidget {
    /// `samples` n ∈ [10, 100 000] of the preset `target`, a model with `components` K ∈ [0, 8]
    /// (0 = one Gaussian in closed form, K ≥ 1 = mixture by EM), histogram `bins` ∈ [2, 64] per
    /// side, and a seed.
    #[wasm_bindgen(constructor)]
    pub fn new(
        target: &str,
        samples: f64,
        components: f64,
        bins: f64,
        seed: u32,
    ) -> Result<MleWidget, JsError> {
        let n = check_int("samples", samples, 10.0, 100_000.0)?;
        let k = check_int("components", components, 0.0, 8.0)?;
        let bins = check_int("bins", bins, 2.0, 64.0)?;
        let p = preset(target)?;
        let hist = HistogramKl::new(&p, p.view_box(), bins);
        let s = MleSamples::draw(p, n, seed as u64)?;
        let mut w = MleWidget {
            target_name: target.to_string(),
            cloud: Particles {
                xs: vec![],
                ys: vec![],
            },
            samples: s,
            components: k,
            seed,
            em: None,
            fit: preset("gaussian")?,
            history: vec![],
            true_kl: f64::NAN,
            bins,
            hist,
            hist_kl: f64::NAN,
            raster: Raster::default(),
            trace: vec![],
        };
        w.refit()?;
        Ok(w)
    }

    /// Redraws the samples (same target) and refits from scratch.
    fn redraw_samples(&mut self, n: usize) -> Result<(), Error> {
        self.samples = self.samples.resample(n, self.seed as u64)?;
        self.refit()
    }

    fn refit(&mut self) -> Result<(), Error> {
        let train = self.samples.train();
        self.cloud = Particles {
            xs: train.iter().map(|p| p[0] as f32).collect(),
            ys: train.iter().map(|p| p[1] as f32).collect(),
        };
        self.hist_kl = self.hist.kl(&self.cloud);
        self.history.clear();
        if self.components == 0 {
            self.em = None;
            self.fit = GaussianMixture::new(&[1.0], vec![gaussian_mle(train)?])?;
        } else {
            let em = Em::new(
                train.to_vec(),
                self.components.min(train.len()),
                self.seed as u64,
            )?;
            self.fit = em.mixture()?;
            self.em = Some(em);
        }
        self.score();
        Ok(())
    }

    fn score(&mut self) {
        let it = self.em.as_ref().map_or(0, |e| e.iterations()) as f64;
        let train = self.em.as_ref().map_or_else(
            || avg_loglik(&self.fit, self.samples.train()),
            |e| e.loglik(),
        );
        let test = avg_loglik(&self.fit, self.samples.test());
        self.history.push([it, train, test]);
        // the quadrature KL costs ~300 000 density evaluations: computed when read
        self.true_kl = f64::NAN;
    }

    /// `n` ∈ [1, 1000] EM iterations (none for the Gaussian, which is fitted in closed form).
    pub fn step(&mut self, n: f64) -> Result<(), JsError> {
        let n = check_int("steps", n, 1.0, 1000.0)?;
        let Some(em) = self.em.as_mut() else {
            return Ok(());
        };
        for k in 0..n {
            em.step();
            if k + 1 < n {
                // the curves get every iteration; the quadrature KL only the last
                let m = em.mixture()?;
                self.history.push([
                    em.iterations() as f64,
                    em.loglik(),
                    avg_loglik(&m, self.samples.test()),
                ]);
            }
        }
        self.fit = em.mixture()?;
        self.score();
        Ok(())
    }

    /// New samples from a new seed, refit.
    pub fn reset(&mut self, seed: u32) -> Result<(), JsError> {
        self.seed = seed;
        self.trace.clear();
        let n = self.samples.train().len();
        Ok(self.redraw_samples(n)?)
    }

    /// A new sample size n ∈ [10, 100 000] (new samples, refit).
    #[wasm_bindgen(js_name = setSamples)]
    pub fn set_samples(&mut self, n: f64) -> Result<(), JsError> {
        let n = check_int("samples", n, 10.0, 100_000.0)?;
        Ok(self.redraw_samples(n)?)
    }

    /// A new model: K ∈ [0, 8] (0 = Gaussian); refit.
    #[wasm_bindgen(js_name = setComponents)]
    pub fn set_components(&mut self, k: f64) -> Result<(), JsError> {
        self.components = check_int("components", k, 0.0, 8.0)?;
        self.trace.clear();
        Ok(self.refit()?)
    }

    /// A new target preset (new samples, refit).
    #[wasm_bindgen(js_name = setTarget)]
    pub fn set_target(&mut self, target: &str) -> Result<(), JsError> {
        let p = preset(target)?;
        self.hist = HistogramKl::new(&p, p.view_box(), self.bins);
        self.samples = MleSamples::draw(p, self.samples.train().len(), self.seed as u64)?;
        self.target_name = target.to_string();
        self.raster = Raster::default();
        self.trace.clear();
        Ok(self.refit()?)
    }

    /// Histogram cells per side, B ∈ [2, 64].
    #[wasm_bindgen(js_name = setBins)]
    pub fn set_bins(&mut self, bins: f64) -> Result<(), JsError> {
        self.bins = check_int("bins", bins, 2.0, 64.0)?;
        let p = self.samples.target();
        self.hist = HistogramKl::new(p, p.view_box(), self.bins);
        self.hist_kl = self.hist.kl(&self.cloud);
        Ok(())
    }

    /// Training samples n.
    #[wasm_bindgen(getter)]
    pub fn samples(&self) -> usize {
        self.samples.train().len()
    }
    /// EM iterations so far (0 for the Gaussian).
    #[wasm_bindgen(getter)]
    pub fn iterations(&self) -> f64 {
        self.em.as_ref().map_or(0, |e| e.iterations()) as f64
    }
    /// Components K (0 = Gaussian).
    #[wasm_bindgen(getter)]
    pub fn components(&self) -> usize {
        self.components
    }
    /// The target's name.
    #[wasm_bindgen(getter, js_name = targetName)]
    pub fn target_name(&self) -> String {
        self.target_name.clone()
    }
    /// Average log-likelihood of the fit on the training samples.
    #[wasm_bindgen(js_name = trainLoglik)]
    pub fn train_loglik(&self) -> f64 {
        self.history.last().map_or(f64::NAN, |h| h[1])
    }
    /// Average log-likelihood of the fit on the 10 000 held-out samples.
    #[wasm_bindgen(js_name = testLoglik)]
    pub fn test_loglik(&self) -> f64 {
        self.history.last().map_or(f64::NAN, |h| h[2])
    }
    /// H(p) by quadrature.
    pub fn entropy(&self) -> f64 {
        self.samples.entropy_p()
    }
    /// The true D_KL(p‖q̂) by quadrature (computed on first read after a change).
    #[wasm_bindgen(js_name = trueKl)]
    pub fn true_kl(&mut self) -> f64 {
        if self.true_kl.is_nan() {
            self.true_kl = self.samples.true_kl(&self.fit);
        }
        self.true_kl
    }
    /// Plug-in KL(p̂‖p) of the training samples' histogram (B² cells plus one outside).
    #[wasm_bindgen(js_name = histogramKl)]
    pub fn histogram_kl(&self) -> f64 {
        self.hist_kl
    }
    /// E[KL(p̂‖p)] for n exact samples: the histogram estimator's bias.
    #[wasm_bindgen(js_name = histogramKlFloor)]
    pub fn histogram_kl_floor(&self) -> f64 {
        self.hist.floor(self.samples.train().len())
    }
    /// Histogram cells B (including the outside cell).
    #[wasm_bindgen(js_name = histogramCells)]
    pub fn histogram_cells(&self) -> usize {
        self.hist.cells()
    }
    /// The fitted mixture, flat [w, mx, my, σxx, σxy, σyy, …].
    #[wasm_bindgen(js_name = fitFlat)]
    pub fn fit_flat(&self) -> Vec<f64> {
        self.fit
            .weights()
            .iter()
            .zip(self.fit.components())
            .flat_map(|(w, c)| {
                let (m, s) = (c.mean(), c.cov());
                [*w, m[0], m[1], s[0], s[1], s[2]]
            })
            .collect()
    }
    /// The training samples, flat [x₀, y₀, x₁, …].
    #[wasm_bindgen(js_name = trainFlat)]
    pub fn train_flat(&self) -> Vec<f64> {
        self.samples.train().iter().flatten().copied().collect()
    }
    /// The log-likelihood curves, flat [iteration, train, held-out, …].
    pub fn history(&self) -> Vec<f64> {
        self.history.iter().flatten().copied().collect()
    }

    /// Fits the current model family to fresh samples of the next traced size (10, 30, …, 100 000;
    /// seeded by the widget's seed and n) and records its true KL. Returns whether sizes remain.
    #[wasm_bindgen(js_name = traceNext)]
    pub fn trace_next(&mut self) -> Result<bool, JsError> {
        let Some(&n) = TRACE_N.get(self.trace.len()) else {
            return Ok(false);
        };
        let s = self
            .samples
            .resample(n, ((n as u64) << 32) ^ self.seed as u64)?;
        let fit = if self.components == 0 {
            GaussianMixture::new(&[1.0], vec![gaussian_mle(s.train())?])?
        } else {
            let mut em = Em::new(s.train().to_vec(), self.components.min(n), self.seed as u64)?;
            for _ in 0..TRACE_EM {
                let before = em.loglik();
                em.step();
                if em.loglik() - before < 1e-8 {
                    break;
                }
            }
            em.mixture()?
        };
        self.trace.push((n as f64, s.true_kl(&fit)));
        Ok(self.trace.len() < TRACE_N.len())
    }

    /// The trace, flat [n, KL, …].
    #[wasm_bindgen(js_name = traceFlat)]
    pub fn trace_flat(&self) -> Vec<f64> {
        self.trace.iter().flat_map(|&(n, k)| [n, k]).collect()
    }

    /// Number of free parameters of the model family: 5 for one Gaussian, 6K − 1 for K components.
    #[wasm_bindgen(js_name = parameterCount)]
    pub fn parameter_count(&self) -> usize {
        if self.components == 0 {
            5
        } else {
            6 * self.components - 1
        }
    }

    /// The true KL of fresh fits against n (log–log), with (#parameters)/(2n), the expected excess
    /// when the family contains p.
    #[wasm_bindgen(js_name = drawTrace)]
    pub fn draw_trace(
        &self,
        canvas: &HtmlCanvasElement,
        dpr: f64,
        dark: bool,
    ) -> Result<(), JsError> {
        let root = CanvasBackend::with_canvas_object(canvas.clone())
            .ok_or_else(|| JsError::new("plotters could not use the canvas"))?
            .into_drawing_area();
        let pal = palette(dark);
        let theme = ChartTheme::for_theme(dark);
        let k: Vec<(f64, f64)> = self.trace.iter().map(|&(n, v)| (n.log10(), v)).collect();
        let d = self.parameter_count() as f64;
        let r: Vec<(f64, f64)> = TRACE_N
            .iter()
            .map(|&n| ((n as f64).log10(), d / (2.0 * n as f64)))
            .collect();
        let s = [
            Series {
                label: "true KL(p‖q̂) of a fresh fit",
                color: pal[0],
                points: &k,
                width: 2.0,
            },
            Series {
                label: "(#parameters)/(2n)",
                color: theme.reference,
                points: &r,
                width: 1.5,
            },
        ];
        draw_multi_chart(&root, &s, "log10 n", "KL (nats)", true, dpr_ok(dpr), &theme)
            .map_err(|e| JsError::new(&e))?;
        root.present()
            .map_err(|e| JsError::new(&format!("{e:?}")))?;
        Ok(())
    }

    /// The fitted density with the training samples on top.
    pub fn draw(
        &mut self,
        canvas: &HtmlCanvasElement,
        dpr: f64,
        dark: bool,
    ) -> Result<(), JsError> {
        let dpr = dpr_ok(dpr);
        let (rect, view) = layout(canvas, self.samples.target().view_box(), dpr);
        let vp = Viewport {
            data: view,
            width: rect.width as usize,
            height: rect.height as usize,
        };
        let pal = Palette::for_theme(dark);
        // the fit changes every EM iteration: shade on a grid of about 160 × 160 nodes and
        // interpolate (a smooth density; the pixels in between cost no density evaluation)
        let stride = vp.width.max(vp.height).div_ceil(160).max(1);
        self.raster
            .render_density_coarse(&self.fit, &vp, &pal, stride);
        let n = self.cloud.len();
        let base = if n <= 1_000 {
            3.0
        } else if n <= 20_000 {
            2.0
        } else {
            1.0
        };
        self.raster.compose(
            &self.cloud,
            &vp,
            &pal,
            (base * dpr).round().clamp(1.0, 4.0) as usize,
        );
        blit_with_axes(canvas, self.raster.frame(), rect, view, dpr, dark)
    }

    fn curves(&self) -> ([Vec<(f64, f64)>; 3], bool) {
        let h = -self.samples.entropy_p();
        let xs: Vec<f64> = self.history.iter().map(|r| r[0]).collect();
        let x_max = xs.last().copied().unwrap_or(0.0).max(1.0);
        (
            [
                self.history.iter().map(|r| (r[0], r[1])).collect(),
                self.history.iter().map(|r| (r[0], r[2])).collect(),
                vec![(0.0, h), (x_max, h)],
            ],
            self.em.is_some(),
        )
    }

    /// Training and held-out average log-likelihood against EM iteration, with −H(p).
    #[wasm_bindgen(js_name = drawChart)]
    pub fn draw_chart(
        &self,
        canvas: &HtmlCanvasElement,
        dpr: f64,
        dark: bool,
    ) -> Result<(), JsError> {
        let root = CanvasBackend::with_canvas_object(canvas.clone())
            .ok_or_else(|| JsError::new("plotters could not use the canvas"))?
            .into_drawing_area();
        let (c, _) = self.curves();
        let pal = palette(dark);
        let theme = ChartTheme::for_theme(dark);
        let s = [
            Series {
                label: "training samples",
                color: pal[0],
                points: &c[0],
                width: 2.0,
            },
            Series {
                label: "held-out samples",
                color: pal[1],
                points: &c[1],
                width: 2.0,
            },
            Series {
                label: "ceiling −H(p)",
                color: theme.reference,
                points: &c[2],
                width: 1.5,
            },
        ];
        draw_multi_chart(
            &root,
            &s,
            "EM iteration",
            "average log-likelihood",
            false,
            dpr_ok(dpr),
            &theme,
        )
        .map_err(|e| JsError::new(&e))?;
        root.present()
            .map_err(|e| JsError::new(&format!("{e:?}")))?;
        Ok(())
    }

    /// The chart as SVG.
    #[wasm_bindgen(js_name = chartSvg)]
    pub fn chart_svg(&self, width: u32, height: u32, dark: bool) -> Result<String, JsError> {
        let (c, _) = self.curves();
        let pal = palette(dark);
        let theme = ChartTheme::for_theme(dark);
        let s = [
            Series {
                label: "training samples",
                color: pal[0],
                points: &c[0],
                width: 2.0,
            },
            Series {
                label: "held-out samples",
                color: pal[1],
                points: &c[1],
                width: 2.0,
            },
            Series {
                label: "ceiling −H(p)",
                color: theme.reference,
                points: &c[2],
                width: 1.5,
            },
        ];
        multi_chart_svg(
            &s,
            "EM iteration",
            "average log-likelihood",
            false,
            (width.clamp(100, 4000), height.clamp(80, 4000)),
            dark,
        )
        .map_err(|e| JsError::new(&e))
    }
}

fn dpr_ok(dpr: f64) -> f64 {
    if dpr.is_finite() && dpr > 0.0 {
        dpr.clamp(0.5, 4.0)
    } else {
        1.0
    }
}
