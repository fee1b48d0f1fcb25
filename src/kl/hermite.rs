//! Gauss–Hermite quadrature for expectations under the standard normal.
//!
//!   E[f(Z)] = (1/√π) ∫ e^{−t²} f(√2 t) dt ≈ Σᵢ (Wᵢ/√π) f(√2 tᵢ),   Z ~ N(0, 1),
//!
//! where tᵢ are the roots of the physicists' Hermite polynomial H_n and Wᵢ the matching weights.
//! The rule is exact for polynomials of degree ≤ 2n − 1. Nodes are found by Newton's method on
//! the orthonormal three-term recurrence, started from the asymptotic estimates of the largest
//! roots (Press et al., *Numerical Recipes*, 3rd ed., §4.6, `gauher`); the rule is symmetric.

/// Nodes zᵢ and weights wᵢ with Σ wᵢ f(zᵢ) ≈ E[f(Z)], Z ~ N(0, 1); n ∈ [1, 200].
pub fn gauss_hermite_normal(n: usize) -> (Vec<f64>, Vec<f64>) {
    let n = n.clamp(1, 200);
    let pim4 = std::f64::consts::PI.powf(-0.25);
    let mut t = vec![0.0; n];
    let mut w = vec![0.0; n];
    let m = n.div_ceil(2);
    let mut z = 0.0f64;
    for i in 0..m {
        z = match i {
            0 => (2.0 * n as f64 + 1.0).sqrt() - 1.855_75 * (2.0 * n as f64 + 1.0).powf(-1.0 / 6.0),
            1 => z - 1.14 * (n as f64).powf(0.426) / z,
            2 => 1.86 * z - 0.86 * t[0],
            3 => 1.91 * z - 0.91 * t[1],
            _ => 2.0 * z - t[i - 2],
        };
        let mut pp = 0.0;
        for _ in 0..100 {
            // orthonormal recurrence for H̃_n(z)
            let mut p1 = pim4;
            let mut p2 = 0.0;
            for j in 0..n {
                let p3 = p2;
                p2 = p1;
                p1 = z * (2.0 / (j as f64 + 1.0)).sqrt() * p2
                    - (j as f64 / (j as f64 + 1.0)).sqrt() * p3;
            }
            pp = (2.0 * n as f64).sqrt() * p2;
            let z1 = z;
            z = z1 - p1 / pp;
            if (z - z1).abs() <= 1e-15 * z.abs().max(1.0) {
                break;
            }
        }
        t[i] = z;
        t[n - 1 - i] = -z;
        w[i] = 2.0 / (pp * pp);
        w[n - 1 - i] = w[i];
    }
    let sqrt_pi = std::f64::consts::PI.sqrt();
    let nodes: Vec<f64> = t
        .iter()
        .rev()
        .map(|x| std::f64::consts::SQRT_2 * x)
        .collect();
    let weights: Vec<f64> = w.iter().rev().map(|x| x / sqrt_pi).collect();
    (nodes, weights)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_of_the_standard_normal_are_exact() {
        // E[Z^{2k}] = (2k − 1)!!; exact for degree ≤ 2n − 1
        for n in [4usize, 8, 24, 48] {
            let (z, w) = gauss_hermite_normal(n);
            let total: f64 = w.iter().sum();
            assert!((total - 1.0).abs() < 1e-13, "n={n}: Σw = {total}");
            let mut dfact = 1.0;
            for k in 1..n.min(8) {
                dfact *= (2 * k - 1) as f64;
                let m: f64 = z
                    .iter()
                    .zip(&w)
                    .map(|(z, w)| w * z.powi(2 * k as i32))
                    .sum();
                assert!(
                    (m / dfact - 1.0).abs() < 1e-11,
                    "n={n}, k={k}: {m} vs {dfact}"
                );
                let odd: f64 = z
                    .iter()
                    .zip(&w)
                    .map(|(z, w)| w * z.powi(2 * k as i32 - 1))
                    .sum();
                // zero by symmetry up to rounding of terms as large as E[Z^{2k}]
                assert!(odd.abs() < 1e-12 * dfact, "n={n}, k={k}: {odd}");
            }
        }
        // E[cos Z] = e^{−1/2}: a smooth non-polynomial, converges spectrally
        let (z, w) = gauss_hermite_normal(24);
        let c: f64 = z.iter().zip(&w).map(|(z, w)| w * z.cos()).sum();
        assert!((c - (-0.5f64).exp()).abs() < 1e-14);
    }
}
