//! Entropy production and the thermodynamic speed limit in a harmonic trap (curriculum V-25,
//! seed 003 eqs. 4–6, 21–23). Deterministic except (f), which has a fixed seed.

use scorebook::normal::normal_pair;
use scorebook::rng::sim_rng;
use scorebook::sde::thermodynamics::{rotational_steady_state, Protocol, TrapProcess};

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

/// (a) σ_t by the closed form, by quadrature of ∫ν²P/D (the definition) and as −Q̇/T + Ṡ agree;
/// the curriculum's values: 2.4831871580 at t = 0.3 (10 decimals: 1e-9), σ₀ = 6.25, σ₁ =
/// 0.5528075 (7 decimals: 1e-7). (b) σ_t = v_t²/(μT) exactly (potential force).
#[test]
fn entropy_production_rate_three_ways() {
    let p = TrapProcess::ito_relaxation();
    let t = 0.3;
    let (a, q, d) = (
        p.entropy_production_rate(t),
        p.entropy_production_rate_quadrature(t),
        p.bath_entropy_rate(t) + p.system_entropy_rate(t),
    );
    for v in [a, q, d] {
        assert!(close(v, 2.483_187_158, 1e-9), "{a} {q} {d}");
    }
    // Ṡ can be negative while σ ≥ 0: here the cloud widens (Ṡ > 0) and the bath gains entropy
    assert!(p.system_entropy_rate(t) > 0.0 && p.bath_entropy_rate(t) > 0.0);
    assert!(close(p.entropy_production_rate(0.0), 6.25, 1e-12));
    assert!(close(p.entropy_production_rate(1.0), 0.552_807_5, 1e-7));
    for t in [0.0, 0.3, 0.7, 1.0] {
        assert!(close(
            p.wasserstein_speed_sq(t) / p.diffusion(),
            p.entropy_production_rate(t),
            1e-12
        ));
    }
    // a narrowing start (s₀ > √(T/k)) has Ṡ < 0 with σ > 0 (the second law is about σ, not Ṡ)
    let n = TrapProcess::new(
        1.0,
        1.0,
        1.0,
        0.0,
        2.0,
        1.0,
        Protocol::Fixed { centre: 0.0 },
    )
    .unwrap();
    assert!(n.system_entropy_rate(0.5) < 0.0 && n.entropy_production_rate(0.5) > 0.0);
    assert!(close(
        n.bath_entropy_rate(0.5) + n.system_entropy_rate(0.5),
        n.entropy_production_rate(0.5),
        1e-12
    ));
}

/// (c) OU relaxation: Σ_[0,1] = 2.0447123 against the bound W₂²/(μTτ) = 1.7989125 (ratio 1.1366;
/// strict, the relaxation is not constant-speed). (d) The geodesic translation by L = 1 in τ = 1
/// attains the bound: Σ = L²/(Dτ) = 1. (e) The step protocol: Σ = L²(1 − e^{−2τ})/2 = 0.4323324
/// against L²(1 − e^{−τ})²/τ = 0.3995764. (7-decimal prints: 1e-7; Gauss–Legendre quadrature of
/// σ_t is exact to ~1e-14.)
#[test]
fn speed_limit_figures() {
    let p = TrapProcess::ito_relaxation();
    let (s, b) = (p.entropy_production(), p.speed_limit_bound());
    assert!(
        close(s, 2.044_712_3, 1e-7) && close(b, 1.798_912_5, 1e-7),
        "{s} {b}"
    );
    assert!(s > b && close(s / b, 1.1366, 1e-4));
    let g = TrapProcess::new(
        1.0,
        1.0,
        1.0,
        0.0,
        1.0,
        1.0,
        Protocol::Geodesic { distance: 1.0 },
    )
    .unwrap();
    assert!(close(g.entropy_production(), 1.0, 1e-12) && close(g.speed_limit_bound(), 1.0, 1e-12));
    for t in [0.0, 0.5, 1.0] {
        assert!(close(g.entropy_production_rate(t), 1.0, 1e-12));
        // the trap leads the mean by (L/τ)/(μk) = 1
        assert!(close(g.centre(t) - g.mean(t).0, 1.0, 1e-12));
    }
    let st = TrapProcess::new(
        1.0,
        1.0,
        1.0,
        0.0,
        1.0,
        1.0,
        Protocol::Fixed { centre: 1.0 },
    )
    .unwrap();
    assert!(close(st.entropy_production(), 0.432_332_4, 1e-7));
    assert!(close(st.speed_limit_bound(), 0.399_576_4, 1e-7));
    // the ramp sits between: above the geodesic's bound-attaining value for the same distance
    let r = TrapProcess::new(
        1.0,
        1.0,
        1.0,
        0.0,
        1.0,
        1.0,
        Protocol::Ramp { distance: 1.0 },
    )
    .unwrap();
    assert!(r.entropy_production() > r.speed_limit_bound());
    // every protocol obeys Σ ≥ W₂²/(μTτ) over many durations and temperatures
    for tau in [0.1, 1.0, 5.0] {
        for temp in [0.5, 2.0] {
            for pr in [
                Protocol::Fixed { centre: 2.0 },
                Protocol::Ramp { distance: 3.0 },
                Protocol::Geodesic { distance: -1.0 },
            ] {
                let q = TrapProcess::new(0.7, temp, 1.3, 0.5, 0.8, tau, pr).unwrap();
                assert!(
                    q.entropy_production() >= q.speed_limit_bound() * (1.0 - 1e-12),
                    "{q:?}"
                );
                // the quadrature definition agrees with the closed form everywhere
                assert!(close(
                    q.entropy_production_rate_quadrature(0.37 * tau),
                    q.entropy_production_rate(0.37 * tau),
                    1e-9 * (1.0 + q.entropy_production_rate(0.37 * tau))
                ));
            }
        }
    }
}

/// (f) The rotational force F = −kx + κJx (μ = T = k = κ = 1): σ = 2 while the law is stationary
/// (v = 0). Monte Carlo with 10⁵ Euler–Maruyama chains (h = 0.01) started at the stationary law:
/// ⟨|ν|²⟩/D = μκ²⟨|x|²⟩ matches EM's exact discrete value 2c, c = 2Dh/(1 − ρ²), ρ² = (1 − μkh)² +
/// (μκh)², within 5 SE (|x|² ~ c χ²₂: SE = 2c/√N), and the continuous 2 within 5 SE + (2c − 2).
#[test]
fn rotational_steady_state_entropy_production() {
    let (sigma, var) = rotational_steady_state(1.0, 1.0, 1.0, 1.0);
    assert!(close(sigma, 2.0, 1e-15) && close(var, 1.0, 1e-15));
    let (n, h, steps) = (100_000usize, 0.01f64, 200);
    let mut rng = sim_rng(4);
    let mut z = || {
        let (a, b) = normal_pair(rand::Rng::next_u32(&mut rng), rand::Rng::next_u32(&mut rng));
        (a as f64, b as f64)
    };
    let mut xs: Vec<[f64; 2]> = (0..n)
        .map(|_| {
            let (a, b) = z();
            [a, b]
        })
        .collect();
    let q = (2.0 * h).sqrt();
    for _ in 0..steps {
        for x in xs.iter_mut() {
            let (a, b) = z();
            let f = [-x[0] - x[1], -x[1] + x[0]]; // −x + Jx, J(x, y) = (−y, x)
            *x = [x[0] + h * f[0] + q * a, x[1] + h * f[1] + q * b];
        }
    }
    let est = xs.iter().map(|x| x[0] * x[0] + x[1] * x[1]).sum::<f64>() / n as f64;
    let rho2 = (1.0 - h).powi(2) + h * h;
    let c = 2.0 * h / (1.0 - rho2);
    let se = 2.0 * c / (n as f64).sqrt();
    assert!(close(est, 2.0 * c, 5.0 * se), "{est} vs {}", 2.0 * c);
    assert!(close(est, sigma, 5.0 * se + (2.0 * c - 2.0)));
    // v = 0: the mean stays at the origin (SE √(c/N) per coordinate)
    let m: f64 = xs.iter().map(|x| x[0]).sum::<f64>() / n as f64;
    assert!(m.abs() < 5.0 * (c / n as f64).sqrt());
}

#[test]
fn bad_trap_parameters_are_rejected() {
    let e = |r: Result<TrapProcess, scorebook::Error>| r.unwrap_err().to_string();
    let p = Protocol::Fixed { centre: 0.0 };
    assert!(e(TrapProcess::new(0.0, 1.0, 1.0, 0.0, 1.0, 1.0, p))
        .starts_with("mobility must be a finite number in (0, 100]"));
    assert!(
        e(TrapProcess::new(1.0, -1.0, 1.0, 0.0, 1.0, 1.0, p)).starts_with("temperature must be")
    );
    assert!(e(TrapProcess::new(1.0, 1.0, 1.0, 0.0, 1.0, 0.0, p)).starts_with("duration must be"));
    assert!(e(TrapProcess::new(1.0, 1.0, 1.0, f64::NAN, 1.0, 1.0, p))
        .starts_with("initial mean must be"));
    assert!(e(TrapProcess::new(
        1.0,
        1.0,
        1.0,
        0.0,
        1.0,
        1.0,
        Protocol::Ramp {
            distance: f64::INFINITY
        }
    ))
    .starts_with("protocol distance must be"));
}

#[test]
fn relaxation_kl_decays_at_the_entropy_production_rate() {
    // fixed trap: d/dt KL(P_t ‖ π) = −σ_t. Central differences of step 1e-5 have truncation error
    // ~ h² |KL‴|/6 < 1e-9 here and round-off ~ 1e-16/1e-5 = 1e-11; 1e-7 relative leaves margin.
    for p in [
        TrapProcess::ito_relaxation(),
        TrapProcess::new(
            0.5,
            2.0,
            3.0,
            -1.0,
            2.5,
            4.0,
            Protocol::Fixed { centre: 1.5 },
        )
        .unwrap(),
    ] {
        let h = 1e-5;
        for t in [0.05, 0.3, 0.9, 2.0] {
            let dkl = (p.kl_to_equilibrium(t + h) - p.kl_to_equilibrium(t - h)) / (2.0 * h);
            let s = p.entropy_production_rate(t);
            assert!(
                (dkl + s).abs() <= 1e-7 * (1.0 + s),
                "t = {t}: dKL/dt = {dkl}, sigma = {s}"
            );
        }
        assert!(p.kl_to_equilibrium(0.0) > 0.0);
    }
    // at equilibrium exactly: N(λ, T/k) has KL 0
    let eq = TrapProcess::new(
        1.0,
        1.0,
        2.0,
        0.5,
        0.5f64.sqrt(),
        1.0,
        Protocol::Fixed { centre: 0.5 },
    )
    .unwrap();
    assert!(eq.kl_to_equilibrium(0.3).abs() < 1e-15);
}
