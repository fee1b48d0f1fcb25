//! Browser tests of the KL bindings (`KlFitWidget`, `MleWidget`) and their drawing.
#![cfg(target_arch = "wasm32")]

use scorebook::web::{KlFitWidget, MleWidget};
mod common;

use common::{canvas, message, non_blank as ink};
use wasm_bindgen::JsError;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn the_1d_fits_reach_moment_matching_and_a_mode_and_the_cut_gives_infinity() {
    let mut w = KlFitWidget::one_d(6.0, 0.5, 1.0, 2.5, 0.2).unwrap();
    assert_eq!(w.dim(), 1);
    w.step(800.0).unwrap();
    // forward optimum: p's moments (0, 1 + 9 = 10); rate 1 − 0.2/10 per step → 800 steps ≈ 1e-7
    let t = w.target_moments();
    assert!(
        (w.fit_mean(0)[0] - t[0]).abs() < 1e-5 && (w.fit_cov(0)[0] - t[1]).abs() < 1e-4,
        "{:?}",
        w.fit_cov(0)
    );
    assert!((t[1] - 10.0).abs() < 1e-12);
    // the reverse fit sits on the right mode
    assert!((w.fit_mean(1)[0] - 3.0).abs() < 0.1, "{:?}", w.fit_mean(1));
    assert!(w.kl_reverse(1) < w.kl_reverse(0) && w.kl_forward(0) < w.kl_forward(1));
    w.set_truncate(true);
    assert_eq!(w.kl_forward(0), f64::INFINITY);
    assert!(w.kl_reverse(0).is_finite());
    let c = canvas(500, 500);
    w.draw(&c, 1.0, false).unwrap();
    assert!(ink(&c) > 0.01);
    let h = canvas(500, 200);
    w.draw_history(&h, 2.0, true).unwrap();
    assert!(ink(&h) > 0.01);
    assert!(w
        .history_svg(640, 260, false)
        .unwrap()
        .contains("reverse fit"));
    w.reset(1).unwrap();
    assert_eq!(w.iterations(), 0.0);
}

#[wasm_bindgen_test]
fn the_2d_widget_draws_and_follows_moved_modes() {
    let mut w = KlFitWidget::two_d("two-modes", None, 0.2, 3).unwrap();
    w.step(10.0).unwrap();
    let c = canvas(400, 400);
    w.draw(&c, 1.0, true).unwrap();
    assert!(ink(&c) > 0.05, "density and ellipses");
    let before = w.target_moments();
    w.set_target_2d("two-modes", Some(vec![-4.0, 0.0, 4.0, 0.0]))
        .unwrap();
    let after = w.target_moments();
    assert_ne!(before[0], after[0]);
    assert_eq!(w.means(), vec![-4.0, 0.0, 4.0, 0.0]);
    let xy = w.pixel_to_data(&c, 200.0, 200.0, 1.0);
    assert_eq!(xy.len(), 2);
}

#[wasm_bindgen_test]
fn mle_readouts_are_consistent_and_em_climbs() {
    let mut w = MleWidget::new("ring8", 500.0, 8.0, 16.0, 2).unwrap();
    let l0 = w.train_loglik();
    w.step(30.0).unwrap();
    assert!(w.train_loglik() >= l0);
    assert_eq!(w.iterations(), 30.0);
    assert!(w.true_kl() > 0.0 && w.true_kl().is_finite());
    assert!(w.histogram_kl_floor() > 0.0 && w.histogram_cells() == 257);
    // Gaussian model: its KL is far larger than the 8-component fit's
    let kl8 = w.true_kl();
    w.set_components(0.0).unwrap();
    assert!(w.true_kl() > kl8 + 0.5);
    let c = canvas(400, 400);
    w.draw(&c, 1.0, false).unwrap();
    assert!(ink(&c) > 0.05);
    let ch = canvas(500, 200);
    w.draw_chart(&ch, 1.0, false).unwrap();
    assert!(ink(&ch) > 0.01);
}

#[wasm_bindgen_test]
fn bad_inputs_throw_errors_naming_the_parameter() {
    let m = |r: Result<MleWidget, JsError>| message(r.err().expect("rejected"));
    assert!(m(MleWidget::new("ring8", 0.0, 2.0, 16.0, 1)).starts_with("samples must be"));
    assert!(m(MleWidget::new("ring8", 2e5, 2.0, 16.0, 1)).starts_with("samples must be"));
    assert!(m(MleWidget::new("ring8", 100.0, 9.0, 16.0, 1)).starts_with("components must be"));
    assert!(m(MleWidget::new("ring8", 100.0, 2.0, 1.0, 1)).starts_with("bins must be"));
    assert!(m(MleWidget::new("nope", 100.0, 2.0, 16.0, 1)).starts_with("target must be"));
    let k = |r: Result<KlFitWidget, JsError>| message(r.err().expect("rejected"));
    assert!(k(KlFitWidget::one_d(6.0, 0.5, 0.0, 2.5, 0.2)).starts_with("width must be"));
    assert!(k(KlFitWidget::one_d(6.0, 1.5, 1.0, 2.5, 0.2)).starts_with("weight must be"));
    assert!(k(KlFitWidget::one_d(6.0, 0.5, 1.0, 2.5, 0.0)).starts_with("learning_rate must be"));
    assert!(
        k(KlFitWidget::two_d("two-modes", Some(vec![1.0]), 0.2, 1)).starts_with("means must be")
    );
    let mut w = KlFitWidget::one_d(6.0, 0.5, 1.0, 2.5, 0.2).unwrap();
    assert!(message(w.set_target_1d(-1.0, 0.5, 1.0).unwrap_err()).starts_with("separation must be"));
    assert!(message(w.step(0.0).unwrap_err()).starts_with("steps must be"));
    w.step(1.0).unwrap();
}
