//! `SdaWindowWidget`: the score-based posterior of `<sb-sda-lorenz>`'s window.
//!
//! Built from a finished twin experiment ([`super::SdaLorenzWidget`]) and the shipped window-score
//! weights file: posterior trajectories by the guided reverse VE SDE
//! ([`crate::sda::window_posterior`]), SDA's Gaussian-approximation guidance with V = γσ² I, and K
//! Langevin corrections per level; readouts ([`crate::sda::window_readouts`]) against the
//! particle-filter samples of the same window. JS calls `step(n)` per frame.

use super::SdaLorenzWidget;
use crate::error::{check_range, Error};
use crate::sda::guidance::VarianceRule;
use crate::sda::lorenz::DT;
use crate::sda::picture::{draw_trajectories, trajectories_svg};
use crate::sda::window_posterior::{
    GuidedWindowConfig, GuidedWindowSampler, SelectionObservations,
};
use crate::sda::window_readouts::{window_readouts, WindowReadouts};
use crate::sda::window_score::WindowScoreModel;
use plotters::prelude::IntoDrawingArea;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

/// Posterior windows sampled.
const SAMPLES: usize = 64;
/// Predictor levels, and σ_min, σ_max (the training range of the shipped model).
const LEVELS: usize = 96;
const SIGMA: (f64, f64) = (0.01, 10.0);
/// SDA's γ and τ.
const GAMMA: f64 = 0.1;
const TAU: f64 = 0.1;

/// The score-based sampler of one twin experiment's window.
#[wasm_bindgen]
pub struct SdaWindowWidget {
    sampler: GuidedWindowSampler<WindowScoreModel>,
    truth: Vec<f64>,
    obs: crate::sda::observation::Observations,
    kernel: crate::sda::lorenz::NoisyLorenz,
    reference: Vec<f64>,
    readouts: Option<WindowReadouts>,
}

#[wasm_bindgen]
impl SdaWindowWidget {
    /// `weights`: a window-score `.sbnn` file whose window length equals the twin's; the twin's
    /// filters must be done; `corrections` K ∈ [0, 8] Langevin steps per level.
    #[wasm_bindgen(constructor)]
    pub fn new(
        twin: &SdaLorenzWidget,
        weights: &[u8],
        corrections: f64,
        seed: u32,
    ) -> Result<SdaWindowWidget, JsError> {
        check_range("corrections", corrections, 0.0, 8.0, false)?;
        let t = twin.twin();
        if !t.is_done() {
            return Err(Error::invalid(
                "particle filters",
                "finished before the score-based sampler starts",
                "still running",
            )
            .into());
        }
        let model = WindowScoreModel::from_weights(weights, Some(t.setup().len), SAMPLES)?;
        let obs = SelectionObservations::from_window(t.observations(), model.len())?;
        let cfg = GuidedWindowConfig {
            samples: SAMPLES,
            levels: LEVELS,
            sigma_min: SIGMA.0,
            sigma_max: SIGMA.1,
            corrections: corrections as usize,
            tau: TAU,
            variance: VarianceRule::Hyper(GAMMA),
        };
        Ok(SdaWindowWidget {
            sampler: GuidedWindowSampler::new(model, obs, cfg, seed as u64)?,
            truth: t.truth().to_vec(),
            obs: t.observations().clone(),
            kernel: *t.kernel(),
            reference: t.samples(0, SAMPLES),
            readouts: None,
        })
    }

    /// Up to `n` ∈ [1, 1000] sub-steps (a predictor level or one correction); false once done.
    pub fn step(&mut self, n: f64) -> Result<bool, JsError> {
        check_range("steps", n, 1.0, 1000.0, false)?;
        let done = self.sampler.advance(n as usize)?;
        if done && self.readouts.is_none() {
            self.readouts = Some(window_readouts(
                &self.kernel,
                &self.obs,
                &self.sampler.trajectories(),
                &self.reference,
                64,
                1,
            )?);
        }
        Ok(!done)
    }

    /// Fraction of the sub-steps done.
    #[wasm_bindgen(getter)]
    pub fn progress(&self) -> f64 {
        self.sampler.progress()
    }

    /// All levels done.
    #[wasm_bindgen(getter)]
    pub fn done(&self) -> bool {
        self.sampler.is_done()
    }

    /// K.
    #[wasm_bindgen(getter)]
    pub fn corrections(&self) -> u32 {
        self.sampler.config().corrections as u32
    }

    /// The score model's window length.
    #[wasm_bindgen(getter)]
    pub fn window(&self) -> u32 {
        (self.sampler.windows().len() / (3 * SAMPLES)) as u32
    }

    /// [mean log p(x), mean log p(y | x), SW₁ to the particle filter] of the samples (NaN until done).
    pub fn readouts(&self) -> Vec<f64> {
        match self.readouts {
            Some(r) => vec![r.log_prior, r.log_likelihood, r.sliced_distance],
            None => vec![f64::NAN; 3],
        }
    }

    /// The sampled trajectories (state units), flat [x, y, z, …] per sample.
    pub fn samples(&self) -> Vec<f64> {
        self.sampler.trajectories()
    }

    /// Draws the x, y, z panels with the score-based trajectories.
    pub fn draw(&self, canvas: &HtmlCanvasElement, dpr: f64, dark: bool) -> Result<(), JsError> {
        let dpr = if dpr.is_finite() && dpr > 0.0 {
            dpr.clamp(0.5, 4.0)
        } else {
            1.0
        };
        let root = CanvasBackend::with_canvas_object(canvas.clone())
            .ok_or_else(|| JsError::new("plotters could not use the canvas"))?
            .into_drawing_area();
        let len = self.truth.len() / 3;
        draw_trajectories(
            &root,
            &self.truth,
            &self.sampler.trajectories(),
            len,
            &self.obs,
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
        let len = self.truth.len() / 3;
        trajectories_svg(
            &self.truth,
            &self.sampler.trajectories(),
            len,
            &self.obs,
            DT,
            (width.clamp(100, 4000), height.clamp(80, 4000)),
            dark,
        )
        .map_err(|e| JsError::new(&e))
    }
}
