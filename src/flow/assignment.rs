//! The linear assignment problem: given an n × n cost matrix C, the permutation σ minimising
//! Σᵢ C[i, σ(i)]. For the costs ‖x₀ⁱ − x₁ʲ‖² this is the exact optimal-transport plan between two
//! empirical measures of n equal atoms (a permutation by Birkhoff's theorem), the pairing of
//! minibatch OT flow matching (Tong et al. 2024, arXiv:2302.00482, §3.2; Pooladian et al. 2023).
//!
//! Algorithm: the Hungarian method with potentials and shortest augmenting paths (Kuhn 1955,
//! Munkres 1957; the O(n³) Jonker–Volgenant form), which is exact for real costs. The solver keeps
//! its buffers, so repeated solves of the same size do not allocate.

use crate::error::Error;

/// The largest problem.
pub const MAX_SIZE: usize = 1024;

/// A reusable exact assignment solver.
#[derive(Debug, Clone, Default)]
pub struct Assignment {
    u: Vec<f64>,
    v: Vec<f64>,
    p: Vec<usize>,
    way: Vec<usize>,
    minv: Vec<f64>,
    used: Vec<bool>,
    /// row → column of the last solve.
    col_of: Vec<usize>,
}

impl Assignment {
    /// An empty solver.
    pub fn new() -> Self {
        Self::default()
    }

    /// Solves the problem for the row-major n × n `cost` (finite entries, 1 ≤ n ≤ 1024); returns
    /// the minimal total cost. [`Assignment::columns`] gives the permutation.
    pub fn solve(&mut self, n: usize, cost: &[f64]) -> Result<f64, Error> {
        if n == 0 || n > MAX_SIZE || cost.len() != n * n {
            return Err(Error::invalid(
                "cost",
                format!("an n × n matrix with 1 ≤ n ≤ {MAX_SIZE}"),
                format!("{} entries for n = {n}", cost.len()),
            ));
        }
        if cost.iter().any(|c| !c.is_finite()) {
            return Err(Error::invalid(
                "cost",
                "finite entries",
                "a non-finite entry",
            ));
        }
        // 1-based arrays as in the classical formulation; column 0 is the virtual start.
        let m = n + 1;
        for buf in [&mut self.u, &mut self.v, &mut self.minv] {
            buf.clear();
            buf.resize(m, 0.0);
        }
        self.p.clear();
        self.p.resize(m, 0);
        self.way.clear();
        self.way.resize(m, 0);
        let (u, v, p, way, minv) = (
            &mut self.u,
            &mut self.v,
            &mut self.p,
            &mut self.way,
            &mut self.minv,
        );
        let used = &mut self.used;
        used.clear();
        used.resize(m, false);
        for i in 1..=n {
            p[0] = i;
            let mut j0 = 0usize;
            minv.fill(f64::INFINITY);
            used.fill(false);
            loop {
                used[j0] = true;
                let i0 = p[j0];
                let row = &cost[(i0 - 1) * n..i0 * n];
                let ui0 = u[i0];
                let mut delta = f64::INFINITY;
                let mut j1 = 0usize;
                // the scan over free columns, without bounds checks (zipped slices of length n)
                for (j, ((((&c, &vj), mj), wj), &uj)) in row
                    .iter()
                    .zip(&v[1..])
                    .zip(&mut minv[1..])
                    .zip(&mut way[1..])
                    .zip(&used[1..])
                    .enumerate()
                {
                    if !uj {
                        let cur = c - ui0 - vj;
                        if cur < *mj {
                            *mj = cur;
                            *wj = j0;
                        }
                        if *mj < delta {
                            delta = *mj;
                            j1 = j + 1;
                        }
                    }
                }
                for j in 0..=n {
                    if used[j] {
                        u[p[j]] += delta;
                        v[j] -= delta;
                    } else {
                        minv[j] -= delta;
                    }
                }
                j0 = j1;
                if p[j0] == 0 {
                    break;
                }
            }
            loop {
                let j1 = way[j0];
                p[j0] = p[j1];
                j0 = j1;
                if j0 == 0 {
                    break;
                }
            }
        }
        self.col_of.clear();
        self.col_of.resize(n, 0);
        for j in 1..=n {
            self.col_of[self.p[j] - 1] = j - 1;
        }
        Ok((0..n).map(|i| cost[i * n + self.col_of[i]]).sum())
    }

    /// The column assigned to each row by the last solve.
    pub fn columns(&self) -> &[usize] {
        &self.col_of
    }
}

/// Squared distances ‖aᵢ − bⱼ‖² of two clouds of n points into `cost` (row-major, resized).
pub fn squared_distances(ax: &[f32], ay: &[f32], bx: &[f32], by: &[f32], cost: &mut Vec<f64>) {
    let n = ax.len();
    cost.resize(n * n, 0.0);
    for i in 0..n {
        for j in 0..n {
            let dx = ax[i] as f64 - bx[j] as f64;
            let dy = ay[i] as f64 - by[j] as f64;
            cost[i * n + j] = dx * dx + dy * dy;
        }
    }
}
