//! `check`'s static findings, end to end through the parser: the seed's
//! manifests (fixtures in `fixtures/seed/`) and equivalent correct answers
//! that every check must accept.
//!
//! Findings are compared by id and object, not by message text, so wording can
//! improve without touching these tables.

use kubeprep_sim::check::{self, Finding, Options, Severity};

fn run(yaml: &str) -> Vec<Finding> {
    run_with(yaml, Options::default())
}

fn run_with(yaml: &str, opts: Options) -> Vec<Finding> {
    check::run(&[("m.yaml".to_string(), yaml.to_string())], &opts).1
}

fn ids(findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .map(|f| format!("{} {}", f.object, f.id))
        .collect()
}

/// `yaml` produces a finding `id` (on `object`) iff `want`.
#[track_caller]
fn check(yaml: &str, object: &str, id: &str, want: bool) {
    let got = run(yaml);
    let has = got.iter().any(|f| f.id == id && f.object == object);
    assert_eq!(
        has,
        want,
        "{object} {id} expected {want}; got:\n{}",
        ids(&got).join("\n")
    );
}

fn seed() -> Vec<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/seed");
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| {
            let name = p.file_name().expect("name").to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).expect("read"))
        })
        .collect();
    files.sort();
    files
}

const WEB: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      automountServiceAccountToken: false
      terminationGracePeriodSeconds: 45
      topologySpreadConstraints:
      - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: web}}}
      containers:
      - name: web
        image: registry.example:5000/web:1.2.3
        ports: [{containerPort: 8080}]
        lifecycle: {preStop: {sleep: {seconds: 10}}}
        readinessProbe: {httpGet: {path: /ready, port: 8080}}
        livenessProbe: {httpGet: {path: /alive, port: 8080}}
        resources:
          requests: {cpu: 250m, memory: 256Mi}
          limits: {memory: 256Mi}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  maxUnavailable: 1
  selector: {matchLabels: {app: web}}
"#;

#[test]
fn a_good_deployment_has_no_warnings_or_errors() {
    let got = run(WEB);
    let bad: Vec<_> = got.iter().filter(|f| f.severity > Severity::Info).collect();
    assert!(bad.is_empty(), "{bad:#?}");
    // maxUnavailable defaults to 25%: 3 replicas -> floor(0.75) = 0 -> no info either.
    assert!(
        !got.iter()
            .any(|f| f.id == "rollout.max-unavailable-nonzero"),
        "{got:#?}"
    );
}

#[test]
fn equivalent_correct_answers_are_accepted() {
    // Spreading: anti-affinity, required or preferred, any node-spreading key; or spread constraints.
    let anti_required = WEB.replace(
        "      topologySpreadConstraints:\n      - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: web}}}\n",
        "      affinity: {podAntiAffinity: {requiredDuringSchedulingIgnoredDuringExecution: [{topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app: web}}}]}}\n",
    );
    assert_ne!(anti_required, WEB);
    check(
        &anti_required,
        "Deployment/web",
        "workload.no-anti-affinity",
        false,
    );
    let anti_preferred = WEB.replace(
        "      topologySpreadConstraints:\n      - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: web}}}\n",
        "      affinity: {podAntiAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 100, podAffinityTerm: {topologyKey: failure-domain.beta.kubernetes.io/zone, labelSelector: {matchExpressions: [{key: app, operator: In, values: [web]}]}}}]}}\n",
    );
    check(
        &anti_preferred,
        "Deployment/web",
        "workload.no-anti-affinity",
        false,
    );
    let zone = WEB.replace("kubernetes.io/hostname", "topology.kubernetes.io/zone");
    check(&zone, "Deployment/web", "workload.no-anti-affinity", false);
    // A spread constraint that selects other Pods spreads nothing of ours.
    let other = WEB.replace(
        "labelSelector: {matchLabels: {app: web}}}",
        "labelSelector: {matchLabels: {app: db}}}",
    );
    check(&other, "Deployment/web", "workload.no-anti-affinity", true);
    // Quantities compare numerically: 512Mi limit == 536870912 request.
    let numeric = WEB.replace(
        "memory: 256Mi}\n          limits: {memory: 256Mi}",
        "memory: 536870912}\n          limits: {memory: 512Mi}",
    );
    assert_ne!(numeric, WEB);
    check(
        &numeric,
        "Deployment/web",
        "container.limit-below-request",
        false,
    );
    let below = WEB.replace("limits: {memory: 256Mi}", "limits: {memory: 255Mi}");
    check(
        &below,
        "Deployment/web",
        "container.limit-below-request",
        true,
    );
    // Digest pinning is pinning.
    let digest = WEB.replace("web:1.2.3", "web@sha256:0123456789abcdef");
    check(&digest, "Deployment/web", "container.image-unpinned", false);
    // A preStop exec that sleeps counts, through sh -c too.
    let exec = WEB.replace(
        "{preStop: {sleep: {seconds: 10}}}",
        "{preStop: {exec: {command: [sh, -c, \"sleep 10 && nginx -s quit\"]}}}",
    );
    check(&exec, "Deployment/web", "rollout.no-prestop", false);
    check(
        &exec,
        "Deployment/web",
        "rollout.grace-shorter-than-prestop",
        false,
    );
    // automountServiceAccountToken: false on the ServiceAccount instead of the Pod.
    let sa = format!(
        "{}\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {{name: default}}\nautomountServiceAccountToken: false\n",
        WEB.replace("      automountServiceAccountToken: false\n", "")
    );
    check(
        &sa,
        "Deployment/web",
        "pod.automount-service-account-token",
        false,
    );
}

#[test]
fn each_check_fires_on_its_own_mistake() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "        readinessProbe: {httpGet: {path: /ready, port: 8080}}\n",
            "",
            "container.no-readiness-probe",
        ),
        (
            "        livenessProbe: {httpGet: {path: /alive, port: 8080}}\n",
            "",
            "container.no-liveness-probe",
        ),
        (
            "{path: /alive, port: 8080}",
            "{path: /ready, port: 8080}",
            "container.liveness-same-as-readiness",
        ),
        (
            "livenessProbe: {httpGet: {path: /alive, port: 8080}}",
            "livenessProbe: {httpGet: {path: /alive, port: 8080}, initialDelaySeconds: 120}",
            "container.startup-probe-advised",
        ),
        ("cpu: 250m, ", "", "container.no-cpu-request"),
        (", memory: 256Mi}", "}", "container.no-memory-request"),
        (
            "          limits: {memory: 256Mi}\n",
            "",
            "container.no-memory-limit",
        ),
        ("web:1.2.3", "web", "container.image-unpinned"),
        ("web:1.2.3", "web:latest", "container.image-unpinned"),
        (
            "memory: 256Mi}\n          limits",
            "memory: lots}\n          limits",
            "container.invalid-quantity",
        ),
        (
            "      automountServiceAccountToken: false\n",
            "",
            "pod.automount-service-account-token",
        ),
        (
            "        lifecycle: {preStop: {sleep: {seconds: 10}}}\n",
            "",
            "rollout.no-prestop",
        ),
        (
            "terminationGracePeriodSeconds: 45",
            "terminationGracePeriodSeconds: 10",
            "rollout.grace-shorter-than-prestop",
        ),
        (
            "  replicas: 3\n",
            "  replicas: 8\n",
            "rollout.max-unavailable-nonzero",
        ),
        (
            "  maxUnavailable: 1\n",
            "  minAvailable: 3\n",
            "pdb.never-satisfiable",
        ),
        (
            "  maxUnavailable: 1\n",
            "  minAvailable: 100%\n",
            "pdb.never-satisfiable",
        ),
        (
            "  maxUnavailable: 1\n",
            "  maxUnavailable: 0\n",
            "pdb.never-satisfiable",
        ),
        (
            "  selector: {matchLabels: {app: web}}\n\"",
            "",
            "pdb.selects-nothing",
        ),
    ];
    for (from, to, id) in cases {
        let object = if id.starts_with("pdb.") {
            "PodDisruptionBudget/web"
        } else {
            "Deployment/web"
        };
        let yaml = WEB.replacen(from, to, 1);
        if id == &"pdb.selects-nothing" {
            let yaml = WEB.replace("  selector: {matchLabels: {app: web}}\n\"", "").replace("kind: PodDisruptionBudget\nmetadata: {name: web}\nspec:\n  maxUnavailable: 1\n  selector: {matchLabels: {app: web}}", "kind: PodDisruptionBudget\nmetadata: {name: web}\nspec:\n  maxUnavailable: 1\n  selector: {matchLabels: {app: webb}}");
            check(&yaml, object, id, true);
            check(&yaml, "Deployment/web", "workload.no-pdb", true);
            continue;
        }
        assert_ne!(yaml, WEB, "case {id}: {from:?} not found");
        check(WEB, object, id, false);
        check(&yaml, object, id, true);
    }
}

#[test]
fn no_prestop_is_an_error_when_the_scenario_asks_for_zero_downtime() {
    let yaml = WEB.replace("        lifecycle: {preStop: {sleep: {seconds: 10}}}\n", "");
    let sev = |opts| {
        run_with(&yaml, opts)
            .into_iter()
            .find(|f| f.id == "rollout.no-prestop")
            .map(|f| f.severity)
    };
    assert_eq!(sev(Options::default()), Some(Severity::Warning));
    assert_eq!(
        sev(Options {
            zero_downtime: true
        }),
        Some(Severity::Error)
    );
}

const HPA: &str = r#"
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: shop}
  minReplicas: 3
  maxReplicas: 30
"#;

const SHOP: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: shop}
spec:
  selector: {matchLabels: {app: shop}}
  template:
    metadata: {labels: {app: shop}}
    spec:
      containers: [{name: shop, image: "shop:1"}]
"#;

#[test]
fn hpa_relations() {
    let both = format!("{HPA}---{SHOP}");
    check(&both, "Deployment/shop", "hpa.replicas-set", false);
    check(
        &both,
        "HorizontalPodAutoscaler/shop",
        "hpa.target-missing",
        false,
    );
    // minReplicas 3 makes the Deployment replicated even with no replicas written.
    check(&both, "Deployment/shop", "workload.no-pdb", true);
    let with_replicas = format!(
        "{HPA}---{}",
        SHOP.replace("spec:\n  selector", "spec:\n  replicas: 3\n  selector")
    );
    check(&with_replicas, "Deployment/shop", "hpa.replicas-set", true);
    check(
        HPA,
        "HorizontalPodAutoscaler/shop",
        "hpa.target-missing",
        true,
    );
    check(SHOP, "Deployment/shop", "workload.no-pdb", false);
}

#[test]
fn cronjob_scaling_an_hpa_target_and_its_service_account() {
    let cron = |command: &str, sa: &str| {
        format!(
            "{HPA}---\napiVersion: batch/v1\nkind: CronJob\nmetadata: {{name: prescale}}\nspec:\n  schedule: \"50 * * * *\"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n{sa}          containers:\n          - name: k\n            image: bitnami/kubectl:1.34\n            command: {command}\n"
        )
    };
    let sa = "          serviceAccountName: prescaler\n";
    let scale = cron("[kubectl, scale, deployment/shop, --replicas=50]", sa);
    check(
        &scale,
        "CronJob/prescale",
        "cronjob.scales-hpa-target",
        true,
    );
    check(
        &scale,
        "CronJob/prescale",
        "cronjob.kubectl-no-service-account",
        false,
    );
    check(&scale, "CronJob/prescale", "job.restart-policy", false);
    check(
        &scale,
        "CronJob/prescale",
        "cronjob.kubectl-image-unpinned",
        false,
    );
    let shell = cron("[sh, -c, \"kubectl scale deploy shop --replicas 50\"]", sa);
    check(
        &shell,
        "CronJob/prescale",
        "cronjob.scales-hpa-target",
        true,
    );
    let other = cron("[kubectl, scale, deployment/other, --replicas=50]", sa);
    check(
        &other,
        "CronJob/prescale",
        "cronjob.scales-hpa-target",
        false,
    );
    let patch = cron(
        "[kubectl, patch, hpa, shop, -p, '{\"spec\":{\"minReplicas\":50}}']",
        sa,
    );
    check(
        &patch,
        "CronJob/prescale",
        "cronjob.scales-hpa-target",
        false,
    );
    let no_sa = cron(
        "[kubectl, patch, hpa, shop, -p, '{\"spec\":{\"minReplicas\":50}}']",
        "",
    );
    check(
        &no_sa,
        "CronJob/prescale",
        "cronjob.kubectl-no-service-account",
        true,
    );
    let default_sa = cron(
        "[kubectl, get, pods]",
        "          serviceAccountName: default\n",
    );
    check(
        &default_sa,
        "CronJob/prescale",
        "cronjob.kubectl-no-service-account",
        true,
    );
}

#[test]
fn service_selectors_must_match_a_pod_template() {
    let svc = |sel: &str| {
        format!("{SHOP}---\napiVersion: v1\nkind: Service\nmetadata: {{name: shop}}\nspec:\n  selector: {sel}\n  ports: [{{port: 80}}]\n")
    };
    check(
        &svc("{app: shop}"),
        "Service/shop",
        "service.selector-matches-nothing",
        false,
    );
    check(
        &svc("{app: shopp}"),
        "Service/shop",
        "service.selector-matches-nothing",
        true,
    );
    check(
        &svc("{app: shop, tier: web}"),
        "Service/shop",
        "service.selector-matches-nothing",
        true,
    );
    // A Service selecting the Pods makes the workload served: it needs a readiness probe.
    check(
        &svc("{app: shop}"),
        "Deployment/shop",
        "container.no-readiness-probe",
        true,
    );
    check(
        SHOP,
        "Deployment/shop",
        "container.no-readiness-probe",
        false,
    );
}

#[test]
fn huge_replica_counts_do_not_overflow() {
    let yaml = WEB
        .replace("replicas: 3", "replicas: 2147483647")
        .replace("maxUnavailable: 1", "minAvailable: 2147483647");
    let got = run(&yaml);
    assert!(
        got.iter().any(|f| f.id == "pdb.never-satisfiable"),
        "{got:#?}"
    );
    let pct = WEB
        .replace("replicas: 3", "replicas: 2147483647")
        .replace("  maxUnavailable: 1\n", "  minAvailable: 100%\n");
    let _ = run(&pct);
}

/// Every finding `check` reports on the seed's manifests, as `file object id severity`.
fn seed_findings() -> Vec<String> {
    check::run(
        &seed(),
        &Options {
            zero_downtime: true,
        },
    )
    .1
    .iter()
    .map(|f| {
        format!(
            "{} {} {} {}",
            f.file.as_deref().unwrap_or(""),
            f.object,
            f.id,
            f.severity.as_str()
        )
    })
    .collect()
}

#[track_caller]
fn seed_has(findings: &[String], line: &str) {
    assert!(
        findings.iter().any(|f| f == line),
        "missing {line:?} in:\n{}",
        findings.join("\n")
    );
}

#[test]
fn the_seed_is_wrong_where_the_design_says() {
    let f = seed_findings();
    let d = "payment-api-deployment.yaml Deployment/payment-api";
    // No preStop and no grace: requests fail while Pods terminate.
    seed_has(&f, &format!("{d} rollout.no-prestop error"));
    let c = "prescale-flash-sale-cronjob.yaml CronJob/prescale-flash-sale";
    // The pre-scale is undone by the HPA minutes later, before the sale.
    seed_has(&f, &format!("{c} cronjob.scales-hpa-target error"));
    // The default ServiceAccount has no RBAC: the kubectl call is forbidden.
    seed_has(&f, &format!("{c} cronjob.kubectl-no-service-account error"));
    // A Job's Pods cannot restart Always: the API server rejects it.
    seed_has(&f, &format!("{c} manifest.invalid error"));
    // bitnami/kubectl without a tag.
    seed_has(&f, &format!("{c} cronjob.kubectl-image-unpinned warning"));
    // The headless Service selects app=redis-cluster, but the Pod template has no labels.
    seed_has(&f, "redis-cluster-headless-service.yaml Service/redis-cluster-headless service.selector-matches-nothing warning");
    // Replicated, no PDB, nothing spreading the six payment Pods.
    seed_has(&f, &format!("{d} workload.no-pdb warning"));
    seed_has(&f, &format!("{d} workload.no-anti-affinity warning"));
    seed_has(&f, &format!("{d} container.no-memory-limit warning"));
    // The HPA's Deployment is not among the seed's manifests.
    seed_has(
        &f,
        "ecommerce-api-hpa.yaml HorizontalPodAutoscaler/ecommerce-api-hpa hpa.target-missing info",
    );
}

#[test]
fn the_seed_deployment_is_rejected_as_the_api_server_rejects_it() {
    let f = seed_findings();
    let d = "payment-api-deployment.yaml Deployment/payment-api";
    // minReadySeconds sits in the Pod template, where it is an unknown field.
    seed_has(&f, &format!("{d} manifest.unknown-field error"));
    // No selector at all.
    seed_has(&f, &format!("{d} manifest.missing-field error"));
    let found = check::run(&seed(), &Options::default()).1;
    let unknown = found
        .iter()
        .find(|x| x.id == "manifest.unknown-field" && x.object == "Deployment/payment-api")
        .expect("unknown field");
    assert_eq!(
        unknown.path.as_deref(),
        Some("spec.template.spec.minReadySeconds")
    );
    assert!(
        unknown.remediation.contains("spec.minReadySeconds"),
        "{}",
        unknown.remediation
    );
}

#[test]
fn every_id_the_checks_emit_is_in_the_rule_catalogue() {
    let mut all = check::run(&seed(), &Options::default()).1;
    all.extend(run(WEB));
    for f in &all {
        assert!(
            check::rules::rule_for(&f.id).is_some(),
            "{} missing from rules::RULES",
            f.id
        );
        assert!(!f.remediation.is_empty() && !f.message.is_empty(), "{f:?}");
    }
    for kind in [
        kubeprep_sim::manifest::ProblemKind::Syntax,
        kubeprep_sim::manifest::ProblemKind::UnknownKind,
        kubeprep_sim::manifest::ProblemKind::UnknownField,
        kubeprep_sim::manifest::ProblemKind::MissingField,
        kubeprep_sim::manifest::ProblemKind::Invalid,
    ] {
        assert!(check::rules::rule_for(check::problems::id(kind)).is_some());
    }
}

/// The whole list, pinned as a readable snapshot: one line per finding with
/// file:line, object, severity, id and field path (review `.snap` diffs like code).
/// The parser's own problems (`manifest.*`) are left out: they are pinned by
/// `the_seed_deployment_is_rejected_as_the_api_server_rejects_it` once parsing is strict.
#[test]
fn seed_findings_snapshot() {
    let lines: Vec<String> = check::run(
        &seed(),
        &Options {
            zero_downtime: true,
        },
    )
    .1
    .iter()
    .filter(|f| !f.id.starts_with("manifest."))
    .map(|f| {
        format!(
            "{}:{} {} {} {} {}",
            f.file.as_deref().unwrap_or("-"),
            f.line.map_or("-".to_string(), |l| l.to_string()),
            f.object,
            f.severity.as_str(),
            f.id,
            f.path.as_deref().unwrap_or("-")
        )
    })
    .collect();
    insta::assert_snapshot!(lines.join("\n"));
}

#[test]
fn documents_are_located_at_their_start() {
    let yaml = format!("{SHOP}---{HPA}");
    let got = run(&yaml);
    let f = got
        .iter()
        .find(|f| f.object.starts_with("HorizontalPodAutoscaler/"))
        .map(|f| f.line);
    assert!(
        got.iter()
            .any(|f| f.object == "Deployment/shop" && f.line == Some(2)),
        "{got:#?}"
    );
    // SHOP's lines, then `---`, then the HPA from the next line.
    let hpa_line = SHOP.lines().count() + 2;
    assert_eq!(f, None, "the HPA finds its target: no finding");
    let alone = format!("{SHOP}---{HPA}")
        .replace("name: shop}\n  minReplicas", "name: gone}\n  minReplicas");
    let got = run(&alone);
    let line = got
        .iter()
        .find(|f| f.id == "hpa.target-missing")
        .and_then(|f| f.line);
    assert_eq!(line, Some(hpa_line), "{got:#?}");
}
