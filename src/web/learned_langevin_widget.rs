//! `LearnedLangevinWidget`: the handle behind `<sb-learned-langevin>` (Langevin with the learned
//! score beside the exact score).
//!
//! Two clouds start from the same uniform draw on [−8, 8]² and receive the same noise (same seed,
//! same step keys) under the same sampler ([`ScoreLangevin`]: annealed Langevin over a geometric
//! σ schedule, or plain ULA at σ_min): one with the exact score of p_σ ([`ExactScore`]), one with
//! a network s_θ(x, σ) ([`NetScore`]). The network is loaded from a weights file (the shipped
//! model or one downloaded from `<sb-dsm-train>`) or trained here by [`DsmTrainer`]: `step(k)`
//! first runs the remaining training steps (stopping at the end of training), then the samplers.
//! Readouts compare both clouds with the exact p_σ of the current level.

use super::draw::{blit_with_axes, layout};
use crate::annealed::{GeometricSchedule, UNIFORM_START};
use crate::chart::ChartTheme;
use crate::chart_multi::{draw_multi_chart, multi_chart_svg, palette, Series};
use crate::cloud_vs_exact::{far_share, far_share_bound, relative_score_error};
use crate::error::Error;
use crate::histogram_kl::HistogramKl;
use crate::kernel::KernelPath;
use crate::mixture::GaussianMixture;
use crate::mode_mass::mode_shares_into;
use crate::nn::dsm::{DsmConfig, DsmTrainer};
use crate::nn::picture::{heat_grid, render_heat};
use crate::nn::score_eval::EvalSet;
use crate::nn::{weights_file, Mlp};
use crate::particles::{check_count, Particles};
use crate::presets::preset;
use crate::raster::{Palette, Raster};
use crate::score_langevin::{
    shipped_config, ExactScore, Levels, NetScore, ScoreField, ScoreLangevin,
};
use crate::stats::moments;
use crate::viewport::Viewport;
use plotters::prelude::IntoDrawingArea;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

/// History points over a whole run.
const HISTORY_POINTS: u64 = 100;
/// Cells per side of the KL histogram over the target's view box.
const KL_BINS: usize = 32;
/// Side of the error map's evaluation grid.
const HEAT_GRID: usize = 64;
/// Mahalanobis radius of the far share.
const FAR_RADIUS: f64 = 3.0;
/// The most training steps a widget runs.
const MAX_TRAIN_STEPS: f64 = 100_000.0;

fn dpr_ok(dpr: f64) -> f64 {
    if dpr.is_finite() && dpr > 0.0 {
        dpr.clamp(0.5, 4.0)
    } else {
        1.0
    }
}

/// The targets of this widget (those of `<sb-dsm-train>`, so its files fit).
fn target_by_name(name: &str) -> Result<GaussianMixture, Error> {
    match name {
        "ring8" | "two-modes" | "gaussian" => preset(name),
        other => Err(Error::invalid(
            "target",
            "one of ring8, two-modes, gaussian",
            format!("{other:?}"),
        )),
    }
}

fn sampler_by_name(name: &str) -> Result<bool, Error> {
    match name {
        "annealed" => Ok(true),
        "ula" => Ok(false),
        other => Err(Error::invalid(
            "sampler",
            "annealed or ula",
            format!("{other:?}"),
        )),
    }
}

fn train_steps(v: f64) -> Result<u64, Error> {
    if v.is_finite() && v.fract() == 0.0 && (0.0..=MAX_TRAIN_STEPS).contains(&v) {
        Ok(v as u64)
    } else {
        Err(Error::invalid(
            "train_steps",
            "an integer in [0, 100000]",
            v,
        ))
    }
}

/// The sampler's levels: the annealed schedule, or ULA at σ_min with step ε for L·T steps.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Plan {
    annealed: bool,
    sigma_max: f64,
    sigma_min: f64,
    levels: f64,
    steps_per_level: f64,
    step_size: f64,
}

/// The smallest eigenvalue of the target's component covariances.
fn smallest_variance(p: &GaussianMixture) -> f64 {
    p.components()
        .iter()
        .map(|c| {
            let s = c.cov();
            let (tr, det) = (s[0] + s[2], s[0] * s[2] - s[1] * s[1]);
            tr / 2.0 - ((tr * tr / 4.0) - det).max(0.0).sqrt()
        })
        .fold(f64::INFINITY, f64::min)
}

impl Plan {
    /// Annealed: the geometric schedule with αᵢ = ε σᵢ²/σ_L². ULA: L·T steps at σ_min with the
    /// same relative step ε/σ_L² applied at the scale of p_σ's narrowest component,
    /// α = (ε/σ_min²)(λ_min(Σₖ) + σ_min²) (as the plain chain of `<sb-annealed>`), capped at 10.
    fn levels(&self, p: &GaussianMixture) -> Result<Levels, Error> {
        let sched = GeometricSchedule::new(self.sigma_max, self.sigma_min, self.levels)?;
        if self.annealed {
            Levels::annealed(&sched, self.step_size, self.steps_per_level)
        } else {
            crate::annealed::check_step_size(self.step_size)?;
            let t = crate::annealed::check_steps_per_level(self.steps_per_level)?;
            let s2 = self.sigma_min * self.sigma_min;
            let alpha = (self.step_size / s2 * (smallest_variance(p) + s2))
                .min(crate::annealed::MAX_STEP_SIZE);
            Levels::fixed(self.sigma_min, alpha, (sched.levels() * t) as f64)
        }
    }
}

/// One history row: step, relative score error of s_θ at the learned and at the exact cloud,
/// share of mode 1 of the exact and of the learned run.
type Row = [f64; 5];

/// Langevin dynamics with the exact and the learned score, side by side.
#[wasm_bindgen]
pub struct LearnedLangevinWidget {
    target: GaussianMixture,
    target_name: String,
    plan: Plan,
    n: usize,
    seed: u32,
    trainer: DsmTrainer,
    train_target: u64,
    source: String,
    exact: ScoreLangevin<ExactScore>,
    learned: ScoreLangevin<NetScore>,
    clouds: [Particles; 2],
    history: Vec<Row>,
    shares: Vec<f64>,
    kl: Option<(usize, HistogramKl)>,
    eval: Option<EvalSet>,
    scratch: Vec<f32>,
    /// The learned cloud before the last step (where that step's s_θ was evaluated).
    before: Particles,
    rasters: [Raster; 2],
    keys: [Option<(usize, usize, bool, usize)>; 2],
    /// The error map (without particles) of (level, width, height), its log₁₀ colour range, and
    /// the frame with the learned cloud on top.
    heat_base: Vec<u8>,
    heat_key: Option<(usize, usize, usize)>,
    heat_range: (f64, f64),
    heat_frame: Vec<u8>,
    grid: (Vec<f32>, Vec<f32>),
    path: KernelPath,
}

/// The exact-score sampler, the learned-score sampler and their clouds.
type Runs = (
    ScoreLangevin<ExactScore>,
    ScoreLangevin<NetScore>,
    [Particles; 2],
);

fn build_runs(
    p: &GaussianMixture,
    plan: &Plan,
    net: &Mlp,
    n: usize,
    seed: u32,
    path: KernelPath,
) -> Result<Runs, Error> {
    let levels = plan.levels(p)?;
    let exact = ScoreLangevin::new(
        ExactScore::new(p, levels.sigmas())?,
        p,
        levels.clone(),
        seed as u64,
    )?;
    let mut field = NetScore::new(net.clone())?;
    field.set_path(path);
    let learned = ScoreLangevin::new(field, p, levels, seed as u64)?;
    let start = Particles::uniform(n, UNIFORM_START, seed as u64);
    Ok((exact, learned, [start.clone(), start]))
}

impl LearnedLangevinWidget {
    fn is_training(&self) -> bool {
        self.trainer.iteration() < self.train_target
    }

    /// Restarts both samplers from the uniform start with the current network.
    fn restart(&mut self) -> Result<(), Error> {
        let (e, l, c) = build_runs(
            &self.target,
            &self.plan,
            self.trainer.network(),
            self.n,
            self.seed,
            self.path,
        )?;
        self.exact = e;
        self.learned = l;
        self.clouds = c;
        self.history.clear();
        self.keys = [None, None];
        self.heat_key = None;
        self.kl = None;
        self.eval = None;
        self.record();
        Ok(())
    }

    /// s_θ at a cloud, relative to the exact score of the current level (a fresh evaluation).
    fn score_error_at(&mut self, which: usize) -> f64 {
        let q = match self.target.noised(self.learned.sigma()) {
            Ok(q) => q,
            Err(_) => return f64::NAN,
        };
        let c = &self.clouds[which];
        self.scratch.resize(2 * c.len(), 0.0);
        let (lv, s) = (self.learned.level(), self.learned.sigma());
        if self
            .learned
            .field_mut()
            .score_into(lv, s, &c.xs, &c.ys, &mut self.scratch)
            .is_err()
        {
            return f64::NAN;
        }
        relative_score_error(&q, c, &self.scratch)
    }

    /// Records a history row. `learned_error` is the error of s_θ at the learned cloud when the
    /// caller has it (the last step's scores at the positions before it); otherwise it is
    /// evaluated afresh.
    fn record_with(&mut self, learned_error: Option<f64>) {
        let k = self.target.len();
        let (a, b) = self.shares.split_at_mut(k);
        mode_shares_into(&self.target, &self.clouds[0], a);
        mode_shares_into(&self.target, &self.clouds[1], b);
        let (s0, s1) = (a[0], b[0]);
        let s = self.learned.steps() as f64;
        if self.history.last().map(|h| h[0]) != Some(s) {
            let el = learned_error.unwrap_or_else(|| self.score_error_at(1));
            let ee = self.score_error_at(0);
            self.history.push([s, el, ee, s0, s1]);
        }
    }

    fn record(&mut self) {
        self.record_with(None)
    }

    fn exact_noised(&self) -> Result<GaussianMixture, Error> {
        self.target.noised(self.learned.sigma())
    }
}

#[wasm_bindgen]
impl LearnedLangevinWidget {
    /// A widget for `target` (`ring8`, `two-modes`, `gaussian`) with `particles` ∈ [1, 10⁶] per
    /// run, `sampler` `annealed` (σ_max → σ_min in `levels` L ∈ [2, 1000] levels, T =
    /// `steps_per_level` ∈ [1, 100 000] steps each, αᵢ = ε σᵢ²/σ_L²) or `ula` (ULA at σ_min with
    /// step ε for L·T steps), ε = `step_size` ∈ (0, 10], and a `seed`. The network (3 → 128 →
    /// 128 → 2 SiLU, benchmark W2's) starts untrained; `train_steps` ∈ [0, 100 000] DSM steps
    /// run first (use `loadWeights` for a file).
    #[wasm_bindgen(constructor)]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        target: &str,
        sampler: &str,
        particles: f64,
        sigma_max: f64,
        sigma_min: f64,
        levels: f64,
        steps_per_level: f64,
        step_size: f64,
        train_steps: f64,
        seed: u32,
    ) -> Result<LearnedLangevinWidget, JsError> {
        let p = target_by_name(target)?;
        let n = check_count(particles)?;
        let plan = Plan {
            annealed: sampler_by_name(sampler)?,
            sigma_max,
            sigma_min,
            levels,
            steps_per_level,
            step_size,
        };
        plan.levels(&p)?;
        let train_target = self::train_steps(train_steps)?;
        let trainer = DsmTrainer::new(&p, shipped_config(), seed as u64)?;
        let path = KernelPath::best();
        let (exact, learned, clouds) = build_runs(&p, &plan, trainer.network(), n, seed, path)?;
        let mut w = LearnedLangevinWidget {
            shares: vec![0.0; 2 * p.len()],
            target: p,
            target_name: target.into(),
            plan,
            n,
            seed,
            trainer,
            train_target,
            source: if train_target > 0 {
                "trained here".into()
            } else {
                "untrained".into()
            },
            exact,
            learned,
            clouds,
            history: vec![],
            kl: None,
            eval: None,
            scratch: vec![],
            before: Particles::default(),
            rasters: [Raster::default(), Raster::default()],
            keys: [None, None],
            heat_base: vec![],
            heat_key: None,
            heat_range: (f64::NAN, f64::NAN),
            heat_frame: vec![],
            grid: (vec![], vec![]),
            path,
        };
        w.record();
        Ok(w)
    }

    /// Loads a weights file (`SBNN` v1) as the learned model: any network (x₁, x₂, log σ) → 2
    /// with at most 4 hidden layers of at most 512. The samplers restart; no training runs.
    /// Throws with the file's problem; on error nothing changes.
    #[wasm_bindgen(js_name = loadWeights)]
    pub fn load_weights(&mut self, bytes: &[u8], source: &str) -> Result<(), JsError> {
        let arch =
            weights_file::read_architecture(bytes).map_err(|e| JsError::new(&e.to_string()))?;
        if arch.input_dim() != 3 || arch.output_dim() != 2 {
            return Err(JsError::new(&format!(
                "weights file: a score model must map (x₁, x₂, log σ) to 2 outputs (architecture 3-…-2); this file holds {}",
                arch.describe()
            )));
        }
        let w = arch.widths();
        let cfg = DsmConfig {
            hidden: w[1..w.len() - 1].to_vec(),
            activation: arch.activation(),
            ..shipped_config()
        };
        let mut trainer = DsmTrainer::new(&self.target, cfg, self.seed as u64)
            .map_err(|e| JsError::new(&format!("weights file: {e}")))?;
        trainer
            .import_weights(bytes)
            .map_err(|e| JsError::new(&e.to_string()))?;
        trainer.set_path(self.path);
        self.trainer = trainer;
        self.train_target = 0;
        self.source = source.chars().take(80).collect();
        Ok(self.restart()?)
    }

    /// Re-initialises the network (from the seed) to train it here for `train_steps` ∈ [0,
    /// 100 000] DSM steps; the samplers restart once training is done.
    #[wasm_bindgen(js_name = trainFromScratch)]
    pub fn train_from_scratch(&mut self, train_steps: f64) -> Result<(), JsError> {
        let t = self::train_steps(train_steps)?;
        let mut trainer = DsmTrainer::new(&self.target, shipped_config(), self.seed as u64)?;
        trainer.set_path(self.path);
        self.trainer = trainer;
        self.train_target = t;
        self.source = if t > 0 {
            "trained here".into()
        } else {
            "untrained".into()
        };
        Ok(self.restart()?)
    }

    /// Restarts both samplers from the uniform start with `seed` (the model is kept).
    pub fn reset(&mut self, seed: u32) -> Result<(), JsError> {
        self.seed = seed;
        Ok(self.restart()?)
    }

    /// Changes the sampler (`annealed` or `ula`), the schedule and ε (all validated before
    /// anything changes) and restarts the samplers.
    #[wasm_bindgen(js_name = setSchedule)]
    pub fn set_schedule(
        &mut self,
        sampler: &str,
        sigma_max: f64,
        sigma_min: f64,
        levels: f64,
        steps_per_level: f64,
        step_size: f64,
    ) -> Result<(), JsError> {
        let plan = Plan {
            annealed: sampler_by_name(sampler)?,
            sigma_max,
            sigma_min,
            levels,
            steps_per_level,
            step_size,
        };
        plan.levels(&self.target)?;
        self.plan = plan;
        Ok(self.restart()?)
    }

    /// Changes the target; the model no longer fits it, so it is re-initialised (load a file or
    /// train it again) and the samplers restart.
    #[wasm_bindgen(js_name = setTarget)]
    pub fn set_target(&mut self, target: &str) -> Result<(), JsError> {
        let p = target_by_name(target)?;
        self.shares = vec![0.0; 2 * p.len()];
        self.target = p;
        self.target_name = target.into();
        self.train_from_scratch(0.0)
    }

    /// Changes the number of particles per run (∈ [1, 10⁶]) and restarts.
    #[wasm_bindgen(js_name = setParticles)]
    pub fn set_particles(&mut self, particles: f64) -> Result<(), JsError> {
        self.n = check_count(particles)?;
        Ok(self.restart()?)
    }

    /// Uses the simd128 GEMM (when compiled in) or the scalar one; both give identical bits.
    #[wasm_bindgen(js_name = setSimd)]
    pub fn set_simd(&mut self, on: bool) {
        self.path = if on {
            KernelPath::best()
        } else {
            KernelPath::Scalar
        };
        self.trainer.set_path(self.path);
        self.learned.field_mut().set_path(self.path);
    }

    /// The kernel in use: `simd128` or `scalar`.
    #[wasm_bindgen(getter)]
    pub fn kernel(&self) -> String {
        self.path.name().into()
    }

    /// Runs `k` ≤ 100 000 steps: DSM training steps while training is unfinished (the call stops
    /// when it ends and the samplers restart with the trained network), then sampler steps of both
    /// runs (fewer once finished). Throws when training or either run diverges.
    pub fn step(&mut self, k: u32) -> Result<(), JsError> {
        if k > 100_000 {
            return Err(Error::invalid("k", "an integer in [0, 100000]", k).into());
        }
        if self.is_training() {
            let todo = (self.train_target - self.trainer.iteration()).min(k as u64);
            for _ in 0..todo {
                self.trainer.step()?;
            }
            if !self.is_training() {
                self.restart()?;
            }
            return Ok(());
        }
        let stride = (self.learned.total_steps() / HISTORY_POINTS).max(1);
        for _ in 0..k {
            let s = self.learned.steps() + 1;
            let record = s % stride == 0 || s == self.learned.total_steps();
            if record {
                // keep the positions this step evaluates s_θ at: its error there costs no
                // extra network pass
                self.before.xs.clone_from(&self.clouds[1].xs);
                self.before.ys.clone_from(&self.clouds[1].ys);
            }
            let sigma = self.learned.sigma();
            if !self.exact.step(&mut self.clouds[0])? {
                break;
            }
            self.learned.step(&mut self.clouds[1])?;
            if record {
                let err = self
                    .target
                    .noised(sigma)
                    .map(|q| relative_score_error(&q, &self.before, self.learned.last_score()))
                    .ok();
                self.record_with(err);
            }
        }
        Ok(())
    }

    /// Training steps done plus sampler steps done (what `step` has advanced in all).
    #[wasm_bindgen(getter)]
    pub fn steps(&self) -> f64 {
        (self.trainer.iteration() + self.learned.steps()) as f64
    }

    /// Sampler steps completed (both runs take the same).
    #[wasm_bindgen(getter, js_name = samplerSteps)]
    pub fn sampler_steps(&self) -> f64 {
        self.learned.steps() as f64
    }

    /// L·T.
    #[wasm_bindgen(getter, js_name = totalSteps)]
    pub fn total_steps(&self) -> f64 {
        self.learned.total_steps() as f64
    }

    /// True while DSM training is unfinished.
    #[wasm_bindgen(getter)]
    pub fn training(&self) -> bool {
        self.is_training()
    }

    /// Completed DSM steps of the current model (0 for a loaded file).
    #[wasm_bindgen(getter, js_name = trainIteration)]
    pub fn train_iteration(&self) -> f64 {
        self.trainer.iteration() as f64
    }

    /// The DSM steps asked for.
    #[wasm_bindgen(getter, js_name = trainTarget)]
    pub fn train_target(&self) -> f64 {
        self.train_target as f64
    }

    /// The last DSM batch loss (NaN before the first step or for a loaded file).
    #[wasm_bindgen(getter)]
    pub fn loss(&self) -> f64 {
        self.trainer.last_loss()
    }

    /// Where the model came from: `untrained`, `trained here`, or the name given to `loadWeights`.
    #[wasm_bindgen(getter)]
    pub fn source(&self) -> String {
        self.source.clone()
    }

    /// The network, e.g. `3-128-128-2 (silu)`, and its parameter count.
    #[wasm_bindgen(getter)]
    pub fn architecture(&self) -> String {
        let net = self.trainer.network();
        format!(
            "{}, {} parameters",
            net.architecture().describe(),
            net.params().len()
        )
    }

    /// True once the sampler has run all its steps.
    #[wasm_bindgen(getter)]
    pub fn finished(&self) -> bool {
        self.learned.is_finished()
    }

    /// The 1-based level of the next step (L once finished; 1 for ULA).
    #[wasm_bindgen(getter)]
    pub fn level(&self) -> usize {
        self.learned.level() + 1
    }

    /// Number of levels (1 for ULA).
    #[wasm_bindgen(getter)]
    pub fn levels(&self) -> usize {
        self.learned.levels().sigmas().len()
    }

    /// σ of the current level.
    #[wasm_bindgen(getter)]
    pub fn sigma(&self) -> f64 {
        self.learned.sigma()
    }

    /// α of the current level.
    #[wasm_bindgen(getter)]
    pub fn alpha(&self) -> f64 {
        self.learned.alpha()
    }

    /// The divergence message of either run (`exact: …` or `learned: …`), or `undefined`.
    #[wasm_bindgen(getter)]
    pub fn divergence(&self) -> Option<String> {
        self.exact
            .diverged()
            .map(|e| format!("exact-score run: {e}"))
            .or_else(|| {
                self.learned
                    .diverged()
                    .map(|e| format!("learned-score run: {e}"))
            })
            .or_else(|| self.trainer.diverged().map(|e| format!("training: {e}")))
    }

    /// The share of each mode: [exact run, mode 1 … K, learned run, mode 1 … K].
    pub fn shares(&mut self) -> Vec<f64> {
        let k = self.target.len();
        let (a, b) = self.shares.split_at_mut(k);
        mode_shares_into(&self.target, &self.clouds[0], a);
        mode_shares_into(&self.target, &self.clouds[1], b);
        self.shares.clone()
    }

    /// The exact weights of p's components.
    pub fn weights(&self) -> Vec<f64> {
        self.target.weights().to_vec()
    }

    /// Histogram KL(p̂ ‖ p_σ) of the current level on a 32 × 32 grid over the target's view box:
    /// [exact run, learned run, expected value for N i.i.d. exact samples (the floor)].
    pub fn kl(&mut self) -> Result<Vec<f64>, JsError> {
        let lv = self.learned.level();
        if self.kl.as_ref().map(|k| k.0) != Some(lv) {
            let q = self.exact_noised()?;
            self.kl = Some((lv, HistogramKl::new(&q, self.target.view_box(), KL_BINS)));
        }
        let h = &mut self.kl.as_mut().expect("just built").1;
        Ok(vec![
            h.kl(&self.clouds[0]),
            h.kl(&self.clouds[1]),
            h.floor(self.n),
        ])
    }

    /// Means and covariances: [exact run, learned run, exact p_σ], each (mx, my, cxx, cxy, cyy).
    pub fn moments(&self) -> Result<Vec<f64>, JsError> {
        let q = self.exact_noised()?;
        let mut v = Vec::with_capacity(15);
        for c in &self.clouds {
            let m = moments(c);
            v.extend_from_slice(&[m.mean[0], m.mean[1], m.cov[0], m.cov[1], m.cov[2]]);
        }
        let (m, c) = (q.mean(), q.covariance());
        v.extend_from_slice(&[m[0], m[1], c[0], c[1], c[2]]);
        Ok(v)
    }

    /// Share of particles farther than Mahalanobis distance 3 from every component of p_σ:
    /// [exact run, learned run, e^{−9/2} (the bound for exact samples)].
    #[wasm_bindgen(js_name = farShares)]
    pub fn far_shares(&self) -> Result<Vec<f64>, JsError> {
        let q = self.exact_noised()?;
        Ok(vec![
            far_share(&q, &self.clouds[0], FAR_RADIUS),
            far_share(&q, &self.clouds[1], FAR_RADIUS),
            far_share_bound(FAR_RADIUS),
        ])
    }

    /// The relative score error Σ‖s_θ − ∇log p_σ‖²/Σ‖∇log p_σ‖² of the current level: [at the
    /// learned cloud, at the exact cloud, on 2000 fixed exact samples of p_σ (where DSM trains)].
    #[wasm_bindgen(js_name = scoreErrors)]
    pub fn score_errors(&mut self) -> Result<Vec<f64>, JsError> {
        let sigma = self.learned.sigma();
        if self.eval.as_ref().map(|e| e.sigma()) != Some(sigma) {
            self.eval = Some(EvalSet::new(&self.target, sigma, 2000, 99)?);
        }
        let on_data = self
            .trainer
            .eval_relative_error(self.eval.as_mut().expect("just built"))?;
        Ok(vec![
            self.score_error_at(1),
            self.score_error_at(0),
            on_data,
        ])
    }

    /// The history as flat rows [step, score error at the learned cloud, at the exact cloud,
    /// share of mode 1 exact run, learned run, …].
    pub fn history(&self) -> Vec<f64> {
        self.history
            .iter()
            .flat_map(|h| h.iter().copied())
            .collect()
    }

    /// FNV-1a checksums of the two clouds' bits, "exact:learned" in hex.
    pub fn checksum(&self) -> String {
        format!(
            "{:016x}:{:016x}",
            self.clouds[0].checksum(),
            self.clouds[1].checksum()
        )
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

    /// The seed of the current run.
    #[wasm_bindgen(getter)]
    pub fn seed(&self) -> u32 {
        self.seed
    }

    /// The target's name.
    #[wasm_bindgen(getter, js_name = targetName)]
    pub fn target_name(&self) -> String {
        self.target_name.clone()
    }

    /// The weights file of the current network.
    #[wasm_bindgen(js_name = exportWeights)]
    pub fn export_weights(&self) -> Vec<u8> {
        self.trainer.export_weights()
    }

    /// Byte offset of a cloud's x coordinates (`which` 0 = exact score, 1 = learned).
    #[wasm_bindgen(js_name = xsPtr)]
    pub fn xs_ptr(&self, which: u32) -> *const f32 {
        self.clouds[(which != 0) as usize].xs.as_ptr()
    }

    /// Byte offset of a cloud's y coordinates.
    #[wasm_bindgen(js_name = ysPtr)]
    pub fn ys_ptr(&self, which: u32) -> *const f32 {
        self.clouds[(which != 0) as usize].ys.as_ptr()
    }

    /// Draws one run (`which` 0 = exact score, 1 = learned) over the exact p_σ of the current level.
    pub fn draw(
        &mut self,
        canvas: &HtmlCanvasElement,
        which: u32,
        dpr: f64,
        dark: bool,
    ) -> Result<(), JsError> {
        let dpr = dpr_ok(dpr);
        let w = (which != 0) as usize;
        let (rect, view) = layout(canvas, self.target.view_box(), dpr);
        let vp = Viewport {
            data: view,
            width: rect.width as usize,
            height: rect.height as usize,
        };
        let pal = Palette::for_theme(dark);
        let key = (vp.width, vp.height, dark, self.learned.level());
        if self.keys[w] != Some(key) {
            let q = self.exact_noised()?;
            self.rasters[w].render_density_coarse(&q, &vp, &pal, 4);
            self.keys[w] = Some(key);
        }
        let point = (1.5 * dpr).round().clamp(1.0, 4.0) as usize;
        self.rasters[w].compose(&self.clouds[w], &vp, &pal, point);
        blit_with_axes(canvas, self.rasters[w].frame(), rect, view, dpr, dark)
    }

    /// Draws where the learned score is wrong: ‖s_θ(x, σ) − ∇log p_σ(x)‖² at the current level
    /// over the plane (64 × 64 grid, log colour scale over four decades below its maximum; see
    /// `errorRange`), with the learned-score particles on top.
    #[wasm_bindgen(js_name = drawError)]
    pub fn draw_error(
        &mut self,
        canvas: &HtmlCanvasElement,
        dpr: f64,
        dark: bool,
    ) -> Result<(), JsError> {
        let dpr = dpr_ok(dpr);
        let (rect, view) = layout(canvas, self.target.view_box(), dpr);
        let vp = Viewport {
            data: view,
            width: rect.width as usize,
            height: rect.height as usize,
        };
        let key = (self.learned.level(), vp.width, vp.height);
        if self.heat_key != Some(key) {
            let q = self.exact_noised()?;
            let g = HEAT_GRID;
            heat_grid(&vp, g, g, &mut self.grid.0, &mut self.grid.1);
            self.scratch.resize(2 * g * g, 0.0);
            let (lv, s) = (self.learned.level(), self.learned.sigma());
            self.learned.field_mut().score_into(
                lv,
                s,
                &self.grid.0,
                &self.grid.1,
                &mut self.scratch,
            )?;
            let vals: Vec<f64> = (0..g * g)
                .map(|i| {
                    let e = q.score([self.grid.0[i] as f64, self.grid.1[i] as f64]);
                    let (dx, dy) = (
                        self.scratch[2 * i] as f64 - e[0],
                        self.scratch[2 * i + 1] as f64 - e[1],
                    );
                    dx * dx + dy * dy
                })
                .collect();
            self.heat_range = render_heat(&vp, &vals, g, g, &mut self.heat_base);
            self.heat_key = Some(key);
        }
        self.heat_frame.clone_from(&self.heat_base);
        // the particles as small cyan squares (cyan does not occur in the heat palette, which is
        // the same in both themes)
        let point = (1.5 * dpr).round().clamp(1.0, 4.0) as usize;
        let (w, h) = (vp.width, vp.height);
        let colour: [u8; 3] = [0, 190, 255];
        for (x, y) in self.clouds[1].xs.iter().zip(&self.clouds[1].ys) {
            let (px, py) = vp.to_pixel(*x as f64, *y as f64);
            if !(px >= 0.0 && py >= 0.0 && px < w as f64 && py < h as f64) {
                continue;
            }
            let (i0, j0) = (px as usize, py as usize);
            for j in j0..(j0 + point).min(h) {
                for i in i0..(i0 + point).min(w) {
                    let o = 4 * (j * w + i);
                    self.heat_frame[o..o + 3].copy_from_slice(&colour);
                }
            }
        }
        blit_with_axes(canvas, &self.heat_frame, rect, view, dpr, dark)
    }

    /// [lo, hi]: log₁₀ of the error map's colour range (after `drawError`).
    #[wasm_bindgen(js_name = errorRange)]
    pub fn error_range(&self) -> Vec<f64> {
        vec![self.heat_range.0, self.heat_range.1]
    }

    fn curves(&self) -> [Vec<(f64, f64)>; 3] {
        let a: Vec<(f64, f64)> = self.history.iter().map(|h| (h[0], h[1])).collect();
        let b: Vec<(f64, f64)> = self.history.iter().map(|h| (h[0], h[2])).collect();
        // the log axis always spans whole decades (so that it has labelled ticks): drawn on the
        // y axis itself, no legend entry
        let (lo, hi) = a
            .iter()
            .chain(&b)
            .map(|p| p.1)
            .filter(|v| v.is_finite() && *v > 0.0)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
                (l.min(v), h.max(v))
            });
        let decades = if lo.is_finite() {
            let (d0, mut d1) = (lo.log10().floor(), hi.log10().ceil());
            if d1 <= d0 {
                d1 = d0 + 1.0;
            }
            vec![(0.0, 10f64.powf(d0)), (0.0, 10f64.powf(d1))]
        } else {
            vec![]
        };
        [a, b, decades]
    }

    fn series<'a>(c: &'a [Vec<(f64, f64)>; 3], dark: bool, legend: bool) -> [Series<'a>; 3] {
        let pal = palette(dark);
        let theme = ChartTheme::for_theme(dark);
        let l = |s: &'a str| if legend { s } else { "" };
        [
            Series {
                label: "",
                color: theme.fg,
                points: &c[2],
                width: 1.0,
            },
            Series {
                label: l("at the learned-score cloud"),
                color: pal[1],
                points: &c[0],
                width: 2.0,
            },
            Series {
                label: l("at the exact-score cloud"),
                color: pal[0],
                points: &c[1],
                width: 2.0,
            },
        ]
    }

    /// The relative error of s_θ along the run, at both clouds (log scale).
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
        let s = Self::series(&c, dark, false);
        draw_multi_chart(
            &root,
            &s,
            "sampler step",
            "relative score error",
            true,
            dpr_ok(dpr),
            &ChartTheme::for_theme(dark),
        )
        .map_err(|e| JsError::new(&e))?;
        root.present()
            .map_err(|e| JsError::new(&format!("{e:?}")))?;
        Ok(())
    }

    /// The score-error chart as SVG (`width` × `height` CSS px in [100, 4000] × [60, 4000]).
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
        let c = self.curves();
        let s = Self::series(&c, dark, true);
        multi_chart_svg(
            &s,
            "sampler step",
            "relative score error",
            true,
            (width, height),
            dark,
        )
        .map_err(|e| JsError::new(&e))
    }
}
