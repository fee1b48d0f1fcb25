//! `EbmTrainWidget`: the handle behind the EBM training widget (`<sb-ebm-train>`).
//!
//! It owns an [`EbmTrainer`] (the caller owns the loop: `step(n)` runs n training steps and
//! evaluates the exact log-likelihood and gradient at the last of them), the history of exact
//! values for the chart, and the picture (model density, positive and negative samples).

use super::draw::{blit_with_axes, layout};
use crate::chart::ChartTheme;
use crate::ebm::charts::{draw_linear_chart, linear_chart_svg};
use crate::ebm::picture::{EbmPalette, Picture, Shading};
use crate::ebm::trainer::{
    check_langevin_steps, check_wells, ChainMode, EbmTrainer, ExactEval, TrainerConfig,
};
use crate::error::Error;
use crate::viewport::Viewport;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

/// History points kept (older ones thinned 2:1).
const HISTORY_MAX: usize = 800;

fn clamp_dpr(dpr: f64) -> f64 {
    if dpr.is_finite() && dpr > 0.0 {
        dpr.clamp(0.5, 4.0)
    } else {
        1.0
    }
}

/// One history row: iteration, exact LL, KL, cosine, relative error.
type Row = [f64; 5];

/// Maximum-likelihood training of a mixture-of-wells EBM with exact references.
#[wasm_bindgen]
pub struct EbmTrainWidget {
    trainer: EbmTrainer,
    history: Vec<Row>,
    last: ExactEval,
    cosine: f64,
    relative_error: f64,
    picture: Picture,
}

impl EbmTrainWidget {
    fn push(&mut self, row: Row) {
        if self.history.last().map(|r| r[0]) == Some(row[0]) {
            self.history.pop();
        }
        self.history.push(row);
        if self.history.len() > HISTORY_MAX {
            let thinned: Vec<Row> = self.history.iter().step_by(2).copied().collect();
            self.history = thinned;
        }
    }

    fn restart(&mut self, cfg: TrainerConfig) -> Result<(), Error> {
        self.trainer = EbmTrainer::new(cfg)?;
        self.history.clear();
        self.cosine = f64::NAN;
        self.relative_error = f64::NAN;
        self.last = self.trainer.exact(None)?;
        let l = self.last;
        self.push([0.0, l.log_likelihood, l.kl, f64::NAN, f64::NAN]);
        Ok(())
    }
}

#[wasm_bindgen]
impl EbmTrainWidget {
    /// A run on the data set `data` (`blobs3`, `two-modes`, `ring8`, `gaussian`) with `wells` ∈ [1, 16]
    /// learnable wells, batch 256, learning rate ∈ (0, 1] (Adam), `langevin_steps` ∈ [1, 1000]
    /// ULA steps of size `step_size` ∈ (0, 1] per training step, chain `mode` (`noise`, `data`,
    /// `persistent`) and `seed`.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        data: &str,
        wells: f64,
        learning_rate: f64,
        langevin_steps: f64,
        step_size: f64,
        mode: &str,
        seed: u32,
    ) -> Result<EbmTrainWidget, JsError> {
        let cfg = TrainerConfig {
            data: data.into(),
            wells: check_wells(wells)?,
            learning_rate,
            langevin_steps: check_langevin_steps(langevin_steps)?,
            step_size,
            mode: ChainMode::from_name(mode)?,
            seed: seed as u64,
            ..TrainerConfig::default()
        };
        let trainer = EbmTrainer::new(cfg.clone())?;
        let mut w = EbmTrainWidget {
            trainer,
            history: vec![],
            last: ExactEval::default(),
            cosine: f64::NAN,
            relative_error: f64::NAN,
            picture: Picture::default(),
        };
        w.restart(cfg)?;
        Ok(w)
    }

    /// Restarts with `seed`, keeping every setting.
    pub fn reset(&mut self, seed: u32) -> Result<(), JsError> {
        let cfg = TrainerConfig {
            seed: seed as u64,
            ..self.trainer.config().clone()
        };
        Ok(self.restart(cfg)?)
    }

    /// Changes the data preset and restarts.
    #[wasm_bindgen(js_name = setData)]
    pub fn set_data(&mut self, data: &str) -> Result<(), JsError> {
        let cfg = TrainerConfig {
            data: data.into(),
            ..self.trainer.config().clone()
        };
        Ok(self.restart(cfg)?)
    }

    /// Changes the number of wells (∈ [1, 16]) and restarts.
    #[wasm_bindgen(js_name = setWells)]
    pub fn set_wells(&mut self, wells: f64) -> Result<(), JsError> {
        let cfg = TrainerConfig {
            wells: check_wells(wells)?,
            ..self.trainer.config().clone()
        };
        Ok(self.restart(cfg)?)
    }

    /// Changes the learning rate ∈ (0, 1]; the run continues.
    #[wasm_bindgen(js_name = setLearningRate)]
    pub fn set_learning_rate(&mut self, v: f64) -> Result<(), JsError> {
        Ok(self.trainer.set_learning_rate(v)?)
    }

    /// Changes the Langevin steps per training step ∈ [1, 1000]; the run continues.
    #[wasm_bindgen(js_name = setLangevinSteps)]
    pub fn set_langevin_steps(&mut self, k: f64) -> Result<(), JsError> {
        Ok(self.trainer.set_langevin_steps(k)?)
    }

    /// Changes the Langevin step size ∈ (0, 1]; the run continues.
    #[wasm_bindgen(js_name = setStepSize)]
    pub fn set_step_size(&mut self, v: f64) -> Result<(), JsError> {
        Ok(self.trainer.set_step_size(v)?)
    }

    /// Changes the chain mode (`noise`, `data`, `persistent`); the run continues.
    #[wasm_bindgen(js_name = setMode)]
    pub fn set_mode(&mut self, mode: &str) -> Result<(), JsError> {
        self.trainer.set_mode(ChainMode::from_name(mode)?);
        Ok(())
    }

    /// Runs `n` ∈ [0, 10000] training steps; the last one also computes the exact
    /// log-likelihood and gradient (before its update) and adds a point to the history. Throws
    /// when the chains diverge or the parameters stop being finite (then reset).
    pub fn step(&mut self, n: u32) -> Result<(), JsError> {
        if n > 10_000 {
            return Err(Error::invalid("n", "an integer in [0, 10000]", n).into());
        }
        for i in 0..n {
            let r = self.trainer.step(i + 1 == n)?;
            if let Some(e) = r.exact {
                self.last = e;
                self.cosine = r.cosine;
                self.relative_error = r.relative_error;
                self.push([
                    (r.iteration - 1) as f64,
                    e.log_likelihood,
                    e.kl,
                    r.cosine,
                    r.relative_error,
                ]);
            }
        }
        Ok(())
    }

    /// Training steps completed.
    #[wasm_bindgen(getter)]
    pub fn iteration(&self) -> f64 {
        self.trainer.iteration() as f64
    }

    /// The iteration at which the exact values below were computed.
    #[wasm_bindgen(getter, js_name = exactIteration)]
    pub fn exact_iteration(&self) -> f64 {
        self.history.last().map(|r| r[0]).unwrap_or(0.0)
    }

    /// Exact E_{p_data}[log p_θ] (nats).
    #[wasm_bindgen(getter, js_name = logLikelihood)]
    pub fn log_likelihood(&self) -> f64 {
        self.last.log_likelihood
    }

    /// Exact KL(p_data ‖ p_θ).
    #[wasm_bindgen(getter)]
    pub fn kl(&self) -> f64 {
        self.last.kl
    }

    /// Exact log Z_θ.
    #[wasm_bindgen(getter, js_name = logZ)]
    pub fn log_z(&self) -> f64 {
        self.last.log_z
    }

    /// −H(p_data) = E_{p_data}[log p_data], the best achievable average log-likelihood.
    #[wasm_bindgen(getter, js_name = negEntropy)]
    pub fn neg_entropy(&self) -> f64 {
        self.trainer.data_neg_entropy()
    }

    /// cos∠(Monte Carlo gradient, exact gradient) at the last evaluated step (NaN before).
    #[wasm_bindgen(getter)]
    pub fn cosine(&self) -> f64 {
        self.cosine
    }

    /// ‖g_MC − g‖/‖g‖ at the last evaluated step (NaN before).
    #[wasm_bindgen(getter, js_name = relativeError)]
    pub fn relative_error(&self) -> f64 {
        self.relative_error
    }

    /// The chain mode's name.
    #[wasm_bindgen(getter)]
    pub fn mode(&self) -> String {
        self.trainer.config().mode.name().into()
    }

    /// The data preset's name.
    #[wasm_bindgen(getter)]
    pub fn data(&self) -> String {
        self.trainer.config().data.clone()
    }

    /// The model's wells as [x₀, y₀, depth₀, width₀, …].
    pub fn wells(&self) -> Vec<f64> {
        self.trainer.wells().flat()
    }

    /// Positive then negative samples of the last step: [x₀, y₀, …] for B positives, then B
    /// negatives (a copy, for export).
    pub fn samples(&self) -> Vec<f32> {
        let (px, py) = self.trainer.positives();
        let (nx, ny) = self.trainer.negatives();
        px.iter()
            .zip(py)
            .chain(nx.iter().zip(ny))
            .flat_map(|(x, y)| [*x, *y])
            .collect()
    }

    /// The history as [iteration, exact LL, KL, cosine, relative error, …] (5 per row).
    pub fn history(&self) -> Vec<f64> {
        self.history
            .iter()
            .flat_map(|r| r.iter().copied())
            .collect()
    }

    /// Draws the model density p_θ, the positive (data) and negative (model) samples and the
    /// well centres with axes.
    pub fn draw(
        &mut self,
        canvas: &HtmlCanvasElement,
        dpr: f64,
        dark: bool,
    ) -> Result<(), JsError> {
        let dpr = clamp_dpr(dpr);
        let (rect, view) = layout(canvas, self.trainer.data().view_box(), dpr);
        let vp = Viewport {
            data: view,
            width: rect.width as usize,
            height: rect.height as usize,
        };
        let pal = EbmPalette::for_theme(dark);
        let wells = self.trainer.wells();
        self.picture
            .shade(&vp, |x| -wells.energy(x), Shading::LogDensity, &pal);
        let size = (2.0 * dpr).round().max(1.0) as usize;
        let (px, py) = self.trainer.positives();
        self.picture.dots(&vp, px, py, size, pal.positive);
        let (nx, ny) = self.trainer.negatives();
        self.picture.dots(&vp, nx, ny, size, pal.negative);
        for w in self.trainer.wells().wells() {
            self.picture
                .ring(&vp, w.centre, 5.0 * dpr, 1.5 * dpr, pal.marker, false);
        }
        blit_with_axes(canvas, self.picture.rgba(), rect, view, dpr, dark)
    }

    /// Draws the exact log-likelihood against iteration with the −H(p_data) line.
    #[wasm_bindgen(js_name = drawHistory)]
    pub fn draw_history(
        &self,
        canvas: &HtmlCanvasElement,
        dpr: f64,
        dark: bool,
    ) -> Result<(), JsError> {
        let series: Vec<(f64, f64)> = self.history.iter().map(|r| (r[0], r[1])).collect();
        let root = CanvasBackend::with_canvas_object(canvas.clone())
            .ok_or_else(|| JsError::new("plotters could not use the canvas"))?
            .into_drawing_area();
        draw_linear_chart(
            &root,
            &series,
            Some(self.neg_entropy()),
            0.0,
            "iteration",
            "log-likelihood",
            clamp_dpr(dpr),
            &ChartTheme::for_theme(dark),
        )
        .map_err(|e| JsError::new(&e))?;
        root.present()
            .map_err(|e| JsError::new(&format!("{e:?}")))?;
        Ok(())
    }

    /// The log-likelihood chart as SVG (`width` × `height` CSS px in [100, 4000] × [60, 4000]).
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
        let series: Vec<(f64, f64)> = self.history.iter().map(|r| (r[0], r[1])).collect();
        linear_chart_svg(
            &series,
            Some(self.neg_entropy()),
            0.0,
            "iteration",
            "log-likelihood",
            width,
            height,
            dark,
        )
        .map_err(|e| JsError::new(&e))
    }
}
