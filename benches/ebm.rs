//! Benchmarks of the EBM widgets' per-frame work, natively: `cargo bench --bench ebm`.
//!
//! * energy widget, one update after an edit: log Z_T with its error bar and well masses by
//!   adaptive quadrature, the picture of the density on an 800 × 800 device-pixel canvas (a
//!   400 CSS px plot at devicePixelRatio 2), the TV histogram's exact cell probabilities, and one
//!   frame while playing (one Langevin step of 1000 particles, the cached shading, particles and
//!   rings); separately the grid-cost measurement (run only once an edit has settled);
//! * training widget: one training step with the exact log-likelihood and gradient (what the
//!   widget does on the last step of every frame), one without, and a whole frame (step with
//!   exact values + the picture of the new model density with both sample clouds).
//!
//! Prints `bench=<name> <settings> median_ms=<> min_ms=<> max_ms=<>` (median of 9 runs).

use scorebook::ebm::curse::curse_of_dimensionality;
use scorebook::ebm::histogram::BoltzmannHistogram;
use scorebook::ebm::partition::boltzmann_quadrature;
use scorebook::ebm::picture::{EbmPalette, Picture, Shading};
use scorebook::ebm::sampler::{fill_normal, WellsLangevin};
use scorebook::ebm::trainer::{ChainMode, EbmTrainer, TrainerConfig};
use scorebook::ebm::wells::Wells;
use scorebook::rng::{sim_rng, StepKey};
use scorebook::viewport::Viewport;
use std::time::Instant;

fn time(name: &str, settings: &str, mut f: impl FnMut()) {
    f(); // warm-up
    let mut ms: Vec<f64> = (0..9)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    println!(
        "bench={name} {settings} median_ms={:.3} min_ms={:.3} max_ms={:.3}",
        ms[4], ms[0], ms[8]
    );
}

fn main() {
    let default = Wells::from_flat(&[
        -2.5, -1.0, 0.0, 0.9, 2.0, 1.5, 0.5, 0.7, 0.8, -3.0, -0.4, 1.2,
    ])
    .unwrap();
    // worst case of the widget: 16 wells, the narrowest width, scattered over the view
    let flat16: Vec<f64> = (0..16)
        .flat_map(|k| {
            let a = k as f64 * 0.39;
            [
                4.5 * a.cos() * (k as f64 / 16.0),
                4.5 * a.sin() * (k as f64 / 16.0),
                0.0,
                if k % 2 == 0 { 0.25 } else { 2.5 },
            ]
        })
        .collect();
    let many = Wells::from_flat(&flat16).unwrap();
    let vp = Viewport {
        data: [-6.0, 6.0, -6.0, 6.0],
        width: 800,
        height: 800,
    };
    let pal = EbmPalette::for_theme(false);
    for (label, w) in [("wells=3", &default), ("wells=16", &many)] {
        for t in [0.1, 1.0, 10.0] {
            let mut pic = Picture::default();
            let mut xs = vec![0.0f32; 1000];
            let mut ys = vec![0.0f32; 1000];
            fill_normal(
                &mut xs,
                &mut ys,
                [0.0, 0.0],
                3.0,
                StepKey::draw(&mut sim_rng(1)),
            );
            let mut s = WellsLangevin::new(w, t, 0.01, 1).unwrap();
            time(
                "energy-widget-edit",
                &format!("{label} T={t} px=800x800"),
                || {
                    // after an edit: quadrature, shading, TV cell probabilities
                    let q = boltzmann_quadrature(w, t).unwrap();
                    pic.shade(&vp, |x| -w.energy(x) / t, Shading::LogDensity, &pal);
                    pic.save_base();
                    let hist = BoltzmannHistogram::new(w, t, q.log_z, [-6.0, 6.0, -6.0, 6.0], 24);
                    std::hint::black_box((q, hist, pic.rgba().len()));
                },
            );
            time(
                "energy-widget-play-frame",
                &format!("{label} T={t} px=800x800 particles=1000 langevin_steps=1"),
                || {
                    // while playing: one Langevin step, the cached shading, particles and well rings
                    s.step(&mut xs, &mut ys).unwrap();
                    pic.restore_base();
                    pic.dots(&vp, &xs, &ys, 3, pal.negative);
                    for k in w.wells() {
                        pic.ring(&vp, k.centre, 14.0, 3.2, pal.marker, false);
                    }
                    std::hint::black_box(pic.rgba().len());
                },
            );
        }
        let t = 1.0;
        time("energy-part-quadrature", label, || {
            std::hint::black_box(boltzmann_quadrature(w, t).unwrap());
        });
        let mut pic = Picture::default();
        time(
            "energy-part-picture",
            &format!("{label} px=800x800"),
            || {
                pic.shade(&vp, |x| -w.energy(x) / t, Shading::LogDensity, &pal);
            },
        );
        let lz = boltzmann_quadrature(w, t).unwrap().log_z;
        time("energy-part-tv-cells", label, || {
            std::hint::black_box(BoltzmannHistogram::new(
                w,
                t,
                lz,
                [-6.0, 6.0, -6.0, 6.0],
                24,
            ));
        });
        time(
            "energy-grid-cost",
            &format!("{label} T=1 eps=1e-2 (on settle only)"),
            || {
                std::hint::black_box(curse_of_dimensionality(w, 1.0, 1e-2).unwrap());
            },
        );
    }
    for (wells, k, mode) in [
        (4, 20, ChainMode::Persistent),
        (8, 200, ChainMode::Noise),
        (16, 20, ChainMode::Persistent),
    ] {
        let cfg = TrainerConfig {
            data: if wells == 8 {
                "ring8".into()
            } else {
                "blobs3".into()
            },
            wells,
            langevin_steps: k,
            mode,
            ..Default::default()
        };
        let mut tr = EbmTrainer::new(cfg).unwrap();
        for _ in 0..50 {
            tr.step(false).unwrap();
        }
        time(
            "ebm-train-step",
            &format!("wells={wells} k={k} batch=256 exact=yes"),
            || {
                std::hint::black_box(tr.step(true).unwrap());
            },
        );
        let mut pic = Picture::default();
        time(
            "ebm-train-frame",
            &format!("wells={wells} k={k} batch=256 exact=yes + picture 800x800"),
            || {
                std::hint::black_box(tr.step(true).unwrap());
                let m = tr.wells();
                pic.shade(&vp, |x| -m.energy(x), Shading::LogDensity, &pal);
                let (px, py) = tr.positives();
                pic.dots(&vp, px, py, 3, pal.positive);
                let (nx, ny) = tr.negatives();
                pic.dots(&vp, nx, ny, 3, pal.negative);
                std::hint::black_box(pic.rgba().len());
            },
        );
        time(
            "ebm-train-step",
            &format!("wells={wells} k={k} batch=256 exact=no"),
            || {
                std::hint::black_box(tr.step(false).unwrap());
            },
        );
    }
}
