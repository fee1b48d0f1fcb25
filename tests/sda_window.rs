//! The window score model of Lorenz-63 trajectories and the guided posterior sampler of windows.

use scorebook::sda::guidance::VarianceRule;
use scorebook::sda::lorenz::NoisyLorenz;
use scorebook::sda::observation::{ObservationOperator, Observations};
use scorebook::sda::window_posterior::{
    GuidedWindowConfig, GuidedWindowSampler, SelectionObservations, WindowDenoiser,
};
use scorebook::sda::window_score::{
    training_trajectory, WindowScoreConfig, WindowScoreModel, WindowScoreTrainer,
};
use scorebook::Error;

const SHIPPED: &[u8] = include_bytes!("../www/models/lorenz-window-L9.sbnn");

fn small_config() -> WindowScoreConfig {
    WindowScoreConfig {
        len: 4,
        hidden: vec![64, 64],
        learning_rate: 2e-3,
        batch_size: 64,
        sigma_min: 0.02,
        sigma_max: 5.0,
        trajectory: 4096,
    }
}

#[test]
fn dsm_loss_decreases_during_training() {
    let mut t = WindowScoreTrainer::new(&NoisyLorenz::default(), small_config(), 3).unwrap();
    let losses: Vec<f64> = (0..400).map(|_| t.step().unwrap()).collect();
    let first: f64 = losses[..50].iter().sum::<f64>() / 50.0;
    let last: f64 = losses[350..].iter().sum::<f64>() / 50.0;
    // Each batch loss is a mean of 64 windows' squared errors (12 coordinates each; per-batch sd
    // ≈ 1–2): averaging 50 batches leaves noise ≈ 0.2, far below the 30% drop asserted here.
    assert!(last < 0.7 * first, "first {first}, last {last}");
    assert_eq!(t.iteration(), 400);
}

#[test]
fn shipped_model_beats_the_zero_model_on_held_out_windows() {
    let mut m = WindowScoreModel::from_weights(SHIPPED, Some(9), 1).unwrap();
    assert_eq!(m.len(), 9);
    let cfg = WindowScoreConfig::shipped();
    // A trajectory from another seed than the training one (7).
    let held = training_trajectory(&NoisyLorenz::default(), 8192, 12345).unwrap();
    let loss = m
        .dsm_loss(&held, cfg.sigma_min, cfg.sigma_max, 2000, 1)
        .unwrap();
    // The zero network scores E‖z‖² = 3L = 27 (sd of the 2000-window mean: √(2·27/2000) ≈ 0.16).
    // The trained model's loss is about 6; asserting below half the zero model leaves a wide margin
    // while still failing for an untrained or broken network.
    assert!(loss < 13.5, "held-out DSM loss {loss}");
    let zero = {
        let mut z = scorebook::nn::Mlp::zeros(m.network().architecture().clone());
        let _ = &mut z;
        let mut mz = WindowScoreModel::new(z, 1).unwrap();
        mz.dsm_loss(&held, cfg.sigma_min, cfg.sigma_max, 2000, 1)
            .unwrap()
    };
    // Same windows and noises: the zero model's loss is the sample mean of ‖z‖² ≈ 27 ± 0.16·4.
    assert!((zero - 27.0).abs() < 0.7, "zero model {zero}");
}

#[test]
fn vjp_matches_finite_differences_of_the_tweedie_mean() {
    let mut m = WindowScoreModel::from_weights(SHIPPED, Some(9), 1).unwrap();
    let held = training_trajectory(&NoisyLorenz::default(), 64, 5).unwrap();
    let x: Vec<f32> = held[..27].iter().map(|&v| v + 0.1).collect();
    let sigma = 0.5;
    let mut x0 = vec![0.0; 27];
    let v: Vec<f32> = (0..27).map(|i| ((i * 7 % 11) as f32 - 5.0) / 5.0).collect();
    m.denoise(&x, sigma, &mut x0).unwrap();
    let mut g = vec![0.0; 27];
    m.vjp(&v, &mut g).unwrap();
    let h = 1e-2f32;
    for i in [0usize, 4, 13, 26] {
        let (mut xp, mut xm) = (x.clone(), x.clone());
        xp[i] += h;
        xm[i] -= h;
        let (mut a, mut b) = (vec![0.0; 27], vec![0.0; 27]);
        m.denoise(&xp, sigma, &mut a).unwrap();
        m.denoise(&xm, sigma, &mut b).unwrap();
        let fd: f64 = (0..27)
            .map(|j| v[j] as f64 * (a[j] - b[j]) as f64)
            .sum::<f64>()
            / (2.0 * h as f64);
        // Central differences: O(h²) truncation plus f32 rounding ≈ 1e-7·|x̂₀|/h ≈ 1e-4 per entry,
        // summed over 27 entries; 2e-2 absolute bounds both for this smooth (SiLU) network.
        assert!(
            (fd - g[i] as f64).abs() < 2e-2,
            "entry {i}: fd {fd}, vjp {}",
            g[i]
        );
    }
}

#[test]
fn window_length_mismatch_is_a_clear_error() {
    let e = WindowScoreModel::from_weights(SHIPPED, Some(17), 1).unwrap_err();
    assert!(e.to_string().contains("window length"), "{e}");
    assert!(e.to_string().contains('9'), "{e}");
    let two_d = include_bytes!("../www/models/gaussian.sbnn");
    let e = WindowScoreModel::from_weights(two_d, None, 1).unwrap_err();
    assert!(e.to_string().contains("window-score network"), "{e}");
    assert!(WindowScoreModel::from_weights(b"junk", None, 1).is_err());
    // Observations of a 12-state window against a 9-state model.
    let truth =
        scorebook::sda::lorenz::simulate_truth(&NoisyLorenz::default(), 100, 12, 1).unwrap();
    let obs =
        Observations::simulate(ObservationOperator::preset("x8").unwrap(), &truth, 2).unwrap();
    let e = SelectionObservations::from_window(&obs, 9).unwrap_err();
    assert!(e.to_string().contains("window length"), "{e}");
    let mut bad = small_config();
    bad.len = 1;
    assert!(WindowScoreTrainer::new(&NoisyLorenz::default(), bad, 1).is_err());
    let mut bad = small_config();
    bad.sigma_max = 0.01;
    assert!(WindowScoreTrainer::new(&NoisyLorenz::default(), bad, 1)
        .unwrap_err()
        .to_string()
        .contains("sigma_max"));
}

/// The exact denoiser of a Gaussian prior N(0, C): x̂₀ = C (C + σ² I)⁻¹ x, ∂x̂₀/∂x = C (C + σ²)⁻¹.
struct GaussianPrior {
    c: Vec<f64>,
    d: usize,
    /// (C + σ²)⁻¹ C of the last denoise (the transpose of the Jacobian), and its rows.
    jt: Vec<f64>,
    rows: usize,
}

fn inverse(a: &[f64], d: usize) -> Vec<f64> {
    let mut m = a.to_vec();
    let mut inv: Vec<f64> = (0..d * d)
        .map(|i| if i / d == i % d { 1.0 } else { 0.0 })
        .collect();
    for p in 0..d {
        let piv = m[p * d + p];
        for j in 0..d {
            m[p * d + j] /= piv;
            inv[p * d + j] /= piv;
        }
        for r in 0..d {
            if r != p {
                let f = m[r * d + p];
                for j in 0..d {
                    m[r * d + j] -= f * m[p * d + j];
                    inv[r * d + j] -= f * inv[p * d + j];
                }
            }
        }
    }
    inv
}

fn matmul(a: &[f64], b: &[f64], d: usize) -> Vec<f64> {
    (0..d * d)
        .map(|ij| (0..d).map(|k| a[ij / d * d + k] * b[k * d + ij % d]).sum())
        .collect()
}

impl WindowDenoiser for GaussianPrior {
    fn dim(&self) -> usize {
        self.d
    }
    fn capacity(&self) -> usize {
        256
    }
    fn denoise(&mut self, x: &[f32], sigma: f64, x0: &mut [f32]) -> Result<(), Error> {
        let d = self.d;
        let mut cs = self.c.clone();
        (0..d).for_each(|i| cs[i * d + i] += sigma * sigma);
        let inv = inverse(&cs, d);
        let j = matmul(&self.c, &inv, d); // C (C + σ²)⁻¹
        self.jt = matmul(&inv, &self.c, d);
        self.rows = x.len() / d;
        for r in 0..self.rows {
            for i in 0..d {
                x0[r * d + i] = (0..d)
                    .map(|k| j[i * d + k] * x[r * d + k] as f64)
                    .sum::<f64>() as f32;
            }
        }
        Ok(())
    }
    fn vjp(&mut self, v: &[f32], out: &mut [f32]) -> Result<(), Error> {
        let d = self.d;
        for r in 0..self.rows {
            for i in 0..d {
                out[r * d + i] = (0..d)
                    .map(|k| self.jt[i * d + k] * v[r * d + k] as f64)
                    .sum::<f64>() as f32;
            }
        }
        Ok(())
    }
}

/// A correlated prior covariance C = B Bᵀ + 0.2 I on d = 6 (a window of two "states").
fn prior_covariance() -> Vec<f64> {
    let d = 6;
    let b: Vec<f64> = (0..d * d)
        .map(|i| (((i * 37 + 11) % 17) as f64 - 8.0) / 12.0)
        .collect();
    let mut c: Vec<f64> = (0..d * d)
        .map(|ij| (0..d).map(|k| b[ij / d * d + k] * b[ij % d * d + k]).sum())
        .collect();
    (0..d).for_each(|i| c[i * d + i] += 0.2);
    c
}

/// The exact posterior N(μ, Σ) with Σ = (C⁻¹ + Aᵀ R⁻¹ A)⁻¹, μ = Σ Aᵀ R⁻¹ y.
fn exact_posterior(c: &[f64], obs: &SelectionObservations, d: usize) -> (Vec<f64>, Vec<f64>) {
    let mut p = inverse(c, d);
    let mut b = vec![0.0; d];
    for j in 0..obs.index.len() {
        let i = obs.index[j];
        p[i * d + i] += 1.0 / obs.noise[j].powi(2);
        b[i] += obs.value[j] / obs.noise[j].powi(2);
    }
    let s = inverse(&p, d);
    let mu = (0..d)
        .map(|i| (0..d).map(|k| s[i * d + k] * b[k]).sum())
        .collect();
    (mu, s)
}

fn run_gaussian(
    corrections: usize,
    tau: f64,
    seed: u64,
) -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>) {
    let d = 6;
    let c = prior_covariance();
    let obs = SelectionObservations {
        index: vec![0, 4],
        value: vec![1.2, -0.7],
        noise: vec![0.3, 0.5],
    };
    let (mu, sig) = exact_posterior(&c, &obs, d);
    let den = GaussianPrior {
        c,
        d,
        jt: vec![],
        rows: 0,
    };
    let cfg = GuidedWindowConfig {
        samples: 4000,
        levels: 400,
        sigma_min: 0.005,
        sigma_max: 10.0,
        corrections,
        tau,
        variance: VarianceRule::Tweedie,
    };
    let mut s = GuidedWindowSampler::new(den, obs, cfg, seed).unwrap();
    while !s.advance(16).unwrap() {}
    let n = cfg.samples;
    let w = s.windows();
    let mean: Vec<f64> = (0..d)
        .map(|i| (0..n).map(|r| w[r * d + i] as f64).sum::<f64>() / n as f64)
        .collect();
    let var: Vec<f64> = (0..d)
        .map(|i| {
            (0..n)
                .map(|r| (w[r * d + i] as f64 - mean[i]).powi(2))
                .sum::<f64>()
                / (n - 1) as f64
        })
        .collect();
    (mean, var, mu, (0..d).map(|i| sig[i * d + i]).collect())
}

#[test]
fn exact_score_guided_sampler_reproduces_the_linear_gaussian_posterior() {
    let (mean, var, mu, v) = run_gaussian(0, 0.1, 21);
    for i in 0..6 {
        // Standard error of the mean √(v/n), n = 4000, and of the variance v√(2/n); 4.5 SE bounds
        // the MC error over the 12 checks (the Euler–Maruyama bias over 400 geometric levels and the
        // σ_min² = 2.5e-5 left-over noise are below 1% of v).
        let se_m = (v[i] / 4000.0).sqrt();
        let se_v = v[i] * (2.0f64 / 4000.0).sqrt();
        assert!(
            (mean[i] - mu[i]).abs() < 4.5 * se_m + 0.01 * v[i].sqrt(),
            "mean {i}: {} vs {}",
            mean[i],
            mu[i]
        );
        assert!(
            (var[i] - v[i]).abs() < 4.5 * se_v + 0.02 * v[i],
            "var {i}: {} vs {}",
            var[i],
            v[i]
        );
    }
}

#[test]
fn langevin_corrections_keep_the_exact_posterior() {
    let (mean, var, mu, v) = run_gaussian(2, 0.05, 22);
    for i in 0..6 {
        let se_m = (v[i] / 4000.0).sqrt();
        let se_v = v[i] * (2.0f64 / 4000.0).sqrt();
        // As above, plus the unadjusted Langevin bias O(τ) of the corrector's stationary law.
        assert!(
            (mean[i] - mu[i]).abs() < 4.5 * se_m + 0.02 * v[i].sqrt(),
            "mean {i}: {} vs {}",
            mean[i],
            mu[i]
        );
        assert!(
            (var[i] - v[i]).abs() < 4.5 * se_v + 0.05 * v[i],
            "var {i}: {} vs {}",
            var[i],
            v[i]
        );
    }
}

/// A denoiser that returns NaN below σ = 1 (a broken network).
#[derive(Debug)]
struct NanBelowOne;

impl WindowDenoiser for NanBelowOne {
    fn dim(&self) -> usize {
        3
    }
    fn capacity(&self) -> usize {
        16
    }
    fn denoise(&mut self, x: &[f32], sigma: f64, x0: &mut [f32]) -> Result<(), Error> {
        let v = if sigma < 1.0 { f32::NAN } else { 0.0 };
        x0[..x.len()].iter_mut().for_each(|o| *o = v);
        Ok(())
    }
    fn vjp(&mut self, v: &[f32], out: &mut [f32]) -> Result<(), Error> {
        out[..v.len()].copy_from_slice(v);
        Ok(())
    }
}

#[test]
fn a_diverging_run_is_reported_and_stays_stopped() {
    let obs = SelectionObservations {
        index: vec![1],
        value: vec![0.5],
        noise: vec![0.1],
    };
    let cfg = GuidedWindowConfig {
        samples: 16,
        levels: 20,
        sigma_min: 0.01,
        sigma_max: 10.0,
        corrections: 0,
        tau: 0.1,
        variance: VarianceRule::Hyper(0.1),
    };
    let mut s = GuidedWindowSampler::new(NanBelowOne, obs.clone(), cfg, 1).unwrap();
    let e = loop {
        match s.advance(1) {
            Ok(false) => {}
            Ok(true) => panic!("a NaN denoiser finished"),
            Err(e) => break e,
        }
    };
    assert!(matches!(e, Error::Diverged { particles: 16, .. }), "{e}");
    assert!(s.advance(1).is_err() && !s.is_done());
    // bad settings name the parameter
    let bad = GuidedWindowConfig {
        corrections: 17,
        ..cfg
    };
    assert!(GuidedWindowSampler::new(NanBelowOne, obs.clone(), bad, 1)
        .unwrap_err()
        .to_string()
        .contains("corrections"));
    let far = SelectionObservations {
        index: vec![3],
        ..obs
    };
    assert!(GuidedWindowSampler::new(NanBelowOne, far, cfg, 1)
        .unwrap_err()
        .to_string()
        .contains("observed index"));
}
