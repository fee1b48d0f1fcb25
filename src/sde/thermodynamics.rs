//! The thermodynamics of overdamped Langevin dynamics in a harmonic trap: entropy production
//! against the thermodynamic speed limit (Ito 2024, the curriculum's seed 003, eqs. 1–6, 21–23).
//!
//! A particle with mobility μ at temperature T (k_B = 1, D = μT) in the trap F = −k(x − λ(t)):
//!   dx = μF dt + √(2D) dW.
//! From a Gaussian P₀ = N(m₀, s₀²) the law stays Gaussian, N(m_t, s_t²), with
//!   ṁ = −μk(m − λ(t)),   d(s²)/dt = −2μk s² + 2D,
//! and the probability velocity ν(x) = μF − D ∂ₓ ln P_t = ṁ + (ṡ/s)(x − m) (eq. 3). Then
//!   entropy production rate  σ_t = ∫ ν² P_t dx / (μT) = (ṁ² + ṡ²)/(μT)      (eq. 5)
//!                            = −Q̇_t/T + Ṡ_t,  −Q̇/T = ⟨F ν⟩/T, Ṡ = ṡ/s    (eq. 4–6),
//! and since the Wasserstein-2 speed of a 1D Gaussian path is v_t² = ṁ² + ṡ², the local speed
//! limit σ_t ≥ v_t²/(μT) (eq. 22) is an equality for this potential force, while the global one
//!   Σ_τ = ∫₀^τ σ_t dt ≥ W₂(P₀, P_τ)²/(μTτ),  W₂² = (m₀ − m_τ)² + (s₀ − s_τ)²      (eq. 21)
//! is tight only for a constant-speed geodesic (eq. 23): the *geodesic* protocol translates
//! N(0, T/k) by L in time τ with the trap leading the mean by (L/τ)/(μk), giving Σ = L²/(Dτ).
//! (The article writes σ_t for the entropy-production rate; in this crate σ means a noise scale,
//! so the rate is `entropy_production_rate`.) [`rotational_steady_state`] is the 2D non-potential
//! case F = −kx + κJx, where v_t = 0 but σ = 2μκ²/k > 0: the local bound is strict.

use crate::error::{check_range, Error};
use crate::quadrature::Rule1;

/// How the trap centre λ(t) moves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Protocol {
    /// λ ≡ `centre` (relaxation; a "step" protocol when P₀ is centred elsewhere).
    Fixed {
        /// The trap centre.
        centre: f64,
    },
    /// λ(t) = m₀ + L t/τ (a linear ramp of the centre).
    Ramp {
        /// The distance L.
        distance: f64,
    },
    /// λ(t) = m₀ + L t/τ + (L/τ)/(μk): the mean moves at the constant speed L/τ (the geodesic,
    /// optimal when s₀² = T/k).
    Geodesic {
        /// The distance L.
        distance: f64,
    },
}

/// A harmonic-trap protocol from a Gaussian start, over [0, τ].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrapProcess {
    /// Mobility μ.
    pub mobility: f64,
    /// Temperature T.
    pub temperature: f64,
    /// Stiffness k.
    pub stiffness: f64,
    /// Initial mean m₀.
    pub m0: f64,
    /// Initial standard deviation s₀.
    pub s0: f64,
    /// Duration τ.
    pub duration: f64,
    /// The protocol λ(t).
    pub protocol: Protocol,
}

impl TrapProcess {
    /// μ, T, k ∈ (0, 100], s₀ ∈ (0, 100], τ ∈ (0, 1000], m₀ and the protocol's numbers finite.
    pub fn new(
        mobility: f64,
        temperature: f64,
        stiffness: f64,
        m0: f64,
        s0: f64,
        duration: f64,
        protocol: Protocol,
    ) -> Result<Self, Error> {
        check_range("mobility", mobility, 0.0, 100.0, true)?;
        check_range("temperature", temperature, 0.0, 100.0, true)?;
        check_range("stiffness", stiffness, 0.0, 100.0, true)?;
        check_range("initial sd", s0, 0.0, 100.0, true)?;
        check_range("duration", duration, 0.0, 1000.0, true)?;
        check_range("initial mean", m0, -1e6, 1e6, false)?;
        let v = match protocol {
            Protocol::Fixed { centre } => centre,
            Protocol::Ramp { distance } | Protocol::Geodesic { distance } => distance,
        };
        check_range("protocol distance", v, -1e6, 1e6, false)?;
        Ok(TrapProcess {
            mobility,
            temperature,
            stiffness,
            m0,
            s0,
            duration,
            protocol,
        })
    }

    /// The curriculum's V-25 setting: μ = T = k = 1, P₀ = N(2, 0.5²), λ ≡ 0, τ = 1.
    pub fn ito_relaxation() -> Self {
        Self::new(
            1.0,
            1.0,
            1.0,
            2.0,
            0.5,
            1.0,
            Protocol::Fixed { centre: 0.0 },
        )
        .expect("valid")
    }

    /// D = μT.
    pub fn diffusion(&self) -> f64 {
        self.mobility * self.temperature
    }

    fn rate(&self) -> f64 {
        self.mobility * self.stiffness
    }

    /// λ(t).
    pub fn centre(&self, t: f64) -> f64 {
        match self.protocol {
            Protocol::Fixed { centre } => centre,
            Protocol::Ramp { distance } => self.m0 + distance * t / self.duration,
            Protocol::Geodesic { distance } => {
                self.m0 + distance * t / self.duration + distance / self.duration / self.rate()
            }
        }
    }

    /// (m_t, ṁ_t) in closed form.
    pub fn mean(&self, t: f64) -> (f64, f64) {
        let r = self.rate();
        let e = (-r * t).exp();
        match self.protocol {
            Protocol::Fixed { centre } => {
                (centre + (self.m0 - centre) * e, -r * (self.m0 - centre) * e)
            }
            Protocol::Ramp { distance } => {
                // m = m₀ + u(t − (1 − e^{−rt})/r), u = L/τ
                let u = distance / self.duration;
                (self.m0 + u * (t - (1.0 - e) / r), u * (1.0 - e))
            }
            Protocol::Geodesic { distance } => {
                let u = distance / self.duration;
                (self.m0 + u * t, u)
            }
        }
    }

    /// (s_t, ṡ_t): s² = T/k + (s₀² − T/k) e^{−2μk t}.
    pub fn sd(&self, t: f64) -> (f64, f64) {
        let r = self.rate();
        let eq = self.temperature / self.stiffness;
        let e = (-2.0 * r * t).exp();
        let s2 = eq + (self.s0 * self.s0 - eq) * e;
        let ds2 = -2.0 * r * (self.s0 * self.s0 - eq) * e;
        let s = s2.sqrt();
        (s, ds2 / (2.0 * s))
    }

    /// σ_t = (ṁ² + ṡ²)/(μT).
    pub fn entropy_production_rate(&self, t: f64) -> f64 {
        let (_, dm) = self.mean(t);
        let (_, ds) = self.sd(t);
        (dm * dm + ds * ds) / self.diffusion()
    }

    /// σ_t = ∫ ν(x)² P_t(x) dx/(μT) by Gauss–Legendre quadrature over m ± 12 s, with
    /// ν = μF − D ∂ₓ ln P (the definition, eq. 5, independent of the closed form).
    pub fn entropy_production_rate_quadrature(&self, t: f64) -> f64 {
        let (m, _) = self.mean(t);
        let (s, _) = self.sd(t);
        let (lam, d, mu, k) = (
            self.centre(t),
            self.diffusion(),
            self.mobility,
            self.stiffness,
        );
        let rule = Rule1::new(m - 12.0 * s, m + 12.0 * s, 48, 8).expect("valid rule");
        rule.integrate(|x| {
            let p = (-(x - m).powi(2) / (2.0 * s * s)).exp()
                / (2.0 * std::f64::consts::PI * s * s).sqrt();
            let nu = mu * (-k * (x - lam)) + d * (x - m) / (s * s);
            nu * nu * p
        }) / d
    }

    /// −Q̇_t/T = ⟨F ν⟩/T, the rate of entropy given to the bath.
    pub fn bath_entropy_rate(&self, t: f64) -> f64 {
        let (m, dm) = self.mean(t);
        let (s, ds) = self.sd(t);
        // ⟨−k(x − λ)(ṁ + (ṡ/s)(x − m))⟩ = −k(m − λ)ṁ − k s ṡ
        (-self.stiffness * (m - self.centre(t)) * dm - self.stiffness * s * ds) / self.temperature
    }

    /// Ṡ_t = d/dt ½ ln(2πe s²) = ṡ/s, the rate of change of the system's Shannon entropy.
    pub fn system_entropy_rate(&self, t: f64) -> f64 {
        let (s, ds) = self.sd(t);
        ds / s
    }

    /// v_t² = ṁ² + ṡ², the squared Wasserstein-2 speed of the Gaussian path.
    pub fn wasserstein_speed_sq(&self, t: f64) -> f64 {
        let (_, dm) = self.mean(t);
        let (_, ds) = self.sd(t);
        dm * dm + ds * ds
    }

    /// Σ_τ = ∫₀^τ σ_t dt (64-cell 8-point Gauss–Legendre: exact to round-off for these smooth
    /// exponentials).
    pub fn entropy_production(&self) -> f64 {
        Rule1::new(0.0, self.duration, 64, 8)
            .expect("valid rule")
            .integrate(|t| self.entropy_production_rate(t))
    }

    /// KL(P_t ‖ π_t) to the instantaneous equilibrium π_t = N(λ(t), T/k) of the trap:
    /// ln(s_eq/s) + (s² + (m − λ)²)/(2 s_eq²) − ½. For the fixed trap π is the stationary law and
    /// d/dt KL(P_t ‖ π) = −σ_t (the second law as a KL decay: d⟨U⟩/dt = Q̇ and −dS/dt = −Ṡ, so
    /// dKL/dt = Q̇/T − Ṡ = −σ_t by eq. 6).
    pub fn kl_to_equilibrium(&self, t: f64) -> f64 {
        let (m, _) = self.mean(t);
        let (s, _) = self.sd(t);
        let eq = self.temperature / self.stiffness;
        let d = m - self.centre(t);
        0.5 * (eq / (s * s)).ln() + (s * s + d * d) / (2.0 * eq) - 0.5
    }

    /// W₂(P₀, P_τ)²/(μTτ), the speed-limit bound on Σ_τ.
    pub fn speed_limit_bound(&self) -> f64 {
        let (m, _) = self.mean(self.duration);
        let (s, _) = self.sd(self.duration);
        ((self.m0 - m).powi(2) + (self.s0 - s).powi(2)) / (self.diffusion() * self.duration)
    }
}

/// The non-equilibrium steady state of F = −kx + κJx in the plane (J the rotation by π/2):
/// P = N(0, (T/k)I), ν = μκJx, so v = 0 (the law does not move) while σ = ⟨|ν|²⟩/(μT) = 2μκ²/k.
/// Returns (σ, stationary variance T/k).
pub fn rotational_steady_state(
    mobility: f64,
    temperature: f64,
    stiffness: f64,
    kappa: f64,
) -> (f64, f64) {
    (
        2.0 * mobility * kappa * kappa / stiffness,
        temperature / stiffness,
    )
}
