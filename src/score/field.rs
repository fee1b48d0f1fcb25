//! The score field of a Gaussian mixture: its Jacobian, its critical points, the reconstruction
//! of log p by a line integral, and the expectations of the score (Fisher information).
//!
//! For p = Σₖ wₖ N(μₖ, Σₖ) with responsibilities rₖ(x) and component scores gₖ = −Σₖ⁻¹(x − μₖ),
//! the score is s = Σₖ rₖ gₖ and, since ∇rₖ = rₖ (gₖ − s), its Jacobian (the Hessian of log p) is
//!
//!   ∇s(x) = Σₖ rₖ (−Σₖ⁻¹) + Σₖ rₖ gₖgₖᵀ − s sᵀ,
//!
//! a within-component curvature plus the covariance of the component scores under r(x).
//! The critical points (s = 0) are found by Newton's method x ← x − (∇s)⁻¹ s from a grid of starts
//! and classified by the eigenvalues of ∇s: both negative, a mode; mixed, a saddle; both positive, a
//! local minimum of p. The line integral (Hyvärinen 2005 §2; any conservative field)
//!
//!   log p(x) − log p(x₀) = ∫₀¹ s(x₀ + t(x − x₀))ᵀ(x − x₀) dt
//!
//! is computed by composite Gauss–Legendre quadrature. The identities E_p[s] = 0 and
//! E_p[s sᵀ] = −E_p[∇s] (integration by parts; the Fisher information of a location parameter)
//! are checked by [`score_expectations`] on a 2D quadrature grid.

use crate::error::Error;
use crate::mixture::{GaussianMixture, MAX_COMPONENTS};
use crate::quadrature::{Rule1, Rule2};

/// ∇s(x) = ∇²log p(x) as the symmetric entries (xx, xy, yy).
pub fn score_jacobian(p: &GaussianMixture, x: [f64; 2]) -> [f64; 3] {
    let mut l = [0.0f64; MAX_COMPONENTS];
    let mut m = f64::NEG_INFINITY;
    for (k, (w, c)) in p.weights().iter().zip(p.components()).enumerate() {
        l[k] = w.ln() + c.log_density(x);
        m = m.max(l[k]);
    }
    let mut total = 0.0;
    let (mut s, mut h) = ([0.0f64; 2], [0.0f64; 3]);
    for (k, c) in p.components().iter().enumerate() {
        let r = (l[k] - m).exp();
        total += r;
        let g = c.score(x);
        let pr = c.precision();
        s[0] += r * g[0];
        s[1] += r * g[1];
        h[0] += r * (g[0] * g[0] - pr[0]);
        h[1] += r * (g[0] * g[1] - pr[1]);
        h[2] += r * (g[1] * g[1] - pr[2]);
    }
    let (s0, s1) = (s[0] / total, s[1] / total);
    [
        h[0] / total - s0 * s0,
        h[1] / total - s0 * s1,
        h[2] / total - s1 * s1,
    ]
}

/// The kind of a critical point of p (a zero of the score).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CriticalKind {
    /// A local maximum of p (∇s negative definite): the field flows into it.
    Mode,
    /// A saddle of p (∇s indefinite).
    Saddle,
    /// A local minimum of p (∇s positive definite): the field flows out of it.
    Minimum,
}

/// A zero of the score field.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CriticalPoint {
    /// Position.
    pub x: [f64; 2],
    /// Mode, saddle or minimum.
    pub kind: CriticalKind,
}

/// The critical points of p inside `view` = [x0, x1, y0, y1]: Newton's method on s = 0 from a
/// 14 × 14 grid of starts, every component mean, the midpoints of pairs of means and p's mean, steps capped at a tenth of the box,
/// converged when ‖s‖ < 1e-9 · (1 + ‖Σ⁻¹‖ scale); duplicates closer than 1e-6 of the box merged.
/// Degenerate points (a Hessian eigenvalue within 1e-9 of zero) are left out.
pub fn critical_points(p: &GaussianMixture, view: [f64; 4]) -> Vec<CriticalPoint> {
    let size = (view[1] - view[0]).max(view[3] - view[2]);
    let cap = 0.1 * size;
    let means: Vec<[f64; 2]> = p.components().iter().map(|c| c.mean()).collect();
    let mut starts = means.clone();
    // saddles sit between modes and minima inside rings of modes: start at the midpoint of every
    // pair of means (up to 16 components) and at the mixture's mean too
    if means.len() <= 16 {
        for (i, a) in means.iter().enumerate() {
            for b in &means[i + 1..] {
                starts.push([0.5 * (a[0] + b[0]), 0.5 * (a[1] + b[1])]);
            }
        }
    }
    starts.push(p.mean());
    let n = 14;
    for j in 0..n {
        for i in 0..n {
            starts.push([
                view[0] + (i as f64 + 0.5) / n as f64 * (view[1] - view[0]),
                view[2] + (j as f64 + 0.5) / n as f64 * (view[3] - view[2]),
            ]);
        }
    }
    let mut found: Vec<CriticalPoint> = Vec::new();
    for x0 in starts {
        let mut x = x0;
        let mut ok = false;
        for _ in 0..80 {
            let s = p.score(x);
            let h = score_jacobian(p, x);
            let scale = h[0].abs().max(h[2].abs()).max(1e-300);
            if (s[0] * s[0] + s[1] * s[1]).sqrt() < 1e-9 * (1.0 + scale * size) {
                ok = true;
                break;
            }
            let det = h[0] * h[2] - h[1] * h[1];
            // (NaN or zero: no Newton step)
            if det.is_nan() || det.abs() <= 1e-300 {
                break;
            }
            let mut d = [
                (h[2] * s[0] - h[1] * s[1]) / det,
                (-h[1] * s[0] + h[0] * s[1]) / det,
            ];
            let len = (d[0] * d[0] + d[1] * d[1]).sqrt();
            if len > cap {
                d = [d[0] * cap / len, d[1] * cap / len];
            }
            x = [x[0] - d[0], x[1] - d[1]];
            if !(x[0].is_finite() && x[1].is_finite()) {
                break;
            }
        }
        let inside = x[0] >= view[0] && x[0] <= view[1] && x[1] >= view[2] && x[1] <= view[3];
        if !ok
            || !inside
            || found
                .iter()
                .any(|c| ((c.x[0] - x[0]).powi(2) + (c.x[1] - x[1]).powi(2)).sqrt() < 1e-6 * size)
        {
            continue;
        }
        let h = score_jacobian(p, x);
        let (tr, det) = (h[0] + h[2], h[0] * h[2] - h[1] * h[1]);
        let disc = ((0.25 * (h[0] - h[2]).powi(2)) + h[1] * h[1]).sqrt();
        let (e1, e2) = (0.5 * tr - disc, 0.5 * tr + disc);
        let tiny = 1e-9 * e1.abs().max(e2.abs()).max(1e-300);
        if e1.abs() < tiny || e2.abs() < tiny {
            continue;
        }
        let kind = if det < 0.0 {
            CriticalKind::Saddle
        } else if tr < 0.0 {
            CriticalKind::Mode
        } else {
            CriticalKind::Minimum
        };
        found.push(CriticalPoint { x, kind });
    }
    found
}

/// ∫₀¹ s(a + t(b − a))ᵀ(b − a) dt by composite Gauss–Legendre quadrature with `cells` cells of 8
/// nodes (`cells` ∈ [1, 10 000]); equals log p(b) − log p(a) for the exact score of p.
pub fn line_integral(
    score: impl Fn([f64; 2]) -> [f64; 2],
    a: [f64; 2],
    b: [f64; 2],
    cells: usize,
) -> Result<f64, Error> {
    let rule = Rule1::new(0.0, 1.0, cells.min(10_000), 8)?;
    let d = [b[0] - a[0], b[1] - a[1]];
    Ok(rule.integrate(|t| {
        let s = score([a[0] + t * d[0], a[1] + t * d[1]]);
        s[0] * d[0] + s[1] * d[1]
    }))
}

/// Cells for [`line_integral`] over a segment of length `length` through a field that varies on
/// the length scale `scale` (the smallest standard deviation of the smoothed target): four cells
/// of 8 nodes per `scale`, at least 64 and at most 10 000, so that the integrand is resolved even
/// where it crosses a thin mode or the thin shell around data on a curve.
pub fn line_integral_cells(length: f64, scale: f64) -> usize {
    let c = 4.0 * length / scale.max(1e-9);
    if c.is_finite() {
        (c.ceil() as usize).clamp(64, 10_000)
    } else {
        10_000
    }
}

/// The smallest standard deviation of any component of p: √λ_min(Σₖ) minimised over k.
pub fn smallest_scale(p: &GaussianMixture) -> f64 {
    p.components()
        .iter()
        .map(|c| {
            let s = c.cov();
            let disc = (0.25 * (s[0] - s[2]).powi(2) + s[1] * s[1]).sqrt();
            (0.5 * (s[0] + s[2]) - disc).max(0.0).sqrt()
        })
        .fold(f64::INFINITY, f64::min)
}

/// Expectations of the score under p by quadrature on `rule`:
/// (E[s], E[‖s‖²], E[tr ∇s]); the second and third are each other's negatives (Fisher identity).
pub fn score_expectations(p: &GaussianMixture, rule: &Rule2) -> ([f64; 2], f64, f64) {
    let (mut m, mut n2, mut tr) = ([0.0; 2], 0.0, 0.0);
    rule.for_each(|x, w| {
        let d = p.density(x) * w;
        if d == 0.0 {
            return;
        }
        let s = p.score(x);
        let h = score_jacobian(p, x);
        m[0] += d * s[0];
        m[1] += d * s[1];
        n2 += d * (s[0] * s[0] + s[1] * s[1]);
        tr += d * (h[0] + h[2]);
    });
    (m, n2, tr)
}

/// A quadrature rule that holds p's mass: p's view box with `cells`² cells of 8 × 8 nodes.
pub fn mixture_rule(p: &GaussianMixture, cells: usize) -> Result<Rule2, Error> {
    let b = p.view_box();
    Rule2::new(b, cells, 8)
}

/// The Fisher divergence E_p[(s_p − s_q)²] (without ½) of p = N(m₁, v₁) and q = N(m₂, v₂) on the
/// line: v₁(1/v₂ − 1/v₁)² + (m₁ − m₂)²/v₂² (s_p − s_q is affine in x; take its second moment).
pub fn fisher_divergence_gaussian1(m1: f64, v1: f64, m2: f64, v2: f64) -> f64 {
    v1 * (1.0 / v2 - 1.0 / v1).powi(2) + (m1 - m2).powi(2) / (v2 * v2)
}
