//! DDPM schedules and samplers against closed forms (curriculum V-D1, V-D3, V-D6, V-16).
//! Fixed seeds; each tolerance is justified where it is used.

use scorebook::ddpm::ancestral::{gaussian_output_moments, Ancestral, ReverseVariance};
use scorebook::ddpm::ddim::Ddim;
use scorebook::ddpm::BetaSchedule;
use scorebook::gaussian::Gaussian2;
use scorebook::mixture::GaussianMixture;
use scorebook::sde::score::ExactMixtureScore;
use scorebook::stats::moments;

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

/// V-D3 / V-08: the linear schedule of Ho et al. (10⁻⁴ → 0.02, N = 1000).
#[test]
fn linear_schedule_values() {
    let s = BetaSchedule::ho_linear();
    // printed to 5–7 significant digits in the curriculum (numpy): tolerance half an ulp of print
    assert!(
        close(s.alpha_bar(1000), 4.035_830e-5, 5e-12),
        "{}",
        s.alpha_bar(1000)
    );
    assert!(
        close(s.alpha_bar(500), 0.078_587_242_9, 5e-11),
        "{}",
        s.alpha_bar(500)
    );
    assert!(close((1.0 - s.alpha_bar(1)).sqrt(), 0.01, 1e-15));
    assert!(close(s.beta_sum(), 10.05, 1e-12));
    // the DDPM → VP ratio ᾱ_N / e^{−Σβ} = 0.9345 (O(β²) effect, V-08)
    assert!(close(
        s.alpha_bar(1000) / (-s.beta_sum()).exp(),
        0.9345,
        1e-4
    ));
    // SNR is monotone decreasing and equals ᾱ/(1 − ᾱ)
    for t in 2..=1000 {
        assert!(s.snr(t) < s.snr(t - 1));
    }
}

/// ᾱ_t = Π(1 − β) and the marginal from composing one-step kernels (Lemma 1: (α_x, β_x) ∘
/// (α_y, β_y) = (α_xα_y, α_xβ_y + β_x)) for every schedule, to round-off (1e-12).
#[test]
fn alpha_bar_is_the_product_and_composition_gives_the_marginal() {
    let schedules = [
        BetaSchedule::ho_linear(),
        BetaSchedule::cosine(1000, 0.008).unwrap(),
        BetaSchedule::custom(&[0.1, 0.5, 0.02, 0.9, 0.3]).unwrap(),
    ];
    for s in &schedules {
        let (mut scale2, mut var) = (1.0f64, 0.0f64);
        for t in 1..=s.len() {
            let a = s.alpha(t);
            scale2 *= a;
            var = a * var + s.beta(t);
            let (m, v) = s.marginal(t);
            assert!(close(m * m, scale2, 1e-12 * scale2.max(1e-300) + 1e-300));
            assert!(close(v, var, 1e-12), "t={t} {v} {var}");
        }
    }
}

/// The posterior q(x_{t−1} | x_t, x₀) by Bayes' rule (product of the Gaussians q(x_t | x_{t−1})
/// and q(x_{t−1} | x₀)) equals Ho et al.'s eqs. 6–7, for every step of three schedules (1e-10).
#[test]
fn posterior_matches_bayes_rule() {
    for s in [
        BetaSchedule::ho_linear(),
        BetaSchedule::cosine(200, 0.008).unwrap(),
        BetaSchedule::custom(&[0.3, 0.2, 0.6]).unwrap(),
    ] {
        for t in 2..=s.len() {
            let (a, b, abp) = (s.alpha(t), s.beta(t), s.alpha_bar(t - 1));
            let prec = a / b + 1.0 / (1.0 - abp);
            let var = 1.0 / prec;
            let (cx0, cxt) = (var * abp.sqrt() / (1.0 - abp), var * a.sqrt() / b);
            let (c0, c1) = s.posterior_mean_coefs(t);
            assert!(close(s.posterior_variance(t), var, 1e-10 * var), "t={t}");
            assert!(close(c0, cx0, 1e-10 * cx0.abs().max(1e-12)), "t={t}");
            assert!(close(c1, cxt, 1e-10 * cxt.abs()), "t={t}");
        }
        assert_eq!(s.posterior_variance(1), 0.0);
    }
}

/// V-D6: μ_θ = (x_t − β_t/√(1 − ᾱ_t) ε)/√α_t equals the posterior mean at x̂₀ = (x_t −
/// √(1 − ᾱ_t) ε)/√ᾱ_t; V-D1: ε ↔ score round trip. 1e-12 (a few ulps of O(1) numbers).
#[test]
fn tweedie_inside_ddpm_and_eps_score_conversion() {
    let s = BetaSchedule::ho_linear();
    for (t, xt, eps) in [(10usize, 0.7, -0.3), (500, -1.2, 0.9), (1000, 2.0, 1.5)] {
        let (a, b, ab) = (s.alpha(t), s.beta(t), s.alpha_bar(t));
        let mu = (xt - b / (1.0 - ab).sqrt() * eps) / a.sqrt();
        let x0 = (xt - (1.0 - ab).sqrt() * eps) / ab.sqrt();
        let (c0, c1) = s.posterior_mean_coefs(t);
        assert!(
            close(mu, c0 * x0 + c1 * xt, 1e-12 * (1.0 + mu.abs())),
            "t={t}"
        );
        let sc = s.score_from_eps(t, eps);
        assert!(close(-sc * (1.0 - ab).sqrt(), eps, 1e-12));
    }
    // V-16: the ELBO weight with α_t (0.0055034319) and without it (the slides' 0.0054481772)
    let w = s.elbo_weight(500, s.beta(500));
    assert!(close(w, 0.005_503_431_9, 5e-11), "{w}"); // printed to 10 decimals
    assert!(close(w * s.alpha(500), 0.005_448_177_2, 5e-11));
}

/// V-16: the exact output moments of ancestral sampling for N(1, 0.25) data (deterministic
/// recursion; the curriculum prints 10 digits, so 1e-9).
#[test]
fn ancestral_output_moments_recursion() {
    let s = BetaSchedule::ho_linear();
    let ab = s.alpha_bar(1000);
    let (m, v) = gaussian_output_moments(
        &s,
        ReverseVariance::Beta,
        1.0,
        0.25,
        ab.sqrt(),
        ab * 0.25 + 1.0 - ab,
    );
    assert!(
        close(m, 1.0, 1e-9) && close(v, 0.250_752_074_9, 1e-9),
        "{m} {v}"
    );
    let (m, v) = gaussian_output_moments(&s, ReverseVariance::Beta, 1.0, 0.25, 0.0, 1.0);
    assert!(
        close(m, 0.999_989_9, 1e-7) && close(v, 0.250_752_075_0, 1e-9),
        "{m} {v}"
    );
    let (m, v) = gaussian_output_moments(
        &s,
        ReverseVariance::BetaTilde,
        1.0,
        0.25,
        ab.sqrt(),
        ab * 0.25 + 1.0 - ab,
    );
    assert!(
        close(m, 1.0, 1e-9) && close(v, 0.246_125_211_3, 1e-9),
        "{m} {v}"
    );
}

fn gaussian_data() -> GaussianMixture {
    GaussianMixture::new(&[1.0], vec![Gaussian2::isotropic([1.0, 1.0], 0.5).unwrap()]).unwrap()
}

/// V-16 sampled: ancestral sampling with the exact score reproduces the recursion's moments for
/// both σ choices, and orders their variances (β above β̃ by 0.0046, 3 SE of the difference).
#[test]
fn ancestral_sampling_matches_the_recursion() {
    let s = BetaSchedule::ho_linear();
    let n = 60_000;
    let mut pooled_vars = vec![];
    for (var, seed) in [
        (ReverseVariance::Beta, 3u64),
        (ReverseVariance::BetaTilde, 4),
    ] {
        let mut sampler = Ancestral::new(s.clone(), var, 1e4, seed).unwrap();
        let mut score = ExactMixtureScore::new(&gaussian_data());
        let mut p = Ancestral::prior(n, seed);
        while sampler.step(&mut p, &mut score).unwrap() {}
        assert_eq!(sampler.nfe(), 1000);
        let (em, ev) = gaussian_output_moments(&s, var, 1.0, 0.25, 0.0, 1.0);
        let mo = moments(&p);
        // per coordinate SE of the mean √(v/N) = 2.0e-3 → 5 SE = 0.0102; the pooled variance of
        // the two coordinates has SE v√(2/(2N)) = 1.02e-3 → 5 SE = 0.0051
        assert!(
            close(mo.mean[0], em, 0.0102) && close(mo.mean[1], em, 0.0102),
            "{:?}",
            mo.mean
        );
        let pooled = 0.5 * (mo.cov[0] + mo.cov[2]);
        assert!(close(pooled, ev, 0.0051), "{var:?} {pooled} vs {ev}");
        pooled_vars.push(pooled);
    }
    assert!(pooled_vars[0] > pooled_vars[1], "{pooled_vars:?}");
}

/// DDIM with η = 1 on the full schedule is DDPM ancestral sampling with σ² = β̃ (Song et al.
/// 2021 §4.1): identical coefficients to round-off.
#[test]
fn ddim_eta_one_is_ancestral_with_beta_tilde() {
    let s = BetaSchedule::ho_linear();
    let d = Ddim::new(s.clone(), 1000, 1.0, 1e4, 1).unwrap();
    assert_eq!(d.timesteps()[1000], 1000);
    for t in [2usize, 10, 500, 1000] {
        let (kx, ks, sig) = d.coefficients(t);
        let (a, b) = (s.alpha(t), s.beta(t));
        assert!(close(kx, 1.0 / a.sqrt(), 1e-12));
        // k_s carries the cancellation √(ᾱ'/ᾱ)(1−ᾱ) − √(1−ᾱ'−σ²)√(1−ᾱ): absolute 1e-12
        assert!(
            close(ks, b / a.sqrt(), 1e-12),
            "t={t} {ks} {}",
            b / a.sqrt()
        );
        assert!(close(sig * sig, s.posterior_variance(t), 1e-12));
    }
}

/// The output (mean, variance) of DDIM with the exact score on N(1, 0.25) data, from
/// x_N ~ N(m, v): with the exact score s(x) = −(x − √ᾱ m₀)/V the step is linear,
/// x' = (k_x − k_s/V) x + k_s √ᾱ m₀/V + σ z.
fn ddim_recursion(d: &Ddim, s: &BetaSchedule, k: usize, mut m: f64, mut v: f64) -> (f64, f64) {
    for i in (1..=k).rev() {
        let (kx, ks, sig) = d.coefficients(i);
        let ab = s.alpha_bar(d.timesteps()[i]);
        let vt = ab * 0.25 + 1.0 - ab;
        let a = kx - ks / vt;
        m = a * m + ks * ab.sqrt() / vt;
        v = a * a * v + sig * sig;
    }
    (m, v)
}

/// DDIM (η = 0) on Gaussian data: the sampled cloud follows the exact linear recursion within
/// 5 SE; the deterministic map preserves the mean exactly from the exact p_N, carries the prior
/// mismatch of N(0, I) (mean −√ᾱ_N, scaled by s₀/√V_N ≈ ½) into the output, and its variance
/// error is first order in the step (×10 steps → ÷10 error).
#[test]
fn ddim_deterministic_sampling_on_gaussian_data() {
    let s = BetaSchedule::ho_linear();
    let k = 100;
    let mut d = Ddim::new(s.clone(), k, 0.0, 1e4, 9).unwrap();
    let (m, v) = ddim_recursion(&d, &s, k, 0.0, 1.0);
    let mut score = ExactMixtureScore::new(&gaussian_data());
    let n = 100_000;
    let mut p = Ancestral::prior(n, 9);
    while d.step(&mut p, &mut score).unwrap() {}
    assert_eq!(d.nfe(), k as u64);
    let mo = moments(&p);
    // the same 5 SE bounds as above (the output is Gaussian)
    assert!(close(mo.mean[0], m, 0.008) && close(mo.mean[1], m, 0.008));
    assert!(
        close(0.5 * (mo.cov[0] + mo.cov[2]), v, 0.004),
        "{:?} {v}",
        mo.cov
    );
    // prior mismatch: 1 − m ≈ ½√ᾱ_N = 0.0031764 (the map's slope at finite K differs by < 1e-4)
    assert!(close(1.0 - m, 0.5 * s.alpha_bar(1000).sqrt(), 1e-4), "{m}");
    let ab = s.alpha_bar(1000);
    let (pn_m, pn_v) = (ab.sqrt(), ab * 0.25 + 1.0 - ab);
    let (m100, v100) = ddim_recursion(&d, &s, 100, pn_m, pn_v);
    let d1000 = Ddim::new(s.clone(), 1000, 0.0, 1e4, 9).unwrap();
    let (m1000, v1000) = ddim_recursion(&d1000, &s, 1000, pn_m, pn_v);
    assert!(close(m100, 1.0, 1e-12) && close(m1000, 1.0, 1e-12));
    let ratio = (0.25 - v100) / (0.25 - v1000);
    assert!(
        (8.0..12.0).contains(&ratio),
        "first order: {v100} {v1000} ratio {ratio}"
    );
}

#[test]
fn bad_schedules_and_samplers_are_rejected_with_named_parameters() {
    let msg = |e: scorebook::Error| e.to_string();
    assert!(msg(BetaSchedule::linear(1000, 1e-4, 1.5).unwrap_err())
        .starts_with("beta_end must be a finite number in (0, 1)"));
    assert!(msg(BetaSchedule::linear(0, 1e-4, 0.02).unwrap_err())
        .starts_with("steps must be an integer in [1, 100000]"));
    let e = msg(BetaSchedule::custom(&[0.1, 0.2, 0.0]).unwrap_err());
    assert!(
        e.starts_with("beta must be a finite number in (0, 1) at every step; got 0 at step 3"),
        "{e}"
    );
    assert!(msg(BetaSchedule::custom(&[0.1, f64::NAN]).unwrap_err()).starts_with("beta must be"));
    assert!(msg(BetaSchedule::cosine(10, -0.1).unwrap_err()).starts_with("offset must be"));
    let s = BetaSchedule::ho_linear();
    assert!(msg(Ddim::new(s.clone(), 0, 0.0, 1e4, 1).unwrap_err())
        .starts_with("steps must be an integer in [1, 1000]"));
    assert!(msg(Ddim::new(s.clone(), 1001, 0.0, 1e4, 1).unwrap_err()).starts_with("steps must be"));
    assert!(msg(Ddim::new(s.clone(), 10, 2.0, 1e4, 1).unwrap_err())
        .starts_with("eta must be a finite number in [0, 1]"));
    assert!(msg(s.check_step(0).unwrap_err()).starts_with("t must be an integer step in [1, 1000]"));
}

/// V-08: iterating the one-step kernel t times reproduces the one-shot marginal
/// N(√ᾱ_t x₀, (1 − ᾱ_t)I) (Lemma 1), checked on 10⁵ particles from x₀ = (2, −1) at t = 500 and
/// 1000, beside the one-shot sampler itself.
#[test]
fn forward_chain_matches_the_one_shot_marginal() {
    use scorebook::ddpm::forward::{noise_to, ForwardChain};
    use scorebook::particles::Particles;
    let s = BetaSchedule::ho_linear();
    let n = 100_000;
    let x0 = Particles::normal(n, [2.0, -1.0], 0.0, 1);
    let mut chain = ForwardChain::new(s.clone(), 2);
    let mut p = x0.clone();
    for t in [500usize, 1000] {
        while chain.current_step() < t {
            chain.step(&mut p);
        }
        let (a, v) = s.marginal(t);
        for (name, q) in [
            ("chain", p.clone()),
            ("one-shot", noise_to(&s, &x0, t, 3).unwrap()),
        ] {
            let m = moments(&q);
            // Gaussian: mean SE √(v/N), variance SE v√(2/N); 5 SE each
            let (tm, tv) = (
                5.0 * (v / n as f64).sqrt(),
                5.0 * v * (2.0 / n as f64).sqrt(),
            );
            assert!(
                close(m.mean[0], 2.0 * a, tm) && close(m.mean[1], -a, tm),
                "{name} t={t} {:?}",
                m.mean
            );
            assert!(
                close(m.cov[0], v, tv) && close(m.cov[2], v, tv) && m.cov[1].abs() < tv,
                "{name} t={t} {:?}",
                m.cov
            );
        }
    }
    assert!(!chain.step(&mut p) && chain.is_done());
    assert!(noise_to(&s, &x0, 1001, 3)
        .unwrap_err()
        .to_string()
        .starts_with("t must be an integer step in [0, 1000]"));
}

/// DDPM → VP SDE (V-08): with β_i = β(t_i)Δt from β(t) = 0.1 + 19.9t, ln ᾱ_N → −∫₀¹β = −10.05
/// with an O(Δt) error (ln(1 − β) = −β − β²/2 − …): doubling N halves it.
#[test]
fn ddpm_converges_to_the_vp_sde() {
    let err = |n: usize| {
        let dt = 1.0 / n as f64;
        let betas: Vec<f64> = (1..=n)
            .map(|i| (0.1 + 19.9 * (i as f64 - 0.5) * dt) * dt)
            .collect();
        let s = BetaSchedule::custom(&betas).unwrap();
        (s.alpha_bar(n).ln() + 10.05).abs()
    };
    let (e1, e2, e3) = (err(1000), err(2000), err(4000));
    assert!(e1 > e2 && e2 > e3);
    assert!(
        (1.8..2.2).contains(&(e1 / e2)) && (1.8..2.2).contains(&(e2 / e3)),
        "{e1} {e2} {e3}"
    );
}

/// KL(q(x_N) ‖ N(0, I)): the quadrature matches the Gaussian closed form (1e-8), falls as the
/// schedule lengthens, and a short schedule never reaches the prior.
#[test]
fn prior_kl_against_schedule_length() {
    use scorebook::sde::prior_kl::prior_kl;
    let g = GaussianMixture::new(
        &[1.0],
        vec![Gaussian2::new([1.0, -0.5], 0.3, 0.1, 0.6).unwrap()],
    )
    .unwrap();
    for (a, v) in [(0.8f64, 0.36f64), (0.1, 0.99), (0.006, 0.99996)] {
        // N(m, S) with m = aμ, S = a²Σ + vI against N(0, I): ½(tr S + |m|² − 2 − ln det S)
        let (sxx, sxy, syy) = (a * a * 0.3 + v, a * a * 0.1, a * a * 0.6 + v);
        let want = 0.5 * (sxx + syy + a * a * 1.25 - 2.0 - (sxx * syy - sxy * sxy).ln());
        let got = prior_kl(&g, a, v, 1.0).unwrap();
        assert!(
            close(got, want, 1e-8 + 1e-8 * want),
            "{a} {v}: {got} vs {want}"
        );
    }
    let ring = scorebook::presets::ring8();
    let kl = |n: usize| {
        let s = BetaSchedule::linear(n, 1e-4, 0.02).unwrap();
        let (a, v) = s.marginal(n);
        prior_kl(&ring, a, v, 1.0).unwrap()
    };
    let (k100, k300, k1000) = (kl(100), kl(300), kl(1000));
    assert!(k100 > k300 && k300 > k1000, "{k100} {k300} {k1000}");
    // N = 100 leaves ᾱ ≈ 0.36: the ring is still visible (KL of order 1 nat); N = 1000 ≈ 1e-4
    assert!(k100 > 0.5 && k1000 < 1e-3, "{k100} {k1000}");
}

/// V-D5 with DDPM: ancestral sampling with the exact ε (through the ε ↔ score adapter) recovers
/// a 2D mixture's component means within 0.05 and weights within 0.02 (2·10⁴ particles; the
/// weight's SE is 0.003), and the adapter gives the exact score back (f32 round-off).
#[test]
fn ancestral_with_exact_eps_recovers_a_mixture() {
    use scorebook::sde::score::{EpsScore, ScoreModel};
    let data = GaussianMixture::from_flat(
        &[0.25, 0.75],
        &[-1.5, 1.0, 1.5, -0.5],
        &[0.04, 0.0, 0.04, 0.09, 0.03, 0.04],
    )
    .unwrap();
    let s = BetaSchedule::ho_linear();
    let mut eps = EpsScore(ExactMixtureScore::new(&data));
    let mut exact = ExactMixtureScore::new(&data);
    let lv = scorebook::ddpm::level(&s, 300);
    let (xs, ys) = (vec![0.3f32, -1.0, 2.0], vec![0.1f32, 0.8, -0.4]);
    let (mut a, mut b, mut c, mut d) = (vec![0.0; 3], vec![0.0; 3], vec![0.0; 3], vec![0.0; 3]);
    eps.score(&lv, &xs, &ys, &mut a, &mut b);
    exact.score(&lv, &xs, &ys, &mut c, &mut d);
    for i in 0..3 {
        assert!(
            (a[i] - c[i]).abs() < 1e-5 * (1.0 + c[i].abs())
                && (b[i] - d[i]).abs() < 1e-5 * (1.0 + d[i].abs())
        );
    }
    let n = 20_000;
    let mut sampler = Ancestral::new(s, ReverseVariance::Beta, 1e4, 12).unwrap();
    let mut p = Ancestral::prior(n, 12);
    while sampler.step(&mut p, &mut eps).unwrap() {}
    let (mut c0, mut s0, mut s1) = (0usize, [0.0f64; 2], [0.0f64; 2]);
    for (x, y) in p.xs.iter().zip(&p.ys) {
        let (x, y) = (*x as f64, *y as f64);
        if (x + 1.5).powi(2) + (y - 1.0).powi(2) < (x - 1.5).powi(2) + (y + 0.5).powi(2) {
            c0 += 1;
            s0 = [s0[0] + x, s0[1] + y];
        } else {
            s1 = [s1[0] + x, s1[1] + y];
        }
    }
    let c1 = n - c0;
    assert!(close(c0 as f64 / n as f64, 0.25, 0.02), "{c0}");
    assert!(close(s0[0] / c0 as f64, -1.5, 0.05) && close(s0[1] / c0 as f64, 1.0, 0.05));
    assert!(close(s1[0] / c1 as f64, 1.5, 0.05) && close(s1[1] / c1 as f64, -0.5, 0.05));
}
