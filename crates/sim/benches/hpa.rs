//! Benchmarks of the HPA simulation: an hour and a half of the seed's flash
//! sale (1,000 → 10,000 req/s) with the pre-scaling CronJob, with and without nodes.

use kubeprep_sim::hpa::{self, HpaInput, NodeOptions, SimOptions};
use kubeprep_sim::manifest::{self, Object};

fn main() {
    divan::main();
}

fn objects() -> Vec<Object> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/hpa");
    let mut out = Vec::new();
    for f in ["seed-hpa.yaml", "ecommerce-api.yaml", "seed-cronjob.yaml"] {
        let text = std::fs::read_to_string(format!("{dir}/{f}")).expect("fixture");
        out.extend(
            manifest::parse_str(f, &text)
                .documents
                .into_iter()
                .map(|d| d.object),
        );
    }
    out
}

fn input(nodes: bool) -> HpaInput {
    let profile = hpa::profile::parse("1000 for 60m, ramp to 10000 over 60s, 10000 for 30m")
        .expect("profile");
    let mut o = SimOptions::new(profile, 200.0);
    o.clock = hpa::parse_clock("13:00").expect("clock");
    if nodes {
        o.nodes = Some(NodeOptions {
            nodes: 2,
            pods_per_node: 8,
            provision_ms: 90_000,
            buffer_nodes: 1,
        });
    }
    HpaInput::from_objects(&objects(), o).expect("input")
}

#[divan::bench]
fn flash_sale_91_minutes(b: divan::Bencher) {
    let i = input(false);
    b.bench(|| hpa::simulate(divan::black_box(&i)).expect("runs"));
}

#[divan::bench]
fn flash_sale_91_minutes_with_nodes(b: divan::Bencher) {
    let i = input(true);
    b.bench(|| hpa::simulate(divan::black_box(&i)).expect("runs"));
}
