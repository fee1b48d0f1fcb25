//! `SdeThermoWidget`: the handle behind `<sb-sde-thermo>` (entropy production of a harmonic trap
//! against the thermodynamic speed limit; Ito 2024 eqs. 4–6 and 21–23, `sde::thermodynamics`).
//!
//! A Brownian particle (mobility μ, temperature T, D = μT) in the trap F = −k(x − λ(t)) starts
//! at P₀ = N(0, s₀²), and the trap centre moves a distance L in time τ by one of three protocols:
//! `relaxation` (λ jumps to L at t = 0 and stays), `ramp` (λ = L t/τ) and `geodesic`
//! (λ = L t/τ + (L/τ)/(μk), so that the mean moves at constant speed). All three are computed
//! together in closed form; each has its own end law P_τ and so its own bound W₂(P₀, P_τ)²/(μTτ)
//! on Σ_τ, reached by the geodesic when s₀² = T/k (the width then never changes). JS moves a
//! cursor t over [0, τ] (`step`) and reads the rates at the cursor.

use super::sde_common::dpr_ok;
use crate::chart::ChartTheme;
use crate::chart_multi::{draw_multi_chart_at, multi_chart_svg_at, palette, Series};
use crate::error::{check_range, Error};
use crate::sde::thermodynamics::{Protocol, TrapProcess};
use plotters::prelude::{IntoDrawingArea, SeriesLabelPosition};
use plotters_canvas::CanvasBackend;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

/// Cursor positions over [0, τ].
const FRAMES: u32 = 240;
/// Points of each curve.
const POINTS: usize = 241;
/// The protocols, in display order.
const NAMES: [&str; 3] = ["relaxation", "ramp", "geodesic"];

/// The three protocols of one setting.
#[wasm_bindgen]
pub struct SdeThermoWidget {
    procs: [TrapProcess; 3],
    frame: u32,
}

fn build(
    mobility: f64,
    temperature: f64,
    stiffness: f64,
    s0: f64,
    distance: f64,
    duration: f64,
) -> Result<[TrapProcess; 3], Error> {
    check_range("distance", distance, -100.0, 100.0, false)?;
    let mk = |p| TrapProcess::new(mobility, temperature, stiffness, 0.0, s0, duration, p);
    Ok([
        mk(Protocol::Fixed { centre: distance })?,
        mk(Protocol::Ramp { distance })?,
        mk(Protocol::Geodesic { distance })?,
    ])
}

#[wasm_bindgen]
impl SdeThermoWidget {
    /// μ, T, k ∈ (0, 100], start sd s₀ ∈ (0, 100], distance L ∈ [−100, 100], duration τ ∈ (0, 1000].
    #[wasm_bindgen(constructor)]
    pub fn new(
        mobility: f64,
        temperature: f64,
        stiffness: f64,
        s0: f64,
        distance: f64,
        duration: f64,
    ) -> Result<SdeThermoWidget, JsError> {
        Ok(SdeThermoWidget {
            procs: build(mobility, temperature, stiffness, s0, distance, duration)?,
            frame: 0,
        })
    }

    /// Changes the setting (all validated before anything changes); the cursor returns to 0.
    #[wasm_bindgen(js_name = setParams)]
    pub fn set_params(
        &mut self,
        mobility: f64,
        temperature: f64,
        stiffness: f64,
        s0: f64,
        distance: f64,
        duration: f64,
    ) -> Result<(), JsError> {
        self.procs = build(mobility, temperature, stiffness, s0, distance, duration)?;
        self.frame = 0;
        Ok(())
    }

    /// Returns the cursor to t = 0.
    pub fn reset(&mut self) {
        self.frame = 0;
    }

    /// Moves the cursor `k` ∈ [0, 100 000] of 240 frames forward (stops at τ).
    pub fn step(&mut self, k: u32) -> Result<(), JsError> {
        if k > 100_000 {
            return Err(Error::invalid("k", "an integer in [0, 100000]", k).into());
        }
        self.frame = (self.frame + k).min(FRAMES);
        Ok(())
    }

    /// Frames advanced.
    #[wasm_bindgen(getter)]
    pub fn steps(&self) -> f64 {
        self.frame as f64
    }

    /// True once the cursor is at τ.
    #[wasm_bindgen(getter)]
    pub fn finished(&self) -> bool {
        self.frame == FRAMES
    }

    /// The cursor time t.
    #[wasm_bindgen(getter)]
    pub fn time(&self) -> f64 {
        self.procs[0].duration * self.frame as f64 / FRAMES as f64
    }

    /// τ.
    #[wasm_bindgen(getter)]
    pub fn duration(&self) -> f64 {
        self.procs[0].duration
    }

    /// Per protocol (relaxation, ramp, geodesic): [Σ_τ, W₂(P₀, P_τ)²/(μTτ), m_τ, s_τ].
    pub fn totals(&self) -> Vec<f64> {
        self.procs
            .iter()
            .flat_map(|p| {
                let (m, s) = (p.mean(p.duration).0, p.sd(p.duration).0);
                [p.entropy_production(), p.speed_limit_bound(), m, s]
            })
            .collect()
    }

    /// Per protocol at the cursor: [σ_t, σ_t by quadrature of ∫ν²P/(μT), −Q̇/T, Ṡ, v_t²/(μT),
    /// λ(t), m_t, s_t, KL(P_t ‖ N(λ(t), T/k))].
    pub fn rates(&self) -> Vec<f64> {
        let t = self.time();
        self.procs
            .iter()
            .flat_map(|p| {
                [
                    p.entropy_production_rate(t),
                    p.entropy_production_rate_quadrature(t),
                    p.bath_entropy_rate(t),
                    p.system_entropy_rate(t),
                    p.wasserstein_speed_sq(t) / p.diffusion(),
                    p.centre(t),
                    p.mean(t).0,
                    p.sd(t).0,
                    p.kl_to_equilibrium(t),
                ]
            })
            .collect()
    }

    /// The protocol names.
    pub fn names(&self) -> Vec<String> {
        NAMES.iter().map(|s| s.to_string()).collect()
    }

    fn rate_curves(&self) -> Vec<Vec<(f64, f64)>> {
        let tau = self.procs[0].duration;
        let ts: Vec<f64> = (0..POINTS)
            .map(|i| tau * i as f64 / (POINTS - 1) as f64)
            .collect();
        let mut c: Vec<Vec<(f64, f64)>> = self
            .procs
            .iter()
            .map(|p| {
                ts.iter()
                    .map(|&t| (t, p.entropy_production_rate(t)))
                    .collect()
            })
            .collect();
        // the geodesic's constant rate W₂²/(μTτ²), and the cursor
        let g = self.procs[2].speed_limit_bound() / tau;
        c.push(vec![(0.0, g), (tau, g)]);
        let top = c
            .iter()
            .take(3)
            .flatten()
            .map(|p| p.1)
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max);
        let t = self.time();
        c.push(vec![(t, 0.0), (t, top)]);
        c
    }

    fn rate_series<'a>(c: &'a [Vec<(f64, f64)>], dark: bool, legend: bool) -> Vec<Series<'a>> {
        let pal = palette(dark);
        let theme = ChartTheme::for_theme(dark);
        let l = |s: &'a str| if legend { s } else { "" };
        vec![
            Series {
                label: "",
                color: theme.reference,
                points: &c[4],
                width: 1.0,
            },
            Series {
                label: l("W₂²/(μTτ²)"),
                color: theme.reference,
                points: &c[3],
                width: 1.5,
            },
            Series {
                label: l("relaxation"),
                color: pal[1],
                points: &c[0],
                width: 2.0,
            },
            Series {
                label: l("ramp"),
                color: pal[2],
                points: &c[1],
                width: 2.0,
            },
            Series {
                label: l("geodesic"),
                color: pal[0],
                points: &c[2],
                width: 2.0,
            },
        ]
    }

    /// The entropy-production rate σ_t of each protocol against t.
    #[wasm_bindgen(js_name = drawRates)]
    pub fn draw_rates(
        &self,
        canvas: &HtmlCanvasElement,
        dpr: f64,
        dark: bool,
    ) -> Result<(), JsError> {
        let root = CanvasBackend::with_canvas_object(canvas.clone())
            .ok_or_else(|| JsError::new("plotters could not use the canvas"))?
            .into_drawing_area();
        let c = self.rate_curves();
        let s = Self::rate_series(&c, dark, false);
        draw_multi_chart_at(
            &root,
            &s,
            "t",
            "σ_t",
            false,
            dpr_ok(dpr),
            &ChartTheme::for_theme(dark),
            SeriesLabelPosition::UpperRight,
        )
        .map_err(|e| JsError::new(&e))?;
        root.present()
            .map_err(|e| JsError::new(&format!("{e:?}")))?;
        Ok(())
    }

    /// The rate chart as SVG.
    #[wasm_bindgen(js_name = ratesSvg)]
    pub fn rates_svg(&self, width: u32, height: u32, dark: bool) -> Result<String, JsError> {
        let c = self.rate_curves();
        let s = Self::rate_series(&c, dark, true);
        multi_chart_svg_at(
            &s,
            "t",
            "σ_t",
            false,
            (width.clamp(100, 4000), height.clamp(80, 4000)),
            dark,
            SeriesLabelPosition::UpperRight,
        )
        .map_err(|e| JsError::new(&e))
    }

    fn density_curves(&self) -> Vec<Vec<(f64, f64)>> {
        let t = self.time();
        let p0 = &self.procs[0];
        let l = match p0.protocol {
            Protocol::Fixed { centre } => centre,
            _ => 0.0,
        };
        let sd_max = self
            .procs
            .iter()
            .map(|p| p.sd(t).0.max(p.s0))
            .fold(0.0, f64::max);
        let (lo, hi) = (l.min(0.0) - 4.0 * sd_max, l.max(0.0) + 4.0 * sd_max);
        let gauss = |m: f64, s: f64| -> Vec<(f64, f64)> {
            (0..POINTS)
                .map(|i| {
                    let x = lo + (hi - lo) * i as f64 / (POINTS - 1) as f64;
                    (
                        x,
                        (-(x - m).powi(2) / (2.0 * s * s)).exp()
                            / (2.0 * std::f64::consts::PI * s * s).sqrt(),
                    )
                })
                .collect()
        };
        let mut c: Vec<Vec<(f64, f64)>> = self
            .procs
            .iter()
            .map(|p| gauss(p.mean(t).0, p.sd(t).0))
            .collect();
        c.push(gauss(0.0, p0.s0));
        c
    }

    /// P_t of each protocol at the cursor, with P₀ (grey).
    #[wasm_bindgen(js_name = drawDensities)]
    pub fn draw_densities(
        &self,
        canvas: &HtmlCanvasElement,
        dpr: f64,
        dark: bool,
    ) -> Result<(), JsError> {
        let root = CanvasBackend::with_canvas_object(canvas.clone())
            .ok_or_else(|| JsError::new("plotters could not use the canvas"))?
            .into_drawing_area();
        let c = self.density_curves();
        let pal = palette(dark);
        let theme = ChartTheme::for_theme(dark);
        let s = [
            Series {
                label: "",
                color: theme.reference,
                points: &c[3],
                width: 1.5,
            },
            Series {
                label: "",
                color: pal[1],
                points: &c[0],
                width: 2.0,
            },
            Series {
                label: "",
                color: pal[2],
                points: &c[1],
                width: 2.0,
            },
            Series {
                label: "",
                color: pal[0],
                points: &c[2],
                width: 2.0,
            },
        ];
        draw_multi_chart_at(
            &root,
            &s,
            "x",
            "P_t(x)",
            false,
            dpr_ok(dpr),
            &theme,
            SeriesLabelPosition::UpperRight,
        )
        .map_err(|e| JsError::new(&e))?;
        root.present()
            .map_err(|e| JsError::new(&format!("{e:?}")))?;
        Ok(())
    }

    /// σ_t curves as flat rows [t, σ relaxation, σ ramp, σ geodesic].
    pub fn curves(&self) -> Vec<f64> {
        let c = self.rate_curves();
        (0..POINTS)
            .flat_map(|i| [c[0][i].0, c[0][i].1, c[1][i].1, c[2][i].1])
            .collect()
    }
}
