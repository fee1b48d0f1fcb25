//! Flow matching (section 7): the exact marginal velocity against Monte Carlo and the continuity
//! equation, CFM = FM + constant, the Gaussian endpoint map against the OT map, kinetic energy
//! against W₂² (V-23), integrator orders, the assignment solver against brute force, minibatch
//! OT costs, the VP probability flow, training, bad input and divergence.

use rand::Rng;
use scorebook::error::Error;
use scorebook::flow::assignment::Assignment;
use scorebook::flow::integrator::check_steps;
use scorebook::flow::trainer::{check_batch, FlowEvalSet};
use scorebook::flow::transport::{
    discrete_ot_cost, gaussian_kinetic_energy, sqrt_spd, w2_squared_from_standard,
};
use scorebook::flow::velocity::check_tau;
use scorebook::flow::{
    CondOtVelocity, Coupling, FlowConfig, FlowTrainer, OdeIntegrator, OdeMethod, Velocity,
    VpProbabilityFlow,
};
use scorebook::gaussian::Gaussian2;
use scorebook::mixture::GaussianMixture;
use scorebook::normal::normal_pair;
use scorebook::particles::Particles;
use scorebook::presets::preset;
use scorebook::rng::sim_rng;

fn gaussian(mean: [f64; 2], s: [f64; 3]) -> GaussianMixture {
    GaussianMixture::new(
        &[1.0],
        vec![Gaussian2::new(mean, s[0], s[1], s[2]).unwrap()],
    )
    .unwrap()
}

const ANISO_MEAN: [f64; 2] = [1.5, -1.0];
const ANISO_COV: [f64; 3] = [2.0, 0.8, 0.5];

/// u_τ(x) = E[x₁ − x₀ | x_τ = x] by self-normalised importance sampling over x₁ ~ p:
/// p(x_τ = x | x₁) = N(x; τx₁, (1 − τ)²I) and then x₁ − x₀ = (x₁ − x)/(1 − τ). This uses only
/// samples of the mixture, not the Gaussian algebra of the closed form.
#[test]
fn marginal_velocity_matches_importance_weighted_monte_carlo() {
    let n = 200_000;
    let mut worst: f64 = 0.0;
    for name in ["two-modes", "ring8"] {
        let data = preset(name).unwrap();
        let mut field = CondOtVelocity::new(&data);
        let mut rng = sim_rng(11);
        let x1s: Vec<[f64; 2]> = (0..n).map(|_| data.sample(&mut rng)).collect();
        for &tau in &[0.1, 0.5, 0.8] {
            let pt = field.marginal(tau).unwrap();
            for _ in 0..3 {
                let x = pt.sample(&mut rng); // a typical point of p_τ
                let s2 = (1.0 - tau) * (1.0 - tau);
                let logw: Vec<f64> = x1s
                    .iter()
                    .map(|y| {
                        -((x[0] - tau * y[0]).powi(2) + (x[1] - tau * y[1]).powi(2)) / (2.0 * s2)
                    })
                    .collect();
                let mx = logw.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let w: Vec<f64> = logw.iter().map(|l| (l - mx).exp()).collect();
                let sw: f64 = w.iter().sum();
                let ess = sw * sw / w.iter().map(|a| a * a).sum::<f64>();
                assert!(ess > 200.0, "{name} τ = {tau}: effective sample size {ess}");
                let exact = field.velocity_at(tau, x).unwrap();
                for d in 0..2 {
                    let dv: Vec<f64> = x1s.iter().map(|y| (y[d] - x[d]) / (1.0 - tau)).collect();
                    let est: f64 = w.iter().zip(&dv).map(|(a, b)| a * b).sum::<f64>() / sw;
                    // delta-method standard error of the ratio estimator
                    let se = (w
                        .iter()
                        .zip(&dv)
                        .map(|(a, b)| a * a * (b - est).powi(2))
                        .sum::<f64>())
                    .sqrt()
                        / sw;
                    let z = (est - exact[d]).abs() / se;
                    worst = worst.max(z);
                    assert!(
                        z < 5.0,
                        "{name} τ = {tau} x = {x:?} coord {d}: MC {est} ± {se}, exact {}",
                        exact[d]
                    );
                }
            }
        }
    }
    eprintln!("largest |MC − exact|/SE = {worst:.2}");
}

/// ∂_τ p_τ + ∇·(p_τ u_τ) = 0 (curriculum V-24) by central differences (h = 1e-4: truncation
/// O(h²·p''') ≈ 1e-9, rounding ≈ 1e-16·p/h ≈ 1e-13), on a grid at τ ∈ {0.2, 0.5, 0.8}.
#[test]
fn marginal_velocity_solves_the_continuity_equation() {
    let h = 1e-4;
    for name in ["two-modes", "ring8"] {
        let data = preset(name).unwrap();
        let mut field = CondOtVelocity::new(&data);
        let v = data.view_box();
        for &tau in &[0.2, 0.5, 0.8] {
            let (pm, pp, p0) = (
                field.marginal(tau - h).unwrap(),
                field.marginal(tau + h).unwrap(),
                field.marginal(tau).unwrap(),
            );
            let mut worst: f64 = 0.0;
            let mut peak: f64 = 0.0;
            for j in 0..15 {
                for i in 0..15 {
                    let x = [
                        v[0] + (v[1] - v[0]) * (i as f64 + 0.5) / 15.0,
                        v[2] + (v[3] - v[2]) * (j as f64 + 0.5) / 15.0,
                    ];
                    let dt = (pp.density(x) - pm.density(x)) / (2.0 * h);
                    let mut flux = |y: [f64; 2], d: usize| {
                        p0.density(y) * field.velocity_at(tau, y).unwrap()[d]
                    };
                    let div = (flux([x[0] + h, x[1]], 0) - flux([x[0] - h, x[1]], 0)) / (2.0 * h)
                        + (flux([x[0], x[1] + h], 1) - flux([x[0], x[1] - h], 1)) / (2.0 * h);
                    worst = worst.max((dt + div).abs());
                    peak = peak.max(dt.abs());
                }
            }
            assert!(
                worst <= 1e-6 * peak.max(1e-3),
                "{name} τ = {tau}: residual {worst} (|∂τ p| up to {peak})"
            );
        }
    }
}

/// L_CFM(θ) − L_FM(θ) = E‖x₁ − x₀‖² − E‖u‖² does not depend on θ. With common samples the
/// difference between two models is −2·mean (v_a − v_b)·(D − u), mean 0, checked within 5 SE
/// for random networks and simple fields; a wrong u (no responsibilities) fails the same check.
#[test]
fn conditional_and_marginal_losses_differ_by_a_constant() {
    let data = preset("two-modes").unwrap();
    let mut field = CondOtVelocity::new(&data);
    let n = 100_000;
    let mut rng = sim_rng(5);
    let mut pts = Vec::with_capacity(n);
    for _ in 0..n {
        let x1 = data.sample(&mut rng);
        let (z1, z2) = normal_pair(rng.next_u32(), rng.next_u32());
        let tau = ((rng.next_u32() >> 8) as f64 + 0.5) / 16_777_216.0;
        let x = [
            (1.0 - tau) * z1 as f64 + tau * x1[0],
            (1.0 - tau) * z2 as f64 + tau * x1[1],
        ];
        let d = [x1[0] - z1 as f64, x1[1] - z2 as f64];
        let u = field.velocity_at(tau, x).unwrap();
        pts.push((x, tau, d, u));
    }
    // the constant itself: E‖D‖² − E‖u‖² (exact E‖D‖² = E‖x₁‖² + 2)
    let c_mc = pts
        .iter()
        .map(|p| p.2[0].powi(2) + p.2[1].powi(2) - p.3[0].powi(2) - p.3[1].powi(2))
        .sum::<f64>()
        / n as f64;
    assert!(c_mc > 0.0);
    type Model = Box<dyn FnMut([f64; 2], f64) -> [f64; 2]>;
    let mut models: Vec<Model> = vec![
        Box::new(|x, _| [x[0], x[1]]),
        Box::new(|x, t| [2.0 * t - x[1], x[0] * t]),
        Box::new(|x, t| [(x[0] * 1.3).sin() * 3.0, t * t * 5.0 - x[1]]),
    ];
    for seed in 1..=3u64 {
        let mut tr = FlowTrainer::new(&data, FlowConfig::standard(), seed).unwrap();
        models.push(Box::new(move |x, t| {
            let mut o = [0.0f32; 2];
            tr.velocity_at(t, &[x[0] as f32], &[x[1] as f32], &mut o)
                .unwrap();
            [o[0] as f64 * 4.0, o[1] as f64 * 4.0]
        }));
    }
    let check = |vals: &[f64]| {
        let m = vals.iter().sum::<f64>() / n as f64;
        let sd = (vals.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt();
        (m, sd / (n as f64).sqrt())
    };
    for (k, model) in models.iter_mut().enumerate() {
        // per-sample (L_CFM − L_FM) of the model minus that of v = 0
        let vals: Vec<f64> = pts
            .iter()
            .map(|(x, t, d, u)| {
                let v = model(*x, *t);
                -2.0 * (v[0] * (d[0] - u[0]) + v[1] * (d[1] - u[1]))
            })
            .collect();
        let (m, se) = check(&vals);
        assert!(m.abs() < 5.0 * se, "model {k}: θ-dependent part {m} ± {se}");
    }
    // power: replace u by the responsibility-free average Σ wₖ E[D | x, k] (wrong), and v = x
    let wrong: Vec<f64> = pts
        .iter()
        .map(|(x, t, d, _)| {
            let mut u = [0.0; 2];
            for (w, c) in data.weights().iter().zip(data.components()) {
                let one = GaussianMixture::new(&[1.0], vec![*c]).unwrap();
                let uk = CondOtVelocity::new(&one).velocity_at(*t, *x).unwrap();
                u[0] += w * uk[0];
                u[1] += w * uk[1];
            }
            -2.0 * (x[0] * (d[0] - u[0]) + x[1] * (d[1] - u[1]))
        })
        .collect();
    let (m, se) = check(&wrong);
    assert!(
        m.abs() > 5.0 * se,
        "the check must reject a wrong u: {m} ± {se}"
    );
}

fn cloud(n: usize, seed: u64) -> Particles {
    Particles::normal(n, [0.0, 0.0], 1.0, seed)
}

/// N(0, I) → N(μ, Σ): every matrix on the path is a function of Σ, so the exact flow's endpoint
/// map is x ↦ μ + Σ^{1/2}x, the OT map (Brenier), for this anisotropic, non-diagonal Σ. Heun
/// with N = 1000: global error ≈ C h² ≈ 1e-6 plus f32 rounding ≈ √N·6e-8·|x| ≈ 1e-5; bound 1e-4.
/// The Cholesky map μ + Lx also pushes N(0, I) to N(μ, Σ) but is not the flow's map (nor OT).
#[test]
fn gaussian_endpoint_map_is_the_ot_map() {
    let data = gaussian(ANISO_MEAN, ANISO_COV);
    let mut field = CondOtVelocity::new(&data);
    let start = cloud(2000, 3);
    let mut ode = OdeIntegrator::new(OdeMethod::Heun, 1000, start.clone(), 0).unwrap();
    ode.run(&mut field).unwrap();
    let r = sqrt_spd(ANISO_COV);
    let l = data.components()[0].cholesky();
    let (mut worst, mut chol): (f64, f64) = (0.0, 0.0);
    for i in 0..start.len() {
        let (z1, z2) = (start.xs[i] as f64, start.ys[i] as f64);
        let t = [
            ANISO_MEAN[0] + r[0] * z1 + r[1] * z2,
            ANISO_MEAN[1] + r[1] * z1 + r[2] * z2,
        ];
        let c = [
            ANISO_MEAN[0] + l[0] * z1,
            ANISO_MEAN[1] + l[1] * z1 + l[2] * z2,
        ];
        let e = [ode.particles().xs[i] as f64, ode.particles().ys[i] as f64];
        worst = worst.max((e[0] - t[0]).abs().max((e[1] - t[1]).abs()));
        chol = chol.max((e[0] - c[0]).abs().max((e[1] - c[1]).abs()));
    }
    assert!(worst < 1e-4, "endpoint vs μ + Σ^½x: {worst}");
    assert!(chol > 0.1, "the Cholesky map should differ: {chol}");
    // its transport cost is W₂² (the map is optimal); the kinetic energy is strictly larger
    let w2 = w2_squared_from_standard(ANISO_MEAN, ANISO_COV);
    let k = gaussian_kinetic_energy(ANISO_MEAN, ANISO_COV);
    assert!(k > w2 + 0.05, "K = {k}, W₂² = {w2}");
}

/// V-23 per coordinate: K(m, s) = m² + I(s) with K(2, 0.5) = 4.464602, K(0, 1) = 2 − π/2,
/// K(0, 2) = 1.858407, K(3, 1) = 9.429204 (the curriculum's six decimals, so 1e-6). In 2-D with
/// Σ = s²I: K = ‖m‖² + 2I(s). W₂² = ‖m‖² + 2(s − 1)².
#[test]
fn kinetic_energy_matches_v23_and_exceeds_w2() {
    let i_half = 4.464602 - 4.0;
    let i_one = 2.0 - std::f64::consts::FRAC_PI_2;
    let i_two = 1.858407;
    for (m, s, i) in [
        ([2.0, 0.0], 0.5, i_half),
        ([0.0, 0.0], 1.0, i_one),
        ([0.0, 0.0], 2.0, i_two),
        ([3.0, 0.0], 1.0, i_one),
        ([1.0, -2.0], 0.5, i_half),
    ] {
        let cov = [s * s, 0.0, s * s];
        let k = gaussian_kinetic_energy(m, cov);
        let exact = m[0] * m[0] + m[1] * m[1] + 2.0 * i;
        assert!(
            (k - exact).abs() < 2e-6,
            "m = {m:?}, s = {s}: K = {k}, V-23 {exact}"
        );
        let w2 = w2_squared_from_standard(m, cov);
        assert!((w2 - (m[0] * m[0] + m[1] * m[1] + 2.0 * (s - 1.0) * (s - 1.0))).abs() < 1e-12);
        assert!(k > w2, "K = {k} must exceed W₂² = {w2}");
    }
    assert!(
        (gaussian_kinetic_energy([0.0, 0.0], [1.0, 0.0, 1.0])
            - 2.0 * (2.0 - std::f64::consts::FRAC_PI_2))
            .abs()
            < 1e-10
    );
    // the integrated flow's K̂ (Heun, 200 steps) against the closed form, anisotropic Σ:
    // 8 independent clouds give the standard error; the O(h²) bias is ≈ 1e-5
    let data = gaussian(ANISO_MEAN, ANISO_COV);
    let mut field = CondOtVelocity::new(&data);
    let means: Vec<f64> = (0..8)
        .map(|s| {
            let mut ode =
                OdeIntegrator::new(OdeMethod::Heun, 200, cloud(4000, 100 + s), 0).unwrap();
            ode.run(&mut field).unwrap();
            assert!(ode.straightness_gap() > 0.0 && ode.length_over_chord() > 1.0);
            ode.kinetic_energy()
        })
        .collect();
    let m = means.iter().sum::<f64>() / 8.0;
    let se = (means.iter().map(|v| (v - m).powi(2)).sum::<f64>() / 7.0 / 8.0).sqrt();
    let k = gaussian_kinetic_energy(ANISO_MEAN, ANISO_COV);
    assert!((m - k).abs() < 5.0 * se + 1e-4, "K̂ = {m} ± {se}, exact {k}");
}

/// For mixtures W₂² has no closed form, but Gelbrich's bound W₂² ≥ ‖m₁ − m₂‖² +
/// tr(Σ₁ + Σ₂ − 2(Σ₂^½Σ₁Σ₂^½)^½) (here Σ₁ = I: tr(I + Σ − 2Σ^½)) holds for any laws with those
/// moments. The chain K̂ ≥ transport cost (Cauchy–Schwarz, deterministic) ≥ W₂² ≥ Gelbrich must
/// hold; the cost of the endpoint map is an estimate of E‖T(x) − x‖², within 5 SE.
#[test]
fn kinetic_energy_is_at_least_w2_for_mixtures() {
    for name in ["two-modes", "ring8"] {
        let data = preset(name).unwrap();
        let gel = w2_squared_from_standard(data.mean(), data.covariance());
        for flow in 0..2 {
            let mut ode = OdeIntegrator::new(OdeMethod::Heun, 100, cloud(4000, 9), 0).unwrap();
            if flow == 0 {
                ode.run(&mut CondOtVelocity::new(&data)).unwrap();
            } else {
                ode.run(&mut VpProbabilityFlow::standard(&data)).unwrap();
            }
            let (k, c) = (ode.kinetic_energy(), ode.transport_cost());
            assert!(k >= c, "{name}: K̂ {k} < cost {c}");
            // per-particle cost sd ≤ 2·(mean) for these laws: SE ≤ 2c/√n
            assert!(
                c > gel - 5.0 * 2.0 * c / (4000f64).sqrt(),
                "{name} flow {flow}: cost {c} below Gelbrich {gel}"
            );
            eprintln!("{name} flow {flow}: K̂ = {k:.4}, cost = {c:.4}, Gelbrich bound = {gel:.4}");
        }
    }
}

/// Orders by refinement on the two-mode mixture's (nonlinear) field against a Heun reference
/// with N = 4000 (its error ≈ 1e-7 plus f32 rounding ≈ 1e-6, far below the errors compared): the
/// mean error ratio under halving h is ≈ 2 for Euler and ≈ 4 for midpoint and Heun (N = 16 → 64).
/// (On a Gaussian target the field is affine in x and midpoint happens to cancel its h² term.)
#[test]
fn integrator_orders_by_refinement() {
    let data = preset("two-modes").unwrap();
    let start = cloud(400, 4);
    let mut field = CondOtVelocity::new(&data);
    let mut reference = OdeIntegrator::new(OdeMethod::Heun, 4000, start.clone(), 0).unwrap();
    reference.run(&mut field).unwrap();
    for method in OdeMethod::ALL {
        let mut err = |n: usize| {
            let mut ode = OdeIntegrator::new(method, n, start.clone(), 0).unwrap();
            ode.run(&mut field).unwrap();
            assert_eq!(ode.nfe(), n as u64 * method.evaluations_per_step());
            assert!(ode.finished() && !ode.step(&mut field).unwrap());
            let (p, r) = (ode.particles(), reference.particles());
            (0..start.len())
                .map(|i| ((p.xs[i] - r.xs[i]) as f64).hypot((p.ys[i] - r.ys[i]) as f64))
                .sum::<f64>()
                / start.len() as f64
        };
        let (e1, e2, e3) = (err(16), err(32), err(64));
        let want = (1u32 << method.order()) as f64;
        for (a, b) in [(e1, e2), (e2, e3)] {
            let ratio = a / b;
            assert!(
                (ratio / want - 1.0).abs() < 0.25,
                "{}: ratio {ratio} (errors {e1}, {e2}, {e3})",
                method.name()
            );
        }
        eprintln!("{}: errors {e1:.2e} {e2:.2e} {e3:.2e}", method.name());
    }
}

fn brute_force(n: usize, cost: &[f64]) -> f64 {
    let mut perm: Vec<usize> = (0..n).collect();
    let mut best = f64::INFINITY;
    fn rec(k: usize, perm: &mut Vec<usize>, n: usize, cost: &[f64], best: &mut f64) {
        if k == n {
            *best = best.min((0..n).map(|i| cost[i * n + perm[i]]).sum());
            return;
        }
        for j in k..n {
            perm.swap(k, j);
            rec(k + 1, perm, n, cost, best);
            perm.swap(k, j);
        }
    }
    rec(0, &mut perm, n, cost, &mut best);
    best
}

#[test]
fn assignment_is_optimal_against_brute_force() {
    let mut rng = sim_rng(21);
    let mut solver = Assignment::new();
    for trial in 0..60 {
        let n = 1 + trial % 7;
        let cost: Vec<f64> = (0..n * n)
            .map(|_| {
                if trial % 3 == 0 {
                    (rng.next_u32() % 4) as f64
                } else {
                    (rng.next_u32() as f64 / 4e9) * 10.0 - 3.0
                }
            })
            .collect();
        let got = solver.solve(n, &cost).unwrap();
        let want = brute_force(n, &cost);
        assert!((got - want).abs() < 1e-9, "n = {n}: {got} vs {want}");
        let mut cols = solver.columns().to_vec();
        assert!((got - (0..n).map(|i| cost[i * n + cols[i]]).sum::<f64>()).abs() < 1e-9);
        cols.sort();
        assert_eq!(cols, (0..n).collect::<Vec<_>>(), "a permutation");
    }
    assert!(solver.solve(0, &[]).is_err());
    assert!(solver.solve(2, &[1.0, f64::NAN, 0.0, 1.0]).is_err());
    assert!(solver.solve(2, &[1.0]).is_err());
}

/// Minibatch OT for N(0, I) → N(μ, Σ): the mean batch OT cost is ≥ W₂² in expectation (joint
/// convexity) and decreases toward it as the batch grows; the independent pairs cost
/// E‖x₁ − x₀‖² = ‖μ‖² + tr Σ + 2 exactly (checked within 5 SE).
#[test]
fn minibatch_ot_cost_decreases_toward_w2() {
    let data = gaussian(ANISO_MEAN, ANISO_COV);
    let w2 = w2_squared_from_standard(ANISO_MEAN, ANISO_COV);
    let mut rng = sim_rng(8);
    let mut solver = Assignment::new();
    let mut cost = Vec::new();
    let mut means = vec![];
    for &b in &[8usize, 32, 128, 256] {
        let reps = 4096 / b;
        let mut vals = vec![];
        let mut indep = vec![];
        for _ in 0..reps {
            let (mut ax, mut ay, mut bx, mut by) = (vec![], vec![], vec![], vec![]);
            for _ in 0..b {
                let (z1, z2) = normal_pair(rng.next_u32(), rng.next_u32());
                let y = data.sample(&mut rng);
                ax.push(z1);
                ay.push(z2);
                bx.push(y[0] as f32);
                by.push(y[1] as f32);
                indep.push((y[0] - z1 as f64).powi(2) + (y[1] - z2 as f64).powi(2));
            }
            vals.push(discrete_ot_cost(&ax, &ay, &bx, &by, &mut solver, &mut cost).unwrap());
        }
        let m = vals.iter().sum::<f64>() / reps as f64;
        let se =
            (vals.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (reps - 1) as f64 / reps as f64)
                .sqrt();
        assert!(m > w2 - 5.0 * se, "B = {b}: {m} ± {se} below W₂² = {w2}");
        let im = indep.iter().sum::<f64>() / indep.len() as f64;
        let ise = (indep.iter().map(|v| (v - im).powi(2)).sum::<f64>()
            / (indep.len() * (indep.len() - 1)) as f64)
            .sqrt();
        let exact = CondOtVelocity::new(&data).independent_cost();
        assert!(
            (im - exact).abs() < 5.0 * ise,
            "independent cost {im} ± {ise} vs {exact}"
        );
        means.push(m);
        eprintln!("B = {b}: OT cost {m:.4} ± {se:.4} (W₂² = {w2:.4}, independent {exact:.4})");
    }
    for w in means.windows(2) {
        assert!(
            w[1] < w[0],
            "the batch OT cost must decrease with B: {means:?}"
        );
    }
    assert!(
        means[3] < w2 * 1.15,
        "B = 256 within 15 % of W₂²: {}",
        means[3]
    );
}

/// The VP probability flow for Gaussian data is affine: from y ~ p₁ the endpoint is
/// μ + Σ^½ C₁^{-½}(y − α₁μ), C₁ = α₁²Σ + (1 − α₁²)I (V-14 in 2-D). Heun, N = 2000.
/// Its marginals solve the continuity equation with the same FD check as the FM field.
#[test]
fn vp_probability_flow_is_exact() {
    let data = gaussian(ANISO_MEAN, ANISO_COV);
    let mut pf = VpProbabilityFlow::standard(&data);
    let a1 = pf.alpha(1.0);
    let c1 = [
        a1 * a1 * ANISO_COV[0] + 1.0 - a1 * a1,
        a1 * a1 * ANISO_COV[1],
        a1 * a1 * ANISO_COV[2] + 1.0 - a1 * a1,
    ];
    let r1 = sqrt_spd(c1);
    let start = cloud(500, 6);
    // map z to y = α₁μ + C₁^½ z ~ p₁
    let mut y = start.clone();
    for i in 0..y.len() {
        let (z1, z2) = (start.xs[i] as f64, start.ys[i] as f64);
        y.xs[i] = (a1 * ANISO_MEAN[0] + r1[0] * z1 + r1[1] * z2) as f32;
        y.ys[i] = (a1 * ANISO_MEAN[1] + r1[1] * z1 + r1[2] * z2) as f32;
    }
    let mut ode = OdeIntegrator::new(OdeMethod::Heun, 2000, y, 0).unwrap();
    ode.run(&mut pf).unwrap();
    let r = sqrt_spd(ANISO_COV);
    let mut worst: f64 = 0.0;
    for i in 0..start.len() {
        let (z1, z2) = (start.xs[i] as f64, start.ys[i] as f64);
        let t = [
            ANISO_MEAN[0] + r[0] * z1 + r[1] * z2,
            ANISO_MEAN[1] + r[1] * z1 + r[2] * z2,
        ];
        worst = worst
            .max((ode.particles().xs[i] as f64 - t[0]).abs())
            .max((ode.particles().ys[i] as f64 - t[1]).abs());
    }
    assert!(worst < 1e-3, "PF-ODE endpoint error {worst}");
    let data = preset("two-modes").unwrap();
    let mut pf = VpProbabilityFlow::standard(&data);
    let h = 1e-5;
    for &tau in &[0.3, 0.7, 0.95] {
        let (pm, pp, p0) = (
            pf.marginal(tau - h).unwrap(),
            pf.marginal(tau + h).unwrap(),
            pf.marginal(tau).unwrap(),
        );
        for x in [[-2.0, 0.0], [2.5, 1.0], [0.3, -0.4]] {
            let dt = (pp.density(x) - pm.density(x)) / (2.0 * h);
            let hx = 1e-4;
            let mut flux =
                |y: [f64; 2], d: usize| p0.density(y) * pf.velocity_at(tau, y).unwrap()[d];
            let div = (flux([x[0] + hx, x[1]], 0) - flux([x[0] - hx, x[1]], 0)) / (2.0 * hx)
                + (flux([x[0], x[1] + hx], 1) - flux([x[0], x[1] - hx], 1)) / (2.0 * hx);
            assert!(
                (dt + div).abs() < 1e-5 * dt.abs().max(1e-2),
                "τ = {tau} x = {x:?}: ∂τp = {dt}, div = {div}"
            );
        }
    }
}

/// A small network trained by CFM approaches the exact field: the relative error on a fixed set
/// falls well below its initial value (≥ 0.5 at init: an untrained net is as bad as v = 0).
#[test]
fn trainer_learns_the_exact_velocity() {
    let data = preset("two-modes").unwrap();
    let cfg = FlowConfig {
        hidden: vec![32, 32],
        learning_rate: 5e-3,
        batch_size: 128,
        ..FlowConfig::standard()
    };
    let mut tr = FlowTrainer::new(&data, cfg.clone(), 1).unwrap();
    let set = FlowEvalSet::new(&data, 2000, 3).unwrap();
    let e0 = tr.relative_error(&set);
    for _ in 0..1500 {
        tr.step().unwrap();
    }
    let e1 = tr.relative_error(&set);
    eprintln!("relative error {e0:.3} → {e1:.3}");
    assert!(e0 > 0.5 && e1 < 0.15, "relative error {e0} → {e1}");
    // determinism
    let mut again = FlowTrainer::new(&data, cfg.clone(), 1).unwrap();
    for _ in 0..1500 {
        again.step().unwrap();
    }
    assert_eq!(again.network().params(), tr.network().params());
    // minibatch OT pairs cost less than independent pairs
    let mut ot = FlowTrainer::new(
        &data,
        FlowConfig {
            coupling: Coupling::MinibatchOt,
            ..cfg
        },
        1,
    )
    .unwrap();
    ot.step().unwrap();
    tr.step().unwrap();
    assert!(
        ot.last_pair_cost() < 0.6 * tr.last_pair_cost(),
        "{} vs {}",
        ot.last_pair_cost(),
        tr.last_pair_cost()
    );
    // the learned field integrates (as a Velocity) to a finite cloud
    let mut ode = OdeIntegrator::new(OdeMethod::Euler, 20, cloud(300, 2), 5).unwrap();
    ode.run(&mut tr).unwrap();
    assert!(ode.particles().xs.iter().all(|v| v.is_finite()));
}

struct Explode;
impl Velocity for Explode {
    fn eval(&mut self, _t: f64, xs: &[f32], _ys: &[f32], vx: &mut [f32], vy: &mut [f32]) {
        for i in 0..xs.len() {
            vx[i] = 1e30;
            vy[i] = 0.0;
        }
    }
}

#[test]
fn bad_input_and_divergence() {
    let named = |e: Error, name: &str| match e {
        Error::InvalidParameter { name: n, .. } => assert_eq!(n, name),
        other => panic!("expected {name}, got {other}"),
    };
    named(check_steps(0.0).unwrap_err(), "steps");
    named(check_steps(1.5).unwrap_err(), "steps");
    named(check_steps(f64::NAN).unwrap_err(), "steps");
    named(check_tau(-0.1).unwrap_err(), "tau");
    named(check_tau(1.01).unwrap_err(), "tau");
    let data = preset("ring8").unwrap();
    let mut f = CondOtVelocity::new(&data);
    named(f.velocity_at(-1.0, [0.0, 0.0]).unwrap_err(), "tau");
    named(f.marginal(f64::NAN).unwrap_err(), "tau");
    named(
        OdeIntegrator::new(OdeMethod::Euler, 0, cloud(3, 1), 0).unwrap_err(),
        "steps",
    );
    named(
        OdeIntegrator::new(OdeMethod::Euler, 5, Particles::default(), 0).unwrap_err(),
        "particles",
    );
    let nan = Particles {
        xs: vec![f32::NAN],
        ys: vec![0.0],
    };
    named(
        OdeIntegrator::new(OdeMethod::Euler, 5, nan, 0).unwrap_err(),
        "particles",
    );
    named(OdeMethod::from_name("rk4").unwrap_err(), "method");
    named(Coupling::from_name("ot").unwrap_err(), "coupling");
    named(
        check_batch(0, Coupling::Independent).unwrap_err(),
        "batch_size",
    );
    named(
        check_batch(1000, Coupling::MinibatchOt).unwrap_err(),
        "batch_size",
    );
    named(
        VpProbabilityFlow::new(&data, -1.0, 20.0).unwrap_err(),
        "beta_min",
    );
    named(
        VpProbabilityFlow::new(&data, 1.0, 0.5).unwrap_err(),
        "beta_max",
    );
    let bad = FlowConfig {
        learning_rate: 0.0,
        ..FlowConfig::standard()
    };
    assert!(FlowTrainer::new(&data, bad, 1).is_err());
    let bad = FlowConfig {
        hidden: vec![0],
        ..FlowConfig::standard()
    };
    named(FlowTrainer::new(&data, bad, 1).unwrap_err(), "hidden");
    let mut tr = FlowTrainer::new(
        &data,
        FlowConfig {
            batch_size: 600,
            ..FlowConfig::standard()
        },
        1,
    )
    .unwrap();
    named(
        tr.set_coupling(Coupling::MinibatchOt).unwrap_err(),
        "batch_size",
    );
    let mut out = [0.0f32; 2];
    named(
        tr.velocity_at(2.0, &[0.0], &[0.0], &mut out).unwrap_err(),
        "tau",
    );
    // divergence is reported, once, and the integrator refuses to continue
    let mut ode = OdeIntegrator::new(OdeMethod::Heun, 10, cloud(4, 1), 0).unwrap();
    match ode.step(&mut Explode) {
        Err(Error::Diverged {
            step: 1,
            particles: 4,
            ..
        }) => {}
        other => panic!("expected divergence, got {other:?}"),
    }
    assert!(ode.step(&mut Explode).is_err() && ode.diverged().is_some());
    // a learning rate of 1 on unit-free targets far away diverges or not, but never panics
    let far = gaussian([3000.0, 0.0], [1.0, 0.0, 1.0]);
    let mut tr = FlowTrainer::new(
        &far,
        FlowConfig {
            learning_rate: 1.0,
            ..FlowConfig::standard()
        },
        1,
    )
    .unwrap();
    for _ in 0..50 {
        if tr.step().is_err() {
            assert!(tr.diverged().is_some() && tr.step().is_err());
            break;
        }
    }
}

/// The quality sweep: with many steps both exact flows reproduce the data (histogram KL near
/// the floor of exact samples: within floor + 0.02, the sd of the estimator for 4000 points
/// being ≈ √(2(B − 1))/(2N) ≈ 0.004); one Euler step is far worse. The references bracket W₂².
#[test]
fn quality_sweep_and_references() {
    use scorebook::flow::paths::{PathsComparison, TransportReferences};
    use scorebook::flow::quality::QualitySweep;
    use scorebook::flow::targets::flow_target;
    for name in ["two-modes", "ring8"] {
        let data = flow_target(name).unwrap();
        let mut sw = QualitySweep::new(&data, OdeMethod::Heun, 4000, 1).unwrap();
        while sw.step().unwrap() {}
        let kl = sw.kl();
        let floor = sw.floor();
        eprintln!("{name}: floor {floor:.4}, KL {kl:?}");
        for (f, (first, last)) in kl[0].iter().zip(&kl[7]).enumerate() {
            assert!(
                *last < floor + 0.02,
                "{name} flow {f}: KL {last} at N = 128, floor {floor}"
            );
            assert!(
                *first > last + 0.1,
                "{name} flow {f}: one step should be worse"
            );
        }
        let r = TransportReferences::new(&data, 1).unwrap();
        assert!(
            r.w2_exact.is_none()
                && r.ot_batch_cost > r.gelbrich
                && r.independent_cost > r.ot_batch_cost
        );
        assert!(r.pair_costs[1] <= r.pair_costs[0]);
        let mut pc = PathsComparison::new(&data, OdeMethod::Heun, 50, 500, 10, 1).unwrap();
        while pc.step().unwrap() {}
        assert!(pc.fm().kinetic_energy() >= r.gelbrich && pc.pf().kinetic_energy() >= r.gelbrich);
    }
    let data = flow_target("shifted-gaussian").unwrap();
    let r = TransportReferences::new(&data, 1).unwrap();
    let w2 = r.w2_exact.unwrap();
    assert!((w2 - r.gelbrich).abs() < 1e-12 && r.fm_kinetic_exact.unwrap() > w2);
    assert!(flow_target("moons").is_err());
}

/// The f32 particle kernel against the f64 field: f32 rounding of the constants and of the
/// softmax (exp2 to ~2 ulp) gives relative errors ≈ 1e-6 of the field's scale; bound 2e-5
/// (absolute, scaled by 1 + |v|), over typical and far-away points, τ from 0 to 1.
#[test]
fn f32_kernel_matches_the_f64_fields() {
    for name in ["two-modes", "ring8", "shifted-gaussian"] {
        let data = scorebook::flow::targets::flow_target(name).unwrap();
        let mut fm = CondOtVelocity::new(&data);
        let mut pf = VpProbabilityFlow::standard(&data);
        let pts = cloud(203, 17); // not a multiple of 4: the tail path too
        let mut xs = pts.xs.clone();
        xs.extend([40.0f32, -25.0, 0.0]);
        let mut ys = pts.ys.clone();
        ys.extend([3.0f32, -30.0, 12.0]);
        let (mut vx, mut vy) = (vec![0.0f32; xs.len()], vec![0.0f32; xs.len()]);
        for &tau in &[0.0, 0.13, 0.5, 0.87, 1.0] {
            for flow in 0..2 {
                if flow == 0 {
                    fm.eval(tau, &xs, &ys, &mut vx, &mut vy);
                } else {
                    pf.eval(tau, &xs, &ys, &mut vx, &mut vy);
                }
                for i in 0..xs.len() {
                    let x = [xs[i] as f64, ys[i] as f64];
                    let e = if flow == 0 {
                        fm.velocity_at(tau, x).unwrap()
                    } else {
                        pf.velocity_at(tau, x).unwrap()
                    };
                    let tol = 2e-5 * (1.0 + e[0].hypot(e[1]));
                    assert!(
                        (vx[i] as f64 - e[0]).abs() < tol && (vy[i] as f64 - e[1]).abs() < tol,
                        "{name} flow {flow} τ = {tau} at {x:?}: {} {} vs {e:?}",
                        vx[i],
                        vy[i]
                    );
                }
            }
        }
    }
}

/// Golden checksums of the exact flows (ring8 and two-modes, Heun, 12 steps, 1001 particles from
/// seed 3): `tests/web_flow.rs` asserts the same bits for the browser's simd128 and scalar paths,
/// so native and WebAssembly runs agree exactly.
#[test]
fn golden_checksums_of_the_exact_flows() {
    use scorebook::flow::paths::PathsComparison;
    let mut got = vec![];
    for name in ["ring8", "two-modes"] {
        let data = scorebook::flow::targets::flow_target(name).unwrap();
        let mut pc = PathsComparison::new(&data, OdeMethod::Heun, 12, 1001, 0, 3).unwrap();
        while pc.step().unwrap() {}
        got.push(format!(
            "{:016x}:{:016x}",
            pc.fm().particles().checksum(),
            pc.pf().particles().checksum()
        ));
    }
    let got = got.join(";");
    eprintln!("golden {got}");
    assert_eq!(got, GOLDEN_FLOWS);
}

/// See `golden_checksums_of_the_exact_flows` (and `tests/web_flow.rs`).
const GOLDEN_FLOWS: &str = "313937adfbf1ca7f:c86d3452ffc853b1;8f507b07c6cdbc2f:a66336a10e224a10";
