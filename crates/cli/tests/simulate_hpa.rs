//! End-to-end tests of `kubeprep simulate hpa`: the seed's flash-sale
//! manifests in text (snapshot) and JSON (a pinned wire schema), and bad input.

mod util;

use serde::Deserialize;
use util::Kubeprep;

fn fixture(name: &str) -> String {
    format!(
        "{}/../sim/tests/fixtures/hpa/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

const SEED_TRAFFIC: &str = "1000 for 60m, ramp to 10000 over 60s, 10000 for 30m";

fn seed_args(extra: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = ["simulate", "hpa", "-f"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    v.push(fixture("seed-hpa.yaml"));
    v.push("-f".into());
    v.push(fixture("ecommerce-api.yaml"));
    v.push("-f".into());
    v.push(fixture("seed-cronjob-fixed.yaml"));
    for s in ["--traffic", SEED_TRAFFIC, "--clock", "13:00"] {
        v.push(s.into());
    }
    v.extend(extra.iter().map(|s| s.to_string()));
    v
}

fn run(k: &Kubeprep, args: &[String]) -> util::Run {
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    k.run(&a, b"")
}

/// A test-local copy of the wire schema: renaming or dropping a field fails here.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Report {
    hpa: String,
    deployment: String,
    target_utilization: i32,
    path: String,
    clock_start: String,
    series: Vec<Point>,
    events: Vec<Event>,
    requests_total: u64,
    dropped_requests: u64,
    dropped_by_reason: Dropped,
    time_to_capacity_s: Option<f64>,
    max_replicas: i32,
    peak_demand_rps: f64,
    not_understood: Vec<String>,
    manifest_problems: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Point {
    t: f64,
    clock: String,
    demand_rps: f64,
    desired: i32,
    replicas: i32,
    ready: i64,
    capacity_rps: f64,
    dropped_rps: f64,
    utilization: Option<i32>,
    min_replicas: i32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Event {
    t: f64,
    clock: String,
    source: String,
    name: Option<String>,
    message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Dropped {
    timed_out: u64,
    no_endpoint: u64,
    cold: u64,
}

#[test]
fn seed_text_report() {
    let k = Kubeprep::new();
    let r = run(&k, &seed_args(&[]));
    r.assert_code(0);
    insta::assert_snapshot!("seed_flash_sale", r.stdout);
}

#[test]
fn seed_json_report() {
    let k = Kubeprep::new();
    let r = run(&k, &seed_args(&["--output", "json", "--fail-on-drops"]));
    r.assert_code(1);
    let report: Report = serde_json::from_str(&r.stdout).expect("the wire schema");
    assert_eq!(report.path, "behavior");
    assert_eq!(
        report.series.len(),
        91 * 4,
        "one point per 15 s sync over 91 minutes"
    );
    assert_eq!(report.series[0].t, 0.0);
    assert_eq!(report.series[1].t, 15.0);
    let cron = report
        .events
        .iter()
        .find(|e| e.source == "cronjob")
        .expect("the CronJob ran");
    assert_eq!(
        (cron.clock.as_str(), cron.name.as_deref()),
        ("13:50:05", Some("prescale-flash-sale"))
    );
    let undo = report
        .events
        .iter()
        .find(|e| e.source == "hpa" && e.message.contains("scaled 50 → 10"))
        .expect("undone");
    assert_eq!(undo.clock, "13:55:15");
    assert!(report.dropped_requests > 0);
    assert_eq!(report.dropped_requests, report.dropped_by_reason.timed_out);
    assert_eq!(report.max_replicas, 80);
    assert_eq!(report.time_to_capacity_s, Some(120.0));
}

#[test]
fn corrected_prescale_drops_nothing() {
    let k = Kubeprep::new();
    let args: Vec<String> = [
        "simulate",
        "hpa",
        "-f",
        &fixture("corrected-hpa.yaml"),
        "-f",
        &fixture("ecommerce-api.yaml"),
        "-f",
        &fixture("corrected-prescale.yaml"),
        "--traffic",
        "1000 for 90m, ramp to 10000 over 60s, 10000 for 30m",
        "--clock",
        "2026-11-28T12:30",
        "--time-zone",
        "Europe/Berlin",
        "-o",
        "json",
        "--fail-on-drops",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let r = run(&k, &args);
    r.assert_code(0);
    let report: Report = serde_json::from_str(&r.stdout).expect("the wire schema");
    assert_eq!(report.dropped_requests, 0);
    assert_eq!(report.time_to_capacity_s, Some(0.0));
    assert!(report
        .events
        .iter()
        .any(|e| e.clock == "13:00:15" && e.message == "below minReplicas 60 → scaled 10 → 60"));
}

#[test]
fn bad_input_is_one_line_and_exit_2() {
    let k = Kubeprep::new();
    let cases: &[(&[&str], &str)] = &[
        (
            &["--traffic", "1000 for 50m, 10000 in 60s"],
            "traffic profile, column 21: expected \"for\" or \"over\"",
        ),
        (
            &["--traffic", "1000 for 1m", "--clock", "25:00"],
            "--clock \"25:00\" is not a time",
        ),
        (
            &["--traffic", "1000 for 1m", "--pod-start", "soon"],
            "--pod-start: expected a duration",
        ),
        (
            &["--traffic", "1000 for 1m", "--time-zone", "Mars/Base"],
            "--time-zone \"Mars/Base\" is not an IANA time zone",
        ),
        (
            &["--traffic", "1000 for 1m", "--pod-capacity", "0"],
            "--pod-capacity must be a positive number",
        ),
    ];
    for (extra, expected) in cases {
        let mut args: Vec<String> = ["simulate", "hpa", "-f"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        args.push(fixture("seed-hpa.yaml"));
        args.push("-f".into());
        args.push(fixture("ecommerce-api.yaml"));
        args.extend(extra.iter().map(|s| s.to_string()));
        let r = run(&k, &args);
        r.assert_code(2).assert_one_line_error(expected);
    }
    // The HPA without its Deployment.
    let r = run(
        &k,
        &[
            "simulate",
            "hpa",
            "-f",
            &fixture("seed-hpa.yaml"),
            "--traffic",
            "1 for 1m",
        ]
        .map(String::from),
    );
    r.assert_code(2).assert_one_line_error(
        "its scaleTargetRef Deployment/ecommerce-api is not in the manifests",
    );
}

#[test]
fn a_missing_cpu_request_is_an_error() {
    let k = Kubeprep::new();
    let deploy = k.dir.path().join("d.yaml");
    let text = std::fs::read_to_string(fixture("ecommerce-api.yaml"))
        .expect("fixture")
        .replace("              cpu: 500m\n", "");
    std::fs::write(&deploy, text).expect("write");
    let d = deploy.display().to_string();
    let r = run(
        &k,
        &[
            "simulate",
            "hpa",
            "-f",
            &fixture("seed-hpa.yaml"),
            "-f",
            &d,
            "--traffic",
            "1 for 1m",
        ]
        .map(String::from),
    );
    r.assert_code(2)
        .assert_one_line_error("container api has no resources.requests.cpu");
}
