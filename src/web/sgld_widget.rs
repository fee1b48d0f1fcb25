//! `SgldWidget`: the handle behind `<sb-sgld>` (stochastic-gradient Langevin dynamics).
//!
//! Two SGLD chains on the same conjugate posterior, data and batch size, from θ₀ = 0: one with
//! the decreasing schedule ε_t = a(b + t)^(−γ), one with a constant step. Each keeps ε-weighted
//! moments and a histogram in units of the posterior standard deviation. A constant-step chain
//! past its stability limit stops alone and reports it. JS calls `step(k)` per frame, then the
//! draw methods, and reads small values.

use crate::chart::ChartTheme;
use crate::chart_multi::{draw_multi_chart_at, multi_chart_svg, palette, Series};
use crate::error::Error;
use crate::sgld::{check_batch, ConjugateGaussian, Sgld, StepSchedule};
use crate::weighted_histogram::WeightedHistogram;
use plotters::prelude::IntoDrawingArea;
use plotters::prelude::SeriesLabelPosition;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

/// Burn-in steps before the moments and histograms start.
const BURN_IN: u64 = 1000;
/// Histogram range in posterior standard deviations, and bins.
const Z_RANGE: f64 = 6.0;
const BINS: usize = 60;
/// History points kept (older ones thinned 2:1).
const HISTORY_MAX: usize = 500;

fn dpr_ok(dpr: f64) -> f64 {
    if dpr.is_finite() && dpr > 0.0 {
        dpr.clamp(0.5, 4.0)
    } else {
        1.0
    }
}

struct Chain {
    sgld: Sgld,
    hist: WeightedHistogram,
    error: Option<String>,
}

impl Chain {
    fn new(
        model: &ConjugateGaussian,
        s: StepSchedule,
        batch: f64,
        seed: u32,
    ) -> Result<Chain, Error> {
        Ok(Chain {
            sgld: Sgld::new(model.clone(), s, batch, BURN_IN, seed as u64)?,
            hist: WeightedHistogram::new(-Z_RANGE, Z_RANGE, BINS),
            error: None,
        })
    }

    fn step(&mut self, pm: f64, psd: f64) {
        if self.error.is_some() {
            return;
        }
        match self.sgld.step() {
            Ok((th, w)) => {
                if w > 0.0 {
                    self.hist.add((th - pm) / psd, w);
                }
            }
            Err(e) => self.error = Some(e.to_string()),
        }
    }
}

/// Decreasing-step and constant-step SGLD on one posterior.
#[wasm_bindgen]
pub struct SgldWidget {
    model: ConjugateGaussian,
    theta_true: f64,
    a: f64,
    b: f64,
    gamma: f64,
    constant: f64,
    batch: f64,
    seed: u32,
    dec: Chain,
    con: Chain,
    /// (step, mean dec, var dec, mean const, var const), in posterior units
    history: Vec<[f64; 5]>,
    stride: u64,
}

#[wasm_bindgen]
impl SgldWidget {
    /// A widget with `data_size` N ∈ [1, 100 000] observations y_i ~ N(`theta_true`, 1)
    /// (|θ_true| ≤ 10) drawn with `seed`, prior N(0, 1), batches of `batch` ∈ [1, N], the
    /// schedule ε_t = `a`(`b` + t)^(−`gamma`) (a ∈ (0, 10], b > 0, γ ∈ (0.5, 1]) and a constant
    /// step `constant` ∈ (0, 10].
    #[wasm_bindgen(constructor)]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        data_size: f64,
        theta_true: f64,
        batch: f64,
        a: f64,
        b: f64,
        gamma: f64,
        constant: f64,
        seed: u32,
    ) -> Result<SgldWidget, JsError> {
        let model = ConjugateGaussian::synthetic(data_size, theta_true, seed as u64)?;
        let dec = Chain::new(&model, StepSchedule::decreasing(a, b, gamma)?, batch, seed)?;
        let con = Chain::new(&model, StepSchedule::constant(constant)?, batch, seed)?;
        let mut w = SgldWidget {
            model,
            theta_true,
            a,
            b,
            gamma,
            constant,
            batch,
            seed,
            dec,
            con,
            history: vec![],
            stride: 100,
        };
        w.record();
        Ok(w)
    }

    /// Restarts both chains (and redraws the data) with `seed`.
    pub fn reset(&mut self, seed: u32) -> Result<(), JsError> {
        let model =
            ConjugateGaussian::synthetic(self.model.len() as f64, self.theta_true, seed as u64)?;
        self.dec = Chain::new(
            &model,
            StepSchedule::decreasing(self.a, self.b, self.gamma)?,
            self.batch,
            seed,
        )?;
        self.con = Chain::new(
            &model,
            StepSchedule::constant(self.constant)?,
            self.batch,
            seed,
        )?;
        self.model = model;
        self.seed = seed;
        self.history.clear();
        self.stride = 100;
        self.record();
        Ok(())
    }

    /// Changes every parameter (validated first, nothing changes on an error) and restarts.
    #[wasm_bindgen(js_name = setParameters)]
    pub fn set_parameters(
        &mut self,
        data_size: f64,
        batch: f64,
        a: f64,
        b: f64,
        gamma: f64,
        constant: f64,
    ) -> Result<(), JsError> {
        let model = ConjugateGaussian::synthetic(data_size, self.theta_true, self.seed as u64)?;
        check_batch(batch, model.len())?;
        StepSchedule::decreasing(a, b, gamma)?;
        StepSchedule::constant(constant)?;
        self.model = model;
        (self.batch, self.a, self.b, self.gamma, self.constant) = (batch, a, b, gamma, constant);
        self.reset(self.seed)
    }

    /// Runs `k` ≤ 1 000 000 steps of both chains. Throws when the decreasing-step chain
    /// diverges; the constant-step chain stops alone and reports `constantError`.
    pub fn step(&mut self, k: u32) -> Result<(), JsError> {
        if k > 1_000_000 {
            return Err(Error::invalid("k", "an integer in [0, 1000000]", k).into());
        }
        let (pm, psd) = (
            self.model.posterior_mean(),
            self.model.posterior_variance().sqrt(),
        );
        for _ in 0..k {
            self.dec.step(pm, psd);
            if let Some(e) = &self.dec.error {
                return Err(JsError::new(e));
            }
            self.con.step(pm, psd);
            let t = self.dec.sgld.steps();
            if t % self.stride == 0 {
                self.record();
            }
        }
        Ok(())
    }

    fn record(&mut self) {
        let t = self.dec.sgld.steps() as f64;
        if self.history.last().map(|h| h[0]) == Some(t) {
            return;
        }
        let (pm, pv) = (self.model.posterior_mean(), self.model.posterior_variance());
        let psd = pv.sqrt();
        let m = |c: &Chain| {
            if c.error.is_some() || c.sgld.weight() == 0.0 {
                [f64::NAN; 2]
            } else {
                [(c.sgld.mean() - pm) / psd, c.sgld.variance() / pv]
            }
        };
        let (d, c) = (m(&self.dec), m(&self.con));
        self.history.push([t, d[0], d[1], c[0], c[1]]);
        if self.history.len() > HISTORY_MAX {
            let thinned: Vec<_> = self.history.iter().step_by(2).copied().collect();
            self.history = thinned;
            self.stride *= 2;
        }
    }

    /// Steps completed.
    #[wasm_bindgen(getter)]
    pub fn steps(&self) -> f64 {
        self.dec.sgld.steps() as f64
    }

    /// N.
    #[wasm_bindgen(getter, js_name = dataSize)]
    pub fn data_size(&self) -> usize {
        self.model.len()
    }

    /// The exact posterior [mean, variance].
    pub fn posterior(&self) -> Vec<f64> {
        vec![self.model.posterior_mean(), self.model.posterior_variance()]
    }

    /// The decreasing-step chain's ε-weighted [mean, variance] (NaN during burn-in).
    #[wasm_bindgen(js_name = decreasingMoments)]
    pub fn decreasing_moments(&self) -> Vec<f64> {
        moments(&self.dec)
    }

    /// The constant-step chain's ε-weighted [mean, variance] (NaN during burn-in or after its
    /// divergence).
    #[wasm_bindgen(js_name = constantMoments)]
    pub fn constant_moments(&self) -> Vec<f64> {
        moments(&self.con)
    }

    /// The exact stationary variance of the constant-step chain (1 + εV_g/4)/(P(1 − εP/4)), or
    /// `undefined` when ε ≥ 4/P.
    #[wasm_bindgen(js_name = constantStepVariance)]
    pub fn constant_step_variance(&self) -> Option<f64> {
        self.model
            .constant_step_variance(self.constant, self.batch as usize)
    }

    /// The stability limit 4/P of a constant step.
    #[wasm_bindgen(getter, js_name = stepLimit)]
    pub fn step_limit(&self) -> f64 {
        4.0 / self.model.precision()
    }

    /// V_g, the variance of the minibatch gradient term (N/n)Σ_B y_i.
    #[wasm_bindgen(getter, js_name = gradientNoiseVariance)]
    pub fn gradient_noise_variance(&self) -> f64 {
        self.model.gradient_noise_variance(self.batch as usize)
    }

    /// The decreasing chain's current step ε_t.
    #[wasm_bindgen(getter, js_name = currentStep)]
    pub fn current_step(&self) -> f64 {
        self.dec.sgld.next_step_size()
    }

    /// The decreasing chain's current θ.
    #[wasm_bindgen(getter)]
    pub fn theta(&self) -> f64 {
        self.dec.sgld.theta()
    }

    /// The constant-step chain's divergence message, or `undefined`.
    #[wasm_bindgen(getter, js_name = constantError)]
    pub fn constant_error(&self) -> Option<String> {
        self.con.error.clone()
    }

    /// The seed of the current run (data and chains).
    #[wasm_bindgen(getter)]
    pub fn seed(&self) -> u32 {
        self.seed
    }

    /// Both chains' current θ as a string of exact bits, "dec:const" (to compare runs).
    pub fn checksum(&self) -> String {
        format!(
            "{:016x}:{:016x}",
            self.dec.sgld.theta().to_bits(),
            self.con.sgld.theta().to_bits()
        )
    }

    fn hist_curves(&self) -> Vec<Vec<(f64, f64)>> {
        let exact: Vec<(f64, f64)> = (0..=240)
            .map(|i| {
                let z = -Z_RANGE + 2.0 * Z_RANGE * i as f64 / 240.0;
                (
                    z,
                    (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt(),
                )
            })
            .collect();
        let mut c = vec![self.dec.hist.outline(), self.con.hist.outline(), exact];
        if let Some(v) = self.constant_step_variance() {
            let r = v / self.model.posterior_variance();
            c.push(
                (0..=240)
                    .map(|i| {
                        let z = -Z_RANGE + 2.0 * Z_RANGE * i as f64 / 240.0;
                        (
                            z,
                            (-0.5 * z * z / r).exp() / (2.0 * std::f64::consts::PI * r).sqrt(),
                        )
                    })
                    .collect(),
            );
        }
        c
    }

    /// The histogram's curves, without a legend (it would cover the peak on narrow screens; the
    /// caption names the colours), unless `legend`.
    fn hist_series<'a>(c: &'a [Vec<(f64, f64)>], dark: bool, legend: bool) -> Vec<Series<'a>> {
        let pal = palette(dark);
        let theme = ChartTheme::for_theme(dark);
        let l = |s: &'a str| if legend { s } else { "" };
        let mut s = vec![
            Series {
                label: l("decreasing ε_t"),
                color: pal[0],
                points: &c[0],
                width: 2.0,
            },
            Series {
                label: l("constant ε"),
                color: pal[1],
                points: &c[1],
                width: 2.0,
            },
            Series {
                label: l("exact posterior"),
                color: theme.fg,
                points: &c[2],
                width: 1.5,
            },
        ];
        if c.len() > 3 {
            s.push(Series {
                label: l("exact, constant-ε chain"),
                color: pal[2],
                points: &c[3],
                width: 1.5,
            });
        }
        s
    }

    /// The ε-weighted histograms of both chains in posterior standard deviations from the exact
    /// mean, with the exact posterior N(0, 1) and the exact law of the constant-step chain.
    #[wasm_bindgen(js_name = drawHistogram)]
    pub fn draw_histogram(
        &self,
        canvas: &HtmlCanvasElement,
        dpr: f64,
        dark: bool,
    ) -> Result<(), JsError> {
        let c = self.hist_curves();
        let s = Self::hist_series(&c, dark, false);
        draw(
            canvas,
            &s,
            "(θ − posterior mean) / posterior sd",
            "density",
            dpr,
            dark,
            SeriesLabelPosition::UpperRight,
        )
    }

    /// The histogram chart as SVG.
    #[wasm_bindgen(js_name = histogramSvg)]
    pub fn histogram_svg(&self, width: u32, height: u32, dark: bool) -> Result<String, JsError> {
        let c = self.hist_curves();
        let s = Self::hist_series(&c, dark, true);
        multi_chart_svg(
            &s,
            "(θ − posterior mean) / posterior sd",
            "density",
            false,
            (width.clamp(100, 4000), height.clamp(80, 4000)),
            dark,
        )
        .map_err(|e| JsError::new(&e))
    }

    fn run_curves(&self, col: usize) -> Vec<Vec<(f64, f64)>> {
        let end = self.history.last().map(|h| h[0]).unwrap_or(1.0).max(1.0) / 1000.0;
        let mut c = vec![
            self.history
                .iter()
                .map(|h| (h[0] / 1000.0, h[col]))
                .collect(),
            self.history
                .iter()
                .map(|h| (h[0] / 1000.0, h[col + 2]))
                .collect(),
            vec![
                (0.0, (col == 2) as u8 as f64),
                (end, (col == 2) as u8 as f64),
            ],
        ];
        if col == 2 {
            if let Some(v) = self.constant_step_variance() {
                let r = v / self.model.posterior_variance();
                c.push(vec![(0.0, r), (end, r)]);
            }
        }
        c
    }

    /// The running ε-weighted mean (`which` 0, in posterior sds from the exact mean) or
    /// variance (`which` 1, relative to the posterior's) of both chains against step.
    #[wasm_bindgen(js_name = drawRunning)]
    pub fn draw_running(
        &self,
        canvas: &HtmlCanvasElement,
        which: u32,
        dpr: f64,
        dark: bool,
    ) -> Result<(), JsError> {
        let col = if which == 0 { 1 } else { 2 };
        let c = self.run_curves(col);
        let pal = palette(dark);
        let theme = ChartTheme::for_theme(dark);
        let mut s = vec![
            Series {
                label: "decreasing ε_t",
                color: pal[0],
                points: &c[0],
                width: 2.0,
            },
            Series {
                label: "constant ε",
                color: pal[1],
                points: &c[1],
                width: 2.0,
            },
            Series {
                label: "exact posterior",
                color: theme.fg,
                points: &c[2],
                width: 1.5,
            },
        ];
        if c.len() > 3 {
            s.push(Series {
                label: "exact, constant-ε chain",
                color: pal[2],
                points: &c[3],
                width: 1.5,
            });
        }
        let y = if which == 0 {
            "mean error (sds)"
        } else {
            "variance ratio"
        };
        // the variance curves sit near 1 and near the constant chain's ratio: the legend goes
        // between them
        let at = if which == 0 {
            SeriesLabelPosition::UpperRight
        } else {
            SeriesLabelPosition::MiddleRight
        };
        draw(canvas, &s, "step (thousands)", y, dpr, dark, at)
    }

    /// The history as flat rows [step, mean dec, var dec, mean const, var const] in posterior
    /// units (mean error in sds, variance ratio).
    pub fn history(&self) -> Vec<f64> {
        self.history
            .iter()
            .flat_map(|h| h.iter().copied())
            .collect()
    }
}

fn moments(c: &Chain) -> Vec<f64> {
    if c.error.is_some() || c.sgld.weight() == 0.0 {
        vec![f64::NAN; 2]
    } else {
        vec![c.sgld.mean(), c.sgld.variance()]
    }
}

fn draw(
    canvas: &HtmlCanvasElement,
    s: &[Series],
    x: &str,
    y: &str,
    dpr: f64,
    dark: bool,
    legend: SeriesLabelPosition,
) -> Result<(), JsError> {
    let root = CanvasBackend::with_canvas_object(canvas.clone())
        .ok_or_else(|| JsError::new("plotters could not use the canvas"))?
        .into_drawing_area();
    draw_multi_chart_at(
        &root,
        s,
        x,
        y,
        false,
        dpr_ok(dpr),
        &ChartTheme::for_theme(dark),
        legend,
    )
    .map_err(|e| JsError::new(&e))?;
    root.present()
        .map_err(|e| JsError::new(&format!("{e:?}")))?;
    Ok(())
}
