//! End-to-end tests of `kubeprep simulate rollout`: the seed's payment API
//! (rollback slow after a completed rollout, fast mid-rollout), the pack's
//! corrected Deployment (no failed requests when the app drains), the JSON
//! contract, the text timeline (snapshot) and bad input.

mod util;

use std::path::PathBuf;

use serde_json::Value;
use util::Kubeprep;

fn fixture(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../sim/tests/fixtures/rollout")
        .join(name);
    p.display().to_string()
}

#[track_caller]
fn json(args: &[&str]) -> Value {
    let k = Kubeprep::new();
    let mut all = vec!["simulate", "rollout"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--output", "json"]);
    let run = k.run(&all, b"");
    run.assert_code(0);
    serde_json::from_str(&run.stdout).expect("JSON output")
}

#[test]
fn seed_rollback_two_minutes_after_completion_takes_over_60_s() {
    let seed = fixture("seed-fixed.yaml");
    let v = json(&[
        "-f",
        &seed,
        "--to-image",
        "payment-api:v3",
        "--rollback-after",
        "2m",
    ]);
    assert_eq!(v["duration_s"], 135.0);
    assert_eq!(v["rollback_at_s"], 255.0);
    assert_eq!(v["rollback_s"], 135.0);
    assert_eq!(v["min_available"], 6);
    assert_eq!(v["max_pods"], 8);
    assert_eq!(v["progress_deadline_exceeded"], false);
}

#[test]
fn seed_rollback_mid_rollout_is_fast() {
    let seed = fixture("seed-fixed.yaml");
    let v = json(&[
        "-f",
        &seed,
        "--to-image",
        "payment-api:v3",
        "--rollback-at",
        "1m",
    ]);
    assert_eq!(v["duration_s"], Value::Null);
    assert_eq!(v["rollback_s"], 45.0);
}

#[test]
fn seed_without_termination_handling_fails_requests() {
    let seed = fixture("seed-fixed.yaml");
    let v = json(&["-f", &seed, "--to-image", "payment-api:v3"]);
    assert!(v["failed_requests"].as_u64().unwrap() > 0);
    assert!(v["failures_by_reason"]["not_listening"].as_u64().unwrap() > 0);
    let steps = v["steps"].as_array().unwrap();
    assert_eq!(
        steps[0],
        serde_json::json!({"t": 0.0, "old": 6, "new": 2, "old_available": 6, "new_available": 0})
    );
}

#[test]
fn pack_corrected_deployment_drains_without_failures() {
    let good = fixture("pack-corrected.yaml");
    let v = json(&[
        "-f",
        &good,
        "--to-image",
        "payment-api:v3",
        "--app-sigterm",
        "drain",
    ]);
    assert_eq!(v["failed_requests"], 0);
    assert_eq!(v["duration_s"], 135.0);
}

#[test]
fn broken_version_stalls_with_null_duration() {
    let good = fixture("pack-corrected.yaml");
    let v = json(&["-f", &good, "--new-version-broken", "--rps", "10"]);
    assert_eq!(v["duration_s"], Value::Null);
    assert_eq!(v["progress_deadline_exceeded"], true);
    assert_eq!(v["progress_deadline_exceeded_s"], 301.0);
    assert_eq!(v["stalled"], true);
    assert_eq!(v["min_available"], 6);
}

#[test]
fn text_timeline_snapshot() {
    let k = Kubeprep::new();
    let seed = fixture("seed-fixed.yaml");
    let run = k.run(
        &[
            "simulate",
            "rollout",
            "-f",
            &seed,
            "--to-image",
            "payment-api:v3",
            "--rollback-after",
            "2m",
            "--no-color",
        ],
        b"",
    );
    run.assert_code(0);
    assert!(
        !run.stdout.contains('\u{1b}'),
        "no colour codes when not a terminal"
    );
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn restart_is_said_to_be_a_restart() {
    let k = Kubeprep::new();
    let run = k.run(
        &[
            "simulate",
            "rollout",
            "-f",
            &fixture("seed-fixed.yaml"),
            "--no-color",
        ],
        b"",
    );
    run.assert_code(0);
    assert!(run
        .stdout
        .contains("template change with the same image (like kubectl rollout restart)"));
}

#[test]
fn to_file_applies_the_updated_deployment() {
    let k = Kubeprep::new();
    let seed = std::fs::read_to_string(fixture("seed-fixed.yaml")).unwrap();
    let updated = k.dir.path().join("updated.yaml");
    std::fs::write(
        &updated,
        seed.replace("payment-api:v2", "payment-api:v3")
            .replace("maxSurge: 2", "maxSurge: 6"),
    )
    .unwrap();
    let v = json(&[
        "-f",
        &fixture("seed-fixed.yaml"),
        "--to",
        &updated.display().to_string(),
    ]);
    assert_eq!(v["max_surge"], 6);
    assert_eq!(v["duration_s"], 45.0);
}

#[track_caller]
fn check_error(args: &[&str], stdin: &[u8], contains: &str) {
    let k = Kubeprep::new();
    let mut all = vec!["simulate", "rollout"];
    all.extend_from_slice(args);
    k.run(&all, stdin)
        .assert_code(2)
        .assert_one_line_error(contains);
}

#[test]
fn bad_input_is_one_line_and_exit_2() {
    let seed = fixture("seed-fixed.yaml");
    let two = b"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec: {selector: {matchLabels: {app: a}}, template: {metadata: {labels: {app: a}}, spec: {containers: [{name: c, image: i}]}}}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: b}\nspec: {selector: {matchLabels: {app: b}}, template: {metadata: {labels: {app: b}}, spec: {containers: [{name: c, image: i}]}}}\n";
    check_error(&["-f", "-"], two, "several Deployments (a, b)");
    check_error(
        &["-f", "-", "--name", "zz"],
        two,
        "no Deployment named \"zz\"",
    );
    check_error(
        &["-f", "-"],
        b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
        "holds no Deployment",
    );
    check_error(&["-f", &seed, "--pod-start", "5x"], b"", "--pod-start");
    check_error(&["-f", &seed, "--rollback-at=-3"], b"", "--rollback-at");
    check_error(
        &["-f", &seed, "--to-image", "x", "--container", "nope"],
        b"",
        "no container named \"nope\"",
    );
    let huge = b"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec: {replicas: 2000000000, selector: {matchLabels: {app: a}}, template: {metadata: {labels: {app: a}}, spec: {containers: [{name: c, image: i}]}}}\n";
    check_error(&["-f", "-"], huge, "spec.replicas");
    let bad_surge = b"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec: {strategy: {rollingUpdate: {maxSurge: lots}}, selector: {matchLabels: {app: a}}, template: {metadata: {labels: {app: a}}, spec: {containers: [{name: c, image: i}]}}}\n";
    check_error(&["-f", "-"], bad_surge, "maxSurge");
}

/// A test-local copy of the `--output json` schema: a field added, removed
/// or renamed in the wire type fails here first.
#[allow(dead_code)]
mod schema {
    use std::collections::BTreeMap;

    use serde::Deserialize;

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Rollout {
        pub deployment: String,
        pub update: String,
        pub template_changed: bool,
        pub replicas: i64,
        pub strategy: String,
        pub max_surge: i64,
        pub max_unavailable: i64,
        pub min_ready_seconds: i64,
        pub duration_s: Option<f64>,
        pub min_available: i64,
        pub max_pods: i64,
        pub requests_total: u64,
        pub failed_requests: u64,
        pub failures_by_reason: BTreeMap<String, u64>,
        pub steps: Vec<Step>,
        pub rollback_at_s: Option<f64>,
        pub rollback_s: Option<f64>,
        pub rollback_note: Option<String>,
        pub progress_deadline_exceeded: bool,
        pub progress_deadline_exceeded_s: Option<f64>,
        pub ended_s: f64,
        pub stalled: bool,
        pub replica_sets: Vec<ReplicaSet>,
        pub timeline: Vec<Frame>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Step {
        pub t: f64,
        pub old: i64,
        pub new: i64,
        pub old_available: i64,
        pub new_available: i64,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct ReplicaSet {
        pub name: String,
        pub revision: i64,
        pub revision_history: String,
        pub replicas: i64,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Frame {
        pub t: f64,
        pub old: Pods,
        pub new: Pods,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Pods {
        pub available: i64,
        pub ready: i64,
        pub starting: i64,
        pub terminating: i64,
    }
}

#[test]
fn json_output_matches_the_schema() {
    let seed = fixture("seed-fixed.yaml");
    let v = json(&[
        "-f",
        &seed,
        "--to-image",
        "payment-api:v3",
        "--rollback-after",
        "2m",
    ]);
    let r: schema::Rollout = serde_json::from_value(v).expect("the documented schema");
    assert_eq!(r.strategy, "RollingUpdate");
    assert_eq!(
        r.failed_requests,
        r.failures_by_reason.values().sum::<u64>()
    );
    assert!(r.failures_by_reason.keys().all(|k| {
        [
            "not_listening",
            "in_flight_killed",
            "no_ready_endpoint",
            "app_cold",
        ]
        .contains(&k.as_str())
    }));
    assert_eq!(r.replica_sets[0].revision, 3);
    assert_eq!(r.replica_sets[0].revision_history, "1");
    assert!(r
        .timeline
        .iter()
        .all(|f| f.old.available + f.new.available >= 6));
}
