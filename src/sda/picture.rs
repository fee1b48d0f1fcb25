//! The twin-experiment picture: x, y and z against time in three stacked panels, with the
//! particle filter's posterior trajectories, their mean, the truth and the observations.

use super::lorenz::{STD_MEAN, STD_SCALE};
use super::observation::Observations;
use crate::chart::ChartTheme;
use crate::chart_multi::palette;
use plotters::coord::Shift;
use plotters::prelude::*;

fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("drawing failed: {e:?}")
}

/// Draws the panels. `truth` holds L states and `samples` M·k states (k ≤ L states each, the part
/// of the window the filter has done), all flat [x, y, z, …] in physical units.
#[allow(clippy::too_many_arguments)]
pub fn draw_trajectories<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    truth: &[f64],
    samples: &[f64],
    done: usize,
    obs: &Observations,
    dt: f64,
    dpr: f64,
    dark: bool,
) -> Result<(), String> {
    let theme = ChartTheme::for_theme(dark);
    let pal = palette(dark);
    root.fill(&theme.bg).map_err(err)?;
    let len = truth.len() / 3;
    let panels = root.split_evenly((3, 1));
    let names = ["x", "y", "z"];
    let m = if done > 0 {
        samples.len() / (3 * done)
    } else {
        0
    };
    let font = ("sans-serif", 11.0 * dpr).into_font().color(&theme.fg);
    let t_end = (len.max(2) - 1) as f64 * dt;
    for (c, area) in panels.iter().enumerate() {
        let coord = |s: &[f64], k: usize| s[3 * k + c];
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for k in 0..len {
            lo = lo.min(coord(truth, k));
            hi = hi.max(coord(truth, k));
        }
        for v in samples.chunks_exact(3).map(|s| s[c]) {
            lo = lo.min(v);
            hi = hi.max(v);
        }
        let pad = 0.08 * (hi - lo).max(1.0);
        let mut chart = ChartBuilder::on(area)
            .margin((4.0 * dpr) as u32)
            .margin_right((12.0 * dpr) as u32)
            .x_label_area_size(if c == 2 {
                (26.0 * dpr) as u32
            } else {
                (6.0 * dpr) as u32
            })
            .y_label_area_size((40.0 * dpr) as u32)
            .build_cartesian_2d(0.0..t_end, (lo - pad)..(hi + pad))
            .map_err(err)?;
        let mut mesh = chart.configure_mesh();
        mesh.disable_mesh()
            .y_labels(4)
            .x_labels(if c == 2 { 5 } else { 0 })
            .label_style(font.clone())
            .y_desc(names[c])
            .axis_style(theme.fg.stroke_width(dpr.round().max(1.0) as u32))
            .x_label_formatter(&|v| format!("{v:.1}"))
            .y_label_formatter(&|v| format!("{v:.0}"));
        if c == 2 {
            mesh.x_desc("time");
        }
        mesh.draw().map_err(err)?;
        let lw = |w: f64| (w * dpr).round().max(1.0) as u32;
        let alpha = if m > 100 { 0.12 } else { 0.25 };
        for j in 0..m {
            let s = &samples[3 * done * j..3 * done * (j + 1)];
            chart
                .draw_series(LineSeries::new(
                    (0..done).map(|k| (k as f64 * dt, coord(s, k))),
                    pal[0].mix(alpha).stroke_width(lw(1.0)),
                ))
                .map_err(err)?;
        }
        if m > 0 {
            let mean: Vec<(f64, f64)> = (0..done)
                .map(|k| {
                    (
                        k as f64 * dt,
                        (0..m)
                            .map(|j| samples[3 * done * j + 3 * k + c])
                            .sum::<f64>()
                            / m as f64,
                    )
                })
                .collect();
            chart
                .draw_series(LineSeries::new(mean, pal[0].stroke_width(lw(2.0))))
                .map_err(err)?;
        }
        chart
            .draw_series(LineSeries::new(
                (0..len).map(|k| (k as f64 * dt, coord(truth, k))),
                theme.fg.stroke_width(lw(1.5)),
            ))
            .map_err(err)?;
        if obs.operator.component == c {
            let r = (2.5 * dpr).max(2.0) as i32;
            let pts =
                obs.values.iter().enumerate().filter_map(|(k, y)| {
                    y.map(|y| (k as f64 * dt, y * STD_SCALE[c] + STD_MEAN[c]))
                });
            chart
                .draw_series(pts.map(|p| Circle::new(p, r, pal[1].filled())))
                .map_err(err)?;
        }
    }
    Ok(())
}

/// The picture as an SVG document of `size` pixels.
#[allow(clippy::too_many_arguments)]
pub fn trajectories_svg(
    truth: &[f64],
    samples: &[f64],
    done: usize,
    obs: &Observations,
    dt: f64,
    size: (u32, u32),
    dark: bool,
) -> Result<String, String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        draw_trajectories(&root, truth, samples, done, obs, dt, 1.0, dark)?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}
