//! `SdaLorenzWidget`: the handle behind `<sb-sda-lorenz>`.
//!
//! A Lorenz-63 twin experiment: the truth, its observations over a window, and the bootstrap
//! particle filter's posterior over the window's trajectories (two independent filters: the
//! reference and its noise floor for the sliced Wasserstein distance). JS calls `step(n)` per
//! frame with a number of transitions that fits its time budget, so the page stays responsive.

use crate::error::{check_range, Error};
use crate::sda::lorenz::DT;
use crate::sda::observation::ObservationOperator;
use crate::sda::picture::{draw_trajectories, trajectories_svg};
use crate::sda::twin::{TwinExperiment, TwinSetup};
use plotters::prelude::IntoDrawingArea;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

/// Trajectories drawn and scored.
const DRAWN: usize = 64;
const SCORED: usize = 512;
/// States simulated after the burn-in, and the burn-in.
const TOTAL: usize = 512;
const BURN_IN: usize = 256;

/// The twin experiment.
#[wasm_bindgen]
pub struct SdaLorenzWidget {
    twin: TwinExperiment,
    operator: String,
    distance: Option<f64>,
    scores: Option<(f64, f64)>,
}

fn operator(name: &str, every: f64, noise: f64) -> Result<ObservationOperator, Error> {
    if name == "custom" {
        check_range("observation interval", every, 0.0, 4096.0, false)?;
        let c = ObservationOperator::preset("x8")?;
        return ObservationOperator::new(c.component, every as usize, noise);
    }
    ObservationOperator::preset(name)
}

#[wasm_bindgen]
impl SdaLorenzWidget {
    /// `operator` = x8 | x1 | z4 (or `custom`: x every `every` steps with noise sd `noise`);
    /// window length L ∈ [2, 257] starting at state `start` of a 512-state truth; `particles` ∈
    /// [64, 65 536] per filter, with particles × L ≤ 2.2 million.
    #[allow(clippy::too_many_arguments)]
    #[wasm_bindgen(constructor)]
    pub fn new(
        operator_name: &str,
        every: f64,
        noise: f64,
        window: f64,
        start: f64,
        particles: f64,
        seed: u32,
    ) -> Result<SdaLorenzWidget, JsError> {
        check_range("window length", window, 2.0, 257.0, false)?;
        check_range("window start", start, 0.0, 100_000.0, false)?;
        check_range("particles", particles, 64.0, 65_536.0, false)?;
        let op = operator(operator_name, every, noise)?;
        let setup = TwinSetup {
            burn_in: BURN_IN,
            total: TOTAL,
            start: start as usize,
            len: window as usize,
            operator: op,
            particles: particles as usize,
            seed: seed as u64,
        };
        Ok(SdaLorenzWidget {
            twin: TwinExperiment::new(setup)?,
            operator: operator_name.into(),
            distance: None,
            scores: None,
        })
    }

    /// Up to `n` ∈ [1, 10 000] filter transitions; false once both filters are done.
    pub fn step(&mut self, n: f64) -> Result<bool, JsError> {
        check_range("steps", n, 1.0, 10_000.0, false)?;
        let running = self.twin.advance(n as usize)?;
        if !running && self.distance.is_none() {
            self.distance = Some(self.twin.sliced_distance(SCORED, 64)?);
            self.scores = Some(self.twin.sample_scores(SCORED));
        }
        Ok(running)
    }

    /// A new experiment from `seed` with the same settings.
    pub fn reset(&mut self, seed: u32) -> Result<(), JsError> {
        let mut s = *self.twin.setup();
        s.seed = seed as u64;
        self.twin = TwinExperiment::new(s)?;
        self.distance = None;
        self.scores = None;
        Ok(())
    }

    /// The operator's name.
    #[wasm_bindgen(getter)]
    pub fn operator(&self) -> String {
        self.operator.clone()
    }
    /// Fraction of the work done.
    #[wasm_bindgen(getter)]
    pub fn progress(&self) -> f64 {
        self.twin.progress()
    }
    /// Transitions done by both filters (the step count of a link).
    #[wasm_bindgen(getter, js_name = stepsDone)]
    pub fn steps_done(&self) -> f64 {
        let s = self.twin.setup();
        self.twin.progress() * 2.0 * (s.burn_in + s.start + s.len) as f64
    }
    /// Both filters finished.
    #[wasm_bindgen(getter)]
    pub fn done(&self) -> bool {
        self.twin.is_done()
    }
    /// The phase of filter `i`, in words.
    pub fn phase(&self, i: usize) -> String {
        use crate::sda::particle_filter::Phase;
        match self.twin.filter(i).phase() {
            Phase::BurnIn(d, t) => format!("burn-in {d} / {t}"),
            Phase::Window(d, t) => format!("window {d} / {t}"),
            Phase::Done => "done".into(),
        }
    }
    /// Number of observations in the window.
    #[wasm_bindgen(js_name = observationCount)]
    pub fn observation_count(&self) -> u32 {
        self.twin.observations().count() as u32
    }
    /// Particles per filter.
    #[wasm_bindgen(getter)]
    pub fn particles(&self) -> u32 {
        self.twin.filter(0).particles() as u32
    }
    /// Window length.
    #[wasm_bindgen(getter)]
    pub fn window(&self) -> u32 {
        self.twin.setup().len as u32
    }
    /// The reference filter's [min ESS, distinct ancestors of the first state, log p̂(y)].
    #[wasm_bindgen(js_name = filterStats)]
    pub fn filter_stats(&self) -> Vec<f64> {
        let f = self.twin.filter(0);
        vec![f.min_ess(), f.distinct_ancestors() as f64, f.log_evidence()]
    }
    /// [mean log p(x) of the posterior samples, mean log p(y | x), truth's log p(x), truth's
    /// log p(y | x)]; the sample means are NaN until the filters are done.
    pub fn scores(&self) -> Vec<f64> {
        let (a, b) = self.scores.unwrap_or((f64::NAN, f64::NAN));
        let (c, d) = self.twin.truth_scores();
        vec![a, b, c, d]
    }
    /// SW₁ between the two filters' standardised trajectory samples (NaN until done).
    #[wasm_bindgen(js_name = slicedDistance)]
    pub fn sliced_distance(&self) -> f64 {
        self.distance.unwrap_or(f64::NAN)
    }

    /// Draws the x, y, z panels.
    pub fn draw(&self, canvas: &HtmlCanvasElement, dpr: f64, dark: bool) -> Result<(), JsError> {
        let dpr = if dpr.is_finite() && dpr > 0.0 {
            dpr.clamp(0.5, 4.0)
        } else {
            1.0
        };
        let f = self.twin.filter(0);
        let done = f.window_done();
        let samples = if done > 0 {
            self.twin.samples(0, DRAWN)
        } else {
            vec![]
        };
        let root = CanvasBackend::with_canvas_object(canvas.clone())
            .ok_or_else(|| JsError::new("plotters could not use the canvas"))?
            .into_drawing_area();
        draw_trajectories(
            &root,
            self.twin.truth(),
            &samples,
            done,
            self.twin.observations(),
            DT,
            dpr,
            dark,
        )
        .map_err(|e| JsError::new(&e))?;
        root.present()
            .map_err(|e| JsError::new(&format!("{e:?}")))?;
        Ok(())
    }

    /// The picture as SVG.
    pub fn svg(&self, width: u32, height: u32, dark: bool) -> Result<String, JsError> {
        let done = self.twin.filter(0).window_done();
        let samples = if done > 0 {
            self.twin.samples(0, DRAWN)
        } else {
            vec![]
        };
        trajectories_svg(
            self.twin.truth(),
            &samples,
            done,
            self.twin.observations(),
            DT,
            (width.clamp(100, 4000), height.clamp(80, 4000)),
            dark,
        )
        .map_err(|e| JsError::new(&e))
    }

    /// `m` ∈ [1, N] posterior trajectories of the reference filter, flat [x, y, z, …] per sample.
    pub fn samples(&self, m: f64) -> Result<Vec<f64>, JsError> {
        check_range(
            "samples",
            m,
            1.0,
            self.twin.filter(0).particles() as f64,
            false,
        )?;
        Ok(self.twin.samples(0, m as usize))
    }

    /// The truth over the window, flat.
    pub fn truth(&self) -> Vec<f64> {
        self.twin.truth().to_vec()
    }
}

impl SdaLorenzWidget {
    /// The twin experiment (for the score-based sampler of [`super::SdaWindowWidget`]).
    pub(crate) fn twin(&self) -> &TwinExperiment {
        &self.twin
    }
}
