//! `SdeSolversWidget`: the handle behind `<sb-sde-solvers>` (reverse-time samplers compared at an
//! equal number of score evaluations).
//!
//! For the VP SDE (β from 0.1 to 20, Song et al. 2021 eq. 11) and the exact score of a mixture,
//! five samplers spend the same budget of B score evaluations (NFE) from the same prior draw:
//!
//! | solver | steps | source |
//! |---|---|---|
//! | reverse SDE, Euler–Maruyama (c = 1) | B | Song et al. eq. 6, `sde::reverse` |
//! | probability-flow ODE, Euler (c = 0) | B | eq. 13 |
//! | probability-flow ODE, Heun | B/2 | Karras et al. 2022, Alg. 1 |
//! | predictor–corrector (one Langevin corrector, r = 0.16) | B/2 | Song et al. Alg. 2 |
//! | DDIM, η = 0, on the 1000-step DDPM chain of the same β | min(B, 1000) | Song, Meng & Ermon 2021 eq. 12 |
//!
//! Quality against the exact data mixture (`sde_common::Quality`): the histogram KL beside its
//! i.i.d. floor, and the errors of the mean and covariance. A sweep over B = 2, 4, …, 512 runs as
//! a queue of jobs (the selected B first), advanced a few sampler steps per call so that the page
//! stays responsive; the chart plots the KL of each solver against log₂ B.

use super::draw::{blit_with_axes, layout};
use super::sde_common::{data_by_name, dpr_ok, quality, quality_histogram, Quality};
use crate::chart::ChartTheme;
use crate::chart_multi::{draw_multi_chart_at, multi_chart_svg_at, palette, Series};
use crate::ddpm::ddim::Ddim;
use crate::ddpm::BetaSchedule;
use crate::error::Error;
use crate::histogram_kl::HistogramKl;
use crate::kernel::KernelPath;
use crate::mixture::GaussianMixture;
use crate::particles::{check_count, Particles};
use crate::raster::{Palette, Raster};
use crate::sde::predictor_corrector::PredictorCorrector;
use crate::sde::reverse::{ReverseMethod, ReverseSampler};
use crate::sde::score::{ExactMixtureScore, ScoreModel};
use crate::sde::{runaway_radius, Sde};
use crate::viewport::Viewport;
use plotters::prelude::{IntoDrawingArea, RGBColor, SeriesLabelPosition};
use plotters_canvas::CanvasBackend;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

/// The NFE budgets of the sweep.
pub const BUDGETS: [u32; 9] = [2, 4, 8, 16, 32, 64, 128, 256, 512];
/// Number of solvers.
const SOLVERS: usize = 5;
/// Their names, in column order.
const NAMES: [&str; SOLVERS] = [
    "Reverse SDE (EM)",
    "PF-ODE Euler",
    "PF-ODE Heun",
    "Predictor–corrector",
    "DDIM (η = 0)",
];
/// The corrector's signal-to-noise ratio (Song et al. use 0.16 for VE; 0.1–0.2 suits 2D toys).
const SNR: f64 = 0.16;
/// The continuous samplers stop at t_end = 10⁻³.
const T_END: f64 = 1e-3;

enum Sampler {
    Reverse(ReverseSampler),
    Pc(PredictorCorrector),
    Ddim(Ddim),
}

impl Sampler {
    fn step(&mut self, p: &mut Particles, s: &mut dyn ScoreModel) -> Result<bool, Error> {
        match self {
            Sampler::Reverse(r) => r.step(p, s),
            Sampler::Pc(r) => r.step(p, s),
            Sampler::Ddim(r) => r.step(p, s),
        }
    }
    fn nfe(&self) -> u64 {
        match self {
            Sampler::Reverse(r) => r.nfe(),
            Sampler::Pc(r) => r.nfe(),
            Sampler::Ddim(r) => r.nfe(),
        }
    }
}

fn sampler(solver: usize, budget: u32, sde: Sde, radius: f32, seed: u64) -> Result<Sampler, Error> {
    let b = budget as usize;
    let half = (b / 2).max(1);
    Ok(match solver {
        0 => Sampler::Reverse(ReverseSampler::new(
            sde,
            ReverseMethod::EulerMaruyama,
            1.0,
            b,
            T_END,
            radius,
            seed,
        )?),
        1 => Sampler::Reverse(ReverseSampler::new(
            sde,
            ReverseMethod::EulerMaruyama,
            0.0,
            b,
            T_END,
            radius,
            seed,
        )?),
        2 => Sampler::Reverse(ReverseSampler::new(
            sde,
            ReverseMethod::Heun,
            0.0,
            half,
            T_END,
            radius,
            seed,
        )?),
        3 => Sampler::Pc(PredictorCorrector::new(
            sde, half, 1, SNR, T_END, radius, seed,
        )?),
        _ => Sampler::Ddim(Ddim::new(
            BetaSchedule::ho_linear(),
            b.min(1000),
            0.0,
            radius,
            seed,
        )?),
    })
}

/// One (budget, solver) run of the sweep.
struct Job {
    budget: usize,
    solver: usize,
    sampler: Sampler,
    cloud: Particles,
}

/// A solver's result at one budget.
#[derive(Debug, Clone)]
enum Outcome {
    Done(Quality, u64),
    Diverged(String),
}

/// Samplers at equal NFE.
#[wasm_bindgen]
pub struct SdeSolversWidget {
    data: GaussianMixture,
    target_name: String,
    sde: Sde,
    n: usize,
    budget: usize,
    seed: u32,
    path: KernelPath,
    score: ExactMixtureScore,
    hist: HistogramKl,
    prior: Particles,
    queue: Vec<(usize, usize)>,
    job: Option<Job>,
    results: Vec<[Option<Outcome>; SOLVERS]>,
    shown: Vec<Option<Particles>>,
    steps_done: u64,
    raster: Raster,
    key: Option<(usize, usize, bool)>,
}

fn budget_index(nfe: f64) -> Result<usize, Error> {
    BUDGETS
        .iter()
        .position(|b| *b as f64 == nfe)
        .ok_or_else(|| Error::invalid("nfe", "one of 2, 4, 8, 16, 32, 64, 128, 256, 512", nfe))
}

#[wasm_bindgen]
impl SdeSolversWidget {
    /// A comparison on data `target` (ring8, gaussian, two-modes) with `particles` ∈ [1, 200 000]
    /// per run, the shown budget `nfe` ∈ {2, 4, …, 512} and a `seed`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        target: &str,
        particles: f64,
        nfe: f64,
        seed: u32,
    ) -> Result<SdeSolversWidget, JsError> {
        let data = data_by_name(target)?;
        let n = check_particles(particles)?;
        let budget = budget_index(nfe)?;
        let sde = Sde::vp(0.1, 20.0)?;
        let mut w = SdeSolversWidget {
            hist: quality_histogram(&data),
            score: ExactMixtureScore::new(&data),
            data,
            target_name: target.into(),
            sde,
            n,
            budget,
            seed,
            path: KernelPath::best(),
            prior: Particles::normal(0, [0.0, 0.0], 1.0, 0),
            queue: vec![],
            job: None,
            results: vec![],
            shown: vec![],
            steps_done: 0,
            raster: Raster::default(),
            key: None,
        };
        w.restart();
        Ok(w)
    }

    fn restart(&mut self) {
        self.prior = Particles::normal(
            self.n,
            [0.0, 0.0],
            self.sde.prior_variance().sqrt() as f32,
            self.seed as u64,
        );
        self.results = vec![[None, None, None, None, None]; BUDGETS.len()];
        self.shown = vec![None; SOLVERS];
        self.job = None;
        self.steps_done = 0;
        self.queue.clear();
        self.enqueue_selected();
        for b in 0..BUDGETS.len() {
            if b != self.budget {
                self.queue.extend((0..SOLVERS).map(|s| (b, s)));
            }
        }
    }

    /// Puts the selected budget's runs that have no result at the front of the queue.
    fn enqueue_selected(&mut self) {
        let b = self.budget;
        self.queue.retain(|j| j.0 != b);
        let todo: Vec<(usize, usize)> = (0..SOLVERS)
            .filter(|s| self.results[b][*s].is_none())
            .map(|s| (b, s))
            .collect();
        let running = self.job.as_ref().map(|j| (j.budget, j.solver));
        self.queue
            .splice(0..0, todo.into_iter().filter(|j| Some(*j) != running));
    }

    /// Restarts the sweep from a fresh prior draw with `seed`.
    pub fn reset(&mut self, seed: u32) {
        self.seed = seed;
        self.restart();
    }

    /// Changes the data law and restarts.
    #[wasm_bindgen(js_name = setTarget)]
    pub fn set_target(&mut self, target: &str) -> Result<(), JsError> {
        self.data = data_by_name(target)?;
        self.target_name = target.into();
        self.hist = quality_histogram(&self.data);
        self.score = ExactMixtureScore::new(&self.data);
        self.score.set_path(self.path);
        self.key = None;
        self.restart();
        Ok(())
    }

    /// Changes the number of particles (∈ [1, 200 000]) and restarts.
    #[wasm_bindgen(js_name = setParticles)]
    pub fn set_particles(&mut self, particles: f64) -> Result<(), JsError> {
        self.n = check_particles(particles)?;
        self.restart();
        Ok(())
    }

    /// Shows the budget `nfe` (its runs move to the front of the queue; results are kept).
    #[wasm_bindgen(js_name = setNfe)]
    pub fn set_nfe(&mut self, nfe: f64) -> Result<(), JsError> {
        self.budget = budget_index(nfe)?;
        self.shown = vec![None; SOLVERS];
        self.enqueue_selected();
        // a finished run of this budget keeps no cloud: rerun it (deterministic, same seed)
        let b = self.budget;
        let rerun: Vec<(usize, usize)> = (0..SOLVERS)
            .filter(|s| self.results[b][*s].is_some())
            .map(|s| (b, s))
            .collect();
        self.queue.splice(0..0, rerun);
        Ok(())
    }

    /// Uses the simd128 kernel (when compiled in) or the scalar one; both give identical clouds.
    #[wasm_bindgen(js_name = setSimd)]
    pub fn set_simd(&mut self, on: bool) {
        self.path = if on {
            KernelPath::best()
        } else {
            KernelPath::Scalar
        };
        self.score.set_path(self.path);
    }

    /// Runs `k` ∈ [0, 100 000] sampler steps of the queued runs (each step spends one or two
    /// score evaluations on the whole cloud).
    pub fn step(&mut self, k: u32) -> Result<(), JsError> {
        if k > 100_000 {
            return Err(Error::invalid("k", "an integer in [0, 100000]", k).into());
        }
        for _ in 0..k {
            if self.job.is_none() {
                let Some((b, s)) = (!self.queue.is_empty()).then(|| self.queue.remove(0)) else {
                    break;
                };
                let radius = runaway_radius(&self.data, &self.sde);
                self.job = Some(Job {
                    budget: b,
                    solver: s,
                    sampler: sampler(s, BUDGETS[b], self.sde, radius, self.seed as u64)?,
                    cloud: self.prior.clone(),
                });
            }
            let job = self.job.as_mut().expect("set above");
            self.steps_done += 1;
            let outcome = match job.sampler.step(&mut job.cloud, &mut self.score) {
                Ok(true) => continue,
                Ok(false) => Outcome::Done(
                    quality(&self.data, &mut self.hist, &job.cloud),
                    job.sampler.nfe(),
                ),
                Err(e) => Outcome::Diverged(e.to_string()),
            };
            let job = self.job.take().expect("running");
            if job.budget == self.budget {
                self.shown[job.solver] = Some(job.cloud);
            }
            self.results[job.budget][job.solver] = Some(outcome);
        }
        Ok(())
    }

    /// True once every run of the sweep is done.
    #[wasm_bindgen(getter)]
    pub fn finished(&self) -> bool {
        self.job.is_none() && self.queue.is_empty()
    }

    /// Sampler steps taken in this sweep.
    #[wasm_bindgen(getter)]
    pub fn steps(&self) -> f64 {
        self.steps_done as f64
    }

    /// Runs completed, of 5 × 9.
    #[wasm_bindgen(getter)]
    pub fn completed(&self) -> usize {
        self.results
            .iter()
            .flatten()
            .filter(|r| r.is_some())
            .count()
    }

    /// The shown budget B.
    #[wasm_bindgen(getter)]
    pub fn nfe(&self) -> u32 {
        BUDGETS[self.budget]
    }

    /// Results at budget `nfe` (NaN where not run yet or diverged): per solver [kl, floor, mean
    /// error, cov error, nfe spent], solver after solver.
    pub fn results(&self, nfe: f64) -> Result<Vec<f64>, JsError> {
        let b = budget_index(nfe)?;
        Ok(self.results[b]
            .iter()
            .flat_map(|r| match r {
                Some(Outcome::Done(q, nfe)) => {
                    [q.kl, q.kl_floor, q.mean_error, q.cov_error, *nfe as f64]
                }
                _ => [f64::NAN; 5],
            })
            .collect())
    }

    /// The divergence message of `solver` at budget `nfe`, or `undefined`.
    pub fn error(&self, nfe: f64, solver: u32) -> Result<Option<String>, JsError> {
        let b = budget_index(nfe)?;
        Ok(match self.results[b].get(solver as usize) {
            Some(Some(Outcome::Diverged(e))) => Some(e.clone()),
            _ => None,
        })
    }

    /// The solvers' names.
    pub fn names(&self) -> Vec<String> {
        NAMES.iter().map(|s| s.to_string()).collect()
    }

    /// The exact mean and covariance of the data: [mx, my, cxx, cxy, cyy].
    #[wasm_bindgen(js_name = exactMoments)]
    pub fn exact_moments(&self) -> Vec<f64> {
        let (m, c) = (self.data.mean(), self.data.covariance());
        vec![m[0], m[1], c[0], c[1], c[2]]
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
    /// The seed.
    #[wasm_bindgen(getter)]
    pub fn seed(&self) -> u32 {
        self.seed
    }
    /// The kernel in use.
    #[wasm_bindgen(getter)]
    pub fn kernel(&self) -> String {
        self.path.name().into()
    }

    /// FNV-1a checksums of the shown clouds ("-" where not finished), joined by ':'.
    pub fn checksum(&self) -> String {
        self.shown
            .iter()
            .map(|c| {
                c.as_ref()
                    .map_or("-".into(), |c| format!("{:016x}", c.checksum()))
            })
            .collect::<Vec<_>>()
            .join(":")
    }

    /// Draws the final cloud of `solver` at the shown budget over the data density (the prior
    /// draw while its run is pending).
    pub fn draw(
        &mut self,
        canvas: &HtmlCanvasElement,
        solver: u32,
        dpr: f64,
        dark: bool,
    ) -> Result<(), JsError> {
        let dpr = dpr_ok(dpr);
        let (rect, view) = layout(canvas, self.data.view_box(), dpr);
        let vp = Viewport {
            data: view,
            width: rect.width as usize,
            height: rect.height as usize,
        };
        let pal = Palette::for_theme(dark);
        let key = (vp.width, vp.height, dark);
        if self.key != Some(key) {
            self.raster.render_density_coarse(&self.data, &vp, &pal, 4);
            self.key = Some(key);
        }
        let cloud = self
            .shown
            .get(solver as usize)
            .and_then(|c| c.as_ref())
            .unwrap_or(&self.prior);
        self.raster
            .compose(cloud, &vp, &pal, dpr.round().clamp(1.0, 3.0) as usize);
        blit_with_axes(canvas, self.raster.frame(), rect, view, dpr, dark)
    }

    fn curves(&self) -> Vec<Vec<(f64, f64)>> {
        let mut c: Vec<Vec<(f64, f64)>> = (0..SOLVERS)
            .map(|s| {
                BUDGETS
                    .iter()
                    .enumerate()
                    .filter_map(|(b, nfe)| match &self.results[b][s] {
                        Some(Outcome::Done(q, _)) => Some(((*nfe as f64).log2(), q.kl)),
                        _ => None,
                    })
                    .collect()
            })
            .collect();
        // the i.i.d. floor (the same for every budget: it depends on N and the data only)
        let floor = self.hist.floor(self.n);
        c.push(vec![(1.0, floor), (9.0, floor)]);
        c
    }

    fn series<'a>(c: &'a [Vec<(f64, f64)>], dark: bool, legend: bool) -> Vec<Series<'a>> {
        let pal = palette(dark);
        let fifth = if dark {
            RGBColor(45, 212, 191)
        } else {
            RGBColor(15, 118, 110)
        };
        let colours = [pal[0], pal[1], pal[2], pal[3], fifth];
        let theme = ChartTheme::for_theme(dark);
        let mut s = vec![Series {
            label: if legend { "i.i.d. floor" } else { "" },
            color: theme.reference,
            points: &c[SOLVERS],
            width: 1.5,
        }];
        for k in 0..SOLVERS {
            s.push(Series {
                label: if legend { NAMES[k] } else { "" },
                color: colours[k],
                points: &c[k],
                width: 2.0,
            });
        }
        s
    }

    /// Histogram KL to the data against log₂ NFE, one curve per solver (log y).
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
        let c = self.curves();
        let s = Self::series(&c, dark, false);
        draw_multi_chart_at(
            &root,
            &s,
            "log₂ NFE",
            "KL to the data",
            true,
            dpr_ok(dpr),
            &ChartTheme::for_theme(dark),
            SeriesLabelPosition::UpperRight,
        )
        .map_err(|e| JsError::new(&e))?;
        root.present()
            .map_err(|e| JsError::new(&format!("{e:?}")))?;
        Ok(())
    }

    /// The chart as SVG (with a legend).
    #[wasm_bindgen(js_name = chartSvg)]
    pub fn chart_svg(&self, width: u32, height: u32, dark: bool) -> Result<String, JsError> {
        let c = self.curves();
        let s = Self::series(&c, dark, true);
        multi_chart_svg_at(
            &s,
            "log₂ NFE",
            "KL to the data",
            true,
            (width.clamp(100, 4000), height.clamp(80, 4000)),
            dark,
            SeriesLabelPosition::UpperRight,
        )
        .map_err(|e| JsError::new(&e))
    }

    /// All results as flat rows [nfe, solver, kl, floor, mean error, cov error, nfe spent].
    pub fn table(&self) -> Vec<f64> {
        let mut out = vec![];
        for (b, nfe) in BUDGETS.iter().enumerate() {
            for s in 0..SOLVERS {
                if let Some(Outcome::Done(q, used)) = &self.results[b][s] {
                    out.extend([
                        *nfe as f64,
                        s as f64,
                        q.kl,
                        q.kl_floor,
                        q.mean_error,
                        q.cov_error,
                        *used as f64,
                    ]);
                }
            }
        }
        out
    }
}

fn check_particles(n: f64) -> Result<usize, Error> {
    let n = check_count(n)?;
    if n > 200_000 {
        return Err(Error::invalid("particles", "an integer in [1, 200000]", n));
    }
    Ok(n)
}
