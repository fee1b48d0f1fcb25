//! Trains the shipped Lorenz-63 window-score model and writes `www/models/lorenz-window-L9.sbnn`.
//!
//! `cargo run --release --example train_lorenz_window [steps]` (default 8000 steps, seed 7): DSM
//! with [`scorebook::sda::window_score::WindowScoreTrainer`] on windows of 9 states cut from a
//! 65,536-state trajectory of the noisy dynamics, learning rate 1e-3 then 3e-4 for the last
//! quarter. Deterministic: the same seed and step count give the same file.

use scorebook::sda::lorenz::NoisyLorenz;
use scorebook::sda::window_score::{WindowScoreConfig, WindowScoreModel, WindowScoreTrainer};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let steps: u64 = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(8000);
    let cfg = WindowScoreConfig::shipped();
    let mut t = WindowScoreTrainer::new(&NoisyLorenz::default(), cfg.clone(), 7)?;
    let held_out =
        scorebook::sda::window_score::training_trajectory(&NoisyLorenz::default(), 8192, 99)?;
    let mut avg = 0.0;
    for s in 1..=steps {
        if s == steps * 3 / 4 {
            t.set_learning_rate(3e-4)?;
        }
        avg += t.step()?;
        if s % 500 == 0 {
            println!(
                "step {s:5}  mean DSM loss of the last 500 batches {:.4}",
                avg / 500.0
            );
            avg = 0.0;
        }
    }
    let bytes = t.export_weights();
    let mut m = WindowScoreModel::from_weights(&bytes, Some(cfg.len), 1)?;
    let zero = 3.0 * cfg.len as f64;
    let held = m.dsm_loss(&held_out, cfg.sigma_min, cfg.sigma_max, 4096, 5)?;
    println!("held-out DSM loss {held:.4} (zero model {zero})");
    let path = format!("www/models/lorenz-window-L{}.sbnn", cfg.len);
    std::fs::write(&path, &bytes)?;
    println!("wrote {path} ({} bytes)", bytes.len());
    Ok(())
}
