//! `KlFitWidget`: the handle behind `<sb-kl-fit>` (forward versus reverse KL).
//!
//! Two Gaussians are fitted to the same mixture p, one by descending D_KL(p‖q) and one by
//! descending D_KL(q‖p), in 1D (a two-mode mixture with sliders) or 2D (a preset whose component
//! means can be dragged). JS calls `step(n)` per frame, then `draw` and `drawHistory`.

use super::draw::{blit_with_axes, context, layout};
use crate::chart::ChartTheme;
use crate::chart_multi::{draw_multi_chart, multi_chart_svg, palette, Series};
use crate::error::{check_range, Error};
use crate::gaussian::Gaussian2;
use crate::kl::gaussian_fit::{Direction, GaussianFit1, GaussianFit2};
use crate::kl::grid_kl::{kl_1d, kl_2d};
use crate::kl::mixture1::Mixture1;
use crate::mixture::GaussianMixture;
use crate::presets::preset;
use crate::quadrature::{Rule1, Rule2};
use crate::raster::{Palette, Raster};
use crate::rng::sim_rng;
use crate::viewport::Viewport;
use plotters::prelude::{IntoDrawingArea, RGBColor};
use plotters_canvas::CanvasBackend;
use rand::Rng;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

/// History points kept per curve (older ones are thinned 2:1).
const HISTORY_MAX: usize = 2000;

enum Fits {
    One {
        fwd: GaussianFit1,
        rev: GaussianFit1,
    },
    Two {
        fwd: GaussianFit2,
        rev: GaussianFit2,
        raster: Raster,
        key: Option<(usize, usize, bool)>,
    },
}

/// Forward and reverse Gaussian fits of one target.
#[wasm_bindgen]
pub struct KlFitWidget {
    fits: Fits,
    lr: f64,
    seed: u32,
    /// 1D: reverse start μ₀; 2D: ignored (the start is drawn from the seed).
    start: f64,
    truncate: bool,
    history: Vec<[f64; 3]>,
    stride: u64,
    iterations: u64,
}

fn thin(history: &mut Vec<[f64; 3]>, stride: &mut u64) {
    if history.len() >= HISTORY_MAX {
        let kept: Vec<[f64; 3]> = history.iter().step_by(2).copied().collect();
        *history = kept;
        *stride *= 2;
    }
}

/// The start of the 2D reverse fit: a point of p's box drawn from the seed, with sd 1.
fn start_2d(p: &GaussianMixture, seed: u32) -> [f64; 2] {
    let b = p.view_box();
    let mut r = sim_rng(seed as u64 ^ 0x6b6c);
    let u = |r: &mut crate::rng::SimRng| (r.next_u32() as f64 + 0.5) / 4_294_967_296.0;
    // the middle 60 % of the box, so that the start is near the mass
    [
        b[0] + (0.2 + 0.6 * u(&mut r)) * (b[1] - b[0]),
        b[2] + (0.2 + 0.6 * u(&mut r)) * (b[3] - b[2]),
    ]
}

#[wasm_bindgen]
impl KlFitWidget {
    /// A 1D widget: target w N(−d/2, s²) + (1 − w) N(d/2, s²) with `separation` d ∈ [0, 20],
    /// `weight` w ∈ (0, 1), `sd` s ∈ [0.1, 5]; reverse fit started at N(`start`, 1) with
    /// `start` ∈ [−15, 15]; forward fit started at N(0, 1); learning rate ∈ (0, 10].
    #[wasm_bindgen(js_name = oneD)]
    pub fn one_d(
        separation: f64,
        weight: f64,
        sd: f64,
        start: f64,
        learning_rate: f64,
    ) -> Result<KlFitWidget, JsError> {
        let p = target_1d(separation, weight, sd)?;
        check_range("reverse start", start, -15.0, 15.0, false)?;
        let fwd = GaussianFit1::new(p.clone(), Direction::Forward, 0.0, 1.0, learning_rate)?;
        let rev = GaussianFit1::new(p, Direction::Reverse, start, 1.0, learning_rate)?;
        let mut w = KlFitWidget {
            fits: Fits::One { fwd, rev },
            lr: learning_rate,
            seed: 0,
            start,
            truncate: false,
            history: vec![],
            stride: 1,
            iterations: 0,
        };
        w.record();
        Ok(w)
    }

    /// A 2D widget on a preset (`ring8`, `two-modes`, `gaussian`), or on `two-modes` with the
    /// component means `means` = [x₀, y₀, x₁, y₁, …] when given; the reverse fit starts at a
    /// point drawn from `seed`.
    #[wasm_bindgen(js_name = twoD)]
    pub fn two_d(
        target: &str,
        means: Option<Vec<f64>>,
        learning_rate: f64,
        seed: u32,
    ) -> Result<KlFitWidget, JsError> {
        let p = target_2d(target, means.as_deref())?;
        let fwd = GaussianFit2::new(
            p.clone(),
            Direction::Forward,
            [0.0, 0.0],
            1.0,
            learning_rate,
        )?;
        let rev = GaussianFit2::new(
            p.clone(),
            Direction::Reverse,
            start_2d(&p, seed),
            1.0,
            learning_rate,
        )?;
        let mut w = KlFitWidget {
            fits: Fits::Two {
                fwd,
                rev,
                raster: Raster::default(),
                key: None,
            },
            lr: learning_rate,
            seed,
            start: 0.0,
            truncate: false,
            history: vec![],
            stride: 1,
            iterations: 0,
        };
        w.record();
        Ok(w)
    }

    /// Each fit's own objective, for the history (never the truncated readouts).
    fn objectives(&self) -> (f64, f64) {
        match &self.fits {
            Fits::One { fwd, rev } => (fwd.kl_forward(), rev.kl_reverse()),
            Fits::Two { fwd, rev, .. } => (fwd.kl_forward(), rev.kl_reverse()),
        }
    }

    fn record(&mut self) {
        if self.iterations % self.stride == 0 {
            let (f, r) = self.objectives();
            self.history.push([self.iterations as f64, f, r]);
            thin(&mut self.history, &mut self.stride);
        }
    }

    /// Dimension, 1 or 2.
    #[wasm_bindgen(getter)]
    pub fn dim(&self) -> u32 {
        match self.fits {
            Fits::One { .. } => 1,
            Fits::Two { .. } => 2,
        }
    }
    /// Iterations done.
    #[wasm_bindgen(getter)]
    pub fn iterations(&self) -> f64 {
        self.iterations as f64
    }

    /// `n` ∈ [1, 10 000] gradient steps of both fits.
    pub fn step(&mut self, n: f64) -> Result<(), JsError> {
        check_range("steps", n, 1.0, 10_000.0, false)?;
        for _ in 0..n as u64 {
            match &mut self.fits {
                Fits::One { fwd, rev } => {
                    fwd.step()?;
                    rev.step()?;
                }
                Fits::Two { fwd, rev, .. } => {
                    fwd.step()?;
                    rev.step()?;
                }
            }
            self.iterations += 1;
            self.record();
        }
        Ok(())
    }

    /// Restarts both fits (2D: a new reverse start from `seed`).
    pub fn reset(&mut self, seed: u32) -> Result<(), JsError> {
        self.seed = seed;
        let lr = self.lr;
        match &mut self.fits {
            Fits::One { fwd, rev } => {
                *fwd = GaussianFit1::new(fwd.target().clone(), Direction::Forward, 0.0, 1.0, lr)?;
                *rev = GaussianFit1::new(
                    rev.target().clone(),
                    Direction::Reverse,
                    self.start,
                    1.0,
                    lr,
                )?;
            }
            Fits::Two { fwd, rev, .. } => {
                let p = fwd.target().clone();
                *rev =
                    GaussianFit2::new(p.clone(), Direction::Reverse, start_2d(&p, seed), 1.0, lr)?;
                *fwd = GaussianFit2::new(p, Direction::Forward, [0.0, 0.0], 1.0, lr)?;
            }
        }
        self.history.clear();
        self.stride = 1;
        self.iterations = 0;
        self.record();
        Ok(())
    }

    /// The learning rate (the fits continue).
    #[wasm_bindgen(js_name = setLearningRate)]
    pub fn set_learning_rate(&mut self, lr: f64) -> Result<(), JsError> {
        match &mut self.fits {
            Fits::One { fwd, rev } => {
                fwd.set_learning_rate(lr)?;
                rev.set_learning_rate(lr)?;
            }
            Fits::Two { fwd, rev, .. } => {
                fwd.set_learning_rate(lr)?;
                rev.set_learning_rate(lr)?;
            }
        }
        self.lr = lr;
        Ok(())
    }

    /// 1D: a new target (the fits continue from where they are).
    #[wasm_bindgen(js_name = setTarget1d)]
    pub fn set_target_1d(&mut self, separation: f64, weight: f64, sd: f64) -> Result<(), JsError> {
        let p = target_1d(separation, weight, sd)?;
        match &mut self.fits {
            Fits::One { fwd, rev } => {
                fwd.set_target(p.clone())?;
                rev.set_target(p)?;
            }
            Fits::Two { .. } => return Err(JsError::new("setTarget1d needs a 1D widget")),
        }
        self.after_target();
        Ok(())
    }

    /// 1D: the start μ₀ ∈ [−15, 15] of the reverse fit (used at the next reset).
    #[wasm_bindgen(js_name = setReverseStart)]
    pub fn set_reverse_start(&mut self, start: f64) -> Result<(), JsError> {
        self.start = check_range("reverse start", start, -15.0, 15.0, false)?;
        Ok(())
    }

    /// 2D: a new target (preset, optionally with moved means); the fits continue.
    #[wasm_bindgen(js_name = setTarget2d)]
    pub fn set_target_2d(&mut self, target: &str, means: Option<Vec<f64>>) -> Result<(), JsError> {
        let p = target_2d(target, means.as_deref())?;
        match &mut self.fits {
            Fits::Two { fwd, rev, key, .. } => {
                let h = fwd.set_target(p.clone(), None)?;
                rev.set_target(p, Some(h))?;
                *key = None;
            }
            Fits::One { .. } => return Err(JsError::new("setTarget2d needs a 2D widget")),
        }
        self.after_target();
        Ok(())
    }

    fn after_target(&mut self) {
        // a new target changes every KL: restart the curves at the current iteration
        self.history.clear();
        self.stride = 1;
        let (f, r) = self.objectives();
        self.history.push([self.iterations as f64, f, r]);
    }

    /// 2D: the component means [x₀, y₀, …] of the target.
    pub fn means(&self) -> Vec<f64> {
        match &self.fits {
            Fits::Two { fwd, .. } => fwd
                .target()
                .components()
                .iter()
                .flat_map(|c| c.mean())
                .collect(),
            Fits::One { fwd, .. } => fwd.target().means().to_vec(),
        }
    }

    /// Shows q restricted to x ≥ 0 (renormalised) in the divergence readouts.
    #[wasm_bindgen(js_name = setTruncate)]
    pub fn set_truncate(&mut self, on: bool) {
        self.truncate = on;
    }

    /// D_KL(p‖q) of fit `i` (0 forward fit, 1 reverse fit); +∞ when q is truncated.
    #[wasm_bindgen(js_name = klForward)]
    pub fn kl_forward(&self, i: u32) -> f64 {
        if self.truncate {
            return self.truncated(i).0;
        }
        match &self.fits {
            Fits::One { fwd, rev } => {
                if i == 0 {
                    fwd.kl_forward()
                } else {
                    rev.kl_forward()
                }
            }
            Fits::Two { fwd, rev, .. } => {
                if i == 0 {
                    fwd.kl_forward()
                } else {
                    rev.kl_forward()
                }
            }
        }
    }

    /// D_KL(q‖p) of fit `i`.
    #[wasm_bindgen(js_name = klReverse)]
    pub fn kl_reverse(&self, i: u32) -> f64 {
        if self.truncate {
            return self.truncated(i).1;
        }
        match &self.fits {
            Fits::One { fwd, rev } => {
                if i == 0 {
                    fwd.kl_reverse()
                } else {
                    rev.kl_reverse()
                }
            }
            Fits::Two { fwd, rev, .. } => {
                if i == 0 {
                    fwd.kl_reverse()
                } else {
                    rev.kl_reverse()
                }
            }
        }
    }

    /// (D_KL(p‖q_cut), D_KL(q_cut‖p)) for q cut to x ≥ 0, on a grid.
    fn truncated(&self, i: u32) -> (f64, f64) {
        match &self.fits {
            Fits::One { fwd, rev } => {
                let f = if i == 0 { fwd } else { rev };
                let (m, s, p) = (f.mean(), f.sd(), f.target());
                let [lo, hi] = p.support();
                let (lo, hi) = (lo.min(m - 10.0 * s), hi.max(m + 10.0 * s));
                let Ok(rule) = Rule1::new(lo, hi, 800, 4) else {
                    return (f64::NAN, f64::NAN);
                };
                let log_q = |x: f64| {
                    -0.5 * (2.0 * std::f64::consts::PI).ln()
                        - s.ln()
                        - (x - m) * (x - m) / (2.0 * s * s)
                };
                let mass = rule.integrate(|x| if x >= 0.0 { log_q(x).exp() } else { 0.0 });
                if mass <= 0.0 {
                    return (f64::INFINITY, f64::NAN);
                }
                let cut = |x: f64| {
                    if x >= 0.0 {
                        log_q(x) - mass.ln()
                    } else {
                        f64::NEG_INFINITY
                    }
                };
                (
                    kl_1d(&rule, |x| p.log_density(x), cut),
                    kl_1d(&rule, cut, |x| p.log_density(x)),
                )
            }
            Fits::Two { fwd, rev, .. } => {
                let f = if i == 0 { fwd } else { rev };
                let (m, c, p) = (f.mean(), f.covariance(), f.target());
                let Ok(g) = Gaussian2::new(m, c[0], c[1], c[2]) else {
                    return (f64::NAN, f64::NAN);
                };
                let b = p.view_box();
                let (sx, sy) = (8.0 * c[0].sqrt(), 8.0 * c[2].sqrt());
                let bx = [
                    b[0].min(m[0] - sx),
                    b[1].max(m[0] + sx),
                    b[2].min(m[1] - sy),
                    b[3].max(m[1] + sy),
                ];
                let Ok(rule) = Rule2::new(bx, 96, 2) else {
                    return (f64::NAN, f64::NAN);
                };
                let mass = rule.integrate(|x| {
                    if x[0] >= 0.0 {
                        g.log_density(x).exp()
                    } else {
                        0.0
                    }
                });
                if mass <= 0.0 {
                    return (f64::INFINITY, f64::NAN);
                }
                let cut = |x: [f64; 2]| {
                    if x[0] >= 0.0 {
                        g.log_density(x) - mass.ln()
                    } else {
                        f64::NEG_INFINITY
                    }
                };
                (
                    kl_2d(&rule, |x| p.log_density(x), cut),
                    kl_2d(&rule, cut, |x| p.log_density(x)),
                )
            }
        }
    }

    /// Fit `i`'s mean: [μ] in 1D, [μx, μy] in 2D.
    #[wasm_bindgen(js_name = fitMean)]
    pub fn fit_mean(&self, i: u32) -> Vec<f64> {
        match &self.fits {
            Fits::One { fwd, rev } => vec![if i == 0 { fwd.mean() } else { rev.mean() }],
            Fits::Two { fwd, rev, .. } => (if i == 0 { fwd.mean() } else { rev.mean() }).to_vec(),
        }
    }

    /// Fit `i`'s (co)variance: [s²] in 1D, [σxx, σxy, σyy] in 2D.
    #[wasm_bindgen(js_name = fitCov)]
    pub fn fit_cov(&self, i: u32) -> Vec<f64> {
        match &self.fits {
            Fits::One { fwd, rev } => {
                let s = if i == 0 { fwd.sd() } else { rev.sd() };
                vec![s * s]
            }
            Fits::Two { fwd, rev, .. } => (if i == 0 {
                fwd.covariance()
            } else {
                rev.covariance()
            })
            .to_vec(),
        }
    }

    /// p's exact mean and (co)variance, the forward fit's optimum: [m, v] in 1D,
    /// [mx, my, σxx, σxy, σyy] in 2D.
    #[wasm_bindgen(js_name = targetMoments)]
    pub fn target_moments(&self) -> Vec<f64> {
        match &self.fits {
            Fits::One { fwd, .. } => vec![fwd.target().mean(), fwd.target().variance()],
            Fits::Two { fwd, .. } => {
                let (m, c) = (fwd.target().mean(), fwd.target().covariance());
                vec![m[0], m[1], c[0], c[1], c[2]]
            }
        }
    }

    /// H(p) by quadrature.
    pub fn entropy(&self) -> f64 {
        match &self.fits {
            Fits::One { fwd, .. } => fwd.entropy_p(),
            Fits::Two { fwd, .. } => fwd.entropy_p(),
        }
    }

    /// The curves, flat [iteration, KL(p‖q_fwd), KL(q_rev‖p), …].
    pub fn history(&self) -> Vec<f64> {
        self.history.iter().flatten().copied().collect()
    }

    fn curves(&self) -> [Vec<(f64, f64)>; 2] {
        [
            self.history.iter().map(|h| (h[0], h[1])).collect(),
            self.history.iter().map(|h| (h[0], h[2])).collect(),
        ]
    }

    /// Each fit's own objective against iteration.
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
        let pal = palette(dark);
        let s = [
            Series {
                label: "forward fit: KL(p‖q)",
                color: pal[0],
                points: &c[0],
                width: 2.0,
            },
            Series {
                label: "reverse fit: KL(q‖p)",
                color: pal[1],
                points: &c[1],
                width: 2.0,
            },
        ];
        draw_multi_chart(
            &root,
            &s,
            "iteration",
            "KL (nats)",
            false,
            dpr_ok(dpr),
            &ChartTheme::for_theme(dark),
        )
        .map_err(|e| JsError::new(&e))?;
        root.present()
            .map_err(|e| JsError::new(&format!("{e:?}")))?;
        Ok(())
    }

    /// The history chart as SVG.
    #[wasm_bindgen(js_name = historySvg)]
    pub fn history_svg(&self, width: u32, height: u32, dark: bool) -> Result<String, JsError> {
        let c = self.curves();
        let pal = palette(dark);
        let s = [
            Series {
                label: "forward fit: KL(p‖q)",
                color: pal[0],
                points: &c[0],
                width: 2.0,
            },
            Series {
                label: "reverse fit: KL(q‖p)",
                color: pal[1],
                points: &c[1],
                width: 2.0,
            },
        ];
        multi_chart_svg(
            &s,
            "iteration",
            "KL (nats)",
            false,
            (width.clamp(100, 4000), height.clamp(80, 4000)),
            dark,
        )
        .map_err(|e| JsError::new(&e))
    }

    /// Draws p and both fits: 1D curves, or the 2D density with 1σ and 2σ ellipses.
    pub fn draw(
        &mut self,
        canvas: &HtmlCanvasElement,
        dpr: f64,
        dark: bool,
    ) -> Result<(), JsError> {
        let dpr = dpr_ok(dpr);
        let pal = palette(dark);
        match &mut self.fits {
            Fits::One { fwd, rev } => {
                let p = fwd.target();
                let [lo, hi] = p.support();
                let (lo, hi) = (lo.max(-20.0) * 0.6, hi.min(20.0) * 0.6);
                let xs: Vec<f64> = (0..=400)
                    .map(|k| lo + (hi - lo) * k as f64 / 400.0)
                    .collect();
                let dens = |m: f64, s: f64, x: f64| {
                    (-(x - m) * (x - m) / (2.0 * s * s)).exp()
                        / (s * (2.0 * std::f64::consts::PI).sqrt())
                };
                // q cut to x ≥ 0 and renormalised; the mass on x ≥ 0 by the trapezoid rule on
                // [0, m + 12 s] with 2000 steps (a picture, not a readout)
                let mass = |m: f64, s: f64| {
                    let top = (m + 12.0 * s).max(0.0);
                    let h = top / 2000.0;
                    if h == 0.0 {
                        return 0.0;
                    }
                    (0..2000)
                        .map(|k| {
                            0.5 * h * (dens(m, s, k as f64 * h) + dens(m, s, (k + 1) as f64 * h))
                        })
                        .sum::<f64>()
                };
                let truncate = self.truncate;
                let curve = |m: f64, s: f64| -> Vec<(f64, f64)> {
                    let z = if truncate {
                        mass(m, s).max(1e-300)
                    } else {
                        1.0
                    };
                    xs.iter()
                        .map(|&x| {
                            (
                                x,
                                if truncate && x < 0.0 {
                                    0.0
                                } else {
                                    dens(m, s, x) / z
                                },
                            )
                        })
                        .collect()
                };
                let pc: Vec<(f64, f64)> = xs.iter().map(|&x| (x, p.log_density(x).exp())).collect();
                let fc = curve(fwd.mean(), fwd.sd());
                let rc = curve(rev.mean(), rev.sd());
                let theme = ChartTheme::for_theme(dark);
                let s = [
                    Series {
                        label: "target p",
                        color: theme.fg,
                        points: &pc,
                        width: 3.0,
                    },
                    Series {
                        label: "forward fit q",
                        color: pal[0],
                        points: &fc,
                        width: 2.0,
                    },
                    Series {
                        label: "reverse fit q",
                        color: pal[1],
                        points: &rc,
                        width: 2.0,
                    },
                ];
                let root = CanvasBackend::with_canvas_object(canvas.clone())
                    .ok_or_else(|| JsError::new("plotters could not use the canvas"))?
                    .into_drawing_area();
                draw_multi_chart(&root, &s, "x", "density", false, dpr, &theme)
                    .map_err(|e| JsError::new(&e))?;
                root.present()
                    .map_err(|e| JsError::new(&format!("{e:?}")))?;
                Ok(())
            }
            Fits::Two {
                fwd,
                rev,
                raster,
                key,
            } => {
                let p = fwd.target().clone();
                let (rect, view) = layout(canvas, p.view_box(), dpr);
                let vp = Viewport {
                    data: view,
                    width: rect.width as usize,
                    height: rect.height as usize,
                };
                let rp = Palette::for_theme(dark);
                let k = (vp.width, vp.height, dark);
                if *key != Some(k) {
                    raster.render_density(&p, &vp, &rp);
                    *key = Some(k);
                }
                blit_with_axes(canvas, raster.frame(), rect, view, dpr, dark)?;
                let ctx = context(canvas)?;
                let to_px = |x: f64, y: f64| {
                    (
                        rect.left as f64 + (x - view[0]) / (view[1] - view[0]) * rect.width as f64,
                        rect.top as f64 + (view[3] - y) / (view[3] - view[2]) * rect.height as f64,
                    )
                };
                ctx.save();
                ctx.begin_path();
                ctx.rect(
                    rect.left as f64,
                    rect.top as f64,
                    rect.width as f64,
                    rect.height as f64,
                );
                ctx.clip();
                for (f, col) in [(&*fwd, pal[0]), (&*rev, pal[1])] {
                    let (m, c) = (f.mean(), f.covariance());
                    // Σ = L Lᵀ (Cholesky); the k-σ ellipse is m + k L (cos t, sin t)
                    let l11 = c[0].sqrt();
                    let l21 = c[1] / l11;
                    let l22 = (c[2] - l21 * l21).max(0.0).sqrt();
                    ctx.set_stroke_style_str(&css(col));
                    for (kk, w) in [(1.0, 2.5), (2.0, 1.5)] {
                        ctx.set_line_width(w * dpr);
                        ctx.begin_path();
                        for t in 0..=96 {
                            let a = t as f64 / 96.0 * std::f64::consts::TAU;
                            let (u, v) = (kk * a.cos(), kk * a.sin());
                            let (px, py) = to_px(m[0] + l11 * u, m[1] + l21 * u + l22 * v);
                            if t == 0 {
                                ctx.move_to(px, py)
                            } else {
                                ctx.line_to(px, py)
                            }
                        }
                        ctx.stroke();
                    }
                    let (px, py) = to_px(m[0], m[1]);
                    ctx.set_fill_style_str(&css(col));
                    ctx.begin_path();
                    let _ = ctx.arc(px, py, 4.0 * dpr, 0.0, std::f64::consts::TAU);
                    ctx.fill();
                }
                // draggable handles on the component means
                let theme = ChartTheme::for_theme(dark);
                ctx.set_stroke_style_str(&css(theme.fg));
                ctx.set_line_width(1.5 * dpr);
                for comp in p.components() {
                    let (px, py) = to_px(comp.mean()[0], comp.mean()[1]);
                    ctx.begin_path();
                    let _ = ctx.arc(px, py, 7.0 * dpr, 0.0, std::f64::consts::TAU);
                    ctx.stroke();
                }
                if self.truncate {
                    // shade the half-plane x < 0 where the cut q is zero
                    let (x0, _) = to_px(0.0, 0.0);
                    ctx.set_fill_style_str("rgba(127,127,127,0.25)");
                    ctx.fill_rect(
                        rect.left as f64,
                        rect.top as f64,
                        (x0 - rect.left as f64).max(0.0),
                        rect.height as f64,
                    );
                }
                ctx.restore();
                Ok(())
            }
        }
    }

    /// The data point under canvas pixel (`px`, `py`) (2D).
    #[wasm_bindgen(js_name = pixelToData)]
    pub fn pixel_to_data(
        &self,
        canvas: &HtmlCanvasElement,
        px: f64,
        py: f64,
        dpr: f64,
    ) -> Vec<f64> {
        let view = match &self.fits {
            Fits::Two { fwd, .. } => fwd.target().view_box(),
            Fits::One { fwd, .. } => {
                let [lo, hi] = fwd.target().support();
                [lo, hi, 0.0, 1.0]
            }
        };
        let (rect, view) = layout(canvas, view, dpr_ok(dpr));
        crate::chart::pixel_to_data(rect, view, px, py).to_vec()
    }
}

fn css(c: RGBColor) -> String {
    format!("rgb({},{},{})", c.0, c.1, c.2)
}

fn dpr_ok(dpr: f64) -> f64 {
    if dpr.is_finite() && dpr > 0.0 {
        dpr.clamp(0.5, 4.0)
    } else {
        1.0
    }
}

fn target_1d(separation: f64, weight: f64, sd: f64) -> Result<Mixture1, Error> {
    check_range("separation", separation, 0.0, 20.0, false)?;
    check_range("width", sd, 0.1, 5.0, false)?;
    Mixture1::two_modes(separation, weight, sd)
}

fn target_2d(name: &str, means: Option<&[f64]>) -> Result<GaussianMixture, Error> {
    let p = preset(name)?;
    let Some(m) = means else { return Ok(p) };
    if m.len() != 2 * p.len() {
        return Err(Error::invalid(
            "means",
            format!("{} numbers (x, y per component)", 2 * p.len()),
            m.len(),
        ));
    }
    let comps = p
        .components()
        .iter()
        .enumerate()
        .map(|(k, c)| {
            for v in [m[2 * k], m[2 * k + 1]] {
                check_range("mean", v, -50.0, 50.0, false)?;
            }
            let s = c.cov();
            Gaussian2::new([m[2 * k], m[2 * k + 1]], s[0], s[1], s[2])
        })
        .collect::<Result<Vec<_>, _>>()?;
    GaussianMixture::new(p.weights(), comps)
}
