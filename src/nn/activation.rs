//! Hidden-layer activations and their derivatives, in f32, scalar and simd128 with the same
//! operations.
//!
//! * SiLU (Elfwing et al. 2018, "swish"): silu(z) = z·σ(z), σ(z) = 1/(1 + e⁻ᶻ),
//!   silu′(z) = σ(z)·(1 + z(1 − σ(z))). σ is evaluated stably from e = 2^(−|z|·log₂e) ≤ 1:
//!   σ = 1/(1 + e) for z ≥ 0 and e/(1 + e) for z < 0, with `fastmath::exp2_nonpos` (the same
//!   polynomial the Langevin kernel uses), so the SIMD lanes and the scalar path agree to the bit.
//! * ReLU: max(z, 0), derivative 1 for z > 0 and 0 otherwise (the subgradient PyTorch uses).

use crate::error::Error;
use crate::fastmath::exp2_nonpos;

/// The activation of the hidden layers (the output layer is linear).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    /// z·σ(z).
    Silu,
    /// max(z, 0).
    Relu,
}

impl Activation {
    /// The activation's name (`silu`, `relu`).
    pub fn name(self) -> &'static str {
        match self {
            Activation::Silu => "silu",
            Activation::Relu => "relu",
        }
    }

    /// The activation from its name.
    pub fn from_name(name: &str) -> Result<Self, Error> {
        match name {
            "silu" => Ok(Activation::Silu),
            "relu" => Ok(Activation::Relu),
            other => Err(Error::invalid(
                "activation",
                "one of silu, relu",
                format!("{other:?}"),
            )),
        }
    }

    /// The code stored in a weights file.
    pub fn code(self) -> u32 {
        match self {
            Activation::Silu => 0,
            Activation::Relu => 1,
        }
    }

    /// The activation of a weights-file code.
    pub fn from_code(code: u32) -> Option<Self> {
        match code {
            0 => Some(Activation::Silu),
            1 => Some(Activation::Relu),
            _ => None,
        }
    }

    /// (act(z), g) with the gate g = σ(z) for SiLU (0 for ReLU), which the forward pass stores
    /// so that the backward pass does not evaluate σ again.
    #[inline(always)]
    pub fn forward(self, z: f32) -> (f32, f32) {
        match self {
            Activation::Silu => {
                let g = sigmoid(z);
                (z * g, g)
            }
            Activation::Relu => (self.apply(z), 0.0),
        }
    }

    /// d · act′(z) from z and the gate g of [`Activation::forward`].
    #[inline(always)]
    pub fn backprop_gated(self, d: f32, z: f32, g: f32) -> f32 {
        match self {
            Activation::Silu => d * (g * (1.0 + z * (1.0 - g))),
            Activation::Relu => self.backprop(d, z),
        }
    }

    /// act(z).
    #[inline(always)]
    pub fn apply(self, z: f32) -> f32 {
        match self {
            Activation::Silu => z * sigmoid(z),
            Activation::Relu => {
                if z > 0.0 {
                    z
                } else {
                    0.0
                }
            }
        }
    }

    /// d · act′(z): the back-propagated gradient through the activation.
    #[inline(always)]
    pub fn backprop(self, d: f32, z: f32) -> f32 {
        match self {
            Activation::Silu => {
                let s = sigmoid(z);
                d * (s * (1.0 + z * (1.0 - s)))
            }
            Activation::Relu => {
                if z > 0.0 {
                    d
                } else {
                    0.0
                }
            }
        }
    }
}

/// −log₂e.
const NEG_LOG2E: f32 = -std::f32::consts::LOG2_E;

/// σ(z) = 1/(1 + e⁻ᶻ), stably (see the module docs).
#[inline(always)]
pub fn sigmoid(z: f32) -> f32 {
    let e = exp2_nonpos(z.abs() * NEG_LOG2E);
    let r = 1.0 / (1.0 + e);
    if z >= 0.0 {
        r
    } else {
        e * r
    }
}

/// The simd128 versions, lane for lane the operations above.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub(crate) mod simd {
    use super::{Activation, NEG_LOG2E};
    use crate::kernel::simd128::exp2_4;
    use core::arch::wasm32::*;

    #[inline(always)]
    pub fn sigmoid4(z: v128) -> v128 {
        let e = exp2_4(f32x4_mul(f32x4_abs(z), f32x4_splat(NEG_LOG2E)));
        let r = f32x4_div(f32x4_splat(1.0), f32x4_add(f32x4_splat(1.0), e));
        v128_bitselect(r, f32x4_mul(e, r), f32x4_ge(z, f32x4_splat(0.0)))
    }

    #[inline(always)]
    pub fn forward4(act: Activation, z: v128) -> (v128, v128) {
        match act {
            Activation::Silu => {
                let g = sigmoid4(z);
                (f32x4_mul(z, g), g)
            }
            Activation::Relu => (v128_and(z, f32x4_gt(z, f32x4_splat(0.0))), f32x4_splat(0.0)),
        }
    }

    #[inline(always)]
    pub fn backprop_gated4(act: Activation, d: v128, z: v128, g: v128) -> v128 {
        match act {
            Activation::Silu => {
                let one = f32x4_splat(1.0);
                f32x4_mul(
                    d,
                    f32x4_mul(g, f32x4_add(one, f32x4_mul(z, f32x4_sub(one, g)))),
                )
            }
            Activation::Relu => v128_and(d, f32x4_gt(z, f32x4_splat(0.0))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silu_and_its_derivative_match_f64() {
        for i in -400..=400 {
            let z = i as f32 * 0.05;
            let zd = z as f64;
            let s = 1.0 / (1.0 + (-zd).exp());
            let want = zd * s;
            let dwant = s * (1.0 + zd * (1.0 - s));
            // exp2_nonpos is accurate to a few ulps; the products add a few more: 1e-6 relative
            // (plus 1e-7 absolute near the zeros) bounds them.
            assert!((Activation::Silu.apply(z) as f64 - want).abs() <= 1e-6 * want.abs() + 1e-7);
            assert!(
                (Activation::Silu.backprop(1.0, z) as f64 - dwant).abs()
                    <= 1e-6 * dwant.abs() + 1e-7
            );
        }
        assert_eq!(Activation::Relu.apply(-1.0), 0.0);
        assert_eq!(Activation::Relu.backprop(3.0, 2.0), 3.0);
        assert!(Activation::Silu.apply(f32::NAN).is_nan());
        for z in [-3.0f32, -0.1, 0.0, 0.7, 5.0] {
            let (h, g) = Activation::Silu.forward(z);
            assert_eq!(h, Activation::Silu.apply(z));
            assert_eq!(
                Activation::Silu.backprop_gated(0.3, z, g),
                Activation::Silu.backprop(0.3, z)
            );
        }
        // far in the negative tail e⁻²⁰⁰ underflows to the clamp 2⁻¹²⁶: finite and ~0, never NaN
        assert!(Activation::Silu.apply(-200.0).abs() < 1e-30);
    }
}
