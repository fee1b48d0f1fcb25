//! The JavaScript bindings: the only module that names `wasm_bindgen`, `js_sys`, `web_sys` or
//! `plotters_canvas` (the dependencies exist only for wasm32, so the compiler enforces it).
//!
//! Every export validates its arguments and returns `Result<_, JsError>`: a bad value becomes a
//! JS `Error` whose message names the parameter and its allowed range. Nothing here panics on
//! user input. One handle per widget owns the core state (target, particles, sampler, raster);
//! JS owns the event loop and calls coarse methods (`step`, `draw`, getters).

mod annealed_widget;
mod boltzmann_widget;
mod convert;
mod draw;
mod dsm_train;
mod ebm_energy;
mod ebm_train;
mod kl_fit_widget;
mod mle_widget;
mod sgld_widget;
mod langevin_widget;
mod mala_widget;
mod score_field_widget;
mod sde_bench;
mod sde_common;
mod sde_fp_widget;
mod sde_reverse_widget;
mod sde_solvers_widget;
mod sde_thermo_widget;
mod sm_objectives_widget;
mod tweedie_widget;
mod target;

pub use annealed_widget::AnnealedWidget;
pub use boltzmann_widget::BoltzmannWidget;
pub use dsm_train::DsmTrainWidget;
pub use ebm_energy::EnergyWidget;
pub use ebm_train::EbmTrainWidget;
pub use kl_fit_widget::KlFitWidget;
pub use mle_widget::MleWidget;
pub use sgld_widget::SgldWidget;
pub use langevin_widget::LangevinWidget;
pub use mala_widget::MalaWidget;
pub use score_field_widget::ScoreFieldWidget;
pub use sde_bench::{Fp2dBench, SdeReverseBench};
pub use sde_fp_widget::SdeFpWidget;
pub use sde_reverse_widget::SdeReverseWidget;
pub use sde_solvers_widget::SdeSolversWidget;
pub use sde_thermo_widget::SdeThermoWidget;
pub use sm_objectives_widget::SmObjectivesWidget;
pub use tweedie_widget::TweedieWidget;
pub use target::MixtureTarget;

use wasm_bindgen::prelude::*;

/// True when this module was built with the explicit simd128 kernels.
#[wasm_bindgen(js_name = simdEnabled)]
pub fn simd_enabled() -> bool {
    crate::kernel::simd_compiled_in()
}

/// The crate version.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// The names of the preset targets, in display order.
#[wasm_bindgen(js_name = presetNames)]
pub fn preset_names() -> Vec<String> {
    crate::presets::PRESET_NAMES
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// The golden values of the portable generators, for the browser test that pins them:
/// `[sim_rng(42) ×4, sim_rng_stream(42, 1), triple32(1), counter_u32(12345, 0xdeadbeef)]`.
#[wasm_bindgen(js_name = rngGolden)]
pub fn rng_golden() -> Vec<u32> {
    use crate::rng::*;
    use rand::Rng;
    let mut r = sim_rng(42);
    let mut v: Vec<u32> = (0..4).map(|_| r.next_u32()).collect();
    v.push(sim_rng_stream(42, 1).next_u32());
    v.push(triple32(1));
    v.push(counter_u32(12345, 0xdead_beef));
    v
}
