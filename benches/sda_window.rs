//! The score-based part of `<sb-sda-lorenz>`, natively: `cargo bench --bench sda_window`.
//!
//! * `window-dsm-step`: one DSM training step of the shipped configuration (L = 9,
//!   28 → 128 → 128 → 128 → 27, batch 256); ms per step (median of 200);
//! * `window-guided-run-K0`, `-K1`: the widget's score-based run (64 windows, 96 levels, K = 0 and K = 1
//!   corrections, γ = 0.1, x every 8 steps: two observations, two VJPs per evaluation, then the
//!   final denoising); ms per run.
//!
//! Format: `bench=SDA run=<name> ms=<median> min=<> max=<>`.

use scorebook::sda::guidance::VarianceRule;
use scorebook::sda::lorenz::{simulate_truth, NoisyLorenz};
use scorebook::sda::observation::{ObservationOperator, Observations};
use scorebook::sda::window_posterior::{
    GuidedWindowConfig, GuidedWindowSampler, SelectionObservations,
};
use scorebook::sda::window_score::{WindowScoreConfig, WindowScoreModel, WindowScoreTrainer};
use std::time::Instant;

fn report(name: &str, mut v: Vec<f64>) {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    println!(
        "bench=SDA run={name} ms={:.2} min={:.2} max={:.2}",
        v[n / 2],
        v[0],
        v[n - 1]
    );
}

fn main() {
    let kernel = NoisyLorenz::default();
    let mut cfg = WindowScoreConfig::shipped();
    cfg.trajectory = 4096;
    let mut t = WindowScoreTrainer::new(&kernel, cfg, 1).unwrap();
    let per: Vec<f64> = (0..200)
        .map(|_| {
            let s = Instant::now();
            t.step().unwrap();
            s.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    report("window-dsm-step", per);

    let bytes = std::fs::read("www/models/lorenz-window-L9.sbnn").expect("run from the crate root");
    let truth = simulate_truth(&kernel, 256, 9, 1).unwrap();
    let obs =
        Observations::simulate(ObservationOperator::preset("x8").unwrap(), &truth, 1).unwrap();
    for k in [0usize, 1] {
        let mut per = vec![];
        for rep in 0..5u64 {
            let m = WindowScoreModel::from_weights(&bytes, Some(9), 64).unwrap();
            let sel = SelectionObservations::from_window(&obs, 9).unwrap();
            let c = GuidedWindowConfig {
                samples: 64,
                levels: 96,
                sigma_min: 0.01,
                sigma_max: 10.0,
                corrections: k,
                tau: 0.1,
                variance: VarianceRule::Hyper(0.1),
            };
            let mut s = GuidedWindowSampler::new(m, sel, c, rep).unwrap();
            let t0 = Instant::now();
            while !s.advance(64).unwrap() {}
            per.push(t0.elapsed().as_secs_f64() * 1e3);
        }
        report(&format!("window-guided-run-K{k}"), per);
    }
}
