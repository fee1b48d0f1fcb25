//! Line charts of the EBM widgets with a linear y axis (log-likelihoods are negative, so the
//! log-scale chart of [`crate::chart`] does not fit): the exact log-likelihood against iteration
//! with the −H(p_data) ceiling, and log₁₀(grid evaluations) against dimension.

use crate::chart::ChartTheme;
use crate::chart_multi::{draw_multi_chart, multi_chart_svg, Series};
use plotters::coord::Shift;
use plotters::prelude::*;

/// The series and the reference line (from `x_min` to the last x) as unlabelled curves.
fn curves(series: &[(f64, f64)], reference: Option<f64>, x_min: f64) -> Vec<(f64, f64)> {
    let x_max = series
        .iter()
        .map(|p| p.0)
        .filter(|x| x.is_finite())
        .fold(x_min + 1.0, f64::max);
    reference
        .filter(|r| r.is_finite())
        .map(|r| vec![(x_min, r), (x_max, r)])
        .unwrap_or_default()
}

/// A line chart of `series` with an optional horizontal reference line, linear axes
/// ([`crate::chart_multi`] without a legend).
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
    let r = curves(series, reference, x_min);
    let s = [
        Series {
            label: "",
            color: theme.reference,
            points: &r,
            width: 1.5,
        },
        Series {
            label: "",
            color: theme.series,
            points: series,
            width: 1.5,
        },
    ];
    draw_multi_chart(root, &s, x_desc, y_desc, false, dpr, theme)
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
    let theme = ChartTheme::for_theme(dark);
    let r = curves(series, reference, x_min);
    let s = [
        Series {
            label: "",
            color: theme.reference,
            points: &r,
            width: 1.5,
        },
        Series {
            label: "",
            color: theme.series,
            points: series,
            width: 1.5,
        },
    ];
    multi_chart_svg(&s, x_desc, y_desc, false, (width, height), dark)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_has_series_and_reference() {
        let s: Vec<(f64, f64)> = (0..20).map(|i| (i as f64, -3.0 + 0.1 * i as f64)).collect();
        let svg = linear_chart_svg(
            &s,
            Some(-0.5),
            0.0,
            "iteration",
            "log-likelihood",
            400,
            200,
            false,
        )
        .unwrap();
        assert!(svg.starts_with("<svg") && svg.matches("<polyline").count() >= 2);
        // an empty or non-finite series still draws axes
        assert!(linear_chart_svg(&[(0.0, f64::NAN)], None, 0.0, "x", "y", 300, 150, true).is_ok());
    }
}
