//! `DsmTrainWidget`: the handle behind the live denoising-score-matching widget
//! (`<sb-dsm-train>`) and benchmark W2 in the browser.
//!
//! It owns a [`DsmTrainer`] (the caller owns the loop: `step(n)` runs n Adam steps), the history
//! of the relative score error at several σ (each against the exact score of p_σ), and the
//! pictures: the learned and the exact score fields over the density of p_σ, and the error map
//! ‖s_θ − ∇log p_σ‖².

use crate::error::Error;
use crate::kernel::KernelPath;
use crate::nn::activation::Activation;
use crate::nn::dsm::{DsmConfig, DsmTrainer};
use crate::presets::preset;
use wasm_bindgen::prelude::*;

/// Parses `128,128` into hidden widths.
fn parse_hidden(s: &str) -> Result<Vec<usize>, Error> {
    if s.trim().is_empty() {
        return Ok(vec![]);
    }
    s.split(',')
        .map(|t| {
            t.trim().parse::<usize>().map_err(|_| {
                Error::invalid("hidden", "comma-separated layer widths such as 128,128", format!("{s:?}"))
            })
        })
        .collect()
}

/// Live DSM training of a noise-conditional MLP score model on a 2-D mixture.
#[wasm_bindgen]
pub struct DsmTrainWidget {
    trainer: DsmTrainer,
    target: String,
}

#[wasm_bindgen]
impl DsmTrainWidget {
    /// A run on the preset `target` (`ring8`, `gaussian`, `two-modes`) with hidden widths
    /// `hidden` (e.g. `128,128`, 0–4 layers of 1–512), activation `silu` or `relu`, Adam
    /// `learning_rate` ∈ (0, 1], `batch_size` ∈ [1, 4096], σ log-uniform in
    /// [`sigma_min`, `sigma_max`] ⊂ [0.001, 20], and `seed`.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        target: &str,
        hidden: &str,
        activation: &str,
        learning_rate: f64,
        batch_size: f64,
        sigma_min: f64,
        sigma_max: f64,
        seed: u32,
    ) -> Result<DsmTrainWidget, JsError> {
        let data = preset(target)?;
        let cfg = DsmConfig {
            hidden: parse_hidden(hidden)?,
            activation: Activation::from_name(activation)?,
            learning_rate,
            batch_size: batch(batch_size)?,
            sigma_min,
            sigma_max,
        };
        Ok(DsmTrainWidget {
            trainer: DsmTrainer::new(&data, cfg, seed as u64)?,
            target: target.into(),
        })
    }

    /// Re-initialises the network from `seed`, keeping every setting.
    pub fn reset(&mut self, seed: u32) {
        self.trainer.reset(seed as u64);
    }

    /// Runs `n` ∈ [0, 10000] training steps. Throws when the loss or the gradient becomes
    /// non-finite; the last finite weights are kept and the run must be reset.
    pub fn step(&mut self, n: u32) -> Result<(), JsError> {
        if n > 10_000 {
            return Err(Error::invalid("n", "an integer in [0, 10000]", n).into());
        }
        for _ in 0..n {
            self.trainer.step()?;
        }
        Ok(())
    }

    /// Uses the explicit simd128 kernels (`true`, when compiled in) or the scalar ones; both give
    /// bit-identical weights.
    #[wasm_bindgen(js_name = setSimd)]
    pub fn set_simd(&mut self, on: bool) {
        self.trainer.set_path(if on { KernelPath::best() } else { KernelPath::Scalar });
    }

    /// The kernel in use: `simd128` or `scalar`.
    #[wasm_bindgen(getter)]
    pub fn kernel(&self) -> String {
        self.trainer.path().name().into()
    }

    /// Completed training steps.
    #[wasm_bindgen(getter)]
    pub fn iteration(&self) -> f64 {
        self.trainer.iteration() as f64
    }

    /// The batch loss of the last step (NaN before the first).
    #[wasm_bindgen(getter)]
    pub fn loss(&self) -> f64 {
        self.trainer.last_loss()
    }

    /// The divergence message, or an empty string.
    #[wasm_bindgen(getter)]
    pub fn diverged(&self) -> String {
        self.trainer.diverged().map(|e| e.to_string()).unwrap_or_default()
    }

    /// The training target's preset name.
    #[wasm_bindgen(getter)]
    pub fn target(&self) -> String {
        self.target.clone()
    }

    /// The flat parameters (a copy; layout of `nn::Architecture::layout`).
    pub fn params(&self) -> Vec<f32> {
        self.trainer.network().params().to_vec()
    }

    /// The weights file (`SBNN` version 1) of the current network.
    #[wasm_bindgen(js_name = exportWeights)]
    pub fn export_weights(&self) -> Vec<u8> {
        self.trainer.export_weights()
    }

    /// Loads a weights file of the same architecture (clears Adam and the step count). Throws
    /// with the file's problem (bad magic, version, architecture, length, non-finite weight).
    #[wasm_bindgen(js_name = importWeights)]
    pub fn import_weights(&mut self, bytes: &[u8]) -> Result<(), JsError> {
        self.trainer.import_weights(bytes).map_err(|e| JsError::new(&e.to_string()))
    }
}

fn batch(b: f64) -> Result<usize, Error> {
    if b.is_finite() && b.fract() == 0.0 && (1.0..=4096.0).contains(&b) {
        Ok(b as usize)
    } else {
        Err(Error::invalid("batch_size", "an integer in [1, 4096]", b))
    }
}
