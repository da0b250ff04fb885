//! Whole runs of the rollout simulator: the worked examples of the
//! semantics note (§1.9), the seed's payment API, failures and their
//! reasons, rollback, the progress deadline and bad input.

use super::*;

pub(crate) fn deployment(yaml: &str) -> Deployment {
    serde_norway::from_str(yaml).expect("test manifest")
}

fn basic(replicas: i64, surge: &str, unavailable: &str, extra_spec: &str) -> Deployment {
    deployment(&format!(
        "apiVersion: apps/v1
kind: Deployment
metadata: {{name: web}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: web}}}}
  strategy:
    type: RollingUpdate
    rollingUpdate: {{maxSurge: {surge}, maxUnavailable: {unavailable}}}
{extra_spec}  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers:
      - name: web
        image: web:v1
"
    ))
}

/// Every new Pod available exactly `d_s` seconds after creation: no probe,
/// no warm-up, so Ready when the container runs.
fn model_d(d_s: i64) -> Model {
    Model {
        pod_start_ms: d_s * 1000,
        app_warmup_ms: 0,
        rps: 0,
        ..Model::default()
    }
}

fn image(i: &str) -> Update {
    Update::Image {
        container: None,
        image: i.to_string(),
    }
}

#[track_caller]
fn check_steps(d: &Deployment, m: &Model, want: &[(i64, i64, i64)], want_duration_s: i64) {
    let r = simulate(d, &image("web:v2"), m).expect("simulate");
    let got: Vec<(i64, i64, i64)> = r
        .steps
        .iter()
        .map(|s| (s.t_ms / 1000, s.old, s.new))
        .collect();
    assert_eq!(got, want);
    assert_eq!(r.duration_ms, Some(want_duration_s * 1000));
}

#[test]
fn worked_example_a_surge_2_unavailable_0() {
    // semantics note §1.9 (a): replicas 6, maxSurge 2, maxUnavailable 0; D = 10 s.
    let d = basic(6, "2", "0", "");
    check_steps(
        &d,
        &model_d(10),
        &[
            (0, 6, 2),
            (10, 4, 2),
            (10, 4, 4),
            (20, 2, 4),
            (20, 2, 6),
            (30, 0, 6),
        ],
        30,
    );
    let r = simulate(&d, &image("web:v2"), &model_d(10)).unwrap();
    assert_eq!(r.min_available, 6);
    assert_eq!(r.max_pods, 8);
}

#[test]
fn worked_example_b_defaults_of_10() {
    // semantics note §1.9 (b): replicas 10, 25%/25%: surge 3, unavailable 2.
    let d = basic(10, "25%", "25%", "");
    check_steps(
        &d,
        &model_d(10),
        &[
            (0, 10, 3),
            (0, 8, 3),
            (0, 8, 5),
            (10, 3, 5),
            (10, 3, 10),
            (20, 0, 10),
        ],
        20,
    );
    let r = simulate(&d, &image("web:v2"), &model_d(10)).unwrap();
    assert_eq!(r.min_available, 8);
    assert_eq!(r.max_pods, 13);
}

#[test]
fn worked_example_c_surge_1_unavailable_1() {
    // semantics note §1.9 (c)
    let d = basic(4, "1", "1", "");
    check_steps(
        &d,
        &model_d(10),
        &[
            (0, 4, 1),
            (0, 3, 1),
            (0, 3, 2),
            (10, 1, 2),
            (10, 1, 4),
            (20, 0, 4),
        ],
        20,
    );
    let r = simulate(&d, &image("web:v2"), &model_d(10)).unwrap();
    assert_eq!((r.min_available, r.max_pods), (3, 5));
}

#[test]
fn worked_example_more_runs() {
    // semantics note §1.9, "More runs from the same model".
    check_steps(
        &basic(3, "0", "1", ""),
        &model_d(10),
        &[
            (0, 3, 0),
            (0, 2, 0),
            (0, 2, 1),
            (10, 1, 1),
            (10, 1, 2),
            (20, 0, 2),
            (20, 0, 3),
        ],
        30,
    );
    check_steps(
        &basic(1, "25%", "25%", ""),
        &model_d(10),
        &[(0, 1, 1), (10, 0, 1)],
        10,
    );
    let r = simulate(&basic(10, "30%", "0%", ""), &image("web:v2"), &model_d(10)).unwrap();
    assert_eq!(r.duration_ms, Some(40_000));
}

#[test]
fn min_ready_seconds_delays_availability() {
    // Available at Ready + minReadySeconds (newest pod/util.go: `<= now`).
    let d = basic(2, "1", "0", "  minReadySeconds: 30\n");
    let r = simulate(&d, &image("web:v2"), &model_d(5)).unwrap();
    assert_eq!(r.duration_ms, Some(70_000));
}

#[test]
fn recreate_waits_for_old_pods_to_stop() {
    let d = deployment(
        "apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  strategy: {type: Recreate}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: web:v1}]
",
    );
    let m = Model {
        pod_start_ms: 5000,
        app_warmup_ms: 0,
        ..Model::default()
    };
    let r = simulate(&d, &image("web:v2"), &m).unwrap();
    let got: Vec<(i64, i64, i64)> = r.steps.iter().map(|s| (s.t_ms, s.old, s.new)).collect();
    // Old Pods exit at SIGTERM (no preStop): the new RS is created at once
    // after; ready 5 s later.
    assert_eq!(got, vec![(0, 0, 0), (0, 0, 3)]);
    assert_eq!(r.duration_ms, Some(5000));
    assert_eq!(r.min_available, 0);
    assert!(
        r.failures
            .get(&FailureReason::NoReadyEndpoint)
            .copied()
            .unwrap_or(0)
            > 0
    );
}

#[test]
fn broken_version_stalls_and_times_out() {
    // semantics note §1.9: stalls at (6, 2) for (a), times out after pds.
    let d = basic(6, "2", "0", "  progressDeadlineSeconds: 60\n");
    let m = Model {
        new_version_broken: true,
        ..model_d(10)
    };
    let r = simulate(&d, &image("web:v2"), &m).unwrap();
    assert_eq!(r.duration_ms, None);
    let last = r.steps.last().unwrap();
    assert_eq!((last.old, last.new), (6, 2));
    // Created at 0; no progress since; timed out at the requeue 60 + 1 s.
    assert_eq!(r.progress_deadline_exceeded_ms, Some(61_000));
    assert!(r.hit_horizon);
    assert_eq!(r.ended_ms, 60_000 + 120_000);
}

#[test]
fn the_rollout_never_exceeds_replicas_plus_surge() {
    for (replicas, surge, unavailable) in [
        (6, "2", "0"),
        (10, "25%", "25%"),
        (7, "3", "2"),
        (5, "0", "1"),
        (9, "50%", "0"),
    ] {
        let d = basic(replicas, surge, unavailable, "");
        let r = simulate(&d, &image("web:v2"), &model_d(7)).unwrap();
        let dp = r.max_surge;
        assert!(
            r.max_pods <= replicas + dp,
            "{replicas} {surge} {unavailable}: {}",
            r.max_pods
        );
        assert!(r.min_available >= replicas - r.max_unavailable);
        assert!(r.duration_ms.is_some());
    }
}

const SEED_FIXED: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: payment-api
spec:
  replicas: 6
  revisionHistoryLimit: 5
  minReadySeconds: 30
  selector:
    matchLabels: {app: payment-api}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 2
      maxUnavailable: 0
  template:
    metadata:
      labels: {app: payment-api}
    spec:
      containers:
      - name: payment-api
        image: payment-api:v2
        readinessProbe:
          httpGet: {path: /healthz, port: 8080}
          initialDelaySeconds: 10
          periodSeconds: 5
          failureThreshold: 3
";

#[test]
fn seed_rollback_after_a_completed_rollout_takes_over_60_s() {
    // design.md "What the seed gets wrong": three waves of (start + readiness + 30 s).
    let d = deployment(SEED_FIXED);
    let m = Model {
        rollback: Some(RollbackAt::AfterComplete(120_000)),
        ..Model::default()
    };
    let r = simulate(&d, &image("payment-api:v3"), &m).unwrap();
    // Ready at 5 + 10 = 15 s (probe at initialDelay finds the app warm at 13 s), available at 45 s.
    assert_eq!(r.duration_ms, Some(135_000));
    assert_eq!(r.rollback_started_ms, Some(255_000));
    assert_eq!(r.rollback_ms, Some(135_000));
    assert!(r.rollback_ms.unwrap() > 60_000);
    assert_eq!(r.min_available, 6);
    assert_eq!(r.max_pods, 8);
    // The old ReplicaSet is reused: revision 1 becomes 3, history "1".
    let top = &r.replica_sets[0];
    assert_eq!(
        (
            top.revision,
            top.revision_history.as_str(),
            top.updated_template
        ),
        (3, "1", false)
    );
}

#[test]
fn seed_rollback_mid_rollout_is_fast() {
    let d = deployment(SEED_FIXED);
    let m = Model {
        rollback: Some(RollbackAt::At(60_000)),
        ..Model::default()
    };
    let r = simulate(&d, &image("payment-api:v3"), &m).unwrap();
    assert_eq!(r.duration_ms, None);
    // At 60 s the old RS has 4 available Pods; 2 more start and are available 45 s later.
    assert_eq!(r.rollback_ms, Some(45_000));
    assert!(r.rollback_ms.unwrap() < 60_000);
}

#[test]
fn seed_without_pre_stop_fails_requests_with_reasons() {
    let d = deployment(SEED_FIXED);
    let r = simulate(&d, &image("payment-api:v3"), &Model::default()).unwrap();
    assert!(r.failed_requests > 0);
    assert!(r.failures[&FailureReason::NotListening] > 0);
    assert_eq!(r.failures.get(&FailureReason::AppCold), None);
    let text = r.explanations().join("\n");
    assert!(
        text.contains("stopped about 1.0 s before it left the endpoints"),
        "{text}"
    );
}

#[test]
fn pack_corrected_deployment_has_no_failures_with_drain() {
    let d = deployment(
        "apiVersion: apps/v1
kind: Deployment
metadata: {name: payment-api, labels: {app: payment-api}}
spec:
  replicas: 6
  revisionHistoryLimit: 5
  minReadySeconds: 30
  progressDeadlineSeconds: 300
  selector: {matchLabels: {app: payment-api}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 2, maxUnavailable: 0}}
  template:
    metadata: {labels: {app: payment-api}}
    spec:
      terminationGracePeriodSeconds: 60
      containers:
      - name: payment-api
        image: payment-api:v2
        ports: [{name: http, containerPort: 8080}]
        startupProbe: {httpGet: {path: /livez, port: http}, periodSeconds: 2, failureThreshold: 30}
        readinessProbe: {httpGet: {path: /readyz, port: http}, periodSeconds: 5, failureThreshold: 3}
        lifecycle: {preStop: {sleep: {seconds: 10}}}
",
    );
    let m = Model {
        sigterm: Sigterm::Drain,
        ..Model::default()
    };
    let r = simulate(&d, &image("payment-api:v3"), &m).unwrap();
    assert_eq!(r.failed_requests, 0, "{:?}", r.failures);
    assert!(r.requests_total > 10_000);
    assert_eq!(r.duration_ms, Some(135_000));
}

#[test]
fn no_readiness_probe_sends_requests_to_a_cold_app() {
    let d = basic(2, "1", "0", "");
    let r = simulate(&d, &image("web:v2"), &Model::default()).unwrap();
    assert!(r.failures[&FailureReason::AppCold] > 0);
    // Complete at 10 s (Ready at container start), but traffic is counted
    // until the last new Pod is warm: created at 5 s, warm at 5 + 5 + 8 s.
    assert_eq!(r.duration_ms, Some(10_000));
    assert_eq!(r.ended_ms, 18_000);
    assert!(!r.hit_horizon);
}

#[test]
fn exit_on_sigterm_fails_in_flight_requests() {
    // A long request time makes in-flight requests certain at SIGTERM.
    let d = basic(2, "1", "0", "");
    let m = Model {
        request_time_ms: 5_000,
        endpoint_lag_ms: 0,
        app_warmup_ms: 0,
        ..Model::default()
    };
    let r = simulate(&d, &image("web:v2"), &m).unwrap();
    assert!(r.failures[&FailureReason::InFlightKilled] > 0);
    let drain = simulate(
        &d,
        &image("web:v2"),
        &Model {
            sigterm: Sigterm::Drain,
            ..m
        },
    )
    .unwrap();
    assert_eq!(drain.failed_requests, 0, "{:?}", drain.failures);
}

#[test]
fn restart_and_unchanged_updates() {
    let d = basic(3, "1", "0", "");
    let r = simulate(&d, &Update::Restart, &model_d(5)).unwrap();
    assert!(r.template_changed);
    assert!(r.update.contains("rollout restart"));
    assert!(r.duration_ms.is_some());
    let same = simulate(&d, &image("web:v1"), &model_d(5)).unwrap();
    assert!(!same.template_changed);
    assert_eq!(same.duration_ms, Some(0));
    assert!(same.steps.is_empty());
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let d = basic(3, "\"ten\"", "0", "");
    assert!(matches!(
        simulate(&d, &Update::Restart, &Model::default()),
        Err(RolloutError::BadIntOrPercent { .. })
    ));
    let huge = basic(2_000_000_000, "1", "0", "");
    assert!(matches!(
        simulate(&huge, &Update::Restart, &Model::default()),
        Err(RolloutError::OutOfRange { .. })
    ));
    let d = basic(3, "1", "0", "");
    let e = simulate(
        &d,
        &Update::Image {
            container: Some("nope".into()),
            image: "x".into(),
        },
        &Model::default(),
    );
    assert!(matches!(e, Err(RolloutError::NoSuchContainer { .. })));
    let m = Model {
        rps: MAX_RPS + 1,
        ..Model::default()
    };
    assert!(simulate(&d, &Update::Restart, &m).is_err());
}

#[test]
fn revision_history_cleanup_keeps_the_limit() {
    let d = basic(2, "1", "0", "  revisionHistoryLimit: 0\n");
    let r = simulate(&d, &image("web:v2"), &model_d(5)).unwrap();
    assert_eq!(r.replica_sets.len(), 1);
    assert_eq!(r.replica_sets[0].revision, 2);
    // With no history left, undo has nothing to go back to.
    let m = Model {
        rollback: Some(RollbackAt::AfterComplete(1000)),
        ..model_d(5)
    };
    let r = simulate(&d, &image("web:v2"), &m).unwrap();
    assert_eq!(r.rollback_ms, None);
    assert!(r.rollback_note.unwrap().contains("RevisionNotFound"));
    assert!(!r.hit_horizon);
}

#[test]
fn json_wire_format_is_pinned() {
    let d = basic(2, "1", "0", "");
    let r = simulate(&d, &image("web:v2"), &model_d(5)).unwrap();
    let v = serde_json::to_value(wire::RolloutJson::from(&r)).unwrap();
    for key in [
        "duration_s",
        "min_available",
        "max_pods",
        "requests_total",
        "failed_requests",
        "failures_by_reason",
        "steps",
        "rollback_s",
        "progress_deadline_exceeded",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["duration_s"], serde_json::json!(10.0));
    assert_eq!(v["rollback_s"], serde_json::Value::Null);
    assert_eq!(v["progress_deadline_exceeded"], serde_json::json!(false));
    assert_eq!(
        v["steps"][0],
        serde_json::json!({"t": 0.0, "old": 2, "new": 1, "old_available": 2, "new_available": 0})
    );
}

#[test]
fn invariants_hold_over_a_grid_of_strategies() {
    // conventions.md: a rollout never exceeds replicas + maxSurge Pods, and
    // (Pods never failing) never drops below replicas − maxUnavailable available.
    let values = ["0", "1", "2", "25%", "50%", "100%"];
    for replicas in 0..=9 {
        for surge in values {
            for unavailable in values {
                let d = basic(replicas, surge, unavailable, "");
                let r = simulate(
                    &d,
                    &image("web:v2"),
                    &Model {
                        rps: 0,
                        ..model_d(3)
                    },
                )
                .unwrap();
                let case = format!("{replicas} {surge} {unavailable}");
                assert!(
                    r.max_pods <= replicas + r.max_surge,
                    "{case}: max pods {}",
                    r.max_pods
                );
                assert!(
                    r.min_available >= replicas - r.max_unavailable,
                    "{case}: min available {}",
                    r.min_available
                );
                assert!(r.duration_ms.is_some(), "{case}: never completed");
                let new = r
                    .replica_sets
                    .iter()
                    .find(|x| x.updated_template)
                    .expect("new RS");
                assert_eq!(new.replicas, replicas, "{case}");
                assert!(!r.hit_horizon, "{case}");
            }
        }
    }
}

#[test]
fn progress_resets_the_deadline() {
    // Each wave takes 50 s, the deadline is 60 s: progress keeps refreshing
    // lastUpdateTime, so a slow but moving rollout never times out.
    let d = basic(6, "1", "0", "  progressDeadlineSeconds: 60\n");
    let r = simulate(&d, &image("web:v2"), &model_d(50)).unwrap();
    assert_eq!(r.duration_ms, Some(300_000));
    assert_eq!(r.progress_deadline_exceeded_ms, None);
    // A wave longer than the deadline times out, yet the rollout goes on.
    let r = simulate(&d, &image("web:v2"), &model_d(70)).unwrap();
    assert_eq!(r.progress_deadline_exceeded_ms, Some(61_000));
    assert_eq!(r.duration_ms, Some(420_000));
}

#[test]
fn a_late_undo_is_waited_for() {
    // Regression: the horizon was counted from the update only, so an undo
    // asked for after it never ran.
    let d = deployment(SEED_FIXED);
    let m = Model {
        rps: 1,
        rollback: Some(RollbackAt::At(20 * 60_000)),
        ..Model::default()
    };
    let r = simulate(&d, &image("payment-api:v3"), &m).unwrap();
    assert_eq!(r.rollback_started_ms, Some(1_200_000));
    assert_eq!(r.rollback_ms, Some(135_000));
}
