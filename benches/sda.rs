//! Section 8's heavy loops, natively: `cargo bench --bench sda`.
//!
//! * `particle-filter`: one bootstrap particle filter of the Lorenz-63 twin experiment of
//!   `<sb-sda-lorenz>` (x every 8 steps, λ = 0.05, 65-state window from state 64 of the truth):
//!   16,384 particles through 256 + 64 burn-in transitions and the window's 65 states (RK4,
//!   weighting, systematic resampling, genealogy); prints ms per filter run;
//! * `twin-experiment`: the widget's whole run (two filters, then the sliced W₁ of 512
//!   trajectories and the log p(x), log p(y | x) readouts); ms per run;
//! * `guided-1d`: one posterior sampling run of `<sb-sda-1d>`: 10,000 particles, 1000 guided
//!   reverse steps, for each rule (exact, Tweedie, naive); ms per run (all three).
//!
//! Format: `bench=SDA run=<name> ms=<median> min=<> max=<>`.

use scorebook::kl::mixture1::Mixture1;
use scorebook::sda::guidance::{LikelihoodRule, VarianceRule};
use scorebook::sda::guided::{GuidedReverse, Start};
use scorebook::sda::lorenz::{simulate_truth, NoisyLorenz};
use scorebook::sda::observation::{ObservationOperator, Observations};
use scorebook::sda::particle_filter::ParticleFilter;
use scorebook::sda::prior1::{Ou1, Problem1};
use scorebook::sda::twin::{TwinExperiment, TwinSetup};
use std::time::Instant;

fn report(name: &str, mut v: Vec<f64>) {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    println!(
        "bench=SDA run={name} ms={:.1} min={:.1} max={:.1}",
        v[n / 2],
        v[0],
        v[n - 1]
    );
}

fn main() {
    let op = ObservationOperator::preset("x8").unwrap();
    let kernel = NoisyLorenz::default();
    let truth = simulate_truth(&kernel, 256, 512, 1).unwrap();
    let obs = Observations::simulate(op, &truth[3 * 64..3 * (64 + 65)], 1).unwrap();
    let mut per = vec![];
    for rep in 0..5u64 {
        let mut pf = ParticleFilter::new(kernel, obs.clone(), 16_384, 256 + 64, rep).unwrap();
        let t = Instant::now();
        while pf.step().unwrap() {}
        per.push(t.elapsed().as_secs_f64() * 1e3);
        std::hint::black_box(pf.log_evidence());
    }
    report("particle-filter", per);

    let mut per = vec![];
    for rep in 0..3u64 {
        let setup = TwinSetup {
            burn_in: 256,
            total: 512,
            start: 64,
            len: 65,
            operator: op,
            particles: 16_384,
            seed: rep,
        };
        let t = Instant::now();
        let mut tw = TwinExperiment::new(setup).unwrap();
        while tw.advance(1000).unwrap() {}
        std::hint::black_box((tw.sliced_distance(512, 64).unwrap(), tw.sample_scores(512)));
        per.push(t.elapsed().as_secs_f64() * 1e3);
    }
    report("twin-experiment", per);

    let problem = Problem1::new(
        Ou1::standard(),
        &Mixture1::new(&[1.0], &[1.0], &[0.5]).unwrap(),
        2.0,
        0.3,
    )
    .unwrap();
    let rules = [
        LikelihoodRule::Exact,
        LikelihoodRule::Tweedie {
            variance: VarianceRule::Tweedie,
            through_variance: false,
        },
        LikelihoodRule::Naive,
    ];
    let mut per = vec![];
    for rep in 0..5u64 {
        let t = Instant::now();
        for rule in rules {
            let mut run = GuidedReverse::new(
                problem.clone(),
                rule,
                std::f64::consts::SQRT_2,
                1000,
                10_000,
                Start::Stationary,
                rep,
            )
            .unwrap();
            while run.step().unwrap() {}
            std::hint::black_box(run.moments());
        }
        per.push(t.elapsed().as_secs_f64() * 1e3);
    }
    report("guided-1d", per);
}
