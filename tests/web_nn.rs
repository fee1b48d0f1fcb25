//! Browser tests of the neural-network core and the DSM widget binding (`DsmTrainWidget`):
//! simd128 and scalar kernels give bit-identical weights, errors reach JS with precise messages,
//! divergence is reported, and the pictures are drawn.
#![cfg(target_arch = "wasm32")]

use scorebook::web::DsmTrainWidget;
mod common;

use common::{canvas, message, non_blank as ink};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn widget(hidden: &str, act: &str, batch: f64, seed: u32) -> DsmTrainWidget {
    DsmTrainWidget::new("ring8", hidden, act, 1e-3, batch, 0.01, 2.0, seed).unwrap()
}

#[wasm_bindgen_test]
fn simd128_and_scalar_kernels_give_bit_identical_weights() {
    // W2 itself, then odd widths and batches (row tails of 1, 2 and 3 below the 4 × 8 blocks,
    // column tails of 1 to 7 in the four-row kernel, the 4-lane loops), and ReLU
    for (hidden, act, batch, steps) in [
        ("128,128", "silu", 512.0, 8),
        ("13,7", "silu", 38.0, 25),
        ("9,17,5", "relu", 61.0, 25),
    ] {
        let mut a = widget(hidden, act, batch, 7);
        let mut b = widget(hidden, act, batch, 7);
        b.set_simd(false);
        assert_eq!(a.kernel(), "simd128");
        assert_eq!(b.kernel(), "scalar");
        a.step(steps).unwrap();
        b.step(steps).unwrap();
        let (pa, pb) = (a.params(), b.params());
        assert_eq!(pa.len(), pb.len());
        for (i, (x, y)) in pa.iter().zip(&pb).enumerate() {
            assert_eq!(
                x.to_bits(),
                y.to_bits(),
                "{hidden} {act}: parameter {i} differs: {x} vs {y}"
            );
        }
        assert_eq!(a.loss().to_bits(), b.loss().to_bits());
        // and the trained networks are not trivially equal to the initial ones
        assert_ne!(pa, widget(hidden, act, batch, 7).params());
    }
}

#[wasm_bindgen_test]
fn training_lowers_the_error_and_the_pictures_are_drawn() {
    let mut w = widget("128,128", "silu", 512.0, 1);
    let before = w.relative_errors().unwrap();
    w.step(600).unwrap();
    let after = w.relative_errors().unwrap();
    // 600 W2 steps cut the error at σ = 1 and 2 by far more than the SE of a 1000-sample
    // estimate (a few per cent of its value); from the initial network (≈ 1) to < 0.5
    for k in 2..4 {
        assert!(
            after[k] < 0.5 * before[k],
            "σ index {k}: {} → {}",
            before[k],
            after[k]
        );
    }
    assert_eq!(w.history().len(), 5 * 7, "rows at steps 0, 100, …, 600");
    assert_eq!(w.iteration(), 600.0);
    let (f, e, c) = (canvas(320, 320), canvas(320, 320), canvas(400, 300));
    w.draw_field(&f, true, 0.5, 1.0, false).unwrap();
    assert!(ink(&f) > 0.05, "density and arrows");
    w.draw_field(&f, false, 0.5, 2.0, true).unwrap();
    assert!(ink(&f) > 0.05);
    w.draw_error(&e, 0.5, 1.0, false).unwrap();
    assert!(ink(&e) > 0.2, "heat map");
    let r = w.error_range();
    assert!((r[1] - r[0] - 4.0).abs() < 1e-12 && w.error_max() > 0.0);
    w.draw_history(&c, 1.0, false).unwrap();
    assert!(ink(&c) > 0.01);
    assert!(w.history_svg(640, 320, false).unwrap().contains("σ = 0.5"));
    let s = w.learned_score(&[4.0, 0.0], &[0.0, 0.0], 1.0).unwrap();
    assert_eq!(s.len(), 4);
    // at the centre of the ring the exact score is 0 by symmetry; the learned one is small there
    // (scores at σ = 1 on the ring reach ~4, the distance to the modes over 1 + 0.25)
    assert!(s[2].abs() < 3.0 && s[3].abs() < 3.0, "{s:?}");
}

#[wasm_bindgen_test]
fn weights_export_import_and_file_errors_reach_js() {
    let mut a = widget("8", "silu", 64.0, 3);
    a.step(5).unwrap();
    let bytes = a.export_weights();
    // 16-byte header, widths 3-8-2 (12 bytes), (3+1)·8 + (8+1)·2 = 50 floats
    assert_eq!(bytes.len(), 28 + 4 * 50);
    let mut b = widget("8", "silu", 64.0, 4);
    b.import_weights(&bytes).unwrap();
    assert_eq!(a.params(), b.params());
    assert_eq!(b.iteration(), 0.0);
    let mut bad = bytes.clone();
    bad[0] = b'Z';
    assert_eq!(message(b.import_weights(&bad).unwrap_err()), "weights file has bad magic bytes [90, 66, 78, 78]; expected \"SBNN\" (a scorebook network file)");
    assert_eq!(
        message(b.import_weights(&bytes[..100]).unwrap_err()),
        "weights file is truncated: 100 bytes, the header announces 228"
    );
    let mut w2 = widget("128,128", "silu", 64.0, 4);
    assert_eq!(
        message(w2.import_weights(&bytes).unwrap_err()),
        "weights file is for the network 3-8-2 (silu), but this network is 3-128-128-2 (silu)"
    );
    let mut v = bytes.clone();
    v[4] = 9;
    assert_eq!(
        message(b.import_weights(&v).unwrap_err()),
        "weights file has format version 9; this build reads version 1"
    );
}

#[wasm_bindgen_test]
fn divergence_is_reported_and_keeps_the_last_good_weights() {
    let mut w = widget("8", "silu", 64.0, 3);
    let mut bytes = w.export_weights();
    for k in (28..bytes.len()).step_by(4) {
        bytes[k..k + 4].copy_from_slice(&1e30f32.to_le_bytes());
    }
    w.import_weights(&bytes).unwrap();
    let before = w.params();
    let e = message(w.step(3).unwrap_err());
    assert!(e.starts_with("training diverged at step 1: the loss became non-finite; the last finite weights were kept"), "{e}");
    assert_eq!(w.diverged(), e);
    assert_eq!(w.params(), before);
    assert!(w.step(1).is_err(), "refuses to continue");
    w.reset(3).unwrap();
    assert_eq!(w.diverged(), "");
    w.step(2).unwrap();
}

#[wasm_bindgen_test]
fn bad_input_reaches_js_as_an_error_naming_the_parameter() {
    let new = |t: &str, hid: &str, act: &str, lr: f64, b: f64, lo: f64, hi: f64| {
        message(
            DsmTrainWidget::new(t, hid, act, lr, b, lo, hi, 1)
                .err()
                .expect("an error"),
        )
    };
    assert_eq!(
        new("ring8", "128,128", "silu", 0.0, 512.0, 0.01, 2.0),
        "learning_rate must be a finite number in (0, 1]; got 0"
    );
    assert_eq!(
        new("ring8", "128,128", "silu", 1e-3, 0.5, 0.01, 2.0),
        "batch_size must be an integer in [1, 4096]; got 0.5"
    );
    assert_eq!(
        new("ring8", "128,128", "silu", 1e-3, 512.0, 0.0, 2.0),
        "sigma_min must be a finite number in [0.001, 20]; got 0"
    );
    assert_eq!(
        new("ring8", "128,128", "silu", 1e-3, 512.0, 1.0, 0.5),
        "sigma_max must be a finite number in [sigma_min = 1, 20]; got 0.5"
    );
    assert_eq!(
        new("ring8", "128,abc", "silu", 1e-3, 512.0, 0.01, 2.0),
        "hidden must be comma-separated layer widths such as 128,128; got \"128,abc\""
    );
    assert_eq!(
        new("ring8", "128,0", "silu", 1e-3, 512.0, 0.01, 2.0),
        "hidden must be hidden widths in [1, 512]; got 0"
    );
    assert_eq!(
        new("ring8", "128", "tanh", 1e-3, 512.0, 0.01, 2.0),
        "activation must be one of silu, relu; got \"tanh\""
    );
    assert!(new("moons", "128", "silu", 1e-3, 512.0, 0.01, 2.0)
        .starts_with("target must be one of ring8, gaussian, two-modes"));
    let mut w = widget("8", "silu", 64.0, 1);
    assert_eq!(
        message(w.step(20_000).unwrap_err()),
        "n must be an integer in [0, 10000]; got 20000"
    );
    assert!(
        message(w.set_learning_rate(f64::NAN).unwrap_err()).starts_with("learning_rate must be")
    );
    assert!(message(w.set_batch_size(0.0).unwrap_err()).starts_with("batch_size must be"));
    assert!(message(w.set_sigma_range(0.5, 0.2).unwrap_err()).starts_with("sigma_max must be"));
    assert!(message(w.set_target("nope").unwrap_err()).starts_with("target must be"));
    assert!(message(w.relative_error_at(-1.0).unwrap_err())
        .starts_with("sigma must be a finite number in [0.0001, 100]"));
    let c = canvas(100, 100);
    assert!(
        message(w.draw_field(&c, true, 0.0, 1.0, false).unwrap_err()).starts_with("sigma must be")
    );
    assert!(message(w.history_svg(10, 10, false).unwrap_err()).starts_with("width, height must be"));
    assert_eq!(w.learning_rate(), 1e-3, "rejected values change nothing");
    assert_eq!(w.batch_size(), 64.0);
}
