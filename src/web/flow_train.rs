//! `FlowTrainWidget`: the handle behind `<sb-flow-train>`, live conditional flow matching.
//!
//! It owns a [`FlowTrainer`] (the caller owns the loop: `step(n)` runs n Adam steps), the
//! history of the relative error of v_θ against the exact marginal velocity (fixed evaluation
//! set), and the pictures: learned and exact fields as arrows over the exact density of p_τ, the
//! error map ‖v_θ − u_τ‖², and samples from integrating the learned ODE (`sample`), compared by
//! histogram KL with the same integration of the exact field.

use super::draw::{blit_with_axes, layout};
use crate::chart::ChartTheme;
use crate::chart_multi::{draw_multi_chart, palette, Series};
use crate::ebm::picture::{EbmPalette, Picture, Shading};
use crate::error::Error;
use crate::flow::integrator::{check_steps, OdeIntegrator, OdeMethod};
use crate::flow::targets::{flow_target, flow_view};
use crate::flow::trainer::{check_batch, Coupling, FlowConfig, FlowEvalSet, FlowTrainer};
use crate::flow::velocity::check_tau;
use crate::flow::CondOtVelocity;
use crate::histogram_kl::HistogramKl;
use crate::kernel::KernelPath;
use crate::nn::activation::Activation;
use crate::nn::picture::{arrow_grid, arrow_points, arrow_scale, heat_grid, render_heat};
use crate::particles::Particles;
use crate::viewport::Viewport;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

/// Samples integrated by `sample`.
const SAMPLES: usize = 1000;
/// The most integration steps of `sample`.
const MAX_SAMPLE_STEPS: usize = 200;
/// Training steps between history points.
const EVAL_EVERY: u64 = 100;
const HISTORY_MAX: usize = 600;
const HEAT_GRID: usize = 48;

fn clamp_dpr(dpr: f64) -> f64 {
    if dpr.is_finite() && dpr > 0.0 {
        dpr.clamp(0.5, 4.0)
    } else {
        1.0
    }
}

fn arrows_per_side(width_px: usize, dpr: f64) -> usize {
    ((width_px as f64 / dpr / 18.0).round() as usize).clamp(9, 21)
}

fn parse_hidden(s: &str) -> Result<Vec<usize>, Error> {
    if s.trim().is_empty() {
        return Ok(vec![]);
    }
    s.split(',')
        .map(|t| {
            t.trim().parse::<usize>().map_err(|_| {
                Error::invalid(
                    "hidden",
                    "comma-separated layer widths such as 64,64",
                    format!("{s:?}"),
                )
            })
        })
        .collect()
}

fn batch(b: f64, c: Coupling) -> Result<usize, Error> {
    if b.is_finite() && b.fract() == 0.0 && (1.0..=1e6).contains(&b) {
        check_batch(b as usize, c)
    } else {
        Err(Error::invalid(
            "batch_size",
            "an integer in [1, 4096] (at most 512 with minibatch-ot)",
            b,
        ))
    }
}

/// Live flow-matching training on a 2-D mixture.
#[wasm_bindgen]
pub struct FlowTrainWidget {
    trainer: FlowTrainer,
    exact: CondOtVelocity,
    target: String,
    set: FlowEvalSet,
    /// Rows [iteration, relative error].
    history: Vec<[f64; 2]>,
    hist: HistogramKl,
    noise: Particles,
    samples: Particles,
    exact_samples: Particles,
    sample_kl: [f64; 2],
    /// [K̂, straightness gap, length/chord] of the learned flow's last sampling run.
    sample_flow: [f64; 3],
    sampled: Option<(OdeMethod, usize)>,
    pictures: [Picture; 3],
    heat: Vec<u8>,
    heat_range: (f64, f64),
    xs: Vec<f32>,
    ys: Vec<f32>,
    out: Vec<f32>,
}

impl FlowTrainWidget {
    fn record(&mut self) {
        let row = [
            self.trainer.iteration() as f64,
            self.trainer.relative_error(&self.set),
        ];
        if self.history.last().map(|r| r[0]) == Some(row[0]) {
            self.history.pop();
        }
        self.history.push(row);
        if self.history.len() > HISTORY_MAX {
            let first = self.history[0];
            let mut t: Vec<[f64; 2]> = self.history.iter().skip(1).step_by(2).copied().collect();
            t.insert(0, first);
            self.history = t;
        }
    }

    fn restart(&mut self) {
        self.history.clear();
        self.sampled = None;
        self.record();
    }

    fn set_data(&mut self, target: &str) -> Result<(), Error> {
        let data = flow_target(target)?;
        self.use_data(&data, target)
    }

    fn use_data(
        &mut self,
        data: &crate::mixture::GaussianMixture,
        target: &str,
    ) -> Result<(), Error> {
        let data = data.clone();
        self.set = FlowEvalSet::new(&data, 2000, 99)?;
        self.exact = CondOtVelocity::new(&data);
        self.exact.set_path(self.trainer.path());
        self.hist = HistogramKl::new(&data, data.view_box(), 20);
        self.trainer.set_data(&data);
        self.target = target.into();
        Ok(())
    }
}

#[wasm_bindgen]
impl FlowTrainWidget {
    /// A run on `target` (`ring8`, `two-modes`, `shifted-gaussian`, `gaussian`) with hidden
    /// widths `hidden` (e.g. `64,64`), SiLU, Adam `learning_rate` ∈ (0, 1], `batch_size`
    /// ∈ [1, 4096] (≤ 512 with minibatch OT), `coupling` = `independent` | `minibatch-ot`, `seed`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        target: &str,
        hidden: &str,
        learning_rate: f64,
        batch_size: f64,
        coupling: &str,
        seed: u32,
    ) -> Result<FlowTrainWidget, JsError> {
        let data = flow_target(target)?;
        let coupling = Coupling::from_name(coupling)?;
        let cfg = FlowConfig {
            hidden: parse_hidden(hidden)?,
            activation: Activation::Silu,
            learning_rate,
            batch_size: batch(batch_size, coupling)?,
            coupling,
        };
        let trainer = FlowTrainer::new(&data, cfg, seed as u64)?;
        let noise = Particles::normal(SAMPLES, [0.0, 0.0], 1.0, 4242);
        let mut w = FlowTrainWidget {
            trainer,
            exact: CondOtVelocity::new(&data),
            target: target.into(),
            set: FlowEvalSet::new(&data, 2000, 99)?,
            history: vec![],
            hist: HistogramKl::new(&data, data.view_box(), 20),
            samples: noise.clone(),
            exact_samples: noise.clone(),
            noise,
            sample_kl: [f64::NAN; 2],
            sample_flow: [f64::NAN; 3],
            sampled: None,
            pictures: Default::default(),
            heat: vec![],
            heat_range: (f64::NAN, f64::NAN),
            xs: vec![],
            ys: vec![],
            out: vec![],
        };
        w.restart();
        Ok(w)
    }

    /// Re-initialises the network from `seed`, keeping every setting.
    pub fn reset(&mut self, seed: u32) {
        self.trainer.reset(seed as u64);
        self.restart();
    }

    /// Changes the data and restarts from the same seed.
    #[wasm_bindgen(js_name = setTarget)]
    pub fn set_target(&mut self, target: &str) -> Result<(), JsError> {
        self.set_data(target)?;
        let seed = self.trainer.seed();
        self.trainer.reset(seed);
        self.restart();
        Ok(())
    }

    /// Trains on a mixture built in JS (e.g. `MixtureTarget.fromPoints` of drawn or pasted
    /// points: the data then are samples of that mixture, so the exact field stays exact) and
    /// restarts from the same seed.
    #[wasm_bindgen(js_name = setMixture)]
    pub fn set_mixture(&mut self, target: &super::MixtureTarget) -> Result<(), JsError> {
        self.use_data(&target.inner, "drawn")?;
        let seed = self.trainer.seed();
        self.trainer.reset(seed);
        self.restart();
        Ok(())
    }

    /// The data point under canvas pixel (px, py) of a `width` × `height` picture of this widget.
    #[wasm_bindgen(js_name = pixelToData)]
    pub fn pixel_to_data(&self, px: f64, py: f64, width: u32, height: u32, dpr: f64) -> Vec<f64> {
        let (rect, view) = crate::chart::square_layout(
            width,
            height,
            clamp_dpr(dpr),
            flow_view(self.trainer.data()),
        );
        crate::chart::pixel_to_data(rect, view, px, py).to_vec()
    }

    /// Changes Adam's learning rate ∈ (0, 1]; the run continues.
    #[wasm_bindgen(js_name = setLearningRate)]
    pub fn set_learning_rate(&mut self, v: f64) -> Result<(), JsError> {
        Ok(self.trainer.set_learning_rate(v)?)
    }

    /// Changes the batch size; the run continues.
    #[wasm_bindgen(js_name = setBatchSize)]
    pub fn set_batch_size(&mut self, v: f64) -> Result<(), JsError> {
        let c = self.trainer.config().coupling;
        Ok(self.trainer.set_batch_size(batch(v, c)?)?)
    }

    /// Changes the coupling (`independent`, `minibatch-ot`); the run continues.
    #[wasm_bindgen(js_name = setCoupling)]
    pub fn set_coupling(&mut self, c: &str) -> Result<(), JsError> {
        Ok(self.trainer.set_coupling(Coupling::from_name(c)?)?)
    }

    /// Runs `n` ∈ [0, 10000] training steps (the relative error is recorded every 100). Throws
    /// when the loss or the gradient becomes non-finite (the last finite weights are kept).
    pub fn step(&mut self, n: u32) -> Result<(), JsError> {
        if n > 10_000 {
            return Err(Error::invalid("n", "an integer in [0, 10000]", n).into());
        }
        for _ in 0..n {
            self.trainer.step()?;
            if self.trainer.iteration() % EVAL_EVERY == 0 {
                self.record();
            }
        }
        if n > 0 {
            self.sampled = None;
        }
        Ok(())
    }

    /// Integrates the learned field from 1000 fixed noise points with `method` (`euler`,
    /// `midpoint`, `heun`) in `steps` ∈ [1, 200] steps, and the exact field the same way; the
    /// histogram KL of both clouds to the data follows (`sampleKl`). Cached while nothing changed.
    pub fn sample(&mut self, method: &str, steps: f64) -> Result<(), JsError> {
        let m = OdeMethod::from_name(method)?;
        let n = check_steps(steps)?;
        if n > MAX_SAMPLE_STEPS {
            return Err(Error::invalid(
                "steps",
                format!("an integer in [1, {MAX_SAMPLE_STEPS}]"),
                n,
            )
            .into());
        }
        if self.sampled == Some((m, n)) {
            return Ok(());
        }
        let mut ode = OdeIntegrator::new(m, n, self.noise.clone(), 0)?;
        let learned = ode.run(&mut self.trainer);
        self.samples = ode.particles().clone();
        self.sample_flow = if learned.is_ok() {
            [
                ode.kinetic_energy(),
                ode.straightness_gap(),
                ode.length_over_chord(),
            ]
        } else {
            [f64::NAN; 3]
        };
        let mut ex = OdeIntegrator::new(m, n, self.noise.clone(), 0)?;
        ex.run(&mut self.exact)?;
        self.exact_samples = ex.particles().clone();
        self.sample_kl = [
            if learned.is_ok() {
                self.hist.kl(&self.samples)
            } else {
                f64::INFINITY
            },
            self.hist.kl(&self.exact_samples),
        ];
        self.sampled = Some((m, n));
        learned.map_err(|_| JsError::new("the learned flow diverged while sampling (a particle left the disc of radius 10000); train longer or lower the learning rate"))
    }

    /// [histogram KL of the learned samples, of the exact field's samples (same integrator and
    /// steps), of 1000 exact i.i.d. samples in expectation (the floor)].
    #[wasm_bindgen(js_name = sampleKl)]
    pub fn sample_kl(&self) -> Vec<f64> {
        vec![
            self.sample_kl[0],
            self.sample_kl[1],
            self.hist.floor(SAMPLES),
        ]
    }

    /// The learned flow's last sampling run: [kinetic energy K̂ = mean Σ‖Δx‖²/h, straightness gap
    /// K̂ − mean‖x_N − x_0‖² (0 for straight paths at constant speed), path length / chord].
    #[wasm_bindgen(js_name = sampleFlow)]
    pub fn sample_flow(&self) -> Vec<f64> {
        self.sample_flow.to_vec()
    }

    /// The relative error E‖v_θ − u‖²/E‖u‖² on 2000 fixed points (τ uniform, x_τ of the path).
    #[wasm_bindgen(js_name = relativeError)]
    pub fn relative_error(&mut self) -> f64 {
        self.trainer.relative_error(&self.set)
    }

    /// Monte Carlo estimate (2000 fixed points) of the constant L_CFM − L_FM = E‖x₁ − x₀‖² −
    /// E‖u‖² for the independent coupling, the floor of the batch loss.
    #[wasm_bindgen(getter, js_name = lossFloor)]
    pub fn loss_floor(&self) -> f64 {
        self.exact.independent_cost() - self.set.mean_square()
    }

    /// The history as [iteration, relative error, …].
    pub fn history(&self) -> Vec<f64> {
        self.history
            .iter()
            .flat_map(|r| r.iter().copied())
            .collect()
    }

    /// v_θ(x, τ) at (xs[i], ys[i]) as [v₁, v₂, …].
    #[wasm_bindgen(js_name = learnedVelocity)]
    pub fn learned_velocity(
        &mut self,
        xs: &[f32],
        ys: &[f32],
        tau: f64,
    ) -> Result<Vec<f32>, JsError> {
        let mut out = vec![0.0; 2 * xs.len()];
        self.trainer.velocity_at(tau, xs, ys, &mut out)?;
        Ok(out)
    }

    /// Draws the exact density of p_τ with arrows of the learned (`learned`) or exact field at τ,
    /// with one arrow scale shared by both pictures.
    #[wasm_bindgen(js_name = drawField)]
    pub fn draw_field(
        &mut self,
        canvas: &HtmlCanvasElement,
        learned: bool,
        tau: f64,
        dpr: f64,
        dark: bool,
    ) -> Result<(), JsError> {
        let dpr = clamp_dpr(dpr);
        check_tau(tau)?;
        let p = self.exact.marginal(tau)?;
        let (rect, view) = layout(canvas, flow_view(self.trainer.data()), dpr);
        let vp = Viewport {
            data: view,
            width: rect.width as usize,
            height: rect.height as usize,
        };
        let pal = EbmPalette::for_theme(dark);
        let k = learned as usize;
        self.pictures[k].shade(&vp, |x| p.log_density(x), Shading::LogDensity, &pal);
        let arrows = arrows_per_side(vp.width, dpr);
        arrow_grid(&vp, arrows, &mut self.xs, &mut self.ys);
        let n = self.xs.len();
        let exact: Vec<[f64; 2]> = (0..n)
            .map(|i| {
                self.exact
                    .velocity_at(tau, [self.xs[i] as f64, self.ys[i] as f64])
            })
            .collect::<Result<_, _>>()?;
        let mags: Vec<f64> = exact.iter().map(|e| e[0].hypot(e[1])).collect();
        let cell = vp.width as f64 / arrows as f64;
        let scale = arrow_scale(&mags, cell);
        self.out.resize(2 * n, 0.0);
        let vecs: Vec<[f64; 2]> = if learned {
            self.trainer
                .velocity_at(tau, &self.xs, &self.ys, &mut self.out)?;
            (0..n)
                .map(|i| [self.out[2 * i] as f64, self.out[2 * i + 1] as f64])
                .collect()
        } else {
            exact
        };
        let (mut ax, mut ay) = (Vec::new(), Vec::new());
        for (i, &v) in vecs.iter().enumerate() {
            let len = v[0].hypot(v[1]) * scale;
            if !len.is_finite() || len < 0.5 {
                continue;
            }
            let cap = 0.9 * cell;
            let f = if len > cap { cap / len } else { 1.0 };
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

    /// Draws ‖v_θ(x, τ) − u_τ(x)‖² over the plane, log colour scale over four decades below its
    /// maximum (see `errorRange`).
    #[wasm_bindgen(js_name = drawError)]
    pub fn draw_error(
        &mut self,
        canvas: &HtmlCanvasElement,
        tau: f64,
        dpr: f64,
        dark: bool,
    ) -> Result<(), JsError> {
        let dpr = clamp_dpr(dpr);
        check_tau(tau)?;
        let (rect, view) = layout(canvas, flow_view(self.trainer.data()), dpr);
        let vp = Viewport {
            data: view,
            width: rect.width as usize,
            height: rect.height as usize,
        };
        let g = HEAT_GRID;
        heat_grid(&vp, g, g, &mut self.xs, &mut self.ys);
        self.out.resize(2 * g * g, 0.0);
        self.trainer
            .velocity_at(tau, &self.xs, &self.ys, &mut self.out)?;
        let mut vals = Vec::with_capacity(g * g);
        for i in 0..g * g {
            let e = self
                .exact
                .velocity_at(tau, [self.xs[i] as f64, self.ys[i] as f64])?;
            let (dx, dy) = (
                self.out[2 * i] as f64 - e[0],
                self.out[2 * i + 1] as f64 - e[1],
            );
            vals.push(dx * dx + dy * dy);
        }
        self.heat_range = render_heat(&vp, &vals, g, g, &mut self.heat);
        blit_with_axes(canvas, &self.heat, rect, view, dpr, dark)
    }

    /// [lo, hi]: log₁₀ of the error map's colour range (after `drawError`).
    #[wasm_bindgen(js_name = errorRange)]
    pub fn error_range(&self) -> Vec<f64> {
        vec![self.heat_range.0, self.heat_range.1]
    }

    /// Draws the data density with the learned samples (after `sample`).
    #[wasm_bindgen(js_name = drawSamples)]
    pub fn draw_samples(
        &mut self,
        canvas: &HtmlCanvasElement,
        dpr: f64,
        dark: bool,
    ) -> Result<(), JsError> {
        let dpr = clamp_dpr(dpr);
        let data = self.trainer.data().clone();
        let (rect, view) = layout(canvas, flow_view(&data), dpr);
        let vp = Viewport {
            data: view,
            width: rect.width as usize,
            height: rect.height as usize,
        };
        let pal = EbmPalette::for_theme(dark);
        let pic = &mut self.pictures[2];
        pic.shade(&vp, |x| data.log_density(x), Shading::LogDensity, &pal);
        let size = (1.6 * dpr).round().max(1.0) as usize;
        pic.dots(&vp, &self.samples.xs, &self.samples.ys, size, pal.negative);
        blit_with_axes(canvas, pic.rgba(), rect, view, dpr, dark)
    }

    /// Draws the relative error against training step (log scale).
    #[wasm_bindgen(js_name = drawHistory)]
    pub fn draw_history(
        &self,
        canvas: &HtmlCanvasElement,
        dpr: f64,
        dark: bool,
    ) -> Result<(), JsError> {
        let pts: Vec<(f64, f64)> = self.history.iter().map(|r| (r[0], r[1])).collect();
        let pal = palette(dark);
        let series = [Series {
            label: "",
            color: pal[0],
            points: &pts,
            width: 1.8,
        }];
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

    /// Uses the simd128 kernels (`true`, when compiled in) or the scalar ones (same bits).
    #[wasm_bindgen(js_name = setSimd)]
    pub fn set_simd(&mut self, on: bool) {
        let path = if on {
            KernelPath::best()
        } else {
            KernelPath::Scalar
        };
        self.trainer.set_path(path);
        self.exact.set_path(path);
        self.sampled = None;
    }

    /// `simd128` or `scalar`.
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

    /// Mean ‖x₁ − x₀‖² of the last batch's pairs.
    #[wasm_bindgen(getter, js_name = pairCost)]
    pub fn pair_cost(&self) -> f64 {
        self.trainer.last_pair_cost()
    }

    /// The coupling's name.
    #[wasm_bindgen(getter)]
    pub fn coupling(&self) -> String {
        self.trainer.config().coupling.name().into()
    }

    /// The divergence message, or an empty string.
    #[wasm_bindgen(getter)]
    pub fn diverged(&self) -> String {
        self.trainer
            .diverged()
            .map(|e| e.to_string())
            .unwrap_or_default()
    }

    /// The network, e.g. `3-64-64-2 (silu)`.
    #[wasm_bindgen(getter)]
    pub fn architecture(&self) -> String {
        self.trainer.network().architecture().describe()
    }

    /// The number of parameters.
    #[wasm_bindgen(getter, js_name = parameterCount)]
    pub fn parameter_count(&self) -> f64 {
        self.trainer.network().params().len() as f64
    }

    /// The data preset.
    #[wasm_bindgen(getter)]
    pub fn target(&self) -> String {
        self.target.clone()
    }

    /// The flat parameters (a copy).
    pub fn params(&self) -> Vec<f32> {
        self.trainer.network().params().to_vec()
    }

    /// The weights file (`SBNN` version 1) of the current network.
    #[wasm_bindgen(js_name = exportWeights)]
    pub fn export_weights(&self) -> Vec<u8> {
        self.trainer.export_weights()
    }

    /// Loads a weights file of the same architecture (clears Adam and the step count).
    #[wasm_bindgen(js_name = importWeights)]
    pub fn import_weights(&mut self, bytes: &[u8]) -> Result<(), JsError> {
        self.trainer
            .import_weights(bytes)
            .map_err(|e| JsError::new(&e.to_string()))?;
        self.restart();
        Ok(())
    }
}
