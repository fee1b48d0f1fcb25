//! Four score-matching objectives of one affine model, exactly and from samples.
//!
//! Data x ~ p, a 1D Gaussian mixture; model s(x) = a x + b. Every objective is a quadratic in
//! θ = (a, b), J(θ) = ½θᵀMθ − rᵀθ + c, so its value and its minimiser M⁻¹r are exact:
//!
//! * explicit (ESM), ½E_p(s − s_p)²:  M = [[m₂, m₁], [m₁, 1]], r = (E[x s_p], E[s_p]), c = ½E[s_p²],
//!   with the three expectations of the true score s_p = (log p)′ by quadrature;
//! * implicit (ISM, Hyvärinen 2005 Thm 1), E_p[s′ + ½s²] = a + ½E(ax + b)²: same M, r = (−1, 0),
//!   c = 0. Integration by parts gives E[x s_p] = −1, E[s_p] = 0, so ESM = ISM + ½E[s_p²];
//! * denoising (DSM, Vincent 2011), ½E(s(x + σz) + z/σ)², z ~ N(0, 1): M = [[m₂ + σ², m₁], [m₁, 1]],
//!   r = (−1, 0), c = 1/(2σ²). It equals the explicit objective of the noised law q_σ = p ∗ N(0, σ²)
//!   plus the constant 1/(2σ²) − ½E_{q_σ}[s_q²] (Vincent's C; in d dimensions d/(2σ²)), so its
//!   minimiser a = −1/(Var p + σ²), b = E[x]/(Var p + σ²) is the best affine fit to the score of
//!   q_σ, not of p (for Gaussian data exactly the score of q_σ, −(x − μ)/(s² + σ²));
//! * sliced (SSM, Song et al. 2019), E_v E_p[v²a + ½v²(ax + b)²] with E[v²] = 1: in expectation
//!   equal to ISM; per sample it adds the variance of v² (2 for Gaussian v, 0 for Rademacher v,
//!   which makes SSM and ISM identical on the line).
//!
//! From n samples the same quadratics are built from sample moments (the empirical objectives,
//! whose minimisers are least-squares solutions; the empirical ISM minimiser is the Gaussian
//! maximum-likelihood fit, a = −1/σ̂², b = x̄/σ̂² with the biased variance), and each objective's
//! value at θ is estimated by the sample mean of its per-sample term, with its standard error.

use super::{mean_se, normal2};
use crate::error::{check_range, Error};
use crate::kl::mixture1::Mixture1;
use crate::quadrature::Rule1;
use crate::rng::sim_rng;

/// J(θ) = ½θᵀMθ − rᵀθ + c in θ = (a, b), M = [[m[0], m[1]], [m[1], m[2]]].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quadratic {
    /// M's entries (aa, ab, bb).
    pub m: [f64; 3],
    /// The linear coefficients.
    pub r: [f64; 2],
    /// The constant.
    pub c: f64,
}

impl Quadratic {
    /// J(a, b).
    pub fn eval(&self, a: f64, b: f64) -> f64 {
        0.5 * (self.m[0] * a * a + 2.0 * self.m[1] * a * b + self.m[2] * b * b)
            - self.r[0] * a
            - self.r[1] * b
            + self.c
    }
    /// The minimiser M⁻¹r (M is positive definite for any non-degenerate data).
    pub fn argmin(&self) -> [f64; 2] {
        let det = self.m[0] * self.m[2] - self.m[1] * self.m[1];
        [
            (self.m[2] * self.r[0] - self.m[1] * self.r[1]) / det,
            (self.m[0] * self.r[1] - self.m[1] * self.r[0]) / det,
        ]
    }
    /// The minimum value.
    pub fn min(&self) -> f64 {
        let t = self.argmin();
        self.eval(t[0], t[1])
    }
}

/// The objectives' names, in the order of [`Objective`].
pub const OBJECTIVE_NAMES: [&str; 4] = ["ESM", "ISM", "DSM", "SSM"];

/// One of the four objectives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Objective {
    /// Explicit score matching.
    Explicit,
    /// Implicit (Hyvärinen) score matching.
    Implicit,
    /// Denoising score matching at σ.
    Denoising,
    /// Sliced score matching with Gaussian projections.
    Sliced,
}

/// All four objectives.
pub const OBJECTIVES: [Objective; 4] = [
    Objective::Explicit,
    Objective::Implicit,
    Objective::Denoising,
    Objective::Sliced,
];

/// (E[x s], E[s], E[s²]) of a 1D mixture's own score, by 8-point Gauss–Legendre on cells that
/// follow the components: breakpoints every half sd within ±12 sd of each mean, plus 400 equal
/// cells over the whole support, so that a narrow component beside a wide one is resolved.
fn score_moments(p: &Mixture1) -> Result<[f64; 3], Error> {
    let [lo, hi] = p.support();
    let mut breaks: Vec<f64> = (0..=400)
        .map(|k| lo + (hi - lo) * k as f64 / 400.0)
        .collect();
    for (m, s) in p.means().iter().zip(p.sds()) {
        breaks.extend((-24..=24).map(|j| m + 0.5 * j as f64 * s));
    }
    breaks.sort_by(f64::total_cmp);
    // merge breakpoints closer than 1e-9 of the support (duplicates would make empty cells)
    let tol = 1e-9 * (hi - lo);
    breaks.dedup_by(|a, b| (*a - *b).abs() <= tol);
    let rule = Rule1::from_breakpoints(&breaks, 8)?;
    let (mut xs, mut s1, mut s2) = (0.0, 0.0, 0.0);
    for (&x, &wt) in rule.nodes().iter().zip(rule.weights()) {
        let d = p.log_density(x).exp() * wt;
        let s = p.score(x);
        xs += d * x * s;
        s1 += d * s;
        s2 += d * s * s;
    }
    Ok([xs, s1, s2])
}

/// p convolved with N(0, σ²).
pub fn noised1(p: &Mixture1, sigma: f64) -> Result<Mixture1, Error> {
    let sds: Vec<f64> = p
        .sds()
        .iter()
        .map(|s| (s * s + sigma * sigma).sqrt())
        .collect();
    Mixture1::new(p.weights(), p.means(), &sds)
}

/// The four objectives of s(x) = ax + b on data p, exactly.
#[derive(Debug, Clone, PartialEq)]
pub struct AffineScoreMatching {
    p: Mixture1,
    q: Mixture1,
    sigma: f64,
    esm: Quadratic,
    ism: Quadratic,
    dsm: Quadratic,
    esm_noised: Quadratic,
}

impl AffineScoreMatching {
    /// Data p, noise level σ ∈ [0.01, 10] for DSM.
    pub fn new(p: Mixture1, sigma: f64) -> Result<Self, Error> {
        check_range("sigma", sigma, 0.01, 10.0, false)?;
        let q = noised1(&p, sigma)?;
        let (m1, var) = (p.mean(), p.variance());
        let m2 = var + m1 * m1;
        let sp = score_moments(&p)?;
        let sq = score_moments(&q)?;
        let s2 = sigma * sigma;
        Ok(Self {
            esm: Quadratic {
                m: [m2, m1, 1.0],
                r: [sp[0], sp[1]],
                c: 0.5 * sp[2],
            },
            ism: Quadratic {
                m: [m2, m1, 1.0],
                r: [-1.0, 0.0],
                c: 0.0,
            },
            dsm: Quadratic {
                m: [m2 + s2, m1, 1.0],
                r: [-1.0, 0.0],
                c: 0.5 / s2,
            },
            esm_noised: Quadratic {
                m: [m2 + s2, m1, 1.0],
                r: [sq[0], sq[1]],
                c: 0.5 * sq[2],
            },
            p,
            q,
            sigma,
        })
    }

    /// The data law.
    pub fn target(&self) -> &Mixture1 {
        &self.p
    }
    /// q_σ = p ∗ N(0, σ²).
    pub fn noised_target(&self) -> &Mixture1 {
        &self.q
    }
    /// σ.
    pub fn sigma(&self) -> f64 {
        self.sigma
    }

    /// The exact quadratic of an objective (SSM: its expectation over v, equal to ISM).
    pub fn exact(&self, o: Objective) -> Quadratic {
        match o {
            Objective::Explicit => self.esm,
            Objective::Implicit | Objective::Sliced => self.ism,
            Objective::Denoising => self.dsm,
        }
    }
    /// ½E_{q_σ}(s − s_q)², the explicit objective of the noised law.
    pub fn esm_noised(&self) -> Quadratic {
        self.esm_noised
    }
    /// ESM − ISM = ½E_p[s_p²], the same for every (a, b).
    pub fn esm_minus_ism(&self) -> f64 {
        self.esm.c
    }
    /// DSM − ESM[q_σ] = 1/(2σ²) − ½E_{q_σ}[s_q²], the same for every (a, b).
    pub fn dsm_minus_esm_noised(&self) -> f64 {
        0.5 / (self.sigma * self.sigma) - self.esm_noised.c
    }
}

/// Samples for the Monte Carlo estimates: data x, DSM noise z and SSM projections v (Gaussian).
#[derive(Debug, Clone, PartialEq)]
pub struct AffineSamples {
    /// Data.
    pub x: Vec<f64>,
    /// Noise of DSM.
    pub z: Vec<f64>,
    /// Gaussian projections of SSM.
    pub v: Vec<f64>,
}

impl AffineSamples {
    /// `n` ∈ [2, 100 000] draws of (x, z, v) from `seed`.
    pub fn draw(p: &Mixture1, n: usize, seed: u32) -> Result<Self, Error> {
        check_range("samples", n as f64, 2.0, 100_000.0, false)?;
        let mut rng = sim_rng(seed as u64 ^ 0x736d_6f62);
        let x = (0..n).map(|_| p.sample(&mut rng)).collect();
        let (mut z, mut v) = (Vec::with_capacity(n), Vec::with_capacity(n));
        for _ in 0..n {
            let (a, b) = normal2(&mut rng);
            z.push(a);
            v.push(b);
        }
        Ok(Self { x, z, v })
    }

    /// The empirical quadratic of an objective on these samples.
    pub fn empirical(&self, sm: &AffineScoreMatching, o: Objective) -> Quadratic {
        let n = self.x.len() as f64;
        let mean = |f: &dyn Fn(usize) -> f64| (0..self.x.len()).map(f).sum::<f64>() / n;
        let (x, z, v, s) = (&self.x, &self.z, &self.v, sm.sigma);
        let p = &sm.p;
        match o {
            Objective::Explicit => Quadratic {
                m: [mean(&|i| x[i] * x[i]), mean(&|i| x[i]), 1.0],
                r: [mean(&|i| x[i] * p.score(x[i])), mean(&|i| p.score(x[i]))],
                c: 0.5 * mean(&|i| p.score(x[i]).powi(2)),
            },
            Objective::Implicit => Quadratic {
                m: [mean(&|i| x[i] * x[i]), mean(&|i| x[i]), 1.0],
                r: [-1.0, 0.0],
                c: 0.0,
            },
            Objective::Denoising => {
                let y = |i: usize| x[i] + s * z[i];
                Quadratic {
                    m: [mean(&|i| y(i) * y(i)), mean(&|i| y(i)), 1.0],
                    r: [-mean(&|i| y(i) * z[i]) / s, -mean(&|i| z[i]) / s],
                    c: 0.5 * mean(&|i| z[i] * z[i]) / (s * s),
                }
            }
            Objective::Sliced => {
                let w = |i: usize| v[i] * v[i];
                Quadratic {
                    m: [
                        mean(&|i| w(i) * x[i] * x[i]),
                        mean(&|i| w(i) * x[i]),
                        mean(&|i| w(i)),
                    ],
                    r: [-mean(&|i| w(i)), 0.0],
                    c: 0.0,
                }
            }
        }
    }

    /// The per-sample term of an objective at (a, b).
    fn term(&self, sm: &AffineScoreMatching, o: Objective, i: usize, a: f64, b: f64) -> f64 {
        let (x, s) = (self.x[i], sm.sigma);
        match o {
            Objective::Explicit => 0.5 * (a * x + b - sm.p.score(x)).powi(2),
            Objective::Implicit => a + 0.5 * (a * x + b).powi(2),
            Objective::Denoising => {
                let z = self.z[i];
                0.5 * (a * (x + s * z) + b + z / s).powi(2)
            }
            Objective::Sliced => {
                let w = self.v[i] * self.v[i];
                w * a + 0.5 * w * (a * x + b).powi(2)
            }
        }
    }

    /// The Monte Carlo estimate of an objective at (a, b): (mean, standard error).
    pub fn estimate(&self, sm: &AffineScoreMatching, o: Objective, a: f64, b: f64) -> (f64, f64) {
        mean_se((0..self.x.len()).map(|i| self.term(sm, o, i, a, b)))
    }

    /// The Monte Carlo estimate of objective `o1` minus objective `o2` at (a, b) on the same
    /// samples (common random numbers): (mean, standard error).
    pub fn estimate_difference(
        &self,
        sm: &AffineScoreMatching,
        o1: Objective,
        o2: Objective,
        a: f64,
        b: f64,
    ) -> (f64, f64) {
        mean_se((0..self.x.len()).map(|i| self.term(sm, o1, i, a, b) - self.term(sm, o2, i, a, b)))
    }

    /// The sample variance of the per-sample SSM term at (a, b) with Gaussian projections, and
    /// with Rademacher projections (v² = 1: the ISM term).
    pub fn sliced_variances(&self, sm: &AffineScoreMatching, a: f64, b: f64) -> (f64, f64) {
        let n = self.x.len() as f64;
        let g = self.estimate(sm, Objective::Sliced, a, b).1;
        let r = self.estimate(sm, Objective::Implicit, a, b).1;
        (g * g * n, r * r * n)
    }
}

/// Gradient descent on the four empirical objectives from a common start, a step-wise state
/// machine (the caller owns the loop): θ ← θ − η(Mθ − r) for each quadratic, with one step size
/// η = 1/λ_max over the four M (so every descent is stable, and monotone: for a quadratic with
/// η ≤ 1/λ_max each step lowers J). The paths are kept (at most 5000 points each; beyond that the
/// last point moves).
#[derive(Debug, Clone, PartialEq)]
pub struct AffineDescent {
    quads: [Quadratic; 4],
    step_size: f64,
    paths: [Vec<[f64; 2]>; 4],
    steps: u64,
}

/// Most points kept per descent path.
pub const PATH_MAX: usize = 5000;

impl AffineDescent {
    /// Descents on `quads` (in the order of [`OBJECTIVES`]) from `start`.
    pub fn new(quads: [Quadratic; 4], start: [f64; 2]) -> Self {
        let lmax = quads
            .iter()
            .map(|q| {
                let (a, b, c) = (q.m[0], q.m[1], q.m[2]);
                0.5 * (a + c) + (0.25 * (a - c).powi(2) + b * b).sqrt()
            })
            .fold(0.0, f64::max);
        Self {
            quads,
            step_size: 1.0 / lmax.max(1e-12),
            paths: std::array::from_fn(|_| vec![start]),
            steps: 0,
        }
    }

    /// The step size η.
    pub fn step_size(&self) -> f64 {
        self.step_size
    }
    /// Steps taken.
    pub fn steps(&self) -> u64 {
        self.steps
    }
    /// The path of descent `k` (0 ESM, 1 ISM, 2 DSM, 3 SSM).
    pub fn path(&self, k: usize) -> &[[f64; 2]] {
        &self.paths[k.min(3)]
    }
    /// Where descent `k` is now.
    pub fn theta(&self, k: usize) -> [f64; 2] {
        *self.paths[k.min(3)].last().expect("a path holds its start")
    }

    /// One step of every descent.
    pub fn step(&mut self) {
        for (q, path) in self.quads.iter().zip(self.paths.iter_mut()) {
            let t = *path.last().expect("a path holds its start");
            let g = [
                q.m[0] * t[0] + q.m[1] * t[1] - q.r[0],
                q.m[1] * t[0] + q.m[2] * t[1] - q.r[1],
            ];
            let nt = [t[0] - self.step_size * g[0], t[1] - self.step_size * g[1]];
            if path.len() < PATH_MAX {
                path.push(nt);
            } else {
                *path.last_mut().expect("non-empty") = nt;
            }
        }
        self.steps += 1;
    }
}
