//! The rollout simulator through the crate's public API, from manifest text
//! to report, on the fixtures in `tests/fixtures/rollout/` (the seed's
//! Deployment with the obvious fixes, and the pack's corrected Deployment):
//! the path `kubeprep check --scenario payment-rollout` and the interview take.

use k8s_openapi::api::apps::v1::Deployment;
use kubeprep_sim::manifest::{parse_str, Object};
use kubeprep_sim::rollout::{simulate, FailureReason, Model, RollbackAt, Sigterm, Update};

fn fixture(name: &str) -> Deployment {
    let path = format!(
        "{}/tests/fixtures/rollout/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).expect("fixture");
    let parsed = parse_str(&path, &text);
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    let found = parsed.objects().find_map(|o| match o {
        Object::Deployment(d) => Some((**d).clone()),
        _ => None,
    });
    found.expect("a Deployment")
}

fn v3() -> Update {
    Update::Image {
        container: None,
        image: "payment-api:v3".to_string(),
    }
}

#[track_caller]
fn check(
    file: &str,
    model: Model,
    duration_s: Option<i64>,
    rollback_s: Option<i64>,
    failed: Option<u64>,
) {
    let r = simulate(&fixture(file), &v3(), &model).expect("simulate");
    assert_eq!(r.duration_ms, duration_s.map(|s| s * 1000), "duration");
    assert_eq!(r.rollback_ms, rollback_s.map(|s| s * 1000), "rollback");
    if let Some(f) = failed {
        assert_eq!(r.failed_requests, f, "{:?}", r.failures);
    }
    assert_eq!(r.min_available, 6);
    assert!(r.max_pods <= 8);
}

#[test]
fn payment_rollout_requirements() {
    // design.md "What the seed gets wrong": a rollback two minutes after a
    // completed rollout brings six old Pods back in three waves of
    // (start 5 s + readiness at 15 s + minReadySeconds 30 s): 135 s > 60 s.
    check(
        "seed-fixed.yaml",
        Model {
            rollback: Some(RollbackAt::AfterComplete(120_000)),
            ..Model::default()
        },
        Some(135),
        Some(135),
        None,
    );
    // Mid-rollout the old ReplicaSet still has four available Pods: 45 s.
    check(
        "seed-fixed.yaml",
        Model {
            rollback: Some(RollbackAt::At(60_000)),
            ..Model::default()
        },
        None,
        Some(45),
        None,
    );
    // The pack's corrected Deployment: no failed requests when the app drains,
    // and none either when it exits (preStop 10 s outlasts the endpoint lag).
    check(
        "pack-corrected.yaml",
        Model {
            sigterm: Sigterm::Drain,
            ..Model::default()
        },
        Some(135),
        None,
        Some(0),
    );
    check(
        "pack-corrected.yaml",
        Model::default(),
        Some(135),
        None,
        Some(0),
    );
}

#[test]
fn seed_fails_requests_because_pods_stop_listening_before_leaving_endpoints() {
    let r = simulate(&fixture("seed-fixed.yaml"), &v3(), &Model::default()).unwrap();
    let not_listening = r.failures[&FailureReason::NotListening];
    // Three waves of two Pods, each still receiving its share of 100 req/s
    // (1/8 of it) for the 1 s endpoint lag after SIGTERM: about 25 per wave.
    assert!((60..=90).contains(&not_listening), "{not_listening}");
}
