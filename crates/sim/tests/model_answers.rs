//! The pack's model configurations, run: every configuration that names a
//! scenario, together with the problem's other configurations for the same
//! scenario, meets every requirement of that scenario on the simulated
//! cluster, and `kubeprep check` finds nothing the API server would reject
//! in it. A pack edit that breaks a model answer fails here.

use std::collections::BTreeMap;

use kubeprep_bank::Pack;
use kubeprep_sim::check::{self, Options, Severity};

#[test]
fn every_model_configuration_meets_its_scenario() {
    let pack = Pack::embedded().expect("the built-in pack loads");
    let mut groups: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for problem in &pack.problems {
        for c in &problem.configurations {
            if let Some(id) = &c.scenario {
                groups
                    .entry(id.clone())
                    .or_default()
                    .push((format!("{} / {}", problem.id, c.title), c.yaml.clone()));
            }
        }
    }
    // Every scenario has a model answer that meets it.
    let scenario_ids: Vec<&str> = pack.scenarios.iter().map(|s| s.id.as_str()).collect();
    for id in &scenario_ids {
        assert!(
            groups.contains_key(*id),
            "no configuration meets scenario {id}"
        );
    }
    let mut failures = Vec::new();
    for (id, files) in &groups {
        let scenario = pack.scenario(id).expect("validated");
        let (parsed, findings) = check::run(files, &Options::default());
        for f in findings.iter().filter(|f| f.severity == Severity::Error) {
            failures.push(format!("{id}: {} {}: {}", f.id, f.object, f.message));
        }
        let run = check::scenario::run(scenario, &parsed).expect("scenario runs");
        assert!(run.not_run.is_none(), "{id}: {:?}", run.not_run);
        for r in &run.results {
            if r.passed != Some(true) {
                failures.push(format!("{id}: requirement {} not met: {}", r.id, r.reason));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_seed_manifests_fail_the_requirements_the_design_says_they_fail() {
    let pack = Pack::embedded().expect("the built-in pack loads");
    let fixture = |name: &str| {
        let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        (
            name.to_string(),
            std::fs::read_to_string(&path).expect(&path),
        )
    };
    let verdicts = |scenario: &str, files: &[(String, String)]| {
        let (parsed, _) = check::run(files, &Options::default());
        let run = check::scenario::run(pack.scenario(scenario).unwrap(), &parsed).unwrap();
        run.results
            .iter()
            .map(|r| (r.id.clone(), r.passed))
            .collect::<BTreeMap<_, _>>()
    };

    // The seed's Deployment with the obvious fixes: rollback after a completed
    // rollout takes over 60 s; mid-rollout it is fast.
    let v = verdicts("payment-rollout", &[fixture("rollout/seed-fixed.yaml")]);
    assert_eq!(v["rollback-after-completion"], Some(false), "{v:?}");
    assert_eq!(v["rollback-mid-rollout"], Some(true), "{v:?}");
    assert_eq!(v["zero-downtime"], Some(true), "{v:?}");

    // The seed's pre-scaling CronJob is undone by the HPA before the sale.
    let v = verdicts(
        "flash-sale",
        &[
            fixture("hpa/ecommerce-api.yaml"),
            fixture("hpa/seed-hpa.yaml"),
            fixture("hpa/seed-cronjob-fixed.yaml"),
        ],
    );
    assert_eq!(v["prescale-holds"], Some(false), "{v:?}");
    assert_eq!(v["no-timeouts"], Some(false), "{v:?}");

    // The seed's StatefulSet (labels added): Parallel gives no ordered startup.
    let v = verdicts(
        "redis-cluster",
        &[fixture("statefulset/seed-labelled.yaml")],
    );
    assert_eq!(v["ordered-startup"], Some(false), "{v:?}");

    // The seed's RBAC: only the backend team has a Role; platform-admin is unbound.
    let v = verdicts("multi-team-rbac", &[fixture("rbac/seed.yaml")]);
    assert_eq!(v["platform-admin"], Some(false), "{v:?}");
    assert_eq!(v["no-cross-team-secrets"], Some(true), "{v:?}");
}
