//! A Gaussian mixture from points a user drew or pasted, so that every 2-D widget can run on it
//! with an exact score.
//!
//! The points are grouped into at most `max_components` clusters by Lloyd's k-means
//! (deterministic farthest-point initialisation, so the same points always give the same target);
//! each cluster becomes a component with weight ∝ its size, mean = its centroid and covariance =
//! its within-cluster covariance + h²I. With one point per cluster this is exactly the Gaussian
//! kernel density estimate of bandwidth h, p(x) = (1/n) Σᵢ N(x; xᵢ, h²I); with fewer clusters it
//! is its moment-matched compression. The h²I term keeps every covariance positive definite.

use crate::error::{check_range, Error};
use crate::gaussian::Gaussian2;
use crate::mixture::{GaussianMixture, MAX_COMPONENTS};

/// Most points accepted (a drawing or a pasted CSV).
pub const MAX_POINTS: usize = 20_000;

/// The mixture described above, from `xs`, `ys` (equal lengths, 1 to 20,000 finite points within
/// ±1e4), bandwidth `h` ∈ (0, 100] and at most `max_components` ∈ [1, 64] components.
pub fn mixture_from_points(
    xs: &[f64],
    ys: &[f64],
    h: f64,
    max_components: usize,
) -> Result<GaussianMixture, Error> {
    let n = xs.len();
    if n != ys.len() || n == 0 || n > MAX_POINTS {
        return Err(Error::invalid(
            "points",
            format!("1 to {MAX_POINTS} (x, y) pairs"),
            format!("{} x and {} y values", xs.len(), ys.len()),
        ));
    }
    if let Some(v) = xs
        .iter()
        .chain(ys)
        .find(|v| !(v.is_finite() && v.abs() <= 1e4))
    {
        return Err(Error::invalid(
            "points",
            "finite coordinates within ±10000",
            v,
        ));
    }
    check_range("bandwidth", h, 0.0, 100.0, true)?;
    if !(1..=MAX_COMPONENTS).contains(&max_components) {
        return Err(Error::invalid(
            "max_components",
            format!("an integer in [1, {MAX_COMPONENTS}]"),
            max_components,
        ));
    }
    let pts: Vec<[f64; 2]> = xs.iter().zip(ys).map(|(x, y)| [*x, *y]).collect();
    let k = max_components.min(n);
    // farthest-point initialisation from the first point
    let mut centres = vec![pts[0]];
    let d2 = |a: [f64; 2], b: [f64; 2]| (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2);
    let mut nearest: Vec<f64> = pts.iter().map(|p| d2(*p, pts[0])).collect();
    while centres.len() < k {
        let (i, _) = nearest
            .iter()
            .enumerate()
            .fold((0, -1.0), |b, (i, d)| if *d > b.1 { (i, *d) } else { b });
        centres.push(pts[i]);
        for (j, p) in pts.iter().enumerate() {
            nearest[j] = nearest[j].min(d2(*p, pts[i]));
        }
    }
    let mut label = vec![0usize; n];
    for _ in 0..25 {
        let mut moved = false;
        for (j, p) in pts.iter().enumerate() {
            let best = (0..k)
                .min_by(|a, b| d2(*p, centres[*a]).total_cmp(&d2(*p, centres[*b])))
                .unwrap_or(0);
            moved |= best != label[j];
            label[j] = best;
        }
        let mut sum = vec![[0.0f64; 3]; k];
        for (p, l) in pts.iter().zip(&label) {
            sum[*l][0] += p[0];
            sum[*l][1] += p[1];
            sum[*l][2] += 1.0;
        }
        for (c, s) in centres.iter_mut().zip(&sum) {
            if s[2] > 0.0 {
                *c = [s[0] / s[2], s[1] / s[2]];
            }
        }
        if !moved {
            break;
        }
    }
    let mut weights = vec![];
    let mut comps = vec![];
    for (c, centre) in centres.iter().enumerate() {
        let members: Vec<&[f64; 2]> = pts
            .iter()
            .zip(&label)
            .filter(|(_, l)| **l == c)
            .map(|(p, _)| p)
            .collect();
        if members.is_empty() {
            continue;
        }
        let m = members.len() as f64;
        let (mut sxx, mut sxy, mut syy) = (0.0, 0.0, 0.0);
        for p in &members {
            let (dx, dy) = (p[0] - centre[0], p[1] - centre[1]);
            sxx += dx * dx;
            sxy += dx * dy;
            syy += dy * dy;
        }
        let h2 = h * h;
        weights.push(m);
        comps.push(Gaussian2::new(
            *centre,
            sxx / m + h2,
            sxy / m,
            syy / m + h2,
        )?);
    }
    GaussianMixture::new(&weights, comps)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn few_points_give_the_exact_kernel_density_estimate() {
        let (xs, ys) = ([0.0, 2.0, -1.0], [0.0, 1.0, 3.0]);
        let h = 0.4;
        let p = mixture_from_points(&xs, &ys, h, 64).unwrap();
        assert_eq!(p.len(), 3);
        for q in [[0.3, 0.2], [1.0, 1.0], [-1.2, 2.5]] {
            let kde: f64 = xs
                .iter()
                .zip(&ys)
                .map(|(x, y)| {
                    let r2 = (q[0] - x).powi(2) + (q[1] - y).powi(2);
                    (-r2 / (2.0 * h * h)).exp() / (2.0 * std::f64::consts::PI * h * h) / 3.0
                })
                .sum();
            assert!(
                (p.density(q) - kde).abs() < 1e-12 * kde.max(1e-300),
                "{q:?}"
            );
        }
    }

    #[test]
    fn many_points_are_compressed_with_matching_moments() {
        // two blobs of 500 points on a grid: 2 clusters; mean and covariance are preserved
        let mut xs = vec![];
        let mut ys = vec![];
        for i in 0..500 {
            let (a, b) = ((i % 25) as f64 * 0.04, (i / 25) as f64 * 0.05);
            xs.push(-3.0 + a);
            ys.push(b);
            xs.push(3.0 + a);
            ys.push(1.0 + b);
        }
        let h = 0.1;
        let p = mixture_from_points(&xs, &ys, h, 2).unwrap();
        assert_eq!(p.len(), 2);
        let n = xs.len() as f64;
        let mx = xs.iter().sum::<f64>() / n;
        let vx = xs.iter().map(|x| (x - mx).powi(2)).sum::<f64>() / n;
        // the mixture's moments equal the sample's, plus h² of the kernel on the variance
        assert!((p.mean()[0] - mx).abs() < 1e-12);
        assert!((p.covariance()[0] - (vx + h * h)).abs() < 1e-9);
        // and it is deterministic
        assert_eq!(p, mixture_from_points(&xs, &ys, h, 2).unwrap());
    }

    #[test]
    fn rejects_bad_points() {
        assert!(mixture_from_points(&[], &[], 0.3, 8)
            .unwrap_err()
            .to_string()
            .starts_with("points must be 1 to 20000"));
        assert!(mixture_from_points(&[f64::NAN], &[0.0], 0.3, 8)
            .unwrap_err()
            .to_string()
            .starts_with("points must be finite"));
        assert!(mixture_from_points(&[0.0], &[0.0], 0.0, 8)
            .unwrap_err()
            .to_string()
            .starts_with("bandwidth must be"));
        // coincident points still give a valid (positive-definite) mixture
        assert!(mixture_from_points(&[1.0; 5], &[1.0; 5], 0.2, 8).is_ok());
    }
}
