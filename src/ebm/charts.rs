//! Line charts of the EBM widgets with a linear y axis (log-likelihoods are negative, so the
//! log-scale chart of [`crate::chart`] does not fit): the exact log-likelihood against iteration
//! with the −H(p_data) ceiling, and log₁₀(grid evaluations) against dimension.

use crate::chart::ChartTheme;
use plotters::coord::Shift;
use plotters::prelude::*;

fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("drawing failed: {e:?}")
}

/// A line chart of `series` with an optional horizontal reference line, linear axes. The y range
/// covers the series and the reference with 8 % padding; x starts at `x_min`.
#[allow(clippy::too_many_arguments)]
pub fn draw_linear_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    series: &[(f64, f64)],
    reference: Option<f64>,
    x_min: f64,
    x_desc: &str,
    y_desc: &str,
    dpr: f64,
    theme: &ChartTheme,
) -> Result<(), String> {
    root.fill(&theme.bg).map_err(err)?;
    let finite: Vec<(f64, f64)> = series.iter().copied().filter(|p| p.0.is_finite() && p.1.is_finite()).collect();
    let x_max = finite.iter().map(|p| p.0).fold(x_min + 1.0, f64::max);
    let mut lo = finite.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let mut hi = finite.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    if let Some(r) = reference.filter(|r| r.is_finite()) {
        lo = lo.min(r);
        hi = hi.max(r);
    }
    if !(lo.is_finite() && hi.is_finite()) {
        lo = 0.0;
        hi = 1.0;
    }
    if hi - lo < 1e-9 {
        hi += 0.5;
        lo -= 0.5;
    }
    let pad = 0.08 * (hi - lo);
    let (lo, hi) = (lo - pad, hi + pad);
    let font = ("sans-serif", 11.0 * dpr).into_font().color(&theme.fg);
    let mut chart = ChartBuilder::on(root)
        .margin((8.0 * dpr) as u32)
        .x_label_area_size((30.0 * dpr) as u32)
        .y_label_area_size((46.0 * dpr) as u32)
        // 4 % of room on the right, so that the last tick label is not cut by the edge
        .build_cartesian_2d(x_min..x_max + 0.04 * (x_max - x_min), lo..hi)
        .map_err(err)?;
    let span = hi - lo;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(5)
        .y_labels(5)
        .x_desc(x_desc)
        .y_desc(y_desc)
        .label_style(font.clone())
        .axis_desc_style(font)
        .axis_style(theme.fg.stroke_width(dpr.round().max(1.0) as u32))
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&move |v| {
            if span >= 20.0 {
                format!("{v:.0}")
            } else if span >= 2.0 {
                format!("{v:.1}")
            } else {
                format!("{v:.2}")
            }
        })
        .draw()
        .map_err(err)?;
    let w = (1.5 * dpr).round().max(1.0) as u32;
    if let Some(r) = reference.filter(|r| r.is_finite()) {
        chart
            .draw_series(LineSeries::new([(x_min, r), (x_max, r)], theme.reference.stroke_width(w)))
            .map_err(err)?;
    }
    chart
        .draw_series(LineSeries::new(finite.iter().copied(), theme.series.stroke_width(w)))
        .map_err(err)?;
    Ok(())
}

/// [`draw_linear_chart`] as an SVG document of `width` × `height` CSS pixels.
#[allow(clippy::too_many_arguments)]
pub fn linear_chart_svg(
    series: &[(f64, f64)],
    reference: Option<f64>,
    x_min: f64,
    x_desc: &str,
    y_desc: &str,
    width: u32,
    height: u32,
    dark: bool,
) -> Result<String, String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        draw_linear_chart(&root, series, reference, x_min, x_desc, y_desc, 1.0, &ChartTheme::for_theme(dark))?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_has_series_and_reference() {
        let s: Vec<(f64, f64)> = (0..20).map(|i| (i as f64, -3.0 + 0.1 * i as f64)).collect();
        let svg = linear_chart_svg(&s, Some(-0.5), 0.0, "iteration", "log-likelihood", 400, 200, false).unwrap();
        assert!(svg.starts_with("<svg") && svg.matches("<polyline").count() >= 2);
        // an empty or non-finite series still draws axes
        assert!(linear_chart_svg(&[(0.0, f64::NAN)], None, 0.0, "x", "y", 300, 150, true).is_ok());
    }
}
