//! Composite Gauss–Legendre quadrature on uniform grids in one and two dimensions.
//!
//! The interval [lo, hi] is cut into `cells` equal cells and each cell carries the m-point
//! Gauss–Legendre rule (m = 1, 2, 4 or 8), so
//!
//!   ∫ f(x) dx ≈ Σ_c Σ_k (h/2) w_k f(c + (h/2) ξ_k),     h = (hi − lo)/cells,
//!
//! which is exact for polynomials of degree 2m − 1 on every cell; for smooth f the error falls as
//! h^{2m}. The 2D rule is the tensor product of two 1D rules. Densities are integrated in log
//! space when they span many orders of magnitude (Boltzmann factors, KL integrands):
//!
//!   log ∫ e^{g(x)} dx = g_max + log Σ_i w_i e^{g(x_i) − g_max}     (log-sum-exp).
//!
//! Nodes and weights of the standard rules on [−1, 1]: Abramowitz & Stegun, table 25.4.

use crate::error::{check_range, Error};

/// Nodes ξ_k of the m-point Gauss–Legendre rules on [−1, 1] for m = 1, 2, 4, 8.
fn gl_nodes(m: usize) -> &'static [f64] {
    match m {
        1 => &[0.0],
        2 => &[-0.577_350_269_189_625_8, 0.577_350_269_189_625_8],
        4 => &[
            -0.861_136_311_594_052_6,
            -0.339_981_043_584_856_3,
            0.339_981_043_584_856_3,
            0.861_136_311_594_052_6,
        ],
        _ => &[
            -0.960_289_856_497_536_3,
            -0.796_666_477_413_626_7,
            -0.525_532_409_916_329_0,
            -0.183_434_642_495_649_8,
            0.183_434_642_495_649_8,
            0.525_532_409_916_329_0,
            0.796_666_477_413_626_7,
            0.960_289_856_497_536_3,
        ],
    }
}

/// Weights w_k matching [`gl_nodes`].
fn gl_weights(m: usize) -> &'static [f64] {
    match m {
        1 => &[2.0],
        2 => &[1.0, 1.0],
        4 => &[
            0.347_854_845_137_453_9,
            0.652_145_154_862_546_1,
            0.652_145_154_862_546_1,
            0.347_854_845_137_453_9,
        ],
        _ => &[
            0.101_228_536_290_376_3,
            0.222_381_034_453_374_5,
            0.313_706_645_877_887_3,
            0.362_683_783_378_362_0,
            0.362_683_783_378_362_0,
            0.313_706_645_877_887_3,
            0.222_381_034_453_374_5,
            0.101_228_536_290_376_3,
        ],
    }
}

/// Nodes and weights of the m-point Gauss–Legendre rule on [−1, 1], m ∈ {1, 2, 4, 8} (any other
/// m gives the 8-point rule).
pub fn gauss_legendre(m: usize) -> (&'static [f64], &'static [f64]) {
    (gl_nodes(m), gl_weights(m))
}

/// A composite Gauss–Legendre rule on [lo, hi]: nodes and weights, ready to sum.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule1 {
    lo: f64,
    hi: f64,
    cells: usize,
    order: usize,
    nodes: Vec<f64>,
    weights: Vec<f64>,
}

impl Rule1 {
    /// `cells` ∈ [1, 100 000] equal cells on [lo, hi] (lo < hi, both finite), each with the
    /// `order`-point rule, `order` ∈ {1, 2, 4, 8}.
    pub fn new(lo: f64, hi: f64, cells: usize, order: usize) -> Result<Self, Error> {
        if !(lo.is_finite() && hi.is_finite() && lo < hi) {
            return Err(Error::invalid(
                "interval",
                "finite lo < hi",
                format!("[{lo}, {hi}]"),
            ));
        }
        check_range("cells", cells as f64, 1.0, 100_000.0, false)?;
        if ![1, 2, 4, 8].contains(&order) {
            return Err(Error::invalid("order", "1, 2, 4 or 8", order.to_string()));
        }
        let h = (hi - lo) / cells as f64;
        let (xi, wi) = (gl_nodes(order), gl_weights(order));
        let mut nodes = Vec::with_capacity(cells * order);
        let mut weights = Vec::with_capacity(cells * order);
        for c in 0..cells {
            let mid = lo + (c as f64 + 0.5) * h;
            for (x, w) in xi.iter().zip(wi) {
                nodes.push(mid + 0.5 * h * x);
                weights.push(0.5 * h * w);
            }
        }
        Ok(Self {
            lo,
            hi,
            cells,
            order,
            nodes,
            weights,
        })
    }

    /// A composite rule on the cells [b₀, b₁], [b₁, b₂], … given by strictly increasing finite
    /// breakpoints (2 to 100 001 of them), each cell with the `order`-point rule. Non-uniform cells
    /// put the nodes where the integrand varies (e.g. near the wells of an energy).
    pub fn from_breakpoints(breaks: &[f64], order: usize) -> Result<Self, Error> {
        if breaks.len() < 2 || breaks.len() > 100_001 {
            return Err(Error::invalid(
                "breakpoints",
                "a list of 2 to 100001 numbers",
                format!("{} numbers", breaks.len()),
            ));
        }
        if breaks.iter().any(|b| !b.is_finite()) || breaks.windows(2).any(|w| w[0] >= w[1]) {
            return Err(Error::invalid(
                "breakpoints",
                "finite and strictly increasing",
                format!("{:?}…", &breaks[..breaks.len().min(4)]),
            ));
        }
        if ![1, 2, 4, 8].contains(&order) {
            return Err(Error::invalid("order", "1, 2, 4 or 8", order.to_string()));
        }
        let (xi, wi) = (gl_nodes(order), gl_weights(order));
        let cells = breaks.len() - 1;
        let mut nodes = Vec::with_capacity(cells * order);
        let mut weights = Vec::with_capacity(cells * order);
        for w in breaks.windows(2) {
            let (mid, half) = (0.5 * (w[0] + w[1]), 0.5 * (w[1] - w[0]));
            for (x, wt) in xi.iter().zip(wi) {
                nodes.push(mid + half * x);
                weights.push(half * wt);
            }
        }
        Ok(Self {
            lo: breaks[0],
            hi: breaks[cells],
            cells,
            order,
            nodes,
            weights,
        })
    }

    /// The interval [lo, hi].
    pub fn interval(&self) -> [f64; 2] {
        [self.lo, self.hi]
    }
    /// Number of cells.
    pub fn cells(&self) -> usize {
        self.cells
    }
    /// Points per cell.
    pub fn order(&self) -> usize {
        self.order
    }
    /// All nodes, in increasing order.
    pub fn nodes(&self) -> &[f64] {
        &self.nodes
    }
    /// The weight of each node (they sum to hi − lo).
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }
    /// Number of function evaluations, cells × order.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }
    /// Never true (a rule has at least one node); present for API symmetry with `len`.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// ∫ f(x) dx over [lo, hi].
    pub fn integrate(&self, mut f: impl FnMut(f64) -> f64) -> f64 {
        self.nodes
            .iter()
            .zip(&self.weights)
            .map(|(&x, &w)| w * f(x))
            .sum()
    }

    /// log ∫ e^{g(x)} dx, stable for any range of g; −∞ if g = −∞ everywhere.
    pub fn log_integrate_exp(&self, mut g: impl FnMut(f64) -> f64) -> f64 {
        let values: Vec<f64> = self.nodes.iter().map(|&x| g(x)).collect();
        log_sum_exp_weighted(&values, |i| self.weights[i])
    }
}

/// The tensor product of two composite rules on [x0, x1] × [y0, y1].
#[derive(Debug, Clone, PartialEq)]
pub struct Rule2 {
    /// Rule along x.
    pub x: Rule1,
    /// Rule along y.
    pub y: Rule1,
}

impl Rule2 {
    /// `cells` × `cells` cells over `view` = [x0, x1, y0, y1], each with order² points.
    pub fn new(view: [f64; 4], cells: usize, order: usize) -> Result<Self, Error> {
        Ok(Self {
            x: Rule1::new(view[0], view[1], cells, order)?,
            y: Rule1::new(view[2], view[3], cells, order)?,
        })
    }

    /// Number of function evaluations.
    pub fn len(&self) -> usize {
        self.x.len() * self.y.len()
    }
    /// Never true; present for API symmetry with `len`.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Calls `f(x, y, weight)` at every node, x fastest.
    pub fn for_each(&self, mut f: impl FnMut([f64; 2], f64)) {
        for (&y, &wy) in self.y.nodes().iter().zip(self.y.weights()) {
            for (&x, &wx) in self.x.nodes().iter().zip(self.x.weights()) {
                f([x, y], wx * wy);
            }
        }
    }

    /// ∬ f dx dy.
    pub fn integrate(&self, mut f: impl FnMut([f64; 2]) -> f64) -> f64 {
        let mut s = 0.0;
        self.for_each(|p, w| s += w * f(p));
        s
    }

    /// log ∬ e^{g} dx dy, stable for any range of g.
    pub fn log_integrate_exp(&self, mut g: impl FnMut([f64; 2]) -> f64) -> f64 {
        let mut values = Vec::with_capacity(self.len());
        let mut weights = Vec::with_capacity(self.len());
        self.for_each(|p, w| {
            values.push(g(p));
            weights.push(w);
        });
        log_sum_exp_weighted(&values, |i| weights[i])
    }
}

/// log Σ_i w_i e^{v_i} with positive weights, by shifting with the maximum.
pub fn log_sum_exp_weighted(values: &[f64], weight: impl Fn(usize) -> f64) -> f64 {
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if max == f64::NEG_INFINITY || max.is_nan() {
        return max;
    }
    if max == f64::INFINITY {
        return f64::INFINITY;
    }
    let s: f64 = values
        .iter()
        .enumerate()
        .map(|(i, &v)| weight(i) * (v - max).exp())
        .sum();
    max + s.ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_order_is_exact_to_degree_2m_minus_1() {
        for m in [1usize, 2, 4, 8] {
            let r = Rule1::new(-1.0, 2.0, 1, m).unwrap();
            let deg = 2 * m as i32 - 1;
            let got = r.integrate(|x| x.powi(deg));
            let exact = (2f64.powi(deg + 1) - (-1f64).powi(deg + 1)) / (deg + 1) as f64;
            // exact in exact arithmetic; the tolerance covers rounding of ~20 terms
            assert!(
                (got - exact).abs() < 1e-12 * exact.abs().max(1.0),
                "m={m}: {got} vs {exact}"
            );
        }
    }

    #[test]
    fn gaussian_partition_function_in_1d_and_2d() {
        // ∫ e^{−x²/(2s²)} dx = √(2π) s; the box ±12 s loses e^{−72}, far below rounding
        let s = 0.7;
        let r1 = Rule1::new(-12.0 * s, 12.0 * s, 64, 4).unwrap();
        let z1 = r1.log_integrate_exp(|x| -x * x / (2.0 * s * s)).exp();
        assert!((z1 / ((2.0 * std::f64::consts::PI).sqrt() * s) - 1.0).abs() < 1e-12);
        let r2 = Rule2::new([-12.0 * s, 12.0 * s, -12.0 * s, 12.0 * s], 64, 4).unwrap();
        let z2 = r2
            .log_integrate_exp(|p| -(p[0] * p[0] + p[1] * p[1]) / (2.0 * s * s))
            .exp();
        assert!((z2 / (2.0 * std::f64::consts::PI * s * s) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn log_integral_survives_huge_exponents() {
        // e^{1000} overflows f64; the log-space integral does not: log ∫₀¹ e^{1000} dx = 1000
        let r = Rule1::new(0.0, 1.0, 4, 2).unwrap();
        assert!((r.log_integrate_exp(|_| 1000.0) - 1000.0).abs() < 1e-12);
        assert_eq!(
            r.log_integrate_exp(|_| f64::NEG_INFINITY),
            f64::NEG_INFINITY
        );
    }

    #[test]
    fn breakpoint_rules_match_uniform_ones_and_integrate_exactly() {
        // uniform breakpoints reproduce Rule1::new to rounding
        let b: Vec<f64> = (0..=8).map(|i| -1.0 + 0.25 * i as f64).collect();
        let (u, v) = (
            Rule1::new(-1.0, 1.0, 8, 4).unwrap(),
            Rule1::from_breakpoints(&b, 4).unwrap(),
        );
        for (x, y) in u.nodes().iter().zip(v.nodes()) {
            assert!((x - y).abs() < 1e-15);
        }
        // uneven cells: still exact for degree 2m − 1 = 7 on every cell
        let r = Rule1::from_breakpoints(&[-1.0, -0.9, 0.3, 0.31, 2.0], 4).unwrap();
        let got = r.integrate(|x| x.powi(7));
        assert!((got - (2f64.powi(8) - 1.0) / 8.0).abs() < 1e-12, "{got}");
        assert!(Rule1::from_breakpoints(&[0.0, 0.0, 1.0], 4).is_err());
        assert!(Rule1::from_breakpoints(&[0.0], 4).is_err());
    }

    #[test]
    fn bad_rules_are_typed_errors() {
        assert!(Rule1::new(1.0, 0.0, 4, 2)
            .unwrap_err()
            .to_string()
            .contains("interval"));
        assert!(Rule1::new(0.0, 1.0, 0, 2)
            .unwrap_err()
            .to_string()
            .contains("cells"));
        assert!(Rule1::new(0.0, 1.0, 4, 3)
            .unwrap_err()
            .to_string()
            .contains("order"));
        assert!(Rule1::new(0.0, f64::NAN, 4, 2).is_err());
    }
}
