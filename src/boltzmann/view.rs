//! The Boltzmann-machine figure: rows of binary patterns and the coupling matrices, drawn with
//! plotters on any backend (canvas in the browser, SVG in native tests).
//!
//! A pattern of D units is drawn as a ⌈√D⌉-column grid of pixels (3 × 3 for D = 9); each row of
//! the figure has a title and, optionally, a caption under every pattern (e.g. its exact
//! probability). Each coupling matrix W is a D × D grid on a diverging scale: red positive (units
//! that like to be on together), blue negative, white zero, scaled to the largest |W_ij| of all
//! matrices drawn so that the panels are comparable.

use crate::chart::ChartTheme;
use plotters::coord::Shift;
use plotters::prelude::*;

/// One row of patterns.
#[derive(Debug, Clone)]
pub struct PatternRow {
    /// Title above the row.
    pub title: String,
    /// The patterns (bit i = unit i) and an optional caption under each.
    pub items: Vec<(u32, Option<String>)>,
}

/// One coupling matrix to draw (row-major D × D, diagonal ignored).
#[derive(Debug, Clone)]
pub struct MatrixPanel {
    /// Title above the matrix.
    pub title: String,
    /// Row-major D × D couplings.
    pub w: Vec<f64>,
}

fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("drawing failed: {e:?}")
}

/// (1 − t)·a + t·b, per channel.
fn blend(a: RGBColor, b: RGBColor, t: f64) -> RGBColor {
    let m = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * t).round() as u8;
    RGBColor(m(a.0, b.0), m(a.1, b.1), m(a.2, b.2))
}

/// Diverging colour for t ∈ [−1, 1]: blue – background – red.
fn diverging(t: f64, bg: RGBColor) -> RGBColor {
    let t = t.clamp(-1.0, 1.0);
    if t >= 0.0 {
        blend(bg, RGBColor(220, 38, 38), t)
    } else {
        blend(bg, RGBColor(37, 99, 235), -t)
    }
}

/// Grid shape (columns, rows) used to draw a pattern of `d` units.
pub fn pattern_shape(d: usize) -> (usize, usize) {
    let cols = (d as f64).sqrt().ceil().max(1.0) as usize;
    (cols, d.div_ceil(cols))
}

/// Draws the figure into `root` (size in device pixels, `dpr` device pixels per CSS pixel).
pub fn draw_figure<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    d: usize,
    rows: &[PatternRow],
    matrices: &[MatrixPanel],
    dpr: f64,
    theme: &ChartTheme,
) -> Result<(), String> {
    root.fill(&theme.bg).map_err(err)?;
    let (w_px, h_px) = root.dim_in_pixel();
    let px = |css: f64| (css * dpr).round() as i32;
    let (width, height) = (w_px as f64 / dpr, h_px as f64 / dpr);
    let margin = 8.0;
    let (title_h, caption_h, row_gap, gap) = (18.0, 14.0, 8.0, 6.0);
    // matrices: side by side under the rows, as wide as the width allows (at most 150 px)
    let mat_n = matrices.len().max(1) as f64;
    let mat_size = ((width - 2.0 * margin - (mat_n - 1.0) * 16.0) / mat_n).clamp(40.0, 150.0);
    let mat_block = if matrices.is_empty() {
        0.0
    } else {
        title_h + mat_size + 14.0 + row_gap
    };
    // pattern size c: the largest (≤ 56 px) for which every row, wrapped onto as many lines as it
    // needs, fits above the matrices; captions need c ≥ 30 px to stay legible and apart
    let usable = width - 2.0 * margin;
    let layout = |c: f64| -> (usize, f64) {
        let per_line = (((usable + gap) / (c + gap)).floor() as usize).max(1);
        let mut total = 0.0;
        for r in rows {
            let lines = r.items.len().div_ceil(per_line).max(1) as f64;
            let cap = if r.items.iter().any(|i| i.1.is_some()) {
                caption_h
            } else {
                0.0
            };
            total += title_h + lines * (c + cap) + row_gap;
        }
        (per_line, total)
    };
    let avail = height - 2.0 * margin - mat_block;
    let mut c = 56.0;
    while c > 12.0 && layout(c).1 > avail {
        c -= 1.0;
    }
    let (per_line, _) = layout(c);
    let captions = c >= 30.0;
    let title_font = ("sans-serif", 12.5 * dpr).into_font().color(&theme.fg);
    let small = ("sans-serif", 10.5 * dpr).into_font().color(&theme.fg);
    let (cols, prow) = pattern_shape(d);
    let cell = c / cols.max(prow) as f64;
    // an "off" pixel: the background tinted 15 % towards the axis colour, visible in both themes
    let off = blend(theme.bg, theme.reference, 0.15);
    let mut y = margin;
    for row in rows {
        root.draw(&Text::new(
            row.title.clone(),
            (px(margin), px(y + 2.0)),
            title_font.clone(),
        ))
        .map_err(err)?;
        y += title_h;
        let cap = if captions && row.items.iter().any(|i| i.1.is_some()) {
            caption_h
        } else {
            0.0
        };
        for (k, (s, caption)) in row.items.iter().enumerate() {
            let x0 = margin + (k % per_line) as f64 * (c + gap);
            let y0 = y + (k / per_line) as f64 * (c + cap);
            if y0 + c > height - mat_block + 0.5 {
                break;
            }
            for u in 0..d {
                let (cx, cy) = (x0 + (u % cols) as f64 * cell, y0 + (u / cols) as f64 * cell);
                let on = (s >> u) & 1 == 1;
                let color = if on { theme.fg } else { off };
                root.draw(&Rectangle::new(
                    [(px(cx), px(cy)), (px(cx + cell), px(cy + cell))],
                    color.filled(),
                ))
                .map_err(err)?;
            }
            root.draw(&Rectangle::new(
                [(px(x0), px(y0)), (px(x0 + c), px(y0 + c))],
                theme.reference.stroke_width(1),
            ))
            .map_err(err)?;
            if let (true, Some(t)) = (captions, caption) {
                root.draw(&Text::new(
                    t.clone(),
                    (px(x0), px(y0 + c + 2.0)),
                    small.clone(),
                ))
                .map_err(err)?;
            }
        }
        let lines = row.items.len().div_ceil(per_line).max(1) as f64;
        y += lines * (c + cap) + row_gap;
    }
    if !matrices.is_empty() {
        let scale = matrices
            .iter()
            .flat_map(|m| m.w.iter())
            .fold(0.0f64, |a, v| a.max(v.abs()))
            .max(1e-12);
        let size = mat_size.min(height - y - title_h - 14.0 - margin).max(20.0);
        for (k, m) in matrices.iter().enumerate() {
            let x0 = margin + k as f64 * (mat_size + 16.0);
            root.draw(&Text::new(
                m.title.clone(),
                (px(x0), px(y + 2.0)),
                title_font.clone(),
            ))
            .map_err(err)?;
            let y0 = y + title_h;
            let cs = size / d as f64;
            for i in 0..d {
                for j in 0..d {
                    let color = if i == j {
                        theme.reference.mix(0.35).to_rgba()
                    } else {
                        diverging(m.w[i * d + j] / scale, theme.bg).to_rgba()
                    };
                    let (cx, cy) = (x0 + j as f64 * cs, y0 + i as f64 * cs);
                    root.draw(&Rectangle::new(
                        [(px(cx), px(cy)), (px(cx + cs), px(cy + cs))],
                        color.filled(),
                    ))
                    .map_err(err)?;
                }
            }
            root.draw(&Rectangle::new(
                [(px(x0), px(y0)), (px(x0 + size), px(y0 + size))],
                theme.reference.stroke_width(1),
            ))
            .map_err(err)?;
        }
        let legend = format!("W: red > 0, blue < 0, full colour at |W| = {scale:.2}");
        let ly = y + title_h + size + 2.0;
        if ly + 12.0 < height {
            root.draw(&Text::new(legend, (px(margin), px(ly)), small))
                .map_err(err)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_figure_draws_every_pattern_pixel_and_matrix_cell() {
        let rows = vec![
            PatternRow {
                title: "data".into(),
                items: vec![(0b111, None), (0b1_0010_0100, Some("0.25".into()))],
            },
            PatternRow {
                title: "model".into(),
                items: vec![(0, Some("0.5".into()))],
            },
        ];
        let mats = vec![MatrixPanel {
            title: "exact".into(),
            w: (0..81).map(|k| (k as f64 - 40.0) / 40.0).collect(),
        }];
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (600, 500)).into_drawing_area();
            draw_figure(&root, 9, &rows, &mats, 1.0, &ChartTheme::for_theme(false)).unwrap();
        }
        // 3 patterns × 9 pixels + 3 frames + 81 matrix cells + 1 frame + background
        assert!(
            svg.matches("<rect").count() >= 27 + 3 + 81 + 1,
            "{}",
            svg.matches("<rect").count()
        );
        for t in ["data", "model", "exact", "0.25"] {
            assert!(svg.contains(t));
        }
    }

    #[test]
    fn shapes_and_colours() {
        assert_eq!(pattern_shape(9), (3, 3));
        assert_eq!(pattern_shape(16), (4, 4));
        assert_eq!(pattern_shape(5), (3, 2));
        let bg = RGBColor(255, 255, 255);
        assert_eq!(diverging(0.0, bg), bg);
        assert_eq!(diverging(1.0, bg), RGBColor(220, 38, 38));
        assert_eq!(diverging(-7.0, bg), RGBColor(37, 99, 235));
    }
}
