//! Browser tests of the SDA bindings (`Sda1dWidget`, `SdaLorenzWidget`, `SdaWindowWidget`) and their drawing.
#![cfg(target_arch = "wasm32")]

use scorebook::web::{Sda1dWidget, SdaLorenzWidget, SdaWindowWidget};
mod common;

use common::{canvas, message, non_blank as ink};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn the_1d_runs_reach_the_kalman_posterior_and_the_naive_rule_is_overconfident() {
    let mut w = Sda1dWidget::new(
        "gaussian", 2.0, 0.3, "tweedie", 1.0, 1.0, 1000.0, 20000.0, 1,
    )
    .unwrap();
    let post = w.posterior_moments();
    assert!((post[0] - 1.735_294_117_6).abs() < 1e-9 && (post[1] - 0.066_176_470_6).abs() < 1e-9);
    while w.step(100.0).unwrap() {}
    assert_eq!(w.steps_done(), 1000.0);
    assert_eq!(w.time(), 0.0);
    // exact and Tweedie (exact for a Gaussian prior): 5 SE of 20 000 samples plus the EM bias
    // 1e-3; the naive rule's variance is about half the Kalman one (0.035 in the table)
    let se_m = (post[1] / 20000.0f64).sqrt();
    let se_v = post[1] * (2.0 / 20000.0f64).sqrt();
    for i in 0..2 {
        let m = w.moments(i);
        assert!(
            (m[0] - post[0]).abs() < 5.0 * se_m + 1e-3
                && (m[1] - post[1]).abs() < 5.0 * se_v + 1e-3,
            "run {i}: {m:?}"
        );
    }
    let naive = w.moments(2);
    assert!(
        (naive[1] - 0.035).abs() < 0.005 && (naive[0] - 1.82).abs() < 0.01,
        "naive {naive:?}"
    );
    assert!(
        w.exact_moments()[2].is_nan(),
        "no mode split for one Gaussian"
    );
    let c = canvas(640, 400);
    w.draw(&c, 1.0, false).unwrap();
    assert!(ink(&c) > 0.01);
    let g = canvas(640, 260);
    w.draw_guidance(&g, 2.0, true).unwrap();
    assert!(ink(&g) > 0.01);
    assert!(w.svg(800, 500, false).unwrap().contains("naive"));
    assert_eq!(w.particles(0).len(), 20000);
}

#[wasm_bindgen_test]
fn the_bimodal_prior_reports_mode_masses_and_settings_restart() {
    let mut w = Sda1dWidget::new(
        "bimodal",
        0.0,
        0.5,
        "tweedie-full",
        1.0,
        0.5,
        100.0,
        2000.0,
        3,
    )
    .unwrap();
    assert!((w.threshold() + 0.25).abs() < 1e-12);
    let e = w.exact_moments();
    assert!(e[2] > 0.0 && e[2] < 1.0);
    w.step(10.0).unwrap();
    assert_eq!(w.steps_done(), 10.0);
    w.configure("gaussian", 1.0, 0.2, "zero", 0.0, 0.0, 50.0, 500.0, 3)
        .unwrap();
    assert_eq!(w.steps_done(), 0.0);
    assert_eq!(w.prior(), "gaussian");
    w.reset(9).unwrap();
}

#[wasm_bindgen_test]
fn bad_1d_settings_name_the_parameter() {
    let m = |r: Result<Sda1dWidget, wasm_bindgen::JsError>| message(r.err().expect("an error"));
    assert!(m(Sda1dWidget::new(
        "uniform", 2.0, 0.3, "tweedie", 1.0, 1.0, 100.0, 100.0, 1
    ))
    .contains("prior must be gaussian or bimodal"));
    assert!(m(Sda1dWidget::new(
        "gaussian", 2.0, -0.3, "tweedie", 1.0, 1.0, 100.0, 100.0, 1
    ))
    .contains("observation noise"));
    assert!(m(Sda1dWidget::new(
        "gaussian", 2.0, 0.3, "exact", 1.0, 1.0, 100.0, 100.0, 1
    ))
    .contains("approximation"));
    assert!(m(Sda1dWidget::new(
        "gaussian", 2.0, 0.3, "tweedie", 1.0, 2.0, 100.0, 100.0, 1
    ))
    .contains("c / b"));
}

#[wasm_bindgen_test]
fn the_lorenz_twin_experiment_runs_its_filters_and_draws() {
    let mut w = SdaLorenzWidget::new("z4", 8.0, 0.05, 17.0, 10.0, 1024.0, 2).unwrap();
    assert_eq!(w.observation_count(), 5); // k = 0, 4, 8, 12, 16
    assert!(w.sliced_distance().is_nan());
    let c = canvas(600, 450);
    w.draw(&c, 1.0, false).unwrap();
    assert!(
        ink(&c) > 0.005,
        "truth and observations before the filter runs"
    );
    while w.step(500.0).unwrap() {}
    assert!(w.done() && (w.progress() - 1.0).abs() < 1e-12);
    let s = w.scores();
    assert!(s.iter().all(|v| v.is_finite()), "{s:?}");
    let d = w.sliced_distance();
    assert!(d.is_finite() && d > 0.0);
    let st = w.filter_stats();
    assert!(st[0] >= 1.0 && st[0] <= 1024.0 && st[1] >= 1.0);
    w.draw(&c, 2.0, true).unwrap();
    assert!(ink(&c) > 0.02);
    assert_eq!(w.samples(8.0).unwrap().len(), 8 * 3 * 17);
    assert!(w.svg(900, 675, false).unwrap().contains("<svg"));
}

#[wasm_bindgen_test]
fn bad_lorenz_settings_name_the_parameter() {
    let m = |r: Result<SdaLorenzWidget, wasm_bindgen::JsError>| message(r.err().expect("an error"));
    assert!(
        m(SdaLorenzWidget::new("y2", 8.0, 0.05, 65.0, 0.0, 1024.0, 1)).contains("x8, x1 or z4")
    );
    assert!(m(SdaLorenzWidget::new(
        "x8", 8.0, 0.05, 65.0, 500.0, 1024.0, 1
    ))
    .contains("inside the simulated trajectory of 512 states"));
    assert!(m(SdaLorenzWidget::new(
        "custom", 0.0, 0.05, 65.0, 0.0, 1024.0, 1
    ))
    .contains("observes nothing"));
    assert!(m(SdaLorenzWidget::new(
        "custom", 4.0, -0.05, 65.0, 0.0, 1024.0, 1
    ))
    .contains("observation noise"));
    assert!(m(SdaLorenzWidget::new(
        "x8", 8.0, 0.05, 1000.0, 0.0, 1024.0, 1
    ))
    .contains("window length"));
}

fn mw(r: Result<SdaWindowWidget, wasm_bindgen::JsError>) -> String {
    message(r.err().expect("an error"))
}

const WINDOW_MODEL: &[u8] = include_bytes!("../www/models/lorenz-window-L9.sbnn");

#[wasm_bindgen_test]
fn the_score_based_sampler_runs_on_a_finished_twin_and_reports_finite_readouts() {
    let mut twin = SdaLorenzWidget::new("x8", 8.0, 0.05, 9.0, 64.0, 1024.0, 3).unwrap();
    assert!(mw(SdaWindowWidget::new(&twin, WINDOW_MODEL, 1.0, 1)).contains("finished"));
    while twin.step(2000.0).unwrap() {}
    let mut w = SdaWindowWidget::new(&twin, WINDOW_MODEL, 1.0, 1).unwrap();
    assert_eq!(w.window(), 9);
    assert!(w.readouts().iter().all(|v| v.is_nan()));
    while w.step(50.0).unwrap() {}
    assert!(w.done() && (w.progress() - 1.0).abs() < 1e-12);
    let r = w.readouts();
    assert!(r.iter().all(|v| v.is_finite()) && r[2] > 0.0, "{r:?}");
    // the guided samples fit the two observations far better than the prior would: the mean
    // log p(y | x) of the samples is above that of windows 3 noise sds away (≈ 2·(log(1/(0.05√2π)) − 4.5))
    assert!(
        r[1] > 2.0 * ((1.0 / (0.05 * (2.0 * std::f64::consts::PI).sqrt())).ln() - 4.5),
        "{r:?}"
    );
    assert_eq!(w.samples().len(), 64 * 27);
    let c = canvas(600, 450);
    w.draw(&c, 2.0, false).unwrap();
    assert!(ink(&c) > 0.02);
    assert!(w.svg(900, 675, true).unwrap().contains("<svg"));
}

#[wasm_bindgen_test]
fn the_score_based_sampler_names_bad_settings() {
    let mut twin = SdaLorenzWidget::new("x8", 8.0, 0.05, 17.0, 64.0, 256.0, 3).unwrap();
    while twin.step(2000.0).unwrap() {}
    assert!(mw(SdaWindowWidget::new(&twin, WINDOW_MODEL, 1.0, 1)).contains("window length"));
    assert!(mw(SdaWindowWidget::new(&twin, b"junk", 1.0, 1)).contains("weights file"));
    assert!(mw(SdaWindowWidget::new(&twin, WINDOW_MODEL, 9.0, 1)).contains("corrections"));
}

#[wasm_bindgen_test]
fn the_window_score_gives_the_same_bits_on_the_scalar_and_simd128_paths() {
    use scorebook::kernel::KernelPath;
    use scorebook::sda::window_score::WindowScoreModel;
    let run = |path| {
        let mut m = WindowScoreModel::from_weights(WINDOW_MODEL, Some(9), 8).unwrap();
        m.set_path(path);
        let x: Vec<f32> = (0..8 * 27)
            .map(|i| ((i * 37 % 23) as f32 - 11.0) / 7.0)
            .collect();
        let v: Vec<f32> = (0..8 * 27)
            .map(|i| ((i * 11 % 13) as f32 - 6.0) / 6.0)
            .collect();
        let (mut x0, mut g) = (vec![0.0f32; 8 * 27], vec![0.0f32; 8 * 27]);
        m.denoise(&x, 0.7, &mut x0).unwrap();
        m.vjp(&v, &mut g).unwrap();
        x0.iter()
            .chain(&g)
            .map(|f| f.to_bits())
            .collect::<Vec<u32>>()
    };
    assert_eq!(run(KernelPath::Scalar), run(KernelPath::Simd128));
}
