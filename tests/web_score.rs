//! Browser tests of the score bindings (`ScoreFieldWidget`, `SmObjectivesWidget`,
//! `TweedieWidget`): their numbers, their canvases and their errors.
#![cfg(target_arch = "wasm32")]

use scorebook::web::{ScoreFieldWidget, SmObjectivesWidget, TweedieWidget};
mod common;

use common::{canvas, colours, message, non_blank as ink};
use wasm_bindgen::JsError;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn the_score_field_reads_the_exact_score_and_its_line_integral() {
    let mut w = ScoreFieldWidget::new("ring8", None, 0.0, 200.0, 1).unwrap();
    // 8 modes, 8 saddles, the minimum at the centre
    let cp = w.critical_points();
    let kinds: Vec<f64> = cp.chunks(3).map(|c| c[2]).collect();
    assert_eq!(
        (
            kinds.iter().filter(|k| **k == 0.0).count(),
            kinds.iter().filter(|k| **k == 1.0).count(),
            kinds.iter().filter(|k| **k == 2.0).count()
        ),
        (8, 8, 1)
    );
    w.set_probe(3.9, 2.0).unwrap();
    w.set_reference(-5.0, 0.3).unwrap();
    // 64 cells × 8 Gauss–Legendre nodes: ≈ 1e-14 on this segment (native test: 1e-8 bound)
    assert!((w.line_integral().unwrap() - w.log_density_difference()).abs() < 1e-8);
    let s = w.score();
    assert!(s.len() == 2 && s[0].is_finite());
    assert!(
        (w.score_norm() - s[0].hypot(s[1])).abs() < 1e-12
            && (w.density().ln() - w.log_density()).abs() < 1e-12
    );
    assert!(w.line_integral_error().unwrap() < 1e-8);
    // a larger σ merges everything into one mode (σ² + 0.25 > 8)
    w.set_sigma(2.9).unwrap();
    assert_eq!(w.critical_points().len(), 3);
    let e0 = w.tracer_energy();
    w.step(50.0).unwrap();
    assert!(w.tracer_energy() < e0, "the flow climbs");
    assert_eq!(w.steps(), 50.0);
    let c = canvas(420, 420);
    w.draw(&c, 1.0, false).unwrap();
    assert!(
        ink(&c) > 0.1 && colours(&c) > 20,
        "density, arrows, tracers"
    );
    w.draw(&c, 2.0, true).unwrap();
    assert!(ink(&c) > 0.1);
    // the circle: the normal score and its near-circle approximation
    w.set_target("circle", None).unwrap();
    w.set_sigma(0.05).unwrap();
    w.set_probe(3.1, 0.0).unwrap();
    let n = w.normal_score();
    assert!(
        (n[0] - n[1]).abs() < 0.05 * n[0].abs() && n[0] < -30.0,
        "{n:?}"
    );
    w.draw(&c, 1.0, false).unwrap();
    assert!(ink(&c) > 0.05);
    // dragged means
    w.set_target("two-modes", Some(vec![-1.0, 0.0, 1.0, 0.0]))
        .unwrap();
    assert_eq!(w.means(), vec![-1.0, 0.0, 1.0, 0.0]);
    assert_eq!(w.pixel_to_data(&c, 210.0, 210.0, 1.0).len(), 2);
}

#[wasm_bindgen_test]
fn the_objectives_differ_by_constants_and_dsm_lands_on_the_noisy_score() {
    let mut w = SmObjectivesWidget::new("gaussian", 0.5, 2000.0, 3).unwrap();
    // N(0, 1), σ = 0.5: DSM's minimiser −x/1.25, ISM's −x
    let d = w.exact_argmin(2).unwrap();
    assert!((d[0] + 0.8).abs() < 1e-12 && d[1].abs() < 1e-12);
    let i = w.exact_argmin(1).unwrap();
    assert!((i[0] + 1.0).abs() < 1e-9);
    for (a, b) in [(-0.3, 0.4), (1.0, -1.0)] {
        w.set_theta(a, b).unwrap();
        let gap = w.exact_value(0).unwrap() - w.exact_value(1).unwrap();
        assert!((gap - w.esm_minus_ism()).abs() < 1e-9);
        assert!(
            (w.exact_value(2).unwrap() - w.esm_noised() - w.dsm_minus_esm_noised()).abs() < 1e-9
        );
        // each Monte Carlo estimate within 5 SE of its exact value
        for k in 0..4 {
            let e = w.estimate(k).unwrap();
            assert!(
                (e[0] - w.exact_value(k).unwrap()).abs() < 5.0 * e[1],
                "objective {k}: {e:?}"
            );
        }
    }
    let v = w.sliced_variances();
    assert!(v[0] > v[1]);
    // the 2 × 2 trace estimator: unbiased (5 SE) with the exact variances 8.59 and 0.09
    let te = w.trace_estimator();
    assert!((te[3] - 8.59).abs() < 1e-12 && (te[7] - 0.09).abs() < 1e-12);
    assert!(
        (te[0] + 2.5).abs() < 5.0 * te[1] && (te[4] + 2.5).abs() < 5.0 * te[5].max(1e-12),
        "{te:?}"
    );
    w.step(200.0).unwrap();
    let t = w.descent_theta(2).unwrap();
    let e = w.empirical_argmin(2).unwrap();
    assert!(
        (t[0] - e[0]).abs() < 1e-6 && (t[1] - e[1]).abs() < 1e-6,
        "{t:?} {e:?}"
    );
    let c = canvas(400, 400);
    w.draw(&c, 1.0, false).unwrap();
    assert!(ink(&c) > 0.02, "level lines");
    let h = canvas(500, 200);
    w.draw_scores(&h, 2.0, true).unwrap();
    assert!(ink(&h) > 0.01);
    w.set_data("two-modes", 4).unwrap();
    w.set_samples(50.0, 4).unwrap();
    assert_eq!(w.samples(), 50.0);
    assert_eq!(w.pixel_to_theta(&c, 200.0, 200.0, 1.0).len(), 2);
}

#[wasm_bindgen_test]
fn tweedie_and_the_posterior_mean_agree_and_reach_the_mmse() {
    let mut w = TweedieWidget::new("two-modes", 0.8, 2000.0, 5).unwrap();
    assert!(w.max_route_difference() < 1e-9);
    w.step(40.0).unwrap();
    assert_eq!(w.samples(), 10_000.0);
    let (m, n) = (w.mse_tweedie(), w.mse_noisy());
    assert!(
        (m[0] - w.mmse()).abs() < 5.0 * m[1],
        "{m:?} vs {}",
        w.mmse()
    );
    assert!((n[0] - w.noisy_exact()).abs() < 5.0 * n[1] && (w.noisy_exact() - 1.28).abs() < 1e-12);
    let p = w.point(0);
    assert_eq!(p.len(), 8);
    assert!((p[4] - p[6]).abs() < 1e-9 && (p[5] - p[7]).abs() < 1e-9);
    w.set_sigma(0.3).unwrap();
    assert!(w.mmse() < 2.0 * 0.09);
    let c = canvas(400, 400);
    w.draw(&c, 1.0, false).unwrap();
    assert!(ink(&c) > 0.05 && colours(&c) > 10);
    w.set_layers(0);
    w.draw(&c, 1.0, true).unwrap();
    w.set_target("ring8", 2).unwrap();
    w.reset(3).unwrap();
    assert_eq!(w.samples(), 2000.0);
}

#[wasm_bindgen_test]
fn bad_inputs_throw_errors_naming_the_parameter() {
    let f = |r: Result<ScoreFieldWidget, JsError>| message(r.err().expect("rejected"));
    assert!(f(ScoreFieldWidget::new("nope", None, 0.0, 10.0, 1))
        .starts_with("target must be one of ring8, gaussian, two-modes, circle"));
    assert!(f(ScoreFieldWidget::new("ring8", None, -1.0, 10.0, 1))
        .starts_with("sigma must be a finite number in [0, 3]"));
    assert!(f(ScoreFieldWidget::new("circle", None, 0.0, 10.0, 1))
        .starts_with("sigma must be a finite number in [0.02, 3]"));
    assert!(f(ScoreFieldWidget::new("ring8", None, 0.5, 1e6, 1)).starts_with("tracers must be"));
    assert!(f(ScoreFieldWidget::new(
        "two-modes",
        Some(vec![1.0]),
        0.5,
        10.0,
        1
    ))
    .starts_with("means must be"));
    let mut w = ScoreFieldWidget::new("ring8", None, 0.5, 10.0, 1).unwrap();
    assert!(message(w.set_probe(f64::NAN, 0.0).unwrap_err()).starts_with("probe x must be"));
    assert!(message(w.step(0.0).unwrap_err()).starts_with("steps must be"));
    let s = |r: Result<SmObjectivesWidget, JsError>| message(r.err().expect("rejected"));
    assert!(s(SmObjectivesWidget::new("nope", 0.5, 100.0, 1))
        .starts_with("data must be one of two-modes, gaussian, skewed"));
    assert!(s(SmObjectivesWidget::new("gaussian", 0.0, 100.0, 1))
        .starts_with("sigma must be a finite number in [0.05, 3]"));
    assert!(s(SmObjectivesWidget::new("gaussian", 0.5, 5.0, 1)).starts_with("samples must be"));
    let o = SmObjectivesWidget::new("gaussian", 0.5, 100.0, 1).unwrap();
    assert!(message(o.exact_value(7).unwrap_err()).starts_with("objective must be 0 (ESM)"));
    let t = |r: Result<TweedieWidget, JsError>| message(r.err().expect("rejected"));
    assert!(t(TweedieWidget::new("ring8", 0.0, 100.0, 1))
        .starts_with("sigma must be a finite number in [0.01, 10]"));
    assert!(t(TweedieWidget::new("ring8", 0.5, 1.0, 1)).starts_with("samples must be"));
    assert!(t(TweedieWidget::new("nope", 0.5, 100.0, 1)).starts_with("target must be"));
}
