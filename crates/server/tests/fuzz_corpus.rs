//! The lab API's fuzz corpora (`fuzz/corpus/lab_patch`, `fuzz/corpus/selector`),
//! replayed on the stable toolchain: every input the fuzzers kept applies or
//! is refused with a reason, and parses as a selector or says why, without a
//! panic. Running the fuzzers needs cargo-fuzz (see `fuzz/Cargo.toml`).

use std::collections::BTreeMap;
use std::path::Path;

use kubeprep_sim::lab::patch::{apply, PatchType};
use kubeprep_sim::lab::table::{FieldSelector, Resource, Selector};

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
fn every_kept_patch_input_applies_or_says_why() {
    let inputs = corpus("lab_patch");
    assert!(inputs.len() > 20, "the corpus is committed");
    let current = serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "api"},
        "spec": {"template": {"spec": {"containers": [{"name": "api", "image": "a:1"}]}}}});
    for (name, bytes) in inputs {
        let Some((&first, body)) = bytes.split_first() else {
            continue;
        };
        let kind = [
            PatchType::Strategic,
            PatchType::Merge,
            PatchType::Json,
            PatchType::Apply,
        ][usize::from(first % 4)];
        if let Err(e) = apply(kind, &current, body) {
            assert!(!e.0.is_empty(), "{name}");
        }
        if let Err(e) = kubeprep_server::lab::proto::decode(&bytes) {
            assert!(!e.0.is_empty(), "{name}");
        }
    }
}

#[test]
fn every_kept_selector_input_parses_or_says_why() {
    let inputs = corpus("selector");
    assert!(inputs.len() > 20, "the corpus is committed");
    let labels = BTreeMap::from([("app".to_string(), "api".to_string())]);
    for (name, bytes) in inputs {
        let Ok(text) = std::str::from_utf8(&bytes) else {
            continue;
        };
        match Selector::parse(text) {
            Ok(s) => {
                let _ = s.matches(&labels);
            }
            Err(e) => assert!(!e.0.is_empty(), "{name}"),
        }
        for r in Resource::ALL {
            if let Err(e) = FieldSelector::parse(text, r) {
                assert!(!e.0.is_empty(), "{name}");
            }
        }
    }
}
