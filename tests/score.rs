//! Section 3 (the score and score matching): closed forms from the curriculum (V-S…, V-SM…).
//! Statistical checks use fixed seeds and 5 standard errors of the estimator (false-failure rate
//! ≈ 6e-7 per check); deterministic quadratures use tolerances set by the rule's accuracy.

use scorebook::gaussian::Gaussian2;
use scorebook::kl::mixture1::Mixture1;
use scorebook::mixture::GaussianMixture;
use scorebook::presets::{preset, ring8};
use scorebook::quadrature::Rule2;
use scorebook::rng::sim_rng;
use scorebook::score::field::{
    critical_points, fisher_divergence_gaussian1, line_integral, line_integral_cells,
    score_expectations, score_jacobian, smallest_scale, CriticalKind,
};
use scorebook::score::objectives::{
    noised1, AffineDescent, AffineSamples, AffineScoreMatching, Objective, OBJECTIVES,
};
use scorebook::score::ring::{i0e, i1e, SmoothedRing};
use scorebook::score::sliced::{
    draw_projection, linear_gaussian_fisher, linear_gaussian_ism, quadratic_form,
    trace_estimator_variance, Projection,
};
use scorebook::score::tweedie::{
    exact_mmse, posterior_mean, posterior_moments, tweedie_mean, vp_gaussian, vp_tweedie,
    TweedieDenoising,
};
use scorebook::score::{mean_se, normal2};

/// The curriculum's quick-start mixture ½N((−2, 0), I) + ½N((2, 0), I).
fn quick_start() -> GaussianMixture {
    GaussianMixture::from_flat(
        &[0.5, 0.5],
        &[-2.0, 0.0, 2.0, 0.0],
        &[1.0, 0.0, 1.0, 1.0, 0.0, 1.0],
    )
    .unwrap()
}

fn fd_score(p: &GaussianMixture, x: [f64; 2]) -> [f64; 2] {
    let e = 1e-5;
    [
        (p.log_density([x[0] + e, x[1]]) - p.log_density([x[0] - e, x[1]])) / (2.0 * e),
        (p.log_density([x[0], x[1] + e]) - p.log_density([x[0], x[1] - e])) / (2.0 * e),
    ]
}

#[test]
fn v_s1_v_s2_scores_match_finite_differences_and_the_listed_values() {
    // V-S1: a Gaussian with a correlated covariance; V-S2: mixtures (the quick start, two-modes)
    let g = GaussianMixture::new(
        &[1.0],
        vec![Gaussian2::new([0.4, -1.0], 2.0, 0.7, 0.9).unwrap()],
    )
    .unwrap();
    for p in [g, quick_start(), preset("two-modes").unwrap()] {
        for x in [[0.0, 0.0], [0.7, 0.3], [-2.3, 1.9], [3.1, -0.4]] {
            let (s, f) = (p.score(x), fd_score(&p, x));
            // central differences with h = 1e-5: truncation ~h²‖∇³log p‖ ≲ 1e-9, rounding ~1e-11
            assert!(
                (s[0] - f[0]).abs() < 1e-6 * (1.0 + s[0].abs())
                    && (s[1] - f[1]).abs() < 1e-6 * (1.0 + s[1].abs()),
                "{x:?}"
            );
            // the Jacobian of the score against central differences of the score
            let h = score_jacobian(&p, x);
            let e = 1e-5;
            let (sp, sm) = (p.score([x[0] + e, x[1]]), p.score([x[0] - e, x[1]]));
            let (tp, tm) = (p.score([x[0], x[1] + e]), p.score([x[0], x[1] - e]));
            let fd = [
                (sp[0] - sm[0]) / (2.0 * e),
                (sp[1] - sm[1]) / (2.0 * e),
                (tp[1] - tm[1]) / (2.0 * e),
            ];
            for k in 0..3 {
                assert!(
                    (h[k] - fd[k]).abs() < 1e-6 * (1.0 + h[k].abs()),
                    "jacobian {k} at {x:?}: {h:?} {fd:?}"
                );
            }
        }
    }
    let q = quick_start();
    let s = q.score([0.7, 0.3]);
    // −x + 2 tanh(2x) at x = 0.7, and −y
    assert!(
        (s[0] - 1.070_703_3).abs() < 1e-7 && (s[1] + 0.3).abs() < 1e-12,
        "{s:?}"
    );
    for y in [-3.0, 0.5, 2.0] {
        let s = q.score([0.0, y]);
        assert!(s[0].abs() < 1e-15 && (s[1] + y).abs() < 1e-12);
    }
    // far from the modes the score stays finite: −(x − 2) for the nearer mode, ≈ (−98, 0)
    let far = q.score([100.0, 0.0]);
    assert!((far[0] + 98.0).abs() < 1e-9 && far[1] == 0.0, "{far:?}");
}

#[test]
fn v_s3_the_tanh_form_and_the_modes_merge_at_sigma_root_three() {
    for sigma in [0.0, 0.5, 1.7] {
        let v: f64 = 1.0 + sigma * sigma;
        let p = quick_start().noised(sigma).unwrap();
        for x in [-3.0, -0.4, 0.1, 1.3, 5.0] {
            let tanh = -x / v + (2.0 / v) * (2.0 * x / v).tanh();
            // two routes to the same number: round-off only
            assert!(
                (p.score([x, 0.0])[0] - tanh).abs() < 1e-12,
                "σ={sigma} x={x}"
            );
        }
    }
    // three critical points (two modes, one saddle) below σ = √3 = 1.7320508, one mode above
    let view = [-6.0, 6.0, -6.0, 6.0];
    let before = critical_points(&quick_start().noised(1.70).unwrap(), view);
    let after = critical_points(&quick_start().noised(1.76).unwrap(), view);
    assert_eq!(before.len(), 3, "{before:?}");
    assert_eq!(
        before
            .iter()
            .filter(|c| c.kind == CriticalKind::Mode)
            .count(),
        2
    );
    assert_eq!(
        before
            .iter()
            .filter(|c| c.kind == CriticalKind::Saddle)
            .count(),
        1
    );
    assert_eq!(after.len(), 1, "{after:?}");
    assert_eq!(after[0].kind, CriticalKind::Mode);
}

#[test]
fn the_ring_of_eight_has_eight_modes_eight_saddles_and_a_minimum() {
    let p = ring8();
    let c = critical_points(&p, p.view_box());
    let count = |k| c.iter().filter(|x| x.kind == k).count();
    assert_eq!(
        (
            count(CriticalKind::Mode),
            count(CriticalKind::Saddle),
            count(CriticalKind::Minimum)
        ),
        (8, 8, 1),
        "{c:?}"
    );
    for x in &c {
        let s = p.score(x.x);
        assert!(s[0].hypot(s[1]) < 1e-8);
    }
}

#[test]
fn v_s5_zero_mean_and_the_fisher_identity() {
    // Monte Carlo on a correlated Gaussian: E[s] = 0 and E[s sᵀ] = Σ⁻¹, each entry within 5 SE
    let g = Gaussian2::new([1.0, -0.5], 1.5, 0.6, 0.8).unwrap();
    let p = GaussianMixture::new(&[1.0], vec![g]).unwrap();
    let mut rng = sim_rng(5);
    let xs: Vec<[f64; 2]> = (0..1_000_000).map(|_| p.sample(&mut rng)).collect();
    let s: Vec<[f64; 2]> = xs.iter().map(|x| p.score(*x)).collect();
    for i in 0..2 {
        let (m, se) = mean_se(s.iter().map(|v| v[i]));
        assert!(m.abs() < 5.0 * se, "E[s_{i}] = {m} ± {se}");
    }
    let pr = g.precision();
    for (k, (i, j)) in [(0, 0), (0, 1), (1, 1)].into_iter().enumerate() {
        let (m, se) = mean_se(s.iter().map(|v| v[i] * v[j]));
        assert!(
            (m - pr[k]).abs() < 5.0 * se,
            "E[s sᵀ]_{i}{j} = {m} ± {se}, Σ⁻¹ = {}",
            pr[k]
        );
    }
    // the quick-start mixture by quadrature: E‖s‖² = 1.725610 = −E[tr ∇s]
    let q = quick_start();
    let rule = Rule2::new([-10.0, 10.0, -8.0, 8.0], 80, 8).unwrap();
    let (m, n2, tr) = score_expectations(&q, &rule);
    // 8-point Gauss–Legendre on 0.25-wide cells of a smooth integrand: error ≪ 1e-9
    assert!(m[0].abs() < 1e-10 && m[1].abs() < 1e-10, "{m:?}");
    assert!(
        (n2 - 1.725_610).abs() < 1e-6 && (tr + n2).abs() < 1e-9,
        "{n2} {tr}"
    );
}

#[test]
fn v_s6_the_line_integral_of_the_score_recovers_log_p() {
    let q = quick_start();
    let (a, b) = ([-3.0, 1.0], [2.5, -0.5]);
    // 16 cells × 8 nodes along the segment, each cell exact to degree 15; the integrand is
    // analytic and the composite rule's error falls as h¹⁶ (1.5e-7 with 4 cells, 4e-16 with 16)
    let li = line_integral(|x| q.score(x), a, b, 16).unwrap();
    assert!(
        (li - (q.log_density(b) - q.log_density(a))).abs() < 1e-8,
        "{li}"
    );
    let p = ring8();
    // through the empty centre the score is large and turns fast: 64 cells (3e-7 with 16)
    let li = line_integral(|x| p.score(x), [-5.0, 0.3], [3.9, 2.0], 64).unwrap();
    assert!(
        (li - (p.log_density([3.9, 2.0]) - p.log_density([-5.0, 0.3]))).abs() < 1e-8,
        "{li}"
    );
}

#[test]
fn the_line_integral_resolves_thin_modes_and_the_thin_shell_of_a_circle() {
    // across the shell of the circle at σ = 0.02 the score changes by ~R/σ² = 7500 over 0.04:
    // with cells from the field's scale the integral matches to ~1e-10 relative
    for sigma in [0.02, 0.1, 1.0] {
        let ring = SmoothedRing::new(3.0, sigma).unwrap();
        for (a, b) in [
            ([0.2f64, 0.1], [5.0f64, -1.0]),
            ([-4.0, 3.5], [3.5, -4.0]),
            ([2.9, 0.0], [3.1, 0.05]),
        ] {
            let len = (b[0] - a[0]).hypot(b[1] - a[1]);
            let li =
                line_integral(|x| ring.score(x), a, b, line_integral_cells(len, sigma)).unwrap();
            let ex = ring.log_density(b) - ring.log_density(a);
            assert!(
                (li - ex).abs() < 1e-9 * (1.0 + ex.abs()),
                "σ={sigma} {a:?}→{b:?}: {li} vs {ex}"
            );
        }
    }
    let p = ring8().noised(0.0).unwrap();
    assert!((smallest_scale(&p) - 0.5).abs() < 1e-12);
    let t = preset("two-modes").unwrap();
    let len = 12.0_f64.hypot(9.0);
    let li = line_integral(
        |x| t.score(x),
        [-6.0, -4.0],
        [6.0, 5.0],
        line_integral_cells(len, smallest_scale(&t)),
    )
    .unwrap();
    assert!((li - (t.log_density([6.0, 5.0]) - t.log_density([-6.0, -4.0]))).abs() < 1e-9);
}

fn kl_gauss1(m1: f64, v1: f64, m2: f64, v2: f64) -> f64 {
    0.5 * (v1 / v2 + (m1 - m2).powi(2) / v2 - 1.0 + (v2 / v1).ln())
}

#[test]
fn v_s8_fisher_divergence_of_two_gaussians_and_its_link_to_kl() {
    assert!((fisher_divergence_gaussian1(0.0, 1.0, 1.0, 4.0) - 0.625).abs() < 1e-15);
    assert!((fisher_divergence_gaussian1(1.0, 4.0, 0.0, 1.0) - 3.25).abs() < 1e-15);
    // Monte Carlo of E_p[(s_p − s_q)²] for p = N(0, 1), q = N(1, 4)
    let mut rng = sim_rng(8);
    let (m, se) = mean_se((0..500_000).map(|_| {
        let x = normal2(&mut rng).0;
        (-x + (x - 1.0) / 4.0).powi(2)
    }));
    assert!((m - 0.625).abs() < 5.0 * se, "{m} ± {se}");
    // the correct link (Lyu 2009): smoothing both by N(0, t), d/dt KL(p_t‖q_t) = −½ F(p_t‖q_t)
    for t in [0.0f64, 0.5, 2.0] {
        let h = 1e-4;
        let kl = |t: f64| kl_gauss1(0.0, 1.0 + t, 1.0, 4.0 + t);
        let t0 = t.max(h);
        let slope = (kl(t0 + h) - kl(t0 - h)) / (2.0 * h);
        let f = fisher_divergence_gaussian1(0.0, 1.0 + t0, 1.0, 4.0 + t0);
        // central difference: O(h²) ≈ 1e-8 relative
        assert!(
            (slope + 0.5 * f).abs() < 1e-7,
            "t={t}: {slope} vs {}",
            -0.5 * f
        );
    }
}

#[test]
fn v_s9_the_smoothed_ring_score_in_closed_form() {
    let ring = SmoothedRing::new(1.0, 0.3).unwrap();
    assert!(
        (ring.radial_score(1.2) + 2.647_369).abs() < 5e-7,
        "{}",
        ring.radial_score(1.2)
    );
    for x in [[1.2, 0.0], [0.3, -0.8], [-2.0, 1.5], [0.05, 0.02]] {
        let (s, q) = (ring.score(x), ring.score_by_quadrature(x, 2000));
        // the trapezoid rule on a periodic analytic integrand converges geometrically: 2000 nodes
        // reach round-off for rR/σ² ≤ 40
        assert!(
            (s[0] - q[0]).abs() < 1e-9 && (s[1] - q[1]).abs() < 1e-9,
            "{x:?}: {s:?} {q:?}"
        );
        // no tangential part
        assert!((s[0] * x[1] - s[1] * x[0]).abs() < 1e-12 * (1.0 + s[0].hypot(s[1])));
    }
    // the score is the gradient of the log-density (central differences)
    let x = [0.8, 0.9];
    let e = 1e-5;
    let fx = (ring.log_density([x[0] + e, x[1]]) - ring.log_density([x[0] - e, x[1]])) / (2.0 * e);
    assert!((fx - ring.score(x)[0]).abs() < 1e-6);
    // both branches of the scaled Bessel functions agree where they meet (z = 40)
    // (40 − 1e-11 is on the series side; the functions change by ~1e-14 relative over that gap)
    let (a, b) = (i0e(40.0 - 1e-11), i0e(40.0));
    assert!((a - b).abs() < 1e-12 * a, "{a} {b}");
    let (a, b) = (i1e(40.0 - 1e-11), i1e(40.0));
    assert!((a - b).abs() < 1e-12 * a, "{a} {b}");
    // small σ: finite, ≈ −(r − R)/σ² − 1/(2r) near the ring, blowing up like distance/σ²
    let thin = SmoothedRing::new(1.0, 0.01).unwrap();
    let g = thin.radial_score(1.05);
    assert!(
        g.is_finite() && (g - (-0.05 / 1e-4 - 1.0 / 2.1)).abs() < 1e-2 * g.abs(),
        "{g}"
    );
    assert!(thin.log_density([3.0, 0.0]).is_finite());
    assert!(SmoothedRing::new(1.0, 0.0)
        .unwrap_err()
        .to_string()
        .starts_with("sigma must be a finite number in [0.005, 100]"));
}

#[test]
fn v_sm1_hyvarinen_identity_for_a_linear_model() {
    let eye = [1.0, 0.0, 1.0];
    let w = [-1.0, 0.0, 0.0, -1.0];
    assert!(
        (linear_gaussian_ism(w, eye) + 1.0).abs() < 1e-15
            && linear_gaussian_fisher(w, eye).abs() < 1e-15
    );
    let w = [-0.5, 0.2, 0.1, -2.0];
    let (j, f) = (linear_gaussian_ism(w, eye), linear_gaussian_fisher(w, eye));
    assert!((j + 0.35).abs() < 1e-12 && (f - 0.65).abs() < 1e-12 && (f - j - 1.0).abs() < 1e-12);
    // a correlated Σ: the difference is ½ tr Σ⁻¹ for every W
    let cov = [2.0, 0.5, 0.7];
    let det = 2.0 * 0.7 - 0.25;
    for w in [[0.3, -1.0, 0.2, 0.5], [-1.0, 0.0, 0.4, -3.0]] {
        let d = linear_gaussian_fisher(w, cov) - linear_gaussian_ism(w, cov);
        assert!((d - 0.5 * (2.0 + 0.7) / det).abs() < 1e-12, "{d}");
    }
    // Monte Carlo: J = E[tr W + ½‖Wx‖²] on N(0, I) with 10⁶ samples, within 5 SE
    let mut rng = sim_rng(11);
    let (m, se) = mean_se((0..1_000_000).map(|_| {
        let (a, b) = normal2(&mut rng);
        let y = [w[0] * a + w[1] * b, w[2] * a + w[3] * b];
        w[0] + w[3] + 0.5 * (y[0] * y[0] + y[1] * y[1])
    }));
    assert!(
        (m - linear_gaussian_ism(w, eye)).abs() < 5.0 * se,
        "{m} ± {se}"
    );
}

#[test]
fn v_sm2_the_objective_at_the_true_score() {
    // J_ESM(∇log p) = E[tr ∇s + ½‖s‖²] = −½E‖s‖²: −1 for N(0, I₂), −0.862805 for the quick start
    assert!((linear_gaussian_ism([-1.0, 0.0, 0.0, -1.0], [1.0, 0.0, 1.0]) + 1.0).abs() < 1e-15);
    let q = quick_start();
    let rule = Rule2::new([-10.0, 10.0, -8.0, 8.0], 80, 8).unwrap();
    let (_, n2, tr) = score_expectations(&q, &rule);
    assert!(
        (tr + 0.5 * n2 + 0.862_805).abs() < 1e-6,
        "{}",
        tr + 0.5 * n2
    );
}

fn two_modes_1d() -> Mixture1 {
    Mixture1::new(&[0.3, 0.7], &[-2.0, 1.5], &[0.6, 1.0]).unwrap()
}

#[test]
fn v_sm1_v_sm3_the_affine_objectives_differ_by_constants_and_share_minimisers() {
    let sm = AffineScoreMatching::new(two_modes_1d(), 0.5).unwrap();
    let (esm, ism) = (sm.exact(Objective::Explicit), sm.exact(Objective::Implicit));
    let (dsm, esm_q) = (sm.exact(Objective::Denoising), sm.esm_noised());
    // integration by parts, checked through the quadrature: E[x s_p] = −1, E[s_p] = 0
    assert!(
        (esm.r[0] + 1.0).abs() < 1e-10 && esm.r[1].abs() < 1e-10,
        "{:?}",
        esm.r
    );
    assert!(
        (esm_q.r[0] + 1.0).abs() < 1e-10 && esm_q.r[1].abs() < 1e-10,
        "{:?}",
        esm_q.r
    );
    for (a, b) in [(0.0, 0.0), (-1.0, 0.5), (-0.3, -2.0), (1.5, 1.0)] {
        assert!((esm.eval(a, b) - ism.eval(a, b) - sm.esm_minus_ism()).abs() < 1e-9);
        assert!((dsm.eval(a, b) - esm_q.eval(a, b) - sm.dsm_minus_esm_noised()).abs() < 1e-9);
    }
    let (e, i) = (esm.argmin(), ism.argmin());
    assert!((e[0] - i[0]).abs() < 1e-9 && (e[1] - i[1]).abs() < 1e-9);
    // the minimiser is the best affine fit of p's score, −(x − mean)/variance
    let p = sm.target();
    assert!(
        (i[0] + 1.0 / p.variance()).abs() < 1e-12 && (i[1] - p.mean() / p.variance()).abs() < 1e-12
    );
    // V-SM3: on a finite sample the ISM minimiser is the Gaussian MLE (biased variance)
    let s = AffineSamples::draw(p, 5000, 3).unwrap();
    let n = s.x.len() as f64;
    let mean = s.x.iter().sum::<f64>() / n;
    let var = s.x.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
    let t = s.empirical(&sm, Objective::Implicit).argmin();
    assert!(
        (t[0] + 1.0 / var).abs() < 1e-9 && (t[1] - mean / var).abs() < 1e-9,
        "{t:?}"
    );
}

#[test]
fn the_quadrature_resolves_a_narrow_component_beside_a_wide_one() {
    // 0.5 N(0, 0.01²) + 0.5 N(3, 5²): E[x s_p] = −1 and E[s_p] = 0 by integration by parts, and
    // ½E[s_p²] is dominated by the narrow component, ≈ ½ · 0.5/0.01² = 2500 (the wide component
    // takes over in the narrow one's far tails and lowers it by a few per cent: allow 5 %)
    let p = Mixture1::new(&[0.5, 0.5], &[0.0, 3.0], &[0.01, 5.0]).unwrap();
    let sm = AffineScoreMatching::new(p, 0.5).unwrap();
    let e = sm.exact(Objective::Explicit);
    assert!(
        (e.r[0] + 1.0).abs() < 1e-9 && e.r[1].abs() < 1e-9,
        "{:?}",
        e.r
    );
    assert!(
        (sm.esm_minus_ism() / 2500.0 - 1.0).abs() < 0.05,
        "{}",
        sm.esm_minus_ism()
    );
}

#[test]
fn the_monte_carlo_estimates_of_all_four_objectives_agree_with_the_exact_values() {
    let sm = AffineScoreMatching::new(two_modes_1d(), 0.7).unwrap();
    let s = AffineSamples::draw(sm.target(), 100_000, 9).unwrap();
    for (a, b) in [(-0.4, 0.2), (0.5, -1.0)] {
        for o in OBJECTIVES {
            let (m, se) = s.estimate(&sm, o, a, b);
            let exact = sm.exact(o).eval(a, b);
            assert!(
                (m - exact).abs() < 5.0 * se,
                "{o:?} at ({a}, {b}): {m} ± {se} vs {exact}"
            );
        }
    }
    // and the empirical minimisers approach the exact ones (within 5 SE estimated by refits
    // on 20 independent sample sets)
    for o in OBJECTIVES {
        let fits: Vec<[f64; 2]> = (0..20)
            .map(|k| {
                AffineSamples::draw(sm.target(), 20_000, 100 + k)
                    .unwrap()
                    .empirical(&sm, o)
                    .argmin()
            })
            .collect();
        let t = sm.exact(o).argmin();
        for i in 0..2 {
            let (m, se) = mean_se(fits.iter().map(|f| f[i]));
            assert!(
                (m - t[i]).abs() < 5.0 * se.max(1e-12),
                "{o:?} θ{i}: {m} ± {se} vs {}",
                t[i]
            );
        }
    }
}

#[test]
fn v_sm5_dsm_minus_the_noisy_hyvarinen_objective_is_d_over_two_sigma_squared() {
    // For any smooth s: ½E‖s(x + σz) + z/σ‖² − E_{q_σ}[tr ∇s + ½‖s‖²] = d/(2σ²) = 4 at σ = 0.5.
    // Three fields s (the scores of three unrelated mixtures, with exact Jacobians), 10⁶ common
    // random numbers, each difference within 5 SE of 4.
    let p = quick_start();
    let sigma = 0.5;
    let models = [
        preset("two-modes").unwrap(),
        ring8(),
        GaussianMixture::from_flat(
            &[1.0, 2.0],
            &[0.0, 1.0, 1.0, -1.0],
            &[2.0, 0.3, 1.0, 0.5, 0.0, 0.5],
        )
        .unwrap(),
    ];
    let mut rng = sim_rng(55);
    let pairs: Vec<([f64; 2], [f64; 2])> = (0..1_000_000)
        .map(|_| {
            let x = p.sample(&mut rng);
            let (a, b) = normal2(&mut rng);
            (x, [a, b])
        })
        .collect();
    for m in &models {
        let (d, se) = mean_se(pairs.iter().map(|(x, z)| {
            let y = [x[0] + sigma * z[0], x[1] + sigma * z[1]];
            let s = m.score(y);
            let h = score_jacobian(m, y);
            let dsm = 0.5 * ((s[0] + z[0] / sigma).powi(2) + (s[1] + z[1] / sigma).powi(2));
            dsm - (h[0] + h[2] + 0.5 * (s[0] * s[0] + s[1] * s[1]))
        }));
        assert!((d - 4.0).abs() < 5.0 * se, "{d} ± {se}");
    }
    // V-SM6's quick-start numbers (no ½): the floor 8 − E_{q_σ}‖s_q‖² = 6.682114, reached by the
    // noisy score, and 6.778746 for the clean score, by quadrature over q_σ
    let q = p.noised(sigma).unwrap();
    let rule = Rule2::new([-10.0, 10.0, -8.0, 8.0], 80, 8).unwrap();
    let (_, n2, _) = score_expectations(&q, &rule);
    assert!((8.0 - n2 - 6.682_114).abs() < 1e-6, "{}", 8.0 - n2);
    let clean = 2.0
        * (rule.integrate(|y| {
            let (s, h) = (p.score(y), score_jacobian(&p, y));
            q.density(y) * (h[0] + h[2] + 0.5 * (s[0] * s[0] + s[1] * s[1]))
        }) + 4.0);
    assert!((clean - 6.778_746).abs() < 1e-6, "{clean}");
}

#[test]
fn gradient_descent_on_each_sample_objective_decreases_it_and_reaches_its_minimiser() {
    let sm = AffineScoreMatching::new(two_modes_1d(), 0.8).unwrap();
    let s = AffineSamples::draw(sm.target(), 3000, 2).unwrap();
    let quads = OBJECTIVES.map(|o| s.empirical(&sm, o));
    let mut d = AffineDescent::new(quads, [-0.6, -0.1]);
    let mut before: Vec<f64> = (0..4)
        .map(|k| quads[k].eval(d.theta(k)[0], d.theta(k)[1]))
        .collect();
    for _ in 0..400 {
        d.step();
        for k in 0..4 {
            let now = quads[k].eval(d.theta(k)[0], d.theta(k)[1]);
            // η ≤ 1/λ_max: every step lowers a quadratic (round-off allowance at the bottom)
            assert!(
                now <= before[k] + 1e-13,
                "objective {k}: {} → {now}",
                before[k]
            );
            before[k] = now;
        }
    }
    for (k, q) in quads.iter().enumerate() {
        let (t, m) = (d.theta(k), q.argmin());
        // linear convergence at rate 1 − λ_min/λ_max per step: 400 steps reach 1e-8 here
        assert!(
            (t[0] - m[0]).abs() < 1e-8 && (t[1] - m[1]).abs() < 1e-8,
            "{k}: {t:?} vs {m:?}"
        );
    }
    assert_eq!(d.steps(), 400);
    assert_eq!(d.path(2).len(), 401);
}

#[test]
fn v_sm6_denoising_learns_the_score_of_the_noisy_gaussian() {
    // data N(0, 1), σ = 0.5: a* = −1/(1 + 0.25) = −0.8 (not the clean −1), b* = 0, min ½(4 − 0.8)
    let sm = AffineScoreMatching::new(Mixture1::new(&[1.0], &[0.0], &[1.0]).unwrap(), 0.5).unwrap();
    let d = sm.exact(Objective::Denoising);
    let t = d.argmin();
    assert!((t[0] + 0.8).abs() < 1e-12 && t[1].abs() < 1e-12);
    assert!((d.min() - 1.6).abs() < 1e-12);
    // general μ, τ: −(x − μ)/(τ² + σ²)
    let sm = AffineScoreMatching::new(Mixture1::new(&[1.0], &[1.5], &[0.7]).unwrap(), 0.4).unwrap();
    let t = sm.exact(Objective::Denoising).argmin();
    let v = 0.49 + 0.16;
    assert!((t[0] + 1.0 / v).abs() < 1e-12 && (t[1] - 1.5 / v).abs() < 1e-12);
    // from 10⁵ samples: SE of â ≈ 0.8·√(2/n) ≈ 0.0036, so 0.02 is more than 5 SE
    let sm = AffineScoreMatching::new(Mixture1::new(&[1.0], &[0.0], &[1.0]).unwrap(), 0.5).unwrap();
    let s = AffineSamples::draw(sm.target(), 100_000, 21).unwrap();
    let t = s.empirical(&sm, Objective::Denoising).argmin();
    assert!((t[0] + 0.8).abs() < 0.02 && t[1].abs() < 0.02, "{t:?}");
}

#[test]
fn v_sm7_the_one_dimensional_worked_example() {
    // N(0, 1) data (isotropic in 2D, look at the first coordinate), σ = 0.5, x̃ = 1.3
    let p =
        GaussianMixture::new(&[1.0], vec![Gaussian2::isotropic([0.0, 0.0], 1.0).unwrap()]).unwrap();
    let (m, tr) = posterior_moments(&p, 0.5, [1.3, 0.0]);
    assert!(
        (m[0] - 1.04).abs() < 1e-12 && (tr - 0.4).abs() < 1e-12,
        "posterior N(1.04, 0.2) per coordinate"
    );
    let q = p.noised(0.5).unwrap();
    assert!((q.score([1.3, 0.0])[0] + 1.04).abs() < 1e-12);
    assert!(((-(1.3 - m[0]) / 0.25) + 1.04).abs() < 1e-12);
    // Monte Carlo conditioning: pairs with x̃ ∈ [1.29, 1.31]; the mean DSM target −ε/σ is −1.04
    let mut rng = sim_rng(7);
    let mut targets = Vec::new();
    while targets.len() < 12_000 {
        let (x, e) = normal2(&mut rng);
        let y = x + 0.5 * e;
        if (1.29..=1.31).contains(&y) {
            targets.push(-e / 0.5);
        }
    }
    let (mt, se) = mean_se(targets);
    // the window's bias: the score changes by 0.8 per unit, symmetric window ⇒ ≪ SE ≈ 0.016
    assert!((mt + 1.04).abs() < 5.0 * se, "{mt} ± {se}");
}

#[test]
fn v_sm8_tweedie_equals_the_posterior_mean() {
    let p = quick_start();
    let sigma = 0.5;
    let q = p.noised(sigma).unwrap();
    let (a, b) = (
        tweedie_mean(&q, sigma, [1.0, 0.5]),
        posterior_mean(&p, sigma, [1.0, 0.5]),
    );
    for v in [a, b] {
        assert!(
            (v[0] - 1.168_667).abs() < 5e-7 && (v[1] - 0.4).abs() < 1e-12,
            "{v:?}"
        );
    }
    assert!((a[0] - b[0]).abs() < 1e-13);
    // the VP form on x₀ ~ N(1, 4), ᾱ = 0.5, x_t = 0.3
    let (score, mean) = vp_gaussian(1.0, 4.0, 0.5, 0.3);
    let tw = vp_tweedie(0.3, 0.5, score);
    assert!(
        (mean - 0.539_411).abs() < 5e-7 && (tw - mean).abs() < 1e-12,
        "{mean} {tw}"
    );
    // both routes on correlated, unequal components, at many points and noise levels
    let t = preset("two-modes").unwrap();
    for s in [0.05, 0.4, 1.5] {
        let ts = t.noised(s).unwrap();
        for y in [[0.0, 0.0], [-2.0, 1.0], [3.0, 0.5], [8.0, -6.0]] {
            let (u, v) = (tweedie_mean(&ts, s, y), posterior_mean(&t, s, y));
            assert!(
                (u[0] - v[0]).abs() < 1e-10 && (u[1] - v[1]).abs() < 1e-10,
                "σ={s} {y:?}"
            );
        }
    }
}

#[test]
fn the_tweedie_denoiser_reaches_the_exact_mmse() {
    for (name, sigma) in [("two-modes", 0.8), ("ring8", 1.0)] {
        let d = TweedieDenoising::new(preset(name).unwrap(), sigma, 100_000, 4).unwrap();
        let st = d.stats();
        // two formulas for the same number in f64: differences are round-off
        assert!(
            st.max_route_difference < 1e-9,
            "{}",
            st.max_route_difference
        );
        // the noisy points' MSE is E‖σz‖² = 2σ²; the denoiser's is the MMSE (quadrature)
        assert!((st.mse_noisy.0 - 2.0 * sigma * sigma).abs() < 5.0 * st.mse_noisy.1);
        let mmse = exact_mmse(d.target(), sigma).unwrap();
        assert!(
            (st.mse_tweedie.0 - mmse).abs() < 5.0 * st.mse_tweedie.1,
            "{name}: {:?} vs {mmse}",
            st.mse_tweedie
        );
        assert!(mmse < 2.0 * sigma * sigma);
    }
    // a single Gaussian N(0, s²I): MMSE = 2 s²σ²/(s² + σ²) in closed form
    let g = preset("gaussian").unwrap();
    for sigma in [0.1, 1.0, 3.0] {
        let exact = 2.0 * sigma * sigma / (1.0 + sigma * sigma);
        assert!(
            (exact_mmse(&g, sigma).unwrap() - exact).abs() < 1e-6 * exact,
            "σ={sigma}"
        );
    }
    // the 32-cell quadrature against an independent 96-cell one over a wider box
    let narrow = GaussianMixture::from_flat(
        &[0.5, 0.5],
        &[0.0, 0.0, 3.0, 1.0],
        &[0.0004, 0.0, 0.0004, 4.0, 1.0, 3.0],
    )
    .unwrap();
    for (p, sigma) in [
        (preset("ring8").unwrap(), 0.1),
        (preset("two-modes").unwrap(), 0.5),
        (narrow, 0.02),
    ] {
        let name = format!("{} components", p.len());
        let q = p.noised(sigma).unwrap();
        let b = q.view_box();
        let wide = [b[0] - 2.0, b[1] + 2.0, b[2] - 2.0, b[3] + 2.0];
        let rule = Rule2::new(wide, 96, 8).unwrap();
        let fine = rule.integrate(|y| q.density(y) * posterior_moments(&p, sigma, y).1);
        let m = exact_mmse(&p, sigma).unwrap();
        assert!((m - fine).abs() < 1e-4 * fine, "{name}: {m} vs {fine}");
    }
    assert!(TweedieDenoising::new(ring8(), 0.0, 10, 1)
        .unwrap_err()
        .to_string()
        .starts_with("sigma must be"));
    assert!(TweedieDenoising::new(ring8(), 0.5, 0, 1)
        .unwrap_err()
        .to_string()
        .starts_with("samples must be"));
}

#[test]
fn v_sm9_sliced_projections_are_unbiased_with_the_stated_variances() {
    let a = [-0.5, 0.2, 0.1, -2.0];
    assert!((trace_estimator_variance(a, Projection::Gaussian) - 8.59).abs() < 1e-12);
    assert!((trace_estimator_variance(a, Projection::Rademacher) - 0.09).abs() < 1e-12);
    let mut rng = sim_rng(99);
    for kind in [Projection::Gaussian, Projection::Rademacher] {
        let vals: Vec<f64> = (0..100_000)
            .map(|_| quadratic_form(a, draw_projection(&mut rng, kind)))
            .collect();
        let (m, se) = mean_se(vals.iter().copied());
        assert!((m + 2.5).abs() < 5.0 * se, "{kind:?}: {m} ± {se}");
        // the sample variance against the exact one; SE of a sample variance √((μ₄ − s⁴)/M)
        let n = vals.len() as f64;
        let s2 = vals.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0);
        let m4 = vals.iter().map(|v| (v - m).powi(4)).sum::<f64>() / n;
        // (Rademacher: vᵀAv takes two values ±0.3 about −2.5, so μ₄ = s⁴ and the sample variance
        // is exact up to the n/(n − 1) factor and the mean's error: allow 1e-4 relative)
        let se_var = ((m4 - s2 * s2).max(0.0) / n).sqrt();
        let exact = trace_estimator_variance(a, kind);
        assert!(
            (s2 - exact).abs() < 5.0 * se_var + 1e-4 * exact,
            "{kind:?}: {s2} ± {se_var} vs {exact}"
        );
    }
    // the affine SSM objective averaged over projections is ISM (checked with 5 SE above too)
    let sm = AffineScoreMatching::new(two_modes_1d(), 0.5).unwrap();
    let s = AffineSamples::draw(sm.target(), 50_000, 1).unwrap();
    let (g, r) = s.sliced_variances(&sm, -0.5, 0.3);
    assert!(g > r, "Gaussian projections add variance: {g} vs {r}");
    assert!(noised1(sm.target(), 0.5).is_ok());
}

#[test]
fn bad_parameters_are_named() {
    assert!(AffineScoreMatching::new(two_modes_1d(), 0.0)
        .unwrap_err()
        .to_string()
        .starts_with("sigma must be a finite number in [0.01, 10]"));
    assert!(AffineSamples::draw(&two_modes_1d(), 1, 1)
        .unwrap_err()
        .to_string()
        .starts_with("samples must be"));
    assert!(line_integral(|x| x, [0.0, 0.0], [1.0, 1.0], 0).is_err());
}

#[test]
fn v_s7_tracers_climb_into_modes_and_minus_log_p_never_increases() {
    use scorebook::score::flow::ScoreFlow;
    let p = preset("two-modes").unwrap();
    let view = p.view_box();
    let mut f = ScoreFlow::new(300, view, 0.05, 0.004 * (view[1] - view[0]), 3).unwrap();
    let energy = |f: &ScoreFlow| {
        f.points
            .iter()
            .map(|x| -p.log_density(*x))
            .collect::<Vec<f64>>()
    };
    let mut before = energy(&f);
    for _ in 0..3000 {
        f.step(|x| p.score(x));
        let after = energy(&f);
        // each RK4 step is small against the curvature, so every tracer goes uphill (a 1e-12
        // allowance for round-off once it sits on a mode)
        for (a, b) in before.iter().zip(&after) {
            assert!(b <= &(a + 1e-12), "{a} → {b}");
        }
        before = after;
    }
    assert_eq!(f.steps(), 3000);
    // after 3000 steps every tracer sits on one of the two modes, where ‖s‖ is tiny and ∇s < 0
    let modes: Vec<[f64; 2]> = critical_points(&p, view)
        .into_iter()
        .filter(|c| c.kind == CriticalKind::Mode)
        .map(|c| c.x)
        .collect();
    assert_eq!(modes.len(), 2);
    for x in &f.points {
        let d = modes
            .iter()
            .map(|m| (m[0] - x[0]).hypot(m[1] - x[1]))
            .fold(f64::INFINITY, f64::min);
        assert!(d < 1e-3, "{x:?} is {d} from the nearest mode");
    }
    assert!(ScoreFlow::new(0, view, 0.05, 0.1, 1)
        .unwrap_err()
        .to_string()
        .starts_with("tracers must be"));
}

#[test]
fn a_new_sigma_moves_the_same_points_as_a_fresh_run() {
    // common random numbers: x and z are drawn in the same order whatever σ is
    let mut a = TweedieDenoising::new(ring8(), 0.3, 500, 12).unwrap();
    a.set_sigma(0.9).unwrap();
    let b = TweedieDenoising::new(ring8(), 0.9, 500, 12).unwrap();
    assert_eq!(a.clean, b.clean);
    for (u, v) in a.noisy.iter().zip(&b.noisy) {
        assert!((u[0] - v[0]).abs() < 1e-12 && (u[1] - v[1]).abs() < 1e-12);
    }
    a.add(300).unwrap();
    assert_eq!(a.len(), 800);
    assert!(a
        .add(1_000_000)
        .unwrap_err()
        .to_string()
        .starts_with("samples to add must be"));
}
