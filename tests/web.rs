//! Browser tests of the bindings and canvas drawing: `wasm-pack test --headless --chrome`.
#![cfg(target_arch = "wasm32")]

use scorebook::rng::{GOLDEN_COUNTER, GOLDEN_SIM_RNG_42, GOLDEN_STREAM_42_1, GOLDEN_TRIPLE32_1};
use scorebook::web::{rng_golden, simd_enabled, LangevinWidget, MixtureTarget};
use wasm_bindgen::{JsCast, JsError, JsValue};
use wasm_bindgen_test::*;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

wasm_bindgen_test_configure!(run_in_browser);

fn message(e: JsError) -> String {
    let v: JsValue = e.into();
    v.dyn_into::<js_sys::Error>()
        .expect("a JS Error")
        .message()
        .into()
}

#[wasm_bindgen_test]
fn simd_is_compiled_in() {
    // fails if RUSTFLAGS silently replaced the +simd128 of .cargo/config.toml
    assert!(simd_enabled());
}

#[wasm_bindgen_test]
fn generators_give_the_native_golden_values_in_the_browser() {
    let mut want = GOLDEN_SIM_RNG_42.to_vec();
    want.extend([GOLDEN_STREAM_42_1, GOLDEN_TRIPLE32_1, GOLDEN_COUNTER]);
    assert_eq!(rng_golden(), want);
}

#[wasm_bindgen_test]
fn simd_and_scalar_kernels_give_bit_identical_particles() {
    // correlated, unequal components exercise every term; 1003 particles exercise the tail
    let custom = MixtureTarget::new(
        &[0.7, 0.2, 0.1],
        &[-2.0, 0.5, 1.5, -1.0, 3.0, 3.0],
        &[0.6, 0.25, 0.4, 0.2, -0.05, 0.3, 1.5, 0.0, 0.1],
    )
    .unwrap();
    for target in [MixtureTarget::preset("ring8").unwrap(), custom] {
        let mut a = LangevinWidget::new(&target, 1003.0, 0.05, 9).unwrap();
        let mut b = LangevinWidget::new(&target, 1003.0, 0.05, 9).unwrap();
        a.set_simd(true);
        b.set_simd(false);
        assert_eq!(a.kernel(), "simd128");
        assert_eq!(b.kernel(), "scalar");
        a.step(60).unwrap();
        b.step(60).unwrap();
        assert_eq!(a.checksum(), b.checksum());
        // and the run moved the particles (the checksum is not of an untouched cloud)
        let c = LangevinWidget::new(&target, 1003.0, 0.05, 9).unwrap();
        assert_ne!(a.checksum(), c.checksum());
    }
}

#[wasm_bindgen_test]
fn particles_are_readable_through_a_view_over_wasm_memory() {
    let t = MixtureTarget::preset("ring8").unwrap();
    let mut w = LangevinWidget::new(&t, 5000.0, 0.05, 1).unwrap();
    w.step(10).unwrap();
    let mem: js_sys::WebAssembly::Memory = wasm_bindgen::memory().dyn_into().unwrap();
    let xs = js_sys::Float32Array::new_with_byte_offset_and_length(
        &mem.buffer(),
        w.xs_ptr() as u32,
        w.len() as u32,
    );
    let ys = js_sys::Float32Array::new_with_byte_offset_and_length(
        &mem.buffer(),
        w.ys_ptr() as u32,
        w.len() as u32,
    );
    let (mut sx, mut sy) = (0.0, 0.0);
    for i in 0..w.len() as u32 {
        sx += xs.get_index(i) as f64;
        sy += ys.get_index(i) as f64;
    }
    let m = w.moments();
    // same f32 values summed in f64 in the same order: equal up to f64 rounding
    assert!((sx / 5000.0 - m[0]).abs() < 1e-12 && (sy / 5000.0 - m[1]).abs() < 1e-12);
}

fn canvas(w: u32, h: u32) -> HtmlCanvasElement {
    let doc = web_sys::window().unwrap().document().unwrap();
    let c: HtmlCanvasElement = doc.create_element("canvas").unwrap().dyn_into().unwrap();
    c.set_width(w);
    c.set_height(h);
    doc.body().unwrap().append_child(&c).unwrap();
    c
}

fn pixels(c: &HtmlCanvasElement) -> Vec<u8> {
    let ctx: CanvasRenderingContext2d = c.get_context("2d").unwrap().unwrap().dyn_into().unwrap();
    ctx.get_image_data(0.0, 0.0, c.width() as f64, c.height() as f64)
        .unwrap()
        .data()
        .0
}

#[wasm_bindgen_test]
fn draw_paints_density_particles_and_axes() {
    let t = MixtureTarget::preset("ring8").unwrap();
    let mut w = LangevinWidget::new(&t, 3000.0, 0.05, 2).unwrap();
    w.step(200).unwrap();
    let c = canvas(400, 400);
    w.draw(&c, 1.0, false).unwrap();
    let px = pixels(&c);
    let n = px.len() / 4;
    let (mut white, mut orange, mut blue, mut dark) = (0, 0, 0, 0);
    for k in 0..n {
        let (r, g, b) = (px[4 * k] as i32, px[4 * k + 1] as i32, px[4 * k + 2] as i32);
        if r > 250 && g > 250 && b > 250 {
            white += 1;
        } else if r > 150 && b < 110 && r - b > 80 {
            orange += 1; // particle colour (190, 60, 10) blended over the heatmap
        } else if b > r + 40 {
            blue += 1; // density heatmap
        } else if (r - b).abs() < 45 && (r - g).abs() < 30 && r < 200 {
            dark += 1; // axis lines and tick labels: dark grey, antialiased to lighter greys
        }
    }
    let counts = format!("white {white} orange {orange} blue {blue} dark {dark} of {n}");
    assert!(white > n / 4, "background: {counts}");
    assert!(orange > 2000, "particle pixels: {counts}");
    assert!(blue > 2000, "density pixels: {counts}");
    assert!(dark > 200, "axis pixels: {counts}");
    // the dark theme paints a dark background instead
    w.draw(&c, 1.0, true).unwrap();
    let px = pixels(&c);
    assert!(px[0] < 40 && px[1] < 40 && px[2] < 60);
}

#[wasm_bindgen_test]
fn divergence_is_an_error_with_a_message_not_nan() {
    let t = MixtureTarget::preset("gaussian").unwrap();
    let mut w = LangevinWidget::new(&t, 1000.0, 4.5, 3).unwrap();
    let mut err = None;
    for _ in 0..100 {
        if let Err(e) = w.step(10) {
            err = Some(message(e));
            break;
        }
    }
    let msg = err.expect("divergence detected");
    assert!(
        msg.contains("diverged") && msg.contains("reduce the step size"),
        "{msg}"
    );
    assert_eq!(w.divergence(), Some(msg));
    let m = w.moments();
    assert!(
        m.iter().all(|v| v.is_finite()),
        "particles at detection are finite: {m:?}"
    );
    w.reset(3).unwrap();
    w.set_step_size(0.1).unwrap();
    w.step(10).unwrap();
}

#[wasm_bindgen_test]
fn bad_inputs_throw_errors_naming_the_parameter_and_range() {
    let t = MixtureTarget::preset("ring8").unwrap();
    let step = |eps: f64| message(LangevinWidget::new(&t, 100.0, eps, 1).err().unwrap());
    for eps in [0.0, -0.1, f64::NAN, 1e9] {
        assert!(
            step(eps).starts_with("step_size must be a finite number in (0, 10]"),
            "{}",
            step(eps)
        );
    }
    for n in [0.0, -3.0, 2.5, 5e6, f64::NAN] {
        let m = message(LangevinWidget::new(&t, n, 0.1, 1).err().unwrap());
        assert!(
            m.starts_with("particles must be an integer in [1, 1000000]"),
            "{m}"
        );
    }
    let mut w = LangevinWidget::new(&t, 100.0, 0.1, 1).unwrap();
    assert!(message(w.set_step_size(-1.0).unwrap_err()).starts_with("step_size must be"));
    assert!(message(w.set_particles(0.0).unwrap_err()).starts_with("particles must be"));
    assert!(
        message(w.step(1_000_000).unwrap_err()).starts_with("k must be an integer in [0, 100000]")
    );
    let bad_mix =
        |w: &[f64], m: &[f64], c: &[f64]| message(MixtureTarget::new(w, m, c).err().unwrap());
    assert!(bad_mix(&[], &[], &[]).starts_with("components must be a list of 1 to 64 Gaussians"));
    assert!(bad_mix(&[1.0], &[0.0, 0.0], &[-1.0, 0.0, 1.0])
        .starts_with("variance (xx) must be a finite number in (0, 1e8]"));
    assert!(bad_mix(&[1.0], &[0.0, 0.0], &[1.0, 2.0, 1.0]).contains("positive definite"));
    assert!(bad_mix(&[0.0], &[0.0, 0.0], &[1.0, 0.0, 1.0])
        .starts_with("weights must be finite numbers > 0"));
    assert!(bad_mix(&[1.0], &[f64::NAN, 0.0], &[1.0, 0.0, 1.0])
        .starts_with("mean must be a pair of finite numbers"));
    assert!(message(MixtureTarget::preset("moons").err().unwrap())
        .starts_with("target must be one of ring8, gaussian, two-modes"));
    // the widget still works after all of that
    w.step(5).unwrap();
}
