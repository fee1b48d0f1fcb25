//! `DdpmTrainWidget`: the handle behind `<sb-ddpm-train>` (live ε-prediction training, and
//! sampling with the learned model beside the exact ε of the mixture).
//!
//! It owns an [`EpsTrainer`] (JS calls `step(n)` per frame), a history of the batch loss and of
//! the excess loss E‖ε_θ − ε*‖² on a fixed evaluation set (the loss floor L* = 2 − E‖ε*‖² is
//! shown beside it), and two sampling runs that start from the same N(0, I) draw and receive the
//! same noise: one with a snapshot of the network, one with the exact ε* of the data mixture
//! ([`ExactMixtureScore`] through its ε form). Both runs record every particle at up to 201
//! snapshots ([`Trajectories`]) for a time scrubber; the readouts compare the scrubbed clouds to
//! the exact marginal q(x_t) of that step (at the end, the data law): moments, histogram KL with
//! its floor for exact samples, and the share of each mode.

use super::ddpm_forward_widget::spec_from;
use super::draw::{blit_with_axes, context, layout};
use crate::chart::ChartTheme;
use crate::chart_multi::{draw_multi_chart, multi_chart_svg, palette, Series};
use crate::ddpm::ancestral::{Ancestral, ReverseVariance};
use crate::ddpm::ddim::Ddim;
use crate::ddpm::eps_train::{EpsConfig, EpsEvalSet, EpsTrainer};
use crate::ddpm::log_snr::LogSnrKnots;
use crate::ddpm::BetaSchedule;
use crate::error::Error;
use crate::histogram_kl::HistogramKl;
use crate::kernel::KernelPath;
use crate::mixture::GaussianMixture;
use crate::mode_mass::mode_shares_into;
use crate::nn::activation::Activation;
use crate::particles::{check_count, Particles};
use crate::presets::preset;
use crate::raster::{Palette, Raster};
use crate::sde::runaway_radius_with_prior;
use crate::sde::score::{EpsScore, ExactMixtureScore, ScoreModel};
use crate::sde::trajectories::Trajectories;
use crate::stats::moments;
use crate::viewport::Viewport;
use plotters::prelude::IntoDrawingArea;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

/// Training steps between history points.
const EVAL_EVERY: u64 = 100;
/// Evaluation samples.
const EVAL_SAMPLES: usize = 1000;
/// History rows kept (older ones thinned 2:1).
const HISTORY_MAX: usize = 600;
/// Snapshots of a sampling run at most (plus the start).
const MAX_SNAPSHOTS: usize = 200;
/// Particles whose paths are drawn as trails.
const TRAILS: usize = 12;
/// Bins per side of the histogram KL.
const BINS: usize = 24;
/// The most particles per sampling run.
const MAX_SAMPLE_PARTICLES: usize = 20_000;

fn dpr_ok(dpr: f64) -> f64 {
    if dpr.is_finite() && dpr > 0.0 {
        dpr.clamp(0.5, 4.0)
    } else {
        1.0
    }
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

fn int_in(name: &'static str, v: f64, lo: usize, hi: usize) -> Result<usize, Error> {
    if v.is_finite() && v.fract() == 0.0 && v >= lo as f64 && v <= hi as f64 {
        Ok(v as usize)
    } else {
        Err(Error::invalid(
            name,
            format!("an integer in [{lo}, {hi}]"),
            v,
        ))
    }
}

/// (width, height, dark, version, step) of a cached density shading.
type RasterKey = (usize, usize, bool, u64, usize);

/// One sampler of either kind.
#[derive(Debug, Clone)]
enum Sampler {
    Ancestral(Ancestral),
    Ddim(Ddim),
}

impl Sampler {
    fn step(&mut self, p: &mut Particles, m: &mut dyn ScoreModel) -> Result<bool, Error> {
        match self {
            Sampler::Ancestral(a) => a.step(p, m),
            Sampler::Ddim(d) => d.step(p, m),
        }
    }
    fn current_step(&self) -> usize {
        match self {
            Sampler::Ancestral(a) => a.current_step(),
            Sampler::Ddim(d) => d.current_step(),
        }
    }
    fn is_done(&self) -> bool {
        match self {
            Sampler::Ancestral(a) => a.is_done(),
            Sampler::Ddim(d) => d.is_done(),
        }
    }
    fn total(&self) -> usize {
        match self {
            Sampler::Ancestral(a) => a.schedule().len(),
            Sampler::Ddim(d) => d.timesteps().len() - 1,
        }
    }
}

/// One sampling run (learned or exact).
struct Run {
    sampler: Sampler,
    cloud: Particles,
    traj: Trajectories,
    error: Option<String>,
    done_steps: usize,
}

/// Both runs of one sampling.
struct Sampling {
    learned: Run,
    exact: Run,
    learned_model: EpsScore<crate::ddpm::eps_train::EpsNet>,
    exact_model: ExactMixtureScore,
    stride: usize,
    trained_steps: u64,
}

/// Live ε-prediction training and sampling.
#[wasm_bindgen]
pub struct DdpmTrainWidget {
    trainer: EpsTrainer,
    target: String,
    view: [f64; 4],
    eval: EpsEvalSet,
    /// [iteration, mean batch loss since the last row, excess E‖ε_θ − ε*‖²].
    history: Vec<[f64; 3]>,
    loss_sum: (f64, u64),
    sampler_kind: String,
    ddim_steps: usize,
    particles: usize,
    seed: u32,
    sampling: Option<Sampling>,
    rasters: [Raster; 2],
    keys: [Option<RasterKey>; 2],
    version: u64,
    hist: Option<(usize, u64, HistogramKl)>,
    shares: Vec<f64>,
}

impl DdpmTrainWidget {
    fn record(&mut self) {
        let mut net = self.trainer.snapshot();
        let ex = self.eval.excess(&mut net, self.trainer.schedule());
        let mean = if self.loss_sum.1 > 0 {
            self.loss_sum.0 / self.loss_sum.1 as f64
        } else {
            f64::NAN
        };
        self.loss_sum = (0.0, 0);
        let row = [self.trainer.iteration() as f64, mean, ex];
        if self.history.last().map(|r| r[0]) == Some(row[0]) {
            self.history.pop();
        }
        self.history.push(row);
        if self.history.len() > HISTORY_MAX {
            let first = self.history[0];
            let mut t: Vec<[f64; 3]> = self.history.iter().skip(1).step_by(2).copied().collect();
            t.insert(0, first);
            self.history = t;
        }
    }

    fn new_sampler(&self) -> Result<Sampler, Error> {
        let s = self.trainer.schedule().clone();
        let r = runaway_radius_with_prior(self.trainer.data(), 1.0);
        match self.sampler_kind.as_str() {
            "ancestral" => Ok(Sampler::Ancestral(Ancestral::new(
                s,
                ReverseVariance::Beta,
                r,
                self.seed as u64,
            )?)),
            "ddim" => Ok(Sampler::Ddim(Ddim::new(
                s,
                self.ddim_steps,
                0.0,
                r,
                self.seed as u64,
            )?)),
            other => Err(Error::invalid(
                "sampler",
                "ancestral or ddim",
                format!("{other:?}"),
            )),
        }
    }

    fn run(&self) -> Result<Run, Error> {
        let sampler = self.new_sampler()?;
        let total = sampler.total();
        let stride = total.div_ceil(MAX_SNAPSHOTS).max(1);
        let mut traj = Trajectories::new(self.particles, total / stride + 2)?;
        let cloud = Ancestral::prior(self.particles, self.seed as u64);
        traj.record(sampler.current_step() as f64, &cloud);
        Ok(Run {
            sampler,
            cloud,
            traj,
            error: None,
            done_steps: 0,
        })
    }

    fn sampling(&self) -> Result<&Sampling, Error> {
        self.sampling
            .as_ref()
            .ok_or_else(|| Error::invalid("sampling", "a sampling run (press Sample)", "none"))
    }

    /// The cloud of `which` (0 learned, 1 exact) at snapshot k (clamped to the last one).
    fn snapshot_cloud(&self, which: u32, k: usize) -> Result<(Particles, usize), Error> {
        let s = self.sampling()?;
        let run = if which == 0 { &s.learned } else { &s.exact };
        let tr = &run.traj;
        let k = k.min(tr.len().saturating_sub(1));
        let n = tr.tracked();
        let pts = &tr.points()[2 * k * n..2 * (k + 1) * n];
        let cloud = Particles {
            xs: pts.iter().step_by(2).copied().collect(),
            ys: pts.iter().skip(1).step_by(2).copied().collect(),
        };
        Ok((cloud, tr.times()[k] as usize))
    }

    fn marginal(&self, t: usize) -> Result<GaussianMixture, Error> {
        let (a, v) = self.trainer.schedule().marginal(t);
        self.trainer.data().scaled_noised(a, v)
    }
}

fn advance_run(run: &mut Run, model: &mut dyn ScoreModel, stride: usize) {
    if run.error.is_some() || run.sampler.is_done() {
        return;
    }
    match run.sampler.step(&mut run.cloud, model) {
        Ok(_) => {
            run.done_steps += 1;
            if run.done_steps % stride == 0 || run.sampler.is_done() {
                run.traj
                    .record(run.sampler.current_step() as f64, &run.cloud);
            }
        }
        Err(e) => run.error = Some(e.to_string()),
    }
}

#[wasm_bindgen]
impl DdpmTrainWidget {
    /// Data `target` (`ring8`, `gaussian`, `two-modes`), `schedule` (`linear` with β from 10⁻⁴
    /// to `beta_end`, `cosine`, `custom` with log-SNR `knots`) of T = `steps` ∈ [1, 5000]; the
    /// network 5 → `hidden` → 2 (e.g. `64,64`; SiLU), Adam `learning_rate` ∈ (0, 1],
    /// `batch_size` ∈ [1, 4096]; `sampler` `ancestral` or `ddim` with `ddim_steps` ∈ [1, T];
    /// `particles` ∈ [1, 20 000] per sampling run; `seed`.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        target: &str,
        schedule: &str,
        steps: f64,
        beta_end: f64,
        knots: &str,
        hidden: &str,
        learning_rate: f64,
        batch_size: f64,
        sampler: &str,
        ddim_steps: f64,
        particles: f64,
        seed: u32,
    ) -> Result<DdpmTrainWidget, JsError> {
        let data = preset(target)?;
        let steps = int_in("steps", steps, 1, 5000)?;
        let knots = super::ddpm_forward_widget::parse_knots(knots)
            .or_else(|_| Ok::<_, Error>(LogSnrKnots::default_five()))?;
        let spec = spec_from(schedule, 1e-4, beta_end, &knots)?;
        let sched: BetaSchedule = spec.build(steps)?;
        let cfg = EpsConfig {
            hidden: parse_hidden(hidden)?,
            activation: Activation::Silu,
            learning_rate,
            batch_size: int_in("batch_size", batch_size, 1, 4096)?,
        };
        let ddim_steps = int_in("ddim_steps", ddim_steps, 1, steps)?;
        let n = check_count(particles)?;
        if n > MAX_SAMPLE_PARTICLES {
            return Err(Error::invalid(
                "particles",
                format!("an integer in [1, {MAX_SAMPLE_PARTICLES}]"),
                n,
            )
            .into());
        }
        if sampler != "ancestral" && sampler != "ddim" {
            return Err(
                Error::invalid("sampler", "ancestral or ddim", format!("{sampler:?}")).into(),
            );
        }
        let trainer = EpsTrainer::new(&data, sched.clone(), cfg, seed as u64)?;
        let b = data.view_box();
        let mut w = DdpmTrainWidget {
            eval: EpsEvalSet::new(&data, &sched, EVAL_SAMPLES, 1234)?,
            shares: vec![0.0; data.len()],
            view: [b[0].min(-3.5), b[1].max(3.5), b[2].min(-3.5), b[3].max(3.5)],
            trainer,
            target: target.into(),
            history: vec![],
            loss_sum: (0.0, 0),
            sampler_kind: sampler.into(),
            ddim_steps,
            particles: n,
            seed,
            sampling: None,
            rasters: [Raster::default(), Raster::default()],
            keys: [None, None],
            version: 0,
            hist: None,
        };
        w.record();
        Ok(w)
    }

    /// Re-initialises the network from `seed` and forgets the sampling run.
    pub fn reset(&mut self, seed: u32) -> Result<(), JsError> {
        self.seed = seed;
        self.trainer.reset(seed as u64);
        self.history.clear();
        self.loss_sum = (0.0, 0);
        self.sampling = None;
        self.record();
        Ok(())
    }

    /// Changes Adam's learning rate ∈ (0, 1]; training continues.
    #[wasm_bindgen(js_name = setLearningRate)]
    pub fn set_learning_rate(&mut self, lr: f64) -> Result<(), JsError> {
        Ok(self.trainer.set_learning_rate(lr)?)
    }

    /// Chooses the sampler (`ancestral`, or `ddim` with K ∈ [1, T] steps) of the next run.
    #[wasm_bindgen(js_name = setSampler)]
    pub fn set_sampler(&mut self, kind: &str, ddim_steps: f64) -> Result<(), JsError> {
        if kind != "ancestral" && kind != "ddim" {
            return Err(Error::invalid("sampler", "ancestral or ddim", format!("{kind:?}")).into());
        }
        self.ddim_steps = int_in("ddim_steps", ddim_steps, 1, self.trainer.schedule().len())?;
        self.sampler_kind = kind.into();
        Ok(())
    }

    /// Particles per sampling run (∈ [1, 20 000]) of the next run.
    #[wasm_bindgen(js_name = setParticles)]
    pub fn set_particles(&mut self, n: f64) -> Result<(), JsError> {
        let n = check_count(n)?;
        if n > MAX_SAMPLE_PARTICLES {
            return Err(Error::invalid(
                "particles",
                format!("an integer in [1, {MAX_SAMPLE_PARTICLES}]"),
                n,
            )
            .into());
        }
        self.particles = n;
        Ok(())
    }

    /// Runs `n` ∈ [0, 10 000] training steps (history every 100). Throws on divergence; the last
    /// finite weights are kept and the run must be reset.
    pub fn step(&mut self, n: u32) -> Result<(), JsError> {
        if n > 10_000 {
            return Err(Error::invalid("n", "an integer in [0, 10000]", n).into());
        }
        for _ in 0..n {
            let l = self.trainer.step()?;
            self.loss_sum = (self.loss_sum.0 + l, self.loss_sum.1 + 1);
            if self.trainer.iteration() % EVAL_EVERY == 0 {
                self.record();
            }
        }
        Ok(())
    }

    /// Starts sampling with a snapshot of the current network beside the exact ε*, both from
    /// the same prior draw and noise (seed).
    #[wasm_bindgen(js_name = startSampling)]
    pub fn start_sampling(&mut self) -> Result<(), JsError> {
        let learned = self.run()?;
        let exact = self.run()?;
        let mut net = self.trainer.snapshot();
        net.set_path(self.trainer.path());
        let mut exact_model = ExactMixtureScore::new(self.trainer.data());
        exact_model.set_path(self.trainer.path());
        let total = learned.sampler.total();
        self.sampling = Some(Sampling {
            stride: total.div_ceil(MAX_SNAPSHOTS).max(1),
            learned,
            exact,
            learned_model: EpsScore(net),
            exact_model,
            trained_steps: self.trainer.iteration(),
        });
        self.version += 1;
        self.hist = None;
        Ok(())
    }

    /// Advances both sampling runs by `k` ≤ 100 000 steps; returns true while either runs.
    #[wasm_bindgen(js_name = sampleStep)]
    pub fn sample_step(&mut self, k: u32) -> Result<bool, JsError> {
        if k > 100_000 {
            return Err(Error::invalid("k", "an integer in [0, 100000]", k).into());
        }
        let Some(s) = self.sampling.as_mut() else {
            return Ok(false);
        };
        for _ in 0..k {
            advance_run(&mut s.learned, &mut s.learned_model, s.stride);
            advance_run(&mut s.exact, &mut s.exact_model, s.stride);
        }
        Ok(self.sampling_active())
    }

    /// True while a sampling run is unfinished (and not diverged).
    #[wasm_bindgen(getter, js_name = samplingActive)]
    pub fn sampling_active(&self) -> bool {
        self.sampling.as_ref().is_some_and(|s| {
            let live = |r: &Run| r.error.is_none() && !r.sampler.is_done();
            live(&s.learned) || live(&s.exact)
        })
    }

    /// True once a sampling run exists.
    #[wasm_bindgen(getter, js_name = hasSamples)]
    pub fn has_samples(&self) -> bool {
        self.sampling.is_some()
    }

    /// [sampler steps done, total] of the learned run.
    #[wasm_bindgen(js_name = samplingProgress)]
    pub fn sampling_progress(&self) -> Vec<f64> {
        self.sampling
            .as_ref()
            .map(|s| {
                vec![
                    s.learned.done_steps as f64,
                    s.learned.sampler.total() as f64,
                ]
            })
            .unwrap_or_else(|| vec![0.0, 0.0])
    }

    /// Snapshots recorded (the scrubber's range is 0 … count − 1).
    #[wasm_bindgen(getter, js_name = snapshotCount)]
    pub fn snapshot_count(&self) -> usize {
        self.sampling
            .as_ref()
            .map(|s| s.learned.traj.len().min(s.exact.traj.len()))
            .unwrap_or(0)
    }

    /// The DDPM step t of each snapshot.
    #[wasm_bindgen(js_name = snapshotSteps)]
    pub fn snapshot_steps(&self) -> Vec<f64> {
        self.sampling
            .as_ref()
            .map(|s| s.learned.traj.times().to_vec())
            .unwrap_or_default()
    }

    /// The training step of the network the samples came from.
    #[wasm_bindgen(getter, js_name = sampledAt)]
    pub fn sampled_at(&self) -> f64 {
        self.sampling
            .as_ref()
            .map(|s| s.trained_steps as f64)
            .unwrap_or(f64::NAN)
    }

    /// A run's divergence message (`which` 0 learned, 1 exact), or an empty string.
    #[wasm_bindgen(js_name = runError)]
    pub fn run_error(&self, which: u32) -> String {
        self.sampling
            .as_ref()
            .and_then(|s| {
                if which == 0 {
                    s.learned.error.clone()
                } else {
                    s.exact.error.clone()
                }
            })
            .unwrap_or_default()
    }

    /// Statistics of run `which` at snapshot `k` against the exact q(x_t) of that step:
    /// [t, mean x, mean y, cov xx, cov xy, cov yy, histogram KL, its floor, share of mode 1 … K].
    #[wasm_bindgen(js_name = snapshotStats)]
    pub fn snapshot_stats(&mut self, which: u32, k: f64) -> Result<Vec<f64>, JsError> {
        let k = int_in("snapshot", k, 0, self.snapshot_count().max(1) - 1)?;
        let (cloud, t) = self.snapshot_cloud(which, k)?;
        let m = moments(&cloud);
        if self.hist.as_ref().map(|h| (h.0, h.1)) != Some((t, self.version)) {
            let q = self.marginal(t)?;
            self.hist = Some((t, self.version, HistogramKl::new(&q, self.view, BINS)));
        }
        let h = &mut self.hist.as_mut().expect("just built").2;
        let (kl, floor) = (h.kl(&cloud), h.floor(cloud.len()));
        // a particle belongs to the component of q(x_t) (same weights as the data's) with the
        // largest responsibility
        let qt = self.marginal(t)?;
        mode_shares_into(&qt, &cloud, &mut self.shares);
        let mut v = vec![
            t as f64, m.mean[0], m.mean[1], m.cov[0], m.cov[1], m.cov[2], kl, floor,
        ];
        v.extend_from_slice(&self.shares);
        Ok(v)
    }

    /// The exact [mean x, mean y, cov xx, cov xy, cov yy] of q(x_t) (t = 0: the data) and the
    /// exact weights of the data's modes after them.
    #[wasm_bindgen(js_name = exactStats)]
    pub fn exact_stats(&self, t: f64) -> Result<Vec<f64>, JsError> {
        let t = int_in("t", t, 0, self.trainer.schedule().len())?;
        let a = self.trainer.schedule().alpha_bar(t);
        let (m, c) = (self.trainer.data().mean(), self.trainer.data().covariance());
        let mut v = vec![
            a.sqrt() * m[0],
            a.sqrt() * m[1],
            a * c[0] + 1.0 - a,
            a * c[1],
            a * c[2] + 1.0 - a,
        ];
        v.extend_from_slice(self.trainer.data().weights());
        Ok(v)
    }

    /// Draws run `which` (0 learned, 1 exact) at snapshot `k` over the exact density of q(x_t)
    /// of that step, with the paths of the first 12 particles up to it.
    pub fn draw(
        &mut self,
        canvas: &HtmlCanvasElement,
        which: u32,
        k: f64,
        dpr: f64,
        dark: bool,
    ) -> Result<(), JsError> {
        let dpr = dpr_ok(dpr);
        let w = (which != 0) as usize;
        let (rect, view) = layout(canvas, self.view, dpr);
        let vp = Viewport {
            data: view,
            width: rect.width as usize,
            height: rect.height as usize,
        };
        let pal = Palette::for_theme(dark);
        let count = self.snapshot_count();
        let (cloud, t) = if count > 0 {
            let k = if k.is_finite() && k >= 0.0 {
                (k as usize).min(count - 1)
            } else {
                count - 1
            };
            self.snapshot_cloud(which, k)?
        } else {
            (
                Particles {
                    xs: vec![],
                    ys: vec![],
                },
                0,
            )
        };
        let key = (vp.width, vp.height, dark, self.version, t);
        if self.keys[w] != Some(key) {
            let q = self.marginal(t)?;
            self.rasters[w].render_density_coarse(&q, &vp, &pal, 4);
            self.keys[w] = Some(key);
        }
        let point = (1.5 * dpr).round().clamp(1.0, 4.0) as usize;
        self.rasters[w].compose(&cloud, &vp, &pal, point);
        blit_with_axes(canvas, self.rasters[w].frame(), rect, view, dpr, dark)?;
        // trails of the first particles up to the shown snapshot
        if let Some(s) = self.sampling.as_ref() {
            let tr = if which == 0 {
                &s.learned.traj
            } else {
                &s.exact.traj
            };
            let last = (if k.is_finite() && k >= 0.0 {
                k as usize
            } else {
                usize::MAX
            })
            .min(tr.len().saturating_sub(1));
            let ctx = context(canvas)?;
            let c = palette(dark)[if which == 0 { 1 } else { 0 }];
            ctx.set_stroke_style_str(&format!("rgba({},{},{},0.7)", c.0, c.1, c.2));
            ctx.set_line_width(dpr);
            for i in 0..TRAILS.min(tr.tracked()) {
                ctx.begin_path();
                for j in 0..=last {
                    let Some(p) = tr.position(j, i) else { break };
                    if !(p[0].is_finite() && p[1].is_finite()) {
                        break;
                    }
                    let (px, py) = vp.to_pixel(p[0] as f64, p[1] as f64);
                    let (px, py) = (px + rect.left as f64, py + rect.top as f64);
                    if j == 0 {
                        ctx.move_to(px, py);
                    } else {
                        ctx.line_to(px, py);
                    }
                }
                ctx.stroke();
            }
        }
        Ok(())
    }

    fn series_points(&self) -> [Vec<(f64, f64)>; 3] {
        let floor = self.eval.loss_floor();
        let end = self.history.last().map(|r| r[0]).unwrap_or(0.0).max(1.0);
        [
            self.history.iter().map(|r| (r[0], r[1])).collect(),
            self.history.iter().map(|r| (r[0], r[2])).collect(),
            vec![(0.0, floor), (end, floor)],
        ]
    }

    /// Draws the mean batch loss, its floor L* and the excess E‖ε_θ − ε*‖² against step (log).
    #[wasm_bindgen(js_name = drawHistory)]
    pub fn draw_history(
        &self,
        canvas: &HtmlCanvasElement,
        dpr: f64,
        dark: bool,
    ) -> Result<(), JsError> {
        let p = self.series_points();
        let pal = palette(dark);
        let theme = ChartTheme::for_theme(dark);
        let series = [
            Series {
                label: "batch loss",
                color: pal[1],
                points: &p[0],
                width: 1.5,
            },
            Series {
                label: "floor L*",
                color: theme.reference,
                points: &p[2],
                width: 1.2,
            },
            Series {
                label: "E‖ε_θ − ε*‖²",
                color: pal[0],
                points: &p[1],
                width: 2.0,
            },
        ];
        let root = CanvasBackend::with_canvas_object(canvas.clone())
            .ok_or_else(|| JsError::new("plotters could not use the canvas"))?
            .into_drawing_area();
        draw_multi_chart(
            &root,
            &series,
            "training step",
            "loss",
            true,
            dpr_ok(dpr),
            &theme,
        )
        .map_err(|e| JsError::new(&e))?;
        root.present()
            .map_err(|e| JsError::new(&format!("{e:?}")))?;
        Ok(())
    }

    /// The loss chart as SVG.
    #[wasm_bindgen(js_name = historySvg)]
    pub fn history_svg(&self, width: u32, height: u32, dark: bool) -> Result<String, JsError> {
        let p = self.series_points();
        let pal = palette(dark);
        let theme = ChartTheme::for_theme(dark);
        let series = [
            Series {
                label: "batch loss",
                color: pal[1],
                points: &p[0],
                width: 1.5,
            },
            Series {
                label: "floor L*",
                color: theme.reference,
                points: &p[2],
                width: 1.2,
            },
            Series {
                label: "E‖ε_θ − ε*‖²",
                color: pal[0],
                points: &p[1],
                width: 2.0,
            },
        ];
        multi_chart_svg(
            &series,
            "training step",
            "loss",
            true,
            (width.clamp(100, 4000), height.clamp(60, 4000)),
            dark,
        )
        .map_err(|e| JsError::new(&e))
    }

    /// The history as [step, mean batch loss, excess, …] (3 per row).
    pub fn history(&self) -> Vec<f64> {
        self.history
            .iter()
            .flat_map(|r| r.iter().copied())
            .collect()
    }

    /// Completed training steps.
    #[wasm_bindgen(getter)]
    pub fn iteration(&self) -> f64 {
        self.trainer.iteration() as f64
    }
    /// The last batch loss.
    #[wasm_bindgen(getter)]
    pub fn loss(&self) -> f64 {
        self.trainer.last_loss()
    }
    /// The mean batch loss of the last history interval (≤ 100 steps; NaN before step 100).
    #[wasm_bindgen(getter, js_name = meanLoss)]
    pub fn mean_loss(&self) -> f64 {
        self.history
            .iter()
            .rev()
            .map(|r| r[1])
            .find(|v| v.is_finite())
            .unwrap_or(f64::NAN)
    }
    /// The loss floor L* = 2 − E‖ε*‖² on the evaluation set.
    #[wasm_bindgen(getter, js_name = lossFloor)]
    pub fn loss_floor(&self) -> f64 {
        self.eval.loss_floor()
    }
    /// E‖ε*‖² on the evaluation set.
    #[wasm_bindgen(getter, js_name = meanSquareEps)]
    pub fn mean_square_eps(&self) -> f64 {
        self.eval.mean_square()
    }
    /// E‖ε_θ − ε*‖² on the evaluation set, now.
    pub fn excess(&mut self) -> f64 {
        let mut net = self.trainer.snapshot();
        self.eval.excess(&mut net, self.trainer.schedule())
    }
    /// The training divergence message, or an empty string.
    #[wasm_bindgen(getter)]
    pub fn diverged(&self) -> String {
        self.trainer
            .diverged()
            .map(|e| e.to_string())
            .unwrap_or_default()
    }
    /// The network, e.g. `5-64-64-2 (silu)`.
    #[wasm_bindgen(getter)]
    pub fn architecture(&self) -> String {
        self.trainer.network().architecture().describe()
    }
    /// T.
    #[wasm_bindgen(getter)]
    pub fn steps(&self) -> f64 {
        self.trainer.schedule().len() as f64
    }
    /// The sampler of the next run.
    #[wasm_bindgen(getter)]
    pub fn sampler(&self) -> String {
        self.sampler_kind.clone()
    }
    /// The data set's name.
    #[wasm_bindgen(getter)]
    pub fn target(&self) -> String {
        self.target.clone()
    }
    /// Uses the simd128 kernels (when compiled in) or the scalar ones (same bits).
    #[wasm_bindgen(js_name = setSimd)]
    pub fn set_simd(&mut self, on: bool) {
        self.trainer.set_path(if on {
            KernelPath::best()
        } else {
            KernelPath::Scalar
        });
    }
    /// The kernel in use.
    #[wasm_bindgen(getter)]
    pub fn kernel(&self) -> String {
        self.trainer.path().name().into()
    }
    /// The flat parameters (a copy).
    pub fn params(&self) -> Vec<f32> {
        self.trainer.params().to_vec()
    }
    /// FNV-1a checksums of the two clouds, "learned:exact" (empty before sampling).
    pub fn checksum(&self) -> String {
        self.sampling
            .as_ref()
            .map(|s| {
                format!(
                    "{:016x}:{:016x}",
                    s.learned.cloud.checksum(),
                    s.exact.cloud.checksum()
                )
            })
            .unwrap_or_default()
    }
    /// Training data `target` changes: the network restarts from the same seed.
    #[wasm_bindgen(js_name = setTarget)]
    pub fn set_target(&mut self, target: &str) -> Result<(), JsError> {
        let data = preset(target)?;
        self.eval = EpsEvalSet::new(&data, self.trainer.schedule(), EVAL_SAMPLES, 1234)?;
        let b = data.view_box();
        self.view = [b[0].min(-3.5), b[1].max(3.5), b[2].min(-3.5), b[3].max(3.5)];
        self.shares = vec![0.0; data.len()];
        self.trainer.set_data(&data);
        self.target = target.into();
        self.keys = [None, None];
        self.version += 1;
        self.reset(self.seed)
    }
}
