//! Pictures of energies and densities as RGBA rasters (for the EBM widgets).
//!
//! A scalar field is evaluated on a coarse grid of at most 160 × 160 points spanning the pixel
//! centres of the viewport and interpolated bilinearly to every pixel (an energy of 16 wells
//! then costs 25 600 evaluations per picture, whatever the screen resolution). Density view:
//! shading by (p/max p)^½ as in [`crate::raster`]. Energy view: a ramp over E − min E clipped at 8,
//! with contour lines every 0.5 (energy units). Particles are solid squares; wells are rings.
//! The buffer is RGBA8, row-major, top row first, ready for `ImageData`.

use crate::viewport::Viewport;

/// Largest side of the evaluation grid.
pub const MAX_GRID: usize = 160;
/// Energy range shown by the ramp above the minimum.
pub const ENERGY_RANGE: f64 = 8.0;
/// Spacing of the energy contours.
pub const CONTOUR_STEP: f64 = 0.5;

/// Colours of the EBM pictures (RGB).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EbmPalette {
    /// Background (zero density, high energy).
    pub background: [u8; 3],
    /// Density maximum / energy minimum.
    pub density: [u8; 3],
    /// Contour lines.
    pub contour: [u8; 3],
    /// Positive samples (data) and free particles.
    pub positive: [u8; 3],
    /// Negative samples (model).
    pub negative: [u8; 3],
    /// Well markers.
    pub marker: [u8; 3],
}

impl EbmPalette {
    /// Light or dark theme (colours of [`crate::raster::Palette`] where they overlap).
    pub fn for_theme(dark: bool) -> Self {
        if dark {
            EbmPalette {
                background: [17, 24, 39],
                density: [50, 110, 200],
                contour: [148, 163, 184],
                positive: [110, 231, 183],
                negative: [255, 196, 61],
                marker: [244, 244, 245],
            }
        } else {
            EbmPalette {
                background: [255, 255, 255],
                density: [70, 120, 200],
                contour: [71, 85, 105],
                positive: [0, 128, 80],
                negative: [200, 70, 10],
                marker: [17, 24, 39],
            }
        }
    }
}

/// How a field is shaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shading {
    /// The field is log p up to a constant: shade (p / max p)^½.
    LogDensity,
    /// The field is an energy: ramp over [min, min + 8] with contours.
    Energy,
}

/// An RGBA picture with its evaluation grid.
#[derive(Debug, Clone, Default)]
pub struct Picture {
    width: usize,
    height: usize,
    rgba: Vec<u8>,
    grid: Vec<f64>,
    values: Vec<f64>,
    base: Vec<u8>,
}

fn lerp(a: [u8; 3], b: [u8; 3], t: f64) -> [u8; 3] {
    let f = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * t + 0.5) as u8;
    [f(a[0], b[0]), f(a[1], b[1]), f(a[2], b[2])]
}

impl Picture {
    /// Width in pixels.
    pub fn width(&self) -> usize {
        self.width
    }
    /// Height in pixels.
    pub fn height(&self) -> usize {
        self.height
    }
    /// The RGBA buffer.
    pub fn rgba(&self) -> &[u8] {
        &self.rgba
    }

    /// Shades the field `f` over the viewport.
    pub fn shade(
        &mut self,
        vp: &Viewport,
        mut f: impl FnMut([f64; 2]) -> f64,
        shading: Shading,
        pal: &EbmPalette,
    ) {
        let (w, h) = (vp.width.max(1), vp.height.max(1));
        self.width = w;
        self.height = h;
        self.rgba.resize(w * h * 4, 255);
        // grid points at the pixel centres of the first and last pixel and evenly between
        let gw = w.clamp(2, MAX_GRID);
        let gh = h.clamp(2, MAX_GRID);
        self.grid.resize(gw * gh, 0.0);
        let p0 = vp.pixel_center(0, 0);
        let p1 = vp.pixel_center(w - 1, h - 1);
        for j in 0..gh {
            let y = p0[1] + (p1[1] - p0[1]) * j as f64 / (gh - 1) as f64;
            for i in 0..gw {
                let x = p0[0] + (p1[0] - p0[0]) * i as f64 / (gw - 1) as f64;
                self.grid[j * gw + i] = f([x, y]);
            }
        }
        // what is interpolated: (p/max p)^½ for densities, E − min E for energies
        let (lo, hi) = self
            .grid
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(*v), b.max(*v))
            });
        match shading {
            Shading::LogDensity => self.grid.iter_mut().for_each(|v| {
                *v = if hi.is_finite() {
                    (0.5 * (*v - hi)).exp()
                } else {
                    0.0
                }
            }),
            Shading::Energy => self.grid.iter_mut().for_each(|v| *v -= lo),
        }
        // 256-entry colour table over [0, 1] (density) or [0, ENERGY_RANGE] (energy)
        let mut lut = [[0u8; 3]; 256];
        for (k, c) in lut.iter_mut().enumerate() {
            let u = k as f64 / 255.0;
            *c = match shading {
                Shading::LogDensity => lerp(pal.background, pal.density, u),
                Shading::Energy => {
                    let t = 1.0 - u;
                    lerp(pal.background, pal.density, t * t * 0.95 + 0.05 * t)
                }
            };
        }
        let scale = match shading {
            Shading::LogDensity => 255.0,
            Shading::Energy => 255.0 / ENERGY_RANGE,
        };
        // per-column and per-row interpolation indices and weights, computed once
        let axis = |n: usize, g: usize| -> Vec<(usize, f64)> {
            (0..n)
                .map(|i| {
                    let f = if n > 1 {
                        i as f64 * (g - 1) as f64 / (n - 1) as f64
                    } else {
                        0.0
                    };
                    let i0 = (f as usize).min(g - 2);
                    (i0, f - i0 as f64)
                })
                .collect()
        };
        let (cols, rows) = (axis(w, gw), axis(h, gh));
        let lut4: Vec<[u8; 4]> = lut.iter().map(|c| [c[0], c[1], c[2], 255]).collect();
        let keep = shading == Shading::Energy;
        self.values.resize(if keep { w * h } else { 0 }, 0.0);
        // interpolate along y once per row on the grid columns, then along x per pixel
        let mut row = vec![0.0f32; gw];
        for (j, &(j0, ty)) in rows.iter().enumerate() {
            let (r0, r1) = (
                &self.grid[j0 * gw..(j0 + 1) * gw],
                &self.grid[(j0 + 1) * gw..(j0 + 2) * gw],
            );
            for ((o, a), b) in row.iter_mut().zip(r0).zip(r1) {
                *o = ((a + ty * (b - a)) * scale) as f32;
            }
            let px = &mut self.rgba[4 * j * w..4 * (j + 1) * w];
            for (o, &(i0, tx)) in px.chunks_exact_mut(4).zip(&cols) {
                let (a, b) = (row[i0], row[i0 + 1]);
                let v = a + tx as f32 * (b - a);
                o.copy_from_slice(&lut4[(v as usize).min(255)]);
            }
            if keep {
                for (i, &(i0, tx)) in cols.iter().enumerate() {
                    let (a, b) = (row[i0], row[i0 + 1]);
                    self.values[j * w + i] = (a + tx as f32 * (b - a)) as f64 / scale;
                }
            }
        }
        if shading == Shading::Energy {
            // a contour where the level index changes towards the right or lower pixel
            let lev = |u: f64| (u / CONTOUR_STEP) as i64;
            for j in 0..h {
                for i in 0..w {
                    let k = j * w + i;
                    let v = self.values[k];
                    if v >= ENERGY_RANGE {
                        continue;
                    }
                    let l = lev(v);
                    let right = i + 1 < w && lev(self.values[k + 1]) != l;
                    let down = j + 1 < h && lev(self.values[k + w]) != l;
                    if right || down {
                        let o = 4 * k;
                        let c = lerp(
                            [self.rgba[o], self.rgba[o + 1], self.rgba[o + 2]],
                            pal.contour,
                            0.55,
                        );
                        self.rgba[o..o + 3].copy_from_slice(&c);
                    }
                }
            }
        }
    }

    /// Remembers the current picture (e.g. the shaded field before particles are drawn).
    pub fn save_base(&mut self) {
        self.base.clear();
        self.base.extend_from_slice(&self.rgba);
    }

    /// Restores the picture saved by [`Picture::save_base`]; false when none fits.
    pub fn restore_base(&mut self) -> bool {
        if self.base.len() == self.rgba.len() && !self.base.is_empty() {
            self.rgba.copy_from_slice(&self.base);
            true
        } else {
            false
        }
    }

    fn put(&mut self, i: i64, j: i64, c: [u8; 3]) {
        if i >= 0 && j >= 0 && (i as usize) < self.width && (j as usize) < self.height {
            let o = 4 * (j as usize * self.width + i as usize);
            self.rgba[o..o + 3].copy_from_slice(&c);
        }
    }

    /// Solid squares of side `size` pixels at the points (xs, ys).
    pub fn dots(&mut self, vp: &Viewport, xs: &[f32], ys: &[f32], size: usize, c: [u8; 3]) {
        let size = size.clamp(1, 8) as i64;
        let off = (size as f64 - 1.0) / 2.0;
        for (x, y) in xs.iter().zip(ys) {
            let (px, py) = vp.to_pixel(*x as f64, *y as f64);
            if !(px.is_finite() && py.is_finite())
                || px < -10.0
                || py < -10.0
                || px > 1e6
                || py > 1e6
            {
                continue;
            }
            let (i0, j0) = ((px - off).floor() as i64, (py - off).floor() as i64);
            for j in j0..j0 + size {
                for i in i0..i0 + size {
                    self.put(i, j, c);
                }
            }
        }
    }

    /// A ring of radius `r` and thickness `t` pixels around the data point `at`; `filled` also
    /// fills the inside.
    pub fn ring(&mut self, vp: &Viewport, at: [f64; 2], r: f64, t: f64, c: [u8; 3], filled: bool) {
        let (cx, cy) = vp.to_pixel(at[0], at[1]);
        if !(cx.is_finite() && cy.is_finite()) {
            return;
        }
        let ext = (r + t + 1.0).ceil() as i64;
        let (ci, cj) = (cx.floor() as i64, cy.floor() as i64);
        for j in cj - ext..=cj + ext {
            for i in ci - ext..=ci + ext {
                let d = ((i as f64 + 0.5 - cx).powi(2) + (j as f64 + 0.5 - cy).powi(2)).sqrt();
                if (d - r).abs() <= t / 2.0 || (filled && d < r) {
                    self.put(i, j, c);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn density_is_darkest_at_the_peak_and_dots_show() {
        let vp = Viewport {
            data: [-3.0, 3.0, -3.0, 3.0],
            width: 61,
            height: 61,
        };
        let pal = EbmPalette::for_theme(false);
        let mut p = Picture::default();
        p.shade(
            &vp,
            |x| -(x[0] * x[0] + x[1] * x[1]) / 2.0,
            Shading::LogDensity,
            &pal,
        );
        let px = |p: &Picture, i: usize, j: usize| {
            let o = 4 * (j * 61 + i);
            [p.rgba()[o], p.rgba()[o + 1], p.rgba()[o + 2]]
        };
        assert_eq!(px(&p, 30, 30), pal.density);
        assert_ne!(px(&p, 0, 0), pal.density);
        p.dots(&vp, &[2.0], &[2.0], 1, pal.negative);
        assert_eq!(px(&p, 50, 10), pal.negative);
        p.shade(
            &vp,
            |x| (x[0] * x[0] + x[1] * x[1]) / 2.0,
            Shading::Energy,
            &pal,
        );
        // contours exist: some pixels are tinted towards the contour colour
        let n_contour = (0..61 * 61)
            .filter(|k| {
                let o = 4 * k;
                let c = [p.rgba()[o], p.rgba()[o + 1], p.rgba()[o + 2]];
                c[0] < 200 && c[2] < 200
            })
            .count();
        assert!(n_contour > 50);
    }
}
