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
        out.extend(objects_of(
            &std::fs::read_to_string(&path).expect("fixture"),
        ));
    }
    out
}

fn objects_of(text: &str) -> Vec<Object> {
    let mut out = Vec::new();
    {
        for doc in serde_norway::Deserializer::from_str(text) {
            let v = serde_json::Value::deserialize(doc).expect("yaml");
            let o = match v["kind"].as_str().unwrap_or("") {
                "HorizontalPodAutoscaler" => Object::HorizontalPodAutoscaler(Box::new(
                    serde_json::from_value(v).expect("hpa"),
                )),
                "Deployment" => {
                    Object::Deployment(Box::new(serde_json::from_value(v).expect("deployment")))
                }
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
    let scale = lines
        .iter()
        .position(|l| {
            l.starts_with("13:50:05 CronJob(\"prescale-flash-sale\"): kubectl scale → 50")
        })
        .expect(&joined);
    // The first sync after the scale (13:50:15) sees 40 Pods without metrics:
    // missing Pods count as 100% on a scale-down, the direction flips, so the
    // calculator proposes the current 50 and that recommendation sits in the
    // 300 s scale-down window. Five minutes later the HPA drops back to its
    // floor, still before the sale.
    let undo = lines[scale..]
        .iter()
        .find(|l| l.contains("Hpa") && l.contains("→ scaled 50 →"))
        .expect(&joined);
    assert!(
        undo.starts_with(
            "13:55:15 Hpa: desired 10 (utilisation 10% vs target 60%) → scaled 50 → 10"
        ),
        "{undo}"
    );
    // So the sale starts on ~10 Pods and requests time out.
    assert!(r.dropped.timed_out > 1000.0, "{:?}", r.dropped);
    assert_eq!(
        r.dropped.cold, 0.0,
        "a readiness probe keeps cold Pods out of the endpoints"
    );
    let at_sale = r
        .series
        .iter()
        .find(|p| p.t_ms == 3_600_000)
        .expect("a sync at 14:00");
    assert!(at_sale.replicas <= 12, "{at_sale:?}");
    assert!(r.time_to_capacity_ms.expect("reaches capacity") > 60_000);
}

#[test]
fn patching_min_replicas_ahead_reaches_capacity_without_drops() {
    let r = run(
        &[
            "corrected-hpa.yaml",
            "ecommerce-api.yaml",
            "corrected-prescale.yaml",
        ],
        "1000 for 90m, ramp to 10000 over 60s, 10000 for 30m",
        "2026-11-28T12:30",
        "Europe/Berlin",
    );
    let lines = event_lines(&r);
    let joined = lines.join("\n");
    assert!(
        lines.iter().any(|l| l.starts_with(
            "13:00:05 CronJob(\"flash-sale-prescale\"): kubectl patch hpa → minReplicas 60"
        )),
        "{joined}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("13:00:15 Hpa: below minReplicas 60 → scaled 10 → 60")),
        "{joined}"
    );
    assert_eq!(r.dropped.total().round(), 0.0, "{:?}", r.dropped);
    assert_eq!(r.time_to_capacity_ms, Some(0));
    assert!(r.max_replicas >= 60);
}

const DEPLOYMENT: &str = "
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  replicas: 10
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - name: api
        image: api:1
        resources: {requests: {cpu: 200m}}
";

fn hpa_yaml(min: i32, max: i32, behavior: &str) -> String {
    format!(
        "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {{name: api}}\nspec:\n  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: api}}\n  minReplicas: {min}\n  maxReplicas: {max}\n  metrics:\n  - type: Resource\n    resource: {{name: cpu, target: {{type: Utilization, averageUtilization: 50}}}}\n{behavior}"
    )
}

fn run_inline(yaml: &str, profile: &str, nodes: Option<hpa::NodeOptions>) -> HpaReport {
    let mut o = SimOptions::new(hpa::profile::parse(profile).expect("profile"), 200.0);
    o.nodes = nodes;
    let objs = objects_of(yaml);
    hpa::simulate(&HpaInput::from_objects(&objs, o).expect("input")).expect("simulation")
}

/// Legacy path: a fresh HPA holds its starting count for the 5-minute window
/// (its seeded recommendation), then drops straight to the proposal.
#[test]
fn legacy_fresh_hpa_holds_five_minutes_then_drops() {
    let yaml = format!("{}\n---\n{DEPLOYMENT}", hpa_yaml(1, 20, ""));
    let r = run_inline(&yaml, "200 for 10m", None);
    assert!(r.legacy);
    let at = |s: i64| {
        r.series
            .iter()
            .find(|p| p.t_ms == s * 1000)
            .expect("sync")
            .replicas
    };
    assert_eq!(
        at(300),
        10,
        "a recommendation exactly 300 s old still counts"
    );
    // 200 req/s over 10 Pods = 10% of request vs 50%: ceil(0.2 x 10) = 2, no rate limit down.
    assert_eq!(at(315), 2);
}

/// Legacy path scale-up limit: max(2 x current, 4) per sync.
#[test]
fn legacy_scale_up_is_limited_per_sync() {
    let hpa = hpa_yaml(1, 100, "").replace("averageUtilization: 50", "averageUtilization: 20");
    let yaml = format!(
        "{hpa}\n---\n{}",
        DEPLOYMENT.replace("replicas: 10", "replicas: 2")
    );
    let r = run_inline(&yaml, "300 for 1m, 5000 for 5m", None);
    // 300 req/s on 2 Pods = 75% vs 20%: ceil(3.75 x 2) = 8, limited to max(2 x 2, 4) = 4.
    let first = &r
        .events
        .iter()
        .find(|e| e.message.contains("→ scaled 2 →"))
        .expect("a scale-up");
    assert_eq!(first.t_ms, 0);
    assert_eq!(first.message, "desired 4 (utilisation 75% vs target 20%) → scaled 2 → 4; metrics proposed 8, held by the scale-up limit");
    for e in r
        .events
        .iter()
        .filter(|e| e.message.contains("held by the scale-up limit"))
    {
        let (from, to) = e
            .message
            .split("→ scaled ")
            .nth(1)
            .and_then(|s| s.split(';').next())
            .and_then(|s| s.split_once(" → "))
            .expect("from → to");
        let (from, to): (i32, i32) = (from.parse().expect("n"), to.parse().expect("n"));
        assert_eq!(to, (2 * from).max(4), "{}", e.message);
    }
}

/// Nodes: Pods beyond the nodes' room stay pending until the cluster
/// autoscaler's nodes join.
#[test]
fn pending_pods_wait_for_new_nodes() {
    let yaml = format!(
        "{}\n---\n{DEPLOYMENT}",
        hpa_yaml(20, 40, "  behavior: {}\n")
    );
    let nodes = hpa::NodeOptions {
        nodes: 2,
        pods_per_node: 5,
        provision_ms: 60_000,
        buffer_nodes: 0,
    };
    let r = run_inline(&yaml, "1000 for 5m", Some(nodes));
    assert!(
        !r.legacy,
        "an empty behavior takes the behavior path with defaults"
    );
    let msgs: Vec<(i64, &str)> = r
        .events
        .iter()
        .map(|e| (e.t_ms, e.message.as_str()))
        .collect();
    assert!(
        msgs.contains(&(0, "below minReplicas 20 → scaled 10 → 20")),
        "{msgs:?}"
    );
    assert!(
        msgs.contains(&(
            0,
            "cluster autoscaler adds 2 node(s) for 10 pending Pod(s); they join in 60s"
        )),
        "{msgs:?}"
    );
    assert!(
        msgs.contains(&(60_000, "2 node(s) joined (4 nodes)")),
        "{msgs:?}"
    );
    let ready_at = |s: i64| {
        r.series
            .iter()
            .find(|p| p.t_ms == s * 1000)
            .expect("sync")
            .ready
    };
    assert_eq!(ready_at(60), 10);
    // scheduled at 60 s, running at 65 s, warm at 73 s, Ready then (no probe: Ready at 65 s).
    assert_eq!(ready_at(75), 20);
    // Without a readiness probe the new Pods are Ready from 65 s but cold until
    // 73 s: their share of the requests fails.
    let cold = r.dropped.cold;
    assert!(
        (cold - 8.0 * 1000.0 / 20.0 * 10.0).abs() < 1.0,
        "1000 req/s, half to cold Pods for 8 s: {cold}"
    );
}
