//! The exact marginal velocity of the conditional optimal-transport path from N(0, I) to a
//! Gaussian mixture, with the independent coupling x₀ ∼ N(0, I) ⟂ x₁ ∼ p = Σₖ wₖ N(μₖ, Σₖ).
//!
//! Path (Lipman et al. 2023, arXiv:2210.02747, eq. 20 with σ_min = 0; Liu et al. 2023 "rectified
//! flow"): x_τ = (1 − τ)x₀ + τx₁, conditional velocity x₁ − x₀. The marginal velocity that
//! generates p_τ is the conditional expectation (Lipman et al. Thm 1; curriculum 004 Lemma 4,
//! V-24)
//!
//!   u_τ(x) = E[x₁ − x₀ ∣ x_τ = x] = Σₖ ρₖ(x) E[x₁ − x₀ ∣ x_τ = x, k].
//!
//! Given component k, (x₀, x₁, x_τ) is jointly Gaussian: x_τ ∣ k ∼ N(τμₖ, Cₖ(τ)) with
//! Cₖ(τ) = (1 − τ)²I + τ²Σₖ, and Cov(x₁ − x₀, x_τ ∣ k) = τΣₖ − (1 − τ)I. Gaussian conditioning gives
//!
//!   E[x₁ − x₀ ∣ x_τ = x, k] = μₖ + (τΣₖ − (1 − τ)I) Cₖ(τ)⁻¹ (x − τμₖ),
//!   ρₖ(x) = wₖ N(x; τμₖ, Cₖ) / Σⱼ wⱼ N(x; τμⱼ, Cⱼ)        (responsibilities under p_τ),
//!
//! and p_τ = Σₖ wₖ N(τμₖ, Cₖ(τ)) itself is a mixture ([`CondOtVelocity::marginal`]). Checks: at
//! τ = 0, u₀(x) = E[x₁] − x; at τ = 1, u₁(x) = x; for one component N(m, s²I) in 1-D this is
//! curriculum V-23's u_τ(x) = m + (τs² − (1 − τ))/V_τ (x − τm), V_τ = τ²s² + (1 − τ)².

use super::kernel::{self, AffineKernel};
use super::velocity::{check_tau, Velocity};
use crate::error::Error;
use crate::gaussian::Gaussian2;
use crate::kernel::KernelPath;
use crate::mixture::GaussianMixture;

/// One term of a field v(x) = Σₖ ρₖ(x) (cₖ + Gₖ(x − mₖ)), with
/// ρₖ ∝ exp(lwₖ − ½(x − mₖ)ᵀPₖ(x − mₖ)).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct AffineTerm {
    pub m: [f64; 2],
    /// Precision (pxx, pxy, pyy).
    pub p: [f64; 3],
    /// log wₖ − log 2π − ½ log det Cₖ.
    pub lw: f64,
    pub c: [f64; 2],
    /// Gain, row-major (g11, g12, g21, g22).
    pub g: [f64; 4],
}

/// Evaluates Σₖ ρₖ(x)(cₖ + Gₖ(x − mₖ)) in f64 (log-sum-exp responsibilities).
pub(crate) fn affine_mixture_field(terms: &[AffineTerm], x: [f64; 2]) -> [f64; 2] {
    let mut best = f64::NEG_INFINITY;
    // first pass: the largest log weight (terms ≤ 64)
    let mut logs = [0.0f64; crate::mixture::MAX_COMPONENTS];
    for (k, t) in terms.iter().enumerate() {
        let (dx, dy) = (x[0] - t.m[0], x[1] - t.m[1]);
        let q = t.p[0] * dx * dx + 2.0 * t.p[1] * dx * dy + t.p[2] * dy * dy;
        logs[k] = t.lw - 0.5 * q;
        best = best.max(logs[k]);
    }
    let (mut s, mut vx, mut vy) = (0.0, 0.0, 0.0);
    for (k, t) in terms.iter().enumerate() {
        let r = (logs[k] - best).exp();
        let (dx, dy) = (x[0] - t.m[0], x[1] - t.m[1]);
        s += r;
        vx += r * (t.c[0] + t.g[0] * dx + t.g[1] * dy);
        vy += r * (t.c[1] + t.g[2] * dx + t.g[3] * dy);
    }
    [vx / s, vy / s]
}

/// Precision and log-normaliser of a 2×2 SPD matrix (a, b, c) = [[a, b], [b, c]].
pub(crate) fn inverse_spd(s: [f64; 3]) -> ([f64; 3], f64) {
    let det = s[0] * s[2] - s[1] * s[1];
    (
        [s[2] / det, -s[1] / det, s[0] / det],
        -(2.0 * std::f64::consts::PI).ln() - 0.5 * det.ln(),
    )
}

/// The exact marginal velocity field of the conditional OT path to `data` (see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct CondOtVelocity {
    data: GaussianMixture,
    terms: Vec<AffineTerm>,
    kernel: AffineKernel,
    path: KernelPath,
    /// τ of the cached terms.
    cached: f64,
}

impl CondOtVelocity {
    /// The field for the target `data` (source N(0, I)).
    pub fn new(data: &GaussianMixture) -> Self {
        let mut v = CondOtVelocity {
            data: data.clone(),
            terms: vec![AffineTerm::default(); data.len()],
            kernel: AffineKernel::default(),
            path: KernelPath::best(),
            cached: f64::NAN,
        };
        v.prepare(0.0);
        v
    }

    /// The target p = p₁.
    pub fn data(&self) -> &GaussianMixture {
        &self.data
    }

    /// Fills the per-component terms at τ (no allocation).
    fn prepare(&mut self, tau: f64) {
        if self.cached == tau {
            return;
        }
        let a = (1.0 - tau) * (1.0 - tau);
        let b = tau * tau;
        for ((t, comp), w) in self
            .terms
            .iter_mut()
            .zip(self.data.components())
            .zip(self.data.weights())
        {
            let mu = comp.mean();
            let s = comp.cov();
            let cm = [a + b * s[0], b * s[1], a + b * s[2]];
            let (p, ln) = inverse_spd(cm);
            // K = τΣ − (1 − τ)I, G = K C⁻¹ (K and C commute: both are polynomials in Σ)
            let k = [
                tau * s[0] - (1.0 - tau),
                tau * s[1],
                tau * s[2] - (1.0 - tau),
            ];
            *t = AffineTerm {
                m: [tau * mu[0], tau * mu[1]],
                p,
                lw: w.ln() + ln,
                c: mu,
                g: [
                    k[0] * p[0] + k[1] * p[1],
                    k[0] * p[1] + k[1] * p[2],
                    k[1] * p[0] + k[2] * p[1],
                    k[1] * p[1] + k[2] * p[2],
                ],
            };
        }
        self.kernel.fill(&self.terms);
        self.cached = tau;
    }

    /// u_τ(x) in f64, τ ∈ [0, 1].
    pub fn velocity_at(&mut self, tau: f64, x: [f64; 2]) -> Result<[f64; 2], Error> {
        check_tau(tau)?;
        self.prepare(tau);
        Ok(affine_mixture_field(&self.terms, x))
    }

    /// The marginal law p_τ = Σₖ wₖ N(τμₖ, (1 − τ)²I + τ²Σₖ), τ ∈ [0, 1].
    pub fn marginal(&self, tau: f64) -> Result<GaussianMixture, Error> {
        check_tau(tau)?;
        let (a, b) = ((1.0 - tau) * (1.0 - tau), tau * tau);
        let comps = self
            .data
            .components()
            .iter()
            .map(|c| {
                let (m, s) = (c.mean(), c.cov());
                Gaussian2::new(
                    [tau * m[0], tau * m[1]],
                    a + b * s[0],
                    b * s[1],
                    a + b * s[2],
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        GaussianMixture::new(self.data.weights(), comps)
    }

    /// E‖x₁ − x₀‖² under the independent coupling: E‖x₁‖² + 2 (exact).
    pub fn independent_cost(&self) -> f64 {
        let m = self.data.mean();
        let c = self.data.covariance();
        m[0] * m[0] + m[1] * m[1] + c[0] + c[2] + 2.0
    }
}

impl CondOtVelocity {
    /// The kernel path of [`Velocity::eval`] (scalar or simd128; both give the same bits).
    pub fn path(&self) -> KernelPath {
        self.path
    }

    /// Chooses the kernel path.
    pub fn set_path(&mut self, path: KernelPath) {
        self.path = path;
    }
}

impl Velocity for CondOtVelocity {
    fn eval(&mut self, tau: f64, xs: &[f32], ys: &[f32], vx: &mut [f32], vy: &mut [f32]) {
        self.prepare(tau);
        kernel::eval(self.path, &self.kernel, xs, ys, vx, vy);
    }
}
