//! Recorded paths of a few particles, for a time scrubber over a sampler's run.
//!
//! Every call to [`Trajectories::record`] appends the positions of the first `tracked` particles
//! and the time, into buffers sized once at construction (no allocation while recording). The
//! positions are stored snapshot-major, `[x₀, y₀, x₁, y₁, …]` per snapshot, so a plot reads
//! snapshot k of particle i at `2(k·tracked + i)`.

use crate::error::Error;
use crate::particles::Particles;

/// The most snapshots × tracked particles a recorder may hold.
pub const MAX_POINTS: usize = 4_000_000;

/// Snapshots of the first `tracked` particles.
#[derive(Debug, Clone, PartialEq)]
pub struct Trajectories {
    tracked: usize,
    capacity: usize,
    points: Vec<f32>,
    times: Vec<f64>,
}

impl Trajectories {
    /// Room for `snapshots` snapshots of `tracked` particles (tracked·snapshots ≤ 4·10⁶).
    pub fn new(tracked: usize, snapshots: usize) -> Result<Self, Error> {
        if tracked == 0 || snapshots == 0 || tracked.saturating_mul(snapshots) > MAX_POINTS {
            return Err(Error::invalid(
                "trajectories",
                format!("tracked ≥ 1 and snapshots ≥ 1 with tracked × snapshots ≤ {MAX_POINTS}"),
                format!("{tracked} × {snapshots}"),
            ));
        }
        Ok(Trajectories {
            tracked,
            capacity: snapshots,
            points: Vec::with_capacity(2 * tracked * snapshots),
            times: Vec::with_capacity(snapshots),
        })
    }

    /// Appends a snapshot at time t; `false` (and nothing stored) when full or when the cloud has
    /// fewer than `tracked` particles.
    pub fn record(&mut self, t: f64, p: &Particles) -> bool {
        if self.times.len() == self.capacity || p.len() < self.tracked {
            return false;
        }
        for i in 0..self.tracked {
            self.points.push(p.xs[i]);
            self.points.push(p.ys[i]);
        }
        self.times.push(t);
        true
    }

    /// Forgets every snapshot (keeps the buffers).
    pub fn clear(&mut self) {
        self.points.clear();
        self.times.clear();
    }
    /// Particles per snapshot.
    pub fn tracked(&self) -> usize {
        self.tracked
    }
    /// Snapshots recorded.
    pub fn len(&self) -> usize {
        self.times.len()
    }
    /// True before the first snapshot.
    pub fn is_empty(&self) -> bool {
        self.times.is_empty()
    }
    /// The interleaved positions (a view for plots).
    pub fn points(&self) -> &[f32] {
        &self.points
    }
    /// The snapshot times.
    pub fn times(&self) -> &[f64] {
        &self.times
    }
    /// Position of particle i at snapshot k.
    pub fn position(&self, k: usize, i: usize) -> Option<[f32; 2]> {
        (k < self.len() && i < self.tracked).then(|| {
            let j = 2 * (k * self.tracked + i);
            [self.points[j], self.points[j + 1]]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_without_reallocating_and_refuses_when_full() {
        let mut tr = Trajectories::new(3, 2).unwrap();
        let cap = tr.points.capacity();
        let mut p = Particles::normal(5, [0.0, 0.0], 1.0, 1);
        assert!(tr.record(1.0, &p));
        p.xs[1] = 7.0;
        assert!(tr.record(0.5, &p));
        assert!(!tr.record(0.0, &p));
        assert_eq!(tr.points.capacity(), cap);
        assert_eq!(tr.position(1, 1), Some([7.0, p.ys[1]]));
        assert_eq!(tr.times(), &[1.0, 0.5]);
        assert!(tr.position(2, 0).is_none());
        assert!(Trajectories::new(0, 5).is_err());
        assert!(!Trajectories::new(3, 1)
            .unwrap()
            .record(0.0, &Particles::normal(2, [0.0, 0.0], 1.0, 1)));
    }
}
