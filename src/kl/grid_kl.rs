//! KL divergence and entropy by quadrature on a grid (composite Gauss–Legendre,
//! [`crate::quadrature`]), from log-densities so that nothing underflows into NaN:
//!
//!   D_KL(p‖q) ≈ Σᵢ wᵢ p(xᵢ) (log p(xᵢ) − log q(xᵢ)),    H(p) ≈ −Σᵢ wᵢ p(xᵢ) log p(xᵢ).
//!
//! Nodes where p underflows to 0 contribute 0 (the limit of p log p). A node where q is exactly
//! zero (log q = −∞) while p is not makes the divergence +∞: q misses part of p's support. The
//! box must hold all but a negligible part of p's mass; callers use mean ± 8–10 standard deviations.

use crate::quadrature::{Rule1, Rule2};

fn term(lp: f64, lq: f64, w: f64) -> f64 {
    if lp == f64::NEG_INFINITY {
        return 0.0;
    }
    if lq == f64::NEG_INFINITY {
        return f64::INFINITY;
    }
    let p = lp.exp();
    if p == 0.0 {
        0.0
    } else {
        w * p * (lp - lq)
    }
}

/// D_KL(p‖q) on the line.
pub fn kl_1d(rule: &Rule1, log_p: impl Fn(f64) -> f64, log_q: impl Fn(f64) -> f64) -> f64 {
    rule.nodes()
        .iter()
        .zip(rule.weights())
        .map(|(&x, &w)| term(log_p(x), log_q(x), w))
        .sum()
}

/// D_KL(p‖q) in the plane.
pub fn kl_2d(
    rule: &Rule2,
    log_p: impl Fn([f64; 2]) -> f64,
    log_q: impl Fn([f64; 2]) -> f64,
) -> f64 {
    let mut s = 0.0;
    rule.for_each(|x, w| s += term(log_p(x), log_q(x), w));
    s
}

/// H(p) = −∫ p log p on the line.
pub fn entropy_1d(rule: &Rule1, log_p: impl Fn(f64) -> f64) -> f64 {
    -rule
        .nodes()
        .iter()
        .zip(rule.weights())
        .map(|(&x, &w)| term(log_p(x), 0.0, w))
        .sum::<f64>()
}

/// H(p) = −∫ p log p in the plane.
pub fn entropy_2d(rule: &Rule2, log_p: impl Fn([f64; 2]) -> f64) -> f64 {
    let mut s = 0.0;
    rule.for_each(|x, w| s -= term(log_p(x), 0.0, w));
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kl::gaussian_kl::{kl_gaussian_1d, kl_gaussian_2d};

    fn log_n1(x: f64, m: f64, v: f64) -> f64 {
        -0.5 * (2.0 * std::f64::consts::PI * v).ln() - (x - m) * (x - m) / (2.0 * v)
    }

    #[test]
    fn grid_kl_matches_the_closed_form_and_missing_support_is_infinite() {
        // box ±20: at least 9.5 sd of every Gaussian here, tails below 1e-20; the 4-point rule on
        // cells of width 0.1 has error ~ h⁸ f⁽⁸⁾, far below 1e-10
        let r = Rule1::new(-20.0, 20.0, 400, 4).unwrap();
        for (m1, v1, m2, v2) in [
            (0.0, 1.0, 1.0, 4.0),
            (1.0, 4.0, 0.0, 1.0),
            (-0.5, 0.3, 0.7, 0.8),
        ] {
            let k = kl_1d(&r, |x| log_n1(x, m1, v1), |x| log_n1(x, m2, v2));
            assert!((k - kl_gaussian_1d(m1, v1, m2, v2)).abs() < 1e-10, "{k}");
        }
        // q = N(0, 1) cut to x ≥ 0 (and renormalised) misses half of p = N(0, 1): KL(p‖q) = ∞,
        // while KL(q‖p) = log 2 (q = 2p on its support)
        let cut = |x: f64| {
            if x >= 0.0 {
                log_n1(x, 0.0, 1.0) + 2f64.ln()
            } else {
                f64::NEG_INFINITY
            }
        };
        assert_eq!(kl_1d(&r, |x| log_n1(x, 0.0, 1.0), cut), f64::INFINITY);
        let back = kl_1d(&r, cut, |x| log_n1(x, 0.0, 1.0));
        assert!((back - 2f64.ln()).abs() < 1e-10, "{back}");
        // entropy of N(0, v): ½ log(2πe v)
        let h = entropy_1d(&r, |x| log_n1(x, 0.0, 2.0));
        assert!(
            (h - 0.5 * (2.0 * std::f64::consts::PI * std::f64::consts::E * 2.0).ln()).abs() < 1e-10
        );
    }

    #[test]
    fn grid_kl_in_the_plane_matches_the_closed_form() {
        use crate::gaussian::Gaussian2;
        let a = Gaussian2::new([0.5, -0.3], 1.2, 0.4, 0.8).unwrap();
        let b = Gaussian2::new([-0.2, 0.6], 2.0, -0.5, 1.5).unwrap();
        // ±11 covers 8 sd of both; 110 cells of 4 points: error far below 1e-9
        let r = Rule2::new([-11.0, 11.0, -11.0, 11.0], 110, 4).unwrap();
        let k = kl_2d(&r, |x| a.log_density(x), |x| b.log_density(x));
        assert!(
            (k - kl_gaussian_2d(a.mean(), a.cov(), b.mean(), b.cov())).abs() < 1e-9,
            "{k}"
        );
        let k = kl_2d(&r, |x| b.log_density(x), |x| a.log_density(x));
        assert!(
            (k - kl_gaussian_2d(b.mean(), b.cov(), a.mean(), a.cov())).abs() < 1e-9,
            "{k}"
        );
    }
}
