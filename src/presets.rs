//! Named 2-D targets used by the widgets and benchmarks.
//!
//! * `ring8`: eight isotropic Gaussians, equal weights, means 4(cos 2πk/8, sin 2πk/8), standard
//!   deviation 0.5 (the target of benchmark W1).
//! * `gaussian`: a single standard normal N(0, I), where the Langevin chain is linear and its
//!   stationary law is known exactly.
//! * `two-modes`: an asymmetric mixture, weights 0.8 and 0.2, whose modes are far enough apart that
//!   plain Langevin dynamics keeps the split it starts with (the mixing problem).

use crate::error::Error;
use crate::gaussian::Gaussian2;
use crate::mixture::GaussianMixture;

/// The names accepted by [`preset`], in display order.
pub const PRESET_NAMES: [&str; 3] = ["ring8", "gaussian", "two-modes"];

/// The ring of eight Gaussians of benchmark W1.
pub fn ring8() -> GaussianMixture {
    let comps = (0..8)
        .map(|k| {
            let a = 2.0 * std::f64::consts::PI * k as f64 / 8.0;
            Gaussian2::isotropic([4.0 * a.cos(), 4.0 * a.sin()], 0.5).expect("valid preset")
        })
        .collect();
    GaussianMixture::new(&[1.0; 8], comps).expect("valid preset")
}

/// A target by name.
pub fn preset(name: &str) -> Result<GaussianMixture, Error> {
    match name {
        "ring8" => Ok(ring8()),
        "gaussian" => GaussianMixture::new(&[1.0], vec![Gaussian2::isotropic([0.0, 0.0], 1.0)?]),
        "two-modes" => GaussianMixture::new(
            &[0.8, 0.2],
            vec![
                Gaussian2::new([-2.5, -0.5], 0.5, 0.15, 0.4)?,
                Gaussian2::new([2.5, 1.0], 0.35, -0.1, 0.5)?,
            ],
        ),
        other => Err(Error::invalid(
            "target",
            format!("one of {}", PRESET_NAMES.join(", ")),
            format!("{other:?}"),
        )),
    }
}
