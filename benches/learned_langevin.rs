//! Langevin with the learned score, natively: `cargo bench --bench learned_langevin`.
//!
//! One annealed-Langevin step (the `<sb-learned-langevin>` default: 2000 particles on ring8) with
//! the shipped model `www/models/ring8.sbnn` (3 → 128 → 128 → 2 SiLU, evaluated in batches of
//! 1024 through one workspace) and, for comparison, with the exact score through the same trait.
//! Prints `bench=learned-langevin field=<learned|exact> particles=2000 steps_per_s=<median>
//! min=<> max=<>` (natively the GEMM is the scalar path, which LLVM may auto-vectorise).

use scorebook::annealed::{GeometricSchedule, UNIFORM_START};
use scorebook::kernel::KernelPath;
use scorebook::nn::weights_file;
use scorebook::particles::Particles;
use scorebook::presets::ring8;
use scorebook::score_langevin::{ExactScore, Levels, NetScore, ScoreField, ScoreLangevin};
use std::time::Instant;

fn time<S: ScoreField>(make: impl Fn() -> ScoreLangevin<S>, name: &str) {
    let (reps, steps, n) = (7usize, 40, 2000);
    let mut per = Vec::new();
    for r in 0..reps {
        let mut s = make();
        let mut p = Particles::uniform(n, UNIFORM_START, r as u64);
        s.step(&mut p).unwrap(); // warm-up (sizes the score buffer)
        let start = Instant::now();
        for _ in 0..steps {
            s.step(&mut p).unwrap();
        }
        per.push(steps as f64 / start.elapsed().as_secs_f64());
        std::hint::black_box(&p);
    }
    per.sort_by(f64::total_cmp);
    println!(
        "bench=learned-langevin field={name} particles={n} steps_per_s={:.1} min={:.1} max={:.1}",
        per[reps / 2],
        per[0],
        per[reps - 1]
    );
}

fn main() {
    let p = ring8();
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/www/models/ring8.sbnn"
    ))
    .expect("shipped model");
    let net = weights_file::decode(&bytes, None).expect("valid model");
    let sched = GeometricSchedule::new(2.0, 0.05, 10.0).unwrap();
    let lv = Levels::annealed(&sched, 2.5e-4, 50.0).unwrap();
    time(
        || {
            let mut f = NetScore::new(net.clone()).unwrap();
            f.set_path(KernelPath::Scalar);
            ScoreLangevin::new(f, &p, lv.clone(), 1).unwrap()
        },
        "learned",
    );
    time(
        || {
            ScoreLangevin::new(
                ExactScore::new(&p, sched.sigmas()).unwrap(),
                &p,
                lv.clone(),
                1,
            )
            .unwrap()
        },
        "exact",
    );
}
