//! The JavaScript bindings: the only module that names `wasm_bindgen`, `js_sys`, `web_sys` or
//! `plotters_canvas` (the dependencies exist only for wasm32, so the compiler enforces it).
//!
//! Every export validates its arguments and returns `Result<_, JsError>`: a bad value becomes a
//! JS `Error` whose message names the parameter and its allowed range. Nothing here panics on
//! user input. One handle per widget owns the core state (target, particles, sampler, raster);
//! JS owns the event loop and calls coarse methods (`step`, `draw`, getters).
//!
//! Each widget binding belongs to one wasm bundle (Cargo features `bundle-a`: sections 1–4,
//! `bundle-b`: sections 5–8); `www/lib/wasm.js` loads the bundle a widget names.

// a one-bundle build leaves some shared drawing helpers unused
#![cfg_attr(
    not(all(feature = "bundle-a", feature = "bundle-b")),
    allow(dead_code, unused_imports)
)]

#[cfg(feature = "bundle-a")]
mod annealed_widget;
#[cfg(feature = "bundle-a")]
mod boltzmann_widget;
mod convert;
#[cfg(feature = "bundle-b")]
mod ddpm_forward_widget;
#[cfg(feature = "bundle-b")]
mod ddpm_train_widget;
mod draw;
#[cfg(feature = "bundle-a")]
mod dsm_train;
#[cfg(feature = "bundle-a")]
mod ebm_energy;
#[cfg(feature = "bundle-a")]
mod ebm_train;
#[cfg(feature = "bundle-b")]
mod flow_paths;
#[cfg(feature = "bundle-b")]
mod flow_train;
#[cfg(feature = "bundle-a")]
mod kl_fit_widget;
#[cfg(feature = "bundle-a")]
mod langevin_widget;
#[cfg(feature = "bundle-a")]
mod learned_langevin_widget;
#[cfg(feature = "bundle-a")]
mod mala_widget;
#[cfg(feature = "bundle-a")]
mod mle_widget;
#[cfg(feature = "bundle-a")]
mod score_field_widget;
#[cfg(feature = "bundle-b")]
mod sda_1d;
#[cfg(feature = "bundle-b")]
mod sda_lorenz;
#[cfg(feature = "bundle-b")]
mod sda_window;
#[cfg(feature = "bundle-b")]
mod sde_bench;
#[cfg(feature = "bundle-b")]
mod sde_common;
#[cfg(feature = "bundle-b")]
mod sde_fp_widget;
#[cfg(feature = "bundle-b")]
mod sde_reverse_widget;
#[cfg(feature = "bundle-b")]
mod sde_solvers_widget;
#[cfg(feature = "bundle-b")]
mod sde_thermo_widget;
#[cfg(feature = "bundle-a")]
mod sgld_widget;
#[cfg(feature = "bundle-a")]
mod sm_objectives_widget;
mod target;
#[cfg(feature = "bundle-a")]
mod tweedie_widget;

#[cfg(feature = "bundle-a")]
pub use annealed_widget::AnnealedWidget;
#[cfg(feature = "bundle-a")]
pub use boltzmann_widget::BoltzmannWidget;
#[cfg(feature = "bundle-b")]
pub use ddpm_forward_widget::DdpmForwardWidget;
#[cfg(feature = "bundle-b")]
pub use ddpm_train_widget::DdpmTrainWidget;
#[cfg(feature = "bundle-a")]
pub use dsm_train::DsmTrainWidget;
#[cfg(feature = "bundle-a")]
pub use ebm_energy::EnergyWidget;
#[cfg(feature = "bundle-a")]
pub use ebm_train::EbmTrainWidget;
#[cfg(feature = "bundle-b")]
pub use flow_paths::FlowPathsWidget;
#[cfg(feature = "bundle-b")]
pub use flow_train::FlowTrainWidget;
#[cfg(feature = "bundle-a")]
pub use kl_fit_widget::KlFitWidget;
#[cfg(feature = "bundle-a")]
pub use langevin_widget::LangevinWidget;
#[cfg(feature = "bundle-a")]
pub use learned_langevin_widget::LearnedLangevinWidget;
#[cfg(feature = "bundle-a")]
pub use mala_widget::MalaWidget;
#[cfg(feature = "bundle-a")]
pub use mle_widget::MleWidget;
#[cfg(feature = "bundle-a")]
pub use score_field_widget::ScoreFieldWidget;
#[cfg(feature = "bundle-b")]
pub use sda_1d::Sda1dWidget;
#[cfg(feature = "bundle-b")]
pub use sda_lorenz::SdaLorenzWidget;
#[cfg(feature = "bundle-b")]
pub use sda_window::SdaWindowWidget;
#[cfg(feature = "bundle-b")]
pub use sde_bench::{Fp2dBench, SdeReverseBench};
#[cfg(feature = "bundle-b")]
pub use sde_fp_widget::SdeFpWidget;
#[cfg(feature = "bundle-b")]
pub use sde_reverse_widget::SdeReverseWidget;
#[cfg(feature = "bundle-b")]
pub use sde_solvers_widget::SdeSolversWidget;
#[cfg(feature = "bundle-b")]
pub use sde_thermo_widget::SdeThermoWidget;
#[cfg(feature = "bundle-a")]
pub use sgld_widget::SgldWidget;
#[cfg(feature = "bundle-a")]
pub use sm_objectives_widget::SmObjectivesWidget;
pub use target::MixtureTarget;
#[cfg(feature = "bundle-a")]
pub use tweedie_widget::TweedieWidget;

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
