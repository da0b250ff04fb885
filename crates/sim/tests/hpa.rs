//! End-to-end runs of the HPA simulation on the seed's flash-sale manifests:
//! the seed's `kubectl scale` CronJob is undone by the HPA within seconds,
//! and the corrected `minReplicas` patch reaches capacity with nothing dropped.

use chrono::NaiveDateTime;
use kubeprep_sim::hpa::{self, HpaInput, HpaReport, SimOptions};
use kubeprep_sim::manifest::Object;
use serde::Deserialize;

/// Reads fixtures without the manifest module's strictness (the seed's
/// CronJob is invalid as written, which is not what these tests are about).
fn objects(files: &[&str]) -> Vec<Object> {
    let mut out = Vec::new();
    for f in files {
        let path = format!("{}/tests/fixtures/hpa/{f}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).expect("fixture");
        for doc in serde_norway::Deserializer::from_str(&text) {
            let v = serde_json::Value::deserialize(doc).expect("yaml");
            let o = match v["kind"].as_str().unwrap_or("") {
                "HorizontalPodAutoscaler" => Object::HorizontalPodAutoscaler(Box::new(serde_json::from_value(v).expect("hpa"))),
                "Deployment" => Object::Deployment(Box::new(serde_json::from_value(v).expect("deployment"))),
                "CronJob" => Object::CronJob(Box::new(serde_json::from_value(v).expect("cronjob"))),
                _ => continue,
            };
            out.push(o);
        }
    }
    out
}

fn run(files: &[&str], profile: &str, clock: &str, zone: &str) -> HpaReport {
    let mut o = SimOptions::new(hpa::profile::parse(profile).expect("profile"), 200.0);
    o.clock = NaiveDateTime::parse_from_str(clock, "%Y-%m-%dT%H:%M").expect("clock");
    o.time_zone = zone.parse().expect("zone");
    let objs = objects(files);
    let input = HpaInput::from_objects(&objs, o).expect("input");
    hpa::simulate(&input).expect("simulation")
}

fn event_lines(r: &HpaReport) -> Vec<String> {
    r.events
        .iter()
        .map(|e| format!("{} {:?}: {}", r.clock_at(e.t_ms), e.actor, e.message))
        .collect()
}

#[test]
fn the_seed_prescale_is_undone_by_the_hpa() {
    let r = run(
        &["seed-hpa.yaml", "ecommerce-api.yaml", "seed-cronjob.yaml"],
        "1000 for 60m, ramp to 10000 over 60s, 10000 for 30m",
        "2026-11-28T13:00",
        "UTC",
    );
    let lines = event_lines(&r);
    let joined = lines.join("\n");
    println!("{joined}");
    let scale = lines.iter().position(|l| l.starts_with("13:50:05 CronJob(\"prescale-flash-sale\"): kubectl scale → 50")).expect(&joined);
    // The first sync after the scale (13:50:15) sees 40 Pods without metrics:
    // missing Pods count as 100% on a scale-down, the direction flips, so the
    // calculator proposes the current 50 and that recommendation sits in the
    // 300 s scale-down window. Five minutes later the HPA drops back to its
    // floor, still before the sale.
    let undo = lines[scale..].iter().find(|l| l.contains("Hpa") && l.contains("→ scaled 50 →")).expect(&joined);
    assert!(undo.starts_with("13:55:15 Hpa: desired 10 (utilisation 10% vs target 60%) → scaled 50 → 10"), "{undo}");
    // So the sale starts on ~10 Pods and requests time out.
    assert!(r.dropped.timed_out > 1000.0, "{:?}", r.dropped);
    let at_sale = r.series.iter().find(|p| p.t_ms == 3_600_000).expect("a sync at 14:00");
    assert!(at_sale.replicas <= 12, "{at_sale:?}");
    assert!(r.time_to_capacity_ms.expect("reaches capacity") > 60_000);
}

#[test]
fn patching_min_replicas_ahead_reaches_capacity_without_drops() {
    let r = run(
        &["corrected-hpa.yaml", "ecommerce-api.yaml", "corrected-prescale.yaml"],
        "1000 for 90m, ramp to 10000 over 60s, 10000 for 30m",
        "2026-11-28T12:30",
        "Europe/Berlin",
    );
    let lines = event_lines(&r);
    let joined = lines.join("\n");
    println!("{joined}");
    assert!(lines.iter().any(|l| l.starts_with("13:00:05 CronJob(\"flash-sale-prescale\"): kubectl patch hpa → minReplicas 60")), "{joined}");
    assert!(lines.iter().any(|l| l.starts_with("13:00:15 Hpa: below minReplicas 60 → scaled 10 → 60")), "{joined}");
    assert_eq!(r.dropped.total().round(), 0.0, "{:?}", r.dropped);
    assert_eq!(r.time_to_capacity_ms, Some(0));
    assert!(r.max_replicas >= 60);
}
