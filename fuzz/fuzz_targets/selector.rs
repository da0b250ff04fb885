//! Fuzz target: any UTF-8 text as a label selector and as a field selector
//! for every lab resource must parse or give a reason, never panic.
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use kubeprep_sim::lab::table::{FieldSelector, Resource, Selector};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let labels = BTreeMap::from([("app".to_string(), "api".to_string()), ("n".to_string(), "3".to_string())]);
    if let Ok(s) = Selector::parse(text) {
        let _ = s.matches(&labels);
    }
    for r in Resource::ALL {
        if let Ok(f) = FieldSelector::parse(text, r) {
            let _ = f.matches(|k| (k == "metadata.name").then_some("api"));
        }
    }
});
