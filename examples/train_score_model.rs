//! Trains the score models shipped in `www/models/` with the project's own DSM trainer.
//!
//!   cargo run --release --example train_score_model            # every shipped model
//!   cargo run --release --example train_score_model -- ring8   # one preset
//!
//! Each file `www/models/<preset>.sbnn` is the network of [`DsmTrainer`] with the W2
//! configuration (3 → 128 → 128 → 2 SiLU, Adam 1e-3, batch 512, σ log-uniform in [0.01, 2])
//! after `SHIPPED_STEPS` steps from `SHIPPED_SEED`; the run is deterministic, so the files are
//! reproduced bit for bit.

use scorebook::nn::DsmTrainer;
use scorebook::presets::preset;
use scorebook::score_langevin::{shipped_config, SHIPPED_MODELS, SHIPPED_SEED, SHIPPED_STEPS};
use std::time::Instant;

fn main() {
    let only: Vec<String> = std::env::args().skip(1).collect();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("www/models");
    std::fs::create_dir_all(&dir).expect("create www/models");
    for name in SHIPPED_MODELS {
        if !only.is_empty() && !only.iter().any(|o| o == name) {
            continue;
        }
        let data = preset(name).expect("preset");
        let mut t = DsmTrainer::new(&data, shipped_config(), SHIPPED_SEED).expect("config");
        let start = Instant::now();
        let mut loss = 0.0;
        for _ in 0..SHIPPED_STEPS {
            loss = t.step().expect("training diverged");
        }
        let errs: Vec<String> = [0.01, 0.1, 0.5, 2.0]
            .iter()
            .map(|&s| {
                format!(
                    "σ={s}: {:.3}",
                    t.relative_error(s, 4000, 7).expect("eval").0
                )
            })
            .collect();
        let path = dir.join(format!("{name}.sbnn"));
        std::fs::write(&path, t.export_weights()).expect("write model");
        println!(
            "{name}: {SHIPPED_STEPS} steps in {:.1} s, last loss {loss:.4}, relative error {}; wrote {}",
            start.elapsed().as_secs_f64(),
            errs.join(", "),
            path.display()
        );
    }
}
