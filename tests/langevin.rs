//! Statistical tests of the unadjusted Langevin sampler against closed forms. Fixed seeds;
//! every tolerance is a stated multiple of the estimator's standard error.

use scorebook::langevin::{gaussian_stationary_variance, Langevin};
use scorebook::particles::Particles;
use scorebook::presets::{preset, ring8};
use scorebook::stats::moments;
use scorebook::Error;

fn run(
    target: &str,
    n: usize,
    start_sd: f32,
    start_mean: f32,
    eps: f64,
    steps: usize,
    seed: u64,
) -> Particles {
    let p = preset(target).unwrap();
    let mut s = Langevin::new(&p, eps, seed).unwrap();
    let mut c = Particles::normal(n, [start_mean, start_mean], start_sd, seed);
    for _ in 0..steps {
        s.step(&mut c).unwrap();
    }
    c
}

/// Benchmark W1's correctness check: ring of 8 Gaussians (sd 0.5 at radius 4), ε = 0.01,
/// start N(0, 9I), 2000 steps, N = 100,000.
#[test]
fn w1_ring_reaches_its_discretised_stationary_law() {
    let n = 100_000;
    let c = run("ring8", n, 3.0, 0.0, 0.01, 2000, 2024);
    let m = moments(&c);
    // mean: each coordinate has variance 8 + v∞ ≈ 8.25 under the target, SE = √(8.25/N) = 0.0091;
    // 5 SE = 0.045
    assert!(
        m.mean[0].abs() < 0.045 && m.mean[1].abs() < 0.045,
        "{:?}",
        m.mean
    );
    // E‖x‖² = 16 + 2 v∞ with v∞ = 0.25/(1 − 0.01/(4·0.25)) = 0.2525 (each mode is, to e⁻¹⁸, an
    // isolated Gaussian): 16.505. Var‖x‖² ≈ 4·16·v∞ + 4 v∞² = 16.4, SE = √(16.4/N) = 0.0128;
    // 5 SE = 0.064.
    let expect = 16.0 + 2.0 * gaussian_stationary_variance(0.25, 0.01).unwrap();
    assert!((expect - 16.505).abs() < 1e-3);
    assert!(
        (m.mean_sq_radius - expect).abs() < 0.064,
        "{} vs {expect}",
        m.mean_sq_radius
    );
    // each mode holds 1/8 (the start and the target share the 8-fold symmetry): a share is
    // Binomial(N, 1/8)/N with SE √(0.109/N) = 0.00105; 5 SE = 0.0053
    let mut counts = [0usize; 8];
    let p = ring8();
    for (x, y) in c.xs.iter().zip(&c.ys) {
        let k = p
            .components()
            .iter()
            .enumerate()
            .map(|(k, g)| {
                (
                    k,
                    (g.mean()[0] - *x as f64).powi(2) + (g.mean()[1] - *y as f64).powi(2),
                )
            })
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap()
            .0;
        counts[k] += 1;
    }
    for k in counts {
        assert!((k as f64 / n as f64 - 0.125).abs() < 0.0053, "{counts:?}");
    }
}

/// ULA on N(0, I) is linear: its stationary variance is 1/(1 − ε/4), not 1.
#[test]
fn gaussian_stationary_variance_shows_the_step_size_bias() {
    let n = 100_000;
    for (eps, v_inf) in [(0.2, 1.0 / 0.95), (1.0, 4.0 / 3.0)] {
        // contraction a = 1 − ε/2 per step: 400 steps leave a^800 (v0 − v∞) < 1e-18
        let c = run("gaussian", n, 3.0, 0.0, eps, 400, 7);
        let m = moments(&c);
        let var = 0.5 * (m.cov[0] + m.cov[2]);
        // SE of a variance from 2N normal draws: v√(2/(2N)); 5 SE
        let tol = 5.0 * v_inf * (1.0 / n as f64).sqrt();
        assert!(
            (var - v_inf).abs() < tol,
            "ε = {eps}: {var} vs {v_inf} ± {tol}"
        );
        // the bias is resolved: var is more than 10 SE away from the target variance 1
        assert!((var - 1.0).abs() > 2.0 * tol, "bias not resolved");
    }
}

/// The transient is exact too: m_n = aⁿ m₀ and v_n = v∞ + a²ⁿ (v₀ − v∞), a = 1 − ε/(2s²).
#[test]
fn gaussian_transient_moments_follow_the_linear_recursion() {
    let n = 100_000;
    let (eps, m0, v0) = (0.2f64, 2.0f64, 0.25f64);
    let a = 1.0 - eps / 2.0;
    let v_inf = 1.0 / (1.0 - eps / 4.0);
    for steps in [5, 20] {
        let c = run("gaussian", n, v0.sqrt() as f32, m0 as f32, eps, steps, 99);
        let m = moments(&c);
        let (mn, vn) = (
            a.powi(steps as i32) * m0,
            v_inf + a.powi(2 * steps as i32) * (v0 - v_inf),
        );
        // SE of the mean √(v/N), of the variance v√(2/N); 5 SE each
        assert!(
            (m.mean[0] - mn).abs() < 5.0 * (vn / n as f64).sqrt(),
            "n={steps}"
        );
        assert!(
            (m.cov[0] - vn).abs() < 5.0 * vn * (2.0 / n as f64).sqrt(),
            "n={steps}"
        );
    }
}

#[test]
fn divergence_is_detected_and_reported_not_propagated() {
    // stability needs ε < 4s² = 4; at ε = 4.2 the linear factor is |1 − 2.1| = 1.1 per step
    let p = preset("gaussian").unwrap();
    let mut s = Langevin::new(&p, 4.2, 1).unwrap();
    let mut c = Particles::normal(1000, [0.0, 0.0], 1.0, 1);
    let mut err = None;
    for _ in 0..400 {
        if let Err(e) = s.step(&mut c) {
            err = Some(e);
            break;
        }
    }
    match err {
        Some(Error::Diverged {
            step, particles, ..
        }) => assert!(step < 400 && particles > 0),
        other => panic!("expected divergence, got {other:?}"),
    }
    // a diverged sampler refuses to continue
    assert!(matches!(s.step(&mut c), Err(Error::Diverged { .. })));
    // just below the limit the chain is stable (v∞ = 1/(1 − 3.9/4) = 40, far inside R = 5000)
    let mut s = Langevin::new(&p, 3.9, 1).unwrap();
    let mut c = Particles::normal(1000, [0.0, 0.0], 1.0, 1);
    for _ in 0..400 {
        s.step(&mut c).unwrap();
    }
}

#[test]
fn same_seed_same_particles_different_seed_different() {
    let a = run("two-modes", 5000, 3.0, 0.0, 0.05, 50, 3).checksum();
    let b = run("two-modes", 5000, 3.0, 0.0, 0.05, 50, 3).checksum();
    let c = run("two-modes", 5000, 3.0, 0.0, 0.05, 50, 4).checksum();
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn bad_inputs_are_rejected_with_named_ranges() {
    let p = preset("gaussian").unwrap();
    for eps in [0.0, -1.0, f64::NAN, f64::INFINITY, 11.0] {
        let e = Langevin::new(&p, eps, 1).unwrap_err().to_string();
        assert!(
            e.starts_with("step_size must be a finite number in (0, 10]"),
            "{e}"
        );
    }
    for n in [0.0, -5.0, 1.5, 2e6, f64::NAN] {
        let e = scorebook::particles::check_count(n)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("particles must be an integer in [1, 1000000]"),
            "{e}"
        );
    }
    let e = preset("moons").unwrap_err().to_string();
    assert!(
        e.starts_with("target must be one of ring8, gaussian, two-modes"),
        "{e}"
    );
}
