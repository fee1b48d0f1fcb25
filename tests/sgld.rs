//! SGLD on the conjugate posterior of y_i ~ N(θ, 1), θ ~ N(0, 1) (curriculum V-L11), against the
//! exact posterior and the exact stationary variance of constant-step SGLD. Fixed seeds; the
//! standard errors come from batch means over blocks of equal total weight Σε (so that every
//! block holds about the same number of effective samples, ∝ P Σε / 2).

use scorebook::sgld::{ConjugateGaussian, Sgld, StepSchedule};
use scorebook::Error;

struct Estimate {
    mean: f64,
    var: f64,
    se_mean: f64,
    se_var: f64,
}

/// Runs `steps` steps and returns the ε-weighted mean and variance with batch-means SEs (40
/// blocks). The chain's own running moments must agree with the blocks' pooled ones.
fn run(
    model: &ConjugateGaussian,
    s: StepSchedule,
    batch: f64,
    burn: u64,
    steps: u64,
    seed: u64,
) -> Estimate {
    let total: f64 = (burn..steps).map(|t| s.step_size(t)).sum();
    let k = 40;
    let per = total / k as f64;
    let pm = model.posterior_mean();
    let mut c = Sgld::new(model.clone(), s, batch, burn, seed).unwrap();
    let (mut bm, mut bv) = (vec![], vec![]);
    let (mut w, mut s1, mut s2) = (0.0, 0.0, 0.0);
    for _ in 0..steps {
        let (th, e) = c.step().unwrap();
        if e > 0.0 {
            let d = th - pm;
            w += e;
            s1 += e * d;
            s2 += e * d * d;
            if w >= per {
                bm.push(s1 / w);
                bv.push(s2 / w);
                (w, s1, s2) = (0.0, 0.0, 0.0);
            }
        }
    }
    let kk = bm.len() as f64;
    let avg = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let se = |v: &[f64]| {
        let m = avg(v);
        (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() as f64 - 1.0) / kk).sqrt()
    };
    assert!(bm.len() >= 38, "{} blocks", bm.len());
    Estimate {
        mean: c.mean(),
        var: c.variance(),
        se_mean: se(&bm),
        se_var: se(&bv),
    }
}

#[test]
fn the_posterior_is_the_conjugate_update_checked_by_quadrature() {
    let m = ConjugateGaussian::synthetic(100.0, 1.0, 1).unwrap();
    assert_eq!(m.len(), 100);
    // ∫ θᵏ N(θ; 0, 1) Πᵢ N(yᵢ; θ, 1) dθ on a fine midpoint grid, in logs to avoid underflow
    let logpost =
        |t: f64| -0.5 * t * t - 0.5 * m.data().iter().map(|y| (y - t) * (y - t)).sum::<f64>();
    let (lo, h) = (0.0, 1e-4);
    let grid: Vec<f64> = (0..20_000).map(|i| lo + (i as f64 + 0.5) * h).collect();
    let top = grid
        .iter()
        .map(|&t| logpost(t))
        .fold(f64::NEG_INFINITY, f64::max);
    let (mut z, mut z1, mut z2) = (0.0, 0.0, 0.0);
    for &t in &grid {
        let w = (logpost(t) - top).exp();
        z += w;
        z1 += w * t;
        z2 += w * t * t;
    }
    let (mean, var) = (z1 / z, z2 / z - (z1 / z).powi(2));
    // midpoint rule on a Gaussian of sd 0.1 with h = 1e-4: error far below 1e-9
    assert!(
        (mean - m.posterior_mean()).abs() < 1e-9,
        "{mean} vs {}",
        m.posterior_mean()
    );
    assert!((var - m.posterior_variance()).abs() < 1e-9);
    assert!((m.posterior_variance() - 1.0 / 101.0).abs() < 1e-15);
    // the density integrates to one
    let int: f64 = grid.iter().map(|&t| m.posterior_density(t) * h).sum();
    assert!((int - 1.0).abs() < 1e-9);
}

/// V-L11: decreasing steps ε_t = 0.02 (100 + t)^(−0.55), batches of 10 from N = 100: the
/// ε-weighted mean and variance match the posterior to 5 batch-means SEs. (The weighted bias
/// Σε²/Σε · (V_g/4 + P/4) v is ≈ 0.3 % here, well inside the 2.6 % SE.)
#[test]
fn v_l11_decreasing_steps_sample_the_posterior() {
    let m = ConjugateGaussian::synthetic(100.0, 1.0, 1).unwrap();
    let s = StepSchedule::decreasing(0.02, 100.0, 0.55).unwrap();
    let e = run(&m, s, 10.0, 10_000, 10_000_000, 3);
    let (pm, pv) = (m.posterior_mean(), m.posterior_variance());
    eprintln!("decreasing: mean {:.5} (exact {pm:.5}, SE {:.1e}), variance {:.6} (exact {pv:.6}, SE {:.1e})", e.mean, e.se_mean, e.var, e.se_var);
    assert!(
        (e.mean - pm).abs() < 5.0 * e.se_mean,
        "mean {} vs {pm} (SE {})",
        e.mean,
        e.se_mean
    );
    assert!(
        (e.var - pv).abs() < 5.0 * e.se_var,
        "var {} vs {pv} (SE {})",
        e.var,
        e.se_var
    );
    // the SE is small enough for the check to mean something: 5 SE < 15 % of the variance
    assert!(5.0 * e.se_var < 0.15 * pv);
}

/// With a constant step ε = 0.005 the chain's variance is the exact (1 + εV_g/4)/(P(1 − εP/4)),
/// 2.65 times the posterior's; its mean is still the posterior mean.
#[test]
fn constant_step_variance_is_inflated_exactly_as_predicted() {
    let m = ConjugateGaussian::synthetic(100.0, 1.0, 1).unwrap();
    let eps = 0.005;
    let e = run(
        &m,
        StepSchedule::constant(eps).unwrap(),
        10.0,
        1000,
        1_000_000,
        4,
    );
    let v = m.constant_step_variance(eps, 10).unwrap();
    eprintln!(
        "constant: variance {:.6} (exact stationary {v:.6}, posterior {:.6}), ratio {:.4}",
        e.var,
        m.posterior_variance(),
        v / m.posterior_variance()
    );
    assert!(
        (e.var - v).abs() < 5.0 * e.se_var,
        "{} vs {v} (SE {})",
        e.var,
        e.se_var
    );
    assert!((e.mean - m.posterior_mean()).abs() < 5.0 * e.se_mean);
    assert!(v / m.posterior_variance() > 2.5);
    assert!(
        (e.var - m.posterior_variance()) > 50.0 * e.se_var,
        "inflation is far beyond noise"
    );
    // full batch: no minibatch noise, only the discretisation factor 1/(1 − εP/4)
    assert_eq!(m.gradient_noise_variance(100), 0.0);
    let full = run(
        &m,
        StepSchedule::constant(eps).unwrap(),
        100.0,
        1000,
        400_000,
        5,
    );
    let vf = m.constant_step_variance(eps, 100).unwrap();
    assert!((vf - 1.0 / (101.0 * (1.0 - eps * 101.0 / 4.0))).abs() < 1e-15);
    assert!(
        (full.var - vf).abs() < 5.0 * full.se_var,
        "{} vs {vf}",
        full.var
    );
}

/// The batch is uniform without replacement: over many steps every index is used n/N of the
/// time. Checked through the gradient: with data y_i = i, E[G] = Σy and Var G = V_g exactly.
#[test]
fn minibatch_gradient_is_unbiased_with_the_stated_variance() {
    let data: Vec<f64> = (0..50).map(|i| i as f64).collect();
    let m = ConjugateGaussian::new(data).unwrap();
    // one step from θ₀ = 0 gives θ₁ = (ε/2) G + √ε z with G = (N/n) Σ_B yᵢ, so over many
    // independent one-step chains E[θ₁] = (ε/2) Σy and Var θ₁ = ε² V_g/4 + ε
    let eps = 0.01;
    let (mut s1, mut s2) = (0.0, 0.0);
    let reps = 200_000;
    for seed in 0..reps {
        let mut c = Sgld::new(
            m.clone(),
            StepSchedule::constant(eps).unwrap(),
            5.0,
            0,
            seed,
        )
        .unwrap();
        let (th, _) = c.step().unwrap();
        s1 += th;
        s2 += th * th;
    }
    let n = reps as f64;
    let (mean, var) = (s1 / n, s2 / n - (s1 / n).powi(2));
    let ey = 0.5 * eps * (0..50).sum::<i32>() as f64;
    let v = eps * eps * m.gradient_noise_variance(5) / 4.0 + eps;
    // SE of the mean √(v/n); of the variance ≈ v √(2/n) (the batch sum is nearly Gaussian)
    assert!((mean - ey).abs() < 5.0 * (v / n).sqrt(), "{mean} vs {ey}");
    assert!((var - v).abs() < 5.0 * v * (2.5 / n).sqrt(), "{var} vs {v}");
}

#[test]
fn bad_inputs_name_the_parameter_and_range() {
    let m = ConjugateGaussian::synthetic(20.0, 0.5, 1).unwrap();
    let s = StepSchedule::constant(0.01).unwrap();
    let msg = |e: Error| e.to_string();
    assert!(msg(Sgld::new(m.clone(), s, 0.0, 0, 1).unwrap_err())
        .starts_with("batch_size must be an integer in [1, 20]; got 0"));
    assert!(msg(Sgld::new(m.clone(), s, 21.0, 0, 1).unwrap_err())
        .starts_with("batch_size must be an integer in [1, 20]; got 21"));
    assert!(msg(Sgld::new(m.clone(), s, 2.5, 0, 1).unwrap_err()).starts_with("batch_size must be"));
    assert!(msg(StepSchedule::constant(0.0).unwrap_err())
        .starts_with("step_size must be a finite number in (0, 10]"));
    assert!(msg(StepSchedule::constant(-1.0).unwrap_err()).starts_with("step_size must be"));
    assert!(msg(StepSchedule::decreasing(0.0, 1.0, 0.55).unwrap_err())
        .starts_with("a must be a finite number in (0, 10]"));
    assert!(msg(StepSchedule::decreasing(0.1, 0.0, 0.55).unwrap_err())
        .starts_with("b must be a finite number in (0, 1000000000]"));
    assert!(msg(StepSchedule::decreasing(0.1, 1.0, 0.5).unwrap_err())
        .starts_with("gamma must be a finite number in (0.5, 1]"));
    assert!(msg(StepSchedule::decreasing(0.1, 1.0, 1.2).unwrap_err()).starts_with("gamma must be"));
    assert!(msg(ConjugateGaussian::synthetic(0.0, 1.0, 1).unwrap_err())
        .starts_with("data_size must be an integer in [1, 100000]"));
    assert!(
        msg(ConjugateGaussian::synthetic(10.0, 20.0, 1).unwrap_err())
            .starts_with("theta_true must be a finite number in [-10, 10]")
    );
    assert!(msg(ConjugateGaussian::new(vec![]).unwrap_err())
        .starts_with("data must be 1 to 100000 numbers"));
    assert!(
        msg(ConjugateGaussian::new(vec![1.0, f64::NAN]).unwrap_err())
            .starts_with("data must be finite numbers")
    );
}

/// ε ≥ 4/P: the linear recursion's factor |1 − εP/2| ≥ 1, so θ grows geometrically.
#[test]
fn divergence_is_detected() {
    let m = ConjugateGaussian::synthetic(100.0, 1.0, 1).unwrap();
    assert!(m.constant_step_variance(4.0 / 101.0, 10).is_none());
    let mut c = Sgld::new(m, StepSchedule::constant(0.05).unwrap(), 10.0, 0, 1).unwrap();
    let mut err = None;
    for _ in 0..10_000 {
        if let Err(e) = c.step() {
            err = Some(e);
            break;
        }
    }
    assert!(matches!(err, Some(Error::Diverged { .. })));
    assert!(c.step().is_err(), "a diverged chain refuses to step");
}

#[test]
fn same_seed_same_chain() {
    let m = ConjugateGaussian::synthetic(30.0, -2.0, 9).unwrap();
    let s = StepSchedule::decreasing(0.05, 10.0, 0.7).unwrap();
    let path = |seed| {
        let mut c = Sgld::new(m.clone(), s, 7.0, 5, seed).unwrap();
        (0..1000).map(|_| c.step().unwrap().0).collect::<Vec<_>>()
    };
    assert_eq!(path(1), path(1));
    assert_ne!(path(1), path(2));
    assert!((s.step_size(0) - 0.05 * 10f64.powf(-0.7)).abs() < 1e-15);
}
