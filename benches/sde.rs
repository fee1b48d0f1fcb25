//! Section 6's heavy loops, natively: `cargo bench --bench sde`.
//!
//! * `reverse-sde`: the VP reverse SDE (β 0.1 → 20, c = 1, Euler–Maruyama) with the exact score
//!   of the 8-Gaussian ring (sd 0.5 at radius 4), N = 100,000 particles from N(0, I), all 1000
//!   steps; prints ns per particle-step (the fused affine kernel, scalar path natively);
//! * `reverse-ode`: the same with c = 0 (probability flow, Euler: no noise drawn);
//! * `fokker-planck-2d-128-sde` / `-flow`: the reverse-SDE density (c = 1, Scharfetter–Gummel
//!   fluxes) and the probability-flow continuity equation (c = 0, MUSCL–minmod) of the same target
//!   on a 128 × 128 grid from t = T = 1; prints steps per second (one step = velocity at 32,512
//!   faces with the exact f64 mixture score, fluxes, positivity check, update).
//!
//! Format: `bench=SDE run=<name> <unit>=<median> min=<> max=<>`.

use scorebook::fokker_planck::{FpDirection, SdeDensity2d};
use scorebook::kernel::KernelPath;
use scorebook::presets::ring8;
use scorebook::sde::reverse::{ReverseMethod, ReverseSampler};
use scorebook::sde::score::ExactMixtureScore;
use scorebook::sde::{runaway_radius, Sde};
use std::time::Instant;

fn report(name: &str, unit: &str, mut v: Vec<f64>) {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    println!(
        "bench=SDE run={name} {unit}={:.2} min={:.2} max={:.2}",
        v[n / 2],
        v[0],
        v[n - 1]
    );
}

fn main() {
    let data = ring8();
    let sde = Sde::vp(0.1, 20.0).unwrap();
    let r = runaway_radius(&data, &sde);
    let (n, steps) = (100_000usize, 1000usize);
    for (name, c) in [("reverse-sde", 1.0), ("reverse-ode", 0.0)] {
        let mut per = vec![];
        for rep in 0..3u64 {
            let mut s =
                ReverseSampler::new(sde, ReverseMethod::EulerMaruyama, c, steps, 0.0, r, rep)
                    .unwrap();
            let mut p = s.prior(n, rep);
            let mut sc = ExactMixtureScore::new(&data);
            sc.set_path(KernelPath::Scalar);
            let t = Instant::now();
            while s.step(&mut p, &mut sc).unwrap() {}
            per.push(t.elapsed().as_nanos() as f64 / (n * steps) as f64);
            std::hint::black_box(&p);
        }
        report(name, "ns_per_particle_step", per);
    }
    let view = [-6.0, 6.0, -6.0, 6.0];
    for (name, c) in [
        ("fokker-planck-2d-128-sde", 1.0),
        ("fokker-planck-2d-128-flow", 0.0),
    ] {
        let dir = FpDirection::Reverse { noise_level: c };
        let mut fp = SdeDensity2d::new(sde, &data, dir, view, 128, 0.5).unwrap();
        // Δt: half the smallest positivity limit over the run (the flow's limit shrinks as t → 0)
        let dt = 0.5
            * [1.0, 0.5, 0.1, 0.0]
                .iter()
                .map(|t| fp.max_time_step_at(*t).unwrap())
                .fold(f64::MAX, f64::min);
        let mut per = vec![];
        for _ in 0..5 {
            let mut fp = SdeDensity2d::new(sde, &data, dir, view, 128, dt).unwrap();
            fp.step().unwrap(); // warm-up
            let k = 20;
            let t = Instant::now();
            for _ in 0..k {
                fp.step().unwrap();
            }
            per.push(k as f64 / t.elapsed().as_secs_f64());
            std::hint::black_box(fp.grid().density());
        }
        report(name, "steps_per_s", per);
    }
}
