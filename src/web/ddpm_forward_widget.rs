//! `DdpmForwardWidget`: the handle behind `<sb-ddpm-forward>` (the DDPM forward process and its
//! schedule editor).
//!
//! Clean samples x₀ of a 2-D mixture are noised in one shot, x_t = √ᾱ_t x₀ + √(1 − ᾱ_t) ε with
//! the same ε for every t (so scrubbing t moves each particle continuously), over the exact
//! density of q(x_t) = Σ wₖ N(√ᾱ_t μₖ, ᾱ_t Σₖ + (1 − ᾱ_t) I). The schedule is linear, cosine or
//! a drawn log-SNR curve whose knots the reader drags on the SNR chart (`pickKnot`/`dragKnot`
//! map canvas pixels to data through the chart's own mapping). The prior gap
//! KL(q(x_N) ‖ N(0, I)) is shown for the current N and against N for the same family.

use super::draw::{blit_with_axes, layout};
use crate::chart::ChartTheme;
use crate::chart_mapped::{draw_mapped_chart, mapped_chart_svg, Axis, ChartMap, Marks};
use crate::chart_multi::{palette, Series};
use crate::ddpm::log_snr::LogSnrKnots;
use crate::ddpm::prior_gap::geometric_lengths;
use crate::ddpm::spec::ScheduleSpec;
use crate::ddpm::BetaSchedule;
use crate::error::Error;
use crate::histogram_kl::HistogramKl;
use crate::mixture::GaussianMixture;
use crate::particles::{check_count, Particles};
use crate::presets::preset;
use crate::raster::{Palette, Raster};
use crate::rng::sim_rng_stream;
use crate::sde::prior_kl::prior_kl;
use crate::stats::moments;
use crate::viewport::Viewport;
use plotters::prelude::IntoDrawingArea;
use plotters_canvas::CanvasBackend;
use std::collections::HashMap;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

/// The longest schedule of the widget.
pub const MAX_WIDGET_STEPS: usize = 5000;
/// Lengths of the KL-against-N chart.
const CURVE_POINTS: usize = 12;
/// Bins per side of the histogram KL.
const BINS: usize = 16;
/// SNR axis of the schedule chart (log-SNR ±16).
const SNR_AXIS: (f64, f64) = (1e-7, 1e7);

fn dpr_ok(dpr: f64) -> f64 {
    if dpr.is_finite() && dpr > 0.0 {
        dpr.clamp(0.5, 4.0)
    } else {
        1.0
    }
}

fn check_widget_steps(steps: f64) -> Result<usize, Error> {
    if steps.is_finite() && steps.fract() == 0.0 && (1.0..=MAX_WIDGET_STEPS as f64).contains(&steps)
    {
        Ok(steps as usize)
    } else {
        Err(Error::invalid(
            "steps",
            format!("an integer T in [1, {MAX_WIDGET_STEPS}]"),
            steps,
        ))
    }
}

/// Parses `8,4,0,-4,-8` into log-SNR knots.
pub(crate) fn parse_knots(s: &str) -> Result<LogSnrKnots, Error> {
    let v: Result<Vec<f64>, Error> = s
        .split(',')
        .map(|t| {
            t.trim().parse::<f64>().map_err(|_| {
                Error::invalid(
                    "knots",
                    "comma-separated log-SNR values such as 8,4,0,-4,-8",
                    format!("{s:?}"),
                )
            })
        })
        .collect();
    LogSnrKnots::new(&v?)
}

/// A schedule family from the widget's controls.
pub(crate) fn spec_from(
    kind: &str,
    beta_start: f64,
    beta_end: f64,
    knots: &LogSnrKnots,
) -> Result<ScheduleSpec, Error> {
    let spec = match kind {
        "linear" => ScheduleSpec::Linear {
            beta_start,
            beta_end,
        },
        "custom" => ScheduleSpec::LogSnr(knots.clone()),
        other => ScheduleSpec::by_name(other)?,
    };
    // validate the β range once (any length)
    spec.build(2)?;
    Ok(spec)
}

/// `n` exact samples of `data` from stream 5 of `seed`.
pub(crate) fn sample_cloud(data: &GaussianMixture, n: usize, seed: u64) -> Particles {
    let mut rng = sim_rng_stream(seed, 5);
    let (mut xs, mut ys) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for _ in 0..n {
        let x = data.sample(&mut rng);
        xs.push(x[0] as f32);
        ys.push(x[1] as f32);
    }
    Particles { xs, ys }
}

/// The frame of every t: the data's box and the prior's ±4.5.
fn frame(data: &GaussianMixture) -> [f64; 4] {
    let b = data.view_box();
    [b[0].min(-4.5), b[1].max(4.5), b[2].min(-4.5), b[3].max(4.5)]
}

/// The forward process on a 2-D mixture with an editable schedule.
#[wasm_bindgen]
pub struct DdpmForwardWidget {
    data: GaussianMixture,
    target: String,
    knots: LogSnrKnots,
    spec: ScheduleSpec,
    schedule: BetaSchedule,
    t: usize,
    n: usize,
    seed: u32,
    x0: Particles,
    xt: Particles,
    view: [f64; 4],
    raster: Raster,
    key: Option<(usize, usize, usize, bool, u64)>,
    version: u64,
    snr_map: Option<ChartMap>,
    kl_cache: HashMap<(u64, u64), f64>,
    curve: Vec<(f64, f64)>,
    curve_version: u64,
    hist: Option<(usize, u64, HistogramKl)>,
}

impl DdpmForwardWidget {
    fn rebuild(&mut self, spec: ScheduleSpec, steps: usize) -> Result<(), Error> {
        let schedule = spec.build(steps)?;
        self.spec = spec;
        self.schedule = schedule;
        self.t = self.t.min(steps);
        self.version += 1;
        self.hist = None;
        self.noise()
    }

    fn noise(&mut self) -> Result<(), Error> {
        crate::ddpm::forward::noise_into(
            &self.schedule,
            &self.x0,
            self.t,
            self.seed as u64,
            &mut self.xt,
        )
    }

    /// KL(q(x_N) ‖ N(0, I)) memoised on (√ᾱ_N, 1 − ᾱ_N).
    fn gap(&mut self, s: &BetaSchedule) -> Result<f64, Error> {
        let (a, v) = s.marginal(s.len());
        let key = (a.to_bits(), v.to_bits());
        if let Some(k) = self.kl_cache.get(&key) {
            return Ok(*k);
        }
        let k = prior_kl(&self.data, a, v, 1.0)?;
        if self.kl_cache.len() > 4096 {
            self.kl_cache.clear();
        }
        self.kl_cache.insert(key, k);
        Ok(k)
    }

    fn ensure_curve(&mut self) -> Result<(), Error> {
        if self.curve_version == self.version && !self.curve.is_empty() {
            return Ok(());
        }
        let mut ns = geometric_lengths(
            MAX_WIDGET_STEPS.min(2000).max(self.schedule.len()),
            CURVE_POINTS,
        );
        if !ns.contains(&self.schedule.len()) {
            ns.push(self.schedule.len());
            ns.sort_unstable();
        }
        let spec = self.spec.clone();
        let mut c = Vec::with_capacity(ns.len());
        for n in ns {
            let s = spec.build(n)?;
            c.push((n as f64, self.gap(&s)?));
        }
        self.curve = c;
        self.curve_version = self.version;
        Ok(())
    }

    fn knot_points(&self) -> Vec<(f64, f64)> {
        let n = self.schedule.len() as f64;
        self.knots
            .positions()
            .iter()
            .zip(self.knots.values())
            .map(|(u, l)| (1.0 + u * (n - 1.0), l.exp()))
            .collect()
    }

    fn alpha_series(&self) -> [Vec<(f64, f64)>; 2] {
        let n = self.schedule.len();
        let stride = (n / 600).max(1);
        let ts = (0..=n).step_by(stride).chain(std::iter::once(n));
        let ab: Vec<(f64, f64)> = ts
            .clone()
            .map(|t| (t as f64, self.schedule.alpha_bar(t)))
            .collect();
        let b: Vec<(f64, f64)> = ts
            .filter(|&t| t >= 1)
            .map(|t| (t as f64, self.schedule.beta(t)))
            .collect();
        [ab, b]
    }

    fn snr_series(&self) -> Vec<(f64, f64)> {
        let n = self.schedule.len();
        let stride = (n / 600).max(1);
        (1..=n)
            .step_by(stride)
            .chain(std::iter::once(n))
            .map(|t| (t as f64, self.schedule.snr(t)))
            .collect()
    }

    fn root(
        canvas: &HtmlCanvasElement,
    ) -> Result<plotters::drawing::DrawingArea<CanvasBackend, plotters::coord::Shift>, JsError>
    {
        Ok(CanvasBackend::with_canvas_object(canvas.clone())
            .ok_or_else(|| JsError::new("plotters could not use the canvas"))?
            .into_drawing_area())
    }

    fn n_axis(&self) -> Axis {
        Axis {
            lo: 0.0,
            hi: self.schedule.len().max(1) as f64,
            log: false,
        }
    }
}

#[wasm_bindgen]
impl DdpmForwardWidget {
    /// `target` (`ring8`, `gaussian`, `two-modes`), `schedule` (`linear`, `cosine`, `custom`)
    /// with T = `steps` ∈ [1, 5000], the linear β range (`beta_start`, `beta_end` in (0, 1)),
    /// the custom log-SNR `knots` (e.g. `8,4,0,-4,-8`: 2–16 strictly decreasing values in
    /// [−15, 15]), `particles` ∈ [1, 10⁶] and `seed`.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        target: &str,
        schedule: &str,
        steps: f64,
        beta_start: f64,
        beta_end: f64,
        knots: &str,
        particles: f64,
        seed: u32,
    ) -> Result<DdpmForwardWidget, JsError> {
        let data = preset(target)?;
        let steps = check_widget_steps(steps)?;
        let knots = parse_knots(knots)?;
        let spec = spec_from(schedule, beta_start, beta_end, &knots)?;
        let n = check_count(particles)?;
        let x0 = sample_cloud(&data, n, seed as u64);
        let mut w = DdpmForwardWidget {
            view: frame(&data),
            schedule: spec.build(steps)?,
            spec,
            knots,
            target: target.into(),
            data,
            t: 0,
            n,
            seed,
            xt: x0.clone(),
            x0,
            raster: Raster::default(),
            key: None,
            version: 0,
            snr_map: None,
            kl_cache: HashMap::new(),
            curve: vec![],
            curve_version: u64::MAX,
            hist: None,
        };
        w.noise()?;
        Ok(w)
    }

    /// New clean samples and noise from `seed`; t back to 0.
    pub fn reset(&mut self, seed: u32) -> Result<(), JsError> {
        self.seed = seed;
        self.x0 = sample_cloud(&self.data, self.n, seed as u64);
        self.t = 0;
        self.hist = None;
        Ok(self.noise()?)
    }

    /// Changes the data set and restarts from the same seed.
    #[wasm_bindgen(js_name = setTarget)]
    pub fn set_target(&mut self, target: &str) -> Result<(), JsError> {
        let data = preset(target)?;
        self.view = frame(&data);
        self.data = data;
        self.target = target.into();
        self.kl_cache.clear();
        self.version += 1;
        self.key = None;
        self.reset(self.seed)
    }

    /// Changes the number of particles (∈ [1, 10⁶]) and restarts.
    #[wasm_bindgen(js_name = setParticles)]
    pub fn set_particles(&mut self, particles: f64) -> Result<(), JsError> {
        self.n = check_count(particles)?;
        self.reset(self.seed)
    }

    /// Changes the schedule (`linear`, `cosine`, `custom` with the current knots), T and the
    /// linear β range; everything is validated before anything changes. t is kept (≤ T).
    #[wasm_bindgen(js_name = setSchedule)]
    pub fn set_schedule(
        &mut self,
        kind: &str,
        steps: f64,
        beta_start: f64,
        beta_end: f64,
    ) -> Result<(), JsError> {
        let steps = check_widget_steps(steps)?;
        let spec = spec_from(kind, beta_start, beta_end, &self.knots)?;
        spec.build(steps)?;
        Ok(self.rebuild(spec, steps)?)
    }

    /// Sets the custom log-SNR knots from a list like `8,4,0,-4,-8`.
    #[wasm_bindgen(js_name = setKnots)]
    pub fn set_knots(&mut self, knots: &str) -> Result<(), JsError> {
        let k = parse_knots(knots)?;
        self.knots = k.clone();
        if let ScheduleSpec::LogSnr(_) = self.spec {
            self.rebuild(ScheduleSpec::LogSnr(k), self.schedule.len())?;
        }
        Ok(())
    }

    /// The custom knots' log-SNR values.
    pub fn knots(&self) -> Vec<f64> {
        self.knots.values().to_vec()
    }

    /// The index of the knot within 14 CSS px of the device-pixel point (px, py) of the SNR
    /// chart (after `drawSnr`), or −1.
    #[wasm_bindgen(js_name = pickKnot)]
    pub fn pick_knot(&self, px: f64, py: f64, dpr: f64) -> i32 {
        let Some(m) = self.snr_map else { return -1 };
        if !(matches!(self.spec, ScheduleSpec::LogSnr(_)) && px.is_finite() && py.is_finite()) {
            return -1;
        }
        let r = 14.0 * dpr_ok(dpr);
        let mut best = (-1, r * r);
        for (i, &(x, y)) in self.knot_points().iter().enumerate() {
            let (qx, qy) = m.to_pixel(x, y);
            let d = (qx - px).powi(2) + (qy - py).powi(2);
            if d <= best.1 {
                best = (i as i32, d);
            }
        }
        best.0
    }

    /// Moves knot `i` to the height of the device-pixel point (px, py) of the SNR chart
    /// (clamped to keep the curve decreasing); returns the knot's new log-SNR.
    #[wasm_bindgen(js_name = dragKnot)]
    pub fn drag_knot(&mut self, i: u32, px: f64, py: f64) -> Result<f64, JsError> {
        let m = self
            .snr_map
            .ok_or_else(|| JsError::new("draw the SNR chart before dragging a knot"))?;
        if !(px.is_finite() && py.is_finite()) {
            return Err(Error::invalid(
                "pointer",
                "finite pixel coordinates",
                format!("({px}, {py})"),
            )
            .into());
        }
        let (_, snr) = m.to_data(px, py);
        let v = self.knots.set_clamped(i as usize, snr.ln())?;
        if let ScheduleSpec::LogSnr(_) = self.spec {
            self.rebuild(
                ScheduleSpec::LogSnr(self.knots.clone()),
                self.schedule.len(),
            )?;
        }
        Ok(v)
    }

    /// Moves to step t ∈ [0, T].
    #[wasm_bindgen(js_name = setStep)]
    pub fn set_step(&mut self, t: f64) -> Result<(), JsError> {
        let n = self.schedule.len();
        if !(t.is_finite() && t.fract() == 0.0 && (0.0..=n as f64).contains(&t)) {
            return Err(Error::invalid("t", format!("an integer step in [0, {n}]"), t).into());
        }
        self.t = t as usize;
        Ok(self.noise()?)
    }

    /// Advances t by `k` ≤ 100 000 steps (stops at T).
    pub fn step(&mut self, k: u32) -> Result<(), JsError> {
        if k > 100_000 {
            return Err(Error::invalid("k", "an integer in [0, 100000]", k).into());
        }
        self.t = (self.t + k as usize).min(self.schedule.len());
        Ok(self.noise()?)
    }

    /// The current step t.
    #[wasm_bindgen(getter)]
    pub fn t(&self) -> f64 {
        self.t as f64
    }
    /// T, the schedule's length.
    #[wasm_bindgen(getter)]
    pub fn steps(&self) -> f64 {
        self.schedule.len() as f64
    }
    /// True at t = T.
    #[wasm_bindgen(getter)]
    pub fn finished(&self) -> bool {
        self.t == self.schedule.len()
    }
    /// The schedule's family.
    #[wasm_bindgen(getter, js_name = scheduleKind)]
    pub fn schedule_kind(&self) -> String {
        self.spec.name().into()
    }
    /// β_t (NaN at t = 0).
    #[wasm_bindgen(getter)]
    pub fn beta(&self) -> f64 {
        if self.t == 0 {
            f64::NAN
        } else {
            self.schedule.beta(self.t)
        }
    }
    /// ᾱ_t.
    #[wasm_bindgen(getter, js_name = alphaBar)]
    pub fn alpha_bar(&self) -> f64 {
        self.schedule.alpha_bar(self.t)
    }
    /// SNR_t = ᾱ_t/(1 − ᾱ_t) (∞ at t = 0).
    #[wasm_bindgen(getter)]
    pub fn snr(&self) -> f64 {
        let a = self.schedule.alpha_bar(self.t);
        a / (1.0 - a)
    }
    /// The VE noise level of the same marginal, σ_VE = √((1 − ᾱ_t)/ᾱ_t) (x_t/√ᾱ_t = x₀ + σ_VE z).
    #[wasm_bindgen(getter, js_name = sigmaVe)]
    pub fn sigma_ve(&self) -> f64 {
        let a = self.schedule.alpha_bar(self.t);
        ((1.0 - a) / a).sqrt()
    }
    /// ᾱ_T.
    #[wasm_bindgen(getter, js_name = alphaBarEnd)]
    pub fn alpha_bar_end(&self) -> f64 {
        self.schedule.alpha_bar(self.schedule.len())
    }
    /// KL(q(x_T) ‖ N(0, I)) in nats (quadrature).
    #[wasm_bindgen(js_name = priorKl)]
    pub fn prior_kl(&mut self) -> Result<f64, JsError> {
        let s = self.schedule.clone();
        Ok(self.gap(&s)?)
    }
    /// KL(q(x_N) ‖ N(0, I)) against N for the current family, as [N, KL, …].
    #[wasm_bindgen(js_name = klCurve)]
    pub fn kl_curve(&mut self) -> Result<Vec<f64>, JsError> {
        self.ensure_curve()?;
        Ok(self.curve.iter().flat_map(|p| [p.0, p.1]).collect())
    }
    /// The cloud's [mean x, mean y, cov xx, cov xy, cov yy].
    #[wasm_bindgen(js_name = momentsSimulated)]
    pub fn moments_simulated(&self) -> Vec<f64> {
        let m = moments(&self.xt);
        vec![m.mean[0], m.mean[1], m.cov[0], m.cov[1], m.cov[2]]
    }
    /// The exact moments of q(x_t): mean √ᾱ m, covariance ᾱ C + (1 − ᾱ) I.
    #[wasm_bindgen(js_name = momentsExact)]
    pub fn moments_exact(&self) -> Vec<f64> {
        let a = self.schedule.alpha_bar(self.t);
        let (m, c) = (self.data.mean(), self.data.covariance());
        vec![
            a.sqrt() * m[0],
            a.sqrt() * m[1],
            a * c[0] + 1.0 - a,
            a * c[1],
            a * c[2] + 1.0 - a,
        ]
    }
    /// [KL(histogram of x_t ‖ q(x_t)), its value for exact samples (the floor)] on a 16 × 16
    /// grid over the frame.
    #[wasm_bindgen(js_name = histogramKl)]
    pub fn histogram_kl(&mut self) -> Result<Vec<f64>, JsError> {
        if self.hist.as_ref().map(|h| (h.0, h.1)) != Some((self.t, self.version)) {
            let (a, v) = self.schedule.marginal(self.t);
            let qt = self.data.scaled_noised(a, v)?;
            self.hist = Some((self.t, self.version, HistogramKl::new(&qt, self.view, BINS)));
        }
        let h = &mut self.hist.as_mut().expect("just built").2;
        Ok(vec![h.kl(&self.xt), h.floor(self.xt.len())])
    }
    /// ᾱ₀ … ᾱ_T.
    #[wasm_bindgen(js_name = alphaBars)]
    pub fn alpha_bars(&self) -> Vec<f64> {
        self.schedule.alpha_bars().to_vec()
    }
    /// β₁ … β_T.
    pub fn betas(&self) -> Vec<f64> {
        self.schedule.betas().to_vec()
    }
    /// Particles.
    #[wasm_bindgen(getter)]
    pub fn len(&self) -> usize {
        self.n
    }
    /// Always false.
    #[wasm_bindgen(js_name = isEmpty)]
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }
    /// The data set's name.
    #[wasm_bindgen(getter)]
    pub fn target(&self) -> String {
        self.target.clone()
    }
    /// FNV-1a checksum of the cloud x_t.
    pub fn checksum(&self) -> String {
        format!("{:016x}", self.xt.checksum())
    }
    /// Byte offset of x_t's x coordinates.
    #[wasm_bindgen(js_name = xsPtr)]
    pub fn xs_ptr(&self) -> *const f32 {
        self.xt.xs.as_ptr()
    }
    /// Byte offset of x_t's y coordinates.
    #[wasm_bindgen(js_name = ysPtr)]
    pub fn ys_ptr(&self) -> *const f32 {
        self.xt.ys.as_ptr()
    }

    /// Draws x_t over the exact density of q(x_t).
    pub fn draw(
        &mut self,
        canvas: &HtmlCanvasElement,
        dpr: f64,
        dark: bool,
    ) -> Result<(), JsError> {
        let dpr = dpr_ok(dpr);
        let (rect, view) = layout(canvas, self.view, dpr);
        let vp = Viewport {
            data: view,
            width: rect.width as usize,
            height: rect.height as usize,
        };
        let pal = Palette::for_theme(dark);
        let key = (self.t, vp.width, vp.height, dark, self.version);
        if self.key != Some(key) {
            let (a, v) = self.schedule.marginal(self.t);
            let qt = self.data.scaled_noised(a, v)?;
            // q(x_t) changes every frame while playing; it is smooth on the scale of 4 CSS px
            // (a component sd ≥ 0.5 is ≈ 25 CSS px at the default size), so the density is
            // evaluated every 4 CSS px and interpolated in between
            let stride = (4.0 * dpr).round().clamp(4.0, 16.0) as usize;
            self.raster.render_density_coarse(&qt, &vp, &pal, stride);
            self.key = Some(key);
        }
        let point = (1.5 * dpr).round().clamp(1.0, 4.0) as usize;
        self.raster.compose(&self.xt, &vp, &pal, point);
        blit_with_axes(canvas, self.raster.frame(), rect, view, dpr, dark)
    }

    /// Draws ᾱ_t and β_t against t with a line at the current t.
    #[wasm_bindgen(js_name = drawAlpha)]
    pub fn draw_alpha(
        &self,
        canvas: &HtmlCanvasElement,
        dpr: f64,
        dark: bool,
    ) -> Result<(), JsError> {
        let s = self.alpha_series();
        let pal = palette(dark);
        let series = [
            Series {
                label: "ᾱ_t",
                color: pal[0],
                points: &s[0],
                width: 2.0,
            },
            Series {
                label: "β_t",
                color: pal[1],
                points: &s[1],
                width: 1.5,
            },
        ];
        let root = Self::root(canvas)?;
        let marks = Marks {
            vline: Some(self.t as f64),
            ..Default::default()
        };
        draw_mapped_chart(
            &root,
            &series,
            self.n_axis(),
            Axis {
                lo: 0.0,
                hi: 1.0,
                log: false,
            },
            &marks,
            "step t",
            "ᾱ_t, β_t",
            dpr_ok(dpr),
            &ChartTheme::for_theme(dark),
        )
        .map_err(|e| JsError::new(&e))?;
        root.present()
            .map_err(|e| JsError::new(&format!("{e:?}")))?;
        Ok(())
    }

    /// Draws SNR_t on a log axis with the custom knots as handles (custom schedule) and a line
    /// at t; keeps the chart's mapping for `pickKnot`/`dragKnot`.
    #[wasm_bindgen(js_name = drawSnr)]
    pub fn draw_snr(
        &mut self,
        canvas: &HtmlCanvasElement,
        dpr: f64,
        dark: bool,
    ) -> Result<(), JsError> {
        let s = self.snr_series();
        let pal = palette(dark);
        let series = [Series {
            label: "",
            color: pal[2],
            points: &s,
            width: 2.0,
        }];
        let handles = if matches!(self.spec, ScheduleSpec::LogSnr(_)) {
            self.knot_points()
        } else {
            vec![]
        };
        let root = Self::root(canvas)?;
        let marks = Marks {
            vline: Some(self.t as f64),
            handles: &handles,
            dots: &[],
        };
        let m = draw_mapped_chart(
            &root,
            &series,
            self.n_axis(),
            Axis {
                lo: SNR_AXIS.0,
                hi: SNR_AXIS.1,
                log: true,
            },
            &marks,
            "step t",
            "SNR_t",
            dpr_ok(dpr),
            &ChartTheme::for_theme(dark),
        )
        .map_err(|e| JsError::new(&e))?;
        root.present()
            .map_err(|e| JsError::new(&format!("{e:?}")))?;
        self.snr_map = Some(m);
        Ok(())
    }

    fn kl_axes(&self) -> (Axis, Axis) {
        let hi_n = self.curve.last().map(|p| p.0).unwrap_or(1.0).max(2.0);
        let kmax = self.curve.iter().map(|p| p.1).fold(1e-6, f64::max);
        let kmin = self
            .curve
            .iter()
            .map(|p| p.1)
            .filter(|k| *k > 0.0)
            .fold(kmax, f64::min);
        let lo = 10f64.powf((kmin.max(1e-9)).log10().floor()).max(1e-9);
        let hi = 10f64.powf(kmax.log10().ceil()).max(lo * 10.0);
        (
            Axis {
                lo: 1.0,
                hi: hi_n,
                log: true,
            },
            Axis { lo, hi, log: true },
        )
    }

    /// Draws KL(q(x_N) ‖ N(0, I)) against N (log–log) with the current T marked.
    #[wasm_bindgen(js_name = drawKl)]
    pub fn draw_kl(
        &mut self,
        canvas: &HtmlCanvasElement,
        dpr: f64,
        dark: bool,
    ) -> Result<(), JsError> {
        self.ensure_curve()?;
        let pal = palette(dark);
        let series = [Series {
            label: "",
            color: pal[3],
            points: &self.curve,
            width: 2.0,
        }];
        let n = self.schedule.len() as f64;
        let cur: Vec<(f64, f64)> = self.curve.iter().filter(|p| p.0 == n).copied().collect();
        let (xa, ya) = self.kl_axes();
        let root = Self::root(canvas)?;
        let marks = Marks {
            vline: None,
            handles: &[],
            dots: &cur,
        };
        draw_mapped_chart(
            &root,
            &series,
            xa,
            ya,
            &marks,
            "schedule length T",
            "KL(q(x_T) ‖ N(0, I))",
            dpr_ok(dpr),
            &ChartTheme::for_theme(dark),
        )
        .map_err(|e| JsError::new(&e))?;
        root.present()
            .map_err(|e| JsError::new(&format!("{e:?}")))?;
        Ok(())
    }

    /// The KL-against-T chart as SVG (`width` × `height` CSS px, clamped to [100, 4000]).
    #[wasm_bindgen(js_name = klSvg)]
    pub fn kl_svg(&mut self, width: u32, height: u32, dark: bool) -> Result<String, JsError> {
        self.ensure_curve()?;
        let pal = palette(dark);
        let series = [Series {
            label: "KL(q(x_T) ‖ N(0, I))",
            color: pal[3],
            points: &self.curve,
            width: 2.0,
        }];
        let (xa, ya) = self.kl_axes();
        mapped_chart_svg(
            &series,
            xa,
            ya,
            &Marks::default(),
            "schedule length T",
            "KL (nats)",
            (width.clamp(100, 4000), height.clamp(100, 4000)),
            dark,
        )
        .map_err(|e| JsError::new(&e))
    }

    /// The ᾱ/β chart as SVG.
    #[wasm_bindgen(js_name = alphaSvg)]
    pub fn alpha_svg(&self, width: u32, height: u32, dark: bool) -> Result<String, JsError> {
        let s = self.alpha_series();
        let pal = palette(dark);
        let series = [
            Series {
                label: "ᾱ_t",
                color: pal[0],
                points: &s[0],
                width: 2.0,
            },
            Series {
                label: "β_t",
                color: pal[1],
                points: &s[1],
                width: 1.5,
            },
        ];
        mapped_chart_svg(
            &series,
            self.n_axis(),
            Axis {
                lo: 0.0,
                hi: 1.0,
                log: false,
            },
            &Marks::default(),
            "step t",
            "ᾱ_t, β_t",
            (width.clamp(100, 4000), height.clamp(100, 4000)),
            dark,
        )
        .map_err(|e| JsError::new(&e))
    }
}
