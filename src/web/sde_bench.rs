//! Handles for the browser benchmarks of section 6 (`www/bench.html`), mirroring
//! `benches/sde.rs`:
//!
//! * [`SdeReverseBench`]: the VP reverse SDE (β 0.1 → 20, c = 1, Euler–Maruyama) with the exact
//!   score of the 8-Gaussian ring, N particles from N(0, I), K steps (the fused affine kernel);
//! * [`Fp2dBench`]: the reverse-SDE density (c = 1) of the same target on an n × n grid over
//!   [−6, 6]² from t = T = 1, Δt half the smallest positivity limit over the run.

use crate::fokker_planck::{FpDirection, SdeDensity2d};
use crate::kernel::KernelPath;
use crate::particles::{check_count, Particles};
use crate::presets::ring8;
use crate::sde::reverse::{ReverseMethod, ReverseSampler};
use crate::sde::score::ExactMixtureScore;
use crate::sde::{runaway_radius, Sde};
use wasm_bindgen::prelude::*;

/// The reverse-SDE sampling run of the benchmark.
#[wasm_bindgen]
pub struct SdeReverseBench {
    sampler: ReverseSampler,
    cloud: Particles,
    score: ExactMixtureScore,
}

#[wasm_bindgen]
impl SdeReverseBench {
    /// N = `particles` ∈ [1, 1 000 000] from the prior, K = `steps` ∈ [1, 100 000], a `seed`.
    #[wasm_bindgen(constructor)]
    pub fn new(particles: f64, steps: u32, seed: u32) -> Result<SdeReverseBench, JsError> {
        let data = ring8();
        let sde = Sde::vp(0.1, 20.0)?;
        let n = check_count(particles)?;
        let sampler = ReverseSampler::new(
            sde,
            ReverseMethod::EulerMaruyama,
            1.0,
            steps as usize,
            0.0,
            runaway_radius(&data, &sde),
            seed as u64,
        )?;
        let cloud = sampler.prior(n, seed as u64);
        Ok(SdeReverseBench {
            sampler,
            cloud,
            score: ExactMixtureScore::new(&data),
        })
    }

    /// Uses the simd128 kernel (when compiled in) or the scalar one.
    #[wasm_bindgen(js_name = setSimd)]
    pub fn set_simd(&mut self, on: bool) {
        self.score.set_path(if on {
            KernelPath::best()
        } else {
            KernelPath::Scalar
        });
    }

    /// The kernel in use.
    #[wasm_bindgen(getter)]
    pub fn kernel(&self) -> String {
        self.score.path().name().into()
    }

    /// Runs `k` steps (fewer once t = 0); returns the steps taken.
    pub fn step(&mut self, k: u32) -> Result<u32, JsError> {
        let mut done = 0;
        for _ in 0..k {
            if !self.sampler.step(&mut self.cloud, &mut self.score)? {
                break;
            }
            done += 1;
        }
        Ok(done)
    }

    /// FNV-1a checksum of the cloud.
    pub fn checksum(&self) -> String {
        format!("{:016x}", self.cloud.checksum())
    }
}

/// The 2D Fokker–Planck solver of the benchmark.
#[wasm_bindgen]
pub struct Fp2dBench {
    fp: SdeDensity2d,
}

#[wasm_bindgen]
impl Fp2dBench {
    /// An n × n grid, n = `cells` ∈ [3, 1024], noise level c = `noise_level` ∈ [0, 10].
    #[wasm_bindgen(constructor)]
    pub fn new(cells: u32, noise_level: f64) -> Result<Fp2dBench, JsError> {
        let data = ring8();
        let sde = Sde::vp(0.1, 20.0)?;
        let dir = FpDirection::Reverse { noise_level };
        let view = [-6.0, 6.0, -6.0, 6.0];
        let mut probe = SdeDensity2d::new(sde, &data, dir, view, cells as usize, 0.5)?;
        let mut limit = f64::MAX;
        for t in [1.0, 0.5, 0.1, 0.0] {
            limit = limit.min(probe.max_time_step_at(t)?);
        }
        let fp = SdeDensity2d::new(sde, &data, dir, view, cells as usize, 0.5 * limit)?;
        Ok(Fp2dBench { fp })
    }

    /// Runs `k` steps; returns the steps taken.
    pub fn step(&mut self, k: u32) -> Result<u32, JsError> {
        let mut done = 0;
        for _ in 0..k {
            if !self.fp.step()? {
                break;
            }
            done += 1;
        }
        Ok(done)
    }

    /// The grid mass (1 to round-off).
    #[wasm_bindgen(getter)]
    pub fn mass(&self) -> f64 {
        self.fp.grid().mass()
    }
}
