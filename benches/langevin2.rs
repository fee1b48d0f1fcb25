//! The samplers added to the Langevin section, natively: `cargo bench --bench langevin2`.
//!
//! * MALA: one particle-step (score and log-density at x and at the proposal, accept/reject) on
//!   the ring of 8 Gaussians at ε = 0.05, N = 100,000, against ULA's step on the same cloud;
//! * annealed Langevin: one particle-step on 0.8 N((5,5), I) + 0.2 N((−5,−5), I) (σ 20 → 0.01,
//!   L = 20, T = 100), N = 20,000, the whole 2000-step schedule timed;
//! * SGLD: one step of the conjugate posterior chain (N = 100, batches of 10), 10⁶ steps.
//!
//! Prints `bench=<name> impl=native-scalar … <unit>=<median> min=<> max=<>` (7 repetitions).
//! (Natively the kernels run their scalar path, which LLVM may auto-vectorise for the host.)

use scorebook::annealed::{separated_modes, AnnealedLangevin, GeometricSchedule, UNIFORM_START};
use scorebook::kernel::KernelPath;
use scorebook::langevin::Langevin;
use scorebook::mala::Mala;
use scorebook::particles::Particles;
use scorebook::presets::ring8;
use scorebook::sgld::{ConjugateGaussian, Sgld, StepSchedule};
use std::time::Instant;

fn report(name: &str, what: &str, unit: &str, mut v: Vec<f64>) {
    v.sort_by(f64::total_cmp);
    let k = v.len();
    println!(
        "bench={name} impl=native-scalar {what} {unit}={:.2} min={:.2} max={:.2}",
        v[k / 2],
        v[0],
        v[k - 1]
    );
}

fn main() {
    let reps = 7;
    let p = ring8();
    let n = 100_000;
    let steps = 20;
    let (mut mala, mut ula) = (vec![], vec![]);
    for r in 0..reps {
        let mut c = Particles::normal(n, [0.0, 0.0], 3.0, r);
        let mut m = Mala::new(&p, 0.05, r).unwrap();
        m.set_path(KernelPath::Scalar);
        m.step(&mut c).unwrap();
        let t = Instant::now();
        for _ in 0..steps {
            m.step(&mut c).unwrap();
        }
        mala.push(t.elapsed().as_nanos() as f64 / (n as u64 * steps) as f64);
        let mut u = Langevin::new(&p, 0.05, r).unwrap();
        u.set_path(KernelPath::Scalar);
        let t = Instant::now();
        for _ in 0..steps {
            u.step(&mut c).unwrap();
        }
        ula.push(t.elapsed().as_nanos() as f64 / (n as u64 * steps) as f64);
        std::hint::black_box(&c);
    }
    report(
        "mala",
        "target=ring8 N=100000",
        "ns_per_particle_step",
        mala,
    );
    report("ula", "target=ring8 N=100000", "ns_per_particle_step", ula);

    let q = separated_modes();
    let n = 20_000;
    let mut ald = vec![];
    for r in 0..reps {
        let s = GeometricSchedule::new(20.0, 0.01, 20.0).unwrap();
        let mut a = AnnealedLangevin::new(&q, s, 2e-5, 100.0, r).unwrap();
        a.set_path(KernelPath::Scalar);
        let mut c = Particles::uniform(n, UNIFORM_START, r);
        let t = Instant::now();
        while a.step(&mut c).unwrap() {}
        ald.push(t.elapsed().as_nanos() as f64 / (n as u64 * a.total_steps()) as f64);
        std::hint::black_box(&c);
    }
    report(
        "annealed",
        "target=separated N=20000 L=20 T=100",
        "ns_per_particle_step",
        ald,
    );

    let model = ConjugateGaussian::synthetic(100.0, 1.0, 1).unwrap();
    let steps = 1_000_000u64;
    let mut sg = vec![];
    for r in 0..reps {
        let mut c = Sgld::new(
            model.clone(),
            StepSchedule::decreasing(0.02, 100.0, 0.55).unwrap(),
            10.0,
            1000,
            r,
        )
        .unwrap();
        let t = Instant::now();
        for _ in 0..steps {
            c.step().unwrap();
        }
        sg.push(t.elapsed().as_nanos() as f64 / steps as f64);
        std::hint::black_box(c.theta());
    }
    report("sgld", "data=100 batch=10", "ns_per_step", sg);
}
