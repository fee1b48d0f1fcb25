//! The ε-prediction trainer, the ε ↔ score adapter with a learned model, the prior gap and the
//! log-SNR schedule editor (curriculum V-D1, V-D2, seed 004 §4-3).

use scorebook::ddpm::ancestral::{Ancestral, ReverseVariance};
use scorebook::ddpm::ddim::Ddim;
use scorebook::ddpm::eps_train::{time_features, EpsConfig, EpsEvalSet, EpsTrainer};
use scorebook::ddpm::log_snr::LogSnrKnots;
use scorebook::ddpm::prior_gap::{geometric_lengths, prior_gap, prior_gap_curve};
use scorebook::ddpm::spec::ScheduleSpec;
use scorebook::ddpm::{level, BetaSchedule};
use scorebook::gaussian::Gaussian2;
use scorebook::mixture::GaussianMixture;
use scorebook::nn::Activation;
use scorebook::sde::score::{EpsModel, EpsScore, ExactMixtureScore, ScoreModel};
use scorebook::stats::moments;

fn gaussian(mu: [f64; 2], tau: f64) -> GaussianMixture {
    GaussianMixture::new(&[1.0], vec![Gaussian2::isotropic(mu, tau).unwrap()]).unwrap()
}

fn small_cfg() -> EpsConfig {
    EpsConfig {
        hidden: vec![64, 64],
        activation: Activation::Silu,
        learning_rate: 2e-3,
        batch_size: 256,
    }
}

/// V-D2: on Gaussian data N(μ, τ²I) the trained ε_θ approaches the closed-form optimum
/// ε*(x, t) = √(1 − ᾱ)(x − √ᾱ μ)/(ᾱτ² + 1 − ᾱ), and the eval set's loss floor 2 − E‖ε*‖²
/// matches the closed form 2·E_t[ᾱτ²/(ᾱτ² + 1 − ᾱ)].
#[test]
fn eps_trainer_reaches_the_gaussian_optimum() {
    let (mu, tau) = ([1.0, -0.5], 0.5);
    let data = gaussian(mu, tau);
    let s = BetaSchedule::ho_linear();
    let mut tr = EpsTrainer::new(&data, s.clone(), small_cfg(), 3).unwrap();
    let mut set = EpsEvalSet::new(&data, &s, 4000, 77).unwrap();
    // the closed-form floor, averaged over t uniform on 1 … N
    let floor: f64 = (1..=1000)
        .map(|t| {
            let a = s.alpha_bar(t);
            2.0 * a * tau * tau / (a * tau * tau + 1.0 - a)
        })
        .sum::<f64>()
        / 1000.0;
    // E‖ε*‖² is an average of 4000 i.i.d. terms ‖ε*‖² ≤ a few (sd ≈ 1): SE ≈ 0.02; 0.08 is 4 SE
    assert!(
        (set.loss_floor() - floor).abs() < 0.08,
        "{} vs {floor}",
        set.loss_floor()
    );
    let excess0 = set.excess(&mut tr.snapshot(), &s);
    for _ in 0..4000 {
        tr.step().unwrap();
    }
    let mut net = tr.snapshot();
    let excess = set.excess(&mut net, &s);
    // the exact ε* on the same points scores ≈ 0 (f32 round-off): the metric is well posed
    let mut exact = ExactMixtureScore::new(&data);
    assert!(set.excess(&mut exact, &s) < 1e-8);
    // E‖ε_θ − ε*‖² relative to E‖ε*‖²: from ≈ 1 (random init) to below 1 %. The optimum is a
    // smooth function of (x, e(t)) that a 64-64 SiLU net represents well; the residual is Adam's
    // noise at lr 2·10⁻³ with B = 256 (a gradient-noise floor of order lr·L*/B per parameter)
    let rel0 = excess0 / set.mean_square();
    let rel = excess / set.mean_square();
    assert!(rel0 > 0.3, "{rel0}");
    assert!(rel < 0.01, "relative excess {rel} (start {rel0})");
    // pointwise at a few (x, t) against the closed form, where the data put mass
    for (t, x) in [
        (20usize, [1.2f32, -0.3]),
        (300, [0.5, 0.0]),
        (900, [-0.7, 0.9]),
    ] {
        let lv = level(&s, t);
        let a = s.alpha_bar(t);
        let want: Vec<f64> = (0..2)
            .map(|i| {
                (1.0 - a).sqrt() * (x[i] as f64 - a.sqrt() * mu[i]) / (a * tau * tau + 1.0 - a)
            })
            .collect();
        let (mut ex, mut ey) = ([0.0f32], [0.0f32]);
        net.eps(&lv, &[x[0]], &[x[1]], &mut ex, &mut ey);
        // ε* is O(1) here; 0.1 is a tenth of its scale (rel. MSE 1 % ⇒ typical error ≈ 0.1·|ε*|)
        assert!(
            (ex[0] as f64 - want[0]).abs() < 0.1 && (ey[0] as f64 - want[1]).abs() < 0.1,
            "t = {t}: {ex:?} {ey:?} vs {want:?}"
        );
    }
}

/// V-D1 with a learned model: EpsScore(ε_θ) is exactly −ε_θ/√(1 − ᾱ_t), and converting the exact
/// score to ε and back returns it (f32 round-off).
#[test]
fn eps_score_round_trip() {
    let data = scorebook::presets::preset("two-modes").unwrap();
    let s = BetaSchedule::cosine(200, 0.008).unwrap();
    let tr = EpsTrainer::new(&data, s.clone(), small_cfg(), 5).unwrap();
    let (xs, ys) = (vec![0.3f32, -1.0, 2.0, 4.0], vec![0.1f32, 0.8, -0.4, -3.0]);
    for t in [1usize, 50, 199, 200] {
        let lv = level(&s, t);
        let (mut ex, mut ey) = (vec![0.0; 4], vec![0.0; 4]);
        let mut net = tr.snapshot();
        net.eps(&lv, &xs, &ys, &mut ex, &mut ey);
        let mut sc = EpsScore(tr.snapshot());
        let (mut sx, mut sy) = (vec![0.0; 4], vec![0.0; 4]);
        sc.score(&lv, &xs, &ys, &mut sx, &mut sy);
        let k = -1.0 / (1.0 - s.alpha_bar(t)).sqrt();
        for i in 0..4 {
            assert_eq!(sx[i], ex[i] * k as f32);
            assert_eq!(sy[i], ey[i] * k as f32);
        }
        // exact score → ε* → score
        let mut exact = ExactMixtureScore::new(&data);
        let (mut e1, mut e2) = (vec![0.0; 4], vec![0.0; 4]);
        exact.eps(&lv, &xs, &ys, &mut e1, &mut e2);
        let mut back = EpsScore(ExactMixtureScore::new(&data));
        let (mut b1, mut b2) = (vec![0.0; 4], vec![0.0; 4]);
        back.score(&lv, &xs, &ys, &mut b1, &mut b2);
        let (mut s1, mut s2) = (vec![0.0; 4], vec![0.0; 4]);
        exact.score(&lv, &xs, &ys, &mut s1, &mut s2);
        for i in 0..4 {
            // two f32 multiplications by k and 1/k: relative round-off ≤ 3·2⁻²⁴
            assert!(
                (b1[i] - s1[i]).abs() <= 4e-7 * s1[i].abs() + 1e-30
                    && (b2[i] - s2[i]).abs() <= 4e-7 * s2[i].abs() + 1e-30
            );
        }
    }
    // the time embedding is the level's (√ᾱ, √(1 − ᾱ), λ/10)
    let f = time_features(&level(&s, 100));
    let a = s.alpha_bar(100);
    assert_eq!(
        f,
        [
            a.sqrt() as f32,
            (1.0 - a).sqrt() as f32,
            ((a / (1.0 - a)).ln() / 10.0) as f32
        ]
    );
}

/// Sampling with the trained ε_θ (ancestral and DDIM) on a two-component mixture returns the
/// data's moments, and stays close to the same-seed run with the exact ε*.
#[test]
fn sampling_with_the_trained_model_returns_the_data_moments() {
    let data = GaussianMixture::from_flat(
        &[0.3, 0.7],
        &[-1.5, 0.5, 1.0, -0.5],
        &[0.09, 0.0, 0.09, 0.16, 0.04, 0.09],
    )
    .unwrap();
    let s = BetaSchedule::linear(200, 1e-4, 0.1).unwrap();
    let mut tr = EpsTrainer::new(
        &data,
        s.clone(),
        EpsConfig {
            hidden: vec![128, 128],
            ..small_cfg()
        },
        11,
    )
    .unwrap();
    for _ in 0..5000 {
        tr.step().unwrap();
    }
    let m = data.mean();
    let c = data.covariance();
    let n = 20_000;
    let run = |model: &mut dyn ScoreModel, ddim: bool| {
        let mut p = Ancestral::prior(n, 4);
        if ddim {
            let mut d = Ddim::new(s.clone(), 50, 0.0, 1e4, 4).unwrap();
            while d.step(&mut p, model).unwrap() {}
        } else {
            let mut a = Ancestral::new(s.clone(), ReverseVariance::Beta, 1e4, 4).unwrap();
            while a.step(&mut p, model).unwrap() {}
        }
        moments(&p)
    };
    for ddim in [false, true] {
        let learned = run(&mut EpsScore(tr.snapshot()), ddim);
        let exact = run(&mut ExactMixtureScore::new(&data), ddim);
        // data: var_x = 1.68, var_y = 0.30; SE of a mean with 2·10⁴ samples ≤ 0.0092, of a
        // variance ≤ √(2/n)·var·(kurtosis factor ≲ 1.5) ≈ 0.025. The exact-ε run has only
        // discretisation bias (200 steps) on top: 0.05 for means and 0.1 for variances are > 4 SE
        for (got, tol_m, tol_c) in [(exact, 0.05, 0.1), (learned, 0.1, 0.2)] {
            // the learned run adds the model's error: a relative ε-error of ≲ 1 % moves the
            // moments by a few hundredths; twice the exact run's tolerance covers it
            assert!(
                (got.mean[0] - m[0]).abs() < tol_m && (got.mean[1] - m[1]).abs() < tol_m,
                "ddim {ddim}: mean {:?} vs {m:?}",
                got.mean
            );
            for k in 0..3 {
                assert!(
                    (got.cov[k] - c[k]).abs() < tol_c,
                    "ddim {ddim}: cov {:?} vs {c:?}",
                    got.cov
                );
            }
        }
    }
}

/// KL(q(x_N) ‖ N(0, I)) of a schedule: the Gaussian closed form, decreasing in N for the linear
/// family with fixed β's, never small for short schedules; a log-SNR curve fixes ᾱ_N whatever N.
#[test]
fn prior_gap_against_the_closed_form_and_length() {
    let (mu, tau) = ([1.0, -2.0], 0.7);
    let data = gaussian(mu, tau);
    for spec in [
        ScheduleSpec::by_name("linear").unwrap(),
        ScheduleSpec::by_name("cosine").unwrap(),
        ScheduleSpec::by_name("custom").unwrap(),
    ] {
        for n in [1usize, 10, 100, 1000] {
            let s = spec.build(n).unwrap();
            let a = s.alpha_bar(n);
            let v = a * tau * tau + 1.0 - a;
            let want = (v - 1.0 - v.ln()) + 0.5 * a * (mu[0] * mu[0] + mu[1] * mu[1]);
            let got = prior_gap(&data, &s).unwrap();
            // quadrature of order 4 on cells ≤ the sd: relative error ≪ 1e-6
            assert!(
                (got - want).abs() < 1e-7 + 1e-6 * want,
                "{} N = {n}: {got} vs {want}",
                spec.name()
            );
        }
    }
    let ring = scorebook::presets::ring8();
    let lin = ScheduleSpec::by_name("linear").unwrap();
    let ns = geometric_lengths(1000, 8);
    assert_eq!((ns[0], *ns.last().unwrap()), (1, 1000));
    let curve = prior_gap_curve(&ring, &lin, &ns).unwrap();
    assert!(curve.windows(2).all(|w| w[1].1 < w[0].1), "{curve:?}");
    // N = 1 leaves the ring almost intact: KL of several nats
    assert!(curve[0].1 > 3.0 && curve.last().unwrap().1 < 1e-3);
    // a drawn log-SNR curve: ᾱ_N = sigmoid(λ_last) for every N, so the gap hardly moves with N
    let k = LogSnrKnots::new(&[6.0, 0.0, -3.0]).unwrap();
    let g: Vec<f64> = [10usize, 100, 1000]
        .iter()
        .map(|&n| prior_gap(&ring, &k.schedule(n).unwrap()).unwrap())
        .collect();
    assert!((g[0] - g[2]).abs() < 1e-9 * g[0].max(1.0), "{g:?}");
    assert!(prior_gap_curve(&ring, &lin, &[]).is_err());
}

/// Bad input errors with the parameter named, never a panic.
#[test]
fn bad_input_is_rejected() {
    let data = gaussian([0.0, 0.0], 1.0);
    let msg = |e: scorebook::error::Error| e.to_string();
    assert!(msg(BetaSchedule::linear(0, 1e-4, 0.02).unwrap_err()).starts_with("steps"));
    assert!(msg(BetaSchedule::linear(10, 0.0, 0.02).unwrap_err()).starts_with("beta_start"));
    assert!(msg(BetaSchedule::linear(10, 1e-4, 1.0).unwrap_err()).starts_with("beta_end"));
    assert!(msg(BetaSchedule::custom(&[0.1, -0.2]).unwrap_err()).starts_with("beta"));
    assert!(msg(BetaSchedule::custom(&[0.1, f64::NAN]).unwrap_err()).starts_with("beta"));
    assert!(msg(BetaSchedule::cosine(10, -0.1).unwrap_err()).starts_with("offset"));
    assert!(msg(LogSnrKnots::new(&[0.0, 1.0]).unwrap_err()).starts_with("knots"));
    assert!(msg(LogSnrKnots::default_five().schedule(0).unwrap_err()).starts_with("steps"));
    assert!(msg(ScheduleSpec::by_name("quadratic").unwrap_err()).starts_with("schedule"));
    let s = BetaSchedule::ho_linear();
    assert!(msg(s.check_step(0).unwrap_err()).starts_with("t"));
    assert!(msg(s.check_step(1001).unwrap_err()).starts_with("t"));
    assert!(scorebook::ddpm::forward::noise_to(&s, &Ancestral::prior(3, 1), 1001, 1).is_err());
    for (cfg, name) in [
        (
            EpsConfig {
                learning_rate: 0.0,
                ..small_cfg()
            },
            "learning_rate",
        ),
        (
            EpsConfig {
                learning_rate: f64::NAN,
                ..small_cfg()
            },
            "learning_rate",
        ),
        (
            EpsConfig {
                batch_size: 0,
                ..small_cfg()
            },
            "batch_size",
        ),
        (
            EpsConfig {
                hidden: vec![0],
                ..small_cfg()
            },
            "hidden",
        ),
        (
            EpsConfig {
                hidden: vec![8; 9],
                ..small_cfg()
            },
            "hidden",
        ),
    ] {
        let e = EpsTrainer::new(&data, s.clone(), cfg, 1).unwrap_err();
        assert!(msg(e).starts_with(name));
    }
    assert!(EpsEvalSet::new(&data, &s, 0, 1).is_err());
}

/// A learning rate that blows the loss up is reported as a divergence; the weights stay the last
/// finite ones and further steps return the same error.
#[test]
fn divergence_keeps_the_last_finite_weights() {
    let data = GaussianMixture::new(
        &[1.0],
        vec![Gaussian2::isotropic([1e18, 0.0], 1.0).unwrap()],
    )
    .unwrap();
    let s = BetaSchedule::linear(10, 1e-4, 0.02).unwrap();
    let mut tr = EpsTrainer::new(
        &data,
        s,
        EpsConfig {
            learning_rate: 1.0,
            ..small_cfg()
        },
        2,
    )
    .unwrap();
    let mut err = None;
    let mut before = tr.params().to_vec();
    for _ in 0..100 {
        before = tr.params().to_vec();
        match tr.step() {
            Ok(_) => {}
            Err(e) => {
                err = Some(e);
                break;
            }
        }
    }
    let e = err.expect("diverges");
    assert!(e.to_string().contains("training diverged"), "{e}");
    assert_eq!(tr.params(), &before[..]);
    assert!(tr.params().iter().all(|p| p.is_finite()));
    assert_eq!(tr.step().unwrap_err(), e);
    tr.reset(2);
    assert!(tr.diverged().is_none());
}
