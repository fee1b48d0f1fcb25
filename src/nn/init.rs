//! PyTorch's default initialisation of `nn.Linear`, from the portable PCG32.
//!
//! `reset_parameters` draws W with `kaiming_uniform_(a = √5)`: bound = gain·√(3/fan_in) with
//! gain = √(2/(1 + a²)) = √(1/3), i.e. W ~ U(−1/√fan_in, 1/√fan_in); and b ~ U(−1/√fan_in,
//! 1/√fan_in) (PyTorch 2.x, `torch/nn/modules/linear.py`). The numbers come from [`SimRng`], so
//! a seed gives the same network natively and in the browser (not PyTorch's numbers).

use crate::rng::SimRng;
use rand::Rng;

/// A uniform draw on (−bound, bound) from the top 24 bits of one word (midpoint rule, so ±bound
/// itself is never drawn).
pub fn uniform_symmetric(rng: &mut SimRng, bound: f64) -> f32 {
    let u = ((rng.next_u32() >> 8) as f64 + 0.5) / 16_777_216.0;
    ((2.0 * u - 1.0) * bound) as f32
}

/// The bound 1/√fan_in of both W and b.
pub fn linear_bound(fan_in: usize) -> f64 {
    1.0 / (fan_in as f64).sqrt()
}
