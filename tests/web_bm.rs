//! Browser tests of the Boltzmann-machine binding (`BoltzmannWidget`) and its drawing.
#![cfg(target_arch = "wasm32")]

use scorebook::web::BoltzmannWidget;
mod common;

use common::{canvas, colours, message, non_blank};
use wasm_bindgen::JsError;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn widget() -> BoltzmannWidget {
    let pats = BoltzmannWidget::preset_patterns("bars-and-stripes").unwrap();
    BoltzmannWidget::new(9.0, &pats, 0.5, 1.0, 200.0, 3).unwrap()
}

#[wasm_bindgen_test]
fn training_lowers_the_exact_kl_of_all_three_rules() {
    let mut w = widget();
    assert_eq!(w.patterns().len(), 14);
    let kl0: Vec<f64> = (0..3).map(|i| w.kl(i).unwrap()).collect();
    // θ = 0 is the uniform distribution on 512 images: KL = log 512 − H(p) = log 512 − log 14
    let want = (512f64).ln() - (14f64).ln();
    for k in &kl0 {
        assert!((k - want).abs() < 1e-12, "{k} vs {want}");
    }
    w.step(50.0).unwrap();
    assert_eq!(w.updates(), 50.0);
    for i in 0..3 {
        let k = w.kl(i).unwrap();
        assert!(k < kl0[i as usize] - 0.5, "trainer {i}: {k}");
        assert_eq!(w.kl_history(i).unwrap().len(), 51);
        let c = w.cosine(i).unwrap();
        assert!((-1.0..=1.0 + 1e-12).contains(&c));
    }
    assert!(
        (w.cosine(0).unwrap() - 1.0).abs() < 1e-12,
        "the exact rule uses the exact gradient"
    );
    let top = w.top_states(0, 4).unwrap();
    assert_eq!(top.len(), 8);
    assert!(
        top[1] >= top[3] && top[3] >= top[5],
        "sorted by probability"
    );
    assert!(w.cd_bias().is_finite());
    // same seed, same numbers
    let mut w2 = widget();
    w2.step(50.0).unwrap();
    assert_eq!(w2.kl(1).unwrap(), w.kl(1).unwrap());
    w2.reset(3).unwrap();
    assert_eq!(w2.updates(), 0.0);
}

#[wasm_bindgen_test]
fn draw_and_chart_paint_the_canvases() {
    let mut w = widget();
    w.step(20.0).unwrap();
    let c = canvas(600, 600);
    w.draw(&c, 1.0, false).unwrap();
    let (frac, colours) = (non_blank(&c), colours(&c));
    assert!(frac > 0.1, "patterns and matrices cover the figure: {frac}");
    assert!(
        colours >= 4,
        "background, pixels, red and blue couplings: {colours}"
    );
    let ch = canvas(500, 200);
    w.draw_chart(&ch, 2.0, true).unwrap();
    assert!(non_blank(&ch) > 0.01);
    let svg = w.chart_svg(640, 260, false).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("CD-1") && svg.contains("PCD-1"));
}

#[wasm_bindgen_test]
fn bad_inputs_throw_errors_naming_the_parameter() {
    let pats = BoltzmannWidget::preset_patterns("letters").unwrap();
    let cases: Vec<(Result<BoltzmannWidget, JsError>, &str)> = vec![
        (
            BoltzmannWidget::new(9.0, &[], 0.5, 1.0, 10.0, 0),
            "patterns must be a set of 1 to",
        ),
        (
            BoltzmannWidget::new(9.0, &[600], 0.5, 1.0, 10.0, 0),
            "pattern must be",
        ),
        (
            BoltzmannWidget::new(20.0, &pats, 0.5, 1.0, 10.0, 0),
            "units must be",
        ),
        (
            BoltzmannWidget::new(9.0, &pats, 0.0, 1.0, 10.0, 0),
            "learning_rate must be a finite number in (0, 10]",
        ),
        (
            BoltzmannWidget::new(9.0, &pats, f64::NAN, 1.0, 10.0, 0),
            "learning_rate must be",
        ),
        (
            BoltzmannWidget::new(9.0, &pats, 0.5, 0.0, 10.0, 0),
            "sweeps must be",
        ),
        (
            BoltzmannWidget::new(9.0, &pats, 0.5, 2.5, 10.0, 0),
            "sweeps must be an integer",
        ),
        (
            BoltzmannWidget::new(9.0, &pats, 0.5, 1.0, 1e9, 0),
            "chains must be",
        ),
    ];
    for (r, want) in cases {
        match r {
            Ok(_) => panic!("accepted a bad input ({want})"),
            Err(e) => {
                let m = message(e);
                assert!(m.starts_with(want), "{m:?} should start with {want:?}");
            }
        }
    }
    let mut w = widget();
    assert!(message(w.set_patterns(&[]).unwrap_err()).starts_with("patterns must be"));
    assert!(message(w.set_learning_rate(-1.0).unwrap_err()).starts_with("learning_rate must be"));
    assert!(message(w.step(0.0).unwrap_err()).starts_with("updates must be"));
    assert!(message(w.kl(3).unwrap_err()).starts_with("trainer must be"));
    assert!(
        message(BoltzmannWidget::preset_patterns("nope").unwrap_err())
            .starts_with("preset must be")
    );
    // no single call may do more than 1e8 unit updates (a hostile link cannot freeze the page)
    let mut heavy = BoltzmannWidget::new(9.0, &pats, 0.5, 1000.0, 10_000.0, 0).unwrap();
    assert!(message(heavy.step(20.0).unwrap_err())
        .starts_with("updates × chains × sweeps must be at most 1e8"));
    // the widget still works after rejected calls
    w.step(1.0).unwrap();
    assert!(w.kl(0).unwrap().is_finite());
}
