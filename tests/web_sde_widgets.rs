//! Browser tests of the section-6 bindings (`SdeReverseWidget`, `SdeFpWidget`,
//! `SdeSolversWidget`, `SdeThermoWidget` and the benchmark handles): their numbers, their
//! canvases and their errors.
//! `wasm-pack test --headless --chrome --mode no-install --test web_sde_widgets`.
#![cfg(target_arch = "wasm32")]

use scorebook::web::{
    Fp2dBench, SdeFpWidget, SdeReverseBench, SdeReverseWidget, SdeSolversWidget, SdeThermoWidget,
};
mod common;

use common::{canvas, message, non_blank as ink};
use wasm_bindgen::JsError;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn err<T>(r: Result<T, JsError>) -> String {
    match r {
        Ok(_) => panic!("expected an error"),
        Err(e) => message(e),
    }
}

/// 5 standard errors of the sample mean of N draws from a law with covariance trace `tr`
/// (|m̂ − m|² has expectation tr/N).
fn mean_tol(tr: f64, n: f64) -> f64 {
    5.0 * (tr / n).sqrt()
}

#[wasm_bindgen_test]
fn the_reverse_sde_and_the_ode_reach_the_data_law_with_their_nfe() {
    let n = 5000.0;
    let mut w = SdeReverseWidget::new("vp", "ring8", n, 500.0, 1.0, "em", 3).unwrap();
    assert_eq!((w.time(0), w.time(1), w.nfe(0)), (1.0, 1.0, 0.0));
    w.step(500).unwrap();
    assert!(w.finished());
    assert!((w.time(0) - 1e-3).abs() < 1e-15 && (w.time(1) - 1e-3).abs() < 1e-15);
    assert_eq!(
        (w.nfe(0), w.nfe(1)),
        (500.0, 500.0),
        "Euler–Maruyama: one evaluation per step"
    );
    let q = w.quality().unwrap();
    let m = w.exact_moments();
    let tr = m[2] + m[4];
    for r in 0..2 {
        let (kl, floor, dm, dc) = (q[4 * r], q[4 * r + 1], q[4 * r + 2], q[4 * r + 3]);
        // the plug-in KL of N exact samples has mean `floor` and sd ≈ √(2(B − 1))/(2N) ≈ 0.0045
        // for B = 1025 cells; 0.03 leaves room for the O(h) bias of 500 Euler steps (measured:
        // both runs within 0.01 of the floor)
        assert!(
            kl.is_finite() && (kl - floor).abs() < 0.03,
            "run {r}: KL {kl}, floor {floor}"
        );
        assert!(dm < mean_tol(tr, n), "run {r}: mean error {dm}");
        // each covariance entry has sd ≤ tr·√(2/N) ≈ 0.17 here; 5 sd of the Frobenius norm
        assert!(
            dc < 5.0 * tr * (2.0 / n).sqrt() * 3f64.sqrt(),
            "run {r}: cov error {dc}"
        );
    }
    let c0 = canvas(360, 360);
    let c1 = canvas(360, 360);
    w.draw(&c0, 0, 1.0, false).unwrap();
    w.draw(&c1, 1, 2.0, true).unwrap();
    assert!(ink(&c0) > 0.05 && ink(&c1) > 0.05);
    assert_eq!(
        w.paths(0).len(),
        2 * w.tracked() * 501,
        "one snapshot per step and the start"
    );
    // the same seed gives the same bits; c = 0 makes both runs the same ODE
    let sum = w.checksum();
    w.reset(3).unwrap();
    w.step(500).unwrap();
    assert_eq!(w.checksum(), sum);
    w.set_noise_level(0.0).unwrap();
    w.step(500).unwrap();
    let s = w.checksum();
    let (a, b) = s.split_once(':').unwrap();
    assert_eq!(a, b, "c = 0 on both runs");
    // Heun: two evaluations per step
    w.set_method("heun").unwrap();
    w.step(10).unwrap();
    assert_eq!(w.nfe(0), 20.0);
}

#[wasm_bindgen_test]
fn the_reverse_widget_is_bit_identical_on_both_kernels_and_reports_divergence() {
    let mut a = SdeReverseWidget::new("vp", "two-modes", 1003.0, 40.0, 1.3, "em", 9).unwrap();
    let mut b = SdeReverseWidget::new("vp", "two-modes", 1003.0, 40.0, 1.3, "em", 9).unwrap();
    b.set_simd(false);
    assert_eq!(b.kernel(), "scalar");
    a.step(40).unwrap();
    b.step(40).unwrap();
    assert_eq!(a.checksum(), b.checksum());
    // VE with c = 10 in two steps: the first step multiplies x by ~350 and the second by ~350
    // again, past the runaway radius (1000 × the prior's 5 sd = 50 000); the ODE run survives
    let mut d = SdeReverseWidget::new("ve", "ring8", 500.0, 2.0, 10.0, "em", 1).unwrap();
    d.step(2).unwrap();
    let e = d.error(0).expect("the c = 10 run diverges");
    assert!(e.contains("diverged"), "{e}");
    assert!(d.error(1).is_none());
    assert!(d.finished());
    let c = canvas(200, 200);
    d.draw(&c, 0, 1.0, false).unwrap();
    // bad input
    assert!(err(SdeReverseWidget::new(
        "sde?", "ring8", 10.0, 10.0, 1.0, "em", 1
    ))
    .contains("sde must be one of vp, sub-vp, ve, ou"));
    assert!(err(SdeReverseWidget::new(
        "vp", "ring8", 10.0, 0.0, 1.0, "em", 1
    ))
    .contains("steps must be an integer in [1, 100000]"));
    assert!(err(SdeReverseWidget::new(
        "vp", "ring8", 10.0, 10.0, 11.0, "em", 1
    ))
    .contains("noise_level"));
    assert!(err(SdeReverseWidget::new(
        "vp", "ring8", 10.0, 10.0, -0.5, "em", 1
    ))
    .contains("noise_level"));
    assert!(err(SdeReverseWidget::new(
        "vp", "ring8", 10.0, 10.0, 1.0, "rk4", 1
    ))
    .contains("method must be one of em, heun"));
    assert!(err(SdeReverseWidget::new(
        "vp", "ring8", 0.0, 10.0, 1.0, "em", 1
    ))
    .contains("particles"));
    assert!(err(a.set_noise_level(f64::NAN)).contains("noise_level"));
    assert!(err(a.step(200_000)).contains("k must be"));
}

#[wasm_bindgen_test]
fn the_fokker_planck_grid_conserves_mass_and_matches_particles_and_the_exact_law() {
    // exact transitions: the particles are exact samples of p_t at every step, so their KL to
    // the grid differs from the i.i.d. floor only by the grid's own error
    let mut w = SdeFpWidget::new("vp", "ring8", 5000.0, 50.0, "exact", 48.0, 0.0, 2).unwrap();
    assert!(w.substeps() >= 1 && w.grid_step() <= 0.9 * w.cfl_limit() + 1e-15);
    w.step(50).unwrap();
    assert!(w.finished() && (w.time() - 1.0).abs() < 1e-12);
    let d = w.distances_now(true).unwrap();
    // conservative fluxes with zero-flux walls: mass 1 to round-off (thousands of steps × 1e-16)
    assert!((d[8] - 1.0).abs() < 1e-10, "mass {}", d[8]);
    // Scharfetter–Gummel on 48² cells of side 0.28 against an exact marginal N(≈0, I): measured
    // L1 ≈ 0.01; 0.05 would flag a wrong drift or diffusion coefficient (those give L1 > 0.2)
    assert!(d[4] < 0.05, "grid vs exact L1 {}", d[4]);
    assert!(
        (d[2] - d[3]).abs() < 0.03,
        "KL(particles ‖ grid) {} vs floor {}",
        d[2],
        d[3]
    );
    assert_eq!(d[7], 0.0, "the box holds the cloud");
    assert_eq!(w.history().len() % 6, 0);
    let (c0, c1, ch) = (canvas(300, 300), canvas(300, 300), canvas(500, 220));
    w.draw(&c0, 0, 1.0, false).unwrap();
    w.draw(&c1, 1, 1.0, true).unwrap();
    w.draw_history(&ch, 1.0, false).unwrap();
    assert!(ink(&c0) > 0.05 && ink(&c1) > 0.05 && ink(&ch) > 0.01);
    assert!(w.history_svg(400, 200, false).unwrap().contains("<svg"));
    // Euler–Maruyama particles with the OU SDE: relaxation towards N(0, I)
    w.set_sde("ou").unwrap();
    w.set_run(5000.0, 200.0, "em", 48.0, 0.0).unwrap();
    w.step(200).unwrap();
    let lv = w.exact_level();
    assert!(
        (lv[0] - (-2.0f64).exp()).abs() < 1e-12 && (lv[1] - (1.0 - (-4.0f64).exp())).abs() < 1e-12
    );
    let d = w.distances_now(true).unwrap();
    assert!(d[4] < 0.05 && (d[8] - 1.0).abs() < 1e-10);
}

#[wasm_bindgen_test]
fn a_grid_step_past_the_cfl_limit_and_bad_input_give_the_core_messages() {
    // VP on 64² cells of side 0.21 at β = 20: D = 10, so Δt must stay below h²/(4D) ≈ 1e-3
    let mut w = SdeFpWidget::new("vp", "ring8", 1000.0, 10.0, "em", 64.0, 0.05, 1).unwrap();
    assert!(w.grid_step() > w.cfl_limit());
    let e = err(w.step(10));
    assert!(
        e.contains("time_step must be a number in (0,") && e.contains("CFL"),
        "{e}"
    );
    assert!(err(SdeFpWidget::new(
        "sub-vp", "ring8", 10.0, 10.0, "em", 32.0, 0.0, 1
    ))
    .contains("sde must be one of vp, ve, ou"));
    assert!(err(SdeFpWidget::new(
        "vp", "ring8", 10.0, 10.0, "em", 4.0, 0.0, 1
    ))
    .contains("cells must be an integer in [8, 256]"));
    assert!(err(SdeFpWidget::new(
        "vp", "ring8", 10.0, 10.0, "em", 32.0, -1.0, 1
    ))
    .contains("time_step"));
    assert!(err(SdeFpWidget::new(
        "vp", "ring8", 10.0, 10.0, "milstein", 32.0, 0.0, 1
    ))
    .contains("particle_method"));
    assert!(err(SdeFpWidget::new(
        "vp", "nope", 10.0, 10.0, "em", 32.0, 0.0, 1
    ))
    .contains("target"));
}

#[wasm_bindgen_test]
fn the_solver_sweep_spends_equal_nfe_and_converges_to_the_floor() {
    let n = 2000.0;
    let mut w = SdeSolversWidget::new("gaussian", n, 8.0, 4).unwrap();
    // the selected budget runs first
    w.step(100).unwrap();
    let first = w.results(8.0).unwrap();
    assert!(
        (0..5).all(|s| first[5 * s].is_finite()),
        "NFE 8 done first: {first:?}"
    );
    while !w.finished() {
        w.step(1000).unwrap();
    }
    assert_eq!(w.completed(), 45);
    for nfe in [2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0] {
        let r = w.results(nfe).unwrap();
        for s in 0..5 {
            assert_eq!(r[5 * s + 4], nfe, "solver {s} spends exactly the budget");
        }
    }
    // N(0, I) data: at 512 evaluations every solver's samples are i.i.d.-like; same tolerance
    // reasoning as the reverse widget (sd of the plug-in KL ≈ 0.008 at N = 2000)
    let r = w.results(512.0).unwrap();
    for s in 0..5 {
        assert!(
            (r[5 * s] - r[5 * s + 1]).abs() < 0.05,
            "solver {s}: KL {} floor {}",
            r[5 * s],
            r[5 * s + 1]
        );
        assert!(
            r[5 * s + 2] < mean_tol(2.0, n),
            "solver {s}: mean error {}",
            r[5 * s + 2]
        );
    }
    // at 2 evaluations the deterministic samplers beat Euler–Maruyama on the SDE
    let r2 = w.results(2.0).unwrap();
    assert!(r2[5] < r2[0] && r2[20] < r2[0], "{r2:?}");
    let (c, ch) = (canvas(200, 200), canvas(500, 240));
    w.draw(&c, 4, 1.0, false).unwrap();
    w.draw_chart(&ch, 1.0, true).unwrap();
    assert!(ink(&c) > 0.05 && ink(&ch) > 0.01);
    assert_eq!(w.table().len(), 45 * 7);
    assert!(w.checksum().split(':').all(|s| s.len() == 16));
    assert!(err(w.set_nfe(3.0)).contains("nfe must be one of 2, 4"));
    assert!(err(SdeSolversWidget::new("ring8", 300_000.0, 8.0, 1))
        .contains("particles must be an integer in [1, 200000]"));
}

#[wasm_bindgen_test]
fn the_geodesic_meets_the_speed_limit_and_the_others_exceed_it() {
    let mut w = SdeThermoWidget::new(1.0, 1.0, 1.0, 1.0, 2.0, 1.0).unwrap();
    let s = w.totals();
    // geodesic: Σ = L²/(Dτ) = 4 = W₂²/(μTτ) (64-cell Gauss–Legendre of a constant: round-off)
    assert!(
        (s[8] - 4.0).abs() < 1e-12 && (s[9] - 4.0).abs() < 1e-12,
        "{s:?}"
    );
    assert!(
        s[0] > s[1] * 1.01 && s[4] > s[5] * 1.01,
        "relaxation and ramp are strictly above their bounds"
    );
    let mut kl_prev = f64::INFINITY;
    for _ in 0..12 {
        w.step(20).unwrap();
        let r = w.rates();
        for p in 0..3 {
            let o = 9 * p;
            // σ = −Q̇/T + Ṡ (eq. 6) and the quadrature of ∫ν²P/(μT): both to round-off
            assert!((r[o] - r[o + 2] - r[o + 3]).abs() < 1e-12 * (1.0 + r[o]));
            assert!((r[o] - r[o + 1]).abs() < 1e-8 * (1.0 + r[o]));
            // a potential force: the local bound σ_t ≥ v_t²/(μT) is an equality
            assert!((r[o] - r[o + 4]).abs() < 1e-12 * (1.0 + r[o]));
        }
        assert!(r[8] < kl_prev, "relaxation: KL to equilibrium decreases");
        kl_prev = r[8];
    }
    assert!(w.finished() && (w.time() - 1.0).abs() < 1e-12);
    let (a, b) = (canvas(500, 240), canvas(500, 240));
    w.draw_rates(&a, 1.0, false).unwrap();
    w.draw_densities(&b, 2.0, true).unwrap();
    assert!(ink(&a) > 0.01 && ink(&b) > 0.01);
    assert!(err(SdeThermoWidget::new(1.0, 1.0, 1.0, 1.0, 2.0, 0.0)).contains("duration"));
    assert!(err(SdeThermoWidget::new(1.0, 1.0, 1.0, 1.0, 200.0, 1.0)).contains("distance"));
    assert!(err(w.set_params(1.0, 1.0, -1.0, 1.0, 2.0, 1.0)).contains("stiffness"));
}

#[wasm_bindgen_test]
fn the_benchmark_handles_run_and_agree_across_kernels() {
    let mut a = SdeReverseBench::new(1001.0, 20, 5).unwrap();
    let mut b = SdeReverseBench::new(1001.0, 20, 5).unwrap();
    b.set_simd(false);
    assert_eq!((a.step(30).unwrap(), b.step(30).unwrap()), (20, 20));
    assert_eq!(a.checksum(), b.checksum());
    let mut f = Fp2dBench::new(32, 1.0).unwrap();
    assert_eq!(f.step(3).unwrap(), 3);
    assert!((f.mass() - 1.0).abs() < 1e-12);
}
