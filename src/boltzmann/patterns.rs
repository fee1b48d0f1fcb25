//! The data of a Boltzmann machine: a multiset of binary patterns and its exact statistics.
//!
//! The data distribution is the empirical one, p(s) = (number of copies of s)/n. Its statistics
//! ⟨φ⟩_p (pixel pairs that are on together, pixels that are on) drive the positive phase; its
//! entropy H(p) = −Σ p log p turns the log-likelihood into the divergence,
//! KL(p‖q) = −H(p) − ⟨log q⟩_p. A Boltzmann machine gives every state positive probability, so
//! this KL is always finite, even for patterns never seen in the data.
//!
//! Presets are 3 × 3 images (bit 3r + c is the pixel in row r, column c):
//! * `bars-and-stripes`: every image whose rows are each all on or all off, and every image whose
//!   columns are (14 distinct images; MacKay 2003, §43) — strongly multimodal;
//! * `letters`: T, L, C, H, plus;
//! * `diagonals`: the two diagonals and the X they make.

use super::machine::{add_stats, param_count, Enumeration, MAX_UNITS};
use crate::error::Error;
use crate::rng::SimRng;
use rand::Rng;

/// The most patterns a data set may hold.
pub const MAX_PATTERNS: usize = 4096;

/// Names of the 3 × 3 presets.
pub const PRESET_NAMES: [&str; 3] = ["bars-and-stripes", "letters", "diagonals"];

/// A multiset of D-unit binary patterns.
#[derive(Debug, Clone, PartialEq)]
pub struct PatternSet {
    d: usize,
    patterns: Vec<u32>,
    /// (state, p(state)) for each distinct state, ascending.
    distinct: Vec<(u32, f64)>,
    stats: Vec<f64>,
    entropy: f64,
}

/// Bit mask of a 3 × 3 image given as three rows of three pixels ("#" on, "." off).
fn image(rows: [&str; 3]) -> u32 {
    let mut s = 0;
    for (r, row) in rows.iter().enumerate() {
        for (c, ch) in row.chars().enumerate() {
            if ch == '#' {
                s |= 1 << (3 * r + c);
            }
        }
    }
    s
}

impl PatternSet {
    /// Patterns of `d` ∈ [2, 16] units (bit i of each `u32` is unit i); 1 to 4096 of them.
    pub fn new(d: usize, patterns: &[u32]) -> Result<Self, Error> {
        if !(2..=MAX_UNITS).contains(&d) {
            return Err(Error::invalid(
                "units",
                format!("an integer in [2, {MAX_UNITS}]"),
                d,
            ));
        }
        if patterns.is_empty() || patterns.len() > MAX_PATTERNS {
            return Err(Error::invalid(
                "patterns",
                format!("a set of 1 to {MAX_PATTERNS} patterns"),
                format!("{} patterns", patterns.len()),
            ));
        }
        if let Some(&s) = patterns.iter().find(|&&s| (s as u64) >> d != 0) {
            return Err(Error::invalid(
                "pattern",
                format!("a bit pattern of {d} units (below 2^{d})"),
                s,
            ));
        }
        let n = patterns.len() as f64;
        let mut sorted = patterns.to_vec();
        sorted.sort_unstable();
        let mut distinct: Vec<(u32, f64)> = Vec::new();
        for s in sorted {
            match distinct.last_mut() {
                Some((t, c)) if *t == s => *c += 1.0,
                _ => distinct.push((s, 1.0)),
            }
        }
        let mut stats = vec![0.0; param_count(d)];
        let mut entropy = 0.0;
        for (s, c) in distinct.iter_mut() {
            *c /= n;
            add_stats(d, *s, *c, &mut stats);
            entropy -= *c * c.ln();
        }
        Ok(Self {
            d,
            patterns: patterns.to_vec(),
            distinct,
            stats,
            entropy,
        })
    }

    /// A 3 × 3 preset by name (see [`PRESET_NAMES`]).
    pub fn preset(name: &str) -> Result<Self, Error> {
        let pats: Vec<u32> = match name {
            "bars-and-stripes" => {
                let mut v = Vec::new();
                for m in 0..8u32 {
                    // rows r with bit r of m set are on
                    let rows = (0..3)
                        .filter(|r| (m >> r) & 1 == 1)
                        .fold(0, |s, r| s | (0b111 << (3 * r)));
                    let cols = (0..3)
                        .filter(|c| (m >> c) & 1 == 1)
                        .fold(0, |s, c| s | (0b001_001_001 << c));
                    v.push(rows);
                    v.push(cols);
                }
                v.sort_unstable();
                v.dedup();
                v
            }
            "letters" => vec![
                image(["###", ".#.", ".#."]),
                image(["#..", "#..", "###"]),
                image(["###", "#..", "###"]),
                image(["#.#", "###", "#.#"]),
                image([".#.", "###", ".#."]),
            ],
            "diagonals" => vec![
                image(["#..", ".#.", "..#"]),
                image(["..#", ".#.", "#.."]),
                image(["#.#", ".#.", "#.#"]),
            ],
            _ => {
                return Err(Error::invalid("preset", PRESET_NAMES.join(", "), name));
            }
        };
        Self::new(9, &pats)
    }

    /// Number of units D.
    pub fn units(&self) -> usize {
        self.d
    }
    /// The patterns, as given.
    pub fn patterns(&self) -> &[u32] {
        &self.patterns
    }
    /// Distinct states and their empirical probabilities.
    pub fn distinct(&self) -> &[(u32, f64)] {
        &self.distinct
    }
    /// ⟨φ⟩_p: data correlations ⟨s_i s_j⟩ (i < j), then data means ⟨s_i⟩.
    pub fn stats(&self) -> &[f64] {
        &self.stats
    }
    /// H(p) in nats.
    pub fn entropy(&self) -> f64 {
        self.entropy
    }

    /// The average log-likelihood ⟨log q⟩_p under an enumerated model of the same size.
    pub fn log_likelihood(&self, q: &Enumeration) -> f64 {
        self.distinct
            .iter()
            .map(|&(s, p)| p * q.log_q[s as usize])
            .sum()
    }

    /// KL(p‖q) = −H(p) − ⟨log q⟩_p, in nats.
    pub fn kl(&self, q: &Enumeration) -> f64 {
        -self.entropy - self.log_likelihood(q)
    }

    /// One pattern drawn uniformly from the multiset (a draw from p).
    pub fn sample(&self, rng: &mut SimRng) -> u32 {
        // Lemire's multiply-shift: bias below n/2^32, negligible for n ≤ 4096
        let i = ((rng.next_u32() as u64 * self.patterns.len() as u64) >> 32) as usize;
        self.patterns[i]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_have_the_documented_sizes() {
        assert_eq!(
            PatternSet::preset("bars-and-stripes")
                .unwrap()
                .patterns()
                .len(),
            14
        );
        assert_eq!(PatternSet::preset("letters").unwrap().patterns().len(), 5);
        assert_eq!(PatternSet::preset("diagonals").unwrap().patterns().len(), 3);
        assert!(PatternSet::preset("nope")
            .unwrap_err()
            .to_string()
            .contains("preset"));
    }

    #[test]
    fn duplicates_weigh_and_entropy_is_exact() {
        let p = PatternSet::new(3, &[1, 1, 2, 7]).unwrap();
        assert_eq!(p.distinct(), &[(1, 0.5), (2, 0.25), (7, 0.25)]);
        let h = -(0.5f64 * 0.5f64.ln() + 2.0 * 0.25 * 0.25f64.ln());
        assert!((p.entropy() - h).abs() < 1e-15);
        // stats: pairs (0,1), (0,2), (1,2), then means of units 0, 1, 2; only 7 = 0b111 has pairs
        let want = [0.25, 0.25, 0.25, 0.75, 0.5, 0.25];
        for (a, b) in p.stats().iter().zip(want) {
            assert!((a - b).abs() < 1e-15);
        }
    }

    #[test]
    fn bad_pattern_sets_are_typed_errors() {
        assert!(PatternSet::new(9, &[])
            .unwrap_err()
            .to_string()
            .starts_with("patterns must be"));
        assert!(PatternSet::new(3, &[8])
            .unwrap_err()
            .to_string()
            .starts_with("pattern must be"));
        assert!(PatternSet::new(20, &[1])
            .unwrap_err()
            .to_string()
            .starts_with("units must be"));
    }
}
