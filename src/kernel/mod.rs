//! The unadjusted Langevin step on a Gaussian-mixture target, for a whole f32 particle cloud.
//!
//! For every particle, with step size ε and z ~ N(0, I) drawn from the counter-based generator:
//!
//!   s(x) = ∇log p(x) = −Σₖ rₖ(x) Σₖ⁻¹(x − μₖ),   rₖ = softmaxₖ(log wₖ + log N(x; μₖ, Σₖ)),
//!   x ← x + (ε/2) s(x) + √ε z                       (Song & Ermon 2019, Alg. 1 with one level),
//!
//! followed by a runaway check: a particle that is non-finite or outside the disc of radius R is
//! counted, and the caller reports divergence.
//!
//! Two implementations with bit-identical results: [`scalar`] (every target) and [`simd128`]
//! (wasm32 with `+simd128`, four particles per iteration). Neither allocates.

pub mod mala;
pub mod params;
pub mod scalar;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub mod simd128;

pub use params::MixtureKernel;

use crate::rng::StepKey;

/// Which implementation of a particle kernel runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KernelPath {
    /// One particle at a time (LLVM may still auto-vectorise parts of it).
    Scalar,
    /// Explicit `core::arch::wasm32` simd128 intrinsics, four particles at a time.
    Simd128,
}

impl KernelPath {
    /// The fastest path compiled into this build.
    pub fn best() -> Self {
        if simd_compiled_in() {
            KernelPath::Simd128
        } else {
            KernelPath::Scalar
        }
    }

    /// The path's name, for benchmarks and readouts.
    pub fn name(self) -> &'static str {
        match self {
            KernelPath::Scalar => "scalar",
            KernelPath::Simd128 => "simd128",
        }
    }
}

/// True when this build contains the explicit simd128 kernels.
pub const fn simd_compiled_in() -> bool {
    cfg!(all(target_arch = "wasm32", target_feature = "simd128"))
}

/// Constants of one Langevin step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UlaStep {
    /// ε/2.
    pub half_step: f32,
    /// √ε.
    pub sqrt_step: f32,
    /// R², the squared runaway radius.
    pub limit2: f32,
    /// The step's random keys.
    pub key: StepKey,
}

/// One Langevin step for every particle; returns the number of diverged particles.
///
/// `Simd128` falls back to the scalar path in builds without simd128 (natively, for instance);
/// [`simd_compiled_in`] says which one runs.
pub fn ula_step(
    path: KernelPath,
    target: &MixtureKernel,
    xs: &mut [f32],
    ys: &mut [f32],
    step: &UlaStep,
) -> u32 {
    match path {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        KernelPath::Simd128 => simd128::ula_step(target, xs, ys, step),
        _ => scalar::ula_step(target, xs, ys, step, 0),
    }
}
