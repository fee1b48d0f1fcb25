//! Standard normal pairs from two random words (Box–Muller, with a quadrant split).
//!
//! Box & Muller (1958): for U₁ ∈ (0, 1] and Θ uniform on the circle, (R cos Θ, R sin Θ) with
//! R = √(−2 ln U₁) is a pair of independent N(0, 1) variables. Here U₁ = (⌊a/2⁸⌋ + 1)/2²⁴ takes
//! the top 24 bits of word `a` (so R ≤ √(48 ln 2) ≈ 5.77: the tail beyond 5.77σ, probability
//! 8·10⁻⁹, is cut), and Θ = qπ/2 + φ takes its quadrant q from the top two bits of word `b` and
//! φ ∈ (−π/4, π/4) from the next 24 bits, so that sin and cos are only evaluated on |φ| ≤ π/4
//! and rotated by q quarter-turns with sign and swap bit operations. The SIMD kernel repeats
//! these exact operations lane-wise.

use crate::fastmath::{ln_f32, sincos_small};

/// 2⁻²⁴.
pub const TWO_POW_M24: f32 = 1.0 / 16_777_216.0;
/// (π/2)·2⁻²⁴: maps a 24-bit integer to an angle in [0, π/2).
pub const HALF_PI_OVER_2POW24: f32 = std::f32::consts::FRAC_PI_2 / 16_777_216.0;

/// The normal pair (z₁, z₂) defined by the random words `a` and `b`.
#[inline(always)]
pub fn normal_pair(a: u32, b: u32) -> (f32, f32) {
    let u1 = (((a >> 8) + 1) as i32) as f32 * TWO_POW_M24;
    let r = (ln_f32(u1) * -2.0).sqrt();
    let q = b >> 30;
    let f = ((b >> 6) & 0x00ff_ffff) as i32 as f32;
    let phi = (f + 0.5) * HALF_PI_OVER_2POW24 - std::f32::consts::FRAC_PI_4;
    let (s, c) = sincos_small(phi);
    let swap = q & 1 == 1;
    let (cx, sy) = if swap { (s, c) } else { (c, s) };
    let sign_x = ((q >> 1) ^ (q & 1)) << 31;
    let sign_y = (q >> 1) << 31;
    let cx = f32::from_bits(cx.to_bits() ^ sign_x);
    let sy = f32::from_bits(sy.to_bits() ^ sign_y);
    (r * cx, r * sy)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{counter_u32, sim_rng, StepKey};

    #[test]
    fn moments_of_many_pairs_are_standard_normal() {
        let mut rng = sim_rng(7);
        let key = StepKey::draw(&mut rng);
        let n = 400_000u32;
        let (mut s1, mut s2, mut sxy, mut s4, mut m1, mut m2) = (0.0f64, 0.0, 0.0, 0.0, 0.0, 0.0);
        for i in 0..n {
            let (z1, z2) = normal_pair(counter_u32(i, key.k0), counter_u32(i, key.k1));
            let (z1, z2) = (z1 as f64, z2 as f64);
            m1 += z1;
            m2 += z2;
            s1 += z1 * z1;
            s2 += z2 * z2;
            sxy += z1 * z2;
            s4 += z1.powi(4);
        }
        let nf = n as f64;
        // standard errors at n = 4e5: mean 1/√n = 1.6e-3, variance √(2/n) = 2.2e-3,
        // E[z1 z2] 1/√n = 1.6e-3, fourth moment √(96/n) = 1.5e-2; assert within 5 SE.
        assert!((m1 / nf).abs() < 8e-3 && (m2 / nf).abs() < 8e-3);
        assert!((s1 / nf - 1.0).abs() < 1.1e-2 && (s2 / nf - 1.0).abs() < 1.1e-2);
        assert!((sxy / nf).abs() < 8e-3);
        assert!((s4 / nf - 3.0).abs() < 7.5e-2);
    }

    #[test]
    fn quadrants_cover_the_circle_uniformly() {
        let mut counts = [0u32; 4];
        let mut rng = sim_rng(3);
        let key = StepKey::draw(&mut rng);
        for i in 0..80_000u32 {
            let (x, y) = normal_pair(counter_u32(i, key.k0), counter_u32(i, key.k1));
            let q = match (x >= 0.0, y >= 0.0) {
                (true, true) => 0,
                (false, true) => 1,
                (false, false) => 2,
                (true, false) => 3,
            };
            counts[q] += 1;
        }
        // each count ~ Binomial(8e4, 1/4): SD = 122; 5 SD = 610
        for c in counts {
            assert!((c as i64 - 20_000).abs() < 610, "{counts:?}");
        }
    }
}
