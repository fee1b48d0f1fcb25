//! `Sda1dWidget`: the handle behind `<sb-sda-1d>`.
//!
//! Three guided reverse runs of the same 1D problem with common random numbers, one per
//! likelihood rule (exact l, the Gaussian/Tweedie approximation, the naive rule), beside the
//! exact noised posterior p(x_t | y) at the current time (the Kalman posterior at t = 0 for a
//! Gaussian prior, a reweighted mixture for a bimodal one). JS calls `step(n)` per frame.

use crate::chart::ChartTheme;
use crate::chart_multi::{draw_multi_chart_at, multi_chart_svg_at, palette, Series};
use crate::error::{check_range, Error};
use crate::kl::mixture1::Mixture1;
use crate::sda::guidance::{scores, LikelihoodRule, TimeSlice};
use crate::sda::guided::{density_histogram, mass_below, mean_var, GuidedReverse, Start};
use crate::sda::prior1::{Mix, Ou1, Problem1};
use plotters::prelude::{IntoDrawingArea, RGBColor, SeriesLabelPosition};
use plotters_canvas::CanvasBackend;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

const BINS: usize = 80;
const CURVE: usize = 240;

struct Run {
    run: GuidedReverse,
    error: Option<String>,
}

/// The 1D score-based data-assimilation comparison.
#[wasm_bindgen]
pub struct Sda1dWidget {
    prior_name: String,
    runs: Vec<Run>,
    approx: LikelihoodRule,
    c_ratio: f64,
    steps: usize,
    particles: usize,
    range: [f64; 2],
    threshold: f64,
}

fn prior(name: &str) -> Result<Mixture1, Error> {
    match name {
        "gaussian" => Mixture1::new(&[1.0], &[1.0], &[0.5]),
        "bimodal" => Mixture1::new(&[0.3, 0.7], &[-2.0, 1.5], &[0.3, 0.5]),
        _ => Err(Error::invalid("prior", "gaussian or bimodal", name)),
    }
}

fn dpr_ok(dpr: f64) -> f64 {
    if dpr.is_finite() && dpr > 0.0 {
        dpr.clamp(0.5, 4.0)
    } else {
        1.0
    }
}

fn canvas_area(
    canvas: &HtmlCanvasElement,
) -> Result<plotters::drawing::DrawingArea<CanvasBackend, plotters::coord::Shift>, JsError> {
    Ok(CanvasBackend::with_canvas_object(canvas.clone())
        .ok_or_else(|| JsError::new("plotters could not use the canvas"))?
        .into_drawing_area())
}

#[wasm_bindgen]
impl Sda1dWidget {
    /// `prior` = `gaussian` (N(1, 0.5²)) or `bimodal` (0.3 N(−2, 0.3²) + 0.7 N(1.5, 0.5²)); the
    /// observation y ∈ [−4, 4] with noise sd λ ∈ [0.05, 2]; the approximation `approx` = tweedie |
    /// tweedie-full | gamma | zero (γ ∈ [0, 100] for gamma); the reverse noise c = `c_ratio`·b with
    /// `c_ratio` ∈ [0, 1]; K = `steps` ∈ [10, 5000]; `particles` ∈ [100, 200 000].
    #[allow(clippy::too_many_arguments)]
    #[wasm_bindgen(constructor)]
    pub fn new(
        prior_name: &str,
        y: f64,
        noise: f64,
        approx: &str,
        gamma: f64,
        c_ratio: f64,
        steps: f64,
        particles: f64,
        seed: u32,
    ) -> Result<Sda1dWidget, JsError> {
        check_range("y", y, -4.0, 4.0, false)?;
        check_range("observation noise", noise, 0.05, 2.0, false)?;
        check_range("c / b", c_ratio, 0.0, 1.0, false)?;
        check_range("steps", steps, 10.0, 5000.0, false)?;
        check_range("particles", particles, 100.0, 200_000.0, false)?;
        let approx = match LikelihoodRule::from_name(approx, gamma)? {
            LikelihoodRule::Exact | LikelihoodRule::Naive => {
                return Err(Error::invalid(
                    "approximation",
                    "one of tweedie, tweedie-full, gamma, zero",
                    approx,
                )
                .into())
            }
            r => r,
        };
        let p = prior(prior_name)?;
        let problem = Problem1::new(Ou1::standard(), &p, y, noise)?;
        let threshold = if p.means().len() == 2 {
            0.5 * (p.means()[0] + p.means()[1])
        } else {
            f64::NAN
        };
        let mut w = Sda1dWidget {
            prior_name: prior_name.into(),
            runs: vec![],
            approx,
            c_ratio,
            steps: steps as usize,
            particles: particles as usize,
            range: [-4.0, 4.0],
            threshold,
        };
        w.range = w.view(&problem);
        w.restart(problem, seed)?;
        Ok(w)
    }

    fn view(&self, problem: &Problem1) -> [f64; 2] {
        let (mut lo, mut hi) = (-3.5f64, 3.5f64);
        for mix in [problem.prior(), problem.posterior()] {
            for k in 0..mix.w.len() {
                lo = lo.min(mix.m[k] - 4.0 * mix.v[k].sqrt());
                hi = hi.max(mix.m[k] + 4.0 * mix.v[k].sqrt());
            }
        }
        [lo, hi]
    }

    fn restart(&mut self, problem: Problem1, seed: u32) -> Result<(), Error> {
        let c = self.c_ratio * problem.sde().b;
        self.runs = [LikelihoodRule::Exact, self.approx, LikelihoodRule::Naive]
            .into_iter()
            .map(|rule| {
                GuidedReverse::new(
                    problem.clone(),
                    rule,
                    c,
                    self.steps,
                    self.particles,
                    Start::Stationary,
                    seed as u64,
                )
                .map(|run| Run { run, error: None })
            })
            .collect::<Result<_, _>>()?;
        Ok(())
    }

    fn problem(&self) -> &Problem1 {
        self.runs[0].run.problem()
    }

    /// `n` ∈ [1, 5000] reverse steps of the three runs; false once t = 0. A run that diverges
    /// stops and reports (see `runError`); the others go on.
    pub fn step(&mut self, n: f64) -> Result<bool, JsError> {
        check_range("steps", n, 1.0, 5000.0, false)?;
        for _ in 0..n as usize {
            for r in self.runs.iter_mut().filter(|r| r.error.is_none()) {
                if let Err(e) = r.run.step() {
                    r.error = Some(e.to_string());
                }
            }
        }
        Ok(!self.runs[0].run.is_done())
    }

    /// A new run from `seed` with the same settings.
    pub fn reset(&mut self, seed: u32) -> Result<(), JsError> {
        let p = self.problem().clone();
        self.restart(p, seed)?;
        Ok(())
    }

    /// New settings (a new run from `seed`); arguments as in the constructor.
    #[allow(clippy::too_many_arguments)]
    pub fn configure(
        &mut self,
        prior_name: &str,
        y: f64,
        noise: f64,
        approx: &str,
        gamma: f64,
        c_ratio: f64,
        steps: f64,
        particles: f64,
        seed: u32,
    ) -> Result<(), JsError> {
        *self = Sda1dWidget::new(
            prior_name, y, noise, approx, gamma, c_ratio, steps, particles, seed,
        )?;
        Ok(())
    }

    /// The prior's name.
    #[wasm_bindgen(getter)]
    pub fn prior(&self) -> String {
        self.prior_name.clone()
    }
    /// Steps done.
    #[wasm_bindgen(getter, js_name = stepsDone)]
    pub fn steps_done(&self) -> f64 {
        self.runs[0].run.steps_done() as f64
    }
    /// The current time t.
    #[wasm_bindgen(getter)]
    pub fn time(&self) -> f64 {
        self.runs[0].run.time()
    }
    /// The split between the two modes (NaN for the Gaussian prior).
    #[wasm_bindgen(getter)]
    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    /// Run `which` (0 exact l, 1 approximation, 2 naive): [mean, variance, fraction below the
    /// threshold] of its particles at the current t, or NaNs after a divergence.
    pub fn moments(&self, which: usize) -> Vec<f64> {
        match self.runs.get(which) {
            Some(r) if r.error.is_none() => {
                let xs = r.run.particles();
                let (m, v) = mean_var(xs);
                let below = if self.threshold.is_nan() {
                    f64::NAN
                } else {
                    xs.iter().filter(|x| **x < self.threshold).count() as f64 / xs.len() as f64
                };
                vec![m, v, below]
            }
            _ => vec![f64::NAN; 3],
        }
    }

    /// The divergence message of run `which`, or an empty string.
    #[wasm_bindgen(js_name = runError)]
    pub fn run_error(&self, which: usize) -> String {
        self.runs
            .get(which)
            .and_then(|r| r.error.clone())
            .unwrap_or_default()
    }

    /// [mean, variance, mass below the threshold] of the exact p(x_t | y) at the current t.
    #[wasm_bindgen(js_name = exactMoments)]
    pub fn exact_moments(&self) -> Vec<f64> {
        let mix = self.problem().posterior_at(self.time());
        let below = if self.threshold.is_nan() {
            f64::NAN
        } else {
            mass_below(&mix, self.threshold)
        };
        vec![mix.mean(), mix.variance(), below]
    }

    /// [mean, variance] of the exact posterior p(x₀ | y) (the Kalman posterior for a Gaussian prior).
    #[wasm_bindgen(js_name = posteriorMoments)]
    pub fn posterior_moments(&self) -> Vec<f64> {
        let p = self.problem().posterior();
        vec![p.mean(), p.variance()]
    }

    /// [mean, variance] of the prior.
    #[wasm_bindgen(js_name = priorMoments)]
    pub fn prior_moments(&self) -> Vec<f64> {
        let p = self.problem().prior();
        vec![p.mean(), p.variance()]
    }

    fn curves(&self) -> Vec<Vec<(f64, f64)>> {
        let t = self.time();
        let [lo, hi] = self.range;
        let xs: Vec<f64> = (0..CURVE)
            .map(|i| lo + (hi - lo) * i as f64 / (CURVE - 1) as f64)
            .collect();
        let line = |m: &Mix| xs.iter().map(|&x| (x, m.density(x))).collect::<Vec<_>>();
        let mut c = vec![
            line(&self.problem().posterior_at(t)),
            line(&self.problem().prior_at(t)),
        ];
        let w = (hi - lo) / BINS as f64;
        for r in &self.runs {
            if r.error.is_some() {
                c.push(vec![]);
                continue;
            }
            let hgt = density_histogram(r.run.particles(), lo, hi, BINS);
            let mut pts = Vec::with_capacity(2 * BINS + 2);
            pts.push((lo, 0.0));
            for (k, v) in hgt.iter().enumerate() {
                pts.push((lo + k as f64 * w, *v));
                pts.push((lo + (k + 1) as f64 * w, *v));
            }
            pts.push((hi, 0.0));
            c.push(pts);
        }
        c
    }

    fn series<'a>(&self, c: &'a [Vec<(f64, f64)>], dark: bool, legend: bool) -> Vec<Series<'a>> {
        let pal = palette(dark);
        let theme = ChartTheme::for_theme(dark);
        let grey = if dark {
            RGBColor(140, 140, 150)
        } else {
            RGBColor(150, 150, 160)
        };
        let l = |s: &'a str| if legend { s } else { "" };
        vec![
            Series {
                label: l("exact p(x_t | y)"),
                color: theme.fg,
                points: &c[0],
                width: 3.0,
            },
            Series {
                label: l("prior p_t"),
                color: grey,
                points: &c[1],
                width: 1.2,
            },
            Series {
                label: l("exact l"),
                color: pal[0],
                points: &c[2],
                width: 1.5,
            },
            Series {
                label: l("Tweedie approx."),
                color: pal[1],
                points: &c[3],
                width: 1.5,
            },
            Series {
                label: l("naive"),
                color: pal[2],
                points: &c[4],
                width: 1.5,
            },
        ]
    }

    /// Histograms of the three clouds at the current t over p(x_t | y) and p_t.
    pub fn draw(&self, canvas: &HtmlCanvasElement, dpr: f64, dark: bool) -> Result<(), JsError> {
        let c = self.curves();
        let root = canvas_area(canvas)?;
        let legend = canvas.width() as f64 / dpr_ok(dpr) >= 480.0;
        draw_multi_chart_at(
            &root,
            &self.series(&c, dark, legend),
            "x_t",
            "density",
            false,
            dpr_ok(dpr),
            &ChartTheme::for_theme(dark),
            SeriesLabelPosition::UpperLeft,
        )
        .map_err(|e| JsError::new(&e))?;
        root.present()
            .map_err(|e| JsError::new(&format!("{e:?}")))?;
        Ok(())
    }

    /// The histogram chart as SVG.
    pub fn svg(&self, width: u32, height: u32, dark: bool) -> Result<String, JsError> {
        let c = self.curves();
        multi_chart_svg_at(
            &self.series(&c, dark, true),
            "x_t",
            "density",
            false,
            (width.clamp(100, 4000), height.clamp(80, 4000)),
            dark,
            SeriesLabelPosition::UpperLeft,
        )
        .map_err(|e| JsError::new(&e))
    }

    fn guidance_curves(&self) -> Vec<Vec<(f64, f64)>> {
        let p = self.problem();
        let slice = TimeSlice::new(p, self.time().max(1e-6));
        let [lo, hi] = self.range;
        let rules = [LikelihoodRule::Exact, self.approx, LikelihoodRule::Naive];
        rules
            .iter()
            .map(|&rule| {
                (0..CURVE)
                    .map(|i| {
                        let x = lo + (hi - lo) * i as f64 / (CURVE - 1) as f64;
                        (x, scores(rule, &slice, p.y(), p.noise(), x).1)
                    })
                    .collect()
            })
            .collect()
    }

    /// The likelihood score ∇log p(y | x_t) of the three rules against x at the current t.
    #[wasm_bindgen(js_name = drawGuidance)]
    pub fn draw_guidance(
        &self,
        canvas: &HtmlCanvasElement,
        dpr: f64,
        dark: bool,
    ) -> Result<(), JsError> {
        let c = self.guidance_curves();
        let pal = palette(dark);
        let legend = canvas.width() as f64 / dpr_ok(dpr) >= 480.0;
        let l = |s: &'static str| if legend { s } else { "" };
        let s = [
            Series {
                label: l("exact ∇log l"),
                color: pal[0],
                points: &c[0],
                width: 2.5,
            },
            Series {
                label: l("Tweedie approx."),
                color: pal[1],
                points: &c[1],
                width: 1.5,
            },
            Series {
                label: l("naive (y − x)/λ²"),
                color: pal[2],
                points: &c[2],
                width: 1.5,
            },
        ];
        let root = canvas_area(canvas)?;
        draw_multi_chart_at(
            &root,
            &s,
            "x_t",
            "likelihood score",
            false,
            dpr_ok(dpr),
            &ChartTheme::for_theme(dark),
            SeriesLabelPosition::UpperRight,
        )
        .map_err(|e| JsError::new(&e))?;
        root.present()
            .map_err(|e| JsError::new(&format!("{e:?}")))?;
        Ok(())
    }

    /// The final (or current) particles of run `which` (a copy, for the CSV export).
    pub fn particles(&self, which: usize) -> Vec<f64> {
        self.runs
            .get(which)
            .map(|r| r.run.particles().to_vec())
            .unwrap_or_default()
    }
}
