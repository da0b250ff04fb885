//! Strict manifest reading, end to end through `parse_str`: the seed's
//! manifests and their corrected versions, bad input, API defaults and the
//! API server's create-time validation. Cases name the upstream test or
//! source they restate where there is one.

use kubeprep_sim::manifest::{parse_str, Object, Parsed};

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/manifest/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every problem of `text`, rendered as `line:column path: message (hint)`.
fn problems(text: &str) -> Vec<String> {
    parse_str("t.yaml", text)
        .problems
        .iter()
        .map(|p| p.to_string().trim_start_matches("t.yaml:").to_string())
        .collect()
}

#[track_caller]
fn check(text: &str, want: &[&str]) {
    let got = problems(text);
    assert_eq!(got.len(), want.len(), "problems: {got:#?}");
    for (g, w) in got.iter().zip(want) {
        assert!(g.contains(w), "{g:?} does not contain {w:?}\nall: {got:#?}");
    }
}

#[track_caller]
fn one(text: &str) -> Object {
    let p: Parsed = parse_str("t.yaml", text);
    assert!(p.problems.is_empty(), "{:#?}", p.problems);
    assert_eq!(p.documents.len(), 1);
    p.documents[0].object.clone()
}

#[test]
fn the_seed_manifests_are_refused_as_the_api_server_refuses_them() {
    check(
        &fixture("seed-payment-deployment.yaml"),
        &[
            "31:7: Deployment/payment-api: spec.template.spec.minReadySeconds: unknown field \"spec.template.spec.minReadySeconds\" (`minReadySeconds` is not a field of `spec.template.spec`; it belongs at `spec.minReadySeconds`)",
            "5:1: Deployment/payment-api: spec.selector: Required value",
            "13:3: Deployment/payment-api: spec.template.metadata.labels: Invalid value: {}: `selector` does not match template `labels`",
        ],
    );
    check(
        &fixture("seed-redis-statefulset.yaml"),
        &["12:3: StatefulSet/redis-cluster: spec.template.metadata.labels: Invalid value: {}: `selector` does not match template `labels` (add these labels to spec.template.metadata.labels: app: redis-cluster)"],
    );
    check(
        &fixture("seed-flash-sale-cronjob.yaml"),
        &["10:9: CronJob/prescale-flash-sale: spec.jobTemplate.spec.template.spec.restartPolicy: Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\""],
    );
    for ok in [
        "seed-flash-sale-hpa.yaml",
        "seed-redis-headless-service.yaml",
        "seed-rbac-namespace-setup.yaml",
        "seed-rbac-role.yaml",
        "seed-rbac-rolebinding.yaml",
        "seed-rbac-clusterrole.yaml",
    ] {
        assert_eq!(problems(&fixture(ok)), Vec::<String>::new(), "{ok}");
    }
}

#[test]
fn the_corrected_manifests_have_no_problems() {
    for (name, documents, skipped) in [
        ("corrected-payment-deployment.yaml", 1, 0),
        ("corrected-flash-sale-hpa.yaml", 1, 0),
        ("corrected-flash-sale-prescaling.yaml", 5, 0),
        ("corrected-redis-configmap.yaml", 1, 0),
        ("corrected-redis-headless-service.yaml", 1, 0),
        ("corrected-redis-statefulset.yaml", 1, 0),
        ("corrected-rbac-team-namespaces.yaml", 2, 2),
        ("corrected-rbac-developer-access.yaml", 4, 0),
        ("corrected-rbac-platform-team-binding.yaml", 1, 0),
    ] {
        let p = parse_str(name, &fixture(name));
        assert!(p.problems.is_empty(), "{name}: {:#?}", p.problems);
        assert_eq!(p.documents.len(), documents, "{name}");
        assert_eq!(p.skipped.len(), skipped, "{name}");
    }
}

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
";

fn deployment_with(spec_extra: &str, container_extra: &str) -> String {
    let mut d = DEPLOYMENT.replace(
        "spec:\n  selector:",
        &format!("spec:\n{spec_extra}  selector:"),
    );
    d.push_str(container_extra);
    d
}

#[test]
fn unknown_fields_name_where_they_belong_or_a_close_spelling() {
    check(
        &deployment_with("  maxSurge: 1\n", ""),
        &["6:3: Deployment/web: spec.maxSurge: unknown field \"spec.maxSurge\" (`maxSurge` is not a field of `spec`; it belongs at `spec.strategy.rollingUpdate.maxSurge`)"],
    );
    check(
        &deployment_with("", "          readynessProbe:\n            periodSeconds: 5\n"),
        &["spec.template.spec.containers[0].readynessProbe: unknown field \"spec.template.spec.containers[0].readynessProbe\" (did you mean `readinessProbe`?)"],
    );
    check(
        &deployment_with("  frobnicate: true\n", ""),
        &["unknown field \"spec.frobnicate\""],
    );
}

#[test]
fn wrong_types_name_the_path() {
    check(
        &deployment_with("  replicas: six\n", ""),
        &["6:3: Deployment/web: spec.replicas: Invalid value: invalid type: string \"six\", expected an integer"],
    );
    // A float CPU quantity is fine (the API server reads it as "0.5").
    let d = one(&deployment_with(
        "",
        "          resources:\n            requests: {cpu: 0.5, memory: 1}\n",
    ));
    let Object::Deployment(d) = d else { panic!() };
    let c = &d.spec.unwrap().template.spec.unwrap().containers[0];
    let req = c.resources.as_ref().unwrap().requests.as_ref().unwrap();
    assert_eq!(req["cpu"].0, "0.5");
    assert_eq!(req["memory"].0, "1");
}

// pkg/apis/apps/validation/validation.go ValidateRollingUpdateDeployment and
// validation_test.go TestValidateDeployment's strategy cases.
#[test]
fn rolling_update_parameters() {
    let s = |surge: &str, unavailable: &str| {
        deployment_with(
            &format!("  strategy:\n    rollingUpdate:\n      maxSurge: {surge}\n      maxUnavailable: {unavailable}\n"),
            "",
        )
    };
    check(&s("0", "0"), &["spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0"]);
    check(&s("\"0%\"", "0"), &["may not be 0 when `maxSurge` is 0"]);
    check(&s("1", "0"), &[]);
    check(
        &s("\"25%\"", "\"110%\""),
        &["maxUnavailable: Invalid value: \"110%\": must not be greater than 100%"],
    );
    check(&s("\"25\"", "1"), &["maxSurge: Invalid value: \"25\": a valid percent string must be a numeric string followed by an ending '%'"]);
    check(
        &s("-1", "1"),
        &["maxSurge: Invalid value: -1: must be greater than or equal to 0"],
    );
    check(
        &deployment_with("  strategy:\n    type: Recreate\n    rollingUpdate: {maxSurge: 1}\n", ""),
        &["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"],
    );
    check(
        &deployment_with("  strategy: {type: BlueGreen}\n", ""),
        &["spec.strategy.type: Unsupported value: \"BlueGreen\""],
    );
    check(
        &deployment_with("  minReadySeconds: 700\n", ""),
        &["spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds"],
    );
}

#[test]
fn workload_requirements() {
    check(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: []\n",
        &["spec.template.spec.containers: Required value"],
    );
    check(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: web}]\n",
        &["spec.template.spec.containers[0].image: Required value"],
    );
    check(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {}\n  template:\n    spec:\n      containers: [{name: web, image: x}]\n",
        &["spec.selector: Invalid value: empty selector is invalid for deployment"],
    );
    check(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: web, image: x}]\n",
        &["metadata.name: Required value"],
    );
    check(
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  podManagementPolicy: Sequential\n  selector: {matchLabels: {app: db}}\n  template:\n    metadata: {labels: {app: db}}\n    spec:\n      containers: [{name: db, image: x}]\n",
        &["spec.podManagementPolicy: Unsupported value: \"Sequential\": supported values: \"OrderedReady\", \"Parallel\""],
    );
    check(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector:\n    matchExpressions: [{key: app, operator: In, values: [web, api]}]\n  template:\n    metadata: {labels: {app: api}}\n    spec:\n      containers: [{name: web, image: x}]\n",
        &[],
    );
}

const HPA: &str = "apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
";

// pkg/apis/autoscaling/validation/validation.go ValidateHorizontalPodAutoscalerSpec.
#[test]
fn hpa_requirements() {
    check(HPA, &["spec.maxReplicas: Required value"]);
    check(
        &format!("{HPA}  maxReplicas: 5\n  minReplicas: 0\n"),
        &["spec.minReplicas: Invalid value: 0: must be greater than or equal to 1"],
    );
    check(
        &format!("{HPA}  maxReplicas: 2\n  minReplicas: 3\n"),
        &["spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`"],
    );
    check(
        "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\nspec:\n  maxReplicas: 3\n",
        &["spec.scaleTargetRef: Required value"],
    );
    check(
        &format!("{HPA}  maxReplicas: 5\n  behavior:\n    scaleUp:\n      policies: [{{type: Percent, value: 0, periodSeconds: 1801}}]\n"),
        &["policies[0].value: Invalid value: 0: must be greater than zero", "policies[0].periodSeconds: Invalid value: 1801"],
    );
}

#[test]
fn rbac_and_service_requirements() {
    check(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: b, namespace: x}\nsubjects: [{kind: User, name: alice}]\n",
        &["roleRef: Required value"],
    );
    check(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: b}\nroleRef: {kind: Role, name: r, apiGroup: rbac.authorization.k8s.io}\nsubjects: [{kind: ServiceAccount, name: s}]\n",
        &["roleRef.kind: Unsupported value: \"Role\"", "subjects[0].namespace: Required value"],
    );
    check(
        "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n",
        &["spec.ports: Required value"],
    );
    check(
        "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  ports: [{port: 80}, {port: 70000, name: b}]\n",
        &[
            "spec.ports[0].name: Required value",
            "spec.ports[1].port: Invalid value: 70000: must be between 1 and 65535, inclusive",
            // targetPort defaults to port before validation, as in the API server.
            "spec.ports[1].targetPort: Invalid value: 70000",
        ],
    );
}

#[test]
fn kinds_and_versions() {
    check(
        "apiVersion: apps/v1\nkind: Deploymnet\nmetadata: {name: x}\n",
        &["2:1: Deploymnet/x: kind: unknown kind \"Deploymnet\" (did you mean `Deployment`?)"],
    );
    check(
        "apiVersion: apps/v1\nkind: deployment\nmetadata: {name: x}\n",
        &["(did you mean `Deployment`?)"],
    );
    check("apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: x}\n", &["apiVersion: extensions/v1beta1 Deployment is no longer served (removed in Kubernetes 1.16) (use `apiVersion: apps/v1`)"]);
    check(
        "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: x}\n",
        &["(use `apiVersion: batch/v1`)"],
    );
    check(
        "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata: {name: x}\n",
        &["removed in Kubernetes 1.25"],
    );
    check(
        "apiVersion: autoscaling/v2beta2\nkind: HorizontalPodAutoscaler\nmetadata: {name: x}\n",
        &["(use `apiVersion: autoscaling/v2`)"],
    );
    check(
        "kind: Deployment\nmetadata: {name: x}\n",
        &["apiVersion: Required value: apiVersion is missing (write `apiVersion: apps/v1`)"],
    );
    check(
        "apiVersion: v1\nkind: null\n",
        &["kind: Required value: kind is missing"],
    );
    check(
        "apiVersion: v1\nkind: [a]\n",
        &["kind must be a string, not a list"],
    );
    let p = parse_str("t.yaml", "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\n");
    assert!(p.problems.is_empty());
    let skipped: Vec<String> = p
        .skipped
        .iter()
        .map(|s| format!("{}:{}/{}", s.line, s.kind, s.name))
        .collect();
    assert_eq!(skipped, ["1:PersistentVolumeClaim/data", "5:Pod/p"]);
}

#[test]
fn bad_input_is_a_problem_never_a_panic() {
    check(
        "- a\n- b\n",
        &["1:1: a manifest must be a mapping with apiVersion and kind, not a list"],
    );
    check("just text\n", &["not a string"]);
    check("a: [1, 2\n", &["YAML syntax error"]);
    check(
        "a: 1\na: 2\n",
        &["2:1: mapping key \"a\" already defined at line 1"],
    );
    check(
        &format!("{}{}", "[".repeat(220), "]".repeat(220)),
        &["nested deeper than 200 levels"],
    );
    check(&"[".repeat(50_000), &["YAML syntax error"]);
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        bomb.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    check(&bomb, &["expands to more than"]);
    check(&"#".repeat(5 * 1024 * 1024), &["larger than 4 MB"]);
    check(
        &format!("{DEPLOYMENT}  replicas: 99999999999999999999\n"),
        &["spec.replicas"],
    );
    check("", &[]);
    check("---\n---\n", &[]);
    // Sizes that would be quadratic with a naive reader stay fast.
    let many: String = (0..100_000).map(|i| format!("  k{i}: v\n")).collect();
    check(
        &format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: a}}\ndata:\n{many}"),
        &[],
    );
    let long = "x".repeat(1_000);
    check(
        &format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: a}}\n{long}: 1\n"),
        &["unknown field"],
    );
    // Documents before a syntax error are kept.
    let p = parse_str("t.yaml", &format!("{DEPLOYMENT}---\nkind: [\n"));
    assert_eq!(p.documents.len(), 1);
    assert_eq!(p.problems.len(), 1);
}

#[test]
fn json_lists_and_locations() {
    let json = r#"{"apiVersion": "v1", "kind": "List", "items": [
	{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}},
	{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "b"}}]}"#;
    let p = parse_str("t.json", json);
    assert!(p.problems.is_empty(), "{:#?}", p.problems);
    let names: Vec<String> = p.objects().map(|o| o.reference()).collect();
    assert_eq!(names, ["ConfigMap/a", "ServiceAccount/b"]);

    let p = parse_str("t.yaml", &format!("{DEPLOYMENT}---\n{DEPLOYMENT}"));
    assert_eq!(p.documents.len(), 2);
    let second = &p.documents[1];
    assert_eq!(second.line, 16);
    assert_eq!(second.index, 1);
    assert_eq!(
        second.locate("spec.template.spec.containers[0].image"),
        Some((29, 11))
    );
    assert_eq!(second.locate("metadata.name"), Some((19, 3)));
    assert_eq!(second.locate("spec.replicas"), None);
    assert_eq!(second.locate_nearest("spec.replicas"), (20, 1));
}

// pkg/apis/apps/v1/defaults_test.go TestSetDefaultDeployment and
// pkg/apis/core/v1/defaults_test.go (pod, container and probe defaults).
#[test]
fn deployment_and_pod_defaults() {
    let Object::Deployment(d) = one(&deployment_with("", "          readinessProbe:\n            httpGet: {port: 8080}\n          ports: [{containerPort: 80}]\n")) else { panic!() };
    let spec = d.spec.unwrap();
    assert_eq!(spec.replicas, Some(1));
    let s = spec.strategy.unwrap();
    assert_eq!(s.type_.as_deref(), Some("RollingUpdate"));
    let ru = s.rolling_update.unwrap();
    use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
    assert_eq!(ru.max_surge, Some(IntOrString::String("25%".into())));
    assert_eq!(ru.max_unavailable, Some(IntOrString::String("25%".into())));
    assert_eq!(spec.revision_history_limit, Some(10));
    assert_eq!(spec.progress_deadline_seconds, Some(600));
    let pod = spec.template.spec.unwrap();
    assert_eq!(pod.restart_policy.as_deref(), Some("Always"));
    assert_eq!(pod.termination_grace_period_seconds, Some(30));
    assert_eq!(pod.dns_policy.as_deref(), Some("ClusterFirst"));
    let c = &pod.containers[0];
    assert_eq!(c.image_pull_policy.as_deref(), Some("IfNotPresent"));
    assert_eq!(
        c.ports.as_ref().unwrap()[0].protocol.as_deref(),
        Some("TCP")
    );
    let probe = c.readiness_probe.as_ref().unwrap();
    assert_eq!(
        (
            probe.period_seconds,
            probe.timeout_seconds,
            probe.success_threshold,
            probe.failure_threshold
        ),
        (Some(10), Some(1), Some(1), Some(3))
    );
    // Written values win over defaults.
    let Object::Deployment(d) = one(&deployment_with(
        "  replicas: 0\n  strategy: {type: Recreate}\n",
        "",
    )) else {
        panic!()
    };
    let spec = d.spec.unwrap();
    assert_eq!(spec.replicas, Some(0));
    assert_eq!(spec.strategy.unwrap().rolling_update, None);
}

// pkg/apis/apps/v1/defaults_test.go TestSetDefaultStatefulSet*.
#[test]
fn statefulset_defaults() {
    let Object::StatefulSet(s) = one("apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  selector: {matchLabels: {app: db}}\n  template:\n    metadata: {labels: {app: db}}\n    spec:\n      containers: [{name: db, image: redis}]\n") else { panic!() };
    let spec = s.spec.unwrap();
    assert_eq!(spec.replicas, Some(1));
    assert_eq!(spec.pod_management_policy.as_deref(), Some("OrderedReady"));
    let u = spec.update_strategy.unwrap();
    assert_eq!(u.type_.as_deref(), Some("RollingUpdate"));
    assert_eq!(u.rolling_update.unwrap().partition, Some(0));
    assert_eq!(spec.revision_history_limit, Some(10));
    let r = spec.persistent_volume_claim_retention_policy.unwrap();
    assert_eq!(
        (r.when_deleted.as_deref(), r.when_scaled.as_deref()),
        (Some("Retain"), Some("Retain"))
    );
    assert_eq!(
        spec.template.spec.unwrap().containers[0]
            .image_pull_policy
            .as_deref(),
        Some("Always")
    );

    // A written type without rollingUpdate keeps rollingUpdate unset.
    let Object::StatefulSet(s) = one("apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  updateStrategy: {type: RollingUpdate}\n  selector: {matchLabels: {app: db}}\n  template:\n    metadata: {labels: {app: db}}\n    spec:\n      containers: [{name: db, image: redis}]\n") else { panic!() };
    assert_eq!(
        s.spec.unwrap().update_strategy.unwrap().rolling_update,
        None
    );
}

// pkg/apis/autoscaling/v2/defaults_test.go TestHorizontalPodAutoscalerAnnotations-style
// cases and TestGenerateScaleUpRules / TestGenerateScaleDownRules.
#[test]
fn hpa_defaults() {
    let hpa = |extra: &str| {
        let Object::HorizontalPodAutoscaler(h) = one(&format!("{HPA}  maxReplicas: 5\n{extra}"))
        else {
            panic!()
        };
        h.spec.unwrap()
    };
    let s = hpa("");
    assert_eq!(s.min_replicas, Some(1));
    let m = &s.metrics.as_ref().unwrap()[0];
    let r = m.resource.as_ref().unwrap();
    assert_eq!(
        (
            m.type_.as_str(),
            r.name.as_str(),
            r.target.average_utilization
        ),
        ("Resource", "cpu", Some(80))
    );
    assert_eq!(
        s.behavior, None,
        "behavior defaults only when behavior is written"
    );

    let s = hpa("  behavior:\n    scaleDown:\n      stabilizationWindowSeconds: 60\n");
    let b = s.behavior.unwrap();
    let up = b.scale_up.unwrap();
    assert_eq!(up.stabilization_window_seconds, Some(0));
    assert_eq!(up.select_policy.as_deref(), Some("Max"));
    let pols: Vec<(String, i32, i32)> = up
        .policies
        .unwrap()
        .into_iter()
        .map(|p| (p.type_, p.value, p.period_seconds))
        .collect();
    assert_eq!(
        pols,
        [
            ("Pods".to_string(), 4, 15),
            ("Percent".to_string(), 100, 15)
        ]
    );
    let down = b.scale_down.unwrap();
    assert_eq!(down.stabilization_window_seconds, Some(60));
    assert_eq!(down.select_policy.as_deref(), Some("Max"));
    assert_eq!(down.policies.unwrap()[0].value, 100);

    let s = hpa("  behavior:\n    scaleUp:\n      selectPolicy: Min\n      policies: [{type: Pods, value: 1, periodSeconds: 60}]\n");
    let b = s.behavior.unwrap();
    let up = b.scale_up.unwrap();
    assert_eq!(up.select_policy.as_deref(), Some("Min"));
    assert_eq!(up.stabilization_window_seconds, Some(0));
    assert_eq!(up.policies.unwrap().len(), 1);
    assert_eq!(b.scale_down.unwrap().stabilization_window_seconds, None);
}

// pkg/apis/core/v1/defaults_test.go TestSetDefaultService*, and batch/v1 TestSetDefaultCronJob / TestSetDefaultJob.
#[test]
fn service_cronjob_and_job_defaults() {
    let Object::Service(s) =
        one("apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  ports: [{port: 80}]\n")
    else {
        panic!()
    };
    let spec = s.spec.unwrap();
    assert_eq!(spec.type_.as_deref(), Some("ClusterIP"));
    let p = &spec.ports.unwrap()[0];
    use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
    assert_eq!(
        (p.protocol.as_deref(), p.target_port.clone()),
        (Some("TCP"), Some(IntOrString::Int(80)))
    );

    let Object::CronJob(c) = one("apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  schedule: \"*/5 * * * *\"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n          containers: [{name: c, image: busybox}]\n") else { panic!() };
    let spec = c.spec.unwrap();
    assert_eq!(spec.concurrency_policy.as_deref(), Some("Allow"));
    assert_eq!(
        (
            spec.successful_jobs_history_limit,
            spec.failed_jobs_history_limit,
            spec.suspend
        ),
        (Some(3), Some(1), Some(false))
    );
    let job = spec.job_template.spec.unwrap();
    assert_eq!(
        (job.completions, job.parallelism, job.backoff_limit),
        (Some(1), Some(1), Some(6))
    );

    let Object::Job(j) = one("apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  parallelism: 3\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: busybox}]\n") else { panic!() };
    let spec = j.spec.unwrap();
    assert_eq!((spec.completions, spec.parallelism), (None, Some(3)));
}

// A cheap stand-in for the fuzz target in CI: every prefix of every fixture
// (cut at char boundaries) reads without a panic.
#[test]
fn truncated_fixtures_never_panic() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/manifest");
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for (i, _) in text.char_indices().step_by(23) {
            let _ = parse_str("t.yaml", &text[..i]);
        }
    }
}
