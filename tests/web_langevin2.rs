//! Browser tests of the Langevin-section bindings added to `<sb-langevin>`'s section:
//! `AnnealedWidget` (plain vs annealed Langevin), their kernels' simd128/scalar parity, numbers,
//! drawing and errors.
#![cfg(target_arch = "wasm32")]

use scorebook::web::{AnnealedWidget, MalaWidget, SgldWidget};
mod common;

use common::{canvas, message, non_blank as ink};
use wasm_bindgen::JsError;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn annealed_simd_and_scalar_runs_are_bit_identical() {
    // 1001 particles: the simd128 body and the scalar tail both run
    let mk = || AnnealedWidget::new("separated", 1001.0, 20.0, 0.01, 5.0, 8.0, 2e-5, 4).unwrap();
    let (mut a, mut b) = (mk(), mk());
    a.set_simd(true);
    b.set_simd(false);
    assert_eq!(a.kernel(), "simd128");
    assert_eq!(b.kernel(), "scalar");
    a.step(40).unwrap();
    b.step(40).unwrap();
    assert!(a.finished() && b.finished());
    assert_eq!(a.checksum(), b.checksum());
    // and the native run's bits (tests/annealed.rs, golden_checksums_of_a_short_annealed_run)
    assert_eq!(a.checksum(), "b14f8dddac1e175c:f607ff5d14b9cc47");
}

#[wasm_bindgen_test]
fn annealing_recovers_the_weights_in_the_browser() {
    // V-N5 with 4000 particles: binomial SE √(0.16/4000) = 0.0063; the annealed share is within
    // 0.04 (bias < 0.01 + 5 SE) of 0.8, the plain chain stays near its start 0.5 (5 SE = 0.04)
    let mut w = AnnealedWidget::new("separated", 4000.0, 20.0, 0.01, 20.0, 100.0, 2e-5, 1).unwrap();
    assert_eq!(w.total_steps(), 2000.0);
    assert!((w.plain_step() - 0.2).abs() < 1e-12);
    assert_eq!(w.level(), 1);
    assert_eq!(w.sigma(), 20.0);
    assert!((w.alpha() - 80.0).abs() < 1e-9);
    w.step(2500).unwrap();
    assert!(w.finished());
    assert_eq!(w.steps(), 2000.0);
    assert_eq!(w.level(), 20);
    let s = w.shares();
    assert_eq!(s.len(), 4);
    assert!((s[2] - 0.8).abs() < 0.04, "annealed {s:?}");
    assert!((s[0] - 0.5).abs() < 0.04, "plain {s:?}");
    assert!((s[0] + s[1] - 1.0).abs() < 1e-12);
    assert_eq!(w.weights(), vec![0.8, 0.2]);
    let sig = w.sigmas();
    assert_eq!((sig.len(), sig[0], sig[19]), (20, 20.0, 0.01));
    assert!((w.ratio() - (0.01f64 / 20.0).powf(1.0 / 19.0)).abs() < 1e-12);
    let al = w.alphas();
    assert!((al[19] - 2e-5).abs() < 1e-15 && (al[0] / al[19] - 4e6).abs() < 1e-3);
    let h = w.history();
    assert_eq!(h.len() % 3, 0);
    assert_eq!(h[h.len() - 3], 2000.0);
    // the picture and the chart are drawn
    let (c0, c1) = (canvas(300, 300), canvas(300, 300));
    w.draw(&c0, 0, 1.0, false).unwrap();
    w.draw(&c1, 1, 2.0, true).unwrap();
    assert!(ink(&c0) > 0.02 && ink(&c1) > 0.02);
    let ch = canvas(500, 200);
    w.draw_history(&ch, 1.0, false).unwrap();
    assert!(ink(&ch) > 0.01);
    assert!(w.history_svg(640, 260, false).unwrap().contains("annealed"));
    w.reset(2).unwrap();
    assert_eq!((w.steps(), w.level(), w.seed()), (0.0, 1, 2));
}

#[wasm_bindgen_test]
fn annealed_bad_inputs_throw_errors_naming_the_parameter() {
    let m = |r: Result<AnnealedWidget, JsError>| message(r.err().expect("rejected"));
    assert!(m(AnnealedWidget::new(
        "nope", 100.0, 20.0, 0.01, 20.0, 100.0, 2e-5, 1
    ))
    .starts_with("target must be one of separated"));
    assert!(m(AnnealedWidget::new(
        "separated",
        0.0,
        20.0,
        0.01,
        20.0,
        100.0,
        2e-5,
        1
    ))
    .starts_with("particles must be an integer in [1, 1000000]"));
    assert!(m(AnnealedWidget::new(
        "separated",
        100.0,
        1.0,
        2.0,
        20.0,
        100.0,
        2e-5,
        1
    ))
    .starts_with("sigma_min must be a finite number in (0, sigma_max) = (0, 1)"));
    assert!(m(AnnealedWidget::new(
        "separated",
        100.0,
        -1.0,
        0.01,
        20.0,
        100.0,
        2e-5,
        1
    ))
    .starts_with("sigma_max must be"));
    assert!(m(AnnealedWidget::new(
        "separated",
        100.0,
        20.0,
        0.01,
        0.0,
        100.0,
        2e-5,
        1
    ))
    .starts_with("levels must be an integer in [2, 1000]; got 0"));
    assert!(m(AnnealedWidget::new(
        "separated",
        100.0,
        20.0,
        0.01,
        20.0,
        0.0,
        2e-5,
        1
    ))
    .starts_with("steps_per_level must be an integer in [1, 100000]"));
    assert!(m(AnnealedWidget::new(
        "separated",
        100.0,
        20.0,
        0.01,
        20.0,
        100.0,
        0.0,
        1
    ))
    .starts_with("step_size must be a finite number in (0, 10]"));
    let mut w = AnnealedWidget::new("separated", 100.0, 20.0, 0.01, 20.0, 100.0, 2e-5, 1).unwrap();
    let before = w.checksum();
    assert!(
        message(w.set_schedule(1.0, 1.0, 20.0, 100.0, 2e-5).unwrap_err())
            .starts_with("sigma_min must be")
    );
    assert_eq!(w.sigmas().len(), 20, "a rejected schedule changes nothing");
    assert_eq!(w.checksum(), before);
    assert!(message(w.step(100_001).unwrap_err()).starts_with("k must be"));
    // ε/σ_L² = 50: the first level diverges; the error names the step and the core's advice
    w.set_schedule(20.0, 0.01, 20.0, 100.0, 5e-3).unwrap();
    let e = message(w.step(100).unwrap_err());
    assert!(e.starts_with("the sampler diverged at step"), "{e}");
    assert!(w.divergence().is_some());
}

#[wasm_bindgen_test]
fn mala_simd_and_scalar_runs_are_bit_identical() {
    // every target kind: one isotropic Gaussian, full covariances, eight isotropic components;
    // 1003 particles so that the scalar tail runs too; ε = 2 gives many rejections
    for t in ["gaussian", "two-modes", "ring8"] {
        let mk = || MalaWidget::new(t, 1003.0, 2.0, 8).unwrap();
        let (mut a, mut b) = (mk(), mk());
        a.set_simd(true);
        b.set_simd(false);
        assert_eq!(
            (a.kernel().as_str(), b.kernel().as_str()),
            ("simd128", "scalar")
        );
        a.step(25).unwrap();
        b.step(25).unwrap();
        assert_eq!(a.checksum(), b.checksum(), "{t}");
        assert_eq!(a.acceptance(), b.acceptance(), "{t}");
        assert!(
            a.acceptance() > 0.05 && a.acceptance() < 0.95,
            "{t}: {}",
            a.acceptance()
        );
        if t == "gaussian" {
            // the native run's bits (tests/mala.rs, golden_checksums_of_a_short_run)
            assert_eq!(a.checksum(), "1da3fd15f8651b97:3f8f0099b047f732");
        }
    }
}

#[wasm_bindgen_test]
fn mala_removes_ulas_bias_and_survives_past_its_limit() {
    // N(0, I), ε = 1: ULA's stationary variance 4/3, MALA's 1. 20,000 particles: SE of a
    // variance per axis (average of two) √(1/20000)·v = 0.7 %; 5 SE
    let mut w = MalaWidget::new("gaussian", 20000.0, 1.0, 1).unwrap();
    w.step(300).unwrap();
    let (u, m) = (w.ula_moments(), w.mala_moments());
    let (vu, vm) = (0.5 * (u[2] + u[4]), 0.5 * (m[2] + m[4]));
    assert_eq!(w.ula_stationary_variance(), Some(4.0 / 3.0));
    assert_eq!(w.target_variance(), Some(1.0));
    assert!(
        (vu - 4.0 / 3.0).abs() < 5.0 * 0.0071 * 4.0 / 3.0,
        "ULA {vu}"
    );
    assert!((vm - 1.0).abs() < 5.0 * 0.0071, "MALA {vm}");
    let a = w.acceptance();
    assert!(a > 0.8 && a < 0.95, "acceptance {a}");
    assert!(w.last_acceptance() > 0.8);
    let (c0, c1, ch) = (canvas(300, 300), canvas(300, 300), canvas(500, 200));
    w.draw(&c0, 0, 1.0, false).unwrap();
    w.draw(&c1, 1, 1.0, true).unwrap();
    w.draw_history(&ch, 1.0, false).unwrap();
    assert!(ink(&c0) > 0.02 && ink(&c1) > 0.02 && ink(&ch) > 0.01);
    assert!(w.history_svg(640, 260, false).unwrap().contains("bias"));
    // ε = 5 > 4s²: ULA diverges and stops alone, MALA continues on p
    w.set_step_size(5.0).unwrap();
    assert_eq!(w.ula_stationary_variance(), None);
    w.step(300).unwrap();
    let e = w.ula_error().expect("ULA must diverge");
    assert!(e.starts_with("the sampler diverged at step"), "{e}");
    assert!(w.divergence().is_none());
    assert!(w.ula_moments()[2].is_nan());
    let m = w.mala_moments();
    assert!(
        (0.5 * (m[2] + m[4]) - 1.0).abs() < 0.05,
        "MALA after ε = 5: {m:?}"
    );
    w.draw(&c0, 0, 1.0, false).unwrap(); // the diverged cloud is not drawn, the density is
    w.reset(3).unwrap();
    assert!(w.ula_error().is_none() && w.steps() == 0.0 && w.acceptance().is_nan());
}

#[wasm_bindgen_test]
fn mala_bad_inputs_throw_errors_naming_the_parameter() {
    let m = |r: Result<MalaWidget, JsError>| message(r.err().expect("rejected"));
    assert!(m(MalaWidget::new("nope", 100.0, 1.0, 1))
        .starts_with("target must be one of ring8, gaussian, two-modes"));
    assert!(m(MalaWidget::new("gaussian", 0.0, 1.0, 1))
        .starts_with("particles must be an integer in [1, 1000000]"));
    assert!(m(MalaWidget::new("gaussian", 100.0, 0.0, 1))
        .starts_with("step_size must be a finite number in (0, 10]; got 0"));
    assert!(m(MalaWidget::new("gaussian", 100.0, 11.0, 1)).starts_with("step_size must be"));
    let mut w = MalaWidget::new("gaussian", 100.0, 1.0, 1).unwrap();
    assert!(message(w.set_step_size(-1.0).unwrap_err()).starts_with("step_size must be"));
    assert_eq!(w.step_size(), 1.0);
    assert!(message(w.step(100_001).unwrap_err()).starts_with("k must be"));
    assert!(message(w.set_target("x").unwrap_err()).starts_with("target must be"));
}

#[wasm_bindgen_test]
fn sgld_numbers_match_the_exact_posterior_and_the_constant_step_law() {
    let mut w = SgldWidget::new(100.0, 1.0, 10.0, 0.02, 100.0, 0.55, 0.005, 1).unwrap();
    assert_eq!(w.data_size(), 100);
    let p = w.posterior();
    assert!((p[1] - 1.0 / 101.0).abs() < 1e-15);
    assert!((w.step_limit() - 4.0 / 101.0).abs() < 1e-15);
    // the same data and chain as the native run with seed 1 (same generators in wasm32)
    let native = scorebook::sgld::ConjugateGaussian::synthetic(100.0, 1.0, 1).unwrap();
    assert_eq!(p[0], native.posterior_mean());
    assert_eq!(
        w.gradient_noise_variance(),
        native.gradient_noise_variance(10)
    );
    let v = w.constant_step_variance().unwrap();
    assert_eq!(v, native.constant_step_variance(0.005, 10).unwrap());
    assert!(
        w.decreasing_moments()[0].is_nan(),
        "nothing collected before the burn-in"
    );
    w.step(1_000_000).unwrap();
    assert_eq!(w.steps(), 1e6);
    // constant step, 10⁶ steps: batch-means SE of the variance ≈ 0.25 % of v (native test); 2 %
    let k = w.constant_moments();
    assert!((k[1] - v).abs() < 0.02 * v, "{} vs {v}", k[1]);
    assert!(k[1] > 2.5 * p[1]);
    // decreasing steps: SE ≈ 3 % after 10⁶ steps (native estimate); allow 15 %
    let d = w.decreasing_moments();
    assert!((d[1] - p[1]).abs() < 0.15 * p[1], "{} vs {}", d[1], p[1]);
    assert!(
        (d[0] - p[0]).abs() < 0.15 * p[1].sqrt(),
        "{} vs {}",
        d[0],
        p[0]
    );
    assert!(w.current_step() < 1.1e-5 && w.current_step() > 0.9e-5);
    let (hc, mc, vc) = (canvas(500, 300), canvas(500, 250), canvas(500, 250));
    w.draw_histogram(&hc, 1.0, false).unwrap();
    w.draw_running(&mc, 0, 1.0, true).unwrap();
    w.draw_running(&vc, 1, 2.0, false).unwrap();
    assert!(ink(&hc) > 0.01 && ink(&mc) > 0.01 && ink(&vc) > 0.01);
    assert!(w
        .histogram_svg(640, 380, false)
        .unwrap()
        .contains("exact posterior"));
    assert_eq!(w.history().len() % 5, 0);
    let before = w.checksum();
    w.reset(1).unwrap();
    w.step(1000).unwrap();
    let mut again = SgldWidget::new(100.0, 1.0, 10.0, 0.02, 100.0, 0.55, 0.005, 1).unwrap();
    again.step(1000).unwrap();
    assert_eq!(w.checksum(), again.checksum());
    assert_ne!(w.checksum(), before);
}

#[wasm_bindgen_test]
fn sgld_constant_chain_diverges_alone_and_bad_inputs_throw() {
    let mut w = SgldWidget::new(100.0, 1.0, 10.0, 0.02, 100.0, 0.55, 0.05, 2).unwrap();
    assert!(w.constant_step_variance().is_none(), "0.05 > 4/101");
    w.step(20_000).unwrap();
    assert!(w
        .constant_error()
        .expect("diverged")
        .starts_with("the sampler diverged at step"));
    assert!(w.constant_moments()[1].is_nan());
    assert!(w.decreasing_moments()[1].is_finite());
    let m = |r: Result<SgldWidget, JsError>| message(r.err().expect("rejected"));
    assert!(m(SgldWidget::new(
        100.0, 1.0, 0.0, 0.02, 100.0, 0.55, 0.005, 1
    ))
    .starts_with("batch_size must be an integer in [1, 100]; got 0"));
    assert!(m(SgldWidget::new(
        100.0, 1.0, 101.0, 0.02, 100.0, 0.55, 0.005, 1
    ))
    .starts_with("batch_size must be an integer in [1, 100]; got 101"));
    assert!(
        m(SgldWidget::new(0.0, 1.0, 1.0, 0.02, 100.0, 0.55, 0.005, 1))
            .starts_with("data_size must be an integer in [1, 100000]")
    );
    assert!(m(SgldWidget::new(
        100.0, 1.0, 10.0, 0.0, 100.0, 0.55, 0.005, 1
    ))
    .starts_with("a must be a finite number in (0, 10]"));
    assert!(m(SgldWidget::new(
        100.0, 1.0, 10.0, 0.02, 100.0, 0.4, 0.005, 1
    ))
    .starts_with("gamma must be a finite number in (0.5, 1]"));
    assert!(m(SgldWidget::new(
        100.0, 1.0, 10.0, 0.02, 100.0, 0.55, -1.0, 1
    ))
    .starts_with("step_size must be a finite number in (0, 10]"));
    let mut w = SgldWidget::new(100.0, 1.0, 10.0, 0.02, 100.0, 0.55, 0.005, 1).unwrap();
    assert!(message(
        w.set_parameters(10.0, 20.0, 0.02, 100.0, 0.55, 0.005)
            .unwrap_err()
    )
    .starts_with("batch_size must be an integer in [1, 10]; got 20"));
    assert_eq!(w.data_size(), 100, "a rejected change changes nothing");
    assert!(message(w.step(2_000_000).unwrap_err()).starts_with("k must be"));
    // a decreasing schedule that starts past the limit throws (the main chain diverged)
    let mut bad = SgldWidget::new(100.0, 1.0, 10.0, 5.0, 1.0, 0.55, 0.005, 1).unwrap();
    assert!(message(bad.step(1000).unwrap_err()).starts_with("the sampler diverged at step"));
}
