//! The flow-matching hot loops, natively: `cargo bench --bench flow`.
//!
//! * one midpoint step of the exact marginal velocity (flow matching) and of the exact VP
//!   probability flow on 2000 particles of the ring of eight Gaussians (the `<sb-flow-paths>`
//!   default cloud; 2 field evaluations per step);
//! * one CFM training step of 3 → 64 → 64 → 2 SiLU with B = 256, independent and minibatch-OT
//!   coupling (the latter includes one 256 × 256 Hungarian assignment);
//! * one exact assignment of 256 + 256 points alone.
//!
//! Prints `bench=FLOW case=<name> ms=<median> min=<> max=<>`.

use rand::Rng;
use scorebook::flow::assignment::{squared_distances, Assignment};
use scorebook::flow::targets::flow_target;
use scorebook::flow::{
    CondOtVelocity, Coupling, FlowConfig, FlowTrainer, OdeIntegrator, OdeMethod, VpProbabilityFlow,
};
use scorebook::normal::normal_pair;
use scorebook::particles::Particles;
use scorebook::rng::sim_rng;
use std::time::Instant;

fn report(name: &str, mut per: Vec<f64>) {
    per.sort_by(f64::total_cmp);
    println!(
        "bench=FLOW case={name} ms={:.4} min={:.4} max={:.4}",
        per[per.len() / 2],
        per[0],
        per[per.len() - 1]
    );
}

fn main() {
    let data = flow_target("ring8").unwrap();
    let start = Particles::normal(2000, [0.0, 0.0], 1.0, 1);
    for (name, pf) in [
        ("fm_midpoint_step_2000", false),
        ("pf_midpoint_step_2000", true),
    ] {
        let mut per = vec![];
        for _ in 0..9 {
            let mut ode = OdeIntegrator::new(OdeMethod::Midpoint, 100, start.clone(), 0).unwrap();
            let (mut fm, mut vp) = (
                CondOtVelocity::new(&data),
                VpProbabilityFlow::standard(&data),
            );
            let t0 = Instant::now();
            if pf {
                ode.run(&mut vp).unwrap();
            } else {
                ode.run(&mut fm).unwrap();
            }
            per.push(t0.elapsed().as_secs_f64() * 1e3 / 100.0);
        }
        report(name, per);
    }
    for (name, coupling) in [
        ("cfm_step_b256_independent", Coupling::Independent),
        ("cfm_step_b256_minibatch_ot", Coupling::MinibatchOt),
    ] {
        let mut tr = FlowTrainer::new(
            &data,
            FlowConfig {
                coupling,
                ..FlowConfig::standard()
            },
            1,
        )
        .unwrap();
        for _ in 0..20 {
            tr.step().unwrap();
        }
        let mut per = vec![];
        for _ in 0..15 {
            let t0 = Instant::now();
            for _ in 0..10 {
                tr.step().unwrap();
            }
            per.push(t0.elapsed().as_secs_f64() * 1e3 / 10.0);
        }
        report(name, per);
    }
    let mut rng = sim_rng(3);
    let mut solver = Assignment::new();
    let mut cost = Vec::new();
    let mut per = vec![];
    for _ in 0..15 {
        let (mut ax, mut ay, mut bx, mut by) = (vec![], vec![], vec![], vec![]);
        for _ in 0..256 {
            let (z1, z2) = normal_pair(rng.next_u32(), rng.next_u32());
            let y = data.sample(&mut rng);
            ax.push(z1);
            ay.push(z2);
            bx.push(y[0] as f32);
            by.push(y[1] as f32);
        }
        let t0 = Instant::now();
        squared_distances(&ax, &ay, &bx, &by, &mut cost);
        solver.solve(256, &cost).unwrap();
        per.push(t0.elapsed().as_secs_f64() * 1e3);
    }
    report("assignment_256", per);
}
