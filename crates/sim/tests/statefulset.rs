//! The StatefulSet simulation and checks against the seed's and the pack's
//! Redis Cluster manifests, and the controller behaviours Kubernetes' own
//! tests pin (`stateful_set_control_test.go`): ordered creation, scale down
//! highest first, rolling updates down to the partition, OnDelete, and the
//! at-most-one guarantee through a node loss.

use kubeprep_sim::check::Severity;
use kubeprep_sim::manifest::{parse_str, Object};
use kubeprep_sim::statefulset::{
    findings, pick, render_text, simulate, Action, Model, PodManagement, StsError, StsReport,
};

fn fixture(name: &str) -> Vec<Object> {
    let path = format!(
        "{}/tests/fixtures/statefulset/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).expect("fixture");
    if name == "seed.yaml" {
        // The seed as written: the API server would reject it (no template labels).
        return parse_str(name, &text).objects().cloned().collect();
    }
    yaml(&text)
}

fn yaml(text: &str) -> Vec<Object> {
    let parsed = parse_str("test.yaml", text);
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    parsed.objects().cloned().collect()
}

fn run(objects: &[Object], nodes: u32, actions: Vec<Action>) -> StsReport {
    let model = Model {
        nodes,
        actions,
        ..Model::default()
    };
    simulate(pick(objects, None).unwrap(), objects, &model).unwrap()
}

/// Creation times of the first incarnation of each ordinal, in seconds.
fn created(r: &StsReport) -> Vec<(String, f64)> {
    let mut seen = Vec::new();
    for rec in &r.records {
        if !seen.iter().any(|(n, _): &(String, f64)| *n == rec.name) {
            seen.push((rec.name.clone(), rec.created_ms as f64 / 1000.0));
        }
    }
    seen
}

fn s(ms: u64) -> u64 {
    ms * 1000
}

/// A small StatefulSet; `extra` is spliced into its spec.
fn web(replicas: i64, extra: &str, probe: bool) -> Vec<Object> {
    let probe = if probe {
        "\n          readinessProbe:\n            httpGet: {path: /, port: 80}\n            periodSeconds: 5"
    } else {
        ""
    };
    yaml(&format!(
        "apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: nginx
  replicas: {replicas}
  selector:
    matchLabels: {{app: web}}
{extra}
  template:
    metadata:
      labels: {{app: web}}
    spec:
      containers:
        - name: nginx
          image: nginx:1.27{probe}
  volumeClaimTemplates:
    - metadata: {{name: www}}
      spec:
        accessModes: [ReadWriteOnce]
        resources: {{requests: {{storage: 1Gi}}}}
---
apiVersion: v1
kind: Service
metadata:
  name: nginx
spec:
  clusterIP: None
  selector: {{app: web}}
  ports: [{{port: 80}}]
"
    ))
}

#[test]
fn corrected_redis_starts_six_pods_in_order() {
    let r = run(&fixture("corrected.yaml"), 7, vec![]);
    assert_eq!(r.policy, PodManagement::OrderedReady);
    // Pod N+1 is created when Pod N turns Ready: start 5 s, warm-up 8 s,
    // readiness probe every 5 s from the container start -> Ready 15 s after creation.
    let expect: Vec<(String, f64)> = (0..6)
        .map(|i| (format!("redis-cluster-{i}"), 15.0 * i as f64))
        .collect();
    assert_eq!(created(&r), expect);
    assert_eq!(r.ready_ms, Some(s(90)));
    for (i, p) in r.pods.iter().enumerate() {
        assert_eq!(p.pvcs, vec![format!("data-redis-cluster-{i}")]);
        assert_eq!(
            p.dns.as_deref(),
            Some(
                format!("redis-cluster-{i}.redis-cluster-headless.default.svc.cluster.local")
                    .as_str()
            )
        );
        // Required hostname anti-affinity: one Pod per node.
        assert_eq!(p.node.as_deref(), Some(format!("node-{}", i + 1).as_str()));
    }
    // Only an info for the corrected answer.
    assert!(
        r.findings.iter().all(|f| f.severity == Severity::Info),
        "{:?}",
        r.findings
    );
}

#[test]
fn corrected_redis_survives_a_node_loss_after_the_out_of_service_taint() {
    let r = run(
        &fixture("corrected.yaml"),
        7,
        vec![
            Action::FailNode {
                node: "node-5".into(),
                at_ms: s(120),
            },
            Action::OutOfService { at_ms: s(500) },
        ],
    );
    let nodes = &r.nodes[4];
    // NotReady after the 50 s grace period; evicted 300 s later, but it stays Terminating.
    assert_eq!(nodes.not_ready_ms, Some(s(170)));
    let old = &r.records[4];
    assert_eq!(old.name, "redis-cluster-4");
    assert_eq!(old.unready_ms, Some(s(170)));
    assert_eq!(old.deleting_ms, Some(s(470)));
    // The Pod GC force-deletes it at the out-of-service taint (a 20 s tick boundary).
    assert_eq!(old.gone_ms, Some(s(500)));
    let new = r.records.last().unwrap();
    assert_eq!(new.name, "redis-cluster-4");
    assert_eq!(new.created_ms, s(500));
    assert_eq!(new.node.as_deref(), Some("node-7"));
    // The volume is detached at once with the taint and attached to node-7.
    assert_eq!(new.attached_ms, Some(s(500)));
    assert_eq!(new.ready_ms, Some(s(515)));
    assert_eq!(r.recovered_ms, Some(s(515)));
    let p4 = &r.pods[4];
    assert_eq!(p4.pvcs, vec!["data-redis-cluster-4"]);
    assert_eq!(p4.incarnations, 2);
    assert!(p4
        .dns
        .as_deref()
        .unwrap()
        .starts_with("redis-cluster-4.redis-cluster-headless."));
}

#[test]
fn a_pod_on_a_lost_node_stays_terminating_and_is_not_replaced() {
    let r = run(
        &fixture("corrected.yaml"),
        7,
        vec![Action::FailNode {
            node: "node-3".into(),
            at_ms: s(100),
        }],
    );
    // At most one Pod per identity: nothing comes back without a human.
    assert_eq!(r.records.len(), 6);
    assert_eq!(r.pods[2].state, "Terminating");
    assert_eq!(r.records[2].deleting_ms, Some(s(100 + 50 + 300)));
    assert_eq!(r.recovered_ms, None);
    assert!(r.events.iter().any(|e| e.reason == "Terminating"));
}

#[test]
fn a_force_delete_without_the_taint_waits_six_minutes_for_the_volume() {
    let r = run(
        &fixture("corrected.yaml"),
        7,
        vec![
            Action::FailNode {
                node: "node-5".into(),
                at_ms: s(120),
            },
            Action::ForceDelete { at_ms: s(500) },
        ],
    );
    let new = r.records.last().unwrap();
    assert_eq!(new.created_ms, s(500));
    assert_eq!(new.scheduled_ms, Some(s(500)));
    // Multi-Attach until the attach-detach controller force-detaches after 6 min.
    assert_eq!(new.attached_ms, Some(s(860)));
    assert_eq!(new.running_ms, Some(s(865)));
    assert_eq!(new.ready_ms, Some(s(875)));
    assert!(r.events.iter().any(|e| e.reason == "FailedAttachVolume"));
    assert_eq!(r.recovered_ms, Some(s(875)));
}

#[test]
fn a_deleted_pod_comes_back_with_the_same_name_volume_and_dns() {
    let r = run(
        &fixture("corrected.yaml"),
        7,
        vec![Action::DeletePod {
            pod: "redis-cluster-2".into(),
            at_ms: s(120),
        }],
    );
    let again: Vec<_> = r
        .records
        .iter()
        .filter(|p| p.name == "redis-cluster-2")
        .collect();
    assert_eq!(again.len(), 2);
    // No preStop: gone at once, recreated at once, Ready after start + probe.
    assert_eq!(again[0].gone_ms, Some(s(120)));
    assert_eq!(again[1].created_ms, s(120));
    assert_eq!(again[1].ready_ms, Some(s(135)));
    assert_eq!(r.recovered_ms, Some(s(135)));
    assert_eq!(r.pods[2].pvcs, vec!["data-redis-cluster-2"]);
}

#[test]
fn ordered_ready_recreates_only_after_lower_ordinals_are_healthy() {
    // Delete ordinals 1 and 3 together: 3 waits until 1 is Ready again.
    let r = run(
        &web(4, "", true),
        3,
        vec![
            Action::DeletePod {
                pod: "web-1".into(),
                at_ms: s(100),
            },
            Action::DeletePod {
                pod: "web-3".into(),
                at_ms: s(100),
            },
        ],
    );
    let web1 = r
        .records
        .iter()
        .filter(|p| p.name == "web-1")
        .nth(1)
        .unwrap();
    let web3 = r
        .records
        .iter()
        .filter(|p| p.name == "web-3")
        .nth(1)
        .unwrap();
    assert_eq!(web1.created_ms, s(100));
    assert_eq!(web1.ready_ms, Some(s(115)));
    assert_eq!(web3.created_ms, s(115));
}

#[test]
fn the_seed_with_labels_creates_all_pods_at_once() {
    let r = run(&fixture("seed-labelled.yaml"), 3, vec![]);
    assert_eq!(r.policy, PodManagement::Parallel);
    assert!(r.records.iter().all(|p| p.created_ms == 0));
    // No readiness probe: Ready as soon as the container runs.
    assert_eq!(r.ready_ms, Some(s(5)));
    // Nothing spreads them: the default spreading puts two on each node.
    let mut per = std::collections::BTreeMap::new();
    for p in &r.pods {
        *per.entry(p.node.clone().unwrap()).or_insert(0) += 1;
    }
    assert_eq!(per.values().copied().collect::<Vec<_>>(), vec![2, 2, 2]);
}

#[test]
fn the_seed_as_written_is_refused() {
    let objects = fixture("seed.yaml");
    let err = simulate(pick(&objects, None).unwrap(), &objects, &Model::default()).unwrap_err();
    assert!(matches!(err, StsError::Invalid { .. }), "{err}");
    assert!(
        err.to_string().contains("spec.template.metadata.labels"),
        "{err}"
    );
}

#[test]
fn required_anti_affinity_needs_a_node_per_pod() {
    // Six Pods, three nodes: redis-cluster-3 cannot be placed and OrderedReady stops there.
    let r = run(&fixture("corrected.yaml"), 3, vec![]);
    assert_eq!(r.records.len(), 4);
    assert_eq!(r.pods[3].state, "Pending");
    assert_eq!(r.ready_ms, None);
    let e = r
        .events
        .iter()
        .find(|e| e.reason == "FailedScheduling")
        .unwrap();
    assert_eq!(
        e.message,
        "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules"
    );
}

#[track_caller]
fn check_scale_down(policy: &str, expect_deleted_at: &[(&str, u64)]) {
    let extra = format!("  podManagementPolicy: {policy}");
    let r = run(
        &web(5, &extra, true),
        3,
        vec![Action::Scale {
            replicas: 2,
            at_ms: s(200),
        }],
    );
    let deleted: Vec<(&str, u64)> = r
        .records
        .iter()
        .filter_map(|p| p.deleting_ms.map(|d| (p.name.as_str(), d)))
        .collect();
    let mut got = deleted.clone();
    got.sort_by_key(|(n, d)| (*d, std::cmp::Reverse(n.to_string())));
    let expect: Vec<(&str, u64)> = expect_deleted_at.iter().map(|(n, t)| (*n, s(*t))).collect();
    assert_eq!(got, expect);
    // Highest first: the event order on the set.
    let order: Vec<&str> = r
        .events
        .iter()
        .filter(|e| e.reason == "SuccessfulDelete")
        .map(|e| e.message.split_whitespace().nth(2).unwrap())
        .collect();
    assert_eq!(order, vec!["web-4", "web-3", "web-2"]);
}

#[test]
fn scale_down_deletes_the_highest_ordinal_first() {
    // From TestStatefulSetControlScaleDown / ScaleDownDeleteError (ordered, one at a time)
    // and the burst variant (all condemned Pods in one pass).
    check_scale_down(
        "OrderedReady",
        &[("web-4", 200), ("web-3", 200), ("web-2", 200)],
    );
    check_scale_down(
        "Parallel",
        &[("web-4", 200), ("web-3", 200), ("web-2", 200)],
    );
}

#[test]
fn ordered_scale_down_waits_for_each_pod_to_terminate() {
    // A 10 s preStop sleep: each deletion waits for the previous Pod to be gone.
    let objects = yaml(&render_web_with_prestop("OrderedReady"));
    let r = run(
        &objects,
        3,
        vec![Action::Scale {
            replicas: 1,
            at_ms: s(100),
        }],
    );
    let del = |n: &str| r.records.iter().find(|p| p.name == n).unwrap().deleting_ms;
    assert_eq!(del("web-2"), Some(s(100)));
    assert_eq!(del("web-1"), Some(s(110)));
    let objects = yaml(&render_web_with_prestop("Parallel"));
    let r = run(
        &objects,
        3,
        vec![Action::Scale {
            replicas: 1,
            at_ms: s(100),
        }],
    );
    let del = |n: &str| r.records.iter().find(|p| p.name == n).unwrap().deleting_ms;
    assert_eq!(del("web-2"), Some(s(100)));
    assert_eq!(del("web-1"), Some(s(100)));
}

fn render_web_with_prestop(policy: &str) -> String {
    format!(
        "apiVersion: apps/v1
kind: StatefulSet
metadata: {{name: web}}
spec:
  replicas: 3
  podManagementPolicy: {policy}
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers:
        - name: nginx
          image: nginx:1.27
          lifecycle:
            preStop:
              exec: {{command: [sh, -c, sleep 10]}}
"
    )
}

#[test]
fn rolling_update_replaces_from_the_highest_ordinal_down_to_the_partition() {
    // From TestStatefulSetControlRollingUpdate and ...WithPartition.
    for (partition, updated) in [(0, vec![4, 3, 2, 1, 0]), (3, vec![4, 3])] {
        let extra = format!("  updateStrategy:\n    type: RollingUpdate\n    rollingUpdate: {{partition: {partition}}}");
        let r = run(
            &web(5, &extra, true),
            3,
            vec![Action::Update { at_ms: s(200) }],
        );
        let rev2: Vec<i64> = r
            .records
            .iter()
            .filter(|p| p.revision == 2)
            .map(|p| p.ordinal)
            .collect();
        assert_eq!(rev2, updated, "partition {partition}");
        // One at a time: each replacement waits for the previous one to be Ready (15 s).
        let created: Vec<u64> = r
            .records
            .iter()
            .filter(|p| p.revision == 2)
            .map(|p| p.created_ms)
            .collect();
        let expect: Vec<u64> = (0..updated.len() as u64).map(|i| s(200 + 15 * i)).collect();
        assert_eq!(created, expect, "partition {partition}");
    }
}

#[test]
fn on_delete_updates_only_pods_that_are_deleted() {
    // From TestStatefulSetControlOnDeleteUpdate: no Pod is replaced by the
    // controller; a deleted Pod comes back at the update revision.
    let extra = "  updateStrategy:\n    type: OnDelete";
    let r = run(
        &web(3, extra, true),
        3,
        vec![
            Action::Update { at_ms: s(100) },
            Action::DeletePod {
                pod: "web-1".into(),
                at_ms: s(200),
            },
        ],
    );
    let revs: Vec<(String, u32)> = r
        .records
        .iter()
        .map(|p| (p.name.clone(), p.revision))
        .collect();
    assert_eq!(
        revs,
        vec![
            ("web-0".into(), 1),
            ("web-1".into(), 1),
            ("web-2".into(), 1),
            ("web-1".into(), 2)
        ]
    );
}

#[test]
fn scale_up_continues_from_the_next_ordinal() {
    // From TestStatefulSetControlScaleUp.
    let r = run(
        &web(2, "", false),
        3,
        vec![Action::Scale {
            replicas: 4,
            at_ms: s(100),
        }],
    );
    let c = created(&r);
    assert_eq!(c[2], ("web-2".into(), 100.0));
    assert_eq!(c[3], ("web-3".into(), 105.0));
    assert_eq!(r.final_replicas, 4);
}

#[test]
fn ordinals_start_is_honoured() {
    let r = run(&web(2, "  ordinals: {start: 5}", false), 3, vec![]);
    let names: Vec<&str> = r.pods.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, vec!["web-5", "web-6"]);
    assert_eq!(r.pods[0].pvcs, vec!["www-web-5"]);
}

#[test]
fn zone_spread_with_do_not_schedule_balances_zones() {
    let extra = "";
    let mut objects = web(6, extra, false);
    if let Object::StatefulSet(set) = &mut objects[0] {
        let pod = set.spec.as_mut().unwrap().template.spec.as_mut().unwrap();
        pod.topology_spread_constraints = Some(vec![serde_json::from_value(serde_json::json!({
            "maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone",
            "whenUnsatisfiable": "DoNotSchedule",
            "labelSelector": {"matchLabels": {"app": "web"}}
        }))
        .unwrap()]);
    }
    let model = Model {
        nodes: 6,
        zones: 3,
        ..Model::default()
    };
    let r = simulate(pick(&objects, None).unwrap(), &objects, &model).unwrap();
    let mut per = std::collections::BTreeMap::new();
    for p in &r.pods {
        *per.entry(p.volume_zone.clone().unwrap()).or_insert(0) += 1;
    }
    assert_eq!(per.values().copied().collect::<Vec<_>>(), vec![2, 2, 2]);
}

#[test]
fn zonal_volumes_pin_a_pod_to_its_zone_after_a_node_loss() {
    // Three zones, one node each: the replacement has nowhere to go.
    let model = Model {
        nodes: 3,
        zones: 3,
        actions: vec![
            Action::FailNode {
                node: "node-2".into(),
                at_ms: s(60),
            },
            Action::OutOfService { at_ms: s(200) },
        ],
        ..Model::default()
    };
    let objects = web(3, "", false);
    let r = simulate(pick(&objects, None).unwrap(), &objects, &model).unwrap();
    assert_eq!(r.pods[1].state, "Pending");
    let e = r
        .events
        .iter()
        .rev()
        .find(|e| e.reason == "FailedScheduling")
        .unwrap();
    assert!(
        e.message.contains("volume node affinity conflict"),
        "{}",
        e.message
    );
}

#[test]
fn dns_names_need_a_headless_service_that_selects_the_pods() {
    let mut objects = web(1, "", false);
    if let Object::Service(svc) = &mut objects[1] {
        svc.spec.as_mut().unwrap().cluster_ip = Some("10.0.0.1".into());
    }
    let r = run(&objects, 3, vec![]);
    assert_eq!(r.pods[0].dns, None);
    assert!(findings(&objects)
        .iter()
        .any(|f| f.id == "statefulset.service-not-headless"));
}

#[test]
fn bad_disruptions_and_sizes_are_errors_not_panics() {
    let objects = web(2, "", false);
    let set = pick(&objects, None).unwrap();
    let with = |actions: Vec<Action>, nodes: u32| {
        simulate(
            set,
            &objects,
            &Model {
                nodes,
                actions,
                ..Model::default()
            },
        )
    };
    let e = with(
        vec![Action::DeletePod {
            pod: "redis-0".into(),
            at_ms: 0,
        }],
        3,
    )
    .unwrap_err();
    assert!(e.to_string().contains("web-0 to web-1"), "{e}");
    let e = with(
        vec![Action::FailNode {
            node: "node-9".into(),
            at_ms: 0,
        }],
        3,
    )
    .unwrap_err();
    assert!(e.to_string().contains("node-1 to node-3"), "{e}");
    let e = with(
        vec![Action::Scale {
            replicas: 1 << 40,
            at_ms: 0,
        }],
        3,
    )
    .unwrap_err();
    assert!(matches!(e, StsError::Replicas { .. }), "{e}");
    assert!(matches!(
        with(vec![], 0).unwrap_err(),
        StsError::Nodes { .. }
    ));
    let huge = web(2_000_000_000, "", false);
    let e = simulate(pick(&huge, None).unwrap(), &huge, &Model::default()).unwrap_err();
    assert!(
        e.to_string()
            .contains("spec.replicas 2000000000 is out of range"),
        "{e}"
    );
}

fn ids(objects: &[Object]) -> Vec<(String, Severity, String)> {
    let mut v: Vec<_> = findings(objects)
        .into_iter()
        .map(|f| (f.id, f.severity, f.object))
        .collect();
    v.sort();
    v
}

#[test]
fn the_seed_gets_the_findings_the_design_lists() {
    let got = ids(&fixture("seed.yaml"));
    let want = [
        (
            "statefulset.no-pdb",
            Severity::Warning,
            "StatefulSet/redis-cluster",
        ),
        (
            "statefulset.no-spread",
            Severity::Warning,
            "StatefulSet/redis-cluster",
        ),
        (
            "statefulset.not-guaranteed-qos",
            Severity::Warning,
            "StatefulSet/redis-cluster",
        ),
        (
            "statefulset.parallel-no-ordered-startup",
            Severity::Warning,
            "StatefulSet/redis-cluster",
        ),
        (
            "statefulset.pod-management-policy-immutable",
            Severity::Info,
            "StatefulSet/redis-cluster",
        ),
        (
            "statefulset.redis-port-missing",
            Severity::Warning,
            "Service/redis-cluster-headless",
        ),
        (
            "statefulset.selector-mismatch",
            Severity::Error,
            "StatefulSet/redis-cluster",
        ),
        (
            "statefulset.service-publish-not-ready",
            Severity::Info,
            "Service/redis-cluster-headless",
        ),
        (
            "statefulset.service-selector-mismatch",
            Severity::Error,
            "Service/redis-cluster-headless",
        ),
    ];
    let want: Vec<(String, Severity, String)> = want
        .iter()
        .map(|(a, b, c)| (a.to_string(), *b, c.to_string()))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn the_corrected_answer_gets_only_an_info() {
    let got = ids(&fixture("corrected.yaml"));
    assert_eq!(
        got,
        vec![(
            "statefulset.burstable-qos".to_string(),
            Severity::Info,
            "StatefulSet/redis-cluster".to_string()
        )]
    );
}

/// The corrected answer with `edit` applied to its YAML text.
fn corrected_with(edit: impl Fn(String) -> String) -> Vec<Object> {
    let path = format!(
        "{}/tests/fixtures/statefulset/corrected.yaml",
        env!("CARGO_MANIFEST_DIR")
    );
    yaml(&edit(std::fs::read_to_string(path).unwrap()))
}

#[track_caller]
fn check_findings(edit: impl Fn(String) -> String, expect: &[&str]) {
    let got: Vec<String> = ids(&corrected_with(edit))
        .into_iter()
        .map(|(id, _, _)| id)
        .collect();
    let expect: Vec<String> = expect.iter().map(|s| s.to_string()).collect();
    assert_eq!(got, expect);
}

#[test]
fn checks_accept_equivalent_answers_and_catch_near_misses() {
    // Guaranteed QoS, memory written two ways: no finding at all.
    check_findings(
        |y| {
            y.replace("            limits:\n              memory: 4Gi", "            limits:\n              cpu: 1000m\n              memory: \"4294967296\"")
        },
        &[],
    );
    // Memory limit different from the request: a warning.
    check_findings(
        |y| {
            y.replace(
                "            limits:\n              memory: 4Gi",
                "            limits:\n              memory: 5Gi",
            )
        },
        &["statefulset.not-guaranteed-qos"],
    );
    // A zone spread with DoNotSchedule instead of anti-affinity spreads as well.
    check_findings(
        |y| {
            y.replace(
                "topologyKey: kubernetes.io/hostname",
                "topologyKey: example.com/team",
            )
            .replace(
                "whenUnsatisfiable: ScheduleAnyway",
                "whenUnsatisfiable: DoNotSchedule",
            )
        },
        &["statefulset.burstable-qos"],
    );
    // Only the ScheduleAnyway spread left: a weaker pass.
    check_findings(
        |y| {
            y.replace(
                "topologyKey: kubernetes.io/hostname",
                "topologyKey: example.com/team",
            )
        },
        &[
            "statefulset.burstable-qos",
            "statefulset.spread-preferred-only",
        ],
    );
    // PDBs that can never allow an eviction.
    for pdb in [
        "maxUnavailable: 0",
        "minAvailable: 6",
        "minAvailable: \"100%\"",
        "maxUnavailable: \"0%\"",
    ] {
        check_findings(
            |y| y.replace("  maxUnavailable: 1", &format!("  {pdb}")),
            &[
                "statefulset.burstable-qos",
                "statefulset.pdb-never-allows-eviction",
            ],
        );
    }
    check_findings(
        |y| y.replace("  maxUnavailable: 1", "  minAvailable: \"50%\""),
        &["statefulset.burstable-qos"],
    );
    // A PDB selecting other Pods does not count.
    check_findings(
        |y| {
            y.replace("kind: PodDisruptionBudget\nmetadata:\n  name: redis-cluster\nspec:\n  maxUnavailable: 1\n  selector:\n    matchLabels:\n      app: redis-cluster", "kind: PodDisruptionBudget\nmetadata:\n  name: redis-cluster\nspec:\n  maxUnavailable: 1\n  selector:\n    matchLabels:\n      app: other")
        },
        &["statefulset.burstable-qos", "statefulset.no-pdb"],
    );
    // The cluster bus port missing from the Service.
    check_findings(
        |y| {
            y.replace(
                "    - name: cluster-bus\n      port: 16379\n      targetPort: 16379\n",
                "",
            )
        },
        &[
            "statefulset.burstable-qos",
            "statefulset.redis-port-missing",
        ],
    );
}

#[test]
fn the_node_loss_timeline_reads_at_a_glance() {
    let r = run(
        &fixture("corrected.yaml"),
        7,
        vec![
            Action::FailNode {
                node: "node-5".into(),
                at_ms: s(120),
            },
            Action::OutOfService { at_ms: s(500) },
        ],
    );
    insta::assert_snapshot!(render_text(&r));
}

#[test]
fn min_ready_seconds_delays_the_next_ordinal() {
    // From TestScaleUpStatefulSetWithMinReadySeconds: in OrderedReady the next
    // Pod waits until its predecessor has been Ready for minReadySeconds.
    let r = run(&web(3, "  minReadySeconds: 10", true), 3, vec![]);
    let c = created(&r);
    assert_eq!(c[1], ("web-1".into(), 25.0));
    assert_eq!(c[2], ("web-2".into(), 50.0));
}

#[test]
fn pods_below_the_partition_are_recreated_at_the_current_revision() {
    // newVersionedStatefulSetPod: an ordinal below the partition keeps the
    // current revision even when it is deleted during an update.
    let extra = "  updateStrategy:\n    type: RollingUpdate\n    rollingUpdate: {partition: 2}";
    let r = run(
        &web(3, extra, true),
        3,
        vec![
            Action::Update { at_ms: s(100) },
            Action::DeletePod {
                pod: "web-0".into(),
                at_ms: s(200),
            },
        ],
    );
    let revs: Vec<(String, u32)> = r
        .records
        .iter()
        .map(|p| (p.name.clone(), p.revision))
        .collect();
    assert_eq!(
        revs,
        vec![
            ("web-0".into(), 1),
            ("web-1".into(), 1),
            ("web-2".into(), 1),
            ("web-2".into(), 2),
            ("web-0".into(), 1)
        ]
    );
}

#[test]
fn a_pod_tolerating_unreachable_for_longer_is_evicted_later() {
    // The Pod's own toleration replaces the admission default of 300 s.
    let mut objects = web(2, "", false);
    if let Object::StatefulSet(set) = &mut objects[0] {
        let pod = set.spec.as_mut().unwrap().template.spec.as_mut().unwrap();
        pod.tolerations = Some(vec![serde_json::from_value(serde_json::json!({
            "key": "node.kubernetes.io/unreachable", "operator": "Exists",
            "effect": "NoExecute", "tolerationSeconds": 30
        }))
        .unwrap()]);
    }
    let r = run(
        &objects,
        3,
        vec![Action::FailNode {
            node: "node-1".into(),
            at_ms: s(60),
        }],
    );
    assert_eq!(r.records[0].deleting_ms, Some(s(60 + 50 + 30)));
}

#[track_caller]
fn check_scenario(objects: &[Object], expect: [bool; 4]) {
    let reqs =
        kubeprep_sim::statefulset::redis_cluster(pick(objects, None).unwrap(), objects).unwrap();
    let got: Vec<bool> = reqs.iter().map(|r| r.passed).collect();
    assert_eq!(got, expect, "{reqs:#?}");
}

#[test]
fn the_redis_cluster_scenario_passes_the_corrected_answer_only() {
    check_scenario(&fixture("corrected.yaml"), [true, true, true, true]);
    // The seed with labels: identities and storage, but Parallel and no spreading.
    check_scenario(&fixture("seed-labelled.yaml"), [true, true, false, false]);
    // Without the headless Service: no stable DNS names.
    let no_svc: Vec<Object> = fixture("corrected.yaml")
        .into_iter()
        .filter(|o| !matches!(o, Object::Service(_)))
        .collect();
    check_scenario(&no_svc, [false, true, true, true]);
}

#[test]
fn findings_in_documents_carry_their_file() {
    let path = format!(
        "{}/tests/fixtures/statefulset/seed.yaml",
        env!("CARGO_MANIFEST_DIR")
    );
    let parsed = parse_str("seed.yaml", &std::fs::read_to_string(path).unwrap());
    let found = kubeprep_sim::statefulset::findings_in(&parsed.documents);
    assert!(!found.is_empty());
    assert!(found
        .iter()
        .all(|f| f.file.as_deref() == Some("seed.yaml") && f.line.is_some()));
}
