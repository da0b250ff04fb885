//! `kubeprep simulate statefulset` end to end: the JSON wire format (decoded
//! into a local copy of its schema), the text timeline, and bad input.

mod util;

use serde::Deserialize;
use util::Kubeprep;

fn fixture(name: &str) -> String {
    format!(
        "{}/../sim/tests/fixtures/statefulset/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Report {
    statefulset: String,
    namespace: String,
    service: Option<String>,
    pod_management_policy: String,
    update_strategy: String,
    replicas: i64,
    final_replicas: i64,
    model: serde_json::Value,
    nodes: Vec<serde_json::Value>,
    pods: Vec<Pod>,
    history: Vec<Record>,
    ready_s: Option<f64>,
    recovered_s: Option<f64>,
    end_s: f64,
    truncated: bool,
    events: Vec<Event>,
    findings: Vec<Finding>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Pod {
    name: String,
    ordinal: i64,
    hostname: String,
    node: Option<String>,
    pvc: Option<String>,
    pvcs: Vec<String>,
    volume_zone: Option<String>,
    dns: Option<String>,
    ready_at: Option<f64>,
    state: String,
    incarnations: usize,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Record {
    name: String,
    node: Option<String>,
    created_at: f64,
    ready_at: Option<f64>,
    deleted_at: Option<f64>,
    force_deleted: bool,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Event {
    t: f64,
    object: String,
    reason: String,
    message: String,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Finding {
    id: String,
    severity: String,
    object: String,
    message: String,
    remediation: String,
}

fn json(args: &[&str]) -> Report {
    let k = Kubeprep::new();
    let r = k.run(args, b"");
    r.assert_code(0);
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}\n{}", r.stdout))
}

#[test]
fn json_has_pods_identities_readiness_events_and_findings() {
    let f = fixture("corrected.yaml");
    let r = json(&[
        "simulate",
        "statefulset",
        "-f",
        &f,
        "--nodes",
        "7",
        "--fail-node",
        "node-5@120s",
        "--out-of-service-at",
        "500s",
        "-o",
        "json",
    ]);
    assert_eq!(r.statefulset, "redis-cluster");
    assert_eq!(r.pod_management_policy, "OrderedReady");
    assert_eq!(r.ready_s, Some(90.0));
    assert_eq!(r.recovered_s, Some(515.0));
    assert_eq!(r.pods.len(), 6);
    let p4 = &r.pods[4];
    assert_eq!(p4.name, "redis-cluster-4");
    assert_eq!(p4.node.as_deref(), Some("node-7"));
    assert_eq!(p4.pvc.as_deref(), Some("data-redis-cluster-4"));
    assert_eq!(
        p4.dns.as_deref(),
        Some("redis-cluster-4.redis-cluster-headless.default.svc.cluster.local")
    );
    assert_eq!(p4.ready_at, Some(515.0));
    assert_eq!(p4.incarnations, 2);
    // Created in order, each 15 s after the previous.
    let created: Vec<f64> = r.history.iter().take(6).map(|h| h.created_at).collect();
    assert_eq!(created, vec![0.0, 15.0, 30.0, 45.0, 60.0, 75.0]);
    assert!(r.history[4].force_deleted);
    assert!(r
        .events
        .iter()
        .any(|e| e.reason == "TaintManagerEviction" && e.t == 470.0));
    assert_eq!(r.findings.len(), 1);
    assert_eq!(r.findings[0].severity, "info");
}

#[test]
fn text_shows_the_timeline_identities_and_events() {
    let k = Kubeprep::new();
    let f = fixture("seed-labelled.yaml");
    let r = k.run(
        &[
            "simulate",
            "statefulset",
            "-f",
            &f,
            "--delete-pod",
            "redis-cluster-2@60s",
        ],
        b"",
    );
    r.assert_code(0);
    for want in [
        "StatefulSet default/redis-cluster: 6 replicas, Parallel",
        "Timeline (one column",
        "Identities",
        "redis-cluster-2.redis-cluster-headless.default.svc.cluster.local",
        "data-redis-cluster-2",
        "redis-cluster-2 came back 1 time(s) with the same name",
        "statefulset.parallel-no-ordered-startup",
    ] {
        assert!(r.stdout.contains(want), "missing {want:?} in\n{}", r.stdout);
    }
}

#[test]
fn bad_input_is_one_line_and_exit_2() {
    let k = Kubeprep::new();
    let seed = fixture("seed.yaml");
    let ok = fixture("corrected.yaml");
    k.run(&["simulate", "statefulset", "-f", &seed], b"")
        .assert_code(2)
        .assert_one_line_error("selector` does not match template `labels`");
    k.run(
        &[
            "simulate",
            "statefulset",
            "-f",
            &ok,
            "--delete-pod",
            "redis-9",
        ],
        b"",
    )
    .assert_code(2)
    .assert_one_line_error("write NAME@TIME");
    k.run(
        &[
            "simulate",
            "statefulset",
            "-f",
            &ok,
            "--fail-node",
            "node-12@1m",
        ],
        b"",
    )
    .assert_code(2)
    .assert_one_line_error("no such node");
    k.run(&["simulate", "statefulset", "-f", &ok, "--nodes", "0"], b"")
        .assert_code(2)
        .assert_one_line_error("--nodes 0 is out of range");
    k.run(
        &[
            "simulate",
            "statefulset",
            "-f",
            &ok,
            "--scale",
            "99999999999@1s",
        ],
        b"",
    )
    .assert_code(2)
    .assert_one_line_error("out of range");
    k.run(
        &[
            "simulate",
            "statefulset",
            "-f",
            &ok,
            "--pod-start",
            "forever",
        ],
        b"",
    )
    .assert_code(2)
    .assert_one_line_error("--pod-start");
    let svc_only = k.dir.path().join("svc.yaml");
    std::fs::write(
        &svc_only,
        "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {clusterIP: None}\n",
    )
    .unwrap();
    k.run(
        &["simulate", "statefulset", "-f", svc_only.to_str().unwrap()],
        b"",
    )
    .assert_code(2)
    .assert_one_line_error("no StatefulSet");
}
