//! Core errors and DOM failures as JS `Error`s.

use wasm_bindgen::prelude::*;

/// A DOM/JS failure (a missing 2-D context, say) as a JS `Error` with context.
pub fn js_err(context: &str, e: JsValue) -> JsError {
    JsError::new(&format!(
        "{context}: {}",
        e.as_string().unwrap_or_else(|| js_sys::JSON::stringify(&e)
            .map(String::from)
            .unwrap_or_default())
    ))
}
