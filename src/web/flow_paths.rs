//! `FlowPathsWidget`: the handle behind `<sb-flow-paths>`, flow matching's marginal flow beside
//! the diffusion probability flow on the same data (both exact, no training).
//!
//! It owns a [`PathsComparison`] (the caller owns the loop: `step(n)` advances both clouds by n
//! steps of τ), the [`TransportReferences`] and a [`QualitySweep`] that `sweepStep` advances one
//! integration at a time. Pictures: each flow's cloud and recorded paths over the exact density of
//! its marginal at the current τ; the coupling of a minibatch of pairs; the quality chart.

use super::draw::{blit_with_axes, layout};
use crate::chart::ChartTheme;
use crate::chart_multi::{draw_multi_chart, multi_chart_svg, palette, Series};
use crate::ebm::picture::{EbmPalette, Picture, Shading};
use crate::error::Error;
use crate::flow::integrator::{check_steps, OdeIntegrator, OdeMethod};
use crate::flow::paths::{PathsComparison, TransportReferences, PAIRS};
use crate::flow::picture::{polyline_points, segment_points};
use crate::flow::quality::{QualitySweep, SWEEP_STEPS};
use crate::flow::targets::{flow_target, flow_view};
use crate::mixture::GaussianMixture;
use crate::particles::check_count;
use crate::stats::moments;
use crate::viewport::Viewport;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

/// Paths drawn per flow.
const RECORD: usize = 40;
/// Particles of the quality sweep.
const SWEEP_PARTICLES: usize = 2000;
/// The largest cloud of this widget.
const MAX_CLOUD: usize = 20_000;

fn clamp_dpr(dpr: f64) -> f64 {
    if dpr.is_finite() && dpr > 0.0 {
        dpr.clamp(0.5, 4.0)
    } else {
        1.0
    }
}

fn cloud_size(n: f64) -> Result<usize, Error> {
    let n = check_count(n)?;
    if n > MAX_CLOUD {
        return Err(Error::invalid(
            "particles",
            format!("an integer in [1, {MAX_CLOUD}]"),
            n,
        ));
    }
    Ok(n)
}

/// The two exact flows compared.
#[wasm_bindgen]
pub struct FlowPathsWidget {
    cmp: PathsComparison,
    refs: TransportReferences,
    sweep: QualitySweep,
    target: String,
    pictures: [Picture; 3],
    xs: Vec<f32>,
    ys: Vec<f32>,
}

impl FlowPathsWidget {
    fn build(
        target: &str,
        method: OdeMethod,
        steps: usize,
        particles: usize,
        seed: u64,
    ) -> Result<Self, Error> {
        let data = flow_target(target)?;
        Ok(FlowPathsWidget {
            cmp: PathsComparison::new(&data, method, steps, particles, RECORD, seed)?,
            refs: TransportReferences::new(&data, seed)?,
            sweep: QualitySweep::new(&data, method, SWEEP_PARTICLES, seed)?,
            target: target.into(),
            pictures: Default::default(),
            xs: vec![],
            ys: vec![],
        })
    }

    fn rebuild(
        &mut self,
        target: &str,
        method: OdeMethod,
        steps: usize,
        particles: usize,
    ) -> Result<(), Error> {
        let path = self.cmp.path();
        *self = Self::build(target, method, steps, particles, self.cmp.seed())?;
        self.cmp.set_path(path);
        Ok(())
    }

    fn ode(&self, which: u32) -> &OdeIntegrator {
        if which == 0 {
            self.cmp.fm()
        } else {
            self.cmp.pf()
        }
    }

    fn marginal(&self, which: u32) -> Result<GaussianMixture, Error> {
        let tau = self.cmp.tau();
        if which == 0 {
            crate::flow::CondOtVelocity::new(self.cmp.data()).marginal(tau)
        } else {
            crate::flow::VpProbabilityFlow::standard(self.cmp.data()).marginal(tau)
        }
    }
}

#[wasm_bindgen]
impl FlowPathsWidget {
    /// Both flows on the data `target` (`ring8`, `two-modes`, `shifted-gaussian`, `gaussian`),
    /// integrated by `method` (`euler`, `midpoint`, `heun`) in `steps` ∈ [1, 10000] steps from
    /// `particles` ∈ [1, 20000] noise points drawn from `seed`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        target: &str,
        method: &str,
        steps: f64,
        particles: f64,
        seed: u32,
    ) -> Result<FlowPathsWidget, JsError> {
        let m = OdeMethod::from_name(method)?;
        Ok(Self::build(
            target,
            m,
            check_steps(steps)?,
            cloud_size(particles)?,
            seed as u64,
        )?)
    }

    /// Restarts both flows from the noise of `seed` (the references and the sweep too).
    pub fn reset(&mut self, seed: u32) -> Result<(), JsError> {
        let (t, m, s, p, path) = (
            self.target.clone(),
            self.cmp.method(),
            self.cmp.steps(),
            self.cmp.particles(),
            self.cmp.path(),
        );
        *self = Self::build(&t, m, s, p, seed as u64)?;
        self.cmp.set_path(path);
        Ok(())
    }

    /// Uses the simd128 field kernel (`true`, when compiled in) or the scalar one; both give
    /// bit-identical clouds.
    #[wasm_bindgen(js_name = setSimd)]
    pub fn set_simd(&mut self, on: bool) {
        self.cmp.set_path(if on {
            crate::kernel::KernelPath::best()
        } else {
            crate::kernel::KernelPath::Scalar
        });
    }

    /// The field kernel in use: `simd128` or `scalar`.
    #[wasm_bindgen(getter)]
    pub fn kernel(&self) -> String {
        self.cmp.path().name().into()
    }

    /// Changes the data (restarts).
    #[wasm_bindgen(js_name = setTarget)]
    pub fn set_target(&mut self, target: &str) -> Result<(), JsError> {
        let (m, s, p) = (self.cmp.method(), self.cmp.steps(), self.cmp.particles());
        Ok(self.rebuild(target, m, s, p)?)
    }

    /// Changes the integrator (restarts).
    #[wasm_bindgen(js_name = setMethod)]
    pub fn set_method(&mut self, method: &str) -> Result<(), JsError> {
        let m = OdeMethod::from_name(method)?;
        let (t, s, p) = (self.target.clone(), self.cmp.steps(), self.cmp.particles());
        Ok(self.rebuild(&t, m, s, p)?)
    }

    /// Changes the number of steps N ∈ [1, 10000] (restarts).
    #[wasm_bindgen(js_name = setSteps)]
    pub fn set_steps(&mut self, steps: f64) -> Result<(), JsError> {
        let s = check_steps(steps)?;
        let (t, m, p) = (self.target.clone(), self.cmp.method(), self.cmp.particles());
        Ok(self.rebuild(&t, m, s, p)?)
    }

    /// Changes the cloud size ∈ [1, 20000] (restarts).
    #[wasm_bindgen(js_name = setParticles)]
    pub fn set_particles(&mut self, n: f64) -> Result<(), JsError> {
        let p = cloud_size(n)?;
        let (t, m, s) = (self.target.clone(), self.cmp.method(), self.cmp.steps());
        Ok(self.rebuild(&t, m, s, p)?)
    }

    /// Advances both flows by `n` ∈ [0, 10000] steps (stops at τ = 1). Throws on divergence.
    pub fn step(&mut self, n: u32) -> Result<(), JsError> {
        if n > 10_000 {
            return Err(Error::invalid("n", "an integer in [0, 10000]", n).into());
        }
        for _ in 0..n {
            if !self.cmp.step()? {
                break;
            }
        }
        Ok(())
    }

    /// Runs the next integration of the quality sweep; false once it is complete.
    #[wasm_bindgen(js_name = sweepStep)]
    pub fn sweep_step(&mut self) -> Result<bool, JsError> {
        Ok(self.sweep.step()?)
    }

    /// The fraction of the sweep done.
    #[wasm_bindgen(getter, js_name = sweepProgress)]
    pub fn sweep_progress(&self) -> f64 {
        self.sweep.progress()
    }

    /// The sweep as rows [N, KL flow matching, KL probability flow] (NaN where not yet run).
    #[wasm_bindgen(js_name = sweepKl)]
    pub fn sweep_kl(&self) -> Vec<f64> {
        SWEEP_STEPS
            .iter()
            .zip(self.sweep.kl())
            .flat_map(|(n, k)| [*n as f64, k[0], k[1]])
            .collect()
    }

    /// The histogram KL that exact samples of the sweep's size score (its floor).
    #[wasm_bindgen(getter, js_name = sweepFloor)]
    pub fn sweep_floor(&self) -> f64 {
        self.sweep.floor()
    }

    /// τ now.
    #[wasm_bindgen(getter)]
    pub fn tau(&self) -> f64 {
        self.cmp.tau()
    }

    /// Completed steps.
    #[wasm_bindgen(getter)]
    pub fn completed(&self) -> f64 {
        self.cmp.fm().completed() as f64
    }

    /// N.
    #[wasm_bindgen(getter)]
    pub fn steps(&self) -> f64 {
        self.cmp.steps() as f64
    }

    /// True once τ = 1.
    #[wasm_bindgen(getter)]
    pub fn finished(&self) -> bool {
        self.cmp.fm().finished()
    }

    /// The data preset.
    #[wasm_bindgen(getter)]
    pub fn target(&self) -> String {
        self.target.clone()
    }

    /// The method's name.
    #[wasm_bindgen(getter)]
    pub fn method(&self) -> String {
        self.cmp.method().name().into()
    }

    /// The cloud size.
    #[wasm_bindgen(getter)]
    pub fn particles(&self) -> f64 {
        self.cmp.particles() as f64
    }

    /// Diagnostics of flow `which` (0 flow matching, 1 probability flow): [kinetic energy K̂,
    /// transport cost mean‖x − x₀‖², straightness gap K̂ − cost, path length / chord, NFE].
    pub fn diagnostics(&self, which: u32) -> Vec<f64> {
        let o = self.ode(which);
        vec![
            o.kinetic_energy(),
            o.transport_cost(),
            o.straightness_gap(),
            o.length_over_chord(),
            o.nfe() as f64,
        ]
    }

    /// [W₂² exact (NaN unless one Gaussian), Gelbrich lower bound, OT cost of a 256-point batch,
    /// E‖x₁ − x₀‖² independent, flow-matching K exact (NaN unless one Gaussian), pair cost
    /// independent, pair cost OT].
    pub fn references(&self) -> Vec<f64> {
        let r = &self.refs;
        vec![
            r.w2_exact.unwrap_or(f64::NAN),
            r.gelbrich,
            r.ot_batch_cost,
            r.independent_cost,
            r.fm_kinetic_exact.unwrap_or(f64::NAN),
            r.pair_costs[0],
            r.pair_costs[1],
        ]
    }

    /// The cloud's moments beside the exact marginal's, flow `which`: [mean x, mean y, cov xx,
    /// xy, yy] of the cloud, then the same of p_τ.
    pub fn moments(&self, which: u32) -> Result<Vec<f64>, JsError> {
        let m = moments(self.ode(which).particles());
        let p = self.marginal(which)?;
        let (em, ec) = (p.mean(), p.covariance());
        Ok(vec![
            m.mean[0], m.mean[1], m.cov[0], m.cov[1], m.cov[2], em[0], em[1], ec[0], ec[1], ec[2],
        ])
    }

    /// The cloud of flow `which` (a copy; x then y).
    pub fn positions(&self, which: u32) -> Vec<f32> {
        let p = self.ode(which).particles();
        p.xs.iter().chain(&p.ys).copied().collect()
    }

    /// Draws flow `which`: the exact density of its marginal at τ, the recorded paths so far and
    /// the cloud.
    #[wasm_bindgen(js_name = drawFlow)]
    pub fn draw_flow(
        &mut self,
        canvas: &HtmlCanvasElement,
        which: u32,
        dpr: f64,
        dark: bool,
    ) -> Result<(), JsError> {
        let dpr = clamp_dpr(dpr);
        let which = which.min(1);
        let p = self.marginal(which)?;
        let (rect, view) = layout(canvas, flow_view(self.cmp.data()), dpr);
        let vp = Viewport {
            data: view,
            width: rect.width as usize,
            height: rect.height as usize,
        };
        let pal = EbmPalette::for_theme(dark);
        let pic = &mut self.pictures[which as usize];
        pic.shade(&vp, |x| p.log_density(x), Shading::LogDensity, &pal);
        let ode = if which == 0 {
            self.cmp.fm()
        } else {
            self.cmp.pf()
        };
        let size = (1.5 * dpr).round().max(1.0) as usize;
        let colour = if which == 0 {
            pal.negative
        } else {
            pal.positive
        };
        pic.dots(&vp, &ode.particles().xs, &ode.particles().ys, size, colour);
        let (rec, done) = (ode.recorded(), ode.completed());
        let paths = ode.paths();
        self.xs.clear();
        self.ys.clear();
        let mut pts = Vec::with_capacity(done + 1);
        for i in 0..rec {
            pts.clear();
            for k in 0..=done {
                let o = (k * rec + i) * 2;
                pts.push([paths[o], paths[o + 1]]);
            }
            polyline_points(&vp, &pts, &mut self.xs, &mut self.ys);
        }
        let line = (1.0 * dpr).round().max(1.0) as usize;
        pic.dots(&vp, &self.xs, &self.ys, line, pal.marker);
        blit_with_axes(canvas, pic.rgba(), rect, view, dpr, dark)
    }

    /// Draws a minibatch of 64 noise points and 64 data points joined by the straight
    /// conditional paths of the independent coupling (i ↔ i) or of the exact OT assignment.
    #[wasm_bindgen(js_name = drawCoupling)]
    pub fn draw_coupling(
        &mut self,
        canvas: &HtmlCanvasElement,
        ot: bool,
        dpr: f64,
        dark: bool,
    ) -> Result<(), JsError> {
        let dpr = clamp_dpr(dpr);
        let data = self.cmp.data().clone();
        let (rect, view) = layout(canvas, flow_view(&data), dpr);
        let vp = Viewport {
            data: view,
            width: rect.width as usize,
            height: rect.height as usize,
        };
        let pal = EbmPalette::for_theme(dark);
        let pic = &mut self.pictures[2];
        pic.shade(&vp, |x| data.log_density(x), Shading::LogDensity, &pal);
        self.xs.clear();
        self.ys.clear();
        let pp = &self.refs.pair_points;
        for i in 0..PAIRS {
            let j = if ot { self.refs.ot_pairing[i] } else { i };
            segment_points(&vp, pp[i], pp[PAIRS + j], &mut self.xs, &mut self.ys);
        }
        let line = (1.0 * dpr).round().max(1.0) as usize;
        pic.dots(&vp, &self.xs, &self.ys, line, pal.contour);
        let r = 2.2 * dpr;
        for (k, q) in pp.iter().enumerate() {
            let c = if k < PAIRS { pal.marker } else { pal.negative };
            pic.ring(&vp, [q[0] as f64, q[1] as f64], r, 1.2 * dpr, c, k >= PAIRS);
        }
        blit_with_axes(canvas, pic.rgba(), rect, view, dpr, dark)
    }

    fn quality_series(&self) -> [Vec<(f64, f64)>; 3] {
        let kl = self.sweep.kl();
        let f = |k: usize| {
            SWEEP_STEPS
                .iter()
                .zip(kl)
                .map(|(n, v)| ((*n as f64).log2(), v[k]))
                .filter(|p| p.1.is_finite())
                .collect()
        };
        let floor = self.sweep.floor();
        [
            f(0),
            f(1),
            vec![
                (0.0, floor),
                ((*SWEEP_STEPS.last().unwrap() as f64).log2(), floor),
            ],
        ]
    }

    /// Draws the histogram KL to the data against log₂ N for both flows, with the floor.
    #[wasm_bindgen(js_name = drawQuality)]
    pub fn draw_quality(
        &self,
        canvas: &HtmlCanvasElement,
        dpr: f64,
        dark: bool,
    ) -> Result<(), JsError> {
        let pts = self.quality_series();
        let pal = palette(dark);
        let series = [
            Series {
                label: "",
                color: pal[2],
                points: &pts[2],
                width: 1.2,
            },
            Series {
                label: "",
                color: pal[1],
                points: &pts[0],
                width: 2.0,
            },
            Series {
                label: "",
                color: pal[0],
                points: &pts[1],
                width: 2.0,
            },
        ];
        let root = CanvasBackend::with_canvas_object(canvas.clone())
            .ok_or_else(|| JsError::new("plotters could not use the canvas"))?
            .into_drawing_area();
        draw_multi_chart(
            &root,
            &series,
            "log₂ N (steps)",
            "histogram KL to p",
            true,
            clamp_dpr(dpr),
            &ChartTheme::for_theme(dark),
        )
        .map_err(|e| JsError::new(&e))?;
        root.present()
            .map_err(|e| JsError::new(&format!("{e:?}")))?;
        Ok(())
    }

    /// The quality chart as SVG (`width` × `height` CSS px in [100, 4000] × [60, 4000]).
    #[wasm_bindgen(js_name = qualitySvg)]
    pub fn quality_svg(&self, width: u32, height: u32, dark: bool) -> Result<String, JsError> {
        if !(100..=4000).contains(&width) || !(60..=4000).contains(&height) {
            return Err(Error::invalid(
                "width, height",
                "pixels in [100, 4000] × [60, 4000]",
                format!("{width} × {height}"),
            )
            .into());
        }
        let pts = self.quality_series();
        let pal = palette(dark);
        let series = [
            Series {
                label: "exact samples",
                color: pal[2],
                points: &pts[2],
                width: 1.2,
            },
            Series {
                label: "flow matching",
                color: pal[1],
                points: &pts[0],
                width: 2.0,
            },
            Series {
                label: "probability flow",
                color: pal[0],
                points: &pts[1],
                width: 2.0,
            },
        ];
        multi_chart_svg(
            &series,
            "log2 N (steps)",
            "histogram KL to p",
            true,
            (width, height),
            dark,
        )
        .map_err(|e| JsError::new(&e))
    }
}
