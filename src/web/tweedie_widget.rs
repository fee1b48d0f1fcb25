//! `TweedieWidget`: the handle behind `<sb-tweedie>`.
//!
//! Clean samples x of a 2D mixture, noisy points x̃ = x + σz, and two denoisers that must agree:
//! Tweedie's formula x̃ + σ²∇log p_σ(x̃) and the mixture posterior's mean (a separate closed form).
//! Each step adds samples, so the Monte Carlo mean squared errors, with their standard errors,
//! converge on the exact MMSE (quadrature) and on E‖σz‖² = 2σ² for the noisy points.

use super::draw::{blit_with_axes, context, layout};
use crate::chart::ChartTheme;
use crate::error::{check_range, Error};
use crate::mixture::GaussianMixture;
use crate::presets::preset;
use crate::score::picture::shade;
use crate::score::tweedie::{exact_mmse, TweedieDenoising, MAX_SAMPLES};
use crate::viewport::Viewport;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

/// Samples added per step.
const BATCH: usize = 200;
/// Points drawn per cloud, and arrows drawn.
const DRAWN: usize = 1500;
const ARROWS: usize = 250;

/// The Tweedie denoising experiment.
#[wasm_bindgen]
pub struct TweedieWidget {
    run: TweedieDenoising,
    name: String,
    initial: usize,
    mmse: f64,
    layers: u32,
    view: [f64; 4],
    base: Vec<u8>,
    key: Option<(u32, u32, bool, u64)>,
    version: u64,
}

fn target(name: &str) -> Result<GaussianMixture, Error> {
    preset(name)
}

fn dpr_ok(dpr: f64) -> f64 {
    if dpr.is_finite() && dpr > 0.0 {
        dpr.clamp(0.5, 4.0)
    } else {
        1.0
    }
}

#[wasm_bindgen]
impl TweedieWidget {
    /// A preset target (`ring8`, `gaussian`, `two-modes`), noise level σ ∈ [0.01, 10], `samples`
    /// ∈ [10, 100 000] to start with, drawn from `seed`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        target_name: &str,
        sigma: f64,
        samples: f64,
        seed: u32,
    ) -> Result<TweedieWidget, JsError> {
        check_range("samples", samples, 10.0, 100_000.0, false)?;
        check_range("sigma", sigma, 0.01, 10.0, false)?;
        let p = target(target_name)?;
        let view = p.view_box();
        let run = TweedieDenoising::new(p, sigma, samples as usize, seed)?;
        let mmse = exact_mmse(run.target(), sigma)?;
        Ok(TweedieWidget {
            run,
            name: target_name.into(),
            initial: samples as usize,
            mmse,
            layers: 0b1111,
            view,
            base: vec![],
            key: None,
            version: 0,
        })
    }

    /// Adds `n` ∈ [1, 1000] batches of 200 samples (stops at 200 000 samples; returns false then).
    pub fn step(&mut self, n: f64) -> Result<bool, JsError> {
        check_range("steps", n, 1.0, 1000.0, false)?;
        let room = MAX_SAMPLES - self.run.len();
        let m = (n as usize * BATCH).min(room);
        self.run.add(m)?;
        Ok(self.run.len() < MAX_SAMPLES)
    }

    /// A new run from `seed` with the initial number of samples.
    pub fn reset(&mut self, seed: u32) -> Result<(), JsError> {
        self.run = TweedieDenoising::new(
            self.run.target().clone(),
            self.run.sigma(),
            self.initial,
            seed,
        )?;
        Ok(())
    }

    /// A new noise level (the same clean points and noise draws).
    #[wasm_bindgen(js_name = setSigma)]
    pub fn set_sigma(&mut self, sigma: f64) -> Result<(), JsError> {
        check_range("sigma", sigma, 0.01, 10.0, false)?;
        self.mmse = exact_mmse(self.run.target(), sigma)?;
        self.run.set_sigma(sigma)?;
        Ok(())
    }

    /// A new target (a new run from `seed`).
    #[wasm_bindgen(js_name = setTarget)]
    pub fn set_target(&mut self, name: &str, seed: u32) -> Result<(), JsError> {
        let p = target(name)?;
        self.view = p.view_box();
        self.mmse = exact_mmse(&p, self.run.sigma())?;
        self.run = TweedieDenoising::new(p, self.run.sigma(), self.initial, seed)?;
        self.name = name.into();
        self.version += 1;
        Ok(())
    }

    /// The number of samples to start a run with, ∈ [10, 100 000] (a new run from `seed`).
    #[wasm_bindgen(js_name = setSamples)]
    pub fn set_samples(&mut self, samples: f64, seed: u32) -> Result<(), JsError> {
        check_range("samples", samples, 10.0, 100_000.0, false)?;
        self.initial = samples as usize;
        self.reset(seed)
    }

    /// Which layers to draw: bit 0 clean, 1 noisy, 2 denoised, 3 arrows.
    #[wasm_bindgen(js_name = setLayers)]
    pub fn set_layers(&mut self, mask: u32) {
        self.layers = mask & 0b1111;
    }

    /// The target's name.
    #[wasm_bindgen(getter)]
    pub fn target(&self) -> String {
        self.name.clone()
    }
    /// σ.
    #[wasm_bindgen(getter)]
    pub fn sigma(&self) -> f64 {
        self.run.sigma()
    }
    /// Samples so far.
    #[wasm_bindgen(getter)]
    pub fn samples(&self) -> f64 {
        self.run.len() as f64
    }
    /// Steps since the reset (batches added).
    #[wasm_bindgen(getter)]
    pub fn steps(&self) -> f64 {
        ((self.run.len() - self.initial.min(self.run.len())) / BATCH) as f64
    }
    /// max ‖Tweedie − posterior mean‖ over the samples.
    #[wasm_bindgen(js_name = maxRouteDifference)]
    pub fn max_route_difference(&self) -> f64 {
        self.run.stats().max_route_difference
    }
    /// [mean ‖x̂ − x‖², standard error] of the Tweedie denoiser.
    #[wasm_bindgen(js_name = mseTweedie)]
    pub fn mse_tweedie(&self) -> Vec<f64> {
        let s = self.run.stats().mse_tweedie;
        vec![s.0, s.1]
    }
    /// [mean ‖x̃ − x‖², standard error] of the noisy points.
    #[wasm_bindgen(js_name = mseNoisy)]
    pub fn mse_noisy(&self) -> Vec<f64> {
        let s = self.run.stats().mse_noisy;
        vec![s.0, s.1]
    }
    /// The exact MMSE ∫ p_σ tr Cov(x | x̃) by quadrature.
    pub fn mmse(&self) -> f64 {
        self.mmse
    }
    /// The noisy points' exact MSE, E‖σz‖² = 2σ².
    #[wasm_bindgen(js_name = noisyExact)]
    pub fn noisy_exact(&self) -> f64 {
        2.0 * self.run.sigma() * self.run.sigma()
    }
    /// Point `i`: [x, y, x̃, ỹ, Tweedie x, Tweedie y, posterior x, posterior y].
    pub fn point(&self, i: usize) -> Vec<f64> {
        let r = &self.run;
        if i >= r.len() {
            return vec![];
        }
        [r.clean[i], r.noisy[i], r.tweedie[i], r.posterior[i]]
            .iter()
            .flatten()
            .copied()
            .collect()
    }

    /// Draws p's density, the clouds and the denoising arrows.
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
        let key = (rect.width, rect.height, dark, self.version);
        if self.key != Some(key) {
            let (bg, full) = if dark {
                ([17, 24, 39], [36, 60, 100])
            } else {
                ([255, 255, 255], [190, 208, 235])
            };
            let p = self.run.target();
            shade(|x| p.density(x), &vp, bg, full, 4, &mut self.base);
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
        let r = &self.run;
        let n = r.len().min(DRAWN);
        let theme = ChartTheme::for_theme(dark);
        let dot = |pts: &[[f64; 2]], col: &str, size: f64| {
            ctx.set_fill_style_str(col);
            for x in &pts[..n] {
                let (px, py) = to_px(*x);
                ctx.fill_rect(px - size / 2.0, py - size / 2.0, size, size);
            }
        };
        if self.layers & 2 != 0 {
            dot(
                &r.noisy,
                if dark {
                    "rgba(200,200,210,0.55)"
                } else {
                    "rgba(110,110,120,0.55)"
                },
                2.5 * dpr,
            );
        }
        if self.layers & 8 != 0 {
            ctx.set_stroke_style_str(if dark {
                "rgba(255,255,255,0.35)"
            } else {
                "rgba(0,0,0,0.3)"
            });
            ctx.set_line_width(0.8 * dpr);
            ctx.begin_path();
            for i in 0..r.len().min(ARROWS) {
                let (a, b) = (to_px(r.noisy[i]), to_px(r.tweedie[i]));
                ctx.move_to(a.0, a.1);
                ctx.line_to(b.0, b.1);
            }
            ctx.stroke();
        }
        if self.layers & 1 != 0 {
            dot(
                &r.clean,
                if dark {
                    "rgb(110,170,255)"
                } else {
                    "rgb(30,90,200)"
                },
                2.5 * dpr,
            );
        }
        if self.layers & 4 != 0 {
            dot(
                &r.tweedie,
                if dark {
                    "rgb(255,170,60)"
                } else {
                    "rgb(215,90,10)"
                },
                3.0 * dpr,
            );
            // the posterior means as rings on top: they coincide with the Tweedie points
            ctx.set_stroke_style_str(&format!(
                "rgb({},{},{})",
                theme.fg.0, theme.fg.1, theme.fg.2
            ));
            ctx.set_line_width(0.8 * dpr);
            for x in &r.posterior[..n.min(ARROWS)] {
                let (px, py) = to_px(*x);
                ctx.begin_path();
                let _ = ctx.arc(px, py, 3.0 * dpr, 0.0, std::f64::consts::TAU);
                ctx.stroke();
            }
        }
        ctx.restore();
        Ok(())
    }
}
