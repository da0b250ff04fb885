//! The lab world through its public API: every fault's symptoms after two
//! minutes (status reasons, exit codes, log lines, events), the kubelet's
//! restart and image-pull back-off sequences (semantics §5.1, §5.2), and fixes
//! judged from state: two different correct fixes for the selector and Secret
//! faults, one correct fix for every other fault, and wrong fixes with their reasons.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{Pod, Secret};
use k8s_openapi::ByteString;
use kubeprep_sim::lab::{Change, Fault, Kind, LabError, Reach, World};
use kubeprep_sim::manifest::Object;
use serde_json::{json, Value};

const SEEDS: [u64; 4] = [1, 2, 3, 42];

fn api_pods(w: &World) -> Vec<Pod> {
    w.pods()
        .into_iter()
        .filter(|p| {
            p.metadata
                .labels
                .as_ref()
                .and_then(|l| l.get("app"))
                .map(String::as_str)
                == Some("api")
        })
        .filter(|p| p.metadata.deletion_timestamp.is_none())
        .collect()
}

fn name(p: &Pod) -> String {
    p.metadata.name.clone().unwrap_or_default()
}

fn status(p: &Pod) -> k8s_openapi::api::core::v1::ContainerStatus {
    p.status
        .as_ref()
        .unwrap()
        .container_statuses
        .as_ref()
        .unwrap()[0]
        .clone()
}

/// What two minutes of one fault must show.
struct Symptoms {
    /// Waiting reasons an api container must have shown at some second.
    waiting: &'static [&'static str],
    /// `lastState.terminated` (exit code, reason) at the end, if it crashed.
    last: Option<(i32, &'static str)>,
    /// A line `logs --previous` must contain (any of these).
    log: &'static [&'static str],
    /// An event on the api Pod: (reason, part of the message).
    event: (&'static str, &'static str),
}

#[track_caller]
fn check_symptoms(fault: Fault, seed: u64, want: &Symptoms) {
    let mut w = World::new(fault, seed);
    let mut seen = BTreeSet::new();
    for _ in 0..120 {
        w.advance(1_000);
        for p in api_pods(&w) {
            if let Some(r) = status(&p)
                .state
                .and_then(|s| s.waiting)
                .and_then(|w| w.reason)
            {
                seen.insert(r);
            }
        }
    }
    let ctx = format!("{fault} seed {seed}");
    for r in want.waiting {
        assert!(
            seen.contains(*r),
            "{ctx}: waiting reason {r} never seen; saw {seen:?}"
        );
    }
    let pods = api_pods(&w);
    assert_eq!(pods.len(), 3, "{ctx}");
    let p = &pods[0];
    let cs = status(p);
    assert!(!cs.ready, "{ctx}: a broken api must not be Ready");
    let last = cs.last_state.and_then(|s| s.terminated);
    match want.last {
        Some((code, reason)) => {
            let t = last.unwrap_or_else(|| panic!("{ctx}: no last state"));
            assert_eq!(
                (t.exit_code, t.reason.as_deref()),
                (code, Some(reason)),
                "{ctx}"
            );
            assert!(cs.restart_count >= 1, "{ctx}");
            assert!(t.started_at.is_some() && t.finished_at.is_some(), "{ctx}");
        }
        None => {
            assert!(last.is_none(), "{ctx}: unexpected last state");
            assert_eq!(cs.restart_count, 0, "{ctx}");
        }
    }
    if want.log.is_empty() {
        assert!(
            w.logs(&name(p), None, true).is_err(),
            "{ctx}: a never-started container has no logs"
        );
    } else {
        let logs = w.logs(&name(p), None, true).unwrap().join("\n");
        assert!(
            want.log.iter().any(|l| logs.contains(l)),
            "{ctx}: logs --previous lack {:?}:\n{logs}",
            want.log
        );
    }
    let (reason, msg) = want.event;
    let found = w.events().into_iter().any(|e| {
        e.involved_object.name.as_deref() == Some(name(p).as_str())
            && e.reason.as_deref() == Some(reason)
            && e.message.as_deref().is_some_and(|m| m.contains(msg))
    });
    assert!(found, "{ctx}: no {reason} event containing {msg:?}");
    assert!(
        w.fault_fixed().is_err(),
        "{ctx}: an untouched world is not fixed"
    );
}

#[test]
fn every_fault_shows_its_symptoms() {
    use Fault::*;
    let table: [(Fault, Symptoms); 10] = [
        (
            ServiceSelectorMismatch,
            Symptoms {
                waiting: &["CrashLoopBackOff"],
                last: Some((1, "Error")),
                log: &["Error: connect ECONNREFUSED 10.96."],
                event: ("BackOff", "Back-off restarting failed container api in pod"),
            },
        ),
        (
            MissingSecretKey,
            Symptoms {
                waiting: &["CrashLoopBackOff"],
                last: Some((1, "Error")),
                log: &["Error: Missing required environment variable DB_PASSWORD"],
                event: ("BackOff", "Back-off restarting failed container"),
            },
        ),
        (
            OomKilled,
            Symptoms {
                waiting: &["CrashLoopBackOff"],
                last: Some((137, "OOMKilled")),
                log: &["Listening on :3000"],
                event: ("BackOff", "Back-off restarting failed container"),
            },
        ),
        (
            WrongCommand,
            Symptoms {
                waiting: &["CrashLoopBackOff"],
                last: Some((0, "Completed")),
                log: &["v20.17.0", "tsc -p", "No pending migrations"],
                event: ("BackOff", "Back-off restarting failed container"),
            },
        ),
        (
            BadImage,
            Symptoms {
                waiting: &["ErrImagePull", "ImagePullBackOff"],
                last: None,
                log: &[],
                event: ("Failed", "Error: ErrImagePull"),
            },
        ),
        (
            LivenessWrongPort,
            Symptoms {
                waiting: &[],
                last: Some((137, "Error")),
                log: &["Listening on :3000"],
                event: ("Unhealthy", "Liveness probe failed: "),
            },
        ),
        (
            WrongDbHost,
            Symptoms {
                waiting: &["CrashLoopBackOff"],
                last: Some((1, "Error")),
                log: &["Error: getaddrinfo ENOTFOUND "],
                event: ("BackOff", "Back-off restarting failed container"),
            },
        ),
        (
            RedisAuth,
            Symptoms {
                waiting: &["CrashLoopBackOff"],
                last: Some((1, "Error")),
                log: &[
                    "NOAUTH Authentication required",
                    "WRONGPASS invalid username-password pair",
                ],
                event: ("BackOff", "Back-off restarting failed container"),
            },
        ),
        (
            EgressBlocked,
            Symptoms {
                waiting: &["CrashLoopBackOff"],
                last: Some((1, "Error")),
                log: &["Connection terminated due to connection timeout"],
                event: ("BackOff", "Back-off restarting failed container"),
            },
        ),
        (
            MissingConfigmap,
            Symptoms {
                waiting: &["CreateContainerConfigError"],
                last: None,
                log: &[],
                event: ("Failed", "Error: configmap \"api-config\" not found"),
            },
        ),
    ];
    for (fault, want) in &table {
        for seed in SEEDS {
            check_symptoms(*fault, seed, want);
        }
    }
}

#[test]
fn the_selector_fault_refuses_at_the_service_ip_and_leaves_endpoints_empty() {
    let mut w = World::new(Fault::ServiceSelectorMismatch, 9);
    w.advance(60_000);
    let ip = w
        .services()
        .iter()
        .find(|s| s.metadata.name.as_deref() == Some("postgres"))
        .unwrap()
        .spec
        .as_ref()
        .unwrap()
        .cluster_ip
        .clone()
        .unwrap();
    let p = &api_pods(&w)[0];
    let logs = w.logs(&name(p), None, true).unwrap();
    assert!(
        logs.contains(&format!("Error: connect ECONNREFUSED {ip}:5432")),
        "{logs:?}"
    );
    let eps = w.endpoints();
    let pg = eps
        .iter()
        .find(|e| e.metadata.name.as_deref() == Some("postgres"))
        .unwrap();
    assert!(pg.subsets.is_none(), "{pg:?}");
    let redis = eps
        .iter()
        .find(|e| e.metadata.name.as_deref() == Some("redis"))
        .unwrap();
    assert_eq!(
        redis.subsets.as_ref().unwrap()[0]
            .addresses
            .as_ref()
            .unwrap()
            .len(),
        1
    );
    // Phase stays Running in a crash loop; the message names the back-off.
    let pod = &api_pods(&w)[0];
    assert_eq!(
        pod.status.as_ref().unwrap().phase.as_deref(),
        Some("Running")
    );
}

#[test]
fn missing_configmap_is_not_a_crash_loop() {
    let mut w = World::new(Fault::MissingConfigmap, 5);
    w.advance(120_000);
    for p in api_pods(&w) {
        assert_eq!(p.status.as_ref().unwrap().phase.as_deref(), Some("Pending"));
        let cs = status(&p);
        let waiting = cs.state.unwrap().waiting.unwrap();
        assert_eq!(
            waiting.reason.as_deref(),
            Some("CreateContainerConfigError")
        );
        assert_eq!(
            waiting.message.as_deref(),
            Some("configmap \"api-config\" not found")
        );
        assert_eq!(cs.restart_count, 0);
        let err = w.logs(&name(&p), None, false).unwrap_err();
        assert!(matches!(err, LabError::WaitingToStart { .. }), "{err}");
        assert!(
            err.to_string()
                .ends_with("is waiting to start: CreateContainerConfigError"),
            "{err}"
        );
    }
    // The kubelet retries every sync: the same event counts up.
    let failed = w
        .events()
        .into_iter()
        .find(|e| e.message.as_deref() == Some("Error: configmap \"api-config\" not found"))
        .unwrap();
    assert!(failed.count.unwrap() >= 10, "{failed:?}");
    assert!(failed.last_timestamp > failed.first_timestamp);
}

/// (startedAt of each run) − (finishedAt of the run before), in seconds.
fn restart_gaps(fault: Fault, seed: u64, horizon_s: i64) -> Vec<f64> {
    let mut w = World::new(fault, seed);
    let pod = name(&api_pods(&w)[0]);
    let mut gaps = Vec::new();
    let mut restarts = 0;
    for _ in 0..horizon_s * 10 {
        w.advance(100);
        let p = w.pod(&pod).unwrap();
        let cs = status(&p);
        if cs.restart_count > restarts {
            restarts = cs.restart_count;
            let t = cs.last_state.unwrap().terminated.unwrap();
            let started = cs.state.unwrap().running.map(|r| r.started_at.unwrap().0);
            // Restarts happen at an instant; a 100 ms sample always sees the new run.
            let started =
                started.unwrap_or_else(|| panic!("restart {restarts} not running at sample"));
            gaps.push((started - t.finished_at.unwrap().0).num_milliseconds() as f64 / 1000.0);
        }
    }
    gaps
}

#[test]
fn crash_loop_back_off_doubles_from_10s_to_5m() {
    // pkg/kubelet/kubelet.go (initial 10 s, MaxContainerBackOff 300 s) and
    // kuberuntime_manager.go doBackOff: the first restart is immediate.
    for fault in [
        Fault::MissingSecretKey,
        Fault::ServiceSelectorMismatch,
        Fault::WrongCommand,
    ] {
        let gaps = restart_gaps(fault, 11, 1_000);
        assert_eq!(
            gaps,
            [0.0, 10.0, 20.0, 40.0, 80.0, 160.0, 300.0, 300.0],
            "{fault}"
        );
    }
}

#[test]
fn restart_times_follow_0_10_30_70_150_310() {
    // With the run time of each short crash taken out, restarts fall at
    // 0, 10, 30, 70, 150, 310, 610 s after the first exit.
    let mut w = World::new(Fault::MissingSecretKey, 3);
    let pod = name(&api_pods(&w)[0]);
    let mut starts = Vec::new();
    let mut run_total = 0.0;
    let mut first_exit = None;
    let mut restarts = 0;
    for _ in 0..7_000 {
        w.advance(100);
        let cs = status(&w.pod(&pod).unwrap());
        if cs.restart_count > restarts {
            restarts = cs.restart_count;
            let t = cs.last_state.unwrap().terminated.unwrap();
            let (s, f) = (t.started_at.unwrap().0, t.finished_at.unwrap().0);
            let first = *first_exit.get_or_insert(f);
            if f != first {
                run_total += (f - s).num_milliseconds() as f64 / 1000.0;
            }
            let start = cs.state.unwrap().running.unwrap().started_at.unwrap().0;
            starts.push(((start - first).num_milliseconds() as f64 / 1000.0 - run_total).round());
        }
    }
    assert_eq!(starts, [0.0, 10.0, 30.0, 70.0, 150.0, 310.0, 610.0]);
}

#[test]
fn image_pulls_back_off_10_20_40() {
    // pkg/kubelet/images/image_manager.go: pull unless in back-off; each failure
    // calls Next; the Pod re-syncs 10 s after an error.
    let mut w = World::new(Fault::BadImage, 4);
    let pod = name(&api_pods(&w)[0]);
    let pulls = |w: &World| {
        w.events()
            .into_iter()
            .find(|e| {
                e.involved_object.name.as_deref() == Some(pod.as_str())
                    && e.reason.as_deref() == Some("Pulling")
            })
            .and_then(|e| e.count)
            .unwrap_or(0)
    };
    // The sandbox is ready 1 s after creation; attempts at 1, 11, 31, 71, 151, 311 s.
    let table = [
        (900, 0),
        (1_000, 1),
        (10_900, 1),
        (11_000, 2),
        (30_900, 2),
        (31_000, 3),
        (70_900, 3),
        (71_000, 4),
        (150_900, 4),
        (151_000, 5),
        (310_900, 5),
        (311_000, 6),
        (611_000, 7),
        (911_000, 8),
    ];
    let mut at = 0;
    for (t, want) in table {
        w.advance(t - at);
        at = t;
        assert_eq!(pulls(&w), want, "pull attempts at {t} ms");
    }
    let reason = status(&w.pod(&pod).unwrap())
        .state
        .unwrap()
        .waiting
        .unwrap()
        .reason
        .unwrap();
    assert!(reason == "ErrImagePull" || reason == "ImagePullBackOff");
}

// ---- fixes -------------------------------------------------------------

fn api_deployment(w: &World) -> Value {
    serde_json::to_value(
        w.deployments()
            .iter()
            .find(|d| d.metadata.name.as_deref() == Some("api"))
            .unwrap(),
    )
    .unwrap()
}

fn apply_json(w: &mut World, kind: &str, v: Value) {
    let obj = match kind {
        "Deployment" => Object::Deployment(Box::new(serde_json::from_value(v).unwrap())),
        "Service" => Object::Service(Box::new(serde_json::from_value(v).unwrap())),
        "ConfigMap" => Object::ConfigMap(Box::new(serde_json::from_value(v).unwrap())),
        "Secret" => Object::Secret(Box::new(serde_json::from_value(v).unwrap())),
        "NetworkPolicy" => Object::NetworkPolicy(Box::new(serde_json::from_value(v).unwrap())),
        _ => unreachable!(),
    };
    w.apply(Change::Apply(obj)).unwrap();
}

fn edit_api(w: &mut World, f: impl FnOnce(&mut Value)) {
    let mut d = api_deployment(w);
    f(&mut d["spec"]["template"]["spec"]["containers"][0]);
    apply_json(w, "Deployment", d);
}

fn secret(w: &World, name: &str) -> Secret {
    w.secrets()
        .iter()
        .find(|s| s.metadata.name.as_deref() == Some(name))
        .unwrap()
        .clone()
}

fn restart(w: &mut World) {
    w.apply(Change::RolloutRestart {
        deployment: "api".into(),
    })
    .unwrap();
}

/// After a correct fix: judged fixed, and within six simulated minutes three
/// api Pods are Ready and their logs show the app connected.
#[track_caller]
fn check_recovers(w: &mut World, what: &str) {
    assert_eq!(w.fault_fixed(), Ok(()), "{what}");
    w.advance(360_000);
    let pods = api_pods(w);
    let ready: Vec<&Pod> = pods.iter().filter(|p| status(p).ready).collect();
    assert_eq!(
        ready.len(),
        3,
        "{what}: {:?}",
        pods.iter()
            .map(|p| (name(p), status(p).state))
            .collect::<Vec<_>>()
    );
    for p in ready {
        let logs = w.logs(&name(p), None, false).unwrap().join("\n");
        assert!(
            logs.contains("Connected to PostgreSQL at postgres"),
            "{what}: {logs}"
        );
        assert!(
            logs.contains("Connected to Redis at redis:6379"),
            "{what}: {logs}"
        );
        assert!(logs.contains("Listening on :3000"), "{what}: {logs}");
    }
    let eps = w.endpoints();
    let api = eps
        .iter()
        .find(|e| e.metadata.name.as_deref() == Some("api"))
        .unwrap();
    assert_eq!(
        api.subsets.as_ref().unwrap()[0]
            .addresses
            .as_ref()
            .map_or(0, Vec::len),
        3,
        "{what}"
    );
    assert_eq!(w.fault_fixed(), Ok(()), "{what}");
}

fn broken(fault: Fault, seed: u64) -> World {
    let mut w = World::new(fault, seed);
    w.advance(120_000);
    w
}

#[test]
fn selector_fixed_by_patching_the_service() {
    for seed in SEEDS {
        let mut w = broken(Fault::ServiceSelectorMismatch, seed);
        let mut svc = serde_json::to_value(
            w.services()
                .iter()
                .find(|s| s.metadata.name.as_deref() == Some("postgres"))
                .unwrap(),
        )
        .unwrap();
        svc["spec"]["selector"] = json!({"app": "postgres"});
        apply_json(&mut w, "Service", svc);
        // No restart: the crash-looping Pods connect at their next restart.
        check_recovers(&mut w, "patched selector");
    }
}

#[test]
fn selector_fixed_by_relabelling_the_postgres_pod() {
    for seed in SEEDS {
        let mut w = broken(Fault::ServiceSelectorMismatch, seed);
        let selector = w
            .services()
            .iter()
            .find(|s| s.metadata.name.as_deref() == Some("postgres"))
            .unwrap()
            .spec
            .clone()
            .unwrap()
            .selector
            .unwrap();
        let pg = w
            .pods()
            .into_iter()
            .find(|p| name(p).starts_with("postgres-"))
            .unwrap();
        let mut labels: BTreeMap<String, String> = pg.metadata.labels.clone().unwrap();
        labels.extend(selector);
        w.apply(Change::LabelPod {
            name: name(&pg),
            labels,
        })
        .unwrap();
        restart(&mut w);
        check_recovers(&mut w, "relabelled Pod");
    }
}

#[test]
fn secret_fixed_by_adding_the_key() {
    for seed in SEEDS {
        let mut w = broken(Fault::MissingSecretKey, seed);
        let mut s = secret(&w, "api-secrets");
        let data = s.data.get_or_insert_with(BTreeMap::new);
        let value = ["DB_PASS", "DATABASE_PASSWORD", "POSTGRES_PASSWORD"]
            .iter()
            .find_map(|k| data.get(*k).cloned())
            .unwrap();
        data.insert("DB_PASSWORD".into(), value);
        w.apply(Change::Apply(Object::Secret(Box::new(s)))).unwrap();
        check_recovers(&mut w, "new Secret key");
    }
}

#[test]
fn secret_fixed_by_changing_the_env_reference() {
    for seed in SEEDS {
        let mut w = broken(Fault::MissingSecretKey, seed);
        let s = secret(&w, "api-secrets");
        let key = s
            .data
            .unwrap()
            .keys()
            .find(|k| k.contains("PASS") && *k != "REDIS_PASSWORD")
            .unwrap()
            .clone();
        edit_api(&mut w, |c| {
            c["env"] = json!([{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "api-secrets", "key": key}}}]);
        });
        check_recovers(&mut w, "env reference");
        // The template change rolled out a second ReplicaSet.
        let api_rs = w
            .replica_sets()
            .iter()
            .filter(|r| r.metadata.name.as_deref().unwrap().starts_with("api-"))
            .count();
        assert_eq!(api_rs, 2);
    }
}

#[test]
fn every_fault_has_a_fix_that_recovers() {
    for fault in Fault::ALL {
        for seed in SEEDS {
            let mut w = broken(fault, seed);
            match fault {
                Fault::ServiceSelectorMismatch => {
                    let mut svc = serde_json::to_value(w.services()[1].clone()).unwrap();
                    svc["spec"]["selector"] = json!({"app": "postgres", "tier": "database"});
                    apply_json(&mut w, "Service", svc);
                    restart(&mut w);
                }
                Fault::MissingSecretKey => {
                    let mut s = secret(&w, "api-secrets");
                    let pw = secret(&w, "postgres-credentials").data.unwrap()["POSTGRES_PASSWORD"]
                        .clone();
                    s.data.as_mut().unwrap().insert("DB_PASSWORD".into(), pw);
                    w.apply(Change::Apply(Object::Secret(Box::new(s)))).unwrap();
                    restart(&mut w);
                }
                Fault::OomKilled => {
                    edit_api(
                        &mut w,
                        |c| {
                            c["resources"] = json!({"requests": {"memory": "192Mi"}, "limits": {"memory": "256Mi"}})
                        },
                    )
                }
                Fault::WrongCommand => {
                    edit_api(&mut w, |c| c["command"] = json!(["node", "server.js"]))
                }
                Fault::BadImage => edit_api(&mut w, |c| {
                    c["image"] = json!("ghcr.io/kubeprep/shop-api:1.4.2")
                }),
                Fault::LivenessWrongPort => edit_api(&mut w, |c| {
                    c["livenessProbe"]["httpGet"] = json!({"path": "/healthz", "port": 3000})
                }),
                Fault::WrongDbHost => {
                    let mut cm = serde_json::to_value(w.config_maps()[0].clone()).unwrap();
                    cm["data"]["DB_HOST"] = json!("postgres.default.svc.cluster.local");
                    apply_json(&mut w, "ConfigMap", cm);
                    restart(&mut w);
                }
                Fault::RedisAuth => {
                    let mut s = secret(&w, "api-secrets");
                    let pw = secret(&w, "redis-auth").data.unwrap()["password"].clone();
                    s.data.as_mut().unwrap().insert("REDIS_PASSWORD".into(), pw);
                    w.apply(Change::Apply(Object::Secret(Box::new(s)))).unwrap();
                    restart(&mut w);
                }
                Fault::EgressBlocked => {
                    w.apply(Change::Delete {
                        kind: Kind::NetworkPolicy,
                        name: "api-egress".into(),
                    })
                    .unwrap();
                    restart(&mut w);
                }
                Fault::MissingConfigmap => {
                    let mut cm = serde_json::to_value(w.config_maps()[0].clone()).unwrap();
                    cm["metadata"] = json!({"name": "api-config"});
                    apply_json(&mut w, "ConfigMap", cm);
                }
            }
            check_recovers(&mut w, &format!("{fault} seed {seed}"));
        }
    }
}

#[test]
fn egress_fixed_by_allowing_postgres_in_the_policy() {
    let mut w = broken(Fault::EgressBlocked, 1);
    let mut np = serde_json::to_value(w.network_policies()[0].clone()).unwrap();
    np["spec"]["egress"].as_array_mut().unwrap().push(json!({
        "to": [{"podSelector": {"matchLabels": {"app": "postgres"}}}],
        "ports": [{"protocol": "TCP", "port": 5432}]
    }));
    apply_json(&mut w, "NetworkPolicy", np);
    restart(&mut w);
    check_recovers(&mut w, "policy patched");
}

#[test]
fn wrong_fixes_are_judged_not_fixed_with_the_reason() {
    // Restarting does not fix a selector.
    let mut w = broken(Fault::ServiceSelectorMismatch, 2);
    restart(&mut w);
    let err = w.fault_fixed().unwrap_err();
    assert!(
        err.contains("exits with code 1") && err.contains("ECONNREFUSED"),
        "{err}"
    );
    w.advance(300_000);
    assert!(api_pods(&w).iter().all(|p| !status(p).ready));

    // Adding the key with the wrong value moves the failure to authentication.
    let mut w = broken(Fault::MissingSecretKey, 2);
    let mut s = secret(&w, "api-secrets");
    s.data
        .as_mut()
        .unwrap()
        .insert("DB_PASSWORD".into(), ByteString(b"hunter2".to_vec()));
    w.apply(Change::Apply(Object::Secret(Box::new(s)))).unwrap();
    let err = w.fault_fixed().unwrap_err();
    assert!(
        err.contains("password authentication failed for user \"shop\""),
        "{err}"
    );

    // A limit raised, but not enough.
    let mut w = broken(Fault::OomKilled, 2);
    edit_api(&mut w, |c| {
        c["resources"]["limits"]["memory"] = json!("150Mi")
    });
    let err = w.fault_fixed().unwrap_err();
    assert!(err.contains("137 (OOMKilled)"), "{err}");

    // An empty ConfigMap under the right name: the container starts, then the app exits.
    let mut w = broken(Fault::MissingConfigmap, 2);
    apply_json(
        &mut w,
        "ConfigMap",
        json!({"metadata": {"name": "api-config"}, "data": {}}),
    );
    let err = w.fault_fixed().unwrap_err();
    assert!(
        err.contains("Missing required environment variable DB_HOST"),
        "{err}"
    );

    // A liveness probe moved to another wrong port.
    let mut w = broken(Fault::LivenessWrongPort, 2);
    edit_api(&mut w, |c| {
        c["livenessProbe"]["httpGet"] = json!({"path": "/healthz", "port": 9090})
    });
    let err = w.fault_fixed().unwrap_err();
    assert!(
        err.contains("liveness probe still fails") && err.contains(":9090"),
        "{err}"
    );

    // Another image that does not exist.
    let mut w = broken(Fault::BadImage, 2);
    edit_api(&mut w, |c| {
        c["image"] = json!("ghcr.io/kubeprep/shop-api:9.9.9")
    });
    assert!(w.fault_fixed().unwrap_err().contains("does not exist"));
}

#[test]
fn deleted_pods_come_back_and_same_seed_same_world() {
    let mut w = broken(Fault::OomKilled, 8);
    let before = name(&api_pods(&w)[0]);
    w.apply(Change::Delete {
        kind: Kind::Pod,
        name: before.clone(),
    })
    .unwrap();
    let pods = api_pods(&w);
    assert_eq!(pods.len(), 3);
    assert!(pods.iter().all(|p| name(p) != before));
    w.advance(60_000);
    assert!(
        w.pod(&before).is_err(),
        "the deleted Pod is gone after its grace period"
    );
    assert_eq!(
        w.apply(Change::Delete {
            kind: Kind::Pod,
            name: "nope".into()
        })
        .unwrap_err()
        .to_string(),
        "pods \"nope\" not found"
    );

    let a = broken(Fault::WrongDbHost, 77);
    let b = broken(Fault::WrongDbHost, 77);
    let names = |w: &World| w.pods().iter().map(name).collect::<Vec<_>>();
    assert_eq!(names(&a), names(&b));
    assert_eq!(
        serde_json::to_string(&a.events()).unwrap(),
        serde_json::to_string(&b.events()).unwrap()
    );
    let c = broken(Fault::WrongDbHost, 78);
    assert_ne!(names(&a), names(&c));
}

#[test]
fn faults_parse_from_their_ids_and_solutions_name_the_path() {
    for f in Fault::ALL {
        assert_eq!(f.id().parse::<Fault>(), Ok(f));
        let s = World::new(f, 1).solution();
        assert!(
            s.contains(f.id())
                && s.contains("logs <api-pod> --previous")
                && s.contains("endpoints"),
            "{s}"
        );
    }
    assert!("crashloop"
        .parse::<Fault>()
        .unwrap_err()
        .to_string()
        .contains("service-selector-mismatch"));
}

#[test]
fn bad_changes_are_rejected_with_the_api_servers_reason() {
    let mut w = World::new(Fault::WrongCommand, 1);
    let mut d = api_deployment(&w);
    d["spec"]["template"]["metadata"]["labels"] = json!({"app": "other"});
    let obj = Object::Deployment(Box::new(serde_json::from_value(d).unwrap()));
    let err = w.apply(Change::Apply(obj)).unwrap_err().to_string();
    assert!(
        err.contains("`selector` does not match template `labels`"),
        "{err}"
    );
    let mut svc = serde_json::to_value(w.services()[1].clone()).unwrap();
    svc["spec"]["clusterIP"] = json!("10.96.200.200");
    let err = w
        .apply(Change::Apply(Object::Service(Box::new(
            serde_json::from_value(svc).unwrap(),
        ))))
        .unwrap_err()
        .to_string();
    assert!(err.contains("may not change once set"), "{err}");
    let mut d = api_deployment(&w);
    d["spec"]["replicas"] = json!(2_000_000_000);
    let obj = Object::Deployment(Box::new(serde_json::from_value(d).unwrap()));
    let err = w.apply(Change::Apply(obj)).unwrap_err().to_string();
    assert!(err.contains("more than 100 replicas"), "{err}");
    let mut d = api_deployment(&w);
    d["spec"]["template"]["spec"]["containers"] = json!([]);
    let obj = Object::Deployment(Box::new(serde_json::from_value(d).unwrap()));
    let err = w.apply(Change::Apply(obj)).unwrap_err().to_string();
    assert!(err.contains("containers: Required value"), "{err}");
    // Huge advances are bounded and do not hang.
    w.advance(i64::MAX);
    assert!(w.elapsed_ms() <= kubeprep_sim::lab::MAX_ADVANCE_MS);
}

#[test]
fn connectivity_from_a_debug_pod() {
    let debug = BTreeMap::from([("run".to_string(), "debug".to_string())]);
    let api = BTreeMap::from([("app".to_string(), "api".to_string())]);
    let mut w = broken(Fault::ServiceSelectorMismatch, 1);
    let ip = w.nslookup("postgres.default.svc.cluster.local").unwrap();
    assert_eq!(w.nslookup("postgres"), Some(ip.clone()));
    assert_eq!(w.nslookup("postgres-svc"), None);
    assert_eq!(
        w.reach(&debug, "postgres", 5432),
        Reach::Refused(format!("{ip}:5432"))
    );
    assert_eq!(w.reach(&debug, "redis", 6379), Reach::Open);
    assert_eq!(w.reach(&debug, "nope", 1), Reach::UnknownHost);

    w = broken(Fault::EgressBlocked, 1);
    let ip = w.nslookup("postgres").unwrap();
    // The policy selects the api Pods only: a debug Pod gets through, the api does not.
    assert_eq!(w.reach(&debug, "postgres", 5432), Reach::Open);
    assert_eq!(
        w.reach(&api, "postgres", 5432),
        Reach::TimedOut(format!("{ip}:5432"))
    );
    assert_eq!(w.reach(&api, "redis", 6379), Reach::Open);
}

#[test]
fn back_off_resets_after_a_run_of_more_than_ten_minutes() {
    // §5.1: a run that ends more than 2 × 300 s after the last restart finds
    // the back-off entry expired: the restart is immediate again.
    let mut w = World::new(Fault::LivenessWrongPort, 6);
    edit_api(&mut w, |c| {
        c["livenessProbe"]["initialDelaySeconds"] = json!(700)
    });
    let old: BTreeSet<String> = api_pods(&w).iter().map(name).collect();
    w.advance(20_000);
    let pod = api_pods(&w)
        .into_iter()
        .map(|p| name(&p))
        .find(|n| !old.contains(n))
        .unwrap();
    let mut gaps = Vec::new();
    let mut restarts = 0;
    for _ in 0..2_400 {
        w.advance(1_000);
        let cs = status(&w.pod(&pod).unwrap());
        if cs.restart_count > restarts {
            restarts = cs.restart_count;
            let t = cs.last_state.unwrap().terminated.unwrap();
            assert_eq!((t.exit_code, t.reason.as_deref()), (137, Some("Error")));
            let run = (t.finished_at.clone().unwrap().0 - t.started_at.unwrap().0).num_seconds();
            assert_eq!(
                run,
                700 + 20 + 30,
                "three failed probes, then the 30 s grace period"
            );
            let start = cs.state.unwrap().running.unwrap().started_at.unwrap().0;
            gaps.push((start - t.finished_at.unwrap().0).num_milliseconds());
        }
    }
    assert_eq!(gaps, [0, 0, 0]);
}

/// A replaced Deployment keeps the candidate's annotations (kubectl's
/// last-applied configuration among them) and the controller's revision.
#[test]
fn applied_deployment_annotations_replace_the_old_but_keep_the_revision() {
    let mut w = World::new(Fault::OomKilled, 1);
    w.advance(60_000);
    let mut d = w
        .deployments()
        .iter()
        .find(|d| d.metadata.name.as_deref() == Some("api"))
        .expect("the api Deployment")
        .clone();
    let revision = d
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get("deployment.kubernetes.io/revision"))
        .cloned()
        .expect("a revision annotation");
    d.metadata.annotations = Some(BTreeMap::from([(
        "kubectl.kubernetes.io/last-applied-configuration".to_string(),
        "{}".to_string(),
    )]));
    w.apply(Change::Apply(Object::Deployment(Box::new(d))))
        .unwrap();
    let after = w
        .deployments()
        .iter()
        .find(|d| d.metadata.name.as_deref() == Some("api"))
        .unwrap()
        .metadata
        .annotations
        .clone()
        .unwrap_or_default();
    assert_eq!(
        after.get("kubectl.kubernetes.io/last-applied-configuration"),
        Some(&"{}".to_string()),
        "{after:?}"
    );
    assert_eq!(
        after.get("deployment.kubernetes.io/revision"),
        Some(&revision),
        "{after:?}"
    );
}
