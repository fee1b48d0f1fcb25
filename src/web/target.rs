//! `MixtureTarget`: a Gaussian mixture built in JS (from a preset or from arrays).

use crate::mixture::GaussianMixture;
use crate::presets::preset;
use wasm_bindgen::prelude::*;

/// A 2-D Gaussian-mixture target with an exact density and score.
#[wasm_bindgen]
pub struct MixtureTarget {
    pub(crate) inner: GaussianMixture,
    pub(crate) name: String,
}

#[wasm_bindgen]
impl MixtureTarget {
    /// A mixture from flat arrays: `weights` (k positive numbers), `means` [x₀, y₀, …] (2k) and
    /// `covariances` [σxx₀, σxy₀, σyy₀, …] (3k), each covariance positive definite; 1 ≤ k ≤ 64.
    #[wasm_bindgen(constructor)]
    pub fn new(
        weights: &[f64],
        means: &[f64],
        covariances: &[f64],
    ) -> Result<MixtureTarget, JsError> {
        Ok(MixtureTarget {
            inner: GaussianMixture::from_flat(weights, means, covariances)?,
            name: "custom".into(),
        })
    }

    /// A named preset (`ring8`, `gaussian`, `two-modes`).
    pub fn preset(name: &str) -> Result<MixtureTarget, JsError> {
        Ok(MixtureTarget {
            inner: preset(name)?,
            name: name.into(),
        })
    }

    /// A mixture fitted to drawn or pasted points: the Gaussian kernel density estimate of
    /// bandwidth `bandwidth`, compressed to at most `max_components` components by k-means
    /// (see `drawn_target`). `xs` and `ys`: 1 to 20,000 finite coordinates.
    #[wasm_bindgen(js_name = fromPoints)]
    pub fn from_points(
        xs: &[f64],
        ys: &[f64],
        bandwidth: f64,
        max_components: usize,
    ) -> Result<MixtureTarget, JsError> {
        Ok(MixtureTarget {
            inner: crate::drawn_target::mixture_from_points(xs, ys, bandwidth, max_components)?,
            name: "drawn".into(),
        })
    }

    /// The preset's name, or `custom`.
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.name.clone()
    }

    /// Number of components.
    #[wasm_bindgen(getter)]
    pub fn components(&self) -> usize {
        self.inner.len()
    }

    /// The mixture as [w₀, μx₀, μy₀, σxx₀, σxy₀, σyy₀, w₁, …] (normalised weights), e.g. to
    /// put a drawn target into a link.
    pub fn flat(&self) -> Vec<f64> {
        self.inner
            .weights()
            .iter()
            .zip(self.inner.components())
            .flat_map(|(w, c)| {
                let (m, s) = (c.mean(), c.cov());
                [*w, m[0], m[1], s[0], s[1], s[2]]
            })
            .collect()
    }

    /// log p(x, y).
    #[wasm_bindgen(js_name = logDensity)]
    pub fn log_density(&self, x: f64, y: f64) -> f64 {
        self.inner.log_density([x, y])
    }

    /// ∇log p(x, y) as [sx, sy].
    pub fn score(&self, x: f64, y: f64) -> Vec<f64> {
        self.inner.score([x, y]).to_vec()
    }
}
