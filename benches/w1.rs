//! Benchmark W1, natively: `cargo bench --bench w1`.
//!
//! Target: 8 isotropic Gaussians with equal weights, means 4(cos 2πk/8, sin 2πk/8), sd 0.5.
//! One particle-step: the exact score by a stable softmax over the 8 components, then
//! x ← x + (ε/2)s + √ε z, ε = 0.01; start N(0, 9I). Prints one line per N in the format of the
//! browser runner: `bench=W1 impl=<name> N=<n> ns_per_particle_step=<median> min=<> max=<>`.
//! (Natively the kernel is the scalar path, which LLVM may auto-vectorise for the host.)

use scorebook::kernel::KernelPath;
use scorebook::langevin::Langevin;
use scorebook::particles::Particles;
use scorebook::presets::ring8;
use std::time::Instant;

fn main() {
    let p = ring8();
    let steps = 20;
    let reps = 7;
    for n in [100_000usize, 1_000_000] {
        let mut per = Vec::new();
        for r in 0..reps {
            let mut s = Langevin::new(&p, 0.01, r as u64).unwrap();
            s.set_path(KernelPath::Scalar);
            let mut c = Particles::normal(n, [0.0, 0.0], 3.0, r as u64);
            s.step(&mut c).unwrap(); // warm-up (page faults, caches)
            let t = Instant::now();
            for _ in 0..steps {
                s.step(&mut c).unwrap();
            }
            per.push(t.elapsed().as_nanos() as f64 / (n * steps) as f64);
            std::hint::black_box(&c);
        }
        per.sort_by(f64::total_cmp);
        println!(
            "bench=W1 impl=native-scalar N={n} ns_per_particle_step={:.2} min={:.2} max={:.2}",
            per[reps / 2],
            per[0],
            per[reps - 1]
        );
    }
}
