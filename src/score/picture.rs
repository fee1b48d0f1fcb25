//! Pictures of score fields and objectives, rasterised to RGBA (row-major, top row first).
//!
//! * [`shade`]: a density as shading, evaluated on every `stride`-th pixel and interpolated
//!   bilinearly in between (the density is smooth; stride² fewer evaluations), through a
//!   1024-entry colour table, with intensity (p / max p)^½ as the other 2D widgets.
//! * [`arrow_grid`]: one arrow per grid cell for a vector field, its length a saturating function
//!   of ‖s‖, 1 − exp(−‖s‖/s_ref) with s_ref the median norm over the grid, so that both the tiny
//!   field at a mode and the huge one in the tails stay readable; the true norm is kept for colour.
//! * [`contours`]: level lines of quadratics over a parameter box: a pixel is on a line where the
//!   level index ⌊√((J − J_min)/u)⌋ changes to its right or below (levels at J_min + u k²).

use super::objectives::Quadratic;
use crate::viewport::Viewport;

fn lerp(a: [u8; 3], b: [u8; 3], t: f32) -> [u8; 3] {
    let f = |x: u8, y: u8| (x as f32 + (y as f32 - x as f32) * t + 0.5) as u8;
    [f(a[0], b[0]), f(a[1], b[1]), f(a[2], b[2])]
}

/// Shades `density` over the viewport from `background` (0) to `full` (the maximum) into `out`
/// (resized to width × height × 4).
pub fn shade(
    density: impl Fn([f64; 2]) -> f64,
    vp: &Viewport,
    background: [u8; 3],
    full: [u8; 3],
    stride: usize,
    out: &mut Vec<u8>,
) {
    let (w, h) = (vp.width, vp.height);
    out.resize(w * h * 4, 0);
    if w == 0 || h == 0 {
        return;
    }
    let s = stride.clamp(1, 16);
    let nodes = |n: usize| -> Vec<usize> {
        let mut v: Vec<usize> = (0..n).step_by(s).collect();
        if *v.last().unwrap_or(&0) != n - 1 {
            v.push(n - 1);
        }
        v
    };
    let (gx, gy) = (nodes(w), nodes(h));
    let nx = gx.len();
    let mut g = vec![0.0f64; nx * gy.len()];
    let mut max = 0.0f64;
    for (b, &j) in gy.iter().enumerate() {
        for (a, &i) in gx.iter().enumerate() {
            let d = density(vp.pixel_center(i, j));
            let d = if d.is_finite() { d } else { 0.0 };
            g[b * nx + a] = d;
            max = max.max(d);
        }
    }
    let t: Vec<f32> = g
        .iter()
        .map(|d| {
            if max > 0.0 {
                (d / max).sqrt() as f32
            } else {
                0.0
            }
        })
        .collect();
    let span = |v: &[usize], x: usize| -> (usize, usize, f32) {
        let k = (x / s).min(v.len().saturating_sub(2));
        let k1 = (k + 1).min(v.len() - 1);
        let (x0, x1) = (v[k], v[k1]);
        (
            k,
            k1,
            if x1 > x0 {
                (x - x0) as f32 / (x1 - x0) as f32
            } else {
                0.0
            },
        )
    };
    let cols: Vec<(usize, usize, f32)> = (0..w).map(|i| span(&gx, i)).collect();
    let lut: Vec<[u8; 4]> = (0..1024)
        .map(|k| {
            let c = lerp(background, full, k as f32 / 1023.0);
            [c[0], c[1], c[2], 255]
        })
        .collect();
    let mut row = vec![0.0f32; nx];
    for j in 0..h {
        let (b, b1, fy) = span(&gy, j);
        for (a, r) in row.iter_mut().enumerate() {
            *r = t[b * nx + a] * (1.0 - fy) + t[b1 * nx + a] * fy;
        }
        for (px, &(a, a1, fx)) in out[4 * j * w..4 * (j + 1) * w]
            .chunks_exact_mut(4)
            .zip(&cols)
        {
            let v = row[a] + (row[a1] - row[a]) * fx;
            px.copy_from_slice(&lut[((v * 1023.0 + 0.5) as usize).min(1023)]);
        }
    }
}

/// An arrow in pixel coordinates of a viewport.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Arrow {
    /// Tail (the point where the field is evaluated), pixels.
    pub tail: [f64; 2],
    /// Tip minus tail, pixels (y down).
    pub delta: [f64; 2],
    /// ‖s‖ at the tail, data units.
    pub norm: f64,
}

/// Arrows of `field` on a grid of `spacing`-pixel cells (at least 4 px), each at most 0.9 of a
/// cell long. Non-finite field values give no arrow.
pub fn arrow_grid(field: impl Fn([f64; 2]) -> [f64; 2], vp: &Viewport, spacing: f64) -> Vec<Arrow> {
    let sp = spacing.max(4.0);
    let (nx, ny) = (
        (vp.width as f64 / sp).floor() as usize,
        (vp.height as f64 / sp).floor() as usize,
    );
    let (ox, oy) = (
        (vp.width as f64 - nx as f64 * sp) / 2.0,
        (vp.height as f64 - ny as f64 * sp) / 2.0,
    );
    let mut raw = Vec::with_capacity(nx * ny);
    for j in 0..ny {
        for i in 0..nx {
            let (px, py) = (ox + (i as f64 + 0.5) * sp, oy + (j as f64 + 0.5) * sp);
            let x = [
                vp.data[0] + px / vp.scale_x(),
                vp.data[3] - py / vp.scale_y(),
            ];
            let s = field(x);
            if s[0].is_finite() && s[1].is_finite() {
                raw.push(([px, py], s));
            }
        }
    }
    let mut norms: Vec<f64> = raw.iter().map(|(_, s)| s[0].hypot(s[1])).collect();
    norms.sort_by(|a, b| a.total_cmp(b));
    let s_ref = norms
        .get(norms.len() / 2)
        .copied()
        .unwrap_or(1.0)
        .max(1e-12);
    raw.into_iter()
        .map(|(tail, s)| {
            let n = s[0].hypot(s[1]);
            let len = 0.9 * sp * (1.0 - (-n / s_ref).exp());
            let (ux, uy) = if n > 0.0 {
                (s[0] / n, s[1] / n)
            } else {
                (0.0, 0.0)
            };
            // data y points up, pixel y down
            Arrow {
                tail,
                delta: [len * ux, -len * uy],
                norm: n,
            }
        })
        .collect()
}

/// Level lines of each quadratic (with its colour) over the parameter box [a0, a1, b0, b1] into a
/// `width` × `height` RGBA image on `background`; `unit` sets the level spacing (levels at
/// J_min + unit·k²). Lines are `thick` pixels wide.
#[allow(clippy::too_many_arguments)]
pub fn contours(
    quads: &[(Quadratic, [u8; 3])],
    bx: [f64; 4],
    width: usize,
    height: usize,
    unit: f64,
    thick: usize,
    background: [u8; 3],
    out: &mut Vec<u8>,
) {
    out.resize(width * height * 4, 0);
    for px in out.chunks_exact_mut(4) {
        px.copy_from_slice(&[background[0], background[1], background[2], 255]);
    }
    if width < 2 || height < 2 || unit.is_nan() || unit <= 0.0 {
        return;
    }
    let at = |i: usize, j: usize| -> (f64, f64) {
        (
            bx[0] + (i as f64 + 0.5) / width as f64 * (bx[1] - bx[0]),
            bx[3] - (j as f64 + 0.5) / height as f64 * (bx[3] - bx[2]),
        )
    };
    let t = thick.max(1);
    let mut level = vec![0i64; width * height];
    for (q, col) in quads {
        let jmin = q.min();
        for j in 0..height {
            for i in 0..width {
                let (a, b) = at(i, j);
                level[j * width + i] =
                    ((q.eval(a, b) - jmin).max(0.0) / unit).sqrt().floor() as i64;
            }
        }
        for j in 0..height - 1 {
            for i in 0..width - 1 {
                let l = level[j * width + i];
                if l != level[j * width + i + 1] || l != level[(j + 1) * width + i] {
                    for dj in 0..t {
                        for di in 0..t {
                            let (x, y) = (i + di, j + dj);
                            if x < width && y < height {
                                let o = 4 * (y * width + x);
                                out[o..o + 3].copy_from_slice(col);
                            }
                        }
                    }
                }
            }
        }
    }
}
