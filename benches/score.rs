//! Section 3's widget updates, natively: `cargo bench --bench score`.
//!
//! * `field-<target>`: what a σ change of `<sb-score-field>` costs in the core: the noised
//!   mixture, its critical points, the density shading of a 600 × 600 plot (stride 4) and the
//!   arrow grid (26 px cells);
//! * `flow-400`: one RK4 step of 400 tracers on ring8 (a playing frame);
//! * `tweedie-add-200`: 200 new samples denoised by both routes; `tweedie-sigma-10000`: a σ change
//!   with 10,000 samples; `mmse-<target>`: the exact MMSE by quadrature (once per σ);
//! * `objectives`: a σ change of `<sb-sm-objectives>` (the exact quadratics with their quadratures,
//!   and the empirical ones on n = 100 000 samples).
//!
//! Prints `bench=score update=<name> ms_per_update=<median> min=<> max=<>`.

use scorebook::kl::mixture1::Mixture1;
use scorebook::presets::preset;
use scorebook::score::field::critical_points;
use scorebook::score::flow::ScoreFlow;
use scorebook::score::objectives::{AffineSamples, AffineScoreMatching, OBJECTIVES};
use scorebook::score::picture::{arrow_grid, shade};
use scorebook::score::tweedie::{exact_mmse, TweedieDenoising};
use scorebook::viewport::Viewport;
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
        "bench=score update={name} ms_per_update={:.3} min={:.3} max={:.3}",
        t[reps / 2],
        t[0],
        t[reps - 1]
    );
}

fn main() {
    for name in ["two-modes", "ring8"] {
        let p = preset(name).unwrap();
        let view = p.view_box();
        let vp = Viewport {
            data: view,
            width: 600,
            height: 600,
        };
        let mut buf = Vec::new();
        time(&format!("field-{name}"), 21, || {
            let q = p.noised(0.7).unwrap();
            let c = critical_points(&q, view);
            shade(
                |x| q.density(x),
                &vp,
                [255, 255, 255],
                [120, 160, 220],
                4,
                &mut buf,
            );
            black_box((c, arrow_grid(|x| q.score(x), &vp, 26.0)));
        });
    }
    let p = preset("ring8").unwrap();
    let view = p.view_box();
    let mut f = ScoreFlow::new(400, view, 0.05, 0.004 * (view[1] - view[0]), 1).unwrap();
    time("flow-400", 101, || f.step(|x| p.score(x)));
    let mut d = TweedieDenoising::new(p.clone(), 1.0, 1000, 1).unwrap();
    time("tweedie-add-200", 41, || d.add(200).unwrap());
    let mut d = TweedieDenoising::new(p.clone(), 1.0, 10_000, 1).unwrap();
    let mut s = 1.0;
    time("tweedie-sigma-10000", 11, || {
        s = if s == 1.0 { 1.05 } else { 1.0 };
        d.set_sigma(s).unwrap();
    });
    for name in ["two-modes", "ring8"] {
        let p = preset(name).unwrap();
        time(&format!("mmse-{name}"), 11, || {
            black_box(exact_mmse(&p, 1.0).unwrap());
        });
    }
    let data = Mixture1::new(&[0.3, 0.7], &[-2.0, 1.5], &[0.6, 1.0]).unwrap();
    let samples = AffineSamples::draw(&data, 100_000, 1).unwrap();
    time("objectives", 11, || {
        let sm = AffineScoreMatching::new(data.clone(), 0.8).unwrap();
        black_box(OBJECTIVES.map(|o| samples.empirical(&sm, o)));
    });
}
