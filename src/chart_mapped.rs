//! A line chart on fixed axes that returns its pixel ↔ data mapping, for charts the reader edits
//! by dragging points (the DDPM schedule editor).
//!
//! Either axis may be logarithmic; the chart then plots log₁₀ of the values on a linear axis and
//! labels the ticks with the powers of ten, so the mapping stays affine in both directions:
//! x_px = left + (X − X₀)/(X₁ − X₀)·(right − left) with X = log₁₀ x on a log axis, x otherwise.

use crate::chart::ChartTheme;
use crate::chart_multi::Series;
use plotters::coord::Shift;
use plotters::prelude::*;

fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("drawing failed: {e:?}")
}

/// One axis: its range in data units and whether it is logarithmic.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Axis {
    /// Lower end (data units, > 0 on a log axis).
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
    /// Logarithmic.
    pub log: bool,
}

impl Axis {
    fn fwd(&self, v: f64) -> f64 {
        if self.log {
            v.max(1e-300).log10()
        } else {
            v
        }
    }
    fn inv(&self, v: f64) -> f64 {
        if self.log {
            10f64.powf(v)
        } else {
            v
        }
    }
    fn range(&self) -> (f64, f64) {
        (self.fwd(self.lo), self.fwd(self.hi))
    }
}

/// The mapping of a drawn chart (pixels of the backend, i.e. device pixels).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChartMap {
    /// The x axis.
    pub x: Axis,
    /// The y axis.
    pub y: Axis,
    /// Plot area [left, right) × [top, bottom) in pixels.
    pub px: [f64; 4],
}

impl ChartMap {
    /// Data → pixel.
    pub fn to_pixel(&self, x: f64, y: f64) -> (f64, f64) {
        let (x0, x1) = self.x.range();
        let (y0, y1) = self.y.range();
        let [l, r, t, b] = self.px;
        (
            l + (self.x.fwd(x) - x0) / (x1 - x0) * (r - l),
            b - (self.y.fwd(y) - y0) / (y1 - y0) * (b - t),
        )
    }
    /// Pixel → data (clamped to the axes' ranges).
    pub fn to_data(&self, px: f64, py: f64) -> (f64, f64) {
        let (x0, x1) = self.x.range();
        let (y0, y1) = self.y.range();
        let [l, r, t, b] = self.px;
        let fx = ((px - l) / (r - l)).clamp(0.0, 1.0);
        let fy = ((b - py) / (b - t)).clamp(0.0, 1.0);
        (
            self.x.inv(x0 + fx * (x1 - x0)),
            self.y.inv(y0 + fy * (y1 - y0)),
        )
    }
}

/// Extra marks on a mapped chart.
#[derive(Debug, Clone, Default)]
pub struct Marks<'a> {
    /// A vertical line at this x (the current step).
    pub vline: Option<f64>,
    /// Draggable points (drawn as open circles).
    pub handles: &'a [(f64, f64)],
    /// Highlighted points (drawn as filled dots).
    pub dots: &'a [(f64, f64)],
}

/// Draws `series` on the fixed axes `x`, `y` with `marks`; returns the mapping.
#[allow(clippy::too_many_arguments)]
pub fn draw_mapped_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    series: &[Series],
    x: Axis,
    y: Axis,
    marks: &Marks,
    x_desc: &str,
    y_desc: &str,
    dpr: f64,
    theme: &ChartTheme,
) -> Result<ChartMap, String> {
    root.fill(&theme.bg).map_err(err)?;
    let font = ("sans-serif", 11.0 * dpr).into_font().color(&theme.fg);
    let (x0, x1) = x.range();
    let (y0, y1) = y.range();
    let mut chart = ChartBuilder::on(root)
        .margin((8.0 * dpr) as u32)
        .margin_right((16.0 * dpr) as u32)
        .x_label_area_size((30.0 * dpr) as u32)
        .y_label_area_size((46.0 * dpr) as u32)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(err)?;
    let fmt_axis = |a: Axis| {
        move |v: &f64| {
            if a.log {
                let p = 10f64.powf(*v);
                if (v - v.round()).abs() < 1e-9 {
                    format!("1e{}", v.round() as i64)
                } else {
                    format!("{p:.0e}")
                }
            } else if (a.hi - a.lo).abs() >= 20.0 {
                format!("{v:.0}")
            } else {
                format!("{v:.1}")
            }
        }
    };
    let (fx, fy) = (fmt_axis(x), fmt_axis(y));
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
        .x_label_formatter(&fx)
        .y_label_formatter(&fy)
        .draw()
        .map_err(err)?;
    let clip = |v: f64, lo: f64, hi: f64| v.clamp(lo.min(hi), hi.max(lo));
    for s in series {
        let w = (s.width * dpr).round().max(1.0) as u32;
        let pts: Vec<(f64, f64)> = s
            .points
            .iter()
            .filter(|p| {
                p.0.is_finite() && p.1.is_finite() && (!x.log || p.0 > 0.0) && (!y.log || p.1 > 0.0)
            })
            .map(|&(a, b)| (clip(x.fwd(a), x0, x1), clip(y.fwd(b), y0, y1)))
            .collect();
        let anno = chart
            .draw_series(LineSeries::new(pts, s.color.stroke_width(w)))
            .map_err(err)?;
        if !s.label.is_empty() {
            let c = s.color;
            anno.label(s.label).legend(move |(x, y)| {
                PathElement::new([(x, y), (x + (16.0 * dpr) as i32, y)], c.stroke_width(w))
            });
        }
    }
    if let Some(v) = marks.vline {
        let v = clip(x.fwd(v), x0, x1);
        chart
            .draw_series(LineSeries::new(
                [(v, y0), (v, y1)],
                theme
                    .reference
                    .stroke_width((1.5 * dpr).round().max(1.0) as u32),
            ))
            .map_err(err)?;
    }
    let r = (4.5 * dpr).round() as i32;
    let sw = (1.5 * dpr).round().max(1.0) as u32;
    chart
        .draw_series(
            marks
                .dots
                .iter()
                .filter(|p| p.0.is_finite() && p.1.is_finite())
                .map(|&(a, b)| {
                    Circle::new(
                        (clip(x.fwd(a), x0, x1), clip(y.fwd(b), y0, y1)),
                        r,
                        theme.series.filled(),
                    )
                }),
        )
        .map_err(err)?;
    chart
        .draw_series(marks.handles.iter().map(|&(a, b)| {
            Circle::new(
                (clip(x.fwd(a), x0, x1), clip(y.fwd(b), y0, y1)),
                r + 1,
                theme.fg.stroke_width(sw),
            )
        }))
        .map_err(err)?;
    if series.iter().any(|s| !s.label.is_empty()) {
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .label_font(font.clone())
            .background_style(theme.bg.mix(0.85))
            .border_style(theme.reference)
            .margin((6.0 * dpr) as u32)
            .draw()
            .map_err(err)?;
    }
    let (xr, yr) = chart.plotting_area().get_pixel_range();
    Ok(ChartMap {
        x,
        y,
        px: [
            xr.start as f64,
            xr.end as f64,
            yr.start as f64,
            yr.end as f64,
        ],
    })
}

/// The same chart as an SVG document of `width` × `height` CSS pixels.
#[allow(clippy::too_many_arguments)]
pub fn mapped_chart_svg(
    series: &[Series],
    x: Axis,
    y: Axis,
    marks: &Marks,
    x_desc: &str,
    y_desc: &str,
    size: (u32, u32),
    dark: bool,
) -> Result<String, String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        draw_mapped_chart(
            &root,
            series,
            x,
            y,
            marks,
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
    fn pixel_and_data_round_trip_on_log_and_linear_axes() {
        let m = ChartMap {
            x: Axis {
                lo: 1.0,
                hi: 1000.0,
                log: true,
            },
            y: Axis {
                lo: -2.0,
                hi: 2.0,
                log: false,
            },
            px: [50.0, 450.0, 10.0, 210.0],
        };
        let (px, py) = m.to_pixel(10.0, 1.0);
        assert!((px - (50.0 + 400.0 / 3.0)).abs() < 1e-9 && (py - 60.0).abs() < 1e-9);
        let (x, y) = m.to_data(px, py);
        assert!((x - 10.0).abs() < 1e-9 && (y - 1.0).abs() < 1e-12);
        assert_eq!(m.to_data(-100.0, 1e6), (1.0, -2.0));
        let svg = mapped_chart_svg(
            &[],
            m.x,
            m.y,
            &Marks::default(),
            "N",
            "KL",
            (300, 200),
            false,
        )
        .unwrap();
        assert!(svg.contains("<svg"));
    }
}
