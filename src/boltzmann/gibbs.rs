//! Single-site Gibbs sampling of a Boltzmann machine.
//!
//! One sweep visits the units in order i = 0, …, D−1 and redraws each from its conditional,
//!
//!   P(s_i = 1 | s_{−i}) = σ(a_i),   a_i = b_i + Σ_{j≠i} W_ij s_j,   σ(a) = 1/(1 + e^{−a}),
//!
//! which follows from q(s_i = 1, s_{−i}) / q(s_i = 0, s_{−i}) = e^{a_i}. Each update leaves q_θ
//! invariant, so a chain of sweeps converges to q_θ (Geman & Geman 1984); how fast depends on how
//! strongly the units are coupled, which is what makes short chains (CD-k) biased.
//!
//! Because the state space is small, [`propagate`] also applies a sweep to a whole probability
//! vector over the 2^D states: the law of a chain after k sweeps, p T^k, is then exact, and so is
//! the expected CD-k gradient ⟨φ⟩_p − ⟨φ⟩_{pT^k}, with no Monte Carlo noise.

use super::machine::BoltzmannMachine;
use crate::rng::SimRng;
use rand::Rng;

/// The logistic function, written so that it neither overflows nor returns NaN.
pub fn sigmoid(a: f64) -> f64 {
    if a >= 0.0 {
        1.0 / (1.0 + (-a).exp())
    } else {
        let e = a.exp();
        e / (1.0 + e)
    }
}

/// A uniform number in (0, 1) from 32 random bits.
fn uniform(rng: &mut SimRng) -> f64 {
    (rng.next_u32() as f64 + 0.5) * (1.0 / 4_294_967_296.0)
}

/// One sequential Gibbs sweep from state `s`; returns the new state.
pub fn sweep(m: &BoltzmannMachine, mut s: u32, rng: &mut SimRng) -> u32 {
    for i in 0..m.units() {
        let p1 = sigmoid(m.field(i, s));
        if uniform(rng) < p1 {
            s |= 1 << i;
        } else {
            s &= !(1 << i);
        }
    }
    s
}

/// Applies one sweep to a distribution over the 2^D states, in place: afterwards `dist` is the
/// law of the chain after one more sweep. The update of unit i pools the mass of the two states
/// that differ only in unit i and splits it as σ(a_i) : 1 − σ(a_i) (a_i does not depend on s_i).
pub fn propagate(m: &BoltzmannMachine, dist: &mut [f64]) {
    let d = m.units();
    debug_assert_eq!(dist.len(), 1 << d);
    for i in 0..d {
        let bit = 1usize << i;
        for s0 in 0..dist.len() {
            if s0 & bit != 0 {
                continue;
            }
            let s1 = s0 | bit;
            let total = dist[s0] + dist[s1];
            if total == 0.0 {
                continue;
            }
            let p1 = sigmoid(m.field(i, s0 as u32));
            dist[s1] = total * p1;
            dist[s0] = total - dist[s1];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_propagated_sweep_keeps_q_invariant_and_mass_one() {
        use crate::boltzmann::machine::Enumeration;
        let theta: Vec<f64> = (0..10).map(|k| (k as f64 * 1.3).cos() * 2.0).collect();
        let m = BoltzmannMachine::from_params(4, &theta).unwrap();
        let mut e = Enumeration::default();
        m.enumerate(&mut e);
        let mut q: Vec<f64> = e.log_q.iter().map(|l| l.exp()).collect();
        let before = q.clone();
        propagate(&m, &mut q);
        for (a, b) in q.iter().zip(&before) {
            // q is stationary: each site update preserves it up to rounding
            assert!((a - b).abs() < 1e-15);
        }
        let mut delta = vec![0.0; 16];
        delta[5] = 1.0;
        propagate(&m, &mut delta);
        assert!((delta.iter().sum::<f64>() - 1.0).abs() < 1e-15);
    }

    #[test]
    fn sigmoid_is_stable_at_the_extremes() {
        assert_eq!(sigmoid(1000.0), 1.0);
        assert_eq!(sigmoid(-1000.0), 0.0);
        assert!((sigmoid(0.3) + sigmoid(-0.3) - 1.0).abs() < 1e-15);
    }
}
