//! Annealed Langevin dynamics (NCSN) against the curriculum's closed forms (V-N1, V-N2) and its
//! mixing experiment (V-N5). Fixed seeds; tolerances state the standard error behind them.

use scorebook::annealed::{separated_modes, AnnealedLangevin, GeometricSchedule, UNIFORM_START};
use scorebook::langevin::Langevin;
use scorebook::mode_mass::mode_shares;
use scorebook::particles::Particles;
use scorebook::stats::moments;
use scorebook::Error;

/// V-N1: σ₁ = 1 … σ₁₀ = 0.01, ratio 0.5994843, σᵢ = 10^(−2(i−1)/9), to 1e-12 relative.
#[test]
fn v_n1_geometric_schedule_values() {
    let s = GeometricSchedule::new(1.0, 0.01, 10.0).unwrap();
    assert_eq!(s.levels(), 10);
    // exact values σᵢ = 10^(−2(i−1)/9)
    for (i, v) in s.sigmas().iter().enumerate() {
        let exact = 10f64.powf(-2.0 * i as f64 / 9.0);
        assert!(
            (v - exact).abs() <= 1e-12 * exact,
            "σ_{} = {v} vs {exact}",
            i + 1
        );
    }
    // the curriculum's rounded table (4 decimals)
    let table = [
        1.0, 0.5995, 0.3594, 0.2154, 0.1292, 0.0774, 0.0464, 0.0278, 0.0167, 0.01,
    ];
    for (v, t) in s.sigmas().iter().zip(table) {
        assert!((v - t).abs() < 5e-5, "{v} vs {t}");
    }
    let r_exact = 0.01f64.powf(1.0 / 9.0);
    assert!((s.ratio() - r_exact).abs() < 1e-12 * r_exact);
    assert!((s.ratio() - 0.5994843).abs() < 5e-8);
    // σ₁ = σ_max and σ_L = σ_min exactly; log σ equally spaced
    let l: Vec<f64> = s.sigmas().iter().map(|v| v.ln()).collect();
    for w in l.windows(2) {
        assert!((w[0] - w[1] - 2.0 * 10f64.ln() / 9.0).abs() < 1e-12);
    }
}

/// V-N2: αᵢ = ε σᵢ²/σ_L², so α₁/α_L = (σ_max/σ_min)² = 10⁴ for the schedule above.
#[test]
fn v_n2_step_ratio() {
    let s = GeometricSchedule::new(1.0, 0.01, 10.0).unwrap();
    let a = s.step_sizes(2e-5);
    assert!((a[9] - 2e-5).abs() < 1e-12 * 2e-5, "α_L = ε");
    assert!((a[0] / a[9] - 1e4).abs() < 1e-12 * 1e4);
    for (ai, si) in a.iter().zip(s.sigmas()) {
        // every level moves by the same fraction of its own width: αᵢ/σᵢ² = ε/σ_L²
        assert!((ai / (si * si) - 2e-5 / 1e-4).abs() < 1e-12 * 0.2);
    }
}

fn fraction_near_heavy_mode(c: &Particles) -> f64 {
    mode_shares(&separated_modes(), c)[0]
}

/// V-N5: 0.8 N((5,5), I) + 0.2 N((−5,−5), I) from U([−8, 8]²), 20,000 particles. Plain ULA
/// (h = 0.1, i.e. ε = 0.2 in the x + (ε/2)s + √ε z convention, 1000 steps) keeps the initial
/// split (≈ 0.5); annealed Langevin over σ 20 → 0.01, L = 20, T = 100, hᵢ = 0.1σᵢ² (so
/// αᵢ = 0.2σᵢ² and ε = α_L = 0.2·0.01² = 2e-5) recovers the weight 0.8.
#[test]
fn v_n5_annealing_recovers_the_weights_plain_langevin_does_not() {
    let p = separated_modes();
    let n = 20_000;
    let seed = 5;
    let mut plain = Particles::uniform(n, UNIFORM_START, seed);
    let mut ula = Langevin::new(&p, 0.2, seed).unwrap();
    for _ in 0..1000 {
        ula.step(&mut plain).unwrap();
    }
    let f_plain = fraction_near_heavy_mode(&plain);
    // the uniform start puts half of the box on each side of the diagonal x + y = 0; the barrier
    // (≈ 25 nats) is never crossed in 1000 steps, so the share stays 0.5 ± SE 0.0035
    assert!(f_plain < 0.6, "plain ULA share {f_plain}");
    assert!((f_plain - 0.5).abs() < 0.02, "plain ULA share {f_plain}");

    let s = GeometricSchedule::new(20.0, 0.01, 20.0).unwrap();
    let mut ald = AnnealedLangevin::new(&p, s, 2e-5, 100.0, seed).unwrap();
    let mut c = Particles::uniform(n, UNIFORM_START, seed);
    let mut steps = 0;
    while ald.step(&mut c).unwrap() {
        steps += 1;
    }
    assert_eq!(steps, 2000);
    assert!(ald.is_finished());
    let f = fraction_near_heavy_mode(&c);
    eprintln!("V-N5: plain ULA share {f_plain:.4}, annealed share {f:.4}");
    // binomial SE √(0.16/20000) = 0.0028; the curriculum's simulation gives 0.793 (the finite
    // annealing leaves a bias below 0.01): |f − 0.8| < 0.03 is > 5 SE beyond that bias
    assert!((f - 0.8).abs() < 0.03, "annealed share {f}");
    // each mode ends close to N(μₖ, I): the per-axis variance of the heavy-mode particles
    let heavy: Vec<usize> = (0..n).filter(|&i| c.xs[i] + c.ys[i] > 0.0).collect();
    let sub = Particles {
        xs: heavy.iter().map(|&i| c.xs[i]).collect(),
        ys: heavy.iter().map(|&i| c.ys[i]).collect(),
    };
    let m = moments(&sub);
    // the last levels are tiny steps at σ ≈ 0.01: the mode's variance is what the larger levels
    // left, 1 + O(σ²) plus an equilibration error; the curriculum measures ≈ 1.05. SE of a
    // variance from 16,000 points is √(2/16000) = 1.1 %; allow 1 ± 0.1
    for v in [m.cov[0], m.cov[2]] {
        assert!((v - 1.0).abs() < 0.1, "mode variance {v}");
    }
    for mu in m.mean {
        assert!((mu - 5.0).abs() < 0.05, "mode mean {mu}");
    }
}

#[test]
fn bad_inputs_name_the_parameter_and_range() {
    let msg = |e: Error| e.to_string();
    assert!(msg(GeometricSchedule::new(0.0, 0.01, 10.0).unwrap_err())
        .starts_with("sigma_max must be a finite number in (0, 1000]"));
    assert!(msg(GeometricSchedule::new(1.0, 1.0, 10.0).unwrap_err())
        .starts_with("sigma_min must be a finite number in (0, sigma_max) = (0, 1)"));
    assert!(
        msg(GeometricSchedule::new(1.0, 2.0, 10.0).unwrap_err()).starts_with("sigma_min must be")
    );
    assert!(
        msg(GeometricSchedule::new(1.0, -0.1, 10.0).unwrap_err()).starts_with("sigma_min must be")
    );
    assert!(msg(GeometricSchedule::new(1.0, 0.1, 0.0).unwrap_err())
        .starts_with("levels must be an integer in [2, 1000]; got 0"));
    assert!(msg(GeometricSchedule::new(1.0, 0.1, 1.0).unwrap_err())
        .starts_with("levels must be an integer in [2, 1000]"));
    assert!(msg(GeometricSchedule::new(1.0, 0.1, 2.5).unwrap_err())
        .starts_with("levels must be an integer"));
    assert!(
        msg(GeometricSchedule::new(f64::NAN, 0.1, 10.0).unwrap_err())
            .starts_with("sigma_max must be")
    );
    let p = separated_modes();
    let s = GeometricSchedule::new(1.0, 0.1, 10.0).unwrap();
    assert!(
        msg(AnnealedLangevin::new(&p, s.clone(), 0.0, 10.0, 1).unwrap_err())
            .starts_with("step_size must be a finite number in (0, 10]")
    );
    assert!(
        msg(AnnealedLangevin::new(&p, s.clone(), -1.0, 10.0, 1).unwrap_err())
            .starts_with("step_size must be")
    );
    assert!(
        msg(AnnealedLangevin::new(&p, s.clone(), 1e-3, 0.0, 1).unwrap_err())
            .starts_with("steps_per_level must be an integer in [1, 100000]; got 0")
    );
    assert!(msg(AnnealedLangevin::new(&p, s, 1e-3, 1e6, 1).unwrap_err())
        .starts_with("steps_per_level must be"));
}

/// αᵢ/σᵢ² = ε/σ_L² = 8 at every level, twice the stability limit 4 of a Gaussian of variance
/// σᵢ² + 1 once σᵢ ≫ 1: the first level diverges and is reported; the sampler then refuses to step.
#[test]
fn divergence_is_detected_and_sticks() {
    let p = separated_modes();
    let s = GeometricSchedule::new(20.0, 0.1, 10.0).unwrap();
    let mut ald = AnnealedLangevin::new(&p, s, 0.08, 200.0, 3).unwrap();
    let mut c = Particles::uniform(1000, UNIFORM_START, 3);
    let mut err = None;
    for _ in 0..200 {
        if let Err(e) = ald.step(&mut c) {
            err = Some(e);
            break;
        }
    }
    let e = err.expect("must diverge in the first level");
    assert!(matches!(e, Error::Diverged { .. }));
    assert!(e.to_string().contains("diverged at step"));
    assert!(ald.diverged().is_some());
    assert!(ald.step(&mut c).is_err());
}

#[test]
fn same_seed_same_run_and_levels_advance() {
    let p = separated_modes();
    let s = GeometricSchedule::new(5.0, 0.5, 3.0).unwrap();
    let run = || {
        let mut a = AnnealedLangevin::new(&p, s.clone(), 0.05, 4.0, 9).unwrap();
        let mut c = Particles::uniform(257, UNIFORM_START, 9);
        let mut levels = vec![];
        while a.step(&mut c).unwrap() {
            levels.push(a.level());
        }
        (c.checksum(), levels, a.sigma())
    };
    let (c1, l1, s1) = run();
    let (c2, _, _) = run();
    assert_eq!(c1, c2);
    // after step k (1-based) the next level is ⌊k/T⌋, clamped to L − 1
    assert_eq!(l1, vec![0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 2]);
    assert_eq!(s1, 0.5);
}

/// The share of exact samples in each mode is the weight up to the overlap mass (here e⁻²⁵):
/// binomial SE √(0.16/N).
#[test]
fn mode_shares_of_exact_samples_are_the_weights() {
    let p = separated_modes();
    let mut rng = scorebook::rng::sim_rng(12);
    let n = 100_000;
    let mut c = Particles {
        xs: vec![],
        ys: vec![],
    };
    for _ in 0..n {
        let x = p.sample(&mut rng);
        c.xs.push(x[0] as f32);
        c.ys.push(x[1] as f32);
    }
    c.xs.push(f32::NAN);
    c.ys.push(0.0);
    let s = mode_shares(&p, &c);
    let se = (0.16f64 / n as f64).sqrt();
    assert!(
        (s[0] - 0.8).abs() < 5.0 * se && (s[1] - 0.2).abs() < 5.0 * se,
        "{s:?}"
    );
    // the non-finite particle belongs to no mode
    assert!((s[0] + s[1] - n as f64 / (n + 1) as f64).abs() < 1e-12);
}

/// The clouds the browser test pins (`AnnealedWidget` with 1001 particles, σ 20 → 0.01, L = 5,
/// T = 8, ε = 2e-5, seed 4): natively the same bits, so a browser run reproduces a native one.
#[test]
fn golden_checksums_of_a_short_annealed_run() {
    let p = separated_modes();
    let s = GeometricSchedule::new(20.0, 0.01, 5.0).unwrap();
    let mut a = AnnealedLangevin::new(&p, s, 2e-5, 8.0, 4).unwrap();
    // the binding's plain step: ε/σ_min² × the smallest component variance (1)
    let mut ula = Langevin::new(&p, 2e-5 / (0.01 * 0.01) * 1.0, 4).unwrap();
    let mut c = Particles::uniform(1001, UNIFORM_START, 4);
    let mut d = c.clone();
    while a.step(&mut c).unwrap() {
        ula.step(&mut d).unwrap();
    }
    let got = format!("{:016x}:{:016x}", d.checksum(), c.checksum());
    eprintln!("golden {got}");
    assert_eq!(got, GOLDEN_ANNEALED);
}

/// See `golden_checksums_of_a_short_annealed_run` (and `tests/web_langevin2.rs`).
const GOLDEN_ANNEALED: &str = "b14f8dddac1e175c:f607ff5d14b9cc47";
