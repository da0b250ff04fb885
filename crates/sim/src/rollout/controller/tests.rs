//! The deployment controller's arithmetic checked against the cases of
//! Kubernetes' own unit tests (each case names the upstream test it comes
//! from) and the worked examples of the semantics note.

use super::*;

fn int(i: i32) -> Option<IntOrString> {
    Some(IntOrString::Int(i))
}

fn pct(s: &str) -> Option<IntOrString> {
    Some(IntOrString::String(s.to_string()))
}

fn rolling(
    replicas: i64,
    surge: Option<IntOrString>,
    unavailable: Option<IntOrString>,
) -> DeploymentParams {
    DeploymentParams {
        replicas,
        strategy: StrategyKind::RollingUpdate,
        max_surge: surge,
        max_unavailable: unavailable,
    }
}

#[track_caller]
fn check_fenceposts(
    surge: Option<IntOrString>,
    unavailable: Option<IntOrString>,
    desired: i64,
    want: Result<(i64, i64), ()>,
) {
    let got = resolve_fenceposts(surge.as_ref(), unavailable.as_ref(), desired).map_err(|_| ());
    assert_eq!(
        got, want,
        "surge {surge:?} unavailable {unavailable:?} of {desired}"
    );
}

#[test]
fn resolve_fenceposts_cases() {
    // deployment_util_test.go TestResolveFenceposts
    check_fenceposts(pct("0%"), pct("0%"), 0, Ok((0, 1)));
    check_fenceposts(pct("39%"), pct("39%"), 10, Ok((4, 3)));
    check_fenceposts(pct("oops"), pct("39%"), 10, Err(()));
    check_fenceposts(pct("55%"), pct("urg"), 10, Err(()));
    check_fenceposts(None, pct("39%"), 10, Ok((0, 3)));
    check_fenceposts(pct("39%"), None, 10, Ok((4, 0)));
    check_fenceposts(None, None, 10, Ok((0, 1)));
    // The apps/v1 defaults (semantics note §1.2, derived).
    check_fenceposts(pct("25%"), pct("25%"), 10, Ok((3, 2)));
    check_fenceposts(pct("25%"), pct("25%"), 4, Ok((1, 1)));
    check_fenceposts(pct("25%"), pct("25%"), 1, Ok((1, 0)));
}

#[track_caller]
fn check_max_unavailable(d: DeploymentParams, want: i64) {
    assert_eq!(d.max_unavailable(), want, "{d:?}");
}

#[test]
fn max_unavailable_cases() {
    // deployment_util_test.go TestMaxUnavailable
    check_max_unavailable(rolling(10, int(0), int(0)), 1);
    check_max_unavailable(rolling(10, int(0), int(5)), 5);
    check_max_unavailable(rolling(5, int(0), int(10)), 5);
    check_max_unavailable(rolling(0, int(0), int(10)), 0);
    check_max_unavailable(rolling(10, pct("50%"), pct("50%")), 5);
    check_max_unavailable(
        DeploymentParams {
            strategy: StrategyKind::Recreate,
            ..rolling(10, int(2), int(2))
        },
        0,
    );
    assert_eq!(rolling(10, int(0), int(5)).min_available(), 5);
    assert_eq!(
        DeploymentParams {
            strategy: StrategyKind::Recreate,
            ..rolling(10, int(2), int(2))
        }
        .min_available(),
        0
    );
}

#[track_caller]
fn check_new_rs(replicas: i64, surge: Option<IntOrString>, total: i64, new: i64, want: i64) {
    let d = rolling(replicas, surge, int(0));
    assert_eq!(d.new_rs_new_replicas(total, new).unwrap(), want);
}

#[test]
fn new_rs_new_replicas_cases() {
    // deployment_util_test.go TestNewRSNewReplicas: allRSs is one RS of 5.
    check_new_rs(1, int(1), 5, 5, 5); // "can not scale up - to newRSReplicas"
    check_new_rs(6, int(10), 5, 2, 6); // "scale up - to depReplicas"
                                       // rolling_test.go TestDeploymentController_reconcileNewReplicaSet
    check_new_rs(10, int(2), 10, 0, 2);
    check_new_rs(10, int(2), 5, 0, 7);
    // maxSurge 0 stays 0 even though fenceposts would set unavailable 1.
    check_new_rs(10, int(0), 10, 0, 0);
    // "recreate - to depReplicas"
    let recreate = DeploymentParams {
        strategy: StrategyKind::Recreate,
        ..rolling(3, int(1), int(1))
    };
    assert_eq!(recreate.new_rs_new_replicas(5, 1).unwrap(), 3);
}

#[track_caller]
fn check_reconcile_new(replicas: i64, surge: i32, old: i64, new: i64, want: Option<i64>) {
    let d = rolling(replicas, int(surge), int(0));
    assert_eq!(
        reconcile_new(&d, old + new, new),
        want,
        "old {old} new {new}"
    );
}

#[test]
fn reconcile_new_cases() {
    // rolling_test.go TestDeploymentController_reconcileNewReplicaSet
    check_reconcile_new(10, 0, 10, 0, None);
    check_reconcile_new(10, 2, 10, 0, Some(2));
    check_reconcile_new(10, 2, 5, 0, Some(7));
    check_reconcile_new(10, 2, 10, 2, None);
    check_reconcile_new(10, 2, 2, 11, Some(10));
}

#[track_caller]
fn check_reconcile_old(
    replicas: i64,
    unavailable: i32,
    old: i64,
    new: i64,
    old_ready: i64,
    new_ready: i64,
    want: Option<i64>,
) {
    let d = rolling(replicas, int(0), int(unavailable));
    let got = reconcile_old(
        &d,
        &[RsCounts {
            spec: old,
            available: old_ready,
        }],
        &RsCounts {
            spec: new,
            available: new_ready,
        },
    );
    assert_eq!(got.map(|v| v[0]), want);
}

#[test]
fn reconcile_old_cases() {
    // rolling_test.go TestDeploymentController_reconcileOldReplicaSets
    check_reconcile_old(10, 0, 10, 0, 10, 0, Some(9));
    check_reconcile_old(10, 2, 10, 0, 10, 0, Some(8));
    check_reconcile_old(10, 2, 10, 0, 8, 0, Some(8));
    check_reconcile_old(10, 2, 10, 0, 9, 0, Some(8));
    check_reconcile_old(10, 2, 8, 2, 8, 0, None);
}

#[track_caller]
fn check_cleanup_unhealthy(old: i64, ready: i64, max: i64, want: i64) {
    let rs = [RsCounts {
        spec: old,
        available: ready,
    }];
    let mut sizes = [old];
    assert_eq!(cleanup_unhealthy(&rs, &mut sizes, max), want);
    assert_eq!(sizes[0], old - want);
}

#[test]
fn cleanup_unhealthy_cases() {
    // rolling_test.go TestDeploymentController_cleanupUnhealthyReplicas
    check_cleanup_unhealthy(10, 8, 1, 1);
    check_cleanup_unhealthy(10, 8, 3, 2);
    check_cleanup_unhealthy(10, 8, 0, 0);
    check_cleanup_unhealthy(10, 10, 3, 0);
}

#[track_caller]
fn check_scale_down(replicas: i64, unavailable: i32, ready: i64, old: i64, want: Option<i64>) {
    let d = rolling(replicas, int(0), int(unavailable));
    let mut sizes = [old];
    let n = scale_down_old_for_rolling_update(&mut sizes, ready, d.min_available());
    assert_eq!((n > 0).then_some(sizes[0]), want);
}

#[test]
fn scale_down_old_for_rolling_update_cases() {
    // rolling_test.go TestDeploymentController_scaleDownOldReplicaSetsForRollingUpdate
    check_scale_down(10, 0, 10, 10, Some(9));
    check_scale_down(10, 2, 10, 10, Some(8));
    check_scale_down(10, 2, 8, 10, None);
    check_scale_down(10, 2, 10, 0, None);
    check_scale_down(10, 2, 1, 10, None);
}

#[test]
fn scale_down_is_bounded_by_the_surplus_not_by_max_scaled_down() {
    // semantics note §1.4 step 3b; worked example (b) at time D:
    // old 8 (all available), new 5 (all available), minAvailable 8.
    let d = rolling(10, pct("25%"), pct("25%"));
    let got = reconcile_old(
        &d,
        &[RsCounts {
            spec: 8,
            available: 8,
        }],
        &RsCounts {
            spec: 5,
            available: 5,
        },
    );
    assert_eq!(got, Some(vec![3]));
}

#[track_caller]
fn check_complete(replicas: i64, s: StatusCounts, want: bool) {
    assert_eq!(deployment_complete(replicas, &s), want, "{s:?}");
}

fn status(replicas: i64, updated: i64, ready: i64, available: i64) -> StatusCounts {
    StatusCounts {
        replicas,
        updated,
        ready,
        available,
    }
}

#[test]
fn deployment_complete_cases() {
    // deployment_util_test.go TestDeploymentComplete
    check_complete(10, status(10, 10, 10, 10), true);
    check_complete(10, status(10, 10, 10, 9), false); // not complete: min but not all available
    check_complete(10, status(11, 10, 10, 10), false); // old replicas still running
    check_complete(10, status(10, 9, 10, 10), false); // not all updated
    check_complete(1, status(1, 1, 1, 1), true);
}

#[track_caller]
fn check_progressing(old: StatusCounts, new: StatusCounts, want: bool) {
    assert_eq!(
        deployment_progressing(&old, &new),
        want,
        "{old:?} -> {new:?}"
    );
}

#[test]
fn deployment_progressing_cases() {
    // deployment_util_test.go TestDeploymentProgressing
    check_progressing(status(10, 10, 10, 10), status(10, 10, 10, 10), false);
    check_progressing(status(10, 4, 10, 10), status(10, 5, 10, 10), true); // more updated
    check_progressing(status(12, 10, 10, 10), status(11, 10, 10, 10), true); // fewer old
    check_progressing(status(10, 10, 8, 8), status(10, 10, 9, 8), true); // more ready
    check_progressing(status(10, 10, 10, 8), status(10, 10, 10, 9), true); // more available
    check_progressing(status(10, 10, 10, 10), status(12, 10, 10, 10), false); // more old
    check_progressing(status(10, 10, 10, 10), status(10, 10, 9, 9), false); // less ready
}

#[track_caller]
fn check_timed_out(reason: ProgressReason, last_s: u64, pds: Option<i64>, now_s: u64, want: bool) {
    assert_eq!(timed_out(reason, last_s * 1000, pds, now_s * 1000), want);
}

#[test]
fn timed_out_cases() {
    // deployment_util_test.go TestDeploymentTimedOut: pds 10 s, now 00:01:20.
    check_timed_out(ProgressReason::Progressing, 69, Some(10), 80, true);
    check_timed_out(ProgressReason::Progressing, 71, Some(10), 80, false);
    check_timed_out(ProgressReason::Progressing, 70, Some(10), 80, false); // strictly before
    check_timed_out(ProgressReason::Progressing, 0, None, 100_000, false);
    check_timed_out(
        ProgressReason::Progressing,
        0,
        Some(i64::from(i32::MAX)),
        100_000,
        false,
    );
    check_timed_out(
        ProgressReason::NewReplicaSetAvailable,
        0,
        Some(10),
        100,
        false,
    );
    check_timed_out(ProgressReason::DeadlineExceeded, 99, Some(10), 100, true);
}

fn sc(spec: i64, ann: i64, created: u64, name: &str) -> ScaleInput {
    ScaleInput {
        spec,
        max_replicas_annotation: Some(ann),
        created,
        name: name.to_string(),
    }
}

#[track_caller]
fn check_scale(d: DeploymentParams, rss: &[ScaleInput], want: &[i64]) {
    assert_eq!(proportional_scale(&d, rss, 0), want);
}

#[test]
fn proportional_scale_cases() {
    // sync_test.go TestScale (newDeployment defaults: maxSurge 0, maxUnavailable 0).
    // The annotation is old replicas + old maxSurge.
    // "proportional scaling: 5 -> 10"
    check_scale(
        rolling(10, int(0), int(0)),
        &[sc(2, 5, 2, "foo-v2"), sc(3, 5, 1, "foo-v1")],
        &[4, 6],
    );
    // "proportional scaling: 5 -> 3"
    check_scale(
        rolling(3, int(0), int(0)),
        &[sc(2, 5, 2, "foo-v2"), sc(3, 5, 1, "foo-v1")],
        &[1, 2],
    );
    // "proportional scaling: 9 -> 4"
    check_scale(
        rolling(4, int(0), int(0)),
        &[sc(8, 9, 2, "foo-v2"), sc(1, 9, 1, "foo-v1")],
        &[4, 0],
    );
    // "proportional scaling: 7 -> 10"
    check_scale(
        rolling(10, int(0), int(0)),
        &[
            sc(2, 7, 3, "foo-v3"),
            sc(3, 7, 2, "foo-v2"),
            sc(2, 7, 1, "foo-v1"),
        ],
        &[3, 4, 3],
    );
    // "proportional scaling: 13 -> 8"
    check_scale(
        rolling(8, int(0), int(0)),
        &[
            sc(2, 13, 3, "foo-v3"),
            sc(8, 13, 2, "foo-v2"),
            sc(3, 13, 1, "foo-v1"),
        ],
        &[1, 5, 2],
    );
    // "leftover distribution: 3 -> 4" (newest first when adding)
    check_scale(
        rolling(4, int(0), int(0)),
        &[
            sc(1, 3, 3, "foo-v3"),
            sc(1, 3, 2, "foo-v2"),
            sc(1, 3, 1, "foo-v1"),
        ],
        &[2, 1, 1],
    );
    // "leftover distribution: 3 -> 2" (oldest first when removing)
    check_scale(
        rolling(2, int(0), int(0)),
        &[
            sc(1, 3, 3, "foo-v3"),
            sc(1, 3, 2, "foo-v2"),
            sc(1, 3, 1, "foo-v1"),
        ],
        &[1, 1, 0],
    );
    // "proportional scaling (no new rs): 4 -> 5"
    check_scale(
        rolling(5, int(0), int(0)),
        &[sc(2, 4, 2, "foo-v2"), sc(2, 4, 1, "foo-v1")],
        &[3, 2],
    );
    // "proportional scaling: 6 -> 0"
    check_scale(
        rolling(0, int(0), int(0)),
        &[
            sc(3, 6, 3, "foo-v3"),
            sc(2, 6, 2, "foo-v2"),
            sc(1, 6, 1, "foo-v1"),
        ],
        &[0, 0, 0],
    );
    // "deployment with surge pods": 10 -> 20, maxSurge 2
    check_scale(
        rolling(20, int(2), int(0)),
        &[sc(6, 12, 2, "foo-v2"), sc(6, 12, 1, "foo-v1")],
        &[11, 11],
    );
    // "change both surge and size": 10 (surge 3) -> 50 (surge 6)
    check_scale(
        rolling(50, int(6), int(0)),
        &[sc(5, 13, 2, "foo-v2"), sc(8, 13, 1, "foo-v1")],
        &[22, 34],
    );
    // "change both size and template": 10 -> 14, no new RS
    check_scale(
        rolling(14, int(0), int(0)),
        &[sc(7, 10, 2, "foo-v2"), sc(3, 10, 1, "foo-v1")],
        &[10, 4],
    );
}

#[test]
fn proportional_scale_without_annotation_uses_status_then_zero() {
    // sync_test.go (newest): a missing max-replicas annotation falls back to
    // deployment.status.replicas; when that is 0 the fraction is 0 and the
    // leftover goes to the first RS in order.
    let d = rolling(10, int(0), int(0));
    let rss = [
        ScaleInput {
            spec: 2,
            max_replicas_annotation: None,
            created: 2,
            name: "v2".into(),
        },
        ScaleInput {
            spec: 3,
            max_replicas_annotation: None,
            created: 1,
            name: "v1".into(),
        },
    ];
    assert_eq!(proportional_scale(&d, &rss, 5), vec![4, 6]);
    assert_eq!(proportional_scale(&d, &rss, 0), vec![2, 8]);
}

#[test]
fn last_revision_is_the_second_highest() {
    // deployment_util_test.go TestLastRevision (restated)
    assert_eq!(last_revision(&[1, 2, 3]), 2);
    assert_eq!(last_revision(&[3, 1, 2]), 2);
    assert_eq!(last_revision(&[4]), 0);
    assert_eq!(last_revision(&[]), 0);
    assert_eq!(last_revision(&[5, 5]), 5);
}

#[test]
fn revision_history_is_trimmed_from_the_front() {
    // sync_test.go / deployment_util_test.go SetNewReplicaSetAnnotations, limit 5 chars.
    assert_eq!(append_revision_history("", "1", 5), "1");
    assert_eq!(append_revision_history("1", "2", 5), "1,2");
    assert_eq!(append_revision_history("1,2", "3", 5), "1,2,3");
    assert_eq!(append_revision_history("1,2,3", "4", 5), "2,3,4");
    assert_eq!(append_revision_history("", "123456", 5), "123456");
}

fn cl(name: &str, revision: i64, spec: i64, status: i64) -> CleanupInput {
    CleanupInput {
        revision: Some(revision),
        created: revision as u64,
        name: name.to_string(),
        spec,
        status_replicas: status,
        observed: true,
    }
}

#[track_caller]
fn check_cleanup(old: &[CleanupInput], limit: Option<i64>, want: &[&str]) {
    let got: Vec<&str> = cleanup_deployment(old, limit)
        .into_iter()
        .map(|i| old[i].name.as_str())
        .collect();
    assert_eq!(got, want);
}

#[test]
fn cleanup_deployment_cases() {
    // sync_test.go TestDeploymentController_cleanupDeployment
    check_cleanup(
        &[
            cl("foo-1", 1, 0, 0),
            cl("foo-2", 2, 0, 0),
            cl("foo-3", 3, 0, 0),
        ],
        Some(1),
        &["foo-1", "foo-2"],
    );
    check_cleanup(
        &[
            cl("foo-1", 1, 0, 0),
            cl("foo-2", 2, 0, 1),
            cl("foo-3", 3, 1, 0),
            cl("foo-4", 4, 1, 1),
        ],
        Some(0),
        &["foo-1"],
    );
    check_cleanup(
        &[cl("foo-1", 1, 0, 0), cl("foo-2", 2, 0, 0)],
        Some(0),
        &["foo-1", "foo-2"],
    );
    check_cleanup(&[cl("foo-1", 1, 1, 1), cl("foo-2", 2, 1, 1)], Some(0), &[]);
    check_cleanup(
        &[
            cl("foo-1", 1, 0, 0),
            cl("foo-2", 2, 0, 0),
            cl("foo-3", 3, 0, 0),
        ],
        Some(i64::from(i32::MAX)),
        &[],
    );
    // sync_test.go TestDeploymentController_cleanupDeploymentOrder: no look-ahead.
    check_cleanup(
        &[cl("r1", 1, 1, 1), cl("r2", 2, 0, 0), cl("r3", 3, 0, 0)],
        Some(1),
        &["r2"],
    );
    // A missing revision sorts first.
    let mut missing = cl("norev", 9, 0, 0);
    missing.revision = None;
    check_cleanup(
        &[cl("r1", 1, 0, 0), missing, cl("r2", 2, 0, 0)],
        Some(2),
        &["norev"],
    );
}

#[test]
fn equal_ignore_hash_ignores_only_the_hash_label() {
    // deployment_util_test.go TestEqualIgnoreHash (restated)
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
    use std::collections::BTreeMap;
    let tpl = |labels: &[(&str, &str)], image: &str| PodTemplateSpec {
        metadata: Some(ObjectMeta {
            labels: Some(
                labels
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect::<BTreeMap<_, _>>(),
            ),
            ..Default::default()
        }),
        spec: Some(k8s_openapi::api::core::v1::PodSpec {
            containers: vec![k8s_openapi::api::core::v1::Container {
                name: "c".into(),
                image: Some(image.into()),
                ..Default::default()
            }],
            ..Default::default()
        }),
    };
    assert!(equal_ignore_hash(
        &tpl(&[("a", "b"), (POD_TEMPLATE_HASH, "x")], "i"),
        &tpl(&[("a", "b")], "i")
    ));
    assert!(equal_ignore_hash(
        &tpl(&[("a", "b"), (POD_TEMPLATE_HASH, "x")], "i"),
        &tpl(&[("a", "b"), (POD_TEMPLATE_HASH, "y")], "i")
    ));
    assert!(!equal_ignore_hash(
        &tpl(&[("a", "b")], "i"),
        &tpl(&[("a", "c")], "i")
    ));
    assert!(!equal_ignore_hash(
        &tpl(&[("a", "b")], "i"),
        &tpl(&[("a", "b")], "j")
    ));
    assert!(equal_ignore_hash(
        &tpl(&[(POD_TEMPLATE_HASH, "x")], "i"),
        &tpl(&[], "i")
    ));
}

#[track_caller]
fn check_requeue(
    reason: Option<ProgressReason>,
    complete: bool,
    pds: Option<i64>,
    now_s: f64,
    want_s: Option<f64>,
) {
    // progress_test.go: lastUpdateTime 18:49:00, here t = 0.
    let now_ms = (now_s * 1000.0).round() as i64;
    let got = requeue_after(reason, complete, 0, pds, now_ms);
    assert_eq!(got, want_s.map(|s| (s * 1000.0).round() as i64));
}

#[test]
fn requeue_stuck_deployment_cases() {
    use ProgressReason::*;
    // progress_test.go TestRequeueStuckDeployment (pds 60)
    check_requeue(Some(Progressing), false, None, 0.0, None); // nil progressDeadlineSeconds
    check_requeue(
        Some(Progressing),
        false,
        Some(i64::from(i32::MAX)),
        0.0,
        None,
    ); // infinite
    check_requeue(None, false, Some(60), 0.0, None); // no progressing condition
    check_requeue(Some(Progressing), true, Some(60), 0.0, None); // complete deployment
    check_requeue(Some(DeadlineExceeded), false, Some(60), 0.0, None); // already failed
    check_requeue(Some(Progressing), false, Some(60), 30.0, Some(30.0)); // stuck - 30s
    check_requeue(Some(Progressing), false, Some(60), 59.0, Some(1.0)); // stuck - 1s
    check_requeue(Some(Progressing), false, Some(60), 59.001, Some(0.0)); // less than a second => now
    check_requeue(Some(Progressing), false, Some(60), 60.0, Some(0.0)); // now
    check_requeue(Some(Progressing), false, Some(60), 61.0, Some(0.0)); // 1s after deadline
    check_requeue(Some(Progressing), false, Some(60), 120.0, Some(0.0)); // 60s after deadline
                                                                         // The look again comes a second after the estimate, when the deadline
                                                                         // is strictly past (TestDeploymentTimedOut's rule).
    assert_eq!(requeue_at(0, 60_000), 61_000);
    assert!(timed_out(Progressing, 0, Some(60), 61_000));
    assert_eq!(requeue_at(59_500, 0), 59_505);
}

#[test]
fn find_new_replica_set_cases() {
    // deployment_util_test.go TestFindNewReplicaSet (restated)
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
    let tpl = |hash: &str, image: &str| PodTemplateSpec {
        metadata: Some(ObjectMeta {
            labels: Some(
                [
                    ("app".to_string(), "web".to_string()),
                    (POD_TEMPLATE_HASH.to_string(), hash.to_string()),
                ]
                .into(),
            ),
            ..Default::default()
        }),
        spec: Some(k8s_openapi::api::core::v1::PodSpec {
            containers: vec![k8s_openapi::api::core::v1::Container {
                name: "c".into(),
                image: Some(image.into()),
                ..Default::default()
            }],
            ..Default::default()
        }),
    };
    let deployment = tpl("", "v2");
    let (same_a, same_b, other) = (tpl("aaa", "v2"), tpl("bbb", "v2"), tpl("ccc", "v1"));
    // "Get new ReplicaSet with the same template as Deployment spec but different pod-template-hash value"
    let rss = [
        Candidate {
            template: &other,
            created: 1,
            name: "old",
        },
        Candidate {
            template: &same_a,
            created: 2,
            name: "new",
        },
    ];
    assert_eq!(find_new_replica_set(&deployment, &rss), Some(1));
    // "Get the oldest new ReplicaSet when there are more than one ReplicaSet with the same template"
    let rss = [
        Candidate {
            template: &same_b,
            created: 3,
            name: "newer",
        },
        Candidate {
            template: &same_a,
            created: 2,
            name: "older",
        },
        Candidate {
            template: &other,
            created: 1,
            name: "old",
        },
    ];
    assert_eq!(find_new_replica_set(&deployment, &rss), Some(1));
    // Same creation time: by name.
    let rss = [
        Candidate {
            template: &same_b,
            created: 2,
            name: "b",
        },
        Candidate {
            template: &same_a,
            created: 2,
            name: "a",
        },
    ];
    assert_eq!(find_new_replica_set(&deployment, &rss), Some(1));
    // "Get nil new ReplicaSet"
    let rss = [Candidate {
        template: &other,
        created: 1,
        name: "old",
    }];
    assert_eq!(find_new_replica_set(&deployment, &rss), None);
}
