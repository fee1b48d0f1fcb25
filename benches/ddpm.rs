//! DDPM benchmarks, natively: `cargo bench --bench ddpm`.
//!
//! * `eps_train`: one step of the ε-prediction trainer of `<sb-ddpm-train>` (5 → 64 → 64 → 2
//!   SiLU, batch 256, Adam 2·10⁻³) on the two-mode preset over the linear schedule T = 200,
//!   β ∈ [10⁻⁴, 0.1]; then the relative excess E‖ε_θ − ε*‖²/E‖ε*‖² after 3000 steps.
//! * `sample`: one full ancestral run (200 steps) of 2000 particles with the trained network
//!   (`EpsScore(EpsNet)`) and with the exact ε* of the mixture.
//! * `prior_gap`: KL(q(x_T) ‖ N(0, I)) of the ring by quadrature (one evaluation), which the
//!   KL-against-T chart of `<sb-ddpm-forward>` runs once per new ᾱ_T.
//!
//! Prints `bench=ddpm-<name> impl=native-scalar <unit>=<median> min=<> max=<>`.

use scorebook::ddpm::ancestral::{Ancestral, ReverseVariance};
use scorebook::ddpm::eps_train::{EpsConfig, EpsEvalSet, EpsTrainer};
use scorebook::ddpm::prior_gap::prior_gap;
use scorebook::ddpm::BetaSchedule;
use scorebook::kernel::KernelPath;
use scorebook::presets::{preset, ring8};
use scorebook::sde::score::{EpsScore, ExactMixtureScore, ScoreModel};
use std::time::Instant;

fn report(name: &str, unit: &str, mut v: Vec<f64>) {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    println!(
        "bench=ddpm-{name} impl=native-scalar {unit}={:.2} min={:.2} max={:.2}",
        v[n / 2],
        v[0],
        v[n - 1]
    );
}

fn main() {
    let data = preset("two-modes").unwrap();
    let s = BetaSchedule::linear(200, 1e-4, 0.1).unwrap();
    let cfg = EpsConfig {
        hidden: vec![64, 64],
        ..EpsConfig::standard()
    };
    let mut per = Vec::new();
    for r in 0..7 {
        let mut t = EpsTrainer::new(&data, s.clone(), cfg.clone(), r).unwrap();
        t.set_path(KernelPath::Scalar);
        t.step().unwrap();
        let start = Instant::now();
        for _ in 0..300 {
            t.step().unwrap();
        }
        per.push(300.0 / start.elapsed().as_secs_f64());
    }
    report("eps_train", "steps_per_s", per);

    let mut t = EpsTrainer::new(&data, s.clone(), cfg, 1).unwrap();
    for _ in 0..3000 {
        t.step().unwrap();
    }
    let mut set = EpsEvalSet::new(&data, &s, 20_000, 5).unwrap();
    let ex = set.excess(&mut t.snapshot(), &s);
    println!(
        "eps_train 3000 steps: relative excess {:.4} (loss floor {:.4})",
        ex / set.mean_square(),
        set.loss_floor()
    );

    for (name, learned) in [("sample-learned", true), ("sample-exact", false)] {
        let mut per = Vec::new();
        for r in 0..5 {
            let mut model: Box<dyn ScoreModel> = if learned {
                Box::new(EpsScore(t.snapshot()))
            } else {
                Box::new(ExactMixtureScore::new(&data))
            };
            let mut p = Ancestral::prior(2000, r);
            let mut a = Ancestral::new(s.clone(), ReverseVariance::Beta, 1e4, r).unwrap();
            let start = Instant::now();
            while a.step(&mut p, model.as_mut()).unwrap() {}
            per.push(start.elapsed().as_secs_f64() * 1e3);
            std::hint::black_box(&p);
        }
        report(name, "ms_per_run", per);
    }

    let ring = ring8();
    let mut per = Vec::new();
    for n in [10usize, 30, 100, 300, 1000] {
        let sch = BetaSchedule::linear(n, 1e-4, 0.02).unwrap();
        let start = Instant::now();
        std::hint::black_box(prior_gap(&ring, &sch).unwrap());
        per.push(start.elapsed().as_secs_f64() * 1e3);
    }
    report("prior_gap", "ms_per_eval", per);
}
