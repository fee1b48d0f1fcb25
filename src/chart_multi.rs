//! Line charts of several labelled series with a legend (plotters, any backend).
//!
//! Used where methods are compared on one axis (exact gradient vs CD-k vs PCD, train vs held-out).
//! Sizes are CSS pixels times the device-pixel ratio, like [`crate::chart`].

use crate::chart::ChartTheme;
use plotters::coord::Shift;
use plotters::prelude::*;

/// One curve of a [`draw_multi_chart`].
#[derive(Debug, Clone, Copy)]
pub struct Series<'a> {
    /// Legend text.
    pub label: &'a str,
    /// Line colour.
    pub color: RGBColor,
    /// Points (x, y); non-finite points are skipped.
    pub points: &'a [(f64, f64)],
    /// Line width in CSS pixels (a wider line drawn first stays visible under later ones).
    pub width: f64,
}

fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("drawing failed: {e:?}")
}

/// Series colours that read on the light or dark background, in a fixed order (blue, orange,
/// green, purple), distinguishable under the common colour-vision deficiencies by lightness too.
pub fn palette(dark: bool) -> [RGBColor; 4] {
    if dark {
        [
            RGBColor(96, 165, 250),
            RGBColor(251, 146, 60),
            RGBColor(74, 222, 128),
            RGBColor(216, 180, 254),
        ]
    } else {
        [
            RGBColor(29, 78, 216),
            RGBColor(194, 65, 12),
            RGBColor(21, 128, 61),
            RGBColor(126, 34, 206),
        ]
    }
}

/// Draws the series on shared axes (y on a log scale when `log_y`; values ≤ 0 then sit on the
/// floor), with a legend in the upper right unless every label is empty.
#[allow(clippy::too_many_arguments)]
pub fn draw_multi_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    series: &[Series],
    x_desc: &str,
    y_desc: &str,
    log_y: bool,
    dpr: f64,
    theme: &ChartTheme,
) -> Result<(), String> {
    draw_multi_chart_at(
        root,
        series,
        x_desc,
        y_desc,
        log_y,
        dpr,
        theme,
        SeriesLabelPosition::UpperRight,
    )
}

/// [`draw_multi_chart`] with the legend at `legend`.
#[allow(clippy::too_many_arguments)]
pub fn draw_multi_chart_at<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    series: &[Series],
    x_desc: &str,
    y_desc: &str,
    log_y: bool,
    dpr: f64,
    theme: &ChartTheme,
    legend: SeriesLabelPosition,
) -> Result<(), String> {
    root.fill(&theme.bg).map_err(err)?;
    let finite = || {
        series
            .iter()
            .flat_map(|s| s.points.iter())
            .filter(|p| p.0.is_finite() && p.1.is_finite())
    };
    let x_min = finite().map(|p| p.0).fold(f64::INFINITY, f64::min).min(0.0);
    let x_max = finite().map(|p| p.0).fold(x_min + 1.0, f64::max);
    let (mut lo, mut hi) = finite().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
        (a.min(p.1), b.max(p.1))
    });
    if !lo.is_finite() {
        (lo, hi) = (0.1, 1.0);
    }
    // x tick labels with as many decimals as the x span needs (steps: none; times in [0, 1]: two)
    let xd = if x_max - x_min >= 20.0 {
        0
    } else if x_max - x_min >= 2.0 {
        1
    } else {
        2
    };
    let font = ("sans-serif", 11.0 * dpr).into_font().color(&theme.fg);
    let mut builder = ChartBuilder::on(root);
    builder
        .margin((8.0 * dpr) as u32)
        .margin_right((20.0 * dpr) as u32)
        .x_label_area_size((30.0 * dpr) as u32)
        // room for "1.0e-1"-style tick labels beside the rotated axis title
        .y_label_area_size((58.0 * dpr) as u32);
    macro_rules! finish {
        ($chart:expr, $clip:expr, $fmt:expr) => {{
            let mut chart = $chart;
            chart
                .configure_mesh()
                .disable_mesh()
                .x_labels(5)
                .y_labels(5)
                .x_desc(x_desc)
                .y_desc(y_desc)
                .label_style(font.clone())
                .axis_desc_style(font.clone())
                .axis_style(theme.fg.stroke_width(dpr.round().max(1.0) as u32))
                .x_label_formatter(&|v| format!("{v:.xd$}"))
                .y_label_formatter(&$fmt)
                .draw()
                .map_err(err)?;
            for s in series {
                let c = s.color;
                let w = (s.width * dpr).round().max(1.0) as u32;
                let anno = chart
                    .draw_series(LineSeries::new(
                        s.points
                            .iter()
                            .filter(|p| p.0.is_finite() && p.1.is_finite())
                            .map(|&(x, y)| (x, $clip(y))),
                        c.stroke_width(w),
                    ))
                    .map_err(err)?;
                // a series without a label (an axis-range guide, say) gets no legend entry
                if !s.label.is_empty() {
                    anno.label(s.label).legend(move |(x, y)| {
                        PathElement::new([(x, y), (x + (16.0 * dpr) as i32, y)], c.stroke_width(w))
                    });
                }
            }
            if series.iter().any(|s| !s.label.is_empty()) {
                chart
                    .configure_series_labels()
                    .position(legend.clone())
                    // the 16 px swatch plus a gap before its label
                    .legend_area_size((22.0 * dpr) as u32)
                    .label_font(font.clone())
                    .background_style(theme.bg.mix(0.85))
                    .border_style(theme.reference)
                    .margin((6.0 * dpr) as u32)
                    .draw()
                    .map_err(err)?;
            }
        }};
    }
    if log_y {
        let lo = if lo > 0.0 {
            lo * 0.7
        } else {
            (hi.max(1e-6)) * 1e-3
        };
        let hi = if hi > lo { hi * 1.5 } else { lo * 10.0 };
        let chart = builder
            .build_cartesian_2d(x_min..x_max, (lo..hi).log_scale())
            .map_err(err)?;
        finish!(chart, |y: f64| y.max(lo), |v: &f64| format!("{v:.1e}"));
    } else {
        if hi - lo < 1e-9 {
            (lo, hi) = (lo - 0.5, hi + 0.5);
        }
        let pad = (hi - lo) * 0.08;
        let span = hi - lo + 2.0 * pad;
        let chart = builder
            .build_cartesian_2d(x_min..x_max, (lo - pad)..(hi + pad))
            .map_err(err)?;
        // as many decimals as the span needs
        let digits = if span >= 20.0 {
            0
        } else if span >= 2.0 {
            1
        } else {
            2
        };
        finish!(chart, |y: f64| y, move |v: &f64| format!("{v:.digits$}"));
    }
    Ok(())
}

/// [`draw_multi_chart`] as an SVG document of `width` × `height` CSS pixels.
pub fn multi_chart_svg(
    series: &[Series],
    x_desc: &str,
    y_desc: &str,
    log_y: bool,
    size: (u32, u32),
    dark: bool,
) -> Result<String, String> {
    multi_chart_svg_at(
        series,
        x_desc,
        y_desc,
        log_y,
        size,
        dark,
        SeriesLabelPosition::UpperRight,
    )
}

/// [`multi_chart_svg`] with the legend at `legend`.
pub fn multi_chart_svg_at(
    series: &[Series],
    x_desc: &str,
    y_desc: &str,
    log_y: bool,
    size: (u32, u32),
    dark: bool,
    legend: SeriesLabelPosition,
) -> Result<String, String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        draw_multi_chart_at(
            &root,
            series,
            x_desc,
            y_desc,
            log_y,
            1.0,
            &ChartTheme::for_theme(dark),
            legend,
        )?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_series_is_drawn_and_labelled() {
        let a: Vec<(f64, f64)> = (0..20)
            .map(|i| (i as f64, 1.0 / (1.0 + i as f64)))
            .collect();
        let b: Vec<(f64, f64)> = (0..20).map(|i| (i as f64, 0.5 + 0.01 * i as f64)).collect();
        let c = [(0.0, f64::NAN), (1.0, 0.3)];
        let pal = palette(false);
        let s = [
            Series {
                label: "exact",
                color: pal[0],
                points: &a,
                width: 3.0,
            },
            Series {
                label: "CD-1",
                color: pal[1],
                points: &b,
                width: 1.6,
            },
            Series {
                label: "PCD-1",
                color: pal[2],
                points: &c,
                width: 1.6,
            },
        ];
        for log_y in [false, true] {
            let svg = multi_chart_svg(&s, "update", "KL (nats)", log_y, (480, 220), false).unwrap();
            assert!(svg.matches("<polyline").count() >= 3, "three curves");
            for l in ["exact", "CD-1", "PCD-1"] {
                assert!(svg.contains(l), "legend {l}");
            }
            assert!(!svg.contains("NaN"));
        }
    }
}
