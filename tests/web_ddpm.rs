//! Browser tests of the DDPM bindings (`DdpmForwardWidget`, `DdpmTrainWidget`) and of the
//! ε-trainer's simd128 path: `wasm-pack test --headless --chrome --test web_ddpm`.
#![cfg(target_arch = "wasm32")]

use scorebook::ddpm::ancestral::{Ancestral, ReverseVariance};
use scorebook::ddpm::eps_train::{EpsConfig, EpsTrainer};
use scorebook::ddpm::BetaSchedule;
use scorebook::kernel::{simd_compiled_in, KernelPath};
use scorebook::nn::Activation;
use scorebook::presets::preset;
use scorebook::sde::score::EpsScore;
use scorebook::web::{DdpmForwardWidget, DdpmTrainWidget};
mod common;

use common::{canvas, message, non_blank as ink};
use wasm_bindgen::JsError;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The ε-trainer (5 inputs: an odd fan-in for the GEMM) and sampling with its network give the
/// same bits on the simd128 and the scalar paths.
#[wasm_bindgen_test]
fn eps_training_and_sampling_are_bit_identical_on_both_paths() {
    assert!(simd_compiled_in());
    let data = preset("two-modes").unwrap();
    let s = BetaSchedule::linear(40, 1e-3, 0.2).unwrap();
    let cfg = EpsConfig {
        hidden: vec![33, 17],
        activation: Activation::Silu,
        learning_rate: 2e-3,
        batch_size: 37,
    };
    let run = |path: KernelPath| {
        let mut tr = EpsTrainer::new(&data, s.clone(), cfg.clone(), 9).unwrap();
        tr.set_path(path);
        for _ in 0..30 {
            tr.step().unwrap();
        }
        let mut net = tr.snapshot();
        net.set_path(path);
        let mut p = Ancestral::prior(501, 2);
        let mut a = Ancestral::new(s.clone(), ReverseVariance::Beta, 1e4, 2).unwrap();
        let mut m = EpsScore(net);
        while a.step(&mut p, &mut m).unwrap() {}
        (tr.params().to_vec(), p.checksum())
    };
    let (pa, ca) = run(KernelPath::Simd128);
    let (pb, cb) = run(KernelPath::Scalar);
    assert!(pa.iter().zip(&pb).all(|(a, b)| a.to_bits() == b.to_bits()));
    assert_eq!(ca, cb);
}

fn forward() -> DdpmForwardWidget {
    DdpmForwardWidget::new(
        "ring8",
        "linear",
        1000.0,
        1e-4,
        0.02,
        "8,4,0,-4,-8",
        5000.0,
        3,
    )
    .unwrap()
}

#[wasm_bindgen_test]
fn the_forward_widget_matches_the_exact_marginal_and_draws() {
    let mut w = forward();
    w.set_step(300.0).unwrap();
    let (ms, me) = (w.moments_simulated(), w.moments_exact());
    // 5000 samples with per-coordinate variance ≈ 3.9: SE of a mean ≈ 0.028, of a variance
    // ≈ √(2/n)·3.9 ≈ 0.08; 5 SE
    for i in 0..2 {
        assert!((ms[i] - me[i]).abs() < 0.14, "{ms:?} {me:?}");
    }
    for i in 2..5 {
        assert!((ms[i] - me[i]).abs() < 0.4, "{ms:?} {me:?}");
    }
    // the histogram KL of exact one-shot samples is at its floor (within ±50 %: the estimator's
    // spread on 257 cells at n = 5000)
    let h = w.histogram_kl().unwrap();
    assert!(h[0] < 1.5 * h[1] && h[0] > 0.5 * h[1], "{h:?}");
    // V-D3: ᾱ_1000 of the linear schedule, and the VE noise of the same marginal
    w.set_step(1000.0).unwrap();
    assert!((w.alpha_bar() / 4.0358e-5 - 1.0).abs() < 1e-4);
    assert!((w.sigma_ve() - ((1.0 - w.alpha_bar()) / w.alpha_bar()).sqrt()).abs() < 1e-9);
    // a short schedule with small β's never reaches the prior
    let long = w.prior_kl().unwrap();
    w.set_schedule("linear", 10.0, 1e-4, 0.02).unwrap();
    assert_eq!(w.t(), 10.0);
    let short = w.prior_kl().unwrap();
    assert!(short > 1.0 && long < 1e-3, "{short} {long}");
    let curve = w.kl_curve().unwrap();
    assert!(curve.len() >= 4 && curve.chunks(2).any(|p| p[0] == 10.0));
    // drawing
    let c = canvas(400, 400);
    w.draw(&c, 1.0, false).unwrap();
    assert!(ink(&c) > 0.05);
    let a = canvas(500, 200);
    w.draw_alpha(&a, 1.0, true).unwrap();
    assert!(ink(&a) > 0.01);
    let s = canvas(500, 200);
    w.draw_snr(&s, 1.0, false).unwrap();
    assert!(ink(&s) > 0.01);
    let k = canvas(500, 200);
    w.draw_kl(&k, 2.0, false).unwrap();
    assert!(ink(&k) > 0.01);
}

/// Dragging a custom knot through the SNR chart's own mapping changes the schedule.
#[wasm_bindgen_test]
fn knots_are_picked_and_dragged_on_the_snr_chart() {
    let mut w = DdpmForwardWidget::new(
        "two-modes",
        "custom",
        100.0,
        1e-4,
        0.02,
        "8,4,0,-4,-8",
        1000.0,
        1,
    )
    .unwrap();
    let c = canvas(500, 200);
    assert_eq!(w.pick_knot(10.0, 10.0, 1.0), -1, "no chart drawn yet");
    w.draw_snr(&c, 1.0, false).unwrap();
    let before = w.alpha_bar_end();
    // the last knot sits at the plot's right edge at SNR = e^−8; find it by scanning the column
    let mut hit = None;
    for py in 0..200 {
        for px in (400..500).rev() {
            if w.pick_knot(px as f64, py as f64, 1.0) == 4 {
                hit = Some((px, py));
                break;
            }
        }
        if hit.is_some() {
            break;
        }
    }
    let (px, py) = hit.expect("the last knot can be picked");
    let v = w.drag_knot(4, px as f64, py as f64 + 40.0).unwrap();
    assert!(v < -8.0, "dragged down to lower SNR: {v}");
    assert!(w.alpha_bar_end() < before);
    assert!((w.knots()[4] - v).abs() < 1e-12);
    // clamped to stay below its neighbour
    let v = w.drag_knot(4, px as f64, -1000.0).unwrap();
    assert!((v - (w.knots()[3] - 0.05)).abs() < 1e-9, "{v}");
}

#[wasm_bindgen_test]
fn forward_bad_inputs_throw_errors_naming_the_parameter() {
    let f = |r: Result<DdpmForwardWidget, JsError>| message(r.err().expect("rejected"));
    assert!(f(DdpmForwardWidget::new(
        "ring8", "linear", 0.0, 1e-4, 0.02, "8,-8", 100.0, 1
    ))
    .starts_with("steps must be"));
    assert!(f(DdpmForwardWidget::new(
        "ring8", "linear", 10.0, 1.5, 0.02, "8,-8", 100.0, 1
    ))
    .starts_with("beta_start must be"));
    assert!(f(DdpmForwardWidget::new(
        "ring8", "linear", 10.0, 1e-4, 0.0, "8,-8", 100.0, 1
    ))
    .starts_with("beta_end must be"));
    assert!(f(DdpmForwardWidget::new(
        "ring8", "custom", 10.0, 1e-4, 0.02, "1,2", 100.0, 1
    ))
    .starts_with("knots must be"));
    assert!(f(DdpmForwardWidget::new(
        "ring8", "custom", 10.0, 1e-4, 0.02, "a,b", 100.0, 1
    ))
    .starts_with("knots must be"));
    assert!(f(DdpmForwardWidget::new(
        "ring8",
        "quadratic",
        10.0,
        1e-4,
        0.02,
        "8,-8",
        100.0,
        1
    ))
    .starts_with("schedule must be"));
    assert!(f(DdpmForwardWidget::new(
        "nope", "linear", 10.0, 1e-4, 0.02, "8,-8", 100.0, 1
    ))
    .starts_with("target must be"));
    assert!(f(DdpmForwardWidget::new(
        "ring8", "linear", 10.0, 1e-4, 0.02, "8,-8", 0.0, 1
    ))
    .starts_with("particles must be"));
    let mut w = forward();
    assert!(message(w.set_step(-1.0).unwrap_err())
        .starts_with("t must be an integer step in [0, 1000]"));
    assert!(message(w.set_step(1001.0).unwrap_err()).starts_with("t must be"));
    assert!(message(w.set_step(f64::NAN).unwrap_err()).starts_with("t must be"));
    assert!(
        message(w.set_schedule("linear", 5001.0, 1e-4, 0.02).unwrap_err())
            .starts_with("steps must be")
    );
    assert!(message(w.drag_knot(0, 1.0, 1.0).unwrap_err()).contains("draw the SNR chart"));
    // nothing changed after the rejected calls
    assert_eq!(w.steps(), 1000.0);
}

fn trainer() -> DdpmTrainWidget {
    DdpmTrainWidget::new(
        "two-modes",
        "linear",
        100.0,
        0.2,
        "8,4,0,-4,-8",
        "32,32",
        2e-3,
        128.0,
        "ddim",
        20.0,
        1000.0,
        4,
    )
    .unwrap()
}

#[wasm_bindgen_test]
fn the_train_widget_learns_samples_and_scrubs() {
    let mut w = trainer();
    let e0 = w.excess();
    w.step(1500).unwrap();
    assert_eq!(w.iteration(), 1500.0);
    let e1 = w.excess();
    // training reduces E‖ε_θ − ε*‖² well below its value at initialisation
    assert!(e1 < 0.2 * e0, "{e0} → {e1}");
    assert!(w.loss_floor() > 0.0 && w.loss_floor() < 2.0);
    w.start_sampling().unwrap();
    assert!(w.sampling_active());
    while w.sample_step(7).unwrap() {}
    assert_eq!(w.sampling_progress(), vec![20.0, 20.0]);
    let n = w.snapshot_count();
    assert_eq!(n, 21);
    assert_eq!(w.snapshot_steps()[0], 100.0);
    assert_eq!(w.snapshot_steps()[n - 1], 0.0);
    // at the end, the exact-ε run against the data (t = 0): weights within 0.06 (SE of a share
    // with 1000 particles ≈ 0.013; DDIM with 20 steps adds a little bias)
    let ex = w.snapshot_stats(1, (n - 1) as f64).unwrap();
    let truth = w.exact_stats(0.0).unwrap();
    assert_eq!(ex[0], 0.0);
    assert!((ex[8] - truth[5]).abs() < 0.06, "{ex:?} {truth:?}");
    let le = w.snapshot_stats(0, (n - 1) as f64).unwrap();
    assert!((le[8] - truth[5]).abs() < 0.15, "{le:?}");
    // at snapshot 0 both clouds are the same prior draw
    assert_eq!(
        w.snapshot_stats(0, 0.0).unwrap()[1..6],
        w.snapshot_stats(1, 0.0).unwrap()[1..6]
    );
    for which in 0..2 {
        let c = canvas(360, 360);
        w.draw(&c, which, 5.0, 1.0, false).unwrap();
        assert!(ink(&c) > 0.03);
    }
    let h = canvas(500, 200);
    w.draw_history(&h, 1.0, true).unwrap();
    assert!(ink(&h) > 0.01);
    assert_eq!(w.history().len() % 3, 0);
}

#[wasm_bindgen_test]
fn train_bad_inputs_throw_errors_naming_the_parameter() {
    let f = |r: Result<DdpmTrainWidget, JsError>| message(r.err().expect("rejected"));
    let mk = |t: &str, steps: f64, lr: f64, batch: f64, sampler: &str, k: f64, n: f64| {
        DdpmTrainWidget::new(
            t, "linear", steps, 0.02, "8,-8", "16", lr, batch, sampler, k, n, 1,
        )
    };
    assert!(f(mk("ring8", 0.0, 1e-3, 64.0, "ddim", 1.0, 100.0)).starts_with("steps must be"));
    assert!(
        f(mk("ring8", 10.0, 0.0, 64.0, "ddim", 1.0, 100.0)).starts_with("learning_rate must be")
    );
    assert!(f(mk("ring8", 10.0, 1e-3, 0.5, "ddim", 1.0, 100.0)).starts_with("batch_size must be"));
    assert!(f(mk("ring8", 10.0, 1e-3, 64.0, "euler", 1.0, 100.0)).starts_with("sampler must be"));
    assert!(f(mk("ring8", 10.0, 1e-3, 64.0, "ddim", 11.0, 100.0)).starts_with("ddim_steps must be"));
    assert!(f(mk("ring8", 10.0, 1e-3, 64.0, "ddim", 5.0, 30000.0)).starts_with("particles must be"));
    assert!(f(mk("x", 10.0, 1e-3, 64.0, "ddim", 5.0, 100.0)).starts_with("target must be"));
    let mut w = trainer();
    assert!(message(w.set_learning_rate(-1.0).unwrap_err()).starts_with("learning_rate must be"));
    assert!(message(w.set_sampler("ddim", 0.0).unwrap_err()).starts_with("ddim_steps must be"));
    assert!(message(w.step(20_000).unwrap_err()).starts_with("n must be"));
    assert!(message(w.snapshot_stats(0, 0.0).unwrap_err()).starts_with("sampling must be"));
    // nothing changed after the rejected calls
    assert_eq!(w.iteration(), 0.0);
    assert_eq!(w.sampler(), "ddim");
}
