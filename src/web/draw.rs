//! Canvas drawing: an RGBA raster blitted with `ImageData`, axes and charts by plotters-canvas.

use super::convert::js_err;
use crate::chart::{draw_axes, draw_line_chart, square_layout, ChartTheme, PlotRect};
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::{Clamped, JsCast, JsError};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

/// The 2-D context of a canvas.
pub fn context(canvas: &HtmlCanvasElement) -> Result<CanvasRenderingContext2d, JsError> {
    canvas
        .get_context("2d")
        .map_err(|e| js_err("getContext('2d') failed", e))?
        .ok_or_else(|| JsError::new("the canvas has no 2-D context"))?
        .dyn_into::<CanvasRenderingContext2d>()
        .map_err(|_| JsError::new("getContext('2d') returned something else"))
}

/// The plot rectangle of a canvas at `dpr` and the data box widened to its aspect ratio.
pub fn layout(canvas: &HtmlCanvasElement, view: [f64; 4], dpr: f64) -> (PlotRect, [f64; 4]) {
    square_layout(canvas.width(), canvas.height(), dpr, view)
}

/// Clears the canvas, blits `rgba` into `rect` and draws the axes of `view` around it.
pub fn blit_with_axes(
    canvas: &HtmlCanvasElement,
    rgba: &[u8],
    rect: PlotRect,
    view: [f64; 4],
    dpr: f64,
    dark: bool,
) -> Result<(), JsError> {
    let ctx = context(canvas)?;
    let theme = ChartTheme::for_theme(dark);
    let RGBColor(r, g, b) = theme.bg;
    ctx.set_fill_style_str(&format!("rgb({r},{g},{b})"));
    ctx.fill_rect(0.0, 0.0, canvas.width() as f64, canvas.height() as f64);
    let img = ImageData::new_with_u8_clamped_array_and_sh(Clamped(rgba), rect.width, rect.height)
        .map_err(|e| js_err("ImageData failed", e))?;
    ctx.put_image_data(&img, rect.left as f64, rect.top as f64)
        .map_err(|e| js_err("putImageData failed", e))?;
    let root = CanvasBackend::with_canvas_object(canvas.clone())
        .ok_or_else(|| JsError::new("plotters could not use the canvas"))?
        .into_drawing_area();
    draw_axes(&root, view, dpr, &theme).map_err(|e| JsError::new(&e))?;
    root.present()
        .map_err(|e| JsError::new(&format!("{e:?}")))?;
    Ok(())
}

/// A line chart of a readout history on its own canvas.
pub fn history_chart(
    canvas: &HtmlCanvasElement,
    series: &[(f64, f64)],
    reference: Option<f64>,
    x_desc: &str,
    y_desc: &str,
    dpr: f64,
    dark: bool,
) -> Result<(), JsError> {
    let root = CanvasBackend::with_canvas_object(canvas.clone())
        .ok_or_else(|| JsError::new("plotters could not use the canvas"))?
        .into_drawing_area();
    draw_line_chart(
        &root,
        series,
        reference,
        x_desc,
        y_desc,
        dpr,
        &ChartTheme::for_theme(dark),
    )
    .map_err(|e| JsError::new(&e))?;
    root.present()
        .map_err(|e| JsError::new(&format!("{e:?}")))?;
    Ok(())
}
