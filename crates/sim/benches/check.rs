//! `check`'s speed on the seed's manifests (the eight fixture files in
//! `tests/fixtures/seed/`): parsing plus every static check, as the CLI runs
//! them. The target is under 20 ms.
//!
//! `cargo bench -p kubeprep-sim --bench check`

use kubeprep_sim::check::{self, Options};

fn main() {
    divan::main();
}

fn seed() -> Vec<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/seed");
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| {
            let name = p.file_name().expect("name").to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).expect("read"))
        })
        .collect();
    files.sort();
    files
}

/// Parse and check all eight seed manifests.
#[divan::bench]
fn seed_manifests(bencher: divan::Bencher) {
    let files = seed();
    let opts = Options {
        zero_downtime: true,
    };
    bencher.bench_local(|| check::run(divan::black_box(&files), &opts).1.len());
}

/// The seed's manifests repeated 50 times in one input (400 objects), to show
/// how the checks across objects scale.
#[divan::bench]
fn seed_times_50(bencher: divan::Bencher) {
    let files: Vec<(String, String)> = (0..50)
        .flat_map(|i| {
            seed().into_iter().map(move |(n, t)| {
                (
                    format!("{i}/{n}"),
                    t.replace("name: ", &format!("name: n{i}-")),
                )
            })
        })
        .collect();
    let opts = Options::default();
    bencher.bench_local(|| check::run(divan::black_box(&files), &opts).1.len());
}
