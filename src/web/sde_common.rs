//! Shared pieces of the section-6 widget handles (`<sb-sde-fp>`, `<sb-sde-reverse>`,
//! `<sb-sde-solvers>`): the named SDEs and data laws, the sample-quality readout against the
//! exact mixture, and trajectory polylines drawn over a blitted cloud.
//!
//! Quality of a cloud against an exact law p (a Gaussian mixture): the plug-in histogram
//! KL(p̂ ‖ p) on a 32 × 32 grid over p's view box (plus the outside cell) beside its expectation for
//! N exact i.i.d. samples (the estimator's floor, `histogram_kl`), the distance |m̂ − m| of the
//! sample mean and the Frobenius distance ‖Ĉ − C‖_F of the sample covariance to p's exact moments.

use super::draw::context;
use crate::chart::PlotRect;
use crate::error::Error;
use crate::histogram_kl::HistogramKl;
use crate::mixture::GaussianMixture;
use crate::particles::Particles;
use crate::presets::preset;
use crate::sde::Sde;
use crate::stats::moments;
use crate::viewport::Viewport;
use wasm_bindgen::JsError;
use web_sys::HtmlCanvasElement;

/// Cells per side of the quality histogram.
pub const QUALITY_BINS: usize = 32;

/// A device-pixel ratio clamped to [0.5, 4] (1 when not finite).
pub fn dpr_ok(dpr: f64) -> f64 {
    if dpr.is_finite() && dpr > 0.0 {
        dpr.clamp(0.5, 4.0)
    } else {
        1.0
    }
}

/// The data laws of the section: the shared presets.
pub fn data_by_name(name: &str) -> Result<GaussianMixture, Error> {
    preset(name)
}

/// The SDE names the widgets accept.
pub const SDE_NAMES: &str = "vp, sub-vp, ve, ou";

/// The named SDEs: `vp` and `sub-vp` with β from 0.1 to 20 (Song et al. 2021), `ve` with σ from
/// 0.01 to `sigma_max`, `ou` dx = −x dt + √2 dW on [0, 5] (the curriculum's V-13: stationary law
/// N(0, I), p₅ within e^{−5} of it).
pub fn sde_by_name(name: &str, sigma_max: f64) -> Result<Sde, Error> {
    match name {
        "vp" => Sde::vp(0.1, 20.0),
        "sub-vp" => Sde::sub_vp(0.1, 20.0),
        "ve" => Sde::ve(0.01, sigma_max),
        "ou" => Sde::ou(1.0, std::f64::consts::SQRT_2, 5.0),
        other => Err(Error::invalid(
            "sde",
            format!("one of {SDE_NAMES}"),
            format!("{other:?}"),
        )),
    }
}

/// A cloud's quality against an exact law.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quality {
    /// Plug-in KL(p̂ ‖ p) on the grid (nats).
    pub kl: f64,
    /// Its expectation for N exact samples.
    pub kl_floor: f64,
    /// |m̂ − m|.
    pub mean_error: f64,
    /// ‖Ĉ − C‖_F (with the off-diagonal counted twice).
    pub cov_error: f64,
}

impl Quality {
    /// Flat [kl, floor, mean error, cov error].
    pub fn to_vec(self) -> Vec<f64> {
        vec![self.kl, self.kl_floor, self.mean_error, self.cov_error]
    }
}

/// The quality readout of `cloud` against `p`, with the histogram `hist` built for p.
pub fn quality(p: &GaussianMixture, hist: &mut HistogramKl, cloud: &Particles) -> Quality {
    let m = moments(cloud);
    let (em, ec) = (p.mean(), p.covariance());
    let d = [m.cov[0] - ec[0], m.cov[1] - ec[1], m.cov[2] - ec[2]];
    Quality {
        kl: hist.kl(cloud),
        kl_floor: hist.floor(cloud.len()),
        mean_error: ((m.mean[0] - em[0]).powi(2) + (m.mean[1] - em[1]).powi(2)).sqrt(),
        cov_error: (d[0] * d[0] + 2.0 * d[1] * d[1] + d[2] * d[2]).sqrt(),
    }
}

/// The quality histogram of p on its own view box.
pub fn quality_histogram(p: &GaussianMixture) -> HistogramKl {
    HistogramKl::new(p, p.view_box(), QUALITY_BINS)
}

/// Draws recorded paths (snapshot-major points of `tracked` particles, as in
/// `sde::trajectories`) as polylines over the plot rectangle `rect` of `view`. Points outside
/// the view are clipped by the canvas; non-finite points break the line.
#[allow(clippy::too_many_arguments)]
pub fn draw_paths(
    canvas: &HtmlCanvasElement,
    rect: PlotRect,
    view: [f64; 4],
    points: &[f32],
    tracked: usize,
    colour: &str,
    width: f64,
) -> Result<(), JsError> {
    if tracked == 0 {
        return Ok(());
    }
    let ctx = context(canvas)?;
    let vp = Viewport {
        data: view,
        width: rect.width as usize,
        height: rect.height as usize,
    };
    let snaps = points.len() / (2 * tracked);
    ctx.save();
    ctx.begin_path();
    ctx.rect(
        rect.left as f64,
        rect.top as f64,
        rect.width as f64,
        rect.height as f64,
    );
    ctx.clip();
    ctx.set_stroke_style_str(colour);
    ctx.set_line_width(width);
    ctx.set_line_join("round");
    for i in 0..tracked {
        ctx.begin_path();
        let mut pen = false;
        for k in 0..snaps {
            let (x, y) = (
                points[2 * (k * tracked + i)],
                points[2 * (k * tracked + i) + 1],
            );
            if !(x.is_finite() && y.is_finite()) {
                pen = false;
                continue;
            }
            let (px, py) = vp.to_pixel(x as f64, y as f64);
            let (px, py) = (px + rect.left as f64, py + rect.top as f64);
            if pen {
                ctx.line_to(px, py);
            } else {
                ctx.move_to(px, py);
                pen = true;
            }
        }
        ctx.stroke();
    }
    ctx.restore();
    Ok(())
}
