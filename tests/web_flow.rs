//! Browser tests of the flow-matching bindings (`FlowPathsWidget`, `FlowTrainWidget`): the
//! simd128 and scalar kernels give bit-identical trained weights (both couplings), the exact
//! flows run to τ = 1 with consistent diagnostics, the pictures are drawn, errors reach JS with
//! precise messages, and divergence is reported.
#![cfg(target_arch = "wasm32")]

use scorebook::web::{FlowPathsWidget, FlowTrainWidget};
mod common;

use common::{canvas, message, non_blank as ink};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn simd128_and_scalar_kernels_train_bit_identical_flows() {
    for (hidden, batch, coupling) in [
        ("64,64", 256.0, "independent"),
        ("13,7", 37.0, "minibatch-ot"),
    ] {
        let mut a = FlowTrainWidget::new("two-modes", hidden, 2e-3, batch, coupling, 5).unwrap();
        let mut b = FlowTrainWidget::new("two-modes", hidden, 2e-3, batch, coupling, 5).unwrap();
        b.set_simd(false);
        assert_eq!(
            (a.kernel().as_str(), b.kernel().as_str()),
            ("simd128", "scalar")
        );
        a.step(20).unwrap();
        b.step(20).unwrap();
        for (i, (x, y)) in a.params().iter().zip(&b.params()).enumerate() {
            assert_eq!(
                x.to_bits(),
                y.to_bits(),
                "{hidden} {coupling}: parameter {i}: {x} vs {y}"
            );
        }
        assert_eq!(a.loss().to_bits(), b.loss().to_bits());
        // the learned ODE's samples agree too
        a.sample("heun", 6.0).unwrap();
        b.sample("heun", 6.0).unwrap();
        assert_eq!(a.sample_kl()[0].to_bits(), b.sample_kl()[0].to_bits());
    }
}

#[wasm_bindgen_test]
fn simd128_and_scalar_field_kernels_give_bit_identical_clouds() {
    // 1001 particles: 250 four-lane groups and a tail of one; 8 components, and 1 (shifted Gaussian)
    for target in ["ring8", "two-modes", "shifted-gaussian"] {
        for method in ["euler", "heun"] {
            let mut a = FlowPathsWidget::new(target, method, 12.0, 1001.0, 3).unwrap();
            let mut b = FlowPathsWidget::new(target, method, 12.0, 1001.0, 3).unwrap();
            b.set_simd(false);
            assert_eq!(
                (a.kernel().as_str(), b.kernel().as_str()),
                ("simd128", "scalar")
            );
            a.step(12).unwrap();
            b.step(12).unwrap();
            for k in 0..2 {
                let (pa, pb) = (a.positions(k), b.positions(k));
                for (i, (x, y)) in pa.iter().zip(&pb).enumerate() {
                    assert_eq!(
                        x.to_bits(),
                        y.to_bits(),
                        "{target} {method} flow {k}: coordinate {i}: {x} vs {y}"
                    );
                }
            }
            b.reset(3).unwrap();
            assert_eq!(b.kernel(), "scalar", "reset keeps the kernel");
        }
    }
}

/// FNV-1a over the f32 bits of (x, y) pairs, as `Particles::checksum`.
fn checksum(pos: &[f32]) -> u64 {
    let n = pos.len() / 2;
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for i in 0..n {
        for w in [pos[i].to_bits(), pos[n + i].to_bits()] {
            for b in w.to_le_bytes() {
                h ^= b as u64;
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        }
    }
    h
}

/// The same bits as the native run (`tests/flow.rs`, `golden_checksums_of_the_exact_flows`), on
/// both kernel paths.
#[wasm_bindgen_test]
fn exact_flows_match_the_native_golden_checksums() {
    for simd in [true, false] {
        let mut got = vec![];
        for target in ["ring8", "two-modes"] {
            let mut w = FlowPathsWidget::new(target, "heun", 12.0, 1001.0, 3).unwrap();
            w.set_simd(simd);
            w.step(12).unwrap();
            got.push(format!(
                "{:016x}:{:016x}",
                checksum(&w.positions(0)),
                checksum(&w.positions(1))
            ));
        }
        assert_eq!(
            got.join(";"),
            "313937adfbf1ca7f:c86d3452ffc853b1;8f507b07c6cdbc2f:a66336a10e224a10",
            "simd = {simd}"
        );
    }
}

#[wasm_bindgen_test]
fn training_lowers_the_error_and_the_pictures_are_drawn() {
    let mut w = FlowTrainWidget::new("two-modes", "64,64", 2e-3, 256.0, "independent", 1).unwrap();
    let e0 = w.relative_error();
    w.step(500).unwrap();
    let e1 = w.relative_error();
    // the fixed 2000-point estimate has a relative SE of a few per cent; 500 steps cut it by far more
    assert!(e0 > 0.5 && e1 < 0.3 * e0, "{e0} → {e1}");
    assert_eq!(w.history().len(), 2 * 6, "rows at steps 0, 100, …, 500");
    // the loss settles near the constant E‖x₁ − x₀‖² − E‖u‖², not at 0
    assert!(
        w.loss() > 0.5 * w.loss_floor(),
        "{} vs {}",
        w.loss(),
        w.loss_floor()
    );
    w.sample("midpoint", 8.0).unwrap();
    let kl = w.sample_kl();
    assert!(
        kl.iter().all(|v| v.is_finite() && *v >= 0.0) && kl[1] < kl[0] + 1.0,
        "{kl:?}"
    );
    let (f, e, s, c) = (
        canvas(320, 320),
        canvas(320, 320),
        canvas(320, 320),
        canvas(400, 300),
    );
    w.draw_field(&f, true, 0.5, 1.0, false).unwrap();
    assert!(ink(&f) > 0.05);
    w.draw_field(&f, false, 0.0, 2.0, true).unwrap();
    assert!(ink(&f) > 0.05);
    w.draw_error(&e, 1.0, 1.0, false).unwrap();
    assert!(ink(&e) > 0.2);
    w.draw_samples(&s, 1.0, false).unwrap();
    assert!(ink(&s) > 0.02);
    w.draw_history(&c, 1.0, true).unwrap();
    assert!(ink(&c) > 0.01);
    let v = w.learned_velocity(&[0.0], &[0.0], 0.5).unwrap();
    assert!(v.len() == 2 && v.iter().all(|x| x.is_finite()));
}

#[wasm_bindgen_test]
fn the_exact_flows_reach_the_data_with_consistent_diagnostics() {
    let mut w = FlowPathsWidget::new("shifted-gaussian", "heun", 40.0, 3000.0, 2).unwrap();
    w.step(100).unwrap();
    assert!(w.finished() && w.tau() == 1.0 && w.completed() == 40.0);
    let r = w.references();
    let (w2, kfm) = (r[0], r[4]);
    let fm = w.diagnostics(0);
    let pf = w.diagnostics(1);
    assert_eq!(fm[4], 80.0, "NFE = 2 N for Heun");
    // K̂ ≥ cost; the FM map is the OT map (cost ≈ W₂² within the sampling error of 3000 points,
    // relative SE ≈ 3 %), K̂ ≈ exact K (same), both flows' K̂ ≥ W₂² up to that error
    for d in [&fm, &pf] {
        assert!(d[0] >= d[1] && d[2] >= 0.0 && d[3] >= 1.0, "{d:?}");
    }
    assert!(
        (fm[1] / w2 - 1.0).abs() < 0.1 && (fm[0] / kfm - 1.0).abs() < 0.1,
        "{fm:?} {r:?}"
    );
    assert!(pf[0] > 0.9 * w2);
    // the clouds' moments match the exact marginal (the data, at τ = 1)
    for k in 0..2 {
        let m = w.moments(k).unwrap();
        assert!(
            (m[0] - m[5]).abs() < 0.15 && (m[2] / m[7] - 1.0).abs() < 0.15,
            "{m:?}"
        );
    }
    while w.sweep_step().unwrap() {}
    assert_eq!(w.sweep_progress(), 1.0);
    let kl = w.sweep_kl();
    assert_eq!(kl.len(), 24);
    assert!(
        kl[21 + 1] < w.sweep_floor() + 0.03 && kl[1] > kl[22],
        "{kl:?}"
    );
    let (a, b, c, d) = (
        canvas(300, 300),
        canvas(300, 300),
        canvas(300, 300),
        canvas(400, 300),
    );
    w.draw_flow(&a, 0, 1.0, false).unwrap();
    w.draw_flow(&b, 1, 2.0, true).unwrap();
    w.draw_coupling(&c, true, 1.0, false).unwrap();
    w.draw_quality(&d, 1.0, false).unwrap();
    for x in [&a, &b, &c, &d] {
        assert!(ink(x) > 0.01);
    }
    assert!(w
        .quality_svg(640, 320, false)
        .unwrap()
        .contains("flow matching"));
    assert!(r[6] <= r[5], "OT pairs cost no more than independent ones");
}

#[wasm_bindgen_test]
fn bad_input_reaches_js_as_an_error_naming_the_parameter() {
    let paths = |t: &str, m: &str, s: f64, p: f64| {
        message(FlowPathsWidget::new(t, m, s, p, 1).err().expect("an error"))
    };
    assert_eq!(
        paths("ring8", "euler", 0.0, 100.0),
        "steps must be an integer in [1, 10000]; got 0"
    );
    assert_eq!(
        paths("ring8", "rk4", 4.0, 100.0),
        "method must be one of euler, midpoint, heun; got \"rk4\""
    );
    assert!(paths("moons", "euler", 4.0, 100.0)
        .starts_with("target must be one of ring8, two-modes, shifted-gaussian, gaussian"));
    assert_eq!(
        paths("ring8", "euler", 4.0, 0.0),
        "particles must be an integer in [1, 1000000]; got 0"
    );
    assert_eq!(
        paths("ring8", "euler", 4.0, 50000.0),
        "particles must be an integer in [1, 20000]; got 50000"
    );
    let mut w = FlowPathsWidget::new("ring8", "euler", 4.0, 100.0, 1).unwrap();
    assert!(message(w.set_steps(2.5).unwrap_err()).starts_with("steps must be"));
    assert!(message(w.set_method("").unwrap_err()).starts_with("method must be"));
    assert_eq!(w.steps(), 4.0, "rejected values change nothing");
    assert_eq!(
        message(w.step(20_000).unwrap_err()),
        "n must be an integer in [0, 10000]; got 20000"
    );
    let train = |c: &str, b: f64, lr: f64, h: &str| {
        message(
            FlowTrainWidget::new("ring8", h, lr, b, c, 1)
                .err()
                .expect("an error"),
        )
    };
    assert_eq!(
        train("ot", 64.0, 1e-3, "8"),
        "coupling must be independent or minibatch-ot; got \"ot\""
    );
    assert_eq!(
        train("minibatch-ot", 1024.0, 1e-3, "8"),
        "batch_size must be an integer in [1, 512] with the minibatch-ot coupling; got 1024"
    );
    assert_eq!(
        train("independent", 64.0, 0.0, "8"),
        "learning_rate must be a finite number in (0, 1]; got 0"
    );
    assert!(train("independent", 64.0, 1e-3, "8,x").starts_with("hidden must be"));
    let mut t = FlowTrainWidget::new("ring8", "8", 1e-3, 1000.0, "independent", 1).unwrap();
    assert!(message(t.set_coupling("minibatch-ot").unwrap_err())
        .starts_with("batch_size must be an integer in [1, 512]"));
    assert_eq!(t.coupling(), "independent");
    let c = canvas(100, 100);
    assert_eq!(
        message(t.draw_field(&c, true, -0.1, 1.0, false).unwrap_err()),
        "tau must be a finite number in [0, 1] (0 = noise, 1 = data); got -0.1"
    );
    assert!(message(t.sample("heun", 0.0).unwrap_err()).starts_with("steps must be"));
    assert_eq!(
        message(t.sample("heun", 500.0).unwrap_err()),
        "steps must be an integer in [1, 200]; got 500"
    );
    assert!(
        message(t.learned_velocity(&[0.0], &[0.0], 2.0).unwrap_err()).starts_with("tau must be")
    );
}

#[wasm_bindgen_test]
fn divergence_is_reported_and_keeps_the_last_good_weights() {
    let mut w = FlowTrainWidget::new("two-modes", "8", 1e-3, 64.0, "independent", 3).unwrap();
    let mut bytes = w.export_weights();
    for k in (28..bytes.len()).step_by(4) {
        bytes[k..k + 4].copy_from_slice(&1e30f32.to_le_bytes());
    }
    w.import_weights(&bytes).unwrap();
    let before = w.params();
    let e = message(w.step(2).unwrap_err());
    assert!(e.starts_with("training diverged at step 1"), "{e}");
    assert_eq!(w.diverged(), e);
    assert_eq!(w.params(), before);
    // the exploding network also sends the samples away: reported, not drawn as NaN
    let s = message(w.sample("euler", 4.0).unwrap_err());
    assert!(
        s.starts_with("the learned flow diverged while sampling"),
        "{s}"
    );
    w.reset(3);
    assert_eq!(w.diverged(), "");
    w.step(2).unwrap();
}
