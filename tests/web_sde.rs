//! Browser test of the SDE core's simd128 kernel: `wasm-pack test --headless --chrome --test web_sde`.
//! The fused affine score step (reverse SDE, probability flow, DDPM ancestral, DDIM) gives
//! bit-identical clouds on the simd128 and scalar paths.
#![cfg(target_arch = "wasm32")]

use scorebook::ddpm::ancestral::{Ancestral, ReverseVariance};
use scorebook::ddpm::ddim::Ddim;
use scorebook::ddpm::BetaSchedule;
use scorebook::kernel::{simd_compiled_in, KernelPath};
use scorebook::mixture::GaussianMixture;
use scorebook::particles::Particles;
use scorebook::presets::ring8;
use scorebook::sde::reverse::{ReverseMethod, ReverseSampler};
use scorebook::sde::score::{ExactMixtureScore, ScoreModel};
use scorebook::sde::Sde;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn targets() -> Vec<GaussianMixture> {
    // correlated, unequal components exercise the general path; ring8 the isotropic one
    let custom = GaussianMixture::from_flat(
        &[0.7, 0.2, 0.1],
        &[-2.0, 0.5, 1.5, -1.0, 3.0, 3.0],
        &[0.6, 0.25, 0.4, 0.2, -0.05, 0.3, 1.5, 0.0, 0.1],
    )
    .unwrap();
    vec![ring8(), custom]
}

fn run(kind: usize, data: &GaussianMixture, path: KernelPath) -> (u64, u64) {
    let mut sc = ExactMixtureScore::new(data);
    sc.set_path(path);
    assert_eq!(sc.path(), path);
    let start = Particles::normal(1003, [0.0, 0.0], 1.0, 5);
    let mut p = start.clone();
    let sde = Sde::vp(0.1, 20.0).unwrap();
    let s: &mut dyn ScoreModel = &mut sc;
    match kind {
        0 | 1 => {
            let c = if kind == 0 { 1.0 } else { 0.0 };
            let mut r =
                ReverseSampler::new(sde, ReverseMethod::EulerMaruyama, c, 40, 0.0, 1e4, 3).unwrap();
            while r.step(&mut p, s).unwrap() {}
        }
        2 => {
            let sch = BetaSchedule::linear(50, 1e-3, 0.2).unwrap();
            let mut a = Ancestral::new(sch, ReverseVariance::Beta, 1e4, 3).unwrap();
            while a.step(&mut p, s).unwrap() {}
        }
        _ => {
            let mut d = Ddim::new(BetaSchedule::ho_linear(), 25, 0.5, 1e4, 3).unwrap();
            while d.step(&mut p, s).unwrap() {}
        }
    }
    (p.checksum(), start.checksum())
}

#[wasm_bindgen_test]
fn simd_and_scalar_affine_steps_are_bit_identical() {
    assert!(simd_compiled_in());
    for data in targets() {
        for kind in 0..4 {
            let (a, start) = run(kind, &data, KernelPath::Simd128);
            let (b, _) = run(kind, &data, KernelPath::Scalar);
            assert_eq!(a, b, "sampler {kind}");
            assert_ne!(a, start, "sampler {kind} moved the particles");
        }
    }
}
