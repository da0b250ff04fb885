//! Parsing and validating every seed manifest (the fixtures in
//! `tests/fixtures/manifest/seed-*.yaml`): part of the "check of the seed's
//! manifests in under 20 ms" target.

use kubeprep_sim::manifest::parse_str;

fn main() {
    divan::main();
}

fn seeds() -> Vec<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/manifest");
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .expect("fixtures")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("seed-"))
        })
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("fixture");
            (p.display().to_string(), text)
        })
        .collect();
    files.sort();
    files
}

/// Every seed manifest, parsed, checked and defaulted.
#[divan::bench]
fn all_seed_manifests(b: divan::Bencher) {
    let files = seeds();
    // The schema catalogue is built once per process; build it outside the timing.
    for (name, text) in &files {
        divan::black_box(parse_str(name, text));
    }
    b.bench(|| {
        for (name, text) in &files {
            divan::black_box(parse_str(name, text));
        }
    });
}
