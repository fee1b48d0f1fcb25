//! Probability-flow log-likelihoods (curriculum V-15, V-SM9): exact divergence against closed
//! forms, Hutchinson's estimator unbiased with the predicted variances.

use scorebook::gaussian::Gaussian2;
use scorebook::mixture::GaussianMixture;
use scorebook::rng::sim_rng;
use scorebook::sde::likelihood::{
    draw_probe, hutchinson_sample, Divergence, PfLikelihood, PfOde, Prior, Probe, VelocityField,
};
use scorebook::sde::Sde;

fn g1() -> GaussianMixture {
    GaussianMixture::new(&[1.0], vec![Gaussian2::isotropic([1.0, 1.0], 0.5).unwrap()]).unwrap()
}

/// V-15: Gaussian data N(m, s₀²I) under OU a = 1, b = √2, T = 5: ∇·v = 2(−a + b²/(2V_t)) does
/// not depend on x, and ∫₀ᵀ = ln(V_T/V₀) = 2·0.6931301553 (the 1D value doubled). RK4's error is
/// fourth order: measured 4.9e-8 with 500 steps, 3.0e-9 with 1000 (×16); with 2000 steps the
/// integral is within 1e-9 and the log-likelihood with the exact p_T equals log N(x₀; m, s₀²I)
/// within 1e-8 (its error, 2.3e-8 at 1000 steps, also comes from the end point x(T)).
#[test]
fn gaussian_log_likelihood_matches_the_closed_form() {
    let sde = Sde::ou(1.0, 2f64.sqrt(), 5.0).unwrap();
    let data = g1();
    for x0 in [[1.0, 1.0], [0.3, 1.8], [-0.5, 2.5]] {
        let mut l =
            PfLikelihood::new(PfOde::new(sde, &data), sde, x0, 2000, Divergence::Exact, 1).unwrap();
        l.run();
        assert!(
            (l.divergence_integral() - 2.0 * 0.693_130_155_3).abs() < 1e-9,
            "{}",
            l.divergence_integral()
        );
        let ll = l.log_likelihood(&data, Prior::Exact).unwrap();
        assert!(
            (ll - data.log_density(x0)).abs() < 1e-8,
            "{ll} {}",
            data.log_density(x0)
        );
        // the Gaussian prior N(0, 1) instead of p_T = N(α_T m, V_T): off by O(e^{−5}) ≈ 7e-3
        let lg = l.log_likelihood(&data, Prior::Gaussian).unwrap();
        assert!((lg - ll).abs() < 0.05 && lg != ll);
    }
}

/// For a two-component mixture under the VP SDE (x-dependent divergence), RK4 with 400 steps and
/// the exact divergence recovers log p₀ from the mixture formula within 1e-4 (curriculum: 1e-4
/// with 2000 steps on M1; the flow is smooth here, measured error ≈ 1e-6).
#[test]
fn mixture_log_likelihood_matches_the_formula() {
    let data = GaussianMixture::from_flat(
        &[0.3, 0.7],
        &[-1.5, 0.5, 1.0, -0.5],
        &[0.2, 0.05, 0.3, 0.4, -0.1, 0.25],
    )
    .unwrap();
    let sde = Sde::vp(0.1, 20.0).unwrap();
    for x0 in [[-1.5, 0.5], [0.0, 0.0], [1.3, -0.9]] {
        let mut l =
            PfLikelihood::new(PfOde::new(sde, &data), sde, x0, 400, Divergence::Exact, 1).unwrap();
        l.run();
        let ll = l.log_likelihood(&data, Prior::Exact).unwrap();
        assert!(
            (ll - data.log_density(x0)).abs() < 1e-4,
            "{x0:?}: {ll} vs {}",
            data.log_density(x0)
        );
    }
}

/// V-SM9: E[εᵀAε] = tr A = −2.5 for A = [[−0.5, 0.2], [0.1, −2]], with variance 8.59 (Gaussian)
/// and 0.09 (Rademacher); 10⁵ probes, means within 5 SE, variances within 5 SE of the sample
/// variance (≈ v√(κ/M)).
#[test]
fn hutchinson_probe_moments() {
    let a = [-0.5, 0.2, 0.1, -2.0];
    let m = 100_000;
    for (probe, var) in [(Probe::Gaussian, 8.59), (Probe::Rademacher, 0.09)] {
        let mut rng = sim_rng(17);
        let xs: Vec<f64> = (0..m)
            .map(|_| hutchinson_sample(a, draw_probe(probe, &mut rng)))
            .collect();
        let mean = xs.iter().sum::<f64>() / m as f64;
        let v = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (m - 1) as f64;
        assert!(
            (mean + 2.5).abs() < 5.0 * (var / m as f64).sqrt(),
            "{probe:?} mean {mean}"
        );
        // Rademacher: εᵀAε = −2.5 + 0.3 ε₁ε₂ takes two values, so its sample variance has SE
        // ≈ 0; the Gaussian one (a quadratic form, kurtosis ≈ 15) has SE ≈ 8.59·√(14/M) = 0.1
        assert!(
            (v - var).abs() < 5.0 * var * (14.0 / m as f64).sqrt() + 1e-3,
            "{probe:?} var {v}"
        );
    }
}

/// Hutchinson's estimate of the whole log-likelihood is unbiased: averaged over 200 independent
/// single-probe solves it matches the exact-divergence solve within 5 SE (the trajectory does not
/// depend on the probe), for both probe laws; Rademacher's spread is the smaller (the Jacobian of
/// this flow is nearly diagonal).
#[test]
fn hutchinson_log_likelihood_is_unbiased() {
    let data = GaussianMixture::from_flat(
        &[0.5, 0.5],
        &[-1.0, 0.0, 1.0, 0.5],
        &[0.3, 0.1, 0.2, 0.2, 0.0, 0.4],
    )
    .unwrap();
    let sde = Sde::vp(0.1, 20.0).unwrap();
    let x0 = [0.2, 0.1];
    let mut exact =
        PfLikelihood::new(PfOde::new(sde, &data), sde, x0, 100, Divergence::Exact, 0).unwrap();
    exact.run();
    let want = exact.log_likelihood(&data, Prior::Exact).unwrap();
    let mut sds = vec![];
    for probe in [Probe::Rademacher, Probe::Gaussian] {
        let runs = 200;
        let vals: Vec<f64> = (0..runs)
            .map(|seed| {
                let d = Divergence::Hutchinson { probe, probes: 1 };
                let mut l =
                    PfLikelihood::new(PfOde::new(sde, &data), sde, x0, 100, d, seed).unwrap();
                l.run();
                l.log_likelihood(&data, Prior::Exact).unwrap()
            })
            .collect();
        let mean = vals.iter().sum::<f64>() / runs as f64;
        let sd = (vals.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (runs - 1) as f64).sqrt();
        assert!(sd > 0.0);
        assert!(
            (mean - want).abs() < 5.0 * sd / (runs as f64).sqrt(),
            "{probe:?}: {mean} ± {sd} vs {want}"
        );
        sds.push(sd);
    }
    assert!(sds[0] < sds[1], "{sds:?}");
    // the default finite-difference Jacobian–vector product agrees with the exact one (1e-6)
    struct Fd(PfOde);
    impl VelocityField for Fd {
        fn velocity(&self, x: [f64; 2], t: f64) -> [f64; 2] {
            self.0.velocity(x, t)
        }
    }
    let (f, e) = (Fd(PfOde::new(sde, &data)), PfOde::new(sde, &data));
    for t in [0.0, 0.3, 0.9] {
        assert!(
            (f.divergence(x0, t) - e.divergence(x0, t)).abs()
                < 1e-6 * (1.0 + e.divergence(x0, t).abs())
        );
    }
}

#[test]
fn bad_likelihood_input_is_rejected() {
    let sde = Sde::vp(0.1, 20.0).unwrap();
    let ode = || PfOde::new(sde, &g1());
    let e = |r: Result<PfLikelihood<PfOde>, scorebook::Error>| r.unwrap_err().to_string();
    assert!(e(PfLikelihood::new(
        ode(),
        sde,
        [f64::NAN, 0.0],
        10,
        Divergence::Exact,
        0
    ))
    .starts_with("x0 must be"));
    assert!(e(PfLikelihood::new(
        ode(),
        sde,
        [0.0, 0.0],
        0,
        Divergence::Exact,
        0
    ))
    .starts_with("steps must be"));
    let d = Divergence::Hutchinson {
        probe: Probe::Gaussian,
        probes: 0,
    };
    assert!(e(PfLikelihood::new(ode(), sde, [0.0, 0.0], 10, d, 0))
        .starts_with("probes must be an integer in [1, 1000]"));
    let l = PfLikelihood::new(ode(), sde, [0.0, 0.0], 10, Divergence::Exact, 0).unwrap();
    assert!(l.log_likelihood(&g1(), Prior::Exact).is_none());
}
