//! `ScoreFieldWidget`: the handle behind `<sb-score-field>`.
//!
//! The exact score ∇log p_σ of a 2D Gaussian mixture (or of data on a circle) smoothed by
//! N(0, σ²I), drawn as arrows over the density, with tracers that follow the gradient flow, the
//! critical points of the field, and readouts at a probe point: the density, the score, and the
//! line integral of the score from a reference point against the exact log-density difference.
//! JS calls `step(n)` per frame (the tracers), `draw`, and the getters for the readouts.

use super::draw::{blit_with_axes, context, layout};
use crate::chart::ChartTheme;
use crate::error::{check_range, Error};
use crate::gaussian::Gaussian2;
use crate::mixture::GaussianMixture;
use crate::presets::{preset, PRESET_NAMES};
use crate::score::field::{
    critical_points, line_integral, line_integral_cells, smallest_scale, CriticalKind,
    CriticalPoint,
};
use crate::score::flow::ScoreFlow;
use crate::score::picture::{arrow_grid, shade};
use crate::score::ring::SmoothedRing;
use crate::viewport::Viewport;
use plotters::prelude::RGBColor;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

/// Radius of the circle the `circle` target's data lie on.
const CIRCLE_RADIUS: f64 = 3.0;

enum Field {
    Mixture {
        p: GaussianMixture,
        q: GaussianMixture,
        critical: Vec<CriticalPoint>,
    },
    Circle(SmoothedRing),
}

impl Field {
    fn score(&self, x: [f64; 2]) -> [f64; 2] {
        match self {
            Field::Mixture { q, .. } => q.score(x),
            Field::Circle(r) => r.score(x),
        }
    }
    /// The length scale on which the field varies: the smallest component sd, or σ for the circle.
    fn scale(&self) -> f64 {
        match self {
            Field::Mixture { q, .. } => smallest_scale(q),
            Field::Circle(r) => r.sigma(),
        }
    }
    fn log_density(&self, x: [f64; 2]) -> f64 {
        match self {
            Field::Mixture { q, .. } => q.log_density(x),
            Field::Circle(r) => r.log_density(x),
        }
    }
}

/// The exact score field of a smoothed target.
#[wasm_bindgen]
pub struct ScoreFieldWidget {
    name: String,
    field: Field,
    sigma: f64,
    view: [f64; 4],
    flow: ScoreFlow,
    tracers: usize,
    probe: [f64; 2],
    reference: [f64; 2],
    base: Vec<u8>,
    key: Option<(u32, u32, bool, u64)>,
    version: u64,
    seed: u32,
}

fn build_field(name: &str, means: Option<&[f64]>, sigma: f64) -> Result<(Field, [f64; 4]), Error> {
    if name == "circle" {
        check_range("sigma", sigma, 0.02, 3.0, false)?;
        let h = CIRCLE_RADIUS + 2.5;
        return Ok((
            Field::Circle(SmoothedRing::new(CIRCLE_RADIUS, sigma)?),
            [-h, h, -h, h],
        ));
    }
    check_range("sigma", sigma, 0.0, 3.0, false)?;
    let p = with_means(name, means)?;
    let q = p.noised(sigma)?;
    let view = p.view_box();
    let critical = critical_points(&q, view);
    Ok((Field::Mixture { p, q, critical }, view))
}

fn with_means(name: &str, means: Option<&[f64]>) -> Result<GaussianMixture, Error> {
    let p = preset(name).map_err(|_| {
        Error::invalid(
            "target",
            format!("one of {}, circle", PRESET_NAMES.join(", ")),
            format!("{name:?}"),
        )
    })?;
    let Some(m) = means else { return Ok(p) };
    if m.len() != 2 * p.len() {
        return Err(Error::invalid(
            "means",
            format!("{} numbers (x, y per component)", 2 * p.len()),
            m.len(),
        ));
    }
    let comps = p
        .components()
        .iter()
        .enumerate()
        .map(|(k, c)| {
            for v in [m[2 * k], m[2 * k + 1]] {
                check_range("mean", v, -50.0, 50.0, false)?;
            }
            let s = c.cov();
            Gaussian2::new([m[2 * k], m[2 * k + 1]], s[0], s[1], s[2])
        })
        .collect::<Result<Vec<_>, _>>()?;
    GaussianMixture::new(p.weights(), comps)
}

fn dpr_ok(dpr: f64) -> f64 {
    if dpr.is_finite() && dpr > 0.0 {
        dpr.clamp(0.5, 4.0)
    } else {
        1.0
    }
}

fn css(c: RGBColor) -> String {
    format!("rgb({},{},{})", c.0, c.1, c.2)
}

fn new_flow(view: [f64; 4], n: usize, seed: u32) -> Result<ScoreFlow, Error> {
    let size = view[1] - view[0];
    ScoreFlow::new(n, view, 0.05, 0.004 * size, seed)
}

#[wasm_bindgen]
impl ScoreFieldWidget {
    /// A target (`ring8`, `gaussian`, `two-modes`, or `circle`: data uniform on a circle of radius
    /// 3), optionally with moved component means [x₀, y₀, …] (mixtures), noise level σ ∈ [0, 3]
    /// (`circle`: [0.02, 3], since the raw circle has no density), `tracers` ∈ [0, 5000] flowing
    /// along the field, placed from `seed`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        target: &str,
        means: Option<Vec<f64>>,
        sigma: f64,
        tracers: f64,
        seed: u32,
    ) -> Result<ScoreFieldWidget, JsError> {
        check_range("tracers", tracers, 0.0, 5000.0, false)?;
        let (field, view) = build_field(target, means.as_deref(), sigma)?;
        let n = tracers as usize;
        let flow = new_flow(view, n.max(1), seed)?;
        let probe = [0.3 * view[0] + 0.7 * view[1], 0.5 * (view[2] + view[3])];
        let reference = [0.5 * (view[0] + view[1]), 0.4 * view[2] + 0.6 * view[3]];
        Ok(ScoreFieldWidget {
            name: target.into(),
            field,
            sigma,
            view,
            flow,
            tracers: n,
            probe,
            reference,
            base: vec![],
            key: None,
            version: 0,
            seed,
        })
    }

    /// The target's name.
    #[wasm_bindgen(getter)]
    pub fn target(&self) -> String {
        self.name.clone()
    }
    /// σ.
    #[wasm_bindgen(getter)]
    pub fn sigma(&self) -> f64 {
        self.sigma
    }
    /// Flow steps since the last reset.
    #[wasm_bindgen(getter)]
    pub fn steps(&self) -> f64 {
        self.flow.steps() as f64
    }

    /// A new noise level (the tracers continue).
    #[wasm_bindgen(js_name = setSigma)]
    pub fn set_sigma(&mut self, sigma: f64) -> Result<(), JsError> {
        let means = self.means();
        let m = if means.is_empty() { None } else { Some(means) };
        let (field, _) = build_field(&self.name, m.as_deref(), sigma)?;
        self.field = field;
        self.sigma = sigma;
        self.version += 1;
        Ok(())
    }

    /// A new target, with optional moved means (the view follows a new preset, not moved means;
    /// a new preset also places new tracers from the seed, as a reset does).
    #[wasm_bindgen(js_name = setTarget)]
    pub fn set_target(&mut self, target: &str, means: Option<Vec<f64>>) -> Result<(), JsError> {
        let sigma = if target == "circle" {
            self.sigma.max(0.02)
        } else {
            self.sigma
        };
        let (field, view) = build_field(target, means.as_deref(), sigma)?;
        if target != self.name {
            self.view = view;
            self.flow = new_flow(view, self.tracers.max(1), self.seed)?;
        }
        self.field = field;
        self.name = target.into();
        self.sigma = sigma;
        self.version += 1;
        Ok(())
    }

    /// The component means [x₀, y₀, …] (empty for `circle`).
    pub fn means(&self) -> Vec<f64> {
        match &self.field {
            Field::Mixture { p, .. } => p.components().iter().flat_map(|c| c.mean()).collect(),
            Field::Circle(_) => vec![],
        }
    }

    /// `n` ∈ [1, 1000] RK4 steps of the tracers along the field.
    pub fn step(&mut self, n: f64) -> Result<(), JsError> {
        check_range("steps", n, 1.0, 1000.0, false)?;
        for _ in 0..n as u64 {
            let f = &self.field;
            self.flow.step(|x| f.score(x));
        }
        Ok(())
    }

    /// New tracers from `seed`.
    pub fn reset(&mut self, seed: u32) -> Result<(), JsError> {
        self.flow = new_flow(self.view, self.tracers.max(1), seed)?;
        self.seed = seed;
        Ok(())
    }

    /// The probe point x (readouts are taken there).
    #[wasm_bindgen(js_name = setProbe)]
    pub fn set_probe(&mut self, x: f64, y: f64) -> Result<(), JsError> {
        check_range("probe x", x, -100.0, 100.0, false)?;
        check_range("probe y", y, -100.0, 100.0, false)?;
        self.probe = [x, y];
        Ok(())
    }
    /// The reference point x₀ of the line integral.
    #[wasm_bindgen(js_name = setReference)]
    pub fn set_reference(&mut self, x: f64, y: f64) -> Result<(), JsError> {
        check_range("reference x", x, -100.0, 100.0, false)?;
        check_range("reference y", y, -100.0, 100.0, false)?;
        self.reference = [x, y];
        Ok(())
    }
    /// [x, y] of the probe.
    pub fn probe(&self) -> Vec<f64> {
        self.probe.to_vec()
    }
    /// [x, y] of the reference point.
    pub fn reference(&self) -> Vec<f64> {
        self.reference.to_vec()
    }

    /// log p_σ at the probe.
    #[wasm_bindgen(js_name = logDensity)]
    pub fn log_density(&self) -> f64 {
        self.field.log_density(self.probe)
    }
    /// p_σ at the probe.
    pub fn density(&self) -> f64 {
        self.field.log_density(self.probe).exp()
    }
    /// ∇log p_σ at the probe, [sx, sy].
    pub fn score(&self) -> Vec<f64> {
        self.field.score(self.probe).to_vec()
    }
    /// ‖∇log p_σ‖ at the probe.
    #[wasm_bindgen(js_name = scoreNorm)]
    pub fn score_norm(&self) -> f64 {
        let s = self.field.score(self.probe);
        s[0].hypot(s[1])
    }
    /// |line integral − exact log-density difference|.
    #[wasm_bindgen(js_name = lineIntegralError)]
    pub fn line_integral_error(&self) -> Result<f64, JsError> {
        Ok((self.line_integral()? - self.log_density_difference()).abs())
    }
    /// ∫ s · dx along the segment from the reference point to the probe (8-point Gauss–Legendre
    /// on 64 to 10 000 cells, four per length scale of the field; see `line_integral_cells`).
    #[wasm_bindgen(js_name = lineIntegral)]
    pub fn line_integral(&self) -> Result<f64, JsError> {
        let f = &self.field;
        let len = (self.probe[0] - self.reference[0]).hypot(self.probe[1] - self.reference[1]);
        Ok(line_integral(
            |x| f.score(x),
            self.reference,
            self.probe,
            line_integral_cells(len, f.scale()),
        )?)
    }
    /// log p_σ(probe) − log p_σ(reference), exactly.
    #[wasm_bindgen(js_name = logDensityDifference)]
    pub fn log_density_difference(&self) -> f64 {
        self.field.log_density(self.probe) - self.field.log_density(self.reference)
    }
    /// Critical points of the mixture's field in view, flat [x, y, kind, …] with kind 0 mode,
    /// 1 saddle, 2 minimum (empty for `circle`, whose maxima form a whole circle).
    #[wasm_bindgen(js_name = criticalPoints)]
    pub fn critical_points(&self) -> Vec<f64> {
        match &self.field {
            Field::Mixture { critical, .. } => critical
                .iter()
                .flat_map(|c| {
                    [
                        c.x[0],
                        c.x[1],
                        match c.kind {
                            CriticalKind::Mode => 0.0,
                            CriticalKind::Saddle => 1.0,
                            CriticalKind::Minimum => 2.0,
                        },
                    ]
                })
                .collect(),
            Field::Circle(_) => vec![],
        }
    }
    /// `circle`: [the radial score at the probe, its near-circle approximation −(r − R)/σ² − 1/(2r),
    /// the distance r − R]; empty for mixtures.
    #[wasm_bindgen(js_name = normalScore)]
    pub fn normal_score(&self) -> Vec<f64> {
        match &self.field {
            Field::Circle(ring) => {
                let r = self.probe[0].hypot(self.probe[1]);
                let s2 = self.sigma * self.sigma;
                vec![
                    ring.radial_score(r),
                    -(r - CIRCLE_RADIUS) / s2 - 1.0 / (2.0 * r),
                    r - CIRCLE_RADIUS,
                ]
            }
            Field::Mixture { .. } => vec![],
        }
    }
    /// The tracers' mean of −log p_σ (non-increasing along the flow: a Lyapunov function).
    #[wasm_bindgen(js_name = tracerEnergy)]
    pub fn tracer_energy(&self) -> f64 {
        let n = self.flow.points.len().max(1) as f64;
        -self
            .flow
            .points
            .iter()
            .map(|x| self.field.log_density(*x))
            .sum::<f64>()
            / n
    }

    /// Draws the density, the arrows, the tracers, the critical points, the probe and the segment.
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
        let theme = ChartTheme::for_theme(dark);
        let key = (rect.width, rect.height, dark, self.version);
        if self.key != Some(key) {
            let (bg, full) = if dark {
                ([17, 24, 39], [40, 95, 180])
            } else {
                ([255, 255, 255], [120, 160, 220])
            };
            let f = &self.field;
            shade(|x| f.log_density(x).exp(), &vp, bg, full, 4, &mut self.base);
            self.key = Some(key);
        }
        blit_with_axes(canvas, &self.base, rect, view, dpr, dark)?;
        let ctx = context(canvas)?;
        let (l, t) = (rect.left as f64, rect.top as f64);
        let to_px = |x: [f64; 2]| {
            let (px, py) = vp.to_pixel(x[0], x[1]);
            (l + px, t + py)
        };
        ctx.save();
        ctx.begin_path();
        ctx.rect(l, t, rect.width as f64, rect.height as f64);
        ctx.clip();
        // arrows, coloured from dim (weak field) to strong (strong field)
        let f = &self.field;
        let arrows = arrow_grid(|x| f.score(x), &vp, 26.0 * dpr);
        let mut norms: Vec<f64> = arrows.iter().map(|a| a.norm).collect();
        norms.sort_by(|a, b| a.total_cmp(b));
        let top = norms
            .get(norms.len() * 9 / 10)
            .copied()
            .unwrap_or(1.0)
            .max(1e-12);
        let (weak, strong) = if dark {
            ([150, 160, 180], [255, 170, 60])
        } else {
            ([90, 100, 120], [200, 60, 20])
        };
        ctx.set_line_width(1.3 * dpr);
        for a in &arrows {
            let u = (a.norm / top).min(1.0);
            let c: Vec<u8> = (0..3)
                .map(|i| (weak[i] as f64 + (strong[i] as f64 - weak[i] as f64) * u) as u8)
                .collect();
            let col = format!("rgb({},{},{})", c[0], c[1], c[2]);
            ctx.set_stroke_style_str(&col);
            ctx.set_fill_style_str(&col);
            let (x0, y0) = (l + a.tail[0], t + a.tail[1]);
            let (x1, y1) = (x0 + a.delta[0], y0 + a.delta[1]);
            let len = a.delta[0].hypot(a.delta[1]);
            if len < 1.5 * dpr {
                ctx.begin_path();
                let _ = ctx.arc(x0, y0, 1.2 * dpr, 0.0, std::f64::consts::TAU);
                ctx.fill();
                continue;
            }
            ctx.begin_path();
            ctx.move_to(x0, y0);
            ctx.line_to(x1, y1);
            ctx.stroke();
            let (ux, uy) = (a.delta[0] / len, a.delta[1] / len);
            let hl = (0.35 * len).min(6.0 * dpr);
            ctx.begin_path();
            ctx.move_to(x1, y1);
            ctx.line_to(x1 - hl * (ux - 0.5 * uy), y1 - hl * (uy + 0.5 * ux));
            ctx.line_to(x1 - hl * (ux + 0.5 * uy), y1 - hl * (uy - 0.5 * ux));
            ctx.close_path();
            ctx.fill();
        }
        // tracers
        if self.tracers > 0 {
            ctx.set_fill_style_str(if dark {
                "rgba(255,255,255,0.85)"
            } else {
                "rgba(20,20,20,0.75)"
            });
            let r = 1.6 * dpr;
            for x in &self.flow.points {
                let (px, py) = to_px(*x);
                ctx.fill_rect(px - r, py - r, 2.0 * r, 2.0 * r);
            }
        }
        let fg = css(theme.fg);
        // critical points: modes filled circles, saddles crosses, minima hollow squares
        if let Field::Mixture { critical, p, .. } = &self.field {
            ctx.set_line_width(2.0 * dpr);
            for c in critical {
                let (px, py) = to_px(c.x);
                let r = 5.0 * dpr;
                match c.kind {
                    CriticalKind::Mode => {
                        ctx.set_fill_style_str("rgb(0,160,90)");
                        ctx.begin_path();
                        let _ = ctx.arc(px, py, r, 0.0, std::f64::consts::TAU);
                        ctx.fill();
                    }
                    CriticalKind::Saddle => {
                        ctx.set_stroke_style_str("rgb(160,40,160)");
                        ctx.begin_path();
                        ctx.move_to(px - r, py - r);
                        ctx.line_to(px + r, py + r);
                        ctx.move_to(px + r, py - r);
                        ctx.line_to(px - r, py + r);
                        ctx.stroke();
                    }
                    CriticalKind::Minimum => {
                        ctx.set_stroke_style_str("rgb(0,140,200)");
                        ctx.stroke_rect(px - r, py - r, 2.0 * r, 2.0 * r);
                    }
                }
            }
            // draggable handles on the component means
            ctx.set_stroke_style_str(&fg);
            ctx.set_line_width(1.5 * dpr);
            for comp in p.components() {
                let (px, py) = to_px(comp.mean());
                ctx.begin_path();
                let _ = ctx.arc(px, py, 8.0 * dpr, 0.0, std::f64::consts::TAU);
                ctx.stroke();
            }
        }
        // the data circle of the `circle` target (where the raw data live)
        if let Field::Circle(_) = &self.field {
            let (cx, cy) = to_px([0.0, 0.0]);
            ctx.set_stroke_style_str(&fg);
            ctx.set_line_width(1.0 * dpr);
            let _ = ctx.set_line_dash(&js_sys::Array::of2(
                &(2.0 * dpr).into(),
                &(4.0 * dpr).into(),
            ));
            ctx.begin_path();
            let _ = ctx.arc(
                cx,
                cy,
                CIRCLE_RADIUS * vp.scale_x(),
                0.0,
                std::f64::consts::TAU,
            );
            ctx.stroke();
            let _ = ctx.set_line_dash(&js_sys::Array::new());
        }
        // the segment from the reference point x₀ to the probe x
        let (ax, ay) = to_px(self.reference);
        let (bx, by) = to_px(self.probe);
        ctx.set_stroke_style_str(&fg);
        ctx.set_line_width(1.5 * dpr);
        let _ = ctx.set_line_dash(&js_sys::Array::of2(
            &(5.0 * dpr).into(),
            &(4.0 * dpr).into(),
        ));
        ctx.begin_path();
        ctx.move_to(ax, ay);
        ctx.line_to(bx, by);
        ctx.stroke();
        let _ = ctx.set_line_dash(&js_sys::Array::new());
        ctx.set_fill_style_str(&fg);
        ctx.begin_path();
        let _ = ctx.arc(ax, ay, 4.0 * dpr, 0.0, std::f64::consts::TAU);
        ctx.fill();
        ctx.begin_path();
        let _ = ctx.arc(bx, by, 6.0 * dpr, 0.0, std::f64::consts::TAU);
        ctx.stroke();
        ctx.restore();
        Ok(())
    }

    /// The data point under canvas pixel (`px`, `py`).
    #[wasm_bindgen(js_name = pixelToData)]
    pub fn pixel_to_data(
        &self,
        canvas: &HtmlCanvasElement,
        px: f64,
        py: f64,
        dpr: f64,
    ) -> Vec<f64> {
        let (rect, view) = layout(canvas, self.view, dpr_ok(dpr));
        crate::chart::pixel_to_data(rect, view, px, py).to_vec()
    }
}
