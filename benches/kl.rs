//! Section 1's widget updates, natively: `cargo bench --bench kl`.
//!
//! * `fit1d` / `fit2d`: one iteration of both Gaussian fits (forward and reverse gradient steps)
//!   plus the four divergences the widget shows (two-modes in 2D, ring8 for the heaviest target);
//! * `em`: one EM iteration of an 8-component mixture on n = 100 000 samples of ring8;
//! * `score`: the true KL of that fit by quadrature plus the held-out average (what a readout costs).
//! Prints `bench=KL update=<name> ms_per_update=<median> min=<> max=<>`.

use scorebook::kl::em::Em;
use scorebook::kl::gaussian_fit::{Direction, GaussianFit1, GaussianFit2};
use scorebook::kl::mixture1::Mixture1;
use scorebook::kl::mle::{avg_loglik, MleSamples};
use scorebook::presets::preset;
use std::hint::black_box;
use std::time::Instant;

fn time(name: &str, reps: usize, mut f: impl FnMut()) {
    f();
    let mut t: Vec<f64> = (0..reps)
        .map(|_| {
            let t0 = Instant::now();
            f();
            t0.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    t.sort_by(f64::total_cmp);
    println!(
        "bench=KL update={name} ms_per_update={:.3} min={:.3} max={:.3}",
        t[reps / 2],
        t[0],
        t[reps - 1]
    );
}

fn main() {
    let p1 = Mixture1::two_modes(6.0, 0.5, 1.0).unwrap();
    let mut a = GaussianFit1::new(p1.clone(), Direction::Forward, 0.0, 1.0, 0.2).unwrap();
    let mut b = GaussianFit1::new(p1, Direction::Reverse, 2.5, 1.0, 0.2).unwrap();
    time("fit1d", 101, || {
        a.step().unwrap();
        b.step().unwrap();
        black_box((
            a.kl_forward(),
            a.kl_reverse(),
            b.kl_forward(),
            b.kl_reverse(),
        ));
    });
    for name in ["two-modes", "ring8"] {
        let p = preset(name).unwrap();
        let mut a = GaussianFit2::new(p.clone(), Direction::Forward, [0.0, 0.0], 1.0, 0.2).unwrap();
        let mut b = GaussianFit2::new(p, Direction::Reverse, [1.0, 1.0], 1.0, 0.2).unwrap();
        time(&format!("fit2d-{name}"), 41, || {
            a.step().unwrap();
            b.step().unwrap();
            black_box((
                a.kl_forward(),
                a.kl_reverse(),
                b.kl_forward(),
                b.kl_reverse(),
            ));
        });
    }
    let s = MleSamples::draw(preset("ring8").unwrap(), 100_000, 1).unwrap();
    let mut em = Em::new(s.train().to_vec(), 8, 1).unwrap();
    time("em-n100000-k8", 11, || em.step());
    let q = em.mixture().unwrap();
    time("score-k8", 11, || {
        black_box((s.true_kl(&q), avg_loglik(&q, s.test())));
    });
}
