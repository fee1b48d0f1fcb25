//! The data sets of the flow-matching widgets: the notebook's presets plus one anisotropic
//! Gaussian, where W₂² and the flow's kinetic energy are closed form.
//!
//! * `ring8`, `two-modes`, `gaussian`: see [`crate::presets`];
//! * `shifted-gaussian`: N((1.5, −1), [[2, 0.8], [0.8, 0.5]]), non-isotropic and non-diagonal.

use crate::error::Error;
use crate::gaussian::Gaussian2;
use crate::mixture::GaussianMixture;
use crate::presets::preset;

/// The names accepted by [`flow_target`], in display order.
pub const FLOW_TARGETS: [&str; 4] = ["ring8", "two-modes", "shifted-gaussian", "gaussian"];

/// A target by name.
pub fn flow_target(name: &str) -> Result<GaussianMixture, Error> {
    match name {
        "shifted-gaussian" => {
            GaussianMixture::new(&[1.0], vec![Gaussian2::new([1.5, -1.0], 2.0, 0.8, 0.5)?])
        }
        "ring8" | "two-modes" | "gaussian" => preset(name),
        other => Err(Error::invalid(
            "target",
            format!("one of {}", FLOW_TARGETS.join(", ")),
            format!("{other:?}"),
        )),
    }
}

/// The single component when the target is one Gaussian.
pub fn single_gaussian(data: &GaussianMixture) -> Option<([f64; 2], [f64; 3])> {
    (data.len() == 1).then(|| (data.components()[0].mean(), data.components()[0].cov()))
}

/// A square view box holding the noise N(0, I) (±3.5) and the data's view box.
pub fn flow_view(data: &GaussianMixture) -> [f64; 4] {
    let v = data.view_box();
    let (x0, x1, y0, y1) = (v[0].min(-3.5), v[1].max(3.5), v[2].min(-3.5), v[3].max(3.5));
    let (cx, cy) = (0.5 * (x0 + x1), 0.5 * (y0 + y1));
    let half = 0.5 * (x1 - x0).max(y1 - y0);
    [cx - half, cx + half, cy - half, cy + half]
}
