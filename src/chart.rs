//! Axes and line charts with plotters, generic over the drawing backend.
//!
//! The bindings draw on a canvas (`plotters-canvas`); native tests draw the same charts into
//! plotters' SVG backend. Sizes are given in CSS pixels and multiplied by the device-pixel ratio,
//! so text and lines stay sharp and equally large on HiDPI screens.

use plotters::coord::Shift;
use plotters::prelude::*;

/// Colours of a chart.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChartTheme {
    /// Text and axis colour.
    pub fg: RGBColor,
    /// Background fill.
    pub bg: RGBColor,
    /// First series colour.
    pub series: RGBColor,
    /// Reference line colour.
    pub reference: RGBColor,
}

impl ChartTheme {
    /// Light or dark theme.
    pub fn for_theme(dark: bool) -> Self {
        if dark {
            ChartTheme {
                fg: RGBColor(226, 232, 240),
                bg: RGBColor(17, 24, 39),
                series: RGBColor(255, 196, 61),
                reference: RGBColor(148, 163, 184),
            }
        } else {
            ChartTheme {
                fg: RGBColor(30, 41, 59),
                bg: RGBColor(255, 255, 255),
                series: RGBColor(190, 60, 10),
                reference: RGBColor(71, 85, 105),
            }
        }
    }
}

/// Pixel layout of a chart: the plot rectangle inside a canvas of the given size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlotRect {
    /// Left edge (px).
    pub left: u32,
    /// Top edge (px).
    pub top: u32,
    /// Width (px).
    pub width: u32,
    /// Height (px).
    pub height: u32,
}

/// Margins (CSS px) around the plot area: small top/right, room for tick labels left/bottom.
const MARGIN: f64 = 8.0;
const LABEL_LEFT: f64 = 34.0;
const LABEL_BOTTOM: f64 = 24.0;

/// The plot rectangle of a `w` × `h` canvas at device-pixel ratio `dpr`.
pub fn plot_rect(w: u32, h: u32, dpr: f64) -> PlotRect {
    let m = (MARGIN * dpr).round() as u32;
    let l = (LABEL_LEFT * dpr).round() as u32;
    let b = (LABEL_BOTTOM * dpr).round() as u32;
    PlotRect {
        left: m + l,
        top: m,
        width: w.saturating_sub(2 * m + l).max(1),
        height: h.saturating_sub(2 * m + b).max(1),
    }
}

/// The plot rectangle of a `w` × `h` canvas and the data box `view` widened to that rectangle's
/// aspect ratio, so that x and y share one scale (circles stay round).
pub fn square_layout(w: u32, h: u32, dpr: f64, view: [f64; 4]) -> (PlotRect, [f64; 4]) {
    let r = plot_rect(w, h, dpr);
    let (vw, vh) = (view[1] - view[0], view[3] - view[2]);
    let aspect = r.width as f64 / r.height as f64;
    let (cx, cy) = (0.5 * (view[0] + view[1]), 0.5 * (view[2] + view[3]));
    let (vw, vh) = if vw / vh < aspect {
        (vh * aspect, vh)
    } else {
        (vw, vw / aspect)
    };
    (
        r,
        [cx - vw / 2.0, cx + vw / 2.0, cy - vh / 2.0, cy + vh / 2.0],
    )
}

/// The data point under canvas pixel (px, py) of a [`square_layout`].
pub fn pixel_to_data(rect: PlotRect, view: [f64; 4], px: f64, py: f64) -> [f64; 2] {
    [
        view[0] + (px - rect.left as f64) / rect.width as f64 * (view[1] - view[0]),
        view[3] - (py - rect.top as f64) / rect.height as f64 * (view[3] - view[2]),
    ]
}

fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("drawing failed: {e:?}")
}

/// Draws the frame, ticks and tick labels of a plot of the data box `view` = [x0, x1, y0, y1],
/// laid out as [`plot_rect`]. The plot area itself is left untouched (the raster is under it).
pub fn draw_axes<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    view: [f64; 4],
    dpr: f64,
    theme: &ChartTheme,
) -> Result<(), String> {
    let m = (MARGIN * dpr).round() as u32;
    let font = ("sans-serif", 12.0 * dpr).into_font().color(&theme.fg);
    let mut chart = ChartBuilder::on(root)
        .margin(m)
        .x_label_area_size((LABEL_BOTTOM * dpr).round() as u32)
        .y_label_area_size((LABEL_LEFT * dpr).round() as u32)
        .build_cartesian_2d(view[0]..view[1], view[2]..view[3])
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(5)
        .y_labels(5)
        .label_style(font)
        .axis_style(theme.fg.stroke_width(dpr.round().max(1.0) as u32))
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| format!("{v:.0}"))
        .draw()
        .map_err(err)?;
    Ok(())
}

/// A line chart of `series` (x, y) with an optional horizontal reference line, on a log-y
/// axis when `log_y` (values ≤ 0 are clipped to the axis floor).
#[allow(clippy::too_many_arguments)]
pub fn draw_line_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    series: &[(f64, f64)],
    reference: Option<f64>,
    x_desc: &str,
    y_desc: &str,
    dpr: f64,
    theme: &ChartTheme,
) -> Result<(), String> {
    root.fill(&theme.bg).map_err(err)?;
    let x_max = series.last().map(|p| p.0).unwrap_or(1.0).max(1.0);
    let mut lo = series.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let mut hi = series.iter().map(|p| p.1).fold(0.0, f64::max);
    if let Some(r) = reference {
        lo = lo.min(r);
        hi = hi.max(r);
    }
    let lo = if lo.is_finite() && lo > 0.0 {
        lo * 0.7
    } else {
        1e-4
    };
    let hi = if hi > lo { hi * 1.4 } else { lo * 10.0 };
    let font = ("sans-serif", 11.0 * dpr).into_font().color(&theme.fg);
    let mut chart = ChartBuilder::on(root)
        .margin((8.0 * dpr) as u32)
        .x_label_area_size((30.0 * dpr) as u32)
        .y_label_area_size((46.0 * dpr) as u32)
        .build_cartesian_2d(0.0..x_max, (lo..hi).log_scale())
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(4)
        .y_labels(4)
        .x_desc(x_desc)
        .y_desc(y_desc)
        .label_style(font.clone())
        .axis_desc_style(font)
        .axis_style(theme.fg.stroke_width(dpr.round().max(1.0) as u32))
        .y_label_formatter(&|v| format!("{v:.0e}"))
        .x_label_formatter(&|v| format!("{v:.0}"))
        .draw()
        .map_err(err)?;
    let w = (1.5 * dpr).round().max(1.0) as u32;
    if let Some(r) = reference {
        chart
            .draw_series(LineSeries::new(
                [(0.0, r), (x_max, r)],
                theme.reference.stroke_width(w),
            ))
            .map_err(err)?;
    }
    chart
        .draw_series(LineSeries::new(
            series.iter().map(|&(x, y)| (x, y.max(lo))),
            theme.series.stroke_width(w),
        ))
        .map_err(err)?;
    Ok(())
}

/// The line chart of [`draw_line_chart`] as an SVG document (`width` × `height` CSS pixels).
#[allow(clippy::too_many_arguments)]
pub fn line_chart_svg(
    series: &[(f64, f64)],
    reference: Option<f64>,
    x_desc: &str,
    y_desc: &str,
    width: u32,
    height: u32,
    dark: bool,
) -> Result<String, String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        draw_line_chart(
            &root,
            series,
            reference,
            x_desc,
            y_desc,
            1.0,
            &ChartTheme::for_theme(dark),
        )?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_leave_the_plot_rect_where_plot_rect_says() {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (400, 300)).into_drawing_area();
            let m = (MARGIN * 2.0) as u32;
            let chart = ChartBuilder::on(&root)
                .margin(m)
                .x_label_area_size((LABEL_BOTTOM * 2.0) as u32)
                .y_label_area_size((LABEL_LEFT * 2.0) as u32)
                .build_cartesian_2d(0.0..1.0, 0.0..1.0)
                .unwrap();
            let (xr, yr) = chart.plotting_area().get_pixel_range();
            let r = plot_rect(400, 300, 2.0);
            assert_eq!(xr.start as u32, r.left);
            assert_eq!(yr.start as u32, r.top);
            assert_eq!((xr.end - xr.start) as u32, r.width);
            assert_eq!((yr.end - yr.start) as u32, r.height);
            draw_axes(
                &root,
                [-1.0, 1.0, -1.0, 1.0],
                2.0,
                &ChartTheme::for_theme(false),
            )
            .unwrap();
        }
        assert!(svg.contains("<line") || svg.contains("<polyline"));
    }

    #[test]
    fn svg_export_is_a_complete_document() {
        let s: Vec<(f64, f64)> = (0..10).map(|i| (i as f64, 2.0f64.powi(-i))).collect();
        let svg = line_chart_svg(&s, Some(0.01), "step", "KL", 600, 240, false).unwrap();
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains("width=\"600\""));
    }

    #[test]
    fn line_chart_draws_series_and_reference() {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (300, 160)).into_drawing_area();
            let s: Vec<(f64, f64)> = (0..50)
                .map(|i| (i as f64, 1.0 / (1.0 + i as f64)))
                .collect();
            draw_line_chart(
                &root,
                &s,
                Some(0.01),
                "step",
                "KL",
                1.0,
                &ChartTheme::for_theme(true),
            )
            .unwrap();
        }
        assert!(svg.matches("<polyline").count() >= 2, "{svg}");
    }
}
