//! Density heatmaps and particle clouds rasterised into an RGBA buffer.
//!
//! Large clouds are never drawn point by point through the canvas API: the exact density is
//! evaluated once per pixel into a base image, and every frame the particles are binned into
//! per-pixel counts and blended over it with opacity α = 1 − exp(−g·count), so that a million
//! particles cost one pass over the cloud and one over the pixels. The buffer is RGBA8, row-major,
//! top row first, ready for `ImageData`.

use crate::mixture::GaussianMixture;
use crate::particles::Particles;
use crate::viewport::Viewport;

/// Largest particle opacity.
const ALPHA_MAX: f64 = 0.85;

/// Colours of a raster (RGB).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Palette {
    /// Background where the density is ~0.
    pub background: [u8; 3],
    /// Colour at the density's maximum.
    pub density: [u8; 3],
    /// Particle colour.
    pub particle: [u8; 3],
}

impl Palette {
    /// The light theme.
    pub const LIGHT: Palette = Palette {
        background: [255, 255, 255],
        density: [70, 120, 200],
        particle: [190, 60, 10],
    };
    /// The dark theme.
    pub const DARK: Palette = Palette {
        background: [17, 24, 39],
        density: [50, 110, 200],
        particle: [255, 196, 61],
    };
    /// The palette for a theme.
    pub fn for_theme(dark: bool) -> Palette {
        if dark {
            Palette::DARK
        } else {
            Palette::LIGHT
        }
    }
}

/// An RGBA frame: the density base image and the composed frame.
#[derive(Debug, Clone, Default)]
pub struct Raster {
    width: usize,
    height: usize,
    base: Vec<u8>,
    frame: Vec<u8>,
    counts: Vec<u16>,
}

fn lerp(a: [u8; 3], b: [u8; 3], t: f32) -> [u8; 3] {
    let f = |x: u8, y: u8| (x as f32 + (y as f32 - x as f32) * t + 0.5) as u8;
    [f(a[0], b[0]), f(a[1], b[1]), f(a[2], b[2])]
}

impl Raster {
    /// Width in pixels.
    pub fn width(&self) -> usize {
        self.width
    }
    /// Height in pixels.
    pub fn height(&self) -> usize {
        self.height
    }
    /// The composed RGBA frame.
    pub fn frame(&self) -> &[u8] {
        &self.frame
    }

    /// Draws the density of `p` into the base image (and resizes the raster to the viewport).
    /// Colour intensity follows (p/max p)^0.5, which keeps low-density tails visible.
    pub fn render_density(&mut self, p: &GaussianMixture, vp: &Viewport, pal: &Palette) {
        let (w, h) = (vp.width, vp.height);
        self.width = w;
        self.height = h;
        self.base.resize(w * h * 4, 0);
        self.frame.resize(w * h * 4, 0);
        self.counts.resize(w * h, 0);
        let mut dens = vec![0.0f64; w * h];
        let mut max = 0.0f64;
        for j in 0..h {
            for i in 0..w {
                let d = p.density(vp.pixel_center(i, j));
                dens[j * w + i] = d;
                max = max.max(d);
            }
        }
        for (k, d) in dens.iter().enumerate() {
            let t = if max > 0.0 { (d / max).powf(0.5) } else { 0.0 } as f32;
            let c = lerp(pal.background, pal.density, t);
            self.base[4 * k..4 * k + 4].copy_from_slice(&[c[0], c[1], c[2], 255]);
        }
        self.frame.copy_from_slice(&self.base);
    }

    /// Like [`Raster::render_density`], but evaluates the density only on every `stride`-th pixel
    /// (and the last row and column) and interpolates the shade bilinearly in between: about
    /// stride² times fewer density evaluations, for densities that change every frame (a model
    /// being trained). Smooth densities at stride ≤ 4 on a HiDPI canvas look the same.
    pub fn render_density_coarse(
        &mut self,
        p: &GaussianMixture,
        vp: &Viewport,
        pal: &Palette,
        stride: usize,
    ) {
        let (w, h) = (vp.width, vp.height);
        let s = stride.clamp(1, 16);
        self.width = w;
        self.height = h;
        self.base.resize(w * h * 4, 0);
        self.frame.resize(w * h * 4, 0);
        self.counts.resize(w * h, 0);
        if w == 0 || h == 0 {
            return;
        }
        // grid nodes at pixels 0, s, 2s, … and the last pixel
        let nodes = |n: usize| -> Vec<usize> {
            let mut v: Vec<usize> = (0..n).step_by(s).collect();
            if *v.last().unwrap_or(&0) != n - 1 {
                v.push(n - 1);
            }
            v
        };
        let (gx, gy) = (nodes(w), nodes(h));
        let mut g = vec![0.0f64; gx.len() * gy.len()];
        let mut max = 0.0f64;
        for (b, &j) in gy.iter().enumerate() {
            for (a, &i) in gx.iter().enumerate() {
                let d = p.density(vp.pixel_center(i, j));
                g[b * gx.len() + a] = d;
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
            // the cell [v[k], v[k+1]] holding x
            let k = (x / s).min(v.len().saturating_sub(2));
            let k1 = (k + 1).min(v.len() - 1);
            let (x0, x1) = (v[k], v[k1]);
            let f = if x1 > x0 {
                (x - x0) as f32 / (x1 - x0) as f32
            } else {
                0.0
            };
            (k, k1, f)
        };
        let cols: Vec<(usize, usize, f32)> = (0..w).map(|i| span(&gx, i)).collect();
        // 1024 shades from background to full density colour, indexed by the interpolated t
        let lut: Vec<[u8; 4]> = (0..1024)
            .map(|k| {
                let c = lerp(pal.background, pal.density, k as f32 / 1023.0);
                [c[0], c[1], c[2], 255]
            })
            .collect();
        let nx = gx.len();
        let mut row = vec![0.0f32; nx];
        for j in 0..h {
            let (b, b1, fy) = span(&gy, j);
            for (a, r) in row.iter_mut().enumerate() {
                *r = t[b * nx + a] * (1.0 - fy) + t[b1 * nx + a] * fy;
            }
            let out = &mut self.base[4 * j * w..4 * (j + 1) * w];
            for (px, &(a, a1, fx)) in out.chunks_exact_mut(4).zip(&cols) {
                let v = row[a] + (row[a1] - row[a]) * fx;
                px.copy_from_slice(&lut[((v * 1023.0 + 0.5) as usize).min(1023)]);
            }
        }
        self.frame.copy_from_slice(&self.base);
    }

    /// Composes the frame: base image plus the cloud. `point` is the side of a particle's square
    /// in pixels (1 to 4).
    pub fn compose(&mut self, particles: &Particles, vp: &Viewport, pal: &Palette, point: usize) {
        let (w, h) = (self.width, self.height);
        if w == 0 || h == 0 {
            return;
        }
        let point = point.clamp(1, 4);
        self.counts.iter_mut().for_each(|c| *c = 0);
        let (sx, sy) = (vp.scale_x(), vp.scale_y());
        let off = (point as f64 - 1.0) / 2.0;
        for (x, y) in particles.xs.iter().zip(&particles.ys) {
            let px = (*x as f64 - vp.data[0]) * sx - off;
            let py = (vp.data[3] - *y as f64) * sy - off;
            if !(px >= 0.0 && py >= 0.0) {
                continue;
            }
            let (i0, j0) = (px as usize, py as usize);
            for j in j0..(j0 + point).min(h) {
                for i in i0..(i0 + point).min(w) {
                    let c = &mut self.counts[j * w + i];
                    *c = c.saturating_add(1);
                }
            }
        }
        // opacity per count: a lone particle is clearly visible when the cloud is small; for
        // large clouds g shrinks so that dense regions shade smoothly instead of saturating
        let covered = (particles.len() * point * point).max(1) as f64;
        let g = (0.3 * (w * h) as f64 / covered).clamp(0.02, 1.2);
        let mut lut = [0.0f32; 64];
        for (c, a) in lut.iter_mut().enumerate() {
            // capped below 1 so that the density stays visible under dense clouds
            *a = (ALPHA_MAX * (1.0 - (-g * c as f64).exp())) as f32;
        }
        for (k, &c) in self.counts.iter().enumerate() {
            let o = 4 * k;
            if c == 0 {
                self.frame[o..o + 4].copy_from_slice(&self.base[o..o + 4]);
            } else {
                let a = lut[(c as usize).min(63)];
                let b = [self.base[o], self.base[o + 1], self.base[o + 2]];
                let m = lerp(b, pal.particle, a);
                self.frame[o..o + 4].copy_from_slice(&[m[0], m[1], m[2], 255]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presets::preset;

    #[test]
    fn density_is_darkest_at_the_mode_and_particles_show() {
        let p = preset("gaussian").unwrap();
        let vp = Viewport {
            data: [-4.0, 4.0, -4.0, 4.0],
            width: 81,
            height: 81,
        };
        let mut r = Raster::default();
        let pal = Palette::LIGHT;
        r.render_density(&p, &vp, &pal);
        let px = |r: &Raster, i: usize, j: usize| {
            let o = 4 * (j * 81 + i);
            [r.frame()[o], r.frame()[o + 1], r.frame()[o + 2]]
        };
        assert_eq!(px(&r, 40, 40), pal.density);
        assert_eq!(px(&r, 0, 0), pal.background);
        let mut c = Particles::default();
        c.xs.push(2.0);
        c.ys.push(2.0); // pixel (60.75, 20.25) → covers (60, 20)
        r.compose(&c, &vp, &pal, 1);
        assert_ne!(
            px(&r, 60, 20),
            [
                r.base[4 * (20 * 81 + 60)],
                r.base[4 * (20 * 81 + 60) + 1],
                r.base[4 * (20 * 81 + 60) + 2]
            ]
        );
        assert_eq!(
            px(&r, 10, 70),
            [
                r.base[4 * (70 * 81 + 10)],
                r.base[4 * (70 * 81 + 10) + 1],
                r.base[4 * (70 * 81 + 10) + 2]
            ]
        );
    }

    #[test]
    fn the_coarse_density_matches_the_exact_one_at_grid_nodes_and_stays_close_between() {
        let p = crate::presets::ring8();
        let vp = Viewport {
            data: [-6.0, 6.0, -6.0, 6.0],
            width: 101,
            height: 87,
        };
        let pal = Palette::LIGHT;
        let mut exact = Raster::default();
        exact.render_density(&p, &vp, &pal);
        let mut coarse = Raster::default();
        coarse.render_density_coarse(&p, &vp, &pal, 4);
        let (a, b) = (exact.frame(), coarse.frame());
        // identical at the nodes (pixel (0, 0), (4, 8), the last pixel): the same shade function
        for (i, j) in [(0usize, 0usize), (4, 8), (100, 86)] {
            let k = 4 * (j * 101 + i);
            assert_eq!(&a[k..k + 3], &b[k..k + 3], "node ({i}, {j})");
        }
        // between nodes the shade differs by a few levels at most: mean |Δ| over all channels
        let mean: f64 = a
            .iter()
            .zip(b)
            .map(|(x, y)| (*x as f64 - *y as f64).abs())
            .sum::<f64>()
            / a.len() as f64;
        assert!(mean < 2.0, "mean channel difference {mean}");
    }
}
