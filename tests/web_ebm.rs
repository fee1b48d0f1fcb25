//! Browser tests of the EBM bindings (`EnergyWidget`, `EbmTrainWidget`):
//! `wasm-pack test --headless --chrome -- --test web_ebm`.
#![cfg(target_arch = "wasm32")]

use scorebook::web::{EbmTrainWidget, EnergyWidget};
mod common;

use common::{canvas, message, non_blank};
use wasm_bindgen::JsError;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const WELLS: [f64; 12] = [
    -2.5, -1.0, 0.0, 0.9, 2.0, 1.5, 0.5, 0.7, 0.8, -3.0, -0.4, 1.2,
];

#[wasm_bindgen_test]
fn energy_widget_computes_z_draws_and_samples() {
    let mut w = EnergyWidget::new(&WELLS, 1.0, 500.0, 3).unwrap();
    // at T = 1 the quadrature agrees with the closed form within its error bar (+ rounding)
    let (lz, err, ex) = (
        w.log_z().unwrap(),
        w.log_z_error().unwrap(),
        w.log_z_exact().unwrap(),
    );
    assert!((lz - ex).abs() <= err + 1e-12, "{lz} vs {ex} ± {err}");
    let b = w.basins().unwrap();
    assert_eq!(b.len(), 3);
    assert!((b.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    // deepening well 1 drains the others (global trade-off)
    w.set_well(0, -2.5, -1.0, 1.5, 0.9).unwrap();
    let b2 = w.basins().unwrap();
    assert!(b2[0] > b[0] && b2[1] < b[1] && b2[2] < b[2]);
    assert!(w.log_z_exact().is_some());
    w.set_temperature(2.0).unwrap();
    assert!(
        w.log_z_exact().is_none(),
        "no closed form for T ≠ 1 with several wells"
    );
    w.step(50).unwrap();
    assert_eq!(w.steps(), 50.0);
    let tv = w.tv().unwrap();
    assert!(tv > 0.0 && tv < 1.0);
    let c = canvas(360, 360);
    w.draw(&c, 1.0, false).unwrap();
    assert!(non_blank(&c) > 0.2, "density picture drawn");
    w.set_view("energy").unwrap();
    w.draw(&c, 2.0, true).unwrap();
    assert!(non_blank(&c) > 0.2, "energy picture drawn");
    let chart = canvas(400, 160);
    w.set_tolerance(1e-4).unwrap();
    w.draw_curse(&chart, 1.0, false).unwrap();
    assert!(non_blank(&chart) > 0.01, "grid-cost chart drawn");
    let need = w.curse_needed().unwrap();
    assert_eq!(need.len(), 100);
    assert!(w.curse_svg(600, 240, false).unwrap().starts_with("<svg"));
    // the well under its own centre pixel is found
    let flat = w.wells();
    let add = w.add_well(0.0, 0.0).unwrap();
    assert_eq!(add, 3);
    assert_eq!(w.count(), 4);
    w.remove_well(3).unwrap();
    assert_eq!(w.wells(), flat);
}

#[wasm_bindgen_test]
fn energy_widget_rejects_bad_input_naming_the_parameter() {
    let bad = |r: Result<EnergyWidget, JsError>, name: &str| {
        let m = message(r.err().expect("an error"));
        assert!(m.starts_with(name), "{m}");
    };
    bad(
        EnergyWidget::new(&[0.0, 0.0, 0.0, -1.0], 1.0, 10.0, 1),
        "width",
    );
    bad(EnergyWidget::new(&[0.0, 0.0, 0.0], 1.0, 10.0, 1), "wells");
    bad(
        EnergyWidget::new(&[f64::NAN, 0.0, 0.0, 1.0], 1.0, 10.0, 1),
        "centre",
    );
    bad(EnergyWidget::new(&WELLS, 0.0, 10.0, 1), "temperature");
    bad(EnergyWidget::new(&WELLS, 1.0, 1e9, 1), "particles");
    let mut w = EnergyWidget::new(&WELLS, 1.0, 10.0, 1).unwrap();
    assert!(
        message(w.set_temperature(f64::INFINITY).unwrap_err()).starts_with("temperature must be")
    );
    assert!(message(w.set_view("3d").unwrap_err()).starts_with("view"));
    assert!(message(w.set_well(7, 0.0, 0.0, 0.0, 1.0).unwrap_err()).starts_with("well"));
    assert!(message(w.set_tolerance(5.0).unwrap_err()).starts_with("tolerance"));
    let mut one = EnergyWidget::new(&[0.0, 0.0, 0.0, 1.0], 1.0, 10.0, 1).unwrap();
    assert!(message(one.remove_well(0).unwrap_err()).starts_with("wells"));
    // still usable after the errors
    assert!(w.log_z().unwrap().is_finite());
}

#[wasm_bindgen_test]
fn training_widget_steps_reports_exact_values_and_draws() {
    let mut w = EbmTrainWidget::new("blobs3", 4.0, 0.02, 20.0, 0.02, "persistent", 1).unwrap();
    let ll0 = w.log_likelihood();
    assert!(ll0 < w.neg_entropy());
    w.step(60).unwrap();
    assert_eq!(w.iteration(), 60.0);
    assert_eq!(w.exact_iteration(), 59.0);
    assert!(w.log_likelihood() > ll0, "{} → {}", ll0, w.log_likelihood());
    assert!(w.cosine().abs() <= 1.0 && w.relative_error() >= 0.0);
    assert!((w.kl() - (w.neg_entropy() - w.log_likelihood())).abs() < 1e-12);
    assert_eq!(w.history().len() % 5, 0);
    assert_eq!(w.samples().len(), 2 * 2 * 256);
    let c = canvas(360, 360);
    w.draw(&c, 1.0, false).unwrap();
    assert!(non_blank(&c) > 0.2);
    let chart = canvas(400, 160);
    w.draw_history(&chart, 1.0, true).unwrap();
    assert!(non_blank(&chart) > 0.01);
    assert!(w.history_svg(640, 260, false).unwrap().contains("polyline"));
    // the run is reproducible from its seed
    w.reset(1).unwrap();
    w.step(10).unwrap();
    let mut v = EbmTrainWidget::new("blobs3", 4.0, 0.02, 20.0, 0.02, "persistent", 1).unwrap();
    v.step(10).unwrap();
    assert_eq!(w.wells(), v.wells());
    for mode in ["noise", "data", "persistent"] {
        w.set_mode(mode).unwrap();
        w.step(2).unwrap();
        assert_eq!(w.mode(), mode);
    }
}

#[wasm_bindgen_test]
fn training_widget_rejects_bad_input_naming_the_parameter() {
    let bad = |r: Result<EbmTrainWidget, JsError>, name: &str| {
        let m = message(r.err().expect("an error"));
        assert!(m.starts_with(name), "{m}");
    };
    bad(
        EbmTrainWidget::new("moons", 4.0, 0.02, 20.0, 0.02, "persistent", 1),
        "data",
    );
    bad(
        EbmTrainWidget::new("blobs3", 0.0, 0.02, 20.0, 0.02, "persistent", 1),
        "wells",
    );
    bad(
        EbmTrainWidget::new("blobs3", 4.0, -1.0, 20.0, 0.02, "persistent", 1),
        "learning_rate",
    );
    bad(
        EbmTrainWidget::new("blobs3", 4.0, 0.02, 0.5, 0.02, "persistent", 1),
        "langevin_steps",
    );
    bad(
        EbmTrainWidget::new("blobs3", 4.0, 0.02, 20.0, 7.0, "persistent", 1),
        "step_size",
    );
    bad(
        EbmTrainWidget::new("blobs3", 4.0, 0.02, 20.0, 0.02, "sideways", 1),
        "chain_mode",
    );
    let mut w = EbmTrainWidget::new("blobs3", 4.0, 0.02, 20.0, 0.02, "persistent", 1).unwrap();
    assert!(message(w.set_learning_rate(f64::NAN).unwrap_err()).starts_with("learning_rate"));
    assert!(message(w.step(1_000_000).unwrap_err()).starts_with("n must be"));
    // a diverging run is an error with a message, not NaN
    w.set_step_size(1.0).unwrap();
    w.set_langevin_steps(500.0).unwrap();
    let mut err = None;
    for _ in 0..50 {
        if let Err(e) = w.step(5) {
            err = Some(message(e));
            break;
        }
    }
    if let Some(m) = err {
        assert!(
            m.contains("diverged") || m.starts_with("learning_rate"),
            "{m}"
        );
    } else {
        assert!(w.log_likelihood().is_finite());
    }
}
