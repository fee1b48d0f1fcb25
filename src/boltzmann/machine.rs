//! Parameters, energy and exact enumeration of a fully visible Boltzmann machine.
//!
//!   E_θ(s) = −Σ_{i<j} W_ij s_i s_j − Σ_i b_i s_i,   s ∈ {0, 1}^D (bit i of a `u32` is unit i),
//!   log Z_θ = log Σ_s e^{−E_θ(s)}   (log-sum-exp over all 2^D states),
//!   ⟨φ⟩_q = Σ_s q_θ(s) φ(s),   φ(s) = (s_i s_j for i < j in row order, then s_i).
//!
//! The parameter vector θ is laid out like φ: the D(D−1)/2 couplings W_ij (i < j, row by row),
//! then the D biases b_i. The conditional field of unit i given the others is
//! a_i(s) = b_i + Σ_{j≠i} W_ij s_j, so P(s_i = 1 | rest) = σ(a_i) with σ the logistic function.

use crate::error::Error;

/// The largest number of units (2^16 = 65 536 states to enumerate).
pub const MAX_UNITS: usize = 16;

/// A fully visible Boltzmann machine with D binary units.
#[derive(Debug, Clone, PartialEq)]
pub struct BoltzmannMachine {
    d: usize,
    theta: Vec<f64>,
    /// Dense symmetric copy of W (zero diagonal), row-major D × D, for the conditional fields.
    w: Vec<f64>,
}

/// Exact quantities of one parameter vector, computed by listing every state.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Enumeration {
    /// log Z_θ.
    pub log_z: f64,
    /// log q_θ(s) for every state s (index = bit pattern).
    pub log_q: Vec<f64>,
    /// ⟨φ⟩_{q_θ}: model correlations ⟨s_i s_j⟩ (i < j), then model means ⟨s_i⟩.
    pub stats: Vec<f64>,
}

impl Enumeration {
    /// The `n` most probable states with their probabilities, most probable first (ties: lower
    /// state first).
    pub fn top_states(&self, n: usize) -> Vec<(u32, f64)> {
        let mut idx: Vec<u32> = (0..self.log_q.len() as u32).collect();
        idx.sort_by(|&a, &b| {
            self.log_q[b as usize]
                .partial_cmp(&self.log_q[a as usize])
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(a.cmp(&b))
        });
        idx.into_iter()
            .take(n)
            .map(|s| (s, self.log_q[s as usize].exp()))
            .collect()
    }
}

/// Number of parameters of a machine with `d` units: d(d−1)/2 couplings and d biases.
pub fn param_count(d: usize) -> usize {
    d * (d - 1) / 2 + d
}

/// Adds `weight`·φ(s) to `out` (length [`param_count`]). Visits only the units that are on, so
/// it costs O(|s|²) rather than O(D²).
pub fn add_stats(d: usize, s: u32, weight: f64, out: &mut [f64]) {
    let singles = d * (d - 1) / 2;
    let mut r = s;
    while r != 0 {
        let i = r.trailing_zeros() as usize;
        r &= r - 1;
        out[singles + i] += weight;
        // pairs (i, j) with j > i sit at i·d − i(i+1)/2 + (j − i − 1)
        let base = i * d - i * (i + 1) / 2;
        let mut rest = r;
        while rest != 0 {
            let j = rest.trailing_zeros() as usize;
            rest &= rest - 1;
            out[base + (j - i - 1)] += weight;
        }
    }
}

impl BoltzmannMachine {
    /// A machine with `d` ∈ [2, 16] units and all parameters zero (the uniform distribution).
    pub fn new(d: usize) -> Result<Self, Error> {
        if !(2..=MAX_UNITS).contains(&d) {
            return Err(Error::invalid(
                "units",
                format!("an integer in [2, {MAX_UNITS}]"),
                d,
            ));
        }
        Ok(Self {
            d,
            theta: vec![0.0; param_count(d)],
            w: vec![0.0; d * d],
        })
    }

    /// A machine with parameters θ (couplings W_ij for i < j row by row, then biases), all finite.
    pub fn from_params(d: usize, theta: &[f64]) -> Result<Self, Error> {
        let mut m = Self::new(d)?;
        m.set_params(theta)?;
        Ok(m)
    }

    /// Number of units D.
    pub fn units(&self) -> usize {
        self.d
    }

    /// The parameter vector θ.
    pub fn params(&self) -> &[f64] {
        &self.theta
    }

    /// The coupling W_ij (0 on the diagonal).
    pub fn coupling(&self, i: usize, j: usize) -> f64 {
        self.w[i * self.d + j]
    }

    /// The bias b_i.
    pub fn bias(&self, i: usize) -> f64 {
        self.theta[self.d * (self.d - 1) / 2 + i]
    }

    /// Replaces θ (length d(d−1)/2 + d, finite entries).
    pub fn set_params(&mut self, theta: &[f64]) -> Result<(), Error> {
        let n = param_count(self.d);
        if theta.len() != n {
            return Err(Error::invalid(
                "params",
                format!("{n} numbers for {} units", self.d),
                theta.len(),
            ));
        }
        if let Some(v) = theta.iter().find(|v| !v.is_finite()) {
            return Err(Error::invalid("params", "finite numbers", v));
        }
        self.theta.copy_from_slice(theta);
        self.sync_dense();
        Ok(())
    }

    /// θ ← θ + `scale`·`direction` (a gradient step); returns false, leaving θ unchanged, if the
    /// result would not be finite.
    pub fn add_scaled(&mut self, direction: &[f64], scale: f64) -> bool {
        if direction
            .iter()
            .zip(&self.theta)
            .any(|(g, t)| !(t + scale * g).is_finite())
        {
            return false;
        }
        for (t, g) in self.theta.iter_mut().zip(direction) {
            *t += scale * g;
        }
        self.sync_dense();
        true
    }

    fn sync_dense(&mut self) {
        let d = self.d;
        let mut k = 0;
        for i in 0..d {
            self.w[i * d + i] = 0.0;
            for j in i + 1..d {
                self.w[i * d + j] = self.theta[k];
                self.w[j * d + i] = self.theta[k];
                k += 1;
            }
        }
    }

    /// E_θ(s).
    pub fn energy(&self, s: u32) -> f64 {
        let d = self.d;
        let mut e = 0.0;
        for i in 0..d {
            if (s >> i) & 1 == 0 {
                continue;
            }
            e -= self.bias(i);
            for j in i + 1..d {
                if (s >> j) & 1 == 1 {
                    e -= self.w[i * d + j];
                }
            }
        }
        e
    }

    /// The conditional field a_i(s) = b_i + Σ_{j≠i} W_ij s_j (s_i itself is ignored).
    pub fn field(&self, i: usize, s: u32) -> f64 {
        let d = self.d;
        let row = &self.w[i * d..(i + 1) * d];
        let mut a = self.bias(i);
        for (j, wij) in row.iter().enumerate() {
            if (s >> j) & 1 == 1 {
                a += wij;
            }
        }
        a
    }

    /// Lists all 2^D states into `out`: log Z, log q(s) and ⟨φ⟩_q. Reuses `out`'s buffers.
    ///
    /// Energies are built incrementally: with k the highest set bit of s and s' = s without it,
    /// E(s) = E(s') − b_k − Σ_{j ∈ s'} W_kj, so the pass costs O(2^D · D).
    pub fn enumerate(&self, out: &mut Enumeration) {
        let d = self.d;
        let n = 1usize << d;
        out.log_q.clear();
        out.log_q.resize(n, 0.0);
        let neg_e = &mut out.log_q; // holds −E(s) first
        for s in 1..n {
            let k = usize::BITS - 1 - (s as u32 as usize).leading_zeros();
            let k = k as usize;
            let rest = s & !(1 << k);
            let mut v = neg_e[rest] + self.bias(k);
            let row = &self.w[k * d..(k + 1) * d];
            let mut r = rest;
            while r != 0 {
                let j = r.trailing_zeros() as usize;
                v += row[j];
                r &= r - 1;
            }
            neg_e[s] = v;
        }
        let max = neg_e.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let sum: f64 = neg_e.iter().map(|v| (v - max).exp()).sum();
        let log_z = max + sum.ln();
        out.log_z = log_z;
        out.stats.clear();
        out.stats.resize(param_count(d), 0.0);
        for (s, lq) in out.log_q.iter_mut().enumerate() {
            *lq -= log_z;
            let q = lq.exp();
            if q > 0.0 {
                add_stats(d, s as u32, q, &mut out.stats);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incremental_energies_match_the_definition() {
        let d = 5;
        let theta: Vec<f64> = (0..param_count(d))
            .map(|k| ((k * 37 % 11) as f64 - 5.0) * 0.3)
            .collect();
        let m = BoltzmannMachine::from_params(d, &theta).unwrap();
        let mut e = Enumeration::default();
        m.enumerate(&mut e);
        for s in 0..(1u32 << d) {
            // −E(s) − log Z = log q(s); rounding of ~10 additions of O(1) terms
            assert!(
                (e.log_q[s as usize] + m.energy(s) + e.log_z).abs() < 1e-12,
                "state {s}"
            );
        }
        let total: f64 = e.log_q.iter().map(|l| l.exp()).sum();
        assert!((total - 1.0).abs() < 1e-12);
    }

    #[test]
    fn sufficient_statistics_follow_the_documented_layout() {
        let d = 5;
        for s in 0..32u32 {
            let mut out = vec![0.0; param_count(d)];
            add_stats(d, s, 1.0, &mut out);
            let mut want = Vec::new();
            for i in 0..d {
                for j in i + 1..d {
                    want.push(((s >> i) & (s >> j) & 1) as f64);
                }
            }
            for i in 0..d {
                want.push(((s >> i) & 1) as f64);
            }
            assert_eq!(out, want, "state {s:05b}");
        }
    }

    #[test]
    fn field_is_the_energy_difference() {
        let d = 4;
        let theta: Vec<f64> = (0..param_count(d))
            .map(|k| (k as f64 * 0.7).sin())
            .collect();
        let m = BoltzmannMachine::from_params(d, &theta).unwrap();
        for s in 0..16u32 {
            for i in 0..d {
                let (off, on) = (s & !(1 << i), s | (1 << i));
                assert!((m.field(i, s) - (m.energy(off) - m.energy(on))).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn bad_sizes_are_typed_errors() {
        assert!(BoltzmannMachine::new(1)
            .unwrap_err()
            .to_string()
            .contains("units"));
        assert!(BoltzmannMachine::new(17).is_err());
        assert!(BoltzmannMachine::from_params(3, &[0.0; 5])
            .unwrap_err()
            .to_string()
            .contains("params"));
        assert!(BoltzmannMachine::from_params(2, &[f64::NAN, 0.0, 0.0]).is_err());
    }
}
