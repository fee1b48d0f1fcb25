//! DDPM noise schedules: β₁ … β_N, ᾱ_t, SNR and the forward posterior.
//!
//! The forward chain of Ho, Jain & Abbeel 2020 ("DDPM", eq. 2) is
//!   q(x_t | x_{t−1}) = N(√α_t x_{t−1}, β_t I),  α_t = 1 − β_t,  β_t ∈ (0, 1),
//! and its t-step marginal (eq. 4, by composing Gaussians)
//!   q(x_t | x₀) = N(√ᾱ_t x₀, (1 − ᾱ_t) I),  ᾱ_t = Π_{s ≤ t} α_s  (ᾱ₀ = 1).
//! The posterior of one step given the clean point (eqs. 6–7) is
//!   q(x_{t−1} | x_t, x₀) = N(μ̃_t, β̃_t I),
//!   μ̃_t = (√ᾱ_{t−1} β_t / (1 − ᾱ_t)) x₀ + (√α_t (1 − ᾱ_{t−1}) / (1 − ᾱ_t)) x_t,
//!   β̃_t = (1 − ᾱ_{t−1}) β_t / (1 − ᾱ_t).
//! The signal-to-noise ratio is SNR_t = ᾱ_t / (1 − ᾱ_t) (Kingma et al. 2021, "Variational
//! diffusion models", eq. 3).
//!
//! Three schedules: `linear` (Ho et al. §4: β from 10⁻⁴ to 0.02 over N = 1000), `cosine`
//! (Nichol & Dhariwal 2021, "Improved DDPM", eq. 17: ᾱ_t = f(t)/f(0),
//! f(t) = cos²(((t/N) + s)/(1 + s) · π/2), s = 0.008, β_t = 1 − ᾱ_t/ᾱ_{t−1} clipped at 0.999)
//! and `custom` (any user-edited list of β's in (0, 1)). ᾱ is always the running product of the
//! stored α's, so every identity above holds to round-off for every schedule.

use crate::error::Error;

/// The most steps a schedule may have.
pub const MAX_STEPS: usize = 100_000;

/// The cap of the cosine schedule's β (Nichol & Dhariwal §3.2: "to prevent singularities near t = T").
pub const COSINE_MAX_BETA: f64 = 0.999;

/// A discrete DDPM schedule β₁ … β_N, with its running products ᾱ.
#[derive(Debug, Clone, PartialEq)]
pub struct BetaSchedule {
    betas: Vec<f64>,
    /// ᾱ₀ = 1, ᾱ₁, …, ᾱ_N (N + 1 entries).
    alpha_bars: Vec<f64>,
}

fn check_steps(steps: usize) -> Result<usize, Error> {
    if (1..=MAX_STEPS).contains(&steps) {
        Ok(steps)
    } else {
        Err(Error::invalid(
            "steps",
            format!("an integer in [1, {MAX_STEPS}]"),
            steps,
        ))
    }
}

impl BetaSchedule {
    /// A schedule from a list of β's, each finite and in (0, 1) (a user-edited schedule).
    pub fn custom(betas: &[f64]) -> Result<Self, Error> {
        check_steps(betas.len())?;
        if let Some((i, b)) = betas
            .iter()
            .enumerate()
            .find(|(_, b)| !(b.is_finite() && **b > 0.0 && **b < 1.0))
        {
            return Err(Error::invalid(
                "beta",
                "a finite number in (0, 1) at every step",
                format!("{b} at step {}", i + 1),
            ));
        }
        let mut alpha_bars = Vec::with_capacity(betas.len() + 1);
        let mut a = 1.0;
        alpha_bars.push(a);
        for b in betas {
            a *= 1.0 - b;
            alpha_bars.push(a);
        }
        Ok(BetaSchedule {
            betas: betas.to_vec(),
            alpha_bars,
        })
    }

    /// β_t = β_start + (t − 1)/(N − 1)·(β_end − β_start), t = 1 … N (Ho et al.: 10⁻⁴, 0.02, 1000).
    pub fn linear(steps: usize, beta_start: f64, beta_end: f64) -> Result<Self, Error> {
        check_steps(steps)?;
        for (name, b) in [("beta_start", beta_start), ("beta_end", beta_end)] {
            if !(b.is_finite() && b > 0.0 && b < 1.0) {
                return Err(Error::invalid(name, "a finite number in (0, 1)", b));
            }
        }
        let d = if steps > 1 {
            (beta_end - beta_start) / (steps - 1) as f64
        } else {
            0.0
        };
        let betas: Vec<f64> = (0..steps).map(|i| beta_start + i as f64 * d).collect();
        Self::custom(&betas)
    }

    /// The default linear schedule of Ho et al.: N = 1000, β from 10⁻⁴ to 0.02.
    pub fn ho_linear() -> Self {
        Self::linear(1000, 1e-4, 0.02).expect("valid defaults")
    }

    /// The cosine schedule of Nichol & Dhariwal with offset `s` ∈ [0, 0.5] (they use 0.008).
    pub fn cosine(steps: usize, s: f64) -> Result<Self, Error> {
        check_steps(steps)?;
        if !(s.is_finite() && (0.0..=0.5).contains(&s)) {
            return Err(Error::invalid("offset", "a finite number in [0, 0.5]", s));
        }
        let f = |t: f64| {
            let c = ((t / steps as f64 + s) / (1.0 + s) * std::f64::consts::FRAC_PI_2).cos();
            c * c
        };
        let f0 = f(0.0);
        let betas: Vec<f64> = (1..=steps)
            .map(|t| {
                let b = 1.0 - (f(t as f64) / f0) / (f((t - 1) as f64) / f0);
                b.clamp(1e-12, COSINE_MAX_BETA)
            })
            .collect();
        Self::custom(&betas)
    }

    /// N, the number of steps.
    pub fn len(&self) -> usize {
        self.betas.len()
    }

    /// Always false: a schedule has at least one step.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// β₁ … β_N.
    pub fn betas(&self) -> &[f64] {
        &self.betas
    }

    /// ᾱ₀ = 1, ᾱ₁ … ᾱ_N (a view for plots).
    pub fn alpha_bars(&self) -> &[f64] {
        &self.alpha_bars
    }

    /// Validates a step index t ∈ [1, N].
    pub fn check_step(&self, t: usize) -> Result<usize, Error> {
        if (1..=self.len()).contains(&t) {
            Ok(t)
        } else {
            Err(Error::invalid(
                "t",
                format!("an integer step in [1, {}]", self.len()),
                t,
            ))
        }
    }

    /// β_t, t ∈ [1, N] (panics outside; use [`check_step`](Self::check_step) on user input).
    pub fn beta(&self, t: usize) -> f64 {
        self.betas[t - 1]
    }

    /// α_t = 1 − β_t.
    pub fn alpha(&self, t: usize) -> f64 {
        1.0 - self.betas[t - 1]
    }

    /// ᾱ_t, t ∈ [0, N] (ᾱ₀ = 1).
    pub fn alpha_bar(&self, t: usize) -> f64 {
        self.alpha_bars[t]
    }

    /// SNR_t = ᾱ_t / (1 − ᾱ_t), t ∈ [1, N].
    pub fn snr(&self, t: usize) -> f64 {
        let a = self.alpha_bars[t];
        a / (1.0 - a)
    }

    /// q(x_t | x₀) = N(scale·x₀, variance·I): returns (√ᾱ_t, 1 − ᾱ_t).
    pub fn marginal(&self, t: usize) -> (f64, f64) {
        let a = self.alpha_bars[t];
        (a.sqrt(), 1.0 - a)
    }

    /// The coefficients (of x₀, of x_t) of the posterior mean μ̃_t (Ho et al. eq. 7).
    pub fn posterior_mean_coefs(&self, t: usize) -> (f64, f64) {
        let (ab, ab_prev, b) = (
            self.alpha_bars[t],
            self.alpha_bars[t - 1],
            self.betas[t - 1],
        );
        (
            ab_prev.sqrt() * b / (1.0 - ab),
            (1.0 - b).sqrt() * (1.0 - ab_prev) / (1.0 - ab),
        )
    }

    /// The posterior variance β̃_t = (1 − ᾱ_{t−1}) β_t / (1 − ᾱ_t) (β̃₁ = 0).
    pub fn posterior_variance(&self, t: usize) -> f64 {
        (1.0 - self.alpha_bars[t - 1]) * self.betas[t - 1] / (1.0 - self.alpha_bars[t])
    }

    /// The ε ↔ score conversion factor: ∇log q_t(x) = −ε*(x)/√(1 − ᾱ_t).
    pub fn score_from_eps(&self, t: usize, eps: f64) -> f64 {
        -eps / (1.0 - self.alpha_bars[t]).sqrt()
    }

    /// The weight of ‖ε − ε_θ‖² in the ELBO term L_{t−1} for reverse variance σ_t²:
    ///   β_t² / (2σ_t² α_t (1 − ᾱ_t))  (Ho et al. eq. 12; the α_t is the one the course slides drop).
    pub fn elbo_weight(&self, t: usize, sigma2: f64) -> f64 {
        let b = self.betas[t - 1];
        b * b / (2.0 * sigma2 * (1.0 - b) * (1.0 - self.alpha_bars[t]))
    }

    /// Σ β_t, which the continuous VP-SDE's ∫β matches when β_t = β(t_i)Δt; ln ᾱ_N differs
    /// from −Σβ by O(Σβ²) (ln(1 − β) = −β − β²/2 − …).
    pub fn beta_sum(&self) -> f64 {
        self.betas.iter().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_step_schedule_and_cosine_endpoints() {
        let s = BetaSchedule::linear(1, 0.3, 0.9).unwrap();
        assert_eq!(s.betas(), &[0.3]);
        let c = BetaSchedule::cosine(1000, 0.008).unwrap();
        // f(N)/f(0) = cos²(π/2) = 0 is clipped through β ≤ 0.999: ᾱ_N tiny but positive
        assert!(c.alpha_bar(1000) > 0.0 && c.alpha_bar(1000) < 1e-6);
        assert!(c.betas().iter().all(|b| *b <= COSINE_MAX_BETA));
    }
}
