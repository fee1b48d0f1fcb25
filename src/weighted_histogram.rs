//! A 1-D histogram of weighted samples on a fixed range, read as a density.
//!
//! Bin b of B on [lo, hi] has width h = (hi − lo)/B and accumulates the weights wⱼ of the samples
//! falling in it; the density estimate is (Σ_{j∈b} wⱼ)/(h Σⱼ wⱼ), where the total includes the
//! samples outside the range, so the bars integrate to the fraction of weight inside. SGLD
//! chains use the step sizes as weights (Welling & Teh 2011, §4).

/// Weighted counts on B equal bins.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightedHistogram {
    lo: f64,
    hi: f64,
    bins: Vec<f64>,
    total: f64,
}

impl WeightedHistogram {
    /// `bins` ≥ 1 equal bins on [lo, hi] (lo < hi).
    pub fn new(lo: f64, hi: f64, bins: usize) -> Self {
        debug_assert!(lo < hi && bins >= 1);
        WeightedHistogram {
            lo,
            hi,
            bins: vec![0.0; bins.max(1)],
            total: 0.0,
        }
    }

    /// Adds sample `x` with weight `w` ≥ 0.
    pub fn add(&mut self, x: f64, w: f64) {
        self.total += w;
        if x >= self.lo && x < self.hi {
            let k = self.bins.len();
            let b = ((x - self.lo) / (self.hi - self.lo) * k as f64) as usize;
            self.bins[b.min(k - 1)] += w;
        }
    }

    /// Empties every bin.
    pub fn clear(&mut self) {
        self.bins.iter_mut().for_each(|b| *b = 0.0);
        self.total = 0.0;
    }

    /// The total weight added (inside and outside the range).
    pub fn total(&self) -> f64 {
        self.total
    }

    /// (bin centre, density) for every bin; zeros before any weight.
    pub fn density(&self) -> Vec<(f64, f64)> {
        let h = (self.hi - self.lo) / self.bins.len() as f64;
        let norm = if self.total > 0.0 {
            1.0 / (h * self.total)
        } else {
            0.0
        };
        self.bins
            .iter()
            .enumerate()
            .map(|(i, c)| (self.lo + (i as f64 + 0.5) * h, c * norm))
            .collect()
    }

    /// The density as a step outline (two points per bin), for a line chart.
    pub fn outline(&self) -> Vec<(f64, f64)> {
        let h = (self.hi - self.lo) / self.bins.len() as f64;
        self.density()
            .into_iter()
            .flat_map(|(c, d)| [(c - 0.5 * h, d), (c + 0.5 * h, d)])
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn density_integrates_to_the_weight_inside() {
        let mut h = WeightedHistogram::new(-1.0, 1.0, 4);
        h.add(-0.9, 1.0);
        h.add(0.1, 2.0);
        h.add(0.2, 1.0);
        h.add(5.0, 4.0); // outside
        let d = h.density();
        let integral: f64 = d.iter().map(|p| p.1 * 0.5).sum();
        assert!((integral - 0.5).abs() < 1e-12);
        assert!((d[2].1 - 3.0 / (0.5 * 8.0)).abs() < 1e-12);
        assert_eq!(h.outline().len(), 8);
    }
}
