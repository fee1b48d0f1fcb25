//! `SdeReverseWidget`: the handle behind `<sb-sde-reverse>` (the reverse SDE with noise level c
//! beside the probability-flow ODE, from identical seeds).
//!
//! Both runs start from the same draw of the prior N(0, vI) and integrate, from T down to t_end,
//! the reverse-time equation of `sde::reverse` (Yasuda eq. 68; Song et al. 2021 eqs. 6 and 13)
//!
//!   dx = [f(t)x − ((1 + c²)/2) g(t)² ∇log p_t(x)] dt + c g(t) dW̄
//!
//! with the exact mixture score: run 0 with the slider's c, run 1 with c = 0 (the ODE). Every c
//! has the forward marginals p_t, so both clouds should match the exact p_t at every t while
//! their paths differ. JS calls `step(k)` per frame, then `draw` per canvas; the quality readout
//! compares each cloud with the exact p_t at the current time.

use super::draw::{blit_with_axes, layout};
use super::sde_common::{
    data_by_name, dpr_ok, draw_paths, quality, quality_histogram, sde_by_name, Quality,
};
use crate::error::Error;
use crate::histogram_kl::HistogramKl;
use crate::kernel::KernelPath;
use crate::mixture::GaussianMixture;
use crate::particles::{check_count, Particles};
use crate::raster::{Palette, Raster};
use crate::sde::reverse::{check_noise_level, ReverseMethod, ReverseSampler};
use crate::sde::score::ExactMixtureScore;
use crate::sde::trajectories::Trajectories;
use crate::sde::{check_steps, runaway_radius, Sde};
use crate::viewport::Viewport;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

/// Paths drawn per run.
const TRACKED: usize = 12;
/// The reverse runs stop at t_end = 10⁻³ T (the score of p₀ itself is as sharp as the data).
const T_END_FRACTION: f64 = 1e-3;
/// The shading of p_t is redrawn when t has moved by 1/200 of the horizon.
const SHADE_LEVELS: f64 = 200.0;

fn method_by_name(name: &str) -> Result<ReverseMethod, Error> {
    match name {
        "em" => Ok(ReverseMethod::EulerMaruyama),
        "heun" => Ok(ReverseMethod::Heun),
        other => Err(Error::invalid(
            "method",
            "one of em, heun",
            format!("{other:?}"),
        )),
    }
}

struct Run {
    sampler: ReverseSampler,
    cloud: Particles,
    paths: Trajectories,
    score: ExactMixtureScore,
    error: Option<String>,
}

/// Reverse SDE (noise level c) against the probability-flow ODE.
#[wasm_bindgen]
pub struct SdeReverseWidget {
    data: GaussianMixture,
    target_name: String,
    sde: Sde,
    sde_name: String,
    method: ReverseMethod,
    n: usize,
    steps: usize,
    c: f64,
    seed: u32,
    path: KernelPath,
    runs: Vec<Run>,
    rasters: [Raster; 2],
    keys: [Option<(usize, usize, bool, i64)>; 2],
    hist: Option<(f64, HistogramKl, GaussianMixture)>,
}

#[allow(clippy::too_many_arguments)]
fn build_runs(
    sde: Sde,
    data: &GaussianMixture,
    method: ReverseMethod,
    c: f64,
    steps: usize,
    n: usize,
    seed: u32,
    path: KernelPath,
) -> Result<Vec<Run>, Error> {
    let radius = runaway_radius(data, &sde);
    let t_end = T_END_FRACTION * sde.horizon();
    let mut runs = Vec::with_capacity(2);
    for noise in [c, 0.0] {
        let sampler = ReverseSampler::new(sde, method, noise, steps, t_end, radius, seed as u64)?;
        let cloud = sampler.prior(n, seed as u64);
        let mut paths = Trajectories::new(TRACKED.min(n), steps + 1)?;
        paths.record(sampler.time(), &cloud);
        let mut score = ExactMixtureScore::new(data);
        score.set_path(path);
        runs.push(Run {
            sampler,
            cloud,
            paths,
            score,
            error: None,
        });
    }
    Ok(runs)
}

#[wasm_bindgen]
impl SdeReverseWidget {
    /// A widget for `sde` (vp, sub-vp, ve, ou; VE with σ_max = 10), data `target` (ring8,
    /// gaussian, two-modes), `particles` ∈ [1, 1 000 000], `steps` K ∈ [1, 100 000], noise level
    /// c = `noise_level` ∈ [0, 10], `method` (em, heun) and a `seed`.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        sde: &str,
        target: &str,
        particles: f64,
        steps: f64,
        noise_level: f64,
        method: &str,
        seed: u32,
    ) -> Result<SdeReverseWidget, JsError> {
        let s = sde_by_name(sde, 10.0)?;
        let data = data_by_name(target)?;
        let n = check_count(particles)?;
        let k = check_step_count(steps)?;
        let c = check_noise_level(noise_level)?;
        let m = method_by_name(method)?;
        let path = KernelPath::best();
        let runs = build_runs(s, &data, m, c, k, n, seed, path)?;
        Ok(SdeReverseWidget {
            data,
            target_name: target.into(),
            sde: s,
            sde_name: sde.into(),
            method: m,
            n,
            steps: k,
            c,
            seed,
            path,
            runs,
            rasters: [Raster::default(), Raster::default()],
            keys: [None, None],
            hist: None,
        })
    }

    /// Restarts both runs from the prior with `seed`.
    pub fn reset(&mut self, seed: u32) -> Result<(), JsError> {
        self.runs = build_runs(
            self.sde,
            &self.data,
            self.method,
            self.c,
            self.steps,
            self.n,
            seed,
            self.path,
        )?;
        self.seed = seed;
        self.keys = [None, None];
        Ok(())
    }

    /// Changes the noise level c ∈ [0, 10] of run 0 and restarts both runs.
    #[wasm_bindgen(js_name = setNoiseLevel)]
    pub fn set_noise_level(&mut self, c: f64) -> Result<(), JsError> {
        self.c = check_noise_level(c)?;
        self.reset(self.seed)
    }

    /// Changes the step count K ∈ [1, 100 000] and restarts.
    #[wasm_bindgen(js_name = setSteps)]
    pub fn set_steps(&mut self, steps: f64) -> Result<(), JsError> {
        self.steps = check_step_count(steps)?;
        self.reset(self.seed)
    }

    /// Changes the integrator (em, heun) and restarts.
    #[wasm_bindgen(js_name = setMethod)]
    pub fn set_method(&mut self, method: &str) -> Result<(), JsError> {
        self.method = method_by_name(method)?;
        self.reset(self.seed)
    }

    /// Changes the SDE (vp, sub-vp, ve, ou) and restarts.
    #[wasm_bindgen(js_name = setSde)]
    pub fn set_sde(&mut self, sde: &str) -> Result<(), JsError> {
        self.sde = sde_by_name(sde, 10.0)?;
        self.sde_name = sde.into();
        self.hist = None;
        self.reset(self.seed)
    }

    /// Changes the data law and restarts.
    #[wasm_bindgen(js_name = setTarget)]
    pub fn set_target(&mut self, target: &str) -> Result<(), JsError> {
        self.data = data_by_name(target)?;
        self.target_name = target.into();
        self.hist = None;
        self.reset(self.seed)
    }

    /// Changes the number of particles (∈ [1, 1 000 000]) and restarts.
    #[wasm_bindgen(js_name = setParticles)]
    pub fn set_particles(&mut self, particles: f64) -> Result<(), JsError> {
        self.n = check_count(particles)?;
        self.reset(self.seed)
    }

    /// Uses the simd128 kernel (when compiled in) or the scalar one; both give identical clouds.
    #[wasm_bindgen(js_name = setSimd)]
    pub fn set_simd(&mut self, on: bool) {
        self.path = if on {
            KernelPath::best()
        } else {
            KernelPath::Scalar
        };
        for r in &mut self.runs {
            r.score.set_path(self.path);
        }
    }

    /// The kernel in use: `simd128` or `scalar`.
    #[wasm_bindgen(getter)]
    pub fn kernel(&self) -> String {
        self.path.name().into()
    }

    /// Runs `k` ∈ [0, 100 000] steps of both runs (fewer once t_end is reached). A run that
    /// diverges stops and reports `error(which)`; the other continues.
    pub fn step(&mut self, k: u32) -> Result<(), JsError> {
        if k > 100_000 {
            return Err(Error::invalid("k", "an integer in [0, 100000]", k).into());
        }
        for r in &mut self.runs {
            for _ in 0..k {
                if r.error.is_some() {
                    break;
                }
                match r.sampler.step(&mut r.cloud, &mut r.score) {
                    Ok(true) => {
                        r.paths.record(r.sampler.time(), &r.cloud);
                    }
                    Ok(false) => break,
                    Err(e) => r.error = Some(e.to_string()),
                }
            }
        }
        Ok(())
    }

    /// Steps completed (run 0; run 1 has taken as many unless one of them diverged).
    #[wasm_bindgen(getter)]
    pub fn steps(&self) -> f64 {
        self.runs[0].sampler.steps_done() as f64
    }

    /// K.
    #[wasm_bindgen(getter, js_name = totalSteps)]
    pub fn total_steps(&self) -> f64 {
        self.steps as f64
    }

    /// True once both runs have reached t_end or stopped.
    #[wasm_bindgen(getter)]
    pub fn finished(&self) -> bool {
        self.runs
            .iter()
            .all(|r| r.sampler.is_done() || r.error.is_some())
    }

    /// The current time of run `which` (0 = SDE, 1 = ODE).
    pub fn time(&self, which: u32) -> f64 {
        self.run(which).sampler.time()
    }

    /// Score evaluations of run `which` so far.
    pub fn nfe(&self, which: u32) -> f64 {
        self.run(which).sampler.nfe() as f64
    }

    /// The divergence message of run `which`, or `undefined`.
    pub fn error(&self, which: u32) -> Option<String> {
        self.run(which).error.clone()
    }

    /// The step size h = (T − t_end)/K.
    #[wasm_bindgen(getter, js_name = stepSize)]
    pub fn step_size(&self) -> f64 {
        self.runs[0].sampler.step_size()
    }

    /// The noise level c of run 0.
    #[wasm_bindgen(getter, js_name = noiseLevel)]
    pub fn noise_level(&self) -> f64 {
        self.c
    }

    /// t_end.
    #[wasm_bindgen(getter, js_name = endTime)]
    pub fn end_time(&self) -> f64 {
        T_END_FRACTION * self.sde.horizon()
    }

    /// The horizon T.
    #[wasm_bindgen(getter)]
    pub fn horizon(&self) -> f64 {
        self.sde.horizon()
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

    /// The SDE's name.
    #[wasm_bindgen(getter, js_name = sdeName)]
    pub fn sde_name(&self) -> String {
        self.sde_name.clone()
    }

    fn run(&self, which: u32) -> &Run {
        &self.runs[(which != 0) as usize]
    }

    /// Quality of each cloud against the exact p_t at its current time: [kl, floor, mean error,
    /// cov error] for run 0, then for run 1 (see `sde_common::Quality`).
    pub fn quality(&mut self) -> Result<Vec<f64>, JsError> {
        let mut out = Vec::with_capacity(8);
        for w in 0..2 {
            let t = self.runs[w].sampler.time();
            out.extend(self.quality_at(w, t)?.to_vec());
        }
        Ok(out)
    }

    fn quality_at(&mut self, w: usize, t: f64) -> Result<Quality, Error> {
        if self.hist.as_ref().map(|h| h.0) != Some(t) {
            let pt = self.sde.marginal_mixture(&self.data, t)?;
            self.hist = Some((t, quality_histogram(&pt), pt));
        }
        let (_, hist, pt) = self.hist.as_mut().expect("set above");
        Ok(quality(pt, hist, &self.runs[w].cloud))
    }

    /// The exact mean and covariance of the data law: [mx, my, cxx, cxy, cyy].
    #[wasm_bindgen(js_name = exactMoments)]
    pub fn exact_moments(&self) -> Vec<f64> {
        let (m, c) = (self.data.mean(), self.data.covariance());
        vec![m[0], m[1], c[0], c[1], c[2]]
    }

    /// FNV-1a checksums of the two clouds' bits, "sde:ode" in hex.
    pub fn checksum(&self) -> String {
        format!(
            "{:016x}:{:016x}",
            self.runs[0].cloud.checksum(),
            self.runs[1].cloud.checksum()
        )
    }

    /// The recorded paths of run `which`: snapshot-major [x, y] of `tracked` particles.
    pub fn paths(&self, which: u32) -> Vec<f32> {
        self.run(which).paths.points().to_vec()
    }

    /// Particles whose paths are recorded.
    #[wasm_bindgen(getter)]
    pub fn tracked(&self) -> usize {
        self.runs[0].paths.tracked()
    }

    /// Draws run `which` (0 = SDE, 1 = ODE) over the exact p_t of its current time, with the
    /// recorded paths.
    pub fn draw(
        &mut self,
        canvas: &HtmlCanvasElement,
        which: u32,
        dpr: f64,
        dark: bool,
    ) -> Result<(), JsError> {
        let dpr = dpr_ok(dpr);
        let w = (which != 0) as usize;
        let (rect, view) = layout(canvas, self.data.view_box(), dpr);
        let vp = Viewport {
            data: view,
            width: rect.width as usize,
            height: rect.height as usize,
        };
        let pal = Palette::for_theme(dark);
        let t = self.runs[w].sampler.time();
        let level = (t / self.sde.horizon() * SHADE_LEVELS).round() as i64;
        let key = (vp.width, vp.height, dark, level);
        if self.keys[w] != Some(key) {
            let tq =
                (level as f64 / SHADE_LEVELS * self.sde.horizon()).clamp(0.0, self.sde.horizon());
            let pt = self.sde.marginal_mixture(&self.data, tq)?;
            self.rasters[w].render_density_coarse(&pt, &vp, &pal, 6);
            self.keys[w] = Some(key);
        }
        let point = (1.5 * dpr).round().clamp(1.0, 4.0) as usize;
        self.rasters[w].compose(&self.runs[w].cloud, &vp, &pal, point);
        blit_with_axes(canvas, self.rasters[w].frame(), rect, view, dpr, dark)?;
        let colour = if dark {
            "rgba(236, 240, 246, 0.8)"
        } else {
            "rgba(20, 24, 32, 0.75)"
        };
        let r = &self.runs[w];
        draw_paths(
            canvas,
            rect,
            view,
            r.paths.points(),
            r.paths.tracked(),
            colour,
            0.8 * dpr,
        )
    }
}

fn check_step_count(steps: f64) -> Result<usize, Error> {
    if steps.is_finite() && steps.fract() == 0.0 && (1.0..=100_000.0).contains(&steps) {
        check_steps(steps as usize)
    } else {
        Err(Error::invalid("steps", "an integer in [1, 100000]", steps))
    }
}
