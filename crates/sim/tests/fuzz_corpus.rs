//! The fuzz corpora (`fuzz/corpus/`), replayed on the stable toolchain: every
//! input the fuzzers kept reads to documents and problems, or a profile or a
//! located error, without a panic. Running the fuzzers themselves needs
//! cargo-fuzz (see `fuzz/Cargo.toml`); this keeps what they found in CI.

use std::path::Path;

fn corpus(name: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(name);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            let p = e.expect("entry").path();
            (p.display().to_string(), std::fs::read(&p).expect("read"))
        })
        .collect();
    out.sort();
    out
}

#[test]
fn every_kept_manifest_input_reads_without_a_panic() {
    let inputs = corpus("manifest");
    assert!(inputs.len() > 100, "the corpus is committed");
    for (name, bytes) in inputs {
        if let Ok(text) = std::str::from_utf8(&bytes) {
            let parsed = kubeprep_sim::manifest::parse_str(&name, text);
            for p in &parsed.problems {
                assert!(!p.to_string().is_empty());
            }
        }
    }
}

#[test]
fn every_kept_profile_input_parses_or_names_its_column() {
    let inputs = corpus("profile");
    assert!(!inputs.is_empty(), "the corpus is committed");
    for (name, bytes) in inputs {
        if let Ok(text) = std::str::from_utf8(&bytes) {
            if let Err(e) = kubeprep_sim::hpa::profile::parse(text) {
                assert!(e.to_string().contains("column"), "{name}: {e}");
            }
        }
    }
}
