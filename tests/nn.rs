//! The neural-network core and the DSM trainer: gradients against central differences, Adam
//! against a hand-computed step, the DSM optimum for Gaussian data (V-SM6), benchmark W2's
//! accuracy bar, the weights file, bad input and divergence.

use rand::Rng;
use scorebook::error::Error;
use scorebook::gaussian::Gaussian2;
use scorebook::kernel::KernelPath;
use scorebook::mixture::GaussianMixture;
use scorebook::nn::adam::Adam;
use scorebook::nn::weights_file::{self, WeightsFileError};
use scorebook::nn::{Activation, Architecture, DsmConfig, DsmTrainer, Mlp, Workspace};
use scorebook::presets::ring8;
use scorebook::rng::sim_rng;

/// The network's forward pass in f64 from its (f32) weights: the reference for the f32 passes.
fn forward_f64(net: &Mlp, x: &[f64]) -> Vec<f64> {
    let arch = net.architecture();
    let mut h = x.to_vec();
    for l in 0..arch.layers() {
        let (fi, fo) = (arch.widths()[l], arch.widths()[l + 1]);
        let mut z = vec![0.0; fo];
        for (o, zo) in z.iter_mut().enumerate() {
            *zo = net.bias(l, o) as f64
                + (0..fi)
                    .map(|i| net.weight(l, o, i) as f64 * h[i])
                    .sum::<f64>();
        }
        if l + 1 < arch.layers() {
            for v in z.iter_mut() {
                *v = match arch.activation() {
                    Activation::Silu => *v / (1.0 + (-*v).exp()),
                    Activation::Relu => v.max(0.0),
                };
            }
        }
        h = z;
    }
    h
}

/// L(θ) = Σ_rows Σ_j c_j · output_j (so ∂L/∂output = c per row), in f64.
fn loss_f64(net: &Mlp, rows: &[Vec<f64>], c: &[f64]) -> f64 {
    rows.iter()
        .map(|x| {
            forward_f64(net, x)
                .iter()
                .zip(c)
                .map(|(o, c)| o * c)
                .sum::<f64>()
        })
        .sum()
}

#[test]
fn backward_pass_matches_central_differences_in_f64() {
    for (act, widths) in [
        (Activation::Silu, vec![3, 7, 5, 2]),
        (Activation::Relu, vec![3, 9, 2]),
        (Activation::Silu, vec![4, 3]),
        (Activation::Silu, vec![3, 13, 11, 6, 2]),
    ] {
        let arch = Architecture::new(&widths, act).unwrap();
        let mut rng = sim_rng(11);
        let mut net = Mlp::new(arch.clone(), &mut rng);
        let rows_n = 6;
        let d0 = widths[0];
        let dl = *widths.last().unwrap();
        let mut ws = Workspace::new(&arch, rows_n);
        let mut rows = vec![];
        for r in 0..rows_n {
            let x: Vec<f64> = (0..d0)
                .map(|_| (rng.next_u32() as f64 / 4_294_967_296.0 * 4.0 - 2.0) as f32 as f64)
                .collect();
            ws.input_mut()[r * d0..(r + 1) * d0]
                .iter_mut()
                .zip(&x)
                .for_each(|(d, s)| *d = *s as f32);
            rows.push(x);
        }
        let c: Vec<f64> = (0..dl).map(|j| 0.5 + j as f64 * 0.25).collect();
        net.forward(KernelPath::Scalar, &mut ws, rows_n);
        // the f32 forward agrees with f64 to f32 rounding (~1e-7 per operation, ≤ 13 terms deep)
        for (r, x) in rows.iter().enumerate() {
            let want = forward_f64(&net, x);
            for (j, w) in want.iter().enumerate() {
                let got = ws.output()[r * dl + j] as f64;
                assert!((got - w).abs() < 1e-5 * (1.0 + w.abs()), "{got} vs {w}");
            }
        }
        for r in 0..rows_n {
            for (j, cj) in c.iter().enumerate() {
                ws.output_grad_mut()[r * dl + j] = *cj as f32;
            }
        }
        net.backward(KernelPath::Scalar, &mut ws, rows_n);
        let grads = ws.grads().to_vec();
        // central differences of the f64 loss on the f32 weights: a step h = 2⁻¹⁰ is exact in
        // f32 for weights of magnitude < 1 (so θ ± h are representable); truncation error
        // h²/6·|L'''| ~ 1e-7, far below the 2e-4 relative tolerance that covers the f32 backward
        // pass (accumulated rounding ~1e-6 relative). ReLU kinks are not within h of any
        // pre-activation for these inputs (checked by the agreement itself).
        let h = 1.0f32 / 1024.0;
        let base = net.params().to_vec();
        let scale = grads.iter().fold(0.0f64, |a, g| a.max(g.abs() as f64));
        for p in 0..base.len() {
            let mut plus = base.clone();
            plus[p] += h;
            let mut minus = base.clone();
            minus[p] -= h;
            net.set_params(&plus);
            let lp = loss_f64(&net, &rows, &c);
            net.set_params(&minus);
            let lm = loss_f64(&net, &rows, &c);
            let fd = (lp - lm) / ((plus[p] - minus[p]) as f64);
            let g = grads[p] as f64;
            assert!(
                (g - fd).abs() <= 2e-4 * scale + 1e-6,
                "{act:?} {widths:?} parameter {p}: backward {g}, central difference {fd}"
            );
        }
        net.set_params(&base);
    }
}

#[test]
fn adam_matches_a_hand_computed_step() {
    // lr = 0.01, β = (0.9, 0.999), ε = 1e-8. Step 1 with g = (0.1, −0.3, 0): m̂ = g, v̂ = g², so
    // θ moves by −lr·g/(|g| + ε) = −0.01·sign(g) (0 for g = 0).
    // Step 2 with g = (0.2, 0.1, −0.05), parameter 0: m = 0.9·0.01 + 0.1·0.2 = 0.029,
    // v = 0.999·1e-5 + 0.001·0.04 = 4.999e-5, m̂ = 0.029/0.19 = 0.152632, √v̂ = √(4.999e-5/0.001999)
    // = 0.158138, θ = 0.99 − 0.01·0.152632/0.158138 = 0.980348. Likewise θ₁ = −1.985998,
    // θ₂ = 0.5 + 0.01·(0.005/0.19)/√(2.5e-6/0.001999) = 0.507441.
    let mut p = vec![1.0f32, -2.0, 0.5];
    let mut adam = Adam::new(3, 0.01).unwrap();
    adam.step(KernelPath::Scalar, &mut p, &[0.1, -0.3, 0.0]);
    let want1 = [0.99, -1.99, 0.5];
    for (a, b) in p.iter().zip(want1) {
        assert!((*a as f64 - b).abs() < 1e-6, "{p:?}");
    }
    adam.step(KernelPath::Scalar, &mut p, &[0.2, 0.1, -0.05]);
    let want2 = [0.980_348_18, -1.985_997_81, 0.507_441_37];
    for (a, b) in p.iter().zip(want2) {
        // f32 rounding of θ ~ 1.2e-7 relative
        assert!((*a as f64 - b).abs() < 1e-6, "{p:?} vs {want2:?}");
    }
    assert!((adam.first_moment()[0] - 0.029).abs() < 1e-8);
    // f32 rounding of v ≈ 5e-5 is ~4e-12 per operation
    assert!(
        (adam.second_moment()[0] as f64 - 4.999e-5).abs() < 2e-11,
        "{}",
        adam.second_moment()[0]
    );
    assert_eq!(adam.steps(), 2);
}

#[test]
fn pytorch_default_initialisation_bounds_and_moments() {
    // W, b ~ U(−a, a), a = 1/√fan_in: mean 0, variance a²/3. Over the 16 384 weights of the
    // 128 → 128 layer the SE of the mean is √(a²/3/16384) and that of the mean square
    // √(a⁴(1/5 − 1/9)/16384); both are asserted within 5 SE.
    let arch = Architecture::new(&[3, 128, 128, 2], Activation::Silu).unwrap();
    let net = Mlp::new(arch, &mut sim_rng(1));
    let bound = 1.0 / (128f64).sqrt();
    let w: Vec<f64> = (0..128)
        .flat_map(|o| (0..128).map(move |i| (o, i)))
        .map(|(o, i)| net.weight(1, o, i) as f64)
        .collect();
    assert!(w.iter().all(|x| x.abs() < bound));
    let mean = w.iter().sum::<f64>() / w.len() as f64;
    let var = w.iter().map(|x| x * x).sum::<f64>() / w.len() as f64;
    let v0 = 1.0 / (3.0 * 128.0);
    assert!(mean.abs() < 5.0 * (v0 / w.len() as f64).sqrt(), "{mean}");
    let se = (bound.powi(4) * (1.0 / 5.0 - 1.0 / 9.0) / w.len() as f64).sqrt();
    assert!((var - v0).abs() < 5.0 * se, "{var} vs {v0}");
    assert!((0..3).all(|i| (net.weight(0, 0, i) as f64).abs() < 1.0 / 3f64.sqrt()));
    assert!((0..2).all(|o| (net.bias(2, o) as f64).abs() < bound));
}

#[test]
fn dsm_target_is_minus_noise_over_sigma() {
    // V-SM4: ∇_x̃ log N(x̃; x, σ²I) = −(x̃ − x)/σ² = −z/σ, by central differences.
    let (x, sigma, z) = ([0.3, -1.2], 0.7, [0.9, -0.4]);
    let g = Gaussian2::isotropic(x, sigma).unwrap();
    let xt = [x[0] + sigma * z[0], x[1] + sigma * z[1]];
    let h = 1e-5;
    for d in 0..2 {
        let mut p = xt;
        let mut m = xt;
        p[d] += h;
        m[d] -= h;
        let fd = (g.log_density(p) - g.log_density(m)) / (2.0 * h);
        // truncation h²/6·|∂³ log N| = 0 (quadratic), rounding 1e-16/1e-5
        assert!((fd + z[d] / sigma).abs() < 1e-8, "{fd}");
    }
}

#[test]
fn dsm_optimum_for_gaussian_data_is_the_score_of_the_noised_density() {
    // V-SM6 with an affine model (no hidden layer: output = W(x̃₁, x̃₂, log σ) + b) at one σ = 0.5,
    // data N(μ, diag(τ²)) with μ = (1, −2), τ = (1, 0.5): the DSM optimum is
    // s(x̃) = −(x̃ − μ)/(τ² + σ²), i.e. a = W/σ = diag(−1/1.25, −1/0.5) = (−0.8, −2), cross terms 0,
    // and s(μ) = 0. (The clean score would give −1 and −4.)
    let data = GaussianMixture::new(
        &[1.0],
        vec![Gaussian2::new([1.0, -2.0], 1.0, 0.0, 0.25).unwrap()],
    )
    .unwrap();
    let cfg = DsmConfig {
        hidden: vec![],
        activation: Activation::Silu,
        learning_rate: 0.01,
        batch_size: 256,
        sigma_min: 0.5,
        sigma_max: 0.5,
    };
    let mut t = DsmTrainer::new(&data, cfg, 3).unwrap();
    // a decaying learning rate: 0.01 to get there, then 1e-3 and 1e-4 to average the
    // minibatch noise away (the stationary jitter of Adam scales with the learning rate)
    for (lr, n) in [(0.01, 3000), (1e-3, 2000), (1e-4, 2000)] {
        t.set_learning_rate(lr).unwrap();
        for _ in 0..n {
            t.step().unwrap();
        }
    }
    let net = t.network();
    let s = 0.5f64;
    let a = |o, i| net.weight(0, o, i) as f64 / s;
    // the minimiser over 7000 batches of 256 has a sampling SD ≈ 1/√(7000·256)·O(1) ≈ 1e-3; the
    // last 2000 steps at lr 1e-4 move θ by ≤ 2e-4 per step around it: |Δa| < 0.02 is ~10 SD.
    // Measured (seed 3): a_xx = −0.8041, a_yy = −1.9954, a_xy = 0.0003, a_yx = −0.0032,
    // s(μ) = (−0.0005, −0.0029).
    assert!((a(0, 0) + 0.8).abs() < 0.02, "a_xx = {}", a(0, 0));
    assert!((a(1, 1) + 2.0).abs() < 0.04, "a_yy = {}", a(1, 1));
    assert!(
        a(0, 1).abs() < 0.02 && a(1, 0).abs() < 0.04,
        "{} {}",
        a(0, 1),
        a(1, 0)
    );
    let mut out = [0.0f32; 2];
    t.score_at(&[1.0], &[-2.0], 0.5, &mut out).unwrap();
    assert!(out[0].abs() < 0.02 && out[1].abs() < 0.04, "s(μ) = {out:?}");
    // on a grid the affine optimum is −(x − μ)/(τ² + σ²) everywhere: node (i, j) of a 3 × 3 grid
    // over [0, 2] × [−3, −1] is x = (i, −3 + j), so s = (−(i − 1)/1.25, −(j − 1)/0.5) up to the
    // same tolerances (|x − μ| ≤ 1 here)
    let g = t.score_on_grid([0.0, 2.0, -3.0, -1.0], 3, 3, 0.5).unwrap();
    for j in 0..3 {
        for i in 0..3 {
            let k = 2 * (3 * j + i);
            let want = [-(i as f64 - 1.0) / 1.25, -(j as f64 - 1.0) / 0.5];
            assert!(
                (g[k] as f64 - want[0]).abs() < 0.04 && (g[k + 1] as f64 - want[1]).abs() < 0.08,
                "{i},{j}: {:?} vs {want:?}",
                &g[k..k + 2]
            );
        }
    }
    assert!(t
        .score_on_grid([0.0, 0.0, 0.0, 1.0], 3, 3, 0.5)
        .unwrap_err()
        .to_string()
        .starts_with("view must be"));
    assert!(t
        .score_on_grid([0.0, 1.0, 0.0, 1.0], 1, 3, 0.5)
        .unwrap_err()
        .to_string()
        .starts_with("grid must be"));
}

#[test]
fn w2_reaches_the_accuracy_bar_in_5000_steps() {
    // Benchmark W2 from seed 0; relative error on 20 000 samples of p_σ (fixed seed). Measured:
    // σ = 0.1: 0.257, 0.5: 0.055, 1: 0.028, 2: 0.043 (reference implementations: 0.03–0.06 at
    // 0.5–2). The bar is 0.08 at σ = 0.5, 1, 2. σ = 0.1 is harder (the score there is 25× larger
    // between the modes and rarely sampled) and is only required to be well below the 1.0 of a
    // zero score.
    let mut t = DsmTrainer::new(&ring8(), DsmConfig::w2(), 0).unwrap();
    let first = t.step().unwrap();
    for _ in 1..5000 {
        t.step().unwrap();
    }
    // the DSM loss has a large θ-independent part (Vincent's constant C(σ) averaged over σ), so it
    // falls only from 2.04 to 1.72 (measured); the SE of a batch of 512 is ≈ 0.1
    assert!(
        t.last_loss() < first - 0.15,
        "loss {first} → {}",
        t.last_loss()
    );
    for (sigma, bar) in [(0.5, 0.08), (1.0, 0.08), (2.0, 0.08), (0.1, 0.5)] {
        let (e, ms) = t.relative_error(sigma, 20_000, 12345).unwrap();
        assert!(
            e <= bar,
            "σ = {sigma}: relative error {e} > {bar} (mean square {ms})"
        );
    }
}

#[test]
fn training_is_deterministic_and_both_paths_agree_natively() {
    let cfg = DsmConfig {
        hidden: vec![16, 9],
        batch_size: 37,
        ..DsmConfig::w2()
    };
    let mut a = DsmTrainer::new(&ring8(), cfg.clone(), 5).unwrap();
    let mut b = DsmTrainer::new(&ring8(), cfg, 5).unwrap();
    b.set_path(KernelPath::Simd128); // the scalar fallback natively; the browser test checks simd128
    for _ in 0..20 {
        assert_eq!(a.step().unwrap().to_bits(), b.step().unwrap().to_bits());
    }
    assert_eq!(a.network().params(), b.network().params());
    a.reset(5);
    let mut c = DsmTrainer::new(
        &ring8(),
        DsmConfig {
            hidden: vec![16, 9],
            batch_size: 37,
            ..DsmConfig::w2()
        },
        5,
    )
    .unwrap();
    for _ in 0..3 {
        assert_eq!(a.step().unwrap(), c.step().unwrap());
    }
}

#[test]
fn weights_round_trip_and_every_malformed_file_is_rejected() {
    let mut t = DsmTrainer::new(
        &ring8(),
        DsmConfig {
            hidden: vec![8, 5],
            ..DsmConfig::w2()
        },
        1,
    )
    .unwrap();
    for _ in 0..5 {
        t.step().unwrap();
    }
    let bytes = t.export_weights();
    let arch = t.network().architecture().clone();
    // 16-byte header, 4 widths, (3+1)·8 + (8+1)·5 + (5+1)·2 = 89 parameters
    assert_eq!(bytes.len(), 16 + 16 + 4 * 89);
    assert_eq!(&bytes[..4], b"SBNN");
    let back = weights_file::decode(&bytes, Some(&arch)).unwrap();
    assert_eq!(back.params(), t.network().params());
    // the file's parameter order is PyTorch's: W₀ row by row first
    assert_eq!(
        f32::from_le_bytes(bytes[32..36].try_into().unwrap()),
        t.network().weight(0, 0, 0)
    );
    assert_eq!(
        f32::from_le_bytes(bytes[36..40].try_into().unwrap()),
        t.network().weight(0, 0, 1)
    );

    let mut u = DsmTrainer::new(
        &ring8(),
        DsmConfig {
            hidden: vec![8, 5],
            ..DsmConfig::w2()
        },
        2,
    )
    .unwrap();
    u.import_weights(&bytes).unwrap();
    assert_eq!(u.network().params(), t.network().params());

    let err = |b: &[u8]| weights_file::decode(b, Some(&arch)).unwrap_err();
    assert_eq!(
        err(&bytes[..10]),
        WeightsFileError::TruncatedHeader { len: 10 }
    );
    let mut bad = bytes.clone();
    bad[0] = b'X';
    assert!(matches!(err(&bad), WeightsFileError::BadMagic { found } if &found == b"XBNN"));
    let mut bad = bytes.clone();
    bad[4] = 2;
    assert_eq!(err(&bad), WeightsFileError::UnsupportedVersion { found: 2 });
    let mut bad = bytes.clone();
    bad[8] = 7;
    assert_eq!(err(&bad), WeightsFileError::UnknownActivation { code: 7 });
    let mut bad = bytes.clone();
    bad[8] = 1; // relu: another architecture
    assert!(matches!(
        err(&bad),
        WeightsFileError::ArchitectureMismatch { .. }
    ));
    let mut bad = bytes.clone();
    bad[20] = 9; // first hidden width 8 → 9
    let e = err(&bad);
    assert_eq!(
        e.to_string(),
        "weights file is for the network 3-9-5-2 (silu), but this network is 3-8-5-2 (silu)"
    );
    let mut bad = bytes.clone();
    bad[20] = 0;
    assert!(matches!(
        err(&bad),
        WeightsFileError::BadArchitecture { .. }
    ));
    let mut bad = bytes.clone();
    bad[12] = 40;
    assert!(matches!(
        err(&bad),
        WeightsFileError::BadArchitecture { .. }
    ));
    assert_eq!(
        err(&bytes[..bytes.len() - 1]),
        WeightsFileError::Truncated {
            expected: bytes.len(),
            got: bytes.len() - 1
        }
    );
    let mut long = bytes.clone();
    long.push(0);
    assert_eq!(
        err(&long),
        WeightsFileError::TrailingBytes {
            expected: bytes.len(),
            got: bytes.len() + 1
        }
    );
    let mut bad = bytes.clone();
    bad[40..44].copy_from_slice(&f32::NAN.to_le_bytes());
    assert_eq!(err(&bad), WeightsFileError::NonFinite { index: 2 });
    // a failed import changes nothing
    let before = u.network().params().to_vec();
    assert!(u.import_weights(&bad).is_err());
    assert_eq!(u.network().params(), &before[..]);
    // the conversion into the crate's error names the file
    let e: Error = WeightsFileError::Truncated {
        expected: 4,
        got: 3,
    }
    .into();
    assert!(e.to_string().starts_with("weights file must be"), "{e}");
}

#[test]
fn bad_configurations_name_the_parameter_and_range() {
    let data = ring8();
    let msg = |cfg: DsmConfig| DsmTrainer::new(&data, cfg, 0).unwrap_err().to_string();
    let w2 = DsmConfig::w2;
    assert!(msg(DsmConfig {
        learning_rate: 0.0,
        ..w2()
    })
    .starts_with("learning_rate must be a finite number in (0, 1]"));
    assert!(msg(DsmConfig {
        learning_rate: f64::NAN,
        ..w2()
    })
    .starts_with("learning_rate must be"));
    assert!(msg(DsmConfig {
        learning_rate: 2.0,
        ..w2()
    })
    .contains("got 2"));
    assert_eq!(
        msg(DsmConfig {
            batch_size: 0,
            ..w2()
        }),
        "batch_size must be an integer in [1, 4096]; got 0"
    );
    assert!(msg(DsmConfig {
        batch_size: 5000,
        ..w2()
    })
    .starts_with("batch_size"));
    assert!(msg(DsmConfig {
        sigma_min: 0.0,
        ..w2()
    })
    .starts_with("sigma_min must be a finite number in [0.001, 20]"));
    assert!(msg(DsmConfig {
        sigma_min: 1.0,
        sigma_max: 0.5,
        ..w2()
    })
    .starts_with("sigma_max must be a finite number in [sigma_min = 1, 20]; got 0.5"));
    assert!(msg(DsmConfig {
        sigma_max: f64::INFINITY,
        ..w2()
    })
    .starts_with("sigma_max"));
    assert_eq!(
        msg(DsmConfig {
            hidden: vec![128, 0],
            ..w2()
        }),
        "hidden must be hidden widths in [1, 512]; got 0"
    );
    assert!(msg(DsmConfig {
        hidden: vec![600],
        ..w2()
    })
    .contains("got 600"));
    assert!(msg(DsmConfig {
        hidden: vec![4; 5],
        ..w2()
    })
    .starts_with("hidden must be 0 to 4 hidden layer widths"));
    assert!(Architecture::new(&[3], Activation::Silu)
        .unwrap_err()
        .to_string()
        .starts_with("widths must be"));
    let mut t = DsmTrainer::new(&data, w2(), 0).unwrap();
    assert!(t
        .set_learning_rate(-1.0)
        .unwrap_err()
        .to_string()
        .starts_with("learning_rate"));
    assert!(t
        .set_batch_size(0)
        .unwrap_err()
        .to_string()
        .starts_with("batch_size"));
    assert!(t
        .set_sigma_range(0.5, 0.1)
        .unwrap_err()
        .to_string()
        .starts_with("sigma_max"));
    assert!(t
        .relative_error(0.0, 10, 0)
        .unwrap_err()
        .to_string()
        .starts_with("sigma must be"));
    assert!(t
        .relative_error(1.0, 0, 0)
        .unwrap_err()
        .to_string()
        .starts_with("samples must be"));
    let mut out = [0.0f32; 2];
    assert!(t
        .score_at(&[0.0, 1.0], &[0.0], 1.0, &mut out)
        .unwrap_err()
        .to_string()
        .starts_with("points must be"));
    // the settings were not changed by the rejected values
    assert_eq!(t.config(), &w2());
}

#[test]
fn divergence_is_detected_and_keeps_the_last_good_weights() {
    // Finite but huge weights: 1e30 · 1e30 overflows f32, so the first forward pass is non-finite.
    let cfg = DsmConfig {
        hidden: vec![8],
        ..DsmConfig::w2()
    };
    let mut t = DsmTrainer::new(&ring8(), cfg.clone(), 4).unwrap();
    let mut huge = Mlp::zeros(t.network().architecture().clone());
    huge.set_params(&vec![1e30f32; t.network().params().len()]);
    t.import_weights(&weights_file::encode(&huge)).unwrap();
    let e = t.step().unwrap_err();
    assert_eq!(
        e,
        Error::TrainingDiverged {
            step: 1,
            quantity: "loss"
        }
    );
    assert!(e.to_string().starts_with("training diverged at step 1: the loss became non-finite; the last finite weights were kept"));
    assert_eq!(t.network().params(), huge.params());
    assert_eq!(t.optimizer().steps(), 0);
    // it refuses to continue until reset
    assert_eq!(t.step().unwrap_err(), e);
    assert!(t.diverged().is_some());
    t.reset(4);
    assert!(t.diverged().is_none());
    assert!(t.step().unwrap().is_finite());

    // a divergence after good steps keeps the weights of the last good step
    let mut t = DsmTrainer::new(&ring8(), cfg, 4).unwrap();
    for _ in 0..3 {
        t.step().unwrap();
    }
    let good = t.network().params().to_vec();
    let mut p = good.clone();
    p[0] = 3e38;
    p[1] = 3e38;
    let mut net = Mlp::zeros(t.network().architecture().clone());
    net.set_params(&p);
    t.import_weights(&weights_file::encode(&net)).unwrap();
    let before = t.network().params().to_vec();
    assert!(t.step().is_err());
    assert_eq!(t.network().params(), &before[..]);
}
