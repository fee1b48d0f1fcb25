//! SDEs, their exact marginals and the particle integrators against closed forms (curriculum
//! V-02, V-03, V-05, V-08, V-09, V-13, V-19, V-D4, V-D5). Fixed seeds; tolerances justified inline.

use scorebook::gaussian::Gaussian2;
use scorebook::kernel::KernelPath;
use scorebook::mixture::GaussianMixture;
use scorebook::particles::Particles;
use scorebook::rng::sim_rng;
use scorebook::sde::euler_maruyama::{em_path, linear_em_moments, log_log_slope, Gbm, ScalarOu};
use scorebook::sde::forward::{ForwardMethod, ForwardSampler};
use scorebook::sde::predictor_corrector::PredictorCorrector;
use scorebook::sde::reverse::{ReverseMethod, ReverseSampler};
use scorebook::sde::score::{ExactMixtureScore, ScoreModel};
use scorebook::sde::{runaway_radius, NoiseLevel, Sde};
use scorebook::stats::moments;
use scorebook::Error;

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

/// The curriculum's M1 = 0.3 N(−2, 0.3²) + 0.7 N(1.5, 0.5²) in x, with an independent N(0, 1) y:
/// under OU a = 1, b = √2 the y factor N(0, α² + v) = N(0, 1) is common to both components, so
/// x-scores and x-marginals are exactly M1's 1D ones.
fn m1() -> GaussianMixture {
    GaussianMixture::from_flat(
        &[0.3, 0.7],
        &[-2.0, 0.0, 1.5, 0.0],
        &[0.09, 0.0, 1.0, 0.25, 0.0, 1.0],
    )
    .unwrap()
}

fn ou_m1() -> Sde {
    Sde::ou(1.0, 2f64.sqrt(), 5.0).unwrap()
}

/// V-08, V-D4: VP, VE and the constant-β VP against the curriculum's numbers (printed to 10
/// significant digits: tolerance 1e-10 absolute).
#[test]
fn vp_and_ve_marginals() {
    let c = Sde::vp(10.0, 10.0).unwrap();
    assert!(close(c.mean_scale(1.0), 0.006_737_947, 1e-9));
    assert!(close(c.marginal_variance(1.0), 0.999_954_600_1, 1e-10));
    assert!(close(c.mean_scale(0.5), 0.082_084_998_6, 1e-10));
    assert!(close(c.marginal_variance(0.5), 0.993_262_053_0, 1e-10));
    let v = Sde::vp(0.1, 20.0).unwrap();
    assert!(close(v.mean_scale(1.0), 0.006_571_586_5, 1e-10));
    assert!(close(v.marginal_variance(1.0), 0.999_956_814_3, 1e-10));
    assert!(close(v.mean_scale(0.5), 0.281_182_880_8, 1e-10));
    assert!(close(v.marginal_variance(0.5), 0.920_936_187_5, 1e-10));
    let e = Sde::ve(0.01, 50.0).unwrap();
    if let Sde::Ve(ve) = e {
        assert!(
            close(ve.sigma(0.5), std::f64::consts::FRAC_1_SQRT_2, 1e-12) /* 0.01·√5000 */ && close(ve.sigma(1.0), 50.0, 1e-12)
        );
    }
    assert!(close(e.marginal_variance(1.0), 2500.0 - 1e-4, 1e-9));
    // V-03: OU a = b = 1, x₀ = 2, t = 1: mean 0.7357588823, var 0.4323323584
    let o = Sde::ou(1.0, 1.0, 1.0).unwrap();
    assert!(close(2.0 * o.mean_scale(1.0), 0.735_758_882_3, 1e-10));
    assert!(close(o.marginal_variance(1.0), 0.432_332_358_4, 1e-10));
}

/// Every SDE's closed-form marginal solves the moment ODEs α' = fα, v' = 2f v + g²
/// (central differences, h = 1e-5: truncation O(h²·|v'''|) ≲ 1e-8 relative to the slopes here).
#[test]
fn marginals_solve_the_moment_odes() {
    let sdes = [
        Sde::vp(0.1, 20.0).unwrap(),
        Sde::sub_vp(0.1, 20.0).unwrap(),
        Sde::ve(0.01, 50.0).unwrap(),
        Sde::ou(1.3, 0.7, 4.0).unwrap(),
    ];
    for s in sdes {
        for t in [0.05, 0.3, 0.7, 0.95] {
            let h = 1e-5;
            let da = (s.mean_scale(t + h) - s.mean_scale(t - h)) / (2.0 * h);
            let dv = (s.marginal_variance(t + h) - s.marginal_variance(t - h)) / (2.0 * h);
            let rhs_a = s.drift_coef(t) * s.mean_scale(t);
            let rhs_v = 2.0 * s.drift_coef(t) * s.marginal_variance(t) + s.diffusion_sq(t);
            assert!(
                close(da, rhs_a, 1e-6 * (1.0 + rhs_a.abs())),
                "{} t={t}",
                s.name()
            );
            assert!(
                close(dv, rhs_v, 1e-6 * (1.0 + rhs_v.abs())),
                "{} t={t} {dv} {rhs_v}",
                s.name()
            );
        }
        assert_eq!(s.marginal_variance(0.0), 0.0);
        assert_eq!(s.mean_scale(0.0), 1.0);
    }
    // sub-VP variance is below VP's at every t (Song et al. §3.4)
    let (v, sv) = (Sde::vp(0.1, 20.0).unwrap(), Sde::sub_vp(0.1, 20.0).unwrap());
    for t in [0.1, 0.5, 1.0] {
        assert!(sv.marginal_variance(t) < v.marginal_variance(t));
    }
}

/// V-05 and V-09: the noised M1 density, score and ∂²log p (via the 2D mixture's x-marginal,
/// see `m1`). The curriculum prints 10 digits for p and the score, 7 for ∂².
#[test]
fn noised_mixture_density_score_and_hessian() {
    let s = ou_m1();
    let y_factor = 1.0 / (2.0 * std::f64::consts::PI).sqrt(); // N(0; 0, 1)
    for (x, t, dens, score, hess) in [
        (0.5, 0.5, 0.308_414_146_5, 0.401_291_604_2, -0.897_365_9),
        (0.0, 0.1, 0.041_718_363_6, 3.418_673_897_1, -1.572_946_8),
        (-1.0, 1.0, 0.199_958_188_1, 0.851_357_313_8, -0.648_175_5),
        (2.0, 0.0, 0.338_759_014_3, -2.0, -4.0),
    ] {
        let p = s.marginal_mixture(&m1(), t).unwrap();
        assert!(
            close(p.density([x, 0.0]) / y_factor, dens, 1e-10),
            "p({x},{t})"
        );
        let (sc, h) = p.score_hessian([x, 0.0]);
        assert!(
            close(sc[0], score, 1e-10) && close(sc[1], 0.0, 1e-15),
            "s({x},{t})"
        );
        assert!(close(h[0], hess, 1e-7) && close(h[1], 0.0, 1e-15) && close(h[2], -1.0, 1e-12));
    }
}

/// The f32 exact score used by the samplers agrees with the f64 mixture score (f32 rounding of
/// the constants and the softmax: relative 1e-4 of the score scale).
#[test]
fn f32_exact_score_matches_f64() {
    let s = Sde::vp(0.1, 20.0).unwrap();
    let mut sc = ExactMixtureScore::new(&m1());
    let xs: Vec<f32> = (0..9).map(|i| -3.0 + 0.75 * i as f32).collect();
    let ys: Vec<f32> = xs.iter().map(|x| 0.5 - 0.3 * x).collect();
    let (mut sx, mut sy) = (vec![0.0; 9], vec![0.0; 9]);
    for t in [0.0, 0.01, 0.2, 0.9] {
        sc.score(&s.level(t), &xs, &ys, &mut sx, &mut sy);
        let p = s.marginal_mixture(&m1(), t).unwrap();
        for i in 0..9 {
            let e = p.score([xs[i] as f64, ys[i] as f64]);
            let scale = 1.0 + e[0].abs() + e[1].abs();
            assert!(
                close(sx[i] as f64, e[0], 1e-4 * scale) && close(sy[i] as f64, e[1], 1e-4 * scale),
                "t={t} i={i}"
            );
        }
    }
}

/// V-02: EM's exact discrete moments on OU, deterministic (1e-10 on 10-digit prints) and sampled.
#[test]
fn euler_maruyama_exact_discrete_moments() {
    let (m, v) = linear_em_moments(1.0, 1.0, 2.0, 0.01, 100).unwrap();
    assert!(close(m, 0.732_064_682_5, 1e-10) && close(v, 0.435_186_093_0, 1e-10));
    let (m, v) = linear_em_moments(1.0, 1.0, 2.0, 0.001, 1000).unwrap();
    assert!(close(m, 0.735_390_849_5, 1e-10) && close(v, 0.432_616_345_5, 1e-10));
    // stationary EM variance b²/(a(2 − ah)) = 0.5025125628 at h = 0.01
    let (_, v) = linear_em_moments(1.0, 1.0, 0.0, 0.01, 100_000).unwrap();
    assert!(close(v, 0.502_512_562_8, 1e-10));
    // sampled: 2·10⁵ particles from x₀ = (2, 2), 100 steps of h = 0.01
    let sde = Sde::ou(1.0, 1.0, 1.0).unwrap();
    let n = 200_000;
    let mut f = ForwardSampler::new(sde, 100, 1.0, 1e4, 7).unwrap();
    let mut p = Particles::normal(n, [2.0, 2.0], 0.0, 7);
    while f.step(&mut p).unwrap() {}
    let mo = moments(&p);
    // Gaussian: mean SE √(0.435/N) = 1.5e-3 → 5 SE = 0.0074; variance SE 0.435√(2/N) → 5 SE = 0.0069.
    // The continuous mean 0.7358 is 3.7e-3 away: the discrete one is the right reference.
    let (m, v) = linear_em_moments(1.0, 1.0, 2.0, 0.01, 100).unwrap();
    for k in 0..2 {
        assert!(close(mo.mean[k], m, 0.0074), "{:?}", mo.mean);
    }
    assert!(
        close(mo.cov[0], v, 0.0069) && close(mo.cov[2], v, 0.0069),
        "{:?}",
        mo.cov
    );
}

/// V-D4: forward EM on the VP SDE (β 0.1 → 20) from x₀ = (3, −1): moments at t = 1 against
/// α₁ = 0.0065716 and 1 − α₁² (EM's weak bias here ≈ h/8·∫β² ≈ 2 % of α₁·|x₀| = 4e-4, 1000 steps).
#[test]
fn forward_vp_simulation_matches_the_marginal() {
    let sde = Sde::vp(0.1, 20.0).unwrap();
    let n = 100_000;
    let mut f = ForwardSampler::new(sde, 1000, 1.0, 1e4, 3).unwrap();
    let mut p = Particles::normal(n, [3.0, -1.0], 0.0, 3);
    while f.step(&mut p).unwrap() {}
    let mo = moments(&p);
    let (a, v) = (sde.mean_scale(1.0), sde.marginal_variance(1.0));
    // 5 SE = 5√(1/N) = 0.016 on the mean; 5·√(2/N) = 0.022 on the variance; plus the 4e-4 bias
    assert!(
        close(mo.mean[0], 3.0 * a, 0.017) && close(mo.mean[1], -a, 0.017),
        "{:?}",
        mo.mean
    );
    assert!(
        close(mo.cov[0], v, 0.023) && close(mo.cov[2], v, 0.023),
        "{:?}",
        mo.cov
    );
}

/// Brownian increments of `fine` steps of size h for `paths` paths (fixed seed).
fn increments(paths: usize, fine: usize, h: f64, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = sim_rng(seed);
    (0..paths)
        .map(|_| {
            let mut w = Vec::with_capacity(fine);
            while w.len() < fine {
                let (a, b) = scorebook::normal::normal_pair(
                    rand::Rng::next_u32(&mut rng),
                    rand::Rng::next_u32(&mut rng),
                );
                w.push(a as f64 * h.sqrt());
                w.push(b as f64 * h.sqrt());
            }
            w.truncate(fine);
            w
        })
        .collect()
}

fn coarsen(w: &[f64], factor: usize) -> Vec<f64> {
    w.chunks(factor).map(|c| c.iter().sum()).collect()
}

/// V-19: EM on geometric Brownian motion (λ = 2, μ = 1, X₀ = 1, T = 1) at Δt = 2⁻⁹ … 2⁻⁵ on the
/// same Brownian paths: strong order ½ and weak order 1 (exact weak error (1 + λΔt)ⁿ − e^λ).
#[test]
fn gbm_strong_order_half_and_weak_order_one() {
    let g = Gbm {
        lambda: 2.0,
        mu: 1.0,
    };
    let paths = 20_000;
    let fine = 512;
    let w = increments(paths, fine, 1.0 / fine as f64, 11);
    let (mut hs, mut strong, mut weak) = (vec![], vec![], vec![]);
    for level in 0..5 {
        let factor = 1usize << level;
        let h = factor as f64 / fine as f64;
        let (mut se, mut diffs) = (0.0, Vec::with_capacity(paths));
        for path in &w {
            let wt: f64 = path.iter().sum();
            let exact = g.exact(1.0, 1.0, wt);
            let em = em_path(&g, 1.0, h, &coarsen(path, factor));
            se += (em - exact).abs();
            diffs.push(em - exact);
        }
        let mean_diff = diffs.iter().sum::<f64>() / paths as f64;
        let sd = (diffs.iter().map(|d| (d - mean_diff).powi(2)).sum::<f64>() / (paths - 1) as f64)
            .sqrt();
        // E[X_EM] − E[X] = (1 + λh)ⁿ − e^λ exactly; the coupled difference estimates it within 5 SE
        let exact_weak = (1.0 + 2.0 * h).powi((1.0 / h).round() as i32) - 2f64.exp();
        assert!(
            close(mean_diff, exact_weak, 5.0 * sd / (paths as f64).sqrt()),
            "h={h} {mean_diff} {exact_weak}"
        );
        hs.push(h);
        strong.push(se / paths as f64);
        weak.push(exact_weak.abs());
    }
    // the fitted slopes: 0.53 in the curriculum's run; accept ½ ± 0.1 (MC error of each strong
    // error is ≈ 1 %, and the pre-asymptotic curvature over a factor 16 in h is a few hundredths)
    let s = log_log_slope(&hs, &strong);
    assert!(close(s, 0.5, 0.1), "strong slope {s}");
    let wk = log_log_slope(&hs, &weak);
    assert!(close(wk, 1.0, 0.1), "weak slope {wk}");
}

/// V-19: additive noise (OU a = 1, b = 1, x₀ = 2) has strong order 1: errors against a reference
/// EM path on Δt = 2⁻¹³ (whose own error, ∝ 2⁻¹³, is < 4 % of the smallest measured one).
#[test]
fn ou_strong_order_one() {
    let ou = ScalarOu { a: 1.0, b: 1.0 };
    let (paths, fine) = (5_000, 8192);
    let w = increments(paths, fine, 1.0 / fine as f64, 5);
    let (mut hs, mut errs) = (vec![], vec![]);
    for level in [4usize, 5, 6, 7, 8] {
        let factor = 1usize << level;
        let h = factor as f64 / fine as f64;
        let mut e = 0.0;
        for path in &w {
            let reference = em_path(&ou, 2.0, 1.0 / fine as f64, path);
            e += (em_path(&ou, 2.0, h, &coarsen(path, factor)) - reference).abs();
        }
        hs.push(h);
        errs.push(e / paths as f64);
    }
    let s = log_log_slope(&hs, &errs);
    // curriculum: 1.01; accept 1 ± 0.1
    assert!(close(s, 1.0, 0.1), "strong slope {s} {errs:?}");
}

/// A wrapper that hides the fused kernel, forcing the samplers' generic score-buffer route.
struct Unfused(ExactMixtureScore);
impl ScoreModel for Unfused {
    fn score(&mut self, l: &NoiseLevel, xs: &[f32], ys: &[f32], sx: &mut [f32], sy: &mut [f32]) {
        self.0.score(l, xs, ys, sx, sy)
    }
}

/// The fused kernel and the generic route give bit-identical clouds (same arithmetic, same noise),
/// for a cloud whose length is not a multiple of 4 (body + tail), and runs are reproducible.
#[test]
fn fused_and_generic_paths_are_bit_identical() {
    let sde = Sde::vp(0.1, 20.0).unwrap();
    let data = m1();
    let run = |fused: bool, c: f64| {
        let mut s =
            ReverseSampler::new(sde, ReverseMethod::EulerMaruyama, c, 50, 0.0, 1e4, 21).unwrap();
        let mut p = s.prior(1003, 21);
        let mut sc = ExactMixtureScore::new(&data);
        sc.set_path(KernelPath::Scalar);
        let mut un = Unfused(sc.clone());
        while s
            .step(&mut p, if fused { &mut sc } else { &mut un })
            .unwrap()
        {}
        p.checksum()
    };
    for c in [0.0, 1.0] {
        assert_eq!(run(true, c), run(false, c));
        assert_eq!(run(true, c), run(true, c));
    }
    assert_ne!(run(true, 0.0), run(true, 1.0));
}

fn x_stats(p: &Particles) -> (f64, f64, f64) {
    let n = p.len() as f64;
    let m = p.xs.iter().map(|x| *x as f64).sum::<f64>() / n;
    let v = p.xs.iter().map(|x| (*x as f64 - m).powi(2)).sum::<f64>() / n;
    let below = p.xs.iter().filter(|x| **x < -0.25).count() as f64 / n;
    (m, v, below)
}

/// V-13: the reverse SDE with the exact score returns M1's moments for every noise level c
/// (OU a = 1, b = √2, T = 5, start N(0, 1)); c = 0 (the probability-flow ODE) by Heun, and
/// c = 1 by the stochastic Heun scheme too.
#[test]
fn reverse_sde_returns_the_data_for_every_noise_level() {
    let sde = ou_m1();
    let data = m1();
    // exact: mean 0.45, var 2.7745, P(x < −0.25) = 0.3 + 0.7Φ(−3.5) = 0.30016. M1's fourth
    // central moment μ₄ = 11.48 gives SE(var) = √((μ₄ − σ⁴)/N).
    let n = 30_000;
    let nf = n as f64;
    let se_mean = (2.7745f64 / nf).sqrt();
    let se_var = ((11.48f64 - 2.7745f64.powi(2)) / nf).sqrt();
    let se_frac = (0.3f64 * 0.7 / nf).sqrt();
    for (c, method, steps) in [
        (0.0, ReverseMethod::Heun, 250),
        (0.5, ReverseMethod::EulerMaruyama, 1000),
        (1.0, ReverseMethod::EulerMaruyama, 1000),
        (1.5, ReverseMethod::EulerMaruyama, 1000),
        (1.0, ReverseMethod::Heun, 250),
    ] {
        let mut s = ReverseSampler::new(
            sde,
            method,
            c,
            steps,
            0.0,
            runaway_radius(&data, &sde),
            100 + steps as u64,
        )
        .unwrap();
        let mut p = s.prior(n, 5);
        let mut sc = ExactMixtureScore::new(&data);
        while s.step(&mut p, &mut sc).unwrap() {}
        assert_eq!(s.nfe(), steps as u64 * method.evaluations_per_step());
        let (m, v, below) = x_stats(&p);
        // 5 SE plus the discretisation bias: EM's O(h) bias measured 0.003 in the variance at
        // h = 0.0025 (curriculum), so ≤ 0.01 at h = 0.005 and larger c; the prior N(0, 1) vs p_T
        // moves the mean by 0.45e⁻⁵ = 0.003
        assert!(close(m, 0.45, 5.0 * se_mean + 0.005), "c={c} mean {m}");
        assert!(close(v, 2.7745, 5.0 * se_var + 0.015), "c={c} var {v}");
        assert!(
            close(below, 0.30016, 5.0 * se_frac + 0.003),
            "c={c} frac {below}"
        );
    }
}

/// V-D5: the VP reverse SDE (β 0.1 → 20, 1000 EM steps, from N(0, I)) on a 2D mixture recovers
/// the component means within 0.05 and the weights within 0.02 (2·10⁴ particles); so does the
/// predictor–corrector sampler with half the predictor steps.
#[test]
fn vp_reverse_sde_and_pc_recover_a_2d_mixture() {
    let data = GaussianMixture::from_flat(
        &[0.25, 0.75],
        &[-1.5, 1.0, 1.5, -0.5],
        &[0.04, 0.0, 0.04, 0.09, 0.03, 0.04],
    )
    .unwrap();
    let sde = Sde::vp(0.1, 20.0).unwrap();
    let r = runaway_radius(&data, &sde);
    let n = 20_000;
    let check = |p: &Particles, what: &str| {
        // assign each particle to the nearer mean (the modes are > 15 sd apart)
        let (mut c0, mut s0, mut s1) = (0usize, [0.0f64; 2], [0.0f64; 2]);
        for (x, y) in p.xs.iter().zip(&p.ys) {
            let (x, y) = (*x as f64, *y as f64);
            if (x + 1.5).powi(2) + (y - 1.0).powi(2) < (x - 1.5).powi(2) + (y + 0.5).powi(2) {
                c0 += 1;
                s0[0] += x;
                s0[1] += y;
            } else {
                s1[0] += x;
                s1[1] += y;
            }
        }
        let c1 = n - c0;
        let w0 = c0 as f64 / n as f64;
        // the weight's SE is √(0.25·0.75/N) = 0.003, so 0.02 is > 6 SE; the means' SE < 0.003
        assert!(close(w0, 0.25, 0.02), "{what}: weight {w0}");
        let m0 = [s0[0] / c0 as f64, s0[1] / c0 as f64];
        let m1 = [s1[0] / c1 as f64, s1[1] / c1 as f64];
        assert!(
            close(m0[0], -1.5, 0.05) && close(m0[1], 1.0, 0.05),
            "{what}: {m0:?}"
        );
        assert!(
            close(m1[0], 1.5, 0.05) && close(m1[1], -0.5, 0.05),
            "{what}: {m1:?}"
        );
    };
    let mut s =
        ReverseSampler::new(sde, ReverseMethod::EulerMaruyama, 1.0, 1000, 0.0, r, 8).unwrap();
    let mut p = s.prior(n, 8);
    let mut sc = ExactMixtureScore::new(&data);
    while s.step(&mut p, &mut sc).unwrap() {}
    check(&p, "reverse SDE");
    let mut pc = PredictorCorrector::new(sde, 500, 1, 0.16, 0.0, r, 9).unwrap();
    let mut p = s.prior(n, 9);
    while pc.step(&mut p, &mut sc).unwrap() {}
    assert_eq!(pc.nfe(), 1000);
    assert!(pc.last_corrector_step() > 0.0);
    check(&p, "predictor-corrector");
}

/// V-14: the probability-flow ODE with the exact score is an exact transport map for Gaussian
/// data: x_T = α_T m₀ + √V_T z maps back to m₀ + s₀ z. Heun (second order, f32 particles): from
/// z = 0.7 with m₀ = 1, s₀ = 0.5 the end point is 1.35 within 1e-4 (f32 round-off over 500 steps
/// ~ 1e-5, the O(h²) error ~ 1e-5), and Euler's error halves when the step halves (order 1).
#[test]
fn probability_flow_is_the_gaussian_transport_map() {
    let sde = ou_m1();
    let data =
        GaussianMixture::new(&[1.0], vec![Gaussian2::isotropic([1.0, 1.0], 0.5).unwrap()]).unwrap();
    let (a, v) = (
        sde.mean_scale(5.0),
        sde.marginal_variance(5.0) + sde.mean_scale(5.0).powi(2) * 0.25,
    );
    let start = (a + v.sqrt() * 0.7) as f32;
    let run = |method, steps| {
        let mut s = ReverseSampler::new(sde, method, 0.0, steps, 0.0, 1e4, 1).unwrap();
        let mut p = Particles {
            xs: vec![start; 4],
            ys: vec![start; 4],
        };
        let mut sc = ExactMixtureScore::new(&data);
        while s.step(&mut p, &mut sc).unwrap() {}
        p.xs[0] as f64
    };
    let x = run(ReverseMethod::Heun, 500);
    assert!(close(x, 1.35, 1e-4), "{x}");
    let (e1, e2) = (
        (run(ReverseMethod::EulerMaruyama, 250) - 1.35).abs(),
        (run(ReverseMethod::EulerMaruyama, 500) - 1.35).abs(),
    );
    assert!((1.7..2.3).contains(&(e1 / e2)), "Euler ratio {e1} {e2}");
}

/// A blown-up integration stops and says so: EM with 2 steps on the VE SDE (σ_max = 50) from a
/// narrow radius.
#[test]
fn divergence_is_detected_and_sticky() {
    let data = m1();
    let sde = Sde::ve(0.01, 50.0).unwrap();
    let mut s =
        ReverseSampler::new(sde, ReverseMethod::EulerMaruyama, 1.0, 2, 0.0, 10.0, 1).unwrap();
    let mut p = s.prior(100, 1);
    let mut sc = ExactMixtureScore::new(&data);
    let e = s.step(&mut p, &mut sc).unwrap_err();
    assert!(matches!(e, Error::Diverged { step: 1, .. }), "{e}");
    assert!(e.to_string().contains("diverged at step 1"));
    assert_eq!(s.step(&mut p, &mut sc).unwrap_err(), e);
}

#[test]
fn bad_parameters_are_rejected_with_named_ranges() {
    let msg = |e: Error| e.to_string();
    assert!(msg(Sde::vp(-1.0, 20.0).unwrap_err())
        .starts_with("beta_min must be a finite number in (0, 100]"));
    assert!(msg(Sde::vp(1.0, 0.5).unwrap_err())
        .starts_with("beta_max must be a finite number in [1, 100]"));
    assert!(msg(Sde::ve(0.0, 50.0).unwrap_err()).starts_with("sigma_min must be"));
    assert!(msg(Sde::ou(1.0, 1.0, -1.0).unwrap_err()).starts_with("horizon must be"));
    let sde = Sde::vp(0.1, 20.0).unwrap();
    assert!(msg(sde.marginal_mixture(&m1(), -0.5).unwrap_err())
        .starts_with("t must be a finite number in [0, 1]"));
    let rs =
        |c, k, t_end| ReverseSampler::new(sde, ReverseMethod::EulerMaruyama, c, k, t_end, 1e3, 1);
    assert!(
        msg(rs(1.0, 0, 0.0).unwrap_err()).starts_with("steps must be an integer in [1, 100000]")
    );
    assert!(msg(rs(-1.0, 10, 0.0).unwrap_err())
        .starts_with("noise_level must be a finite number in [0, 10]"));
    assert!(msg(rs(1.0, 10, -0.1).unwrap_err()).starts_with("t_end must be"));
    assert!(msg(rs(1.0, 10, 1.0).unwrap_err()).starts_with("t_end must be a time in [0, 1)"));
    assert!(
        msg(PredictorCorrector::new(sde, 10, 1, 0.0, 0.0, 1e3, 1).unwrap_err())
            .starts_with("snr must be")
    );
    assert!(msg(ForwardSampler::new(sde, 10, 0.0, 1e3, 1).unwrap_err())
        .starts_with("t_end must be a time in (0, 1]"));
    assert!(
        msg(linear_em_moments(1.0, 1.0, 0.0, 0.01, 0).unwrap_err()).starts_with("steps must be")
    );
}

/// V-17 in the sampler: the predictor–corrector's Langevin corrector targets p_t itself (√(2ε)
/// noise). With N(0, I) data the VP marginals are all N(0, I), so 10 predictor steps with 50
/// corrector steps each must keep the variance at 1 up to ULA's bias 1/(1 − ε/2) − 1 ≈ ε/2
/// (ε ≈ 2·snr² = 0.05 here: +1.3 %); the source's √ε-noise corrector would give ½.
#[test]
fn corrector_targets_p_t_not_its_square() {
    let data =
        GaussianMixture::new(&[1.0], vec![Gaussian2::isotropic([0.0, 0.0], 1.0).unwrap()]).unwrap();
    let sde = Sde::vp(0.1, 20.0).unwrap();
    let mut pc = PredictorCorrector::new(sde, 10, 50, 0.16, 0.0, 1e4, 2).unwrap();
    let n = 50_000;
    let mut p = Particles::normal(n, [0.0, 0.0], 1.0, 2);
    let mut sc = ExactMixtureScore::new(&data);
    while pc.step(&mut p, &mut sc).unwrap() {}
    assert_eq!(pc.nfe(), 10 * 51);
    let eps = pc.last_corrector_step();
    assert!((0.03..0.07).contains(&eps), "ε = {eps}");
    let mo = moments(&p);
    let pooled = 0.5 * (mo.cov[0] + mo.cov[2]);
    // pooled variance SE √(2/(2N)) = 4.5e-3 → 5 SE = 0.022, around 1 + ε/2 (plus the predictor's
    // own O(h) error with h = 0.1 on an invariant law, measured below 1 %)
    assert!(
        close(pooled, 1.0 / (1.0 - eps / 2.0), 0.022 + 0.01),
        "{pooled}"
    );
}

/// The mixture Hessian ∇²log p (used for the exact divergence of the probability flow) against
/// central differences of the exact score, for correlated components (h = 1e-5: truncation
/// O(h²) ≈ 1e-10, rounding ≈ 1e-11; tolerance 1e-6 relative).
#[test]
fn mixture_hessian_matches_finite_differences() {
    let p = GaussianMixture::from_flat(
        &[0.5, 0.3, 0.2],
        &[-1.0, 0.5, 1.2, -0.7, 0.0, 2.0],
        &[0.4, 0.15, 0.3, 0.2, -0.05, 0.5, 1.0, 0.3, 0.4],
    )
    .unwrap();
    for x in [
        [0.0, 0.0],
        [-1.2, 0.4],
        [1.0, -1.0],
        [0.3, 1.7],
        [4.0, -3.0],
    ] {
        let (s, h) = p.score_hessian(x);
        let s0 = p.score(x);
        assert!((s[0] - s0[0]).abs() < 1e-12 && (s[1] - s0[1]).abs() < 1e-12);
        let e = 1e-5;
        let (sxp, sxm) = (p.score([x[0] + e, x[1]]), p.score([x[0] - e, x[1]]));
        let (syp, sym) = (p.score([x[0], x[1] + e]), p.score([x[0], x[1] - e]));
        let fd = [
            (sxp[0] - sxm[0]) / (2.0 * e),
            (sxp[1] - sxm[1]) / (2.0 * e),
            (syp[0] - sym[0]) / (2.0 * e),
            (syp[1] - sym[1]) / (2.0 * e),
        ];
        let scale = 1.0 + h.iter().map(|v| v.abs()).fold(0.0, f64::max);
        assert!((h[0] - fd[0]).abs() < 1e-6 * scale, "{x:?}");
        assert!((h[1] - fd[1]).abs() < 1e-6 * scale && (h[1] - fd[2]).abs() < 1e-6 * scale);
        assert!((h[2] - fd[3]).abs() < 1e-6 * scale, "{x:?}");
    }
}

/// V-03: the exact-transition sampler reproduces the OU closed form (a = b = 1, x₀ = 2, t = 1:
/// mean 0.7357588823, variance 0.4323323584) with any number of steps (here 4 and 100), where
/// Euler–Maruyama with 4 steps is visibly biased (its exact discrete mean 2·0.75⁴ = 0.633).
#[test]
fn exact_transition_matches_the_ou_closed_form() {
    let sde = Sde::ou(1.0, 1.0, 1.0).unwrap();
    let n = 100_000;
    for steps in [4usize, 100] {
        let mut f = ForwardSampler::new(sde, steps, 1.0, 1e4, 13).unwrap();
        f.set_method(ForwardMethod::Exact);
        let mut p = Particles::normal(n, [2.0, 2.0], 0.0, 13);
        while f.step(&mut p).unwrap() {}
        let mo = moments(&p);
        // 5 SE: mean 5√(0.432/N) = 0.0104, variance 5·0.432·√(2/N) = 0.0097
        for k in 0..2 {
            assert!(
                close(mo.mean[k], 0.735_758_882_3, 0.0104),
                "{steps}: {:?}",
                mo.mean
            );
        }
        assert!(
            close(mo.cov[0], 0.432_332_358_4, 0.0097) && close(mo.cov[2], 0.432_332_358_4, 0.0097)
        );
    }
    let mut f = ForwardSampler::new(sde, 4, 1.0, 1e4, 13).unwrap();
    let mut p = Particles::normal(n, [2.0, 2.0], 0.0, 13);
    while f.step(&mut p).unwrap() {}
    let (m, _) = linear_em_moments(1.0, 1.0, 2.0, 0.25, 4).unwrap();
    // EM's discrete variance b²h(1 − r⁸)/(1 − r²) = 0.514 at r = 0.75: 5 SE = 5√(0.514/N) = 0.0114
    assert!(close(m, 0.632_812_5, 1e-12) && close(moments(&p).mean[0], m, 0.0114));
}
