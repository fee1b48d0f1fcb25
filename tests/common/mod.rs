//! Helpers shared by the browser tests (`tests/web*.rs`): JS errors, canvases and their pixels.
#![allow(dead_code)]

use wasm_bindgen::{JsCast, JsError, JsValue};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

/// The message of a JS `Error` returned by a binding.
pub fn message(e: JsError) -> String {
    let v: JsValue = e.into();
    v.dyn_into::<js_sys::Error>()
        .expect("a JS Error")
        .message()
        .into()
}

/// A `w` × `h` canvas attached to the document.
pub fn canvas(w: u32, h: u32) -> HtmlCanvasElement {
    let doc = web_sys::window().unwrap().document().unwrap();
    let c: HtmlCanvasElement = doc.create_element("canvas").unwrap().dyn_into().unwrap();
    c.set_width(w);
    c.set_height(h);
    doc.body().unwrap().append_child(&c).unwrap();
    c
}

/// The canvas's RGBA pixels.
pub fn pixels(c: &HtmlCanvasElement) -> Vec<u8> {
    let ctx: CanvasRenderingContext2d = c.get_context("2d").unwrap().unwrap().dyn_into().unwrap();
    ctx.get_image_data(0.0, 0.0, c.width() as f64, c.height() as f64)
        .unwrap()
        .data()
        .0
}

/// Fraction of pixels that differ clearly (summed channel difference > 30) from the top-left one.
pub fn non_blank(c: &HtmlCanvasElement) -> f64 {
    let d = pixels(c);
    let diff = d
        .chunks(4)
        .filter(|p| {
            (0..3)
                .map(|i| (p[i] as i32 - d[i] as i32).abs())
                .sum::<i32>()
                > 30
        })
        .count();
    diff as f64 / (d.len() / 4) as f64
}

/// Number of distinct colours, quantised to 16 levels per channel.
pub fn colours(c: &HtmlCanvasElement) -> usize {
    let d = pixels(c);
    d.chunks(4)
        .map(|p| (p[0] / 16, p[1] / 16, p[2] / 16))
        .collect::<std::collections::HashSet<_>>()
        .len()
}
