//! The f32 constants of a Gaussian mixture, laid out for the particle kernels.
//!
//! Component k contributes the base-2 logit eₖ(x) = log₂e·(cₖ − ½ dᵀ Pₖ d) with d = x − μₖ,
//! Pₖ = Σₖ⁻¹ and cₖ = log wₖ − log 2π − ½ log det Σₖ, and its score −Pₖ d. Arrays are per field so that
//! the SIMD kernel splats one constant at a time.

use crate::mixture::{GaussianMixture, MAX_COMPONENTS};
use std::f64::consts::LOG2_E;

/// ½ log₂e: eₖ = cₖ − HALF_LOG2E · dᵀPₖd in the general (non-isotropic) path.
pub const HALF_LOG2E: f32 = 0.5 * std::f32::consts::LOG2_E;

/// f32 per-component constants of a mixture.
#[derive(Debug, Clone, PartialEq)]
pub struct MixtureKernel {
    /// μₖ, x coordinate.
    pub mx: Vec<f32>,
    /// μₖ, y coordinate.
    pub my: Vec<f32>,
    /// Precision entry (xx).
    pub pxx: Vec<f32>,
    /// Precision entry (xy).
    pub pxy: Vec<f32>,
    /// Precision entry (yy).
    pub pyy: Vec<f32>,
    /// (log wₖ − log 2π − ½ log det Σₖ)·log₂e: the logits are kept in base 2, so the softmax
    /// weights are 2^(eₖ − max e) (see `fastmath::exp2_nonpos`).
    pub c: Vec<f32>,
    /// −½ pxx·log₂e, used by the isotropic fast path (eₖ = cₖ + hₖ‖d‖²).
    pub h: Vec<f32>,
    /// True when every component is isotropic (Σₖ = sₖ²I): the kernels then skip the cross
    /// terms (eₖ = cₖ − ‖d‖²/(2sₖ²), score −d/sₖ²).
    pub isotropic: bool,
}

impl MixtureKernel {
    /// The kernel constants of `p` (rounded to f32 from the exact f64 values).
    pub fn new(p: &GaussianMixture) -> Self {
        let mut k = MixtureKernel {
            mx: vec![],
            my: vec![],
            pxx: vec![],
            pxy: vec![],
            pyy: vec![],
            c: vec![],
            h: vec![],
            isotropic: true,
        };
        for (w, g) in p.weights().iter().zip(p.components()) {
            let (m, pr) = (g.mean(), g.precision());
            k.mx.push(m[0] as f32);
            k.my.push(m[1] as f32);
            k.pxx.push(pr[0] as f32);
            k.pxy.push(pr[1] as f32);
            k.pyy.push(pr[2] as f32);
            k.c.push(((w.ln() + g.log_norm()) * LOG2_E) as f32);
            k.h.push((-0.5 * pr[0] * LOG2_E) as f32);
            k.isotropic &= pr[1] == 0.0 && pr[0] == pr[2];
        }
        debug_assert!(k.len() <= MAX_COMPONENTS);
        k
    }

    /// Overwrites the constants, in place and without allocating, with those of p's law scaled
    /// by `scale` plus N(0, var·I) noise (`GaussianMixture::scaled_noised`): the exact marginal
    /// of a linear diffusion at one time. `p` must have as many components as `self` was built
    /// with.
    pub fn set_scaled_noised(
        &mut self,
        p: &GaussianMixture,
        scale: f64,
        var: f64,
    ) -> Result<(), crate::Error> {
        debug_assert_eq!(p.len(), self.len());
        let mut iso = true;
        for (k, (w, g)) in p.weights().iter().zip(p.components()).enumerate() {
            let g = g.scaled_noised(scale, var)?;
            let (m, pr) = (g.mean(), g.precision());
            self.mx[k] = m[0] as f32;
            self.my[k] = m[1] as f32;
            self.pxx[k] = pr[0] as f32;
            self.pxy[k] = pr[1] as f32;
            self.pyy[k] = pr[2] as f32;
            self.c[k] = ((w.ln() + g.log_norm()) * LOG2_E) as f32;
            self.h[k] = (-0.5 * pr[0] * LOG2_E) as f32;
            iso &= pr[1] == 0.0 && pr[0] == pr[2];
        }
        self.isotropic = iso;
        Ok(())
    }

    /// Number of components.
    pub fn len(&self) -> usize {
        self.mx.len()
    }

    /// Always false: a mixture has at least one component.
    pub fn is_empty(&self) -> bool {
        self.mx.is_empty()
    }
}
