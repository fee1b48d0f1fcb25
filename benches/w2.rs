//! Benchmark W2, natively: `cargo bench --bench w2`.
//!
//! One DSM training step of the MLP 3 → 128 → 128 → 2 (SiLU; input (x₁, x₂, log σ); s = output/σ)
//! on the ring of eight Gaussians of W1: batch 512 sampled exactly, σ log-uniform in [0.01, 2],
//! loss mean‖output + z‖², Adam lr 1e-3, PyTorch's default initialisation. Prints
//! `bench=W2 impl=native-scalar steps_per_s=<median> min=<> max=<>` (natively the kernels are the
//! scalar path, which LLVM may auto-vectorise for the host), then a 5000-step run from seed 0 and
//! the relative error E‖s_θ − ∇log p_σ‖²/E‖∇log p_σ‖² on 20,000 samples of p_σ at
//! σ ∈ {0.1, 0.5, 1, 2}.

use scorebook::kernel::KernelPath;
use scorebook::nn::{DsmConfig, DsmTrainer};
use scorebook::presets::ring8;
use std::time::Instant;

fn main() {
    let data = ring8();
    let reps = 7;
    let steps = 200;
    let mut per = Vec::new();
    for r in 0..reps {
        let mut t = DsmTrainer::new(&data, DsmConfig::w2(), r as u64).unwrap();
        t.set_path(KernelPath::Scalar);
        t.step().unwrap(); // warm-up
        let start = Instant::now();
        for _ in 0..steps {
            t.step().unwrap();
        }
        per.push(steps as f64 / start.elapsed().as_secs_f64());
        std::hint::black_box(t.network());
    }
    per.sort_by(f64::total_cmp);
    println!(
        "bench=W2 impl=native-scalar steps_per_s={:.1} min={:.1} max={:.1}",
        per[reps / 2],
        per[0],
        per[reps - 1]
    );

    let mut t = DsmTrainer::new(&data, DsmConfig::w2(), 0).unwrap();
    let start = Instant::now();
    for _ in 0..5000 {
        t.step().unwrap();
    }
    let secs = start.elapsed().as_secs_f64();
    print!(
        "W2 5000 steps in {secs:.2} s, final loss {:.4}; relative error",
        t.last_loss()
    );
    for sigma in [0.1, 0.5, 1.0, 2.0] {
        let (e, _) = t.relative_error(sigma, 20_000, 12345).unwrap();
        print!(" sigma={sigma}: {e:.4}");
    }
    println!();
}
