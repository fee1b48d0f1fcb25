//! Browser tests of `LearnedLangevinWidget` (`<sb-learned-langevin>`): the learned path's
//! simd128/scalar parity, the shipped model against the exact score, training in chunks,
//! importing weights, drawing and errors.
#![cfg(target_arch = "wasm32")]

use scorebook::nn::{weights_file, Activation, Architecture, Mlp};
use scorebook::web::LearnedLangevinWidget;
mod common;

use common::{canvas, message, non_blank as ink};
use wasm_bindgen::JsError;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const RING8: &[u8] = include_bytes!("../www/models/ring8.sbnn");
const TWO_MODES: &[u8] = include_bytes!("../www/models/two-modes.sbnn");

fn shipped(target: &str, bytes: &[u8], n: f64, sampler: &str) -> LearnedLangevinWidget {
    let mut w =
        LearnedLangevinWidget::new(target, sampler, n, 2.0, 0.05, 10.0, 20.0, 2.5e-4, 0.0, 7)
            .unwrap();
    w.load_weights(bytes, "shipped").unwrap();
    w
}

#[wasm_bindgen_test]
fn learned_runs_are_bit_identical_on_the_simd_and_scalar_paths() {
    // 1003 particles: the 4-wide body of the GEMM and of the update, and their tails
    let (mut a, mut b) = (
        shipped("ring8", RING8, 1003.0, "annealed"),
        shipped("ring8", RING8, 1003.0, "annealed"),
    );
    a.set_simd(true);
    b.set_simd(false);
    assert_eq!(a.kernel(), "simd128");
    assert_eq!(b.kernel(), "scalar");
    a.step(60).unwrap();
    b.step(60).unwrap();
    assert_eq!(a.sampler_steps(), 60.0);
    assert_eq!(a.checksum(), b.checksum());
    // the exact-score halves agree too, and differ from the learned halves
    let c = a.checksum();
    let (e, l) = c.split_once(':').unwrap();
    assert_ne!(e, l);
}

#[wasm_bindgen_test]
fn the_shipped_model_samples_two_modes_like_the_exact_score() {
    let mut w = shipped("two-modes", TWO_MODES, 3000.0, "annealed");
    assert_eq!(w.total_steps(), 200.0);
    assert!(w.source().contains("shipped") && w.architecture().starts_with("3-128-128-2 (silu)"));
    w.step(1000).unwrap();
    assert!(w.finished() && w.level() == 10 && (w.sigma() - 0.05).abs() < 1e-12);
    let s = w.shares();
    // binomial SE of a share with n = 3000: √(0.8·0.2/3000) = 0.0073; same start and noise, so
    // the difference has SE ≤ 0.010: 0.04 allows 3 SE plus the model's error (native test: 0.007)
    assert!((s[0] - s[2]).abs() < 0.04, "{s:?}");
    assert_eq!(w.weights(), vec![0.8, 0.2]);
    let kl = w.kl().unwrap();
    assert_eq!(kl.len(), 3);
    // both above the i.i.d. floor (a histogram of the same size cannot beat it by much)
    assert!(
        kl.iter().all(|v| v.is_finite() && *v >= 0.0) && kl[2] > 0.0,
        "{kl:?}"
    );
    let m = w.moments().unwrap();
    assert_eq!(m.len(), 15);
    // the exact p_σ mean: 0.8 (−2.5, −0.5) + 0.2 (2.5, 1) = (−1.5, −0.2)
    assert!((m[10] + 1.5).abs() < 1e-12 && (m[11] + 0.2).abs() < 1e-12);
    let far = w.far_shares().unwrap();
    assert!(
        (far[2] - (-4.5f64).exp()).abs() < 1e-15 && far[0] < 0.1 && far[1] < 0.1,
        "{far:?}"
    );
    let se = w.score_errors().unwrap();
    // the shipped model at σ = 0.05: relative error well below 1 at the data
    assert!(se.iter().all(|v| v.is_finite()) && se[2] < 1.0, "{se:?}");
    let h = w.history();
    assert_eq!(h.len() % 5, 0);
    assert_eq!(h[h.len() - 5], 200.0);
    let (c0, c1, ch) = (canvas(300, 300), canvas(300, 300), canvas(400, 200));
    w.draw(&c0, 0, 1.0, false).unwrap();
    w.draw(&c1, 1, 1.0, true).unwrap();
    w.draw_history(&ch, 1.0, false).unwrap();
    let ce = canvas(300, 300);
    w.draw_error(&ce, 1.0, false).unwrap();
    let r = w.error_range();
    // four decades below the largest squared error on the grid
    assert!(
        r[1].is_finite() && (r[1] - r[0] - 4.0).abs() < 1e-12,
        "{r:?}"
    );
    assert!(ink(&c0) > 0.05 && ink(&c1) > 0.05 && ink(&ch) > 0.02 && ink(&ce) > 0.3);
    assert!(w.history_svg(640, 260, false).unwrap().starts_with("<svg"));
}

#[wasm_bindgen_test]
fn training_runs_in_chunks_and_stops_at_its_end() {
    let mut w =
        LearnedLangevinWidget::new("gaussian", "ula", 200.0, 2.0, 0.1, 2.0, 5.0, 1e-3, 50.0, 3)
            .unwrap();
    assert!(w.training() && w.source() == "trained here");
    w.step(30).unwrap();
    assert_eq!(
        (w.train_iteration(), w.sampler_steps(), w.steps()),
        (30.0, 0.0, 30.0)
    );
    assert!(w.loss().is_finite());
    // the call ends with training; the samplers restart with the trained network
    w.step(100).unwrap();
    assert!(!w.training());
    assert_eq!((w.train_iteration(), w.sampler_steps()), (50.0, 0.0));
    w.step(4).unwrap();
    assert_eq!(w.sampler_steps(), 4.0);
    // ULA: one level at σ_min with L·T = 10 steps, step (ε/σ²)(1 + σ²) for N(0, I)
    assert_eq!((w.levels(), w.total_steps()), (1, 10.0));
    assert!((w.alpha() - 1e-3 / 0.01 * 1.01).abs() < 1e-12);
    // a training run is reproducible: the same seed gives the same network and clouds
    let mut v =
        LearnedLangevinWidget::new("gaussian", "ula", 200.0, 2.0, 0.1, 2.0, 5.0, 1e-3, 50.0, 3)
            .unwrap();
    v.step(50).unwrap();
    v.step(4).unwrap();
    assert_eq!(v.checksum(), w.checksum());
    assert_eq!(v.export_weights(), w.export_weights());
}

#[wasm_bindgen_test]
fn weights_files_are_validated() {
    let mut w = LearnedLangevinWidget::new(
        "ring8", "annealed", 100.0, 2.0, 0.05, 3.0, 2.0, 2.5e-4, 0.0, 1,
    )
    .unwrap();
    let before = w.architecture();
    let m = |e: JsError| message(e);
    let e = m(w.load_weights(b"hello, not weights", "x").unwrap_err());
    assert!(
        e.contains("magic") || e.contains("SBNN") || e.contains("bytes"),
        "{e}"
    );
    // a network of the wrong shape: a clear message naming both
    let bad = weights_file::encode(&Mlp::zeros(
        Architecture::new(&[2, 8, 2], Activation::Silu).unwrap(),
    ));
    let e = m(w.load_weights(&bad, "x").unwrap_err());
    assert!(e.contains("3-…-2") && e.contains("2-8-2"), "{e}");
    // truncated
    let e = m(w.load_weights(&RING8[..RING8.len() - 4], "x").unwrap_err());
    assert!(e.contains("weights file"), "{e}");
    // nothing changed
    assert_eq!(w.architecture(), before);
    // any 3 → … → 2 network is accepted, e.g. a smaller one
    let small = weights_file::encode(&Mlp::zeros(
        Architecture::new(&[3, 16, 2], Activation::Relu).unwrap(),
    ));
    w.load_weights(&small, "small").unwrap();
    assert!(
        w.architecture().starts_with("3-16-2 (relu)"),
        "{}",
        w.architecture()
    );
    w.step(3).unwrap();
}

#[wasm_bindgen_test]
fn bad_parameters_name_themselves() {
    let m = |r: Result<LearnedLangevinWidget, JsError>| message(r.err().expect("an error"));
    let mk =
        |t: &str, s: &str, n: f64, smax: f64, smin: f64, l: f64, tt: f64, eps: f64, train: f64| {
            LearnedLangevinWidget::new(t, s, n, smax, smin, l, tt, eps, train, 1)
        };
    assert!(m(mk("moon", "annealed", 10.0, 2.0, 0.05, 3.0, 2.0, 1e-4, 0.0)).contains("target"));
    assert!(m(mk("ring8", "euler", 10.0, 2.0, 0.05, 3.0, 2.0, 1e-4, 0.0)).contains("sampler"));
    assert!(m(mk("ring8", "annealed", 0.0, 2.0, 0.05, 3.0, 2.0, 1e-4, 0.0)).contains("particles"));
    assert!(m(mk("ring8", "annealed", 10.0, 2.0, 3.0, 3.0, 2.0, 1e-4, 0.0)).contains("sigma_min"));
    assert!(m(mk(
        "ring8", "annealed", 10.0, 2.0, 0.05, 1.0, 2.0, 1e-4, 0.0
    ))
    .contains("levels"));
    assert!(m(mk(
        "ring8", "annealed", 10.0, 2.0, 0.05, 3.0, 0.5, 1e-4, 0.0
    ))
    .contains("steps_per_level"));
    assert!(m(mk("ring8", "ula", 10.0, 2.0, 0.05, 3.0, 2.0, -1.0, 0.0)).contains("step_size"));
    assert!(m(mk(
        "ring8", "annealed", 10.0, 2.0, 0.05, 3.0, 2.0, 1e-4, 1.5
    ))
    .contains("train_steps"));
    let mut w = mk("ring8", "annealed", 10.0, 2.0, 0.05, 3.0, 2.0, 1e-4, 0.0).unwrap();
    assert!(message(
        w.set_schedule("annealed", f64::NAN, 0.05, 3.0, 2.0, 1e-4)
            .unwrap_err()
    )
    .contains("sigma_max"));
    assert!(message(w.step(200_000).unwrap_err()).contains("k"));
    assert!(message(w.history_svg(10, 10, false).unwrap_err()).contains("width"));
    // a step far past stability diverges and is reported, never drawn as NaN
    w.set_schedule("ula", 2.0, 0.005, 3.0, 20.0, 10.0).unwrap();
    let mut err = None;
    for _ in 0..60 {
        if let Err(e) = w.step(1) {
            err = Some(message(e));
            break;
        }
    }
    let e = err.expect("diverged");
    assert!(
        e.contains("diverged") || e.contains("runaway") || e.contains("particles"),
        "{e}"
    );
    assert!(w.divergence().unwrap().contains("run"));
}
