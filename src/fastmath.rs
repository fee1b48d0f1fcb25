//! f32 elementary functions with a fixed sequence of IEEE operations.
//!
//! The particle kernels need `2ˣ`, `ln`, `sin` and `cos` in f32. The SIMD kernel
//! (`kernel::simd128`) evaluates exactly the same polynomials, operation by operation, on four
//! lanes; because WebAssembly and x86-64 both round every `+ − × ÷ √` correctly and Rust never
//! fuses a multiply and an add behind our back, the scalar and SIMD paths agree to the bit.
//!
//! `ln`, `sin` and `cos` use Cephes' single-precision minimax fits (S. Moshier, *Cephes Math
//! Library*, `logf.c`, `sinf.c`), `2ˣ` a degree-6 Taylor polynomial on |f| ≤ ½: relative error
//! about 1e-7 on the reduced ranges, i.e. within one to four ulps of the correctly rounded result.

/// ln 2 split in a high part with few significant bits and a low correction (Cody–Waite).
pub const LN2_HI: f32 = 0.693_359_4;
/// Low part of ln 2 (Cephes `C2`).
pub const LN2_LO: f32 = -2.121_944_4e-4;
/// 1/√2, the split point of the mantissa in `logf`.
pub const SQRT_HALF: f32 = std::f32::consts::FRAC_1_SQRT_2;
/// Polynomial of `logf` (Cephes), highest degree first.
pub const LOG_P: [f32; 9] = [
    7.037_683_6e-2,
    -1.151_461e-1,
    1.167_699_9e-1,
    -1.242_014_1e-1,
    1.424_932_3e-1,
    -1.666_805_8e-1,
    2.000_071_5e-1,
    -2.499_999_4e-1,
    3.333_333_1e-1,
];
/// Polynomial of `sinf` on |x| ≤ π/4 (Cephes), highest degree first.
pub const SIN_P: [f32; 3] = [-1.951_529_6e-4, 8.332_161e-3, -1.666_665_5e-1];
/// Polynomial of `cosf` on |x| ≤ π/4 (Cephes), highest degree first.
pub const COS_P: [f32; 3] = [2.443_315_7e-5, -1.388_731_6e-3, 4.166_664_6e-2];

/// 1.5·2²³: adding it to a float of magnitude < 2²² rounds to an integer and leaves that integer
/// (plus 0x4b40_0000) in the low bits (the "shifter" trick).
pub const SHIFTER: f32 = 12_582_912.0;

/// Lower clamp of [`exp2_nonpos`]: 2⁻¹²⁶ is the smallest normal f32.
pub const EXP2_LO: f32 = -126.0;
/// Taylor coefficients (ln 2)ᵏ/k! of 2^f = e^{f ln 2}, k = 6 down to 1.
pub const EXP2_P: [f32; 6] = [
    1.540_353e-4,
    1.333_355_8e-3,
    9.618_129e-3,
    5.550_411e-2,
    2.402_265e-1,
    6.931_472e-1,
];

/// 2ᵗ for t ≤ 0 (clamped below at −126; NaN stays NaN), for softmax weights.
///
/// t = n + f with n = round(t) by the shifter trick and |f| ≤ ½ (exact: both are floats of the
/// same binade), 2^f by its degree-6 Taylor polynomial (truncation (f ln2)⁷/7! ≤ 1.2e-7 relative),
/// 2ⁿ from the exponent bits. Where the kernels use it, t = log₂ of a softmax weight; an error in
/// t scales with |t|, so it is largest where the weight is smallest.
#[inline(always)]
pub fn exp2_nonpos(t: f32) -> f32 {
    let t = if t < EXP2_LO { EXP2_LO } else { t };
    let kf = t + SHIFTER;
    let n = kf - SHIFTER;
    let f = t - n;
    let mut p = EXP2_P[0];
    p = p * f + EXP2_P[1];
    p = p * f + EXP2_P[2];
    p = p * f + EXP2_P[3];
    p = p * f + EXP2_P[4];
    p = p * f + EXP2_P[5];
    let y = p * f + 1.0;
    let scale = f32::from_bits(kf.to_bits().wrapping_add(127) << 23);
    y * scale
}

/// ln x for a positive normal x (the kernels call it on (0, 1]).
#[inline(always)]
pub fn ln_f32(x: f32) -> f32 {
    let bits = x.to_bits();
    let e = ((bits >> 23) & 0xff) as i32 - 126;
    // mantissa in [0.5, 1)
    let m = f32::from_bits((bits & 0x007f_ffff) | 0x3f00_0000);
    let small = m < SQRT_HALF;
    let e = if small { e - 1 } else { e };
    let t = if small { m + m - 1.0 } else { m - 1.0 };
    let z = t * t;
    let mut p = LOG_P[0];
    for &c in &LOG_P[1..] {
        p = p * t + c;
    }
    let fe = e as f32;
    let mut y = p * t * z;
    y = y + fe * LN2_LO;
    y = y - 0.5 * z;
    let r = t + y;
    r + fe * LN2_HI
}

/// (sin x, cos x) for |x| ≤ π/4.
#[inline(always)]
pub fn sincos_small(x: f32) -> (f32, f32) {
    let z = x * x;
    let s = ((SIN_P[0] * z + SIN_P[1]) * z + SIN_P[2]) * z * x + x;
    let c = ((COS_P[0] * z + COS_P[1]) * z + COS_P[2]) * z * z;
    let c = c - 0.5 * z;
    (s, c + 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_matches_std_to_a_few_ulps() {
        // absolute error near x = 1 (where ln x → 0) and relative error elsewhere, both ~1 ulp
        for k in 1..=(1u32 << 12) {
            let x = (k as f32) / 4096.0;
            let (a, b) = (ln_f32(x) as f64, (x as f64).ln());
            assert!(
                (a - b).abs() < 2e-7 * b.abs().max(1.0),
                "ln({x}) = {a} vs {b}"
            );
        }
        assert!((ln_f32(5.960_464_5e-8) as f64 - (5.960_464_5e-8f64).ln()).abs() < 1e-5);
    }

    #[test]
    fn sincos_matches_std() {
        let q = std::f32::consts::FRAC_PI_4;
        for k in -1000..=1000 {
            let x = q * k as f32 / 1000.0;
            let (s, c) = sincos_small(x);
            assert!((s as f64 - (x as f64).sin()).abs() < 2e-7, "sin({x})");
            assert!((c as f64 - (x as f64).cos()).abs() < 2e-7, "cos({x})");
        }
    }

    #[test]
    fn exp2_matches_std_to_a_few_ulps() {
        // Taylor truncation 1.2e-7 plus rounding of ~8 operations (≈ 4 ulp = 2.4e-7)
        let mut t = -125.9f32;
        while t <= 0.0 {
            let (a, b) = (exp2_nonpos(t) as f64, (t as f64).exp2());
            assert!(((a - b) / b).abs() < 4e-7, "2^{t} = {a} vs {b}");
            t += 0.003_1;
        }
        assert_eq!(exp2_nonpos(0.0), 1.0);
        assert!(exp2_nonpos(-1e30) > 0.0 && exp2_nonpos(-1e30) < 1.2e-38);
        assert!(exp2_nonpos(f32::NAN).is_nan());
    }
}
