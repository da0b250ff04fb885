//! `kubeprep check` end to end: the seed's manifests, the text, JSON and SARIF
//! outputs (JSON decoded into a test-local copy of the wire schema, SARIF
//! checked for the fields SARIF 2.1.0 requires), scenarios and exit codes.

mod util;

use serde::Deserialize;
use util::Kubeprep;

const SEED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../sim/tests/fixtures/seed/");

/// Copies seed fixtures into the test's directory so file names print short.
fn with_seed(k: &Kubeprep, names: &[&str]) {
    for n in names {
        std::fs::copy(format!("{SEED}{n}"), k.dir.path().join(n)).expect("copy fixture");
    }
}

fn write(k: &Kubeprep, name: &str, text: &[u8]) {
    std::fs::write(k.dir.path().join(name), text).expect("write");
}

const FLASH: &[&str] = &["ecommerce-api-hpa.yaml", "prescale-flash-sale-cronjob.yaml"];

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct Report {
    files: Vec<String>,
    findings: Vec<Finding>,
    summary: Summary,
    scenario: Option<Scenario>,
    failed: bool,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct Finding {
    id: String,
    severity: String,
    object: String,
    file: Option<String>,
    line: Option<usize>,
    path: Option<String>,
    message: String,
    remediation: String,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct Summary {
    errors: usize,
    warnings: usize,
    infos: usize,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct Scenario {
    id: String,
    title: String,
    requirements: Vec<Requirement>,
    notes: Vec<String>,
    not_simulated: Option<String>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct Requirement {
    number: usize,
    id: String,
    text: String,
    passed: Option<bool>,
    measured: Option<serde_json::Value>,
    expected: String,
    reason: String,
    proves: Vec<String>,
}

#[test]
fn the_seed_flash_sale_cronjob_is_an_error_with_its_fix() {
    let k = Kubeprep::new();
    with_seed(&k, FLASH);
    let r = k.run(&["check", "-f", FLASH[0], "-f", FLASH[1]], b"");
    r.assert_code(1);
    for want in [
        "CronJob/prescale-flash-sale (prescale-flash-sale-cronjob.yaml:1)",
        "  error   cronjob.scales-hpa-target  spec.jobTemplate.spec.template.spec.containers[0].command",
        "fix: raise the HPA's floor instead: `kubectl patch hpa ecommerce-api-hpa -p '{\"spec\":{\"minReplicas\":50}}'`",
        "  error   cronjob.kubectl-no-service-account",
        "  error   manifest.invalid  spec.jobTemplate.spec.template.spec.restartPolicy",
        "  warning cronjob.kubectl-image-unpinned",
        "  info    hpa.target-missing",
        "3 errors, 4 warnings, 1 info in 2 objects (2 files checked)",
    ] {
        assert!(r.stdout.contains(want), "missing {want:?} in:\n{}", r.stdout);
    }
    assert!(!r.stdout.contains("\x1b["), "no colour off a terminal");
}

#[test]
fn a_small_report_reads_exactly_like_this() {
    let k = Kubeprep::new();
    write(&k, "svc.yaml", b"apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n");
    let r = k.run(&["check", "-f", "svc.yaml"], b"");
    r.assert_code(0);
    assert_eq!(
        r.stdout,
        "Service/web (svc.yaml:1)\n  \
         warning service.selector-matches-nothing  spec.selector\n          \
         the selector `app: web` matches no Pod template in the files: the Service would have no endpoints\n          \
         fix: make `spec.selector` a subset of the workload's `spec.template.metadata.labels` (or add those labels to the template)\n\
         \n\
         0 errors, 1 warning, 0 infos in 1 object (1 file checked)\n"
    );
}

#[test]
fn json_output_has_the_pinned_shape() {
    let k = Kubeprep::new();
    with_seed(&k, FLASH);
    let r = k.run(
        &[
            "check",
            "-f",
            FLASH[0],
            "-f",
            FLASH[1],
            "--scenario",
            "flash-sale",
            "-o",
            "json",
        ],
        b"",
    );
    r.assert_code(1);
    let rep: Report = serde_json::from_str(&r.stdout).expect("wire shape");
    assert_eq!(rep.files, FLASH);
    assert!(rep.failed);
    assert_eq!(
        (rep.summary.errors, rep.summary.warnings, rep.summary.infos),
        (3, 4, 1)
    );
    assert_eq!(rep.findings.len(), 8);
    let f = rep
        .findings
        .iter()
        .find(|f| f.id == "cronjob.scales-hpa-target")
        .expect("finding");
    assert_eq!(f.severity, "error");
    assert_eq!(f.object, "CronJob/prescale-flash-sale");
    assert_eq!(f.file.as_deref(), Some("prescale-flash-sale-cronjob.yaml"));
    assert_eq!(f.line, Some(1));
    assert_eq!(
        f.path.as_deref(),
        Some("spec.jobTemplate.spec.template.spec.containers[0].command")
    );
    assert!(f.message.contains("--replicas=50") && f.remediation.contains("minReplicas"));
    let s = rep.scenario.expect("scenario");
    assert_eq!(s.id, "flash-sale");
    assert!(!s.title.is_empty());
    let ids: Vec<&str> = s.requirements.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["no-timeouts", "capacity-in-time", "prescale-holds"]);
    for (i, q) in s.requirements.iter().enumerate() {
        assert_eq!(q.number, i + 1);
        assert!(!q.text.is_empty() && !q.proves.is_empty());
        // Until the simulators are wired, requirements are not judged.
        assert_eq!(q.passed, None);
        assert_eq!(q.measured, None);
        assert!(q.reason.starts_with("not simulated"), "{}", q.reason);
    }
    assert_eq!(s.requirements[0].expected, "dropped_requests == 0");
}

#[test]
fn sarif_output_has_what_sarif_2_1_0_requires() {
    let k = Kubeprep::new();
    with_seed(&k, FLASH);
    let r = k.run(
        &["check", "-f", FLASH[0], "-f", FLASH[1], "--output", "sarif"],
        b"",
    );
    r.assert_code(1);
    let log: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    // sarifLog: version and runs are required; version is exactly "2.1.0".
    assert_eq!(log["version"], "2.1.0");
    assert!(log["$schema"]
        .as_str()
        .is_some_and(|s| s.contains("sarif-2.1.0")));
    let runs = log["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1);
    // run.tool.driver.name is required.
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "kubeprep");
    let rules = driver["rules"].as_array().expect("rules");
    for rule in rules {
        // reportingDescriptor: id is required.
        assert!(
            rule["id"].as_str().is_some_and(|s| s.contains('.')),
            "{rule}"
        );
        assert!(
            rule["help"]["text"].as_str().is_some_and(|s| !s.is_empty()),
            "{rule}"
        );
        assert!(rule["shortDescription"]["text"].is_string(), "{rule}");
    }
    let results = runs[0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 8);
    for res in results {
        // result: message (with text) is required; ruleIndex must point at the rule with ruleId.
        assert!(
            res["message"]["text"]
                .as_str()
                .is_some_and(|s| !s.is_empty()),
            "{res}"
        );
        let i = res["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[i]["id"], res["ruleId"]);
        assert!(
            ["error", "warning", "note"].contains(&res["level"].as_str().unwrap_or("")),
            "{res}"
        );
        let loc = &res["locations"][0]["physicalLocation"];
        assert!(
            loc["artifactLocation"]["uri"]
                .as_str()
                .is_some_and(|s| s.ends_with(".yaml")),
            "{res}"
        );
        assert!(
            loc["region"]["startLine"].as_u64().is_some_and(|l| l >= 1),
            "{res}"
        );
    }
    let scale = results
        .iter()
        .find(|r| r["ruleId"] == "cronjob.scales-hpa-target")
        .expect("result");
    assert_eq!(scale["level"], "error");
    assert_eq!(
        scale["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "prescale-flash-sale-cronjob.yaml"
    );
    let info = results
        .iter()
        .find(|r| r["ruleId"] == "hpa.target-missing")
        .expect("result");
    assert_eq!(info["level"], "note");
}

#[test]
fn the_seed_payment_deployment_fails_the_zero_downtime_scenario_statically() {
    let k = Kubeprep::new();
    with_seed(&k, &["payment-api-deployment.yaml"]);
    let plain = k.run(&["check", "-f", "payment-api-deployment.yaml"], b"");
    // Without a scenario, a missing preStop is a warning.
    assert!(
        plain.stdout.contains("  warning rollout.no-prestop"),
        "{}",
        plain.stdout
    );
    let r = k.run(
        &[
            "check",
            "-f",
            "payment-api-deployment.yaml",
            "--scenario",
            "payment-rollout",
        ],
        b"",
    );
    r.assert_code(1);
    assert!(
        r.stdout.contains("  error   rollout.no-prestop"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("Scenario payment-rollout: "),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("  SKIP 4. rollback-after-completion: "),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("requirements: 0 passed, 0 failed, 4 not simulated"),
        "{}",
        r.stdout
    );
}

#[test]
fn the_seed_deployment_reports_its_rejected_fields() {
    let k = Kubeprep::new();
    with_seed(&k, &["payment-api-deployment.yaml"]);
    let r = k.run(
        &["check", "-f", "payment-api-deployment.yaml", "-o", "json"],
        b"",
    );
    r.assert_code(1);
    let rep: Report = serde_json::from_str(&r.stdout).expect("wire shape");
    let unknown = rep
        .findings
        .iter()
        .find(|f| f.id == "manifest.unknown-field")
        .expect("unknown field");
    assert_eq!(
        unknown.path.as_deref(),
        Some("spec.template.spec.minReadySeconds")
    );
    assert!(unknown.remediation.contains("spec.minReadySeconds"));
    assert!(rep
        .findings
        .iter()
        .any(|f| f.id == "manifest.missing-field" && f.path.as_deref() == Some("spec.selector")));
}

#[test]
fn a_correct_answer_passes() {
    let k = Kubeprep::new();
    write(&k, "web.yaml", br#"
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
      topologySpreadConstraints:
      - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: web}}}
      containers:
      - name: web
        image: web@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945
        lifecycle: {preStop: {exec: {command: [sleep, "5"]}}}
        readinessProbe: {httpGet: {path: /ready, port: 8080}}
        livenessProbe: {httpGet: {path: /alive, port: 8080}}
        resources: {requests: {cpu: 250m, memory: "536870912"}, limits: {memory: 512Mi}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec: {minAvailable: 2, selector: {matchLabels: {app: web}}}
"#);
    let r = k.run(&["check", "-f", "web.yaml", "--output", "json"], b"");
    r.assert_code(0);
    let rep: Report = serde_json::from_str(&r.stdout).expect("wire shape");
    assert!(rep.findings.is_empty(), "{:#?}", rep.findings);
    assert!(!rep.failed);
}

#[test]
fn scenarios_are_listed() {
    let k = Kubeprep::new();
    let r = k.run(&["check", "--list-scenarios"], b"");
    r.assert_code(0);
    for id in [
        "payment-rollout",
        "flash-sale",
        "redis-cluster",
        "multi-team-rbac",
    ] {
        assert!(
            r.stdout.lines().any(|l| l.starts_with(id)),
            "{id} in:\n{}",
            r.stdout
        );
    }
    let j = k.run(&["check", "--list-scenarios", "-o", "json"], b"");
    j.assert_code(0);
    let v: serde_json::Value = serde_json::from_str(&j.stdout).expect("json");
    assert_eq!(v.as_array().map(Vec::len), Some(4));
}

#[test]
fn bad_usage_and_bad_input_exit_2_with_one_line() {
    let k = Kubeprep::new();
    write(
        &k,
        "ok.yaml",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
    );
    k.run(
        &["check", "-f", "ok.yaml", "--scenario", "flash-sales"],
        b"",
    )
    .assert_code(2)
    .assert_one_line_error("unknown scenario `flash-sales` (did you mean `flash-sale`?)");
    k.run(&["check", "-f", "ok.yaml", "--scenario", "zzz"], b"")
        .assert_code(2)
        .assert_one_line_error("--list-scenarios");
    k.run(&["check", "-f", "missing.yaml"], b"")
        .assert_code(2)
        .assert_one_line_error("cannot read missing.yaml");
    write(&k, "latin1.yaml", b"kind: \xff\n");
    k.run(&["check", "-f", "latin1.yaml"], b"")
        .assert_code(2)
        .assert_one_line_error("not valid UTF-8");
    write(&k, "broken.yaml", b"apiVersion: v1\nkind: [Service\n");
    k.run(&["check", "-f", "broken.yaml"], b"")
        .assert_code(2)
        .assert_one_line_error("broken.yaml:");
    write(
        &k,
        "ingress.yaml",
        b"apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i}\n",
    );
    // A real kind kubeprep does not simulate is skipped with a notice, not refused.
    let r = k.run(&["check", "-f", "ingress.yaml"], b"");
    r.assert_code(0);
    assert!(r.stdout.contains("Ingress/i skipped"), "{}", r.stdout);
    write(
        &k,
        "typo.yaml",
        b"apiVersion: apps/v1\nkind: Deploymnet\nmetadata: {name: d}\n",
    );
    k.run(&["check", "-f", "typo.yaml"], b"")
        .assert_code(2)
        .assert_one_line_error("Deployment");
    let bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\nh: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n";
    write(&k, "bomb.yaml", bomb.as_bytes());
    let r = k.run(&["check", "-f", "bomb.yaml"], b"");
    r.assert_code(2);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    let r = k.run(&["check", "-f", "ok.yaml", "--output", "yaml"], b"");
    r.assert_code(2);
}

#[test]
fn stdin_is_read_with_a_dash() {
    let k = Kubeprep::new();
    let r = k.run(
        &["check", "-f", "-"],
        b"apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {selector: {app: x}, ports: [{port: 80}]}\n",
    );
    r.assert_code(0);
    assert!(r.stdout.contains("Service/s (-:1)"), "{}", r.stdout);
}

#[test]
fn the_committed_scenario_schema_is_what_bank_schema_prints() {
    let k = Kubeprep::new();
    let r = k.run(&["bank", "schema", "scenario"], b"");
    r.assert_code(0);
    let committed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../packs/scenario.schema.json"
    ))
    .expect("packs/scenario.schema.json");
    assert_eq!(
        r.stdout, committed,
        "regenerate: kubeprep bank schema scenario > packs/scenario.schema.json"
    );
}

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../sim/tests/fixtures/");

#[test]
fn a_scenario_is_simulated_and_each_requirement_judged_with_its_number() {
    let k = Kubeprep::new();
    let deploy = format!("{FIXTURES}rollout/pack-corrected.yaml");
    let r = k.run(
        &[
            "check",
            "-f",
            &deploy,
            "--scenario",
            "payment-rollout",
            "--output",
            "json",
        ],
        b"",
    );
    // maxSurge 2 with minReadySeconds 30: rollback after completion is over 60 s.
    r.assert_code(1);
    let rep: Report = serde_json::from_str(&r.stdout).expect("wire shape");
    let sc = rep.scenario.expect("scenario");
    assert!(sc.not_simulated.is_none(), "{:?}", sc.not_simulated);
    let by_id = |id: &str| sc.requirements.iter().find(|q| q.id == id).expect(id);
    assert_eq!(by_id("zero-downtime").passed, Some(true));
    assert_eq!(by_id("no-failed-requests").passed, Some(true));
    assert_eq!(by_id("rollback-mid-rollout").passed, Some(true));
    let late = by_id("rollback-after-completion");
    assert_eq!(late.passed, Some(false));
    let secs = late
        .measured
        .as_ref()
        .and_then(|m| m.as_f64())
        .expect("a number");
    assert!(secs > 60.0, "{secs}");
    assert!(rep.failed);
    assert!(
        sc.notes
            .iter()
            .any(|n| n.contains("Rollback after-completion")),
        "{:?}",
        sc.notes
    );

    // The seed's HPA and CronJob: the pre-scale is gone when the sale starts.
    let r = k.run(
        &[
            "check",
            "-f",
            &format!("{FIXTURES}hpa/ecommerce-api.yaml"),
            "-f",
            &format!("{FIXTURES}hpa/seed-hpa.yaml"),
            "-f",
            &format!("{FIXTURES}hpa/seed-cronjob-fixed.yaml"),
            "--scenario",
            "flash-sale",
        ],
        b"",
    );
    r.assert_code(1);
    assert!(r.stdout.contains("FAIL 3. prescale-holds"), "{}", r.stdout);
    assert!(
        r.stdout.contains("kubectl scale → 50 replicas"),
        "{}",
        r.stdout
    );
}
