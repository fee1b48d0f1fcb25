//! The affine map between a data box [x0, x1] × [y0, y1] and a pixel rectangle (y pointing down).

/// A data box drawn into a `width` × `height` pixel rectangle.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Viewport {
    /// Data box [x0, x1, y0, y1].
    pub data: [f64; 4],
    /// Pixel width.
    pub width: usize,
    /// Pixel height.
    pub height: usize,
}

impl Viewport {
    /// Pixels per data unit along x.
    pub fn scale_x(&self) -> f64 {
        self.width as f64 / (self.data[1] - self.data[0])
    }
    /// Pixels per data unit along y.
    pub fn scale_y(&self) -> f64 {
        self.height as f64 / (self.data[3] - self.data[2])
    }
    /// The data point at the centre of pixel (i, j).
    pub fn pixel_center(&self, i: usize, j: usize) -> [f64; 2] {
        [
            self.data[0] + (i as f64 + 0.5) / self.scale_x(),
            self.data[3] - (j as f64 + 0.5) / self.scale_y(),
        ]
    }
    /// Fractional pixel coordinates of a data point.
    pub fn to_pixel(&self, x: f64, y: f64) -> (f64, f64) {
        (
            (x - self.data[0]) * self.scale_x(),
            (self.data[3] - y) * self.scale_y(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pixel_centres_round_trip() {
        let v = Viewport {
            data: [-2.0, 6.0, -1.0, 3.0],
            width: 80,
            height: 40,
        };
        let c = v.pixel_center(10, 5);
        let (px, py) = v.to_pixel(c[0], c[1]);
        assert!((px - 10.5).abs() < 1e-12 && (py - 5.5).abs() < 1e-12);
        assert_eq!(v.to_pixel(-2.0, 3.0), (0.0, 0.0));
    }
}
