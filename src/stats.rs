//! Sample moments of a particle cloud (f64 accumulation of f32 positions).

use crate::particles::Particles;

/// Mean and covariance of a cloud.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Moments {
    /// Sample mean (x, y).
    pub mean: [f64; 2],
    /// Sample covariance (xx, xy, yy), with the 1/N (maximum-likelihood) normalisation.
    pub cov: [f64; 3],
    /// Mean squared radius E‖x‖².
    pub mean_sq_radius: f64,
}

/// Mean, covariance and mean squared radius; a two-pass algorithm (mean first), which avoids
/// the cancellation of the one-pass E[x²] − E[x]² formula.
pub fn moments(p: &Particles) -> Moments {
    let n = p.len();
    if n == 0 {
        return Moments::default();
    }
    let nf = n as f64;
    let (mut sx, mut sy) = (0.0, 0.0);
    for (x, y) in p.xs.iter().zip(&p.ys) {
        sx += *x as f64;
        sy += *y as f64;
    }
    let (mx, my) = (sx / nf, sy / nf);
    let (mut cxx, mut cxy, mut cyy) = (0.0, 0.0, 0.0);
    for (x, y) in p.xs.iter().zip(&p.ys) {
        let (dx, dy) = (*x as f64 - mx, *y as f64 - my);
        cxx += dx * dx;
        cxy += dx * dy;
        cyy += dy * dy;
    }
    let cov = [cxx / nf, cxy / nf, cyy / nf];
    Moments {
        mean: [mx, my],
        cov,
        mean_sq_radius: cov[0] + cov[2] + mx * mx + my * my,
    }
}
