//! Pictures of a score field for the DSM widget: arrows of a vector field over a density, and a
//! heat map of the squared error ‖s_θ − ∇log p_σ‖² on a log scale.
//!
//! Arrows sit at the centres of an n × n grid of cells; an arrow's length in pixels is
//! `scale`·|v| capped at 0.9 of a cell, with one `scale` shared by the learned and the exact
//! field so that their lengths compare. The heat map evaluates the error on a coarse grid
//! spanning the pixel centres and interpolates bilinearly (as `ebm::picture` does), then maps
//! log₁₀ of the error over a range of four decades below its maximum through a colour table.

use crate::viewport::Viewport;

/// Points of an arrow (shaft and a two-stroke head) in data coordinates, one per ~0.5 px, from
/// the pixel at `from` along the pixel vector (dx, dy).
pub fn arrow_points(
    vp: &Viewport,
    from: [f64; 2],
    dx: f64,
    dy: f64,
    xs: &mut Vec<f32>,
    ys: &mut Vec<f32>,
) {
    let (px, py) = vp.to_pixel(from[0], from[1]);
    let len = (dx * dx + dy * dy).sqrt();
    if !(len.is_finite() && px.is_finite() && py.is_finite()) || len < 0.5 {
        return;
    }
    let (sx, sy) = (vp.scale_x(), vp.scale_y());
    let mut line = |x0: f64, y0: f64, x1: f64, y1: f64| {
        let n = (((x1 - x0).hypot(y1 - y0)) * 2.0).ceil().max(1.0) as usize;
        for k in 0..=n {
            let t = k as f64 / n as f64;
            let (x, y) = (x0 + (x1 - x0) * t, y0 + (y1 - y0) * t);
            xs.push((vp.data[0] + x / sx) as f32);
            ys.push((vp.data[3] - y / sy) as f32);
        }
    };
    let (ex, ey) = (px + dx, py + dy);
    line(px, py, ex, ey);
    let head = (0.35 * len).clamp(2.0, 7.0);
    let (ux, uy) = (dx / len, dy / len);
    let (s, c) = 25f64.to_radians().sin_cos();
    line(
        ex,
        ey,
        ex - head * (ux * c - uy * s),
        ey - head * (uy * c + ux * s),
    );
    line(
        ex,
        ey,
        ex - head * (ux * c + uy * s),
        ey - head * (uy * c - ux * s),
    );
}

/// The centres of an n × n grid of cells over the viewport's data box.
pub fn arrow_grid(vp: &Viewport, n: usize, xs: &mut Vec<f32>, ys: &mut Vec<f32>) {
    xs.clear();
    ys.clear();
    let [x0, x1, y0, y1] = vp.data;
    for j in 0..n {
        for i in 0..n {
            xs.push((x0 + (x1 - x0) * (i as f64 + 0.5) / n as f64) as f32);
            ys.push((y0 + (y1 - y0) * (j as f64 + 0.5) / n as f64) as f32);
        }
    }
}

/// Pixels per unit of score: the 90th percentile of the magnitudes `mags` maps to 0.8 of a cell
/// of `cell_px` pixels (so most arrows are readable and the largest ones are capped).
pub fn arrow_scale(mags: &[f64], cell_px: f64) -> f64 {
    let mut m: Vec<f64> = mags.iter().copied().filter(|v| v.is_finite()).collect();
    if m.is_empty() {
        return 0.0;
    }
    m.sort_by(f64::total_cmp);
    let p90 = m[(m.len() * 9 / 10).min(m.len() - 1)];
    if p90 > 0.0 {
        0.8 * cell_px / p90
    } else {
        0.0
    }
}

/// Decades of the heat map's colour range.
pub const HEAT_DECADES: f64 = 4.0;

/// Anchors of the heat map's colour table (dark violet → red → orange → pale yellow).
const HEAT_ANCHORS: [[u8; 3]; 5] = [
    [20, 11, 52],
    [106, 23, 110],
    [188, 55, 84],
    [249, 142, 9],
    [252, 255, 164],
];

fn heat_colour(u: f64) -> [u8; 3] {
    let u = u.clamp(0.0, 1.0) * (HEAT_ANCHORS.len() - 1) as f64;
    let k = (u.floor() as usize).min(HEAT_ANCHORS.len() - 2);
    let t = u - k as f64;
    let (a, b) = (HEAT_ANCHORS[k], HEAT_ANCHORS[k + 1]);
    let f = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * t + 0.5) as u8;
    [f(a[0], b[0]), f(a[1], b[1]), f(a[2], b[2])]
}

/// The evaluation grid of a heat map: `gw` × `gh` data points spanning the pixel centres.
pub fn heat_grid(vp: &Viewport, gw: usize, gh: usize, xs: &mut Vec<f32>, ys: &mut Vec<f32>) {
    xs.clear();
    ys.clear();
    let p0 = vp.pixel_center(0, 0);
    let p1 = vp.pixel_center(vp.width.max(1) - 1, vp.height.max(1) - 1);
    for j in 0..gh {
        let y = p0[1] + (p1[1] - p0[1]) * j as f64 / (gh - 1) as f64;
        for i in 0..gw {
            xs.push((p0[0] + (p1[0] - p0[0]) * i as f64 / (gw - 1) as f64) as f32);
            ys.push(y as f32);
        }
    }
}

/// Renders `values` (gw × gh, row j = pixel row direction) as RGBA of vp.width × vp.height:
/// log₁₀ v over [hi − 4, hi] with hi = log₁₀ max v; returns (lo, hi) in log₁₀ units.
pub fn render_heat(
    vp: &Viewport,
    values: &[f64],
    gw: usize,
    gh: usize,
    rgba: &mut Vec<u8>,
) -> (f64, f64) {
    let (w, h) = (vp.width.max(1), vp.height.max(1));
    rgba.resize(w * h * 4, 255);
    let max = values
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max);
    let hi = if max > 0.0 { max.log10() } else { 0.0 };
    let lo = hi - HEAT_DECADES;
    let logs: Vec<f64> = values
        .iter()
        .map(|v| {
            if *v > 0.0 && v.is_finite() {
                ((v.log10() - lo) / HEAT_DECADES).clamp(0.0, 1.0)
            } else {
                0.0
            }
        })
        .collect();
    let mut lut = [[0u8; 3]; 256];
    for (k, c) in lut.iter_mut().enumerate() {
        *c = heat_colour(k as f64 / 255.0);
    }
    for j in 0..h {
        let fy = if h > 1 {
            j as f64 * (gh - 1) as f64 / (h - 1) as f64
        } else {
            0.0
        };
        let (j0, ty) = (
            (fy.floor() as usize).min(gh - 2),
            fy - (fy.floor()).min((gh - 2) as f64),
        );
        for i in 0..w {
            let fx = if w > 1 {
                i as f64 * (gw - 1) as f64 / (w - 1) as f64
            } else {
                0.0
            };
            let (i0, tx) = (
                (fx.floor() as usize).min(gw - 2),
                fx - (fx.floor()).min((gw - 2) as f64),
            );
            let g = |a: usize, b: usize| logs[b * gw + a];
            let top = g(i0, j0) * (1.0 - tx) + g(i0 + 1, j0) * tx;
            let bot = g(i0, j0 + 1) * (1.0 - tx) + g(i0 + 1, j0 + 1) * tx;
            let u = top * (1.0 - ty) + bot * ty;
            let c = lut[(u * 255.0 + 0.5) as usize];
            let o = 4 * (j * w + i);
            rgba[o..o + 3].copy_from_slice(&c);
            rgba[o + 3] = 255;
        }
    }
    (lo, hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heat_map_spans_four_decades_and_arrows_point_the_right_way() {
        let vp = Viewport {
            data: [-1.0, 1.0, -1.0, 1.0],
            width: 20,
            height: 10,
        };
        let vals: Vec<f64> = (0..16).map(|k| 10f64.powi(k % 4 - 2)).collect();
        let mut rgba = vec![];
        let (lo, hi) = render_heat(&vp, &vals, 4, 4, &mut rgba);
        assert_eq!((lo, hi), (-3.0, 1.0)); // max 10
        assert_eq!(rgba.len(), 20 * 10 * 4);
        let (mut xs, mut ys) = (vec![], vec![]);
        arrow_points(&vp, [0.0, 0.0], 5.0, 0.0, &mut xs, &mut ys);
        // the shaft runs to +x (pixel dx = 5 → 0.5 data units at 10 px per unit)
        let xmax = xs.iter().cloned().fold(f32::MIN, f32::max);
        assert!((xmax - 0.5).abs() < 1e-6, "{xmax}");
        assert!(arrow_scale(&[1.0, 2.0, f64::NAN], 10.0) > 0.0);
    }
}
