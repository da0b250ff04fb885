//! Fuzz target: any UTF-8 text through the strict manifest reader must give
//! documents and problems, never a panic, a hang or unbounded memory.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let parsed = kubeprep_sim::manifest::parse_str("fuzz.yaml", text);
        for d in &parsed.documents {
            let _ = d.locate("spec.template.spec.containers[0].image");
        }
        for p in &parsed.problems {
            let _ = p.to_string();
        }
    }
});
