//! The Boltzmann-machine widget's update, natively: `cargo bench --bench bm`.
//!
//! One widget update = one step of each of the three trainers (exact gradient, CD-k, PCD with
//! M = 500 chains and k = 1), each followed by the exact enumeration of its new θ, plus the exact
//! CD-k bias readout. Measured on bars-and-stripes (D = 9, 512 states) and on a random 4 × 4 set
//! (D = 16, 65 536 states). Prints `bench=BM units=<D> ms_per_update=<median> min=<> max=<>`.

use scorebook::boltzmann::trainer::cd_expected_stats;
use scorebook::boltzmann::{Method, PatternSet, Trainer};
use std::time::Instant;

fn main() {
    let sets = [
        PatternSet::preset("bars-and-stripes").unwrap(),
        PatternSet::new(
            16,
            &[
                0x000f, 0x00f0, 0x0f00, 0xf000, 0x1111, 0x2222, 0x4444, 0x8888,
            ],
        )
        .unwrap(),
    ];
    for data in sets {
        let d = data.units();
        let reps = if d > 12 { 9 } else { 41 };
        let mut t: Vec<Trainer> = [Method::Exact, Method::Cd { k: 1 }, Method::Pcd { k: 1 }]
            .into_iter()
            .map(|m| Trainer::new(data.clone(), m, 0.5, 500, 1).unwrap())
            .collect();
        let mut scratch = Vec::new();
        let mut per = Vec::new();
        for r in 0..reps + 2 {
            let t0 = Instant::now();
            for tr in &mut t {
                tr.step().unwrap();
            }
            let bias = cd_expected_stats(t[1].machine(), t[1].data(), 1, &mut scratch);
            std::hint::black_box(bias);
            if r >= 2 {
                per.push(t0.elapsed().as_secs_f64() * 1e3);
            }
        }
        per.sort_by(f64::total_cmp);
        println!(
            "bench=BM units={d} ms_per_update={:.3} min={:.3} max={:.3}",
            per[per.len() / 2],
            per[0],
            per[per.len() - 1]
        );
    }
}
