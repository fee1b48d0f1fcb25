//! The curse of dimensionality of grid quadrature, measured on a mixture-of-wells energy.
//!
//! A grid with n points per axis costs nᵈ energy evaluations in d dimensions. How large must n
//! be? Measure it: put the plainest grid, the midpoint rule with n points per axis, on the
//! integration box of the 2D energy E and compute its relative error
//!
//!   δ(n) = Ẑ₂(n)/Z₂ − 1,
//!
//! against the accurate adaptive Gauss–Legendre value Z₂ ([`super::partition`], three cells per σ). Then take the
//! d-dimensional energy made of d/2 independent copies, E_d(x) = Σᵢ E(x₂ᵢ₋₁, x₂ᵢ), d even. Its
//! partition function is Z_d = Z₂^{d/2}, and because the tensor-product grid factorises over the
//! copies, the grid with n points per axis gives *exactly* Ẑ_d(n) = Ẑ₂(n)^{d/2}: no nᵈ sum has to
//! be run to know its error,
//!
//!   Ẑ_d/Z_d − 1 = (1 + δ(n))^{d/2} − 1 ≈ (d/2)·δ(n).
//!
//! So the relative error grows linearly with d at fixed n, the n needed for a target accuracy ε
//! grows slowly with d, and the number of evaluations n_d^d grows exponentially. n is taken from a
//! fixed ladder of sizes (3 to 640); "needed" means the error is within ε at that n and at every
//! larger n measured, which guards against an accidental zero crossing of δ(n).

use super::partition::{boltzmann_quadrature_with, log_z_on};
use super::wells::Wells;
use crate::error::{check_range, Error};
use crate::quadrature::{Rule1, Rule2};

/// The ladder of grid sizes n (points per axis) that is measured.
pub const LADDER: [usize; 25] = [
    3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 32, 40, 48, 64, 80, 96, 128, 160, 192, 256, 320, 384, 448,
    512, 640,
];
/// The dimensions d = 2, 4, …, 100 of the extrapolation.
pub const MAX_DIM: usize = 100;
/// Evaluation budget of one measurement: the ladder stops once n² × wells exceeds this.
pub const BUDGET: usize = 3_000_000;

/// Measured errors and the points needed per dimension.
#[derive(Debug, Clone, PartialEq)]
pub struct CurseReport {
    /// The target relative accuracy ε.
    pub tolerance: f64,
    /// (n, δ(n)) for every measured n.
    pub errors: Vec<(usize, f64)>,
    /// (d, n_d) for d = 2, 4, …, 100; `None` when no measured n reached ε.
    pub needed: Vec<(usize, Option<usize>)>,
    /// The error bar of the reference log Z₂ (must be far below ε for the measurement to mean
    /// anything; the widget shows it).
    pub reference_error: f64,
}

impl CurseReport {
    /// log₁₀ of the evaluations n_d^d, for the dimensions where n_d was found.
    pub fn log10_counts(&self) -> Vec<(f64, f64)> {
        self.needed
            .iter()
            .filter_map(|&(d, n)| n.map(|n| (d as f64, d as f64 * (n as f64).log10())))
            .collect()
    }
}

/// Measures δ(n) on the ladder and the n needed for relative accuracy `tolerance` ∈ [1e-8, 0.5]
/// for d = 2, 4, …, 100.
pub fn curse_of_dimensionality(
    wells: &Wells,
    t: f64,
    tolerance: f64,
) -> Result<CurseReport, Error> {
    check_range("tolerance", tolerance, 1e-8, 0.5, false)?;
    // the reference: a rule with three cells per σ, whose error bar is far below every ε
    let q = boltzmann_quadrature_with(wells, t, 3.0)?;
    let d = q.domain;
    let mut errors = Vec::new();
    for &n in LADDER.iter() {
        if n * n * wells.len() > BUDGET {
            break;
        }
        let rule = Rule2 {
            x: Rule1::new(d[0], d[1], n, 1)?,
            y: Rule1::new(d[2], d[3], n, 1)?,
        };
        let delta = (log_z_on(&rule, wells, t) - q.log_z).exp_m1();
        errors.push((n, delta));
        // far below every ε of interest at d = 100: larger n cannot change the answer
        if delta.abs() < 1e-13 {
            break;
        }
    }
    let needed = (1..=MAX_DIM / 2)
        .map(|copies| {
            let ok = |delta: f64| ((copies as f64) * delta.ln_1p()).exp_m1().abs() <= tolerance;
            // the smallest n from which on every measured n is within tolerance
            let mut n_needed = None;
            for &(n, delta) in errors.iter().rev() {
                if ok(delta) {
                    n_needed = Some(n);
                } else {
                    break;
                }
            }
            (2 * copies, n_needed)
        })
        .collect();
    Ok(CurseReport {
        tolerance,
        errors,
        needed,
        reference_error: q.error,
    })
}
