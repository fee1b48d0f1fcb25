//! A cloud of 2-D particles stored as f32 structure-of-arrays.
//!
//! `xs` and `ys` are separate contiguous arrays so that the SIMD kernels load four particles'
//! x coordinates with one `v128.load`, and so that JS can read them through `Float32Array` views
//! over wasm memory (no copy). Resizing reallocates: views must be re-created afterwards.

use crate::error::Error;
use crate::normal::normal_pair;
use crate::rng::{counter_u32, sim_rng_stream, StepKey};

/// The largest cloud a widget may ask for.
pub const MAX_PARTICLES: usize = 1_000_000;

/// Particle positions, x and y in separate arrays.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Particles {
    /// x coordinates.
    pub xs: Vec<f32>,
    /// y coordinates.
    pub ys: Vec<f32>,
}

/// Validates a particle count.
pub fn check_count(n: f64) -> Result<usize, Error> {
    if n.is_finite() && n.fract() == 0.0 && (1.0..=MAX_PARTICLES as f64).contains(&n) {
        Ok(n as usize)
    } else {
        Err(Error::invalid(
            "particles",
            format!("an integer in [1, {MAX_PARTICLES}]"),
            n,
        ))
    }
}

impl Particles {
    /// `n` particles drawn i.i.d. from N(mean, sd²I), seeded (stream 0 of `seed`).
    pub fn normal(n: usize, mean: [f32; 2], sd: f32, seed: u64) -> Self {
        let key = StepKey::draw(&mut sim_rng_stream(seed, 0));
        let mut p = Particles {
            xs: Vec::with_capacity(n),
            ys: Vec::with_capacity(n),
        };
        for i in 0..n as u32 {
            let (z1, z2) = normal_pair(counter_u32(i, key.k0), counter_u32(i, key.k1));
            p.xs.push(mean[0] + sd * z1);
            p.ys.push(mean[1] + sd * z2);
        }
        p
    }

    /// `n` particles drawn i.i.d. uniformly on the box [x0, x1] × [y0, y1] (`bounds` =
    /// [x0, x1, y0, y1]), seeded (stream 0 of `seed`): coordinate = lo + (hi − lo)·(k + ½)/2²⁴ with
    /// k the top 24 bits of a counter-based word.
    pub fn uniform(n: usize, bounds: [f32; 4], seed: u64) -> Self {
        let key = StepKey::draw(&mut sim_rng_stream(seed, 0));
        let unit = |w: u32| ((w >> 8) as f32 + 0.5) * (1.0 / 16_777_216.0);
        let mut p = Particles {
            xs: Vec::with_capacity(n),
            ys: Vec::with_capacity(n),
        };
        for i in 0..n as u32 {
            p.xs.push(bounds[0] + (bounds[1] - bounds[0]) * unit(counter_u32(i, key.k0)));
            p.ys.push(bounds[2] + (bounds[3] - bounds[2]) * unit(counter_u32(i, key.k1)));
        }
        p
    }

    /// Number of particles.
    pub fn len(&self) -> usize {
        self.xs.len()
    }

    /// True when there are no particles.
    pub fn is_empty(&self) -> bool {
        self.xs.is_empty()
    }

    /// A 64-bit FNV-1a checksum of the exact bit patterns of all coordinates: two runs agree on
    /// it only if every particle is bit-identical.
    pub fn checksum(&self) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for (x, y) in self.xs.iter().zip(&self.ys) {
            for w in [x.to_bits(), y.to_bits()] {
                for b in w.to_le_bytes() {
                    h ^= b as u64;
                    h = h.wrapping_mul(0x0100_0000_01b3);
                }
            }
        }
        h
    }
}
