//! Scharfetter–Gummel fluxes for the conservative finite-volume Fokker–Planck solvers.
//!
//! Between cells L and R (centres h apart) the flux of ∂p/∂t = −∂ₓ(u p) + D ∂ₓ²p is
//!   F = (D/h) [B(−Pe) p_L − B(Pe) p_R],   Pe = u h / D,   B(z) = z / (eᶻ − 1)
//! (Scharfetter & Gummel 1969; Il'in 1969), the exact flux of the steady 1D problem with constant u
//! between the two centres. Both coefficients are non-negative, so an explicit Euler step keeps p
//! ≥ 0 whenever every cell's outflow rate times Δt is ≤ 1 (the positivity/CFL limit the solvers
//! check). As D → 0 it tends to first-order upwinding, F = u⁺ p_L − u⁻ p_R (used for D = 0: the
//! continuity equation of the probability flow), and for a drift u = D ∂ₓ log π discretised as
//! Pe = log π_R − log π_L it vanishes exactly at p ∝ π: the discrete equilibrium is stationary to
//! round-off (curriculum V-L1).

/// The Bernoulli function B(z) = z/(eᶻ − 1), B(0) = 1, evaluated without overflow or
/// cancellation (series for |z| < 1e-4: B = 1 − z/2 + z²/12).
#[inline]
pub fn bernoulli(z: f64) -> f64 {
    if z.abs() < 1e-4 {
        1.0 - 0.5 * z + z * z / 12.0
    } else if z > 0.0 {
        // z e^{−z}/(1 − e^{−z}): no overflow for large z, no cancellation (expm1) for small z
        z * (-z).exp() / -(-z).exp_m1()
    } else {
        z / z.exp_m1()
    }
}

/// (a, b) with F = a p_L − b p_R for face velocity u, diffusion D ≥ 0 and spacing h.
#[inline]
pub fn face_coefficients(u: f64, d: f64, h: f64) -> (f64, f64) {
    if d > 0.0 {
        let pe = u * h / d;
        let k = d / h;
        (k * bernoulli(-pe), k * bernoulli(pe))
    } else {
        (u.max(0.0), (-u).max(0.0))
    }
}

/// (a, b) for a face whose Péclet number is given directly (Pe = log π_R − log π_L for the
/// equilibrium-preserving discretisation of u = D ∂ₓ log π).
#[inline]
pub fn face_coefficients_peclet(pe: f64, d: f64, h: f64) -> (f64, f64) {
    let k = d / h;
    (k * bernoulli(-pe), k * bernoulli(pe))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bernoulli_is_smooth_across_the_series_switch_and_has_its_identity() {
        for z in [
            -30.0, -1.0, -1e-4, -9.99e-5, 0.0, 9.99e-5, 1e-4, 0.5, 40.0, 800.0,
        ] {
            // B(−z) = B(z) + z (exact identity), to round-off
            assert!(
                (bernoulli(-z) - bernoulli(z) - z).abs() < 1e-12 * (1.0 + z.abs()),
                "{z}"
            );
        }
        // the series and the closed form agree at the switch to O(z⁴/720) ~ 1e-19
        for z in [1e-4f64, -1e-4, 1.0001e-4, 9.999e-5] {
            let direct = z / z.exp_m1();
            assert!((bernoulli(z) - direct).abs() < 1e-15, "{z}");
        }
        assert!(bernoulli(800.0) >= 0.0 && bernoulli(800.0) < 1e-300);
    }
}
