//! The lab world's speed: building a world, and advancing one simulated hour
//! (issue 4 asks for under 10 ms) for a crash-looping fault and a fixed world.

use kubeprep_sim::lab::{Change, Fault, World};

fn main() {
    divan::main();
}

#[divan::bench]
fn new_world() -> World {
    World::new(divan::black_box(Fault::ServiceSelectorMismatch), 1)
}

#[divan::bench(args = [Fault::ServiceSelectorMismatch, Fault::LivenessWrongPort, Fault::BadImage, Fault::MissingConfigmap])]
fn advance_one_hour(bencher: divan::Bencher, fault: Fault) {
    bencher
        .with_inputs(|| World::new(fault, 1))
        .bench_local_values(|mut w| {
            w.advance(3_600_000);
            w
        });
}

#[divan::bench]
fn advance_one_hour_after_a_rollout(bencher: divan::Bencher) {
    bencher
        .with_inputs(|| {
            let mut w = World::new(Fault::EgressBlocked, 1);
            w.apply(Change::Delete {
                kind: kubeprep_sim::lab::Kind::NetworkPolicy,
                name: "api-egress".into(),
            })
            .expect("the policy exists");
            w.apply(Change::RolloutRestart {
                deployment: "api".into(),
            })
            .expect("api exists");
            w
        })
        .bench_local_values(|mut w| {
            w.advance(3_600_000);
            w
        });
}
