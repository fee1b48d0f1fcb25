//! Fokker–Planck grid solvers against closed forms (curriculum V-05, V-L1, V-L2, V-L3, V-32).
//! Deterministic except the particle-distance test (fixed seed); tolerances justified inline.

use scorebook::fokker_planck::{
    Advection, FokkerPlanck1d, FokkerPlanck2d, FpDirection, SdeDensity2d,
};
use scorebook::mixture::GaussianMixture;
use scorebook::particles::Particles;
use scorebook::rng::sim_rng;
use scorebook::sde::Sde;

fn gauss(x: f64, m: f64, v: f64) -> f64 {
    (-(x - m).powi(2) / (2.0 * v)).exp() / (2.0 * std::f64::consts::PI * v).sqrt()
}

/// Evolves OU (drift −a x, D = b²/2) on [lo, hi] with `cells` cells from N(m₀, v₀) to time t at
/// ½ the positivity limit; returns the grid and the exact cell averages of p_t.
fn ou_run(
    (a, b): (f64, f64),
    (m0, v0): (f64, f64),
    t: f64,
    (lo, hi, cells): (f64, f64, usize),
) -> (FokkerPlanck1d, Vec<f64>) {
    let mut fp = FokkerPlanck1d::new(lo, hi, cells, |x| gauss(x, m0, v0)).unwrap();
    let d = 0.5 * b * b;
    let dt0 = 0.5 * fp.max_time_step(d, |x| -a * x);
    let n = (t / dt0).ceil() as usize;
    let dt = t / n as f64;
    for _ in 0..n {
        fp.step(dt, d, |x| -a * x).unwrap();
    }
    let (m, v) = (
        (-a * t).exp() * m0,
        (-2.0 * a * t).exp() * v0 + b * b / (2.0 * a) * (1.0 - (-2.0 * a * t).exp()),
    );
    let exact = FokkerPlanck1d::new(lo, hi, cells, |x| gauss(x, m, v)).unwrap();
    (fp, exact.density().to_vec())
}

/// V-L2 / V-03: OU from N(2, 0.25) (a = b = 1) to t = 1 against the Gaussian solution; mass
/// conserved to round-off; the error falls like h² under refinement (SG fluxes are second order
/// for smooth solutions, and Δt ∝ h² at the positivity limit, so Euler's O(Δt) is O(h²) too).
#[test]
fn ou_density_matches_the_closed_form_and_conserves_mass() {
    let (fp, exact) = ou_run((1.0, 1.0), (2.0, 0.25), 1.0, (-6.0, 8.0, 280));
    let e1 = fp.l1_to(&exact);
    assert!((fp.mass() - 1.0).abs() < 1e-12, "mass {}", fp.mass());
    assert!(fp.density().iter().all(|p| *p >= 0.0));
    let (fp2, exact2) = ou_run((1.0, 1.0), (2.0, 0.25), 1.0, (-6.0, 8.0, 560));
    let e2 = fp2.l1_to(&exact2);
    // measured 4.1e-4 at h = 0.05 and 1.07e-4 at h = 0.025: second order (ratio 4 ± 20 %)
    assert!(e1 < 6e-4 && (3.2..4.8).contains(&(e1 / e2)), "L1 {e1} {e2}");
    // moments of the grid law: mean e⁻¹·2 = 0.7357589, variance 0.25e⁻² + ½(1 − e⁻²) = 0.4661817;
    // the O(h²) = 6e-4 discretisation error of the density bounds both to 2e-4 here
    let (m, v) = fp2.moments();
    let ve = 0.25 * (-2f64).exp() + 0.5 * (1.0 - (-2f64).exp());
    assert!(
        (m - 0.735_758_882_3).abs() < 2e-4 && (v - ve).abs() < 2e-4,
        "{m} {v} {ve}"
    );
    assert!((fp2.mass() - 1.0).abs() < 1e-12);
}

/// V-L1: Langevin dynamics towards π (u = D ∇log π) on the equilibrium-preserving SG grid keeps
/// p = π to round-off, in 1D (double well) and 2D (a mixture), over thousands of steps.
#[test]
fn discrete_equilibrium_is_stationary() {
    let v = |x: f64| (x * x - 1.0).powi(2);
    let mut fp = FokkerPlanck1d::new(-3.0, 3.0, 300, |x| (-v(x)).exp()).unwrap();
    let log_pi: Vec<f64> = fp.density().iter().map(|p| p.ln()).collect();
    let start = fp.density().to_vec();
    for _ in 0..5000 {
        fp.step_towards(5e-5, 1.0, &log_pi).unwrap();
    }
    let dev = fp
        .density()
        .iter()
        .zip(&start)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    let peak = start.iter().cloned().fold(0.0, f64::max);
    // round-off only: each face flux is B(−Δ)p_L − B(Δ)p_R with p_R = e^Δ p_L to one ulp
    assert!(dev / peak < 1e-10, "1D {dev}");
    assert!((fp.mass() - 1.0).abs() < 1e-12);
    let p = GaussianMixture::from_flat(
        &[0.3, 0.7],
        &[-1.0, 0.5, 1.2, -0.3],
        &[0.3, 0.1, 0.4, 0.5, -0.2, 0.3],
    )
    .unwrap();
    let mut fp2 = FokkerPlanck2d::new([-4.0, 4.0, -4.0, 4.0], 64, 64, |x| p.density(x)).unwrap();
    let log_pi: Vec<f64> = fp2.density().iter().map(|p| p.ln()).collect();
    let start = fp2.density().to_vec();
    for _ in 0..1000 {
        fp2.step_towards(1e-3, 1.0, &log_pi).unwrap();
    }
    let dev = fp2
        .density()
        .iter()
        .zip(&start)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    let peak = start.iter().cloned().fold(0.0, f64::max);
    assert!(dev / peak < 1e-10, "2D {dev}");
    assert!((fp2.mass() - 1.0).abs() < 1e-12);
}

/// V-L3: KL(ρ_t ‖ N(0, 1)) under OU (drift −x, D = 1): from N(2, 1) it is 2e^{−2t} (0.735759 at
/// t = ½, 0.270671 at t = 1); from N(0, 4) it is ½(v − 1 − ln v), v = 1 + 3e^{−2t} (0.179985,
/// 0.032626), below the LSI bound KL(0)e^{−2t}; dKL/dt equals −(Fisher divergence).
#[test]
fn kl_decay_under_ou() {
    let target = FokkerPlanck1d::new(-10.0, 12.0, 440, |x| gauss(x, 0.0, 1.0)).unwrap();
    for (m0, v0, t, want) in [
        (2.0, 1.0, 0.5, 0.735_759),
        (2.0, 1.0, 1.0, 0.270_671),
        (0.0, 4.0, 0.5, 0.179_985),
        (0.0, 4.0, 1.0, 0.032_626),
    ] {
        let (fp, _) = ou_run((1.0, 2f64.sqrt()), (m0, v0), t, (-10.0, 12.0, 440));
        let kl = fp.kl_to(target.density());
        // grid error O(h²) + O(Δt) (h = 0.05): measured ≤ 1e-4; the prints have 6 decimals
        assert!(
            (kl - want).abs() < 2e-4,
            "m0={m0} v0={v0} t={t}: {kl} vs {want}"
        );
        if v0 == 4.0 {
            // below the LSI bound KL(0)e^{−2t} (rate 2ρ = 2 for N(0, 1))
            let kl0 = 0.5 * (4.0 - 1.0 - 4f64.ln());
            assert!(kl < kl0 * (-2.0 * t).exp());
        }
    }
    // the second law as a KL decay, step by step on the grid
    let mut fp = FokkerPlanck1d::new(-10.0, 12.0, 440, |x| gauss(x, 2.0, 1.0)).unwrap();
    let mut last = fp.kl_to(target.density());
    for _ in 0..50 {
        for _ in 0..20 {
            fp.step(5e-4, 1.0, |x| -x).unwrap();
        }
        let kl = fp.kl_to(target.density());
        assert!(kl < last);
        last = kl;
    }
    // dKL/dt = −(Fisher divergence) = −((v − 1)²/v + m²) for N(m, v) against N(0, 1), by
    // central differences of the closed forms (h = 1e-5: truncation ~1e-10, relative 1e-6)
    let kl = |m: f64, v: f64| 0.5 * (v - 1.0 - v.ln() + m * m);
    for (m0, v0) in [(2.0, 1.0), (0.0, 4.0), (1.0, 0.3)] {
        let mv = |t: f64| (m0 * (-t).exp(), 1.0 + (v0 - 1.0) * (-2.0 * t).exp());
        for t in [0.2, 0.5, 1.0] {
            let e = 1e-5;
            let ((a, b), (c, d)) = (mv(t + e), mv(t - e));
            let dkl = (kl(a, b) - kl(c, d)) / (2.0 * e);
            let (m, v) = mv(t);
            let fisher = (v - 1.0).powi(2) / v + m * m;
            assert!((dkl + fisher).abs() < 1e-6 * fisher, "{m0} {v0} {t}");
        }
    }
}

/// V-32 / V-05 in 2D: forward from a mixture, reverse with c = 1 and the probability flow (c = 0)
/// from the exact p_T, against the exact marginals at the end (OU a = 1, b = √2, T = 1), on
/// 32² and 64² grids at ½ the positivity limit: mass to round-off, positivity, and the errors
/// fall at the schemes' orders (SG with diffusion: second; pure advection: MUSCL–minmod about
/// second, upwind first).
/// The histogram distances: exact samples of the grid's law score the KL floor (the estimator's
/// bias) within 20 % (the KL's SD is ≈ √(2B)/(2N) ≈ 3 % of the floor here, the Poisson
/// approximation of the floor 3 %); a wrong cloud is flagged (KL = ∞ with mass outside the grid);
/// Euler–Maruyama particles run to T = 1 agree with the grid solution at T the same way.
#[test]
fn particles_vs_grid() {
    let data = GaussianMixture::from_flat(
        &[0.3, 0.7],
        &[-1.5, 0.0, 1.0, 0.5],
        &[0.09, 0.0, 0.16, 0.25, 0.05, 0.2],
    )
    .unwrap();
    let sde = Sde::ou(1.0, 2f64.sqrt(), 1.0).unwrap();
    let s = SdeDensity2d::new(
        sde,
        &data,
        FpDirection::Forward,
        [-4.0, 4.0, -4.0, 4.0],
        40,
        1e-3,
    )
    .unwrap();
    let mut rng = sim_rng(3);
    let mut p = Particles::default();
    for _ in 0..100_000 {
        let x = data.sample(&mut rng);
        p.xs.push(x[0] as f32);
        p.ys.push(x[1] as f32);
    }
    let d = s.grid().particle_distance(&p);
    assert!((0.8..1.2).contains(&(d.kl / d.kl_floor)), "{d:?}");
    assert!(d.outside == 0.0 && d.l1 < 0.06);
    let w = Particles::normal(100_000, [0.0, 0.0], 2.0, 1);
    let d = s.grid().particle_distance(&w);
    assert!(
        d.kl.is_infinite() && d.outside > 0.05 && d.l1 > 1.0,
        "{d:?}"
    );
    let mut s = SdeDensity2d::new(
        sde,
        &data,
        FpDirection::Forward,
        [-6.0, 6.0, -6.0, 6.0],
        48,
        1e-3,
    )
    .unwrap();
    let dt = 0.5 * s.max_time_step().unwrap();
    let mut s = SdeDensity2d::new(
        sde,
        &data,
        FpDirection::Forward,
        [-6.0, 6.0, -6.0, 6.0],
        48,
        dt,
    )
    .unwrap();
    while s.step().unwrap() {}
    let mut f = scorebook::sde::forward::ForwardSampler::new(sde, 200, 1.0, 1e4, 4).unwrap();
    while f.step(&mut p).unwrap() {}
    let d = s.grid().particle_distance(&p);
    // EM's O(h) bias (h = 0.005) and the grid's O(h²) error are below the sampling noise here
    assert!((0.8..1.2).contains(&(d.kl / d.kl_floor)), "{d:?}");
}

#[test]
fn sde_densities_track_the_exact_marginals() {
    let data = GaussianMixture::from_flat(
        &[0.3, 0.7],
        &[-1.5, 0.0, 1.0, 0.5],
        &[0.09, 0.0, 0.16, 0.25, 0.05, 0.2],
    )
    .unwrap();
    let sde = Sde::ou(1.0, 2f64.sqrt(), 1.0).unwrap();
    let view = [-4.0, 4.0, -4.0, 4.0];
    // (direction, bound on the 64² error, least error ratio 32² → 64²). Measured L1 on 32² → 64²:
    // forward 3.9e-3 → 9.2e-4 (×4.2), reverse c = 1 2.1e-2 → 6.0e-3 (×3.5), probability flow
    // with MUSCL–minmod 7.1e-2 → 2.4e-2 (×2.9: second order, clipped at the extrema)
    for (dir, bound, ratio) in [
        (FpDirection::Forward, 1.5e-3, 3.0),
        (FpDirection::Reverse { noise_level: 1.0 }, 1e-2, 3.0),
        (FpDirection::Reverse { noise_level: 0.0 }, 0.035, 2.5),
    ] {
        let mut errs = vec![];
        for n in [32usize, 64] {
            let mut s = SdeDensity2d::new(sde, &data, dir, view, n, 1.0).unwrap();
            let dt = 0.5
                * [0.0, 0.25, 0.5, 1.0]
                    .iter()
                    .map(|t| s.max_time_step_at(*t).unwrap())
                    .fold(f64::MAX, f64::min);
            let mut s = SdeDensity2d::new(sde, &data, dir, view, n, dt).unwrap();
            while s.step().unwrap() {}
            assert!((s.grid().mass() - 1.0).abs() < 1e-12, "{dir:?}");
            assert!(s.grid().density().iter().all(|p| *p >= 0.0));
            assert_eq!(
                s.time(),
                0.0f64.max(if dir == FpDirection::Forward {
                    1.0
                } else {
                    0.0
                })
            );
            errs.push(s.l1_to_exact().unwrap());
        }
        assert!(
            errs[1] < bound && errs[0] / errs[1] > ratio,
            "{dir:?} {errs:?}"
        );
    }
    // first-order upwinding of the flow on 64² smears far more (measured 0.122)
    let dir = FpDirection::Reverse { noise_level: 0.0 };
    let mut s = SdeDensity2d::new(sde, &data, dir, view, 64, 1.0).unwrap();
    let dt = 0.5
        * s.max_time_step_at(0.0)
            .unwrap()
            .min(s.max_time_step_at(1.0).unwrap());
    let mut s = SdeDensity2d::new(sde, &data, dir, view, 64, dt).unwrap();
    s.set_advection(Advection::Upwind);
    while s.step().unwrap() {}
    let e = s.l1_to_exact().unwrap();
    assert!(
        e > 0.1 && e < 0.15 && s.grid().density().iter().all(|p| *p >= 0.0),
        "{e}"
    );
}

/// A step beyond the positivity limit is refused with a message naming the limit, and leaves
/// the density untouched; other bad input names its parameter.
#[test]
fn cfl_and_bad_input_errors() {
    let mut fp = FokkerPlanck1d::new(-5.0, 5.0, 100, |x| gauss(x, 0.0, 1.0)).unwrap();
    let lim = fp.max_time_step(1.0, |x| -x);
    // D/h² = 100 per face, two faces: limit ≈ 1/(200 + advection) < 5e-3
    assert!(lim > 4e-3 && lim < 5e-3, "{lim}");
    let before = fp.density().to_vec();
    let e = fp.step(2.0 * lim, 1.0, |x| -x).unwrap_err().to_string();
    assert!(
        e.starts_with("time_step must be a number in (0, 4.")
            && e.contains("positivity (CFL) limit"),
        "{e}"
    );
    assert_eq!(fp.density(), &before[..]);
    fp.step(lim, 1.0, |x| -x).unwrap();
    assert!(fp
        .step(-1.0, 1.0, |x| x)
        .unwrap_err()
        .to_string()
        .starts_with("time_step must be a finite number > 0"));
    assert!(fp
        .step(1e-4, -1.0, |x| x)
        .unwrap_err()
        .to_string()
        .starts_with("diffusion must be"));
    assert!(fp
        .step(1e-4, 1.0, |_| f64::NAN)
        .unwrap_err()
        .to_string()
        .starts_with("velocity must be finite"));
    assert!(FokkerPlanck1d::new(1.0, 0.0, 10, |_| 1.0)
        .unwrap_err()
        .to_string()
        .starts_with("interval must be"));
    assert!(FokkerPlanck1d::new(0.0, 1.0, 2, |_| 1.0)
        .unwrap_err()
        .to_string()
        .starts_with("cells must be an integer in [3, 100000]"));
    assert!(FokkerPlanck2d::new([0.0, 1.0, 0.0, 1.0], 8, 8, |_| 0.0)
        .unwrap_err()
        .to_string()
        .starts_with("density must be"));
    let data = GaussianMixture::from_flat(&[1.0], &[0.0, 0.0], &[1.0, 0.0, 1.0]).unwrap();
    let sde = Sde::vp(0.1, 20.0).unwrap();
    let v = [-4.0, 4.0, -4.0, 4.0];
    assert!(
        SdeDensity2d::new(sde, &data, FpDirection::Forward, v, 32, 0.0)
            .unwrap_err()
            .to_string()
            .starts_with("time_step must be")
    );
    assert!(SdeDensity2d::new(
        sde,
        &data,
        FpDirection::Reverse { noise_level: -1.0 },
        v,
        32,
        1e-3
    )
    .unwrap_err()
    .to_string()
    .starts_with("noise_level must be"));
    let mut s = SdeDensity2d::new(sde, &data, FpDirection::Forward, v, 64, 0.5).unwrap();
    assert!(s
        .step()
        .unwrap_err()
        .to_string()
        .starts_with("time_step must be a number in (0, "));
}

/// V-32 in 1D on M1 = 0.3 N(−2, 0.3²) + 0.7 N(1.5, 0.5²) under OU a = 1, b = √2 from the exact
/// p_T (T = 1): the reverse equation with the exact score, for c = 1 (drift x + g²s, D = 1) and
/// c = 0 (the continuity equation, drift x + s), lands on p₀. Cell width 0.02 on [−6, 6].
fn m1_marginal(x: f64, t: f64) -> (f64, f64) {
    // (density, score) of M1 pushed to t: N(α m, α² s² + 1 − α²), α = e^{−t}
    let a = (-t).exp();
    let comps = [(0.3, -2.0, 0.09), (0.7, 1.5, 0.25)];
    let (mut p, mut dp) = (0.0, 0.0);
    for (w, m, s2) in comps {
        let v = a * a * s2 + 1.0 - a * a;
        let g = w * gauss(x, a * m, v);
        p += g;
        dp += g * (-(x - a * m) / v);
    }
    (p, dp / p)
}

#[test]
fn reverse_fokker_planck_returns_m1_in_1d() {
    // measured L1 at h = 0.02 (and h = 0.01): c = 1 → 2.3e-4 (6.0e-5: SG, second order);
    // c = 0 → 1.76e-2 (8.9e-3: upwind, first order). Bounds ≈ 2× and 1.4× the h = 0.02 values.
    for (c, bound) in [(1.0f64, 5e-4), (0.0, 2.5e-2)] {
        let mut fp = FokkerPlanck1d::new(-6.0, 6.0, 600, |x| m1_marginal(x, 1.0).0).unwrap();
        let d = c * c; // c²g²/2 with g² = 2
        let k = 1.0 + c * c; // (1 + c²)/2 · g²
        let dt0 = 0.5 * fp.max_time_step(d, |x| x + k * m1_marginal(x, 0.0).1);
        let n = (1.0 / dt0).ceil() as usize;
        let dt = 1.0 / n as f64;
        for i in 0..n {
            let t = 1.0 - i as f64 * dt;
            fp.step(dt, d, |x| x + k * m1_marginal(x, t).1).unwrap();
        }
        let exact = FokkerPlanck1d::new(-6.0, 6.0, 600, |x| m1_marginal(x, 0.0).0).unwrap();
        let l1 = fp.l1_to(exact.density());
        assert!(
            l1 < bound && (fp.mass() - 1.0).abs() < 1e-12,
            "c = {c}: L1 {l1}"
        );
    }
}
