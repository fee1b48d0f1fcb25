//! Adam (Kingma & Ba 2015, Algorithm 1) in PyTorch's formulation (`torch.optim.Adam`,
//! `_single_tensor_adam`, no weight decay, no amsgrad):
//!
//!   m ← β₁m + (1 − β₁)g,   v ← β₂v + (1 − β₂)g²,
//!   θ ← θ − (lr/(1 − β₁ᵗ)) · m / (√v/√(1 − β₂ᵗ) + ε),
//!
//! with PyTorch's defaults β = (0.9, 0.999), ε = 1e-8. The bias corrections are computed in f64
//! once per step in f64 from β = 0.9, 0.999 exactly as PyTorch's Python floats; the per-parameter update is f32, four lanes at a time on the simd128 path with
//! the scalar path's operations (correctly rounded √ and ÷ on both), so both give the same bits.

use crate::error::{check_range, Error};
use crate::kernel::KernelPath;

/// β₁.
pub const BETA1: f32 = 0.9;
/// β₂.
pub const BETA2: f32 = 0.999;
/// 1 − β₁, computed in f64 and rounded once, as PyTorch does (`1 - beta1` is a Python float).
pub const ONE_MINUS_BETA1: f32 = 0.1;
/// 1 − β₂, computed in f64 and rounded once (1.0f32 − 0.999f32 would be 1.3e-5 too small).
pub const ONE_MINUS_BETA2: f32 = 0.001;
/// ε.
pub const EPS: f32 = 1e-8;
/// The largest learning rate accepted.
pub const MAX_LEARNING_RATE: f64 = 1.0;

/// Adam's state for a flat parameter vector.
#[derive(Debug, Clone, PartialEq)]
pub struct Adam {
    learning_rate: f64,
    m: Vec<f32>,
    v: Vec<f32>,
    t: u64,
}

/// The per-step constants.
#[derive(Debug, Clone, Copy)]
struct StepConsts {
    /// lr/(1 − β₁ᵗ).
    step_size: f32,
    /// √(1 − β₂ᵗ).
    bc2_sqrt: f32,
}

impl Adam {
    /// Zero moments for `n` parameters; `learning_rate` ∈ (0, 1].
    pub fn new(n: usize, learning_rate: f64) -> Result<Self, Error> {
        check_learning_rate(learning_rate)?;
        Ok(Adam {
            learning_rate,
            m: vec![0.0; n],
            v: vec![0.0; n],
            t: 0,
        })
    }

    /// The learning rate.
    pub fn learning_rate(&self) -> f64 {
        self.learning_rate
    }

    /// Changes the learning rate (the moments are kept, as when a PyTorch scheduler changes it).
    pub fn set_learning_rate(&mut self, lr: f64) -> Result<(), Error> {
        self.learning_rate = check_learning_rate(lr)?;
        Ok(())
    }

    /// The number of steps taken (t).
    pub fn steps(&self) -> u64 {
        self.t
    }

    /// First moments m.
    pub fn first_moment(&self) -> &[f32] {
        &self.m
    }

    /// Second moments v.
    pub fn second_moment(&self) -> &[f32] {
        &self.v
    }

    /// Clears the moments and the step count.
    pub fn reset(&mut self) {
        self.m.fill(0.0);
        self.v.fill(0.0);
        self.t = 0;
    }

    /// One update of `params` with gradient `grads` (both of the length given to [`Adam::new`]).
    pub fn step(&mut self, path: KernelPath, params: &mut [f32], grads: &[f32]) {
        assert!(params.len() == self.m.len() && grads.len() == self.m.len());
        self.t += 1;
        let t = self.t.min(i32::MAX as u64) as i32;
        let bc1 = 1.0 - 0.9f64.powi(t);
        let bc2 = 1.0 - 0.999f64.powi(t);
        let c = StepConsts {
            step_size: (self.learning_rate / bc1) as f32,
            bc2_sqrt: bc2.sqrt() as f32,
        };
        match path {
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            KernelPath::Simd128 => simd_update(&c, params, grads, &mut self.m, &mut self.v),
            _ => scalar_update(&c, params, grads, &mut self.m, &mut self.v, 0),
        }
    }
}

/// Checks a learning rate ∈ (0, 1].
pub fn check_learning_rate(lr: f64) -> Result<f64, Error> {
    check_range("learning_rate", lr, 0.0, MAX_LEARNING_RATE, true)
}

fn scalar_update(
    c: &StepConsts,
    p: &mut [f32],
    g: &[f32],
    m: &mut [f32],
    v: &mut [f32],
    from: usize,
) {
    for i in from..p.len() {
        let gi = g[i];
        let mi = BETA1 * m[i] + ONE_MINUS_BETA1 * gi;
        let vi = BETA2 * v[i] + ONE_MINUS_BETA2 * (gi * gi);
        m[i] = mi;
        v[i] = vi;
        let denom = vi.sqrt() / c.bc2_sqrt + EPS;
        p[i] -= c.step_size * (mi / denom);
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn simd_update(c: &StepConsts, p: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32]) {
    use core::arch::wasm32::*;
    let n = p.len();
    let body = n - n % 4;
    let (b1, b1c) = (f32x4_splat(BETA1), f32x4_splat(ONE_MINUS_BETA1));
    let (b2, b2c) = (f32x4_splat(BETA2), f32x4_splat(ONE_MINUS_BETA2));
    let (ss, bc, eps) = (
        f32x4_splat(c.step_size),
        f32x4_splat(c.bc2_sqrt),
        f32x4_splat(EPS),
    );
    let mut i = 0;
    while i < body {
        // SAFETY: i + 4 <= body <= n and all four slices have length n (asserted by the caller).
        unsafe {
            let gi = v128_load(g.as_ptr().add(i) as *const v128);
            let mi = v128_load(m.as_ptr().add(i) as *const v128);
            let vi = v128_load(v.as_ptr().add(i) as *const v128);
            let pi = v128_load(p.as_ptr().add(i) as *const v128);
            let mi = f32x4_add(f32x4_mul(b1, mi), f32x4_mul(b1c, gi));
            let vi = f32x4_add(f32x4_mul(b2, vi), f32x4_mul(b2c, f32x4_mul(gi, gi)));
            let denom = f32x4_add(f32x4_div(f32x4_sqrt(vi), bc), eps);
            let pi = f32x4_sub(pi, f32x4_mul(ss, f32x4_div(mi, denom)));
            v128_store(m.as_mut_ptr().add(i) as *mut v128, mi);
            v128_store(v.as_mut_ptr().add(i) as *mut v128, vi);
            v128_store(p.as_mut_ptr().add(i) as *mut v128, pi);
        }
        i += 4;
    }
    scalar_update(c, p, g, m, v, body);
}
