//! Tracers carried by the score field: the gradient flow dx/dt = ∇log p(x).
//!
//! Along the flow d/dt(−log p(x(t))) = −‖∇log p(x)‖² ≤ 0, so −log p is a Lyapunov function and
//! every tracer runs uphill into a mode (a sink of the field), never to a saddle except from a set
//! of measure zero. This is not sampling (that needs the noise of Langevin dynamics, section 4);
//! it shows where the field leads. The integrator is the classical fourth-order Runge–Kutta step
//! with a step h = min(dt, max_move/‖s(x)‖), so no tracer jumps more than `max_move` in one step
//! even where the field is huge (far tails, small σ).

use crate::error::{check_range, Error};
use crate::rng::sim_rng;
use rand::Rng;

/// A cloud of tracers following a vector field.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreFlow {
    /// Positions.
    pub points: Vec<[f64; 2]>,
    dt: f64,
    max_move: f64,
    steps: u64,
}

impl ScoreFlow {
    /// `n` ∈ [1, 10 000] tracers uniform in the box [x0, x1, y0, y1] (drawn from `seed`), time
    /// step `dt` ∈ (0, 10], largest move per step `max_move` > 0.
    pub fn new(n: usize, view: [f64; 4], dt: f64, max_move: f64, seed: u32) -> Result<Self, Error> {
        check_range("tracers", n as f64, 1.0, 10_000.0, false)?;
        check_range("dt", dt, 0.0, 10.0, true)?;
        check_range("max_move", max_move, 0.0, 1e6, true)?;
        let mut rng = sim_rng(seed as u64 ^ 0x666c_6f77);
        let u = |r: &mut crate::rng::SimRng| (r.next_u32() as f64 + 0.5) / 4_294_967_296.0;
        let points = (0..n)
            .map(|_| {
                [
                    view[0] + u(&mut rng) * (view[1] - view[0]),
                    view[2] + u(&mut rng) * (view[3] - view[2]),
                ]
            })
            .collect();
        Ok(Self {
            points,
            dt,
            max_move,
            steps: 0,
        })
    }

    /// Steps taken.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// One RK4 step of every tracer along `field`. Tracers where the field is not finite stay.
    pub fn step(&mut self, field: impl Fn([f64; 2]) -> [f64; 2]) {
        for x in &mut self.points {
            let k1 = field(*x);
            let n = k1[0].hypot(k1[1]);
            if !n.is_finite() {
                continue;
            }
            let h = if n * self.dt > self.max_move {
                self.max_move / n
            } else {
                self.dt
            };
            let at = |k: [f64; 2], c: f64| [x[0] + c * h * k[0], x[1] + c * h * k[1]];
            let k2 = field(at(k1, 0.5));
            let k3 = field(at(k2, 0.5));
            let k4 = field(at(k3, 1.0));
            let nx = [
                x[0] + h / 6.0 * (k1[0] + 2.0 * k2[0] + 2.0 * k3[0] + k4[0]),
                x[1] + h / 6.0 * (k1[1] + 2.0 * k2[1] + 2.0 * k3[1] + k4[1]),
            ];
            if nx[0].is_finite() && nx[1].is_finite() {
                *x = nx;
            }
        }
        self.steps += 1;
    }
}
