//! The partition function Z_T = ∫ e^{−E(x)/T} dx of a mixture-of-wells energy, by 2D quadrature.
//!
//! In two dimensions Z_T is just an integral, computed here in log space (log-sum-exp over the
//! nodes, see [`crate::quadrature`]) with a tensor-product composite Gauss–Legendre rule of order 4
//! whose cells follow the wells: along each axis, well k needs cells no wider than its scale
//! σₖ = wₖ√T on the interval cₖ ± 8σₖ (outside it the well's bump is below e^{−32} of its peak);
//! elsewhere cells are as wide as the gaps. The rule is exact for polynomials of degree 7 on
//! every cell and its error on smooth integrands falls as h⁸.
//!
//! Error estimate: the same integral on the rule with every other breakpoint removed (cells twice
//! as wide). The difference |log Z_h − log Z_{2h}| is reported as the error bar of log Z_h; since
//! the error of a converging rule shrinks by about 2⁸ = 256 when h halves, this bounds the error
//! of the finer rule with a wide margin (tested against the closed form at T = 1).
//!
//! In the same pass the mass of every well is accumulated: its share ∫ p_T rₖ dx (rₖ = the well's
//! softmax responsibility; at T = 1 this equals e^{aₖ}2πwₖ²/Z₁ exactly) and its basin mass
//! ∫_{Bₖ} p_T dx, Bₖ = {x : well k has the largest logit lₖ(x)}.

use super::wells::{check_temperature, Wells, MAX_WELLS};
use crate::error::Error;
use crate::quadrature::{Rule1, Rule2};

/// Half-width of a well's interval, in units of its scale σ = w√T.
pub const TAIL_SIGMAS: f64 = 8.0;
/// Nodes whose integrand is below e^{−SKIP} times the largest one met so far are skipped.
pub const SKIP: f64 = 60.0;
/// Most cells per axis of the adaptive rule.
pub const MAX_CELLS: usize = 4000;

/// Breakpoints along one axis for wells at positions `centres` with scales `scales`: cells no
/// wider than σₖ/`resolution` on cₖ ± 8σₖ, single cells across gaps.
pub fn breakpoints(centres: &[f64], scales: &[f64], resolution: f64) -> Vec<f64> {
    let starts: Vec<f64> = centres
        .iter()
        .zip(scales)
        .map(|(c, s)| c - TAIL_SIGMAS * s)
        .collect();
    let ends: Vec<f64> = centres
        .iter()
        .zip(scales)
        .map(|(c, s)| c + TAIL_SIGMAS * s)
        .collect();
    let lo = starts.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = ends.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut b = vec![lo];
    let mut x = lo;
    while x < hi && b.len() <= MAX_CELLS {
        let mut h = f64::INFINITY;
        for k in 0..centres.len() {
            if starts[k] <= x && x < ends[k] {
                h = h.min(scales[k] / resolution);
            } else if starts[k] > x {
                // never step over the start of another well's interval
                h = h.min(starts[k] - x);
            }
        }
        if !h.is_finite() {
            h = hi - x;
        }
        x = (x + h).min(hi);
        // avoid slivers: merge a last cell shorter than 1e-9 of the span into its neighbour
        if hi - x < 1e-9 * (hi - lo) {
            x = hi;
        }
        b.push(x);
    }
    if *b.last().unwrap() < hi {
        b.push(hi);
    }
    b
}

/// Every other breakpoint (the first and the last kept): cells about twice as wide.
pub fn coarsen(b: &[f64]) -> Vec<f64> {
    let mut c: Vec<f64> = b.iter().step_by(2).copied().collect();
    if c.last() != b.last() {
        c.push(*b.last().unwrap());
    }
    c
}

/// The adaptive rule for `wells` at temperature `t` (`resolution` cells per σ; 1 is the default).
pub fn adaptive_rule(wells: &Wells, t: f64, resolution: f64) -> Result<Rule2, Error> {
    let (bx, by) = axis_breakpoints(wells, t, resolution);
    Ok(Rule2 {
        x: Rule1::from_breakpoints(&bx, 4)?,
        y: Rule1::from_breakpoints(&by, 4)?,
    })
}

fn axis_breakpoints(wells: &Wells, t: f64, resolution: f64) -> (Vec<f64>, Vec<f64>) {
    let cx: Vec<f64> = wells.wells().iter().map(|w| w.centre[0]).collect();
    let cy: Vec<f64> = wells.wells().iter().map(|w| w.centre[1]).collect();
    let s: Vec<f64> = (0..wells.len()).map(|k| wells.scale(k, t)).collect();
    (
        breakpoints(&cx, &s, resolution),
        breakpoints(&cy, &s, resolution),
    )
}

/// log ∫ e^{−E/T} over the nodes of `rule` (log-sum-exp).
pub fn log_z_on(rule: &Rule2, wells: &Wells, t: f64) -> f64 {
    let (mut m, mut s) = (f64::NEG_INFINITY, 0.0);
    let log_k = (wells.len() as f64).ln();
    rule.for_each(|x, w| {
        // −E/T ≤ (max logit + log K)/T: a node that cannot come within e^{−60} of the largest
        // term so far is skipped (its share of the sum is below f64 resolution)
        if (wells.max_logit(x) + log_k) / t < m - SKIP {
            return;
        }
        let g = -wells.energy(x) / t;
        if g > m {
            s *= (m - g).exp();
            m = g;
        }
        s += w * (g - m).exp();
    });
    m + s.ln()
}

/// The result of [`boltzmann_quadrature`].
#[derive(Debug, Clone, PartialEq)]
pub struct BoltzmannQuadrature {
    /// log Z_T on the adaptive rule.
    pub log_z: f64,
    /// |log Z_h − log Z_{2h}|: a conservative error bar of `log_z`.
    pub error: f64,
    /// Function evaluations of the fine rule.
    pub nodes: usize,
    /// Shares ∫ p_T rₖ dx of the wells (sum 1).
    pub shares: Vec<f64>,
    /// Basin masses ∫_{Bₖ} p_T dx (sum 1).
    pub basins: Vec<f64>,
    /// The integration box [x0, x1, y0, y1] (every well ± 8 σ).
    pub domain: [f64; 4],
}

/// log Z_T with its error bar, and the mass of each well, for `wells` at temperature `t`.
pub fn boltzmann_quadrature(wells: &Wells, t: f64) -> Result<BoltzmannQuadrature, Error> {
    boltzmann_quadrature_with(wells, t, 1.0)
}

/// [`boltzmann_quadrature`] with `resolution` ∈ [0.5, 8] cells per σ (1 by default; finer rules
/// serve as references).
pub fn boltzmann_quadrature_with(
    wells: &Wells,
    t: f64,
    resolution: f64,
) -> Result<BoltzmannQuadrature, Error> {
    check_temperature(t)?;
    crate::error::check_range("resolution", resolution, 0.5, 8.0, false)?;
    let (bx, by) = axis_breakpoints(wells, t, resolution);
    let fine = Rule2 {
        x: Rule1::from_breakpoints(&bx, 4)?,
        y: Rule1::from_breakpoints(&by, 4)?,
    };
    let coarse = Rule2 {
        x: Rule1::from_breakpoints(&coarsen(&bx), 4)?,
        y: Rule1::from_breakpoints(&coarsen(&by), 4)?,
    };
    let k = wells.len();
    let (mut m, mut s) = (f64::NEG_INFINITY, 0.0);
    let (mut sh, mut ba) = ([0.0; MAX_WELLS], [0.0; MAX_WELLS]);
    let mut r = [0.0; MAX_WELLS];
    let log_k = (k as f64).ln();
    fine.for_each(|x, w| {
        if (wells.max_logit(x) + log_k) / t < m - SKIP {
            return;
        }
        let g = -wells.responsibilities(x, &mut r) / t;
        if g > m {
            let f = (m - g).exp();
            s *= f;
            sh[..k].iter_mut().for_each(|v| *v *= f);
            ba[..k].iter_mut().for_each(|v| *v *= f);
            m = g;
        }
        let wg = w * (g - m).exp();
        s += wg;
        let mut best = 0;
        for j in 0..k {
            sh[j] += wg * r[j];
            if r[j] > r[best] {
                best = j;
            }
        }
        ba[best] += wg;
    });
    let log_z = m + s.ln();
    let log_z_coarse = log_z_on(&coarse, wells, t);
    Ok(BoltzmannQuadrature {
        log_z,
        error: (log_z - log_z_coarse).abs(),
        nodes: fine.len(),
        shares: sh[..k].iter().map(|v| v / s).collect(),
        basins: ba[..k].iter().map(|v| v / s).collect(),
        domain: [bx[0], *bx.last().unwrap(), by[0], *by.last().unwrap()],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breakpoints_cover_every_well_finely_and_jump_gaps() {
        let b = breakpoints(&[-10.0, 10.0], &[0.5, 0.5], 1.0);
        assert_eq!(b[0], -14.0);
        assert_eq!(*b.last().unwrap(), 14.0);
        assert!(b.windows(2).all(|w| w[1] > w[0]));
        // fine cells near each centre, one cell across the gap [−6, 6]
        assert!(
            b.windows(2)
                .filter(|w| w[0] >= -6.0 - 1e-12 && w[1] <= 6.0 + 1e-12)
                .count()
                == 1
        );
        assert!(b
            .windows(2)
            .all(|w| w[1] - w[0] <= 0.5 + 1e-12 || (w[0] + 6.0).abs() < 1e-9));
    }
}
