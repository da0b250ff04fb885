//! Scenarios: reading a requirement's measure and checking every scenario
//! against the pack (known problem, questions and key points; measures that
//! name a metric of the scenario's simulator and a timing it defines).
//!
//! Judging requirements is the simulator's business (`kubeprep-sim`'s
//! `check::requirement`); this module only makes sure the data is sound.

use std::collections::{BTreeMap, HashSet};

use crate::error::PackError;
use crate::schema::{Scenario, METRICS};
use crate::Pack;

/// A requirement's measure, read.
#[derive(Debug, Clone, PartialEq)]
pub enum Measure {
    /// `METRIC[@TIMING] OP NUMBER`.
    Metric {
        /// The metric, e.g. `rollback_s`.
        metric: String,
        /// The timing, e.g. `mid-rollout`.
        timing: Option<String>,
        /// The operator as written: `==`, `!=`, `<`, `<=`, `>`, `>=`.
        op: String,
        /// The number.
        value: f64,
    },
    /// `can_i`: the requirement's `can_i` rows.
    CanI,
}

/// Reads a measure, e.g. `rollback_s@mid-rollout <= 60`.
pub fn parse_measure(text: &str) -> Result<Measure, String> {
    let t = text.trim();
    if t == "can_i" {
        return Ok(Measure::CanI);
    }
    let words: Vec<&str> = t.split_whitespace().collect();
    let [lhs, op, value] = words.as_slice() else {
        return Err(format!(
            "`{t}` is not a measure; write `METRIC[@TIMING] OP NUMBER` (e.g. `failed_requests == 0`) or `can_i`"
        ));
    };
    if !matches!(*op, "==" | "!=" | "<" | "<=" | ">" | ">=") {
        return Err(format!(
            "`{op}` is not a comparison; use ==, !=, <, <=, > or >="
        ));
    }
    let value: f64 = value
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
        .ok_or_else(|| format!("`{value}` is not a number"))?;
    let (metric, timing) = match lhs.split_once('@') {
        Some((m, t)) => (m.to_string(), Some(t.to_string())),
        None => (lhs.to_string(), None),
    };
    Ok(Measure::Metric {
        metric,
        timing,
        op: op.to_string(),
        value,
    })
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .map_or(0, |i| i + 1)
}

/// Checks every scenario against the pack; returns the valid ones.
pub(crate) fn validate(
    pack: &Pack,
    scenarios: Vec<(String, Scenario)>,
    texts: &BTreeMap<String, String>,
    errors: &mut Vec<PackError>,
) -> Vec<Scenario> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (file, s) in scenarios {
        let text = texts.get(&file).map(String::as_str).unwrap_or("");
        let before = errors.len();
        let mut err = |anchor: &str, path: String, reason: String| {
            errors.push(PackError::Invalid {
                file: file.clone(),
                line: line_of(text, anchor),
                path,
                reason,
            });
        };
        if !seen.insert(s.id.clone()) {
            err(
                &format!("id: {}", s.id),
                "id".into(),
                format!(
                    "duplicate scenario id `{}`; ids must be unique across the pack",
                    s.id
                ),
            );
        }
        if s.id.is_empty()
            || !s
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            err(
                "id:",
                "id".into(),
                "scenario ids are kebab-case: lower-case letters, digits and `-`".into(),
            );
        }
        if !pack.problems.iter().any(|p| p.id == s.problem) {
            err(
                "problem:",
                "problem".into(),
                format!("`{}` is not a problem id in questions/", s.problem),
            );
        }
        for (i, q) in s.questions.iter().enumerate() {
            if pack.question(q).is_none() {
                err(
                    q,
                    format!("questions[{i}]"),
                    format!("`{q}` is not a question in this pack"),
                );
            }
        }
        let sim = &s.simulation;
        let kinds: Vec<&str> = [
            ("rollout", sim.rollout.is_some()),
            ("hpa", sim.hpa.is_some()),
            ("statefulset", sim.statefulset.is_some()),
            ("rbac", sim.rbac.is_some()),
        ]
        .into_iter()
        .filter_map(|(k, on)| on.then_some(k))
        .collect();
        if kinds.len() != 1 {
            err(
                "simulation:",
                "simulation".into(),
                "give exactly one of `rollout`, `hpa`, `statefulset`, `rbac`".into(),
            );
        }
        let kind = kinds.first().copied().unwrap_or("");
        let metrics: &[&str] = METRICS
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or(&[], |(_, m)| m);
        let timings: Vec<&str> = sim
            .rollout
            .iter()
            .flat_map(|r| r.rollbacks.iter().map(|t| t.id.as_str()))
            .collect();
        if let Some(r) = &sim.rollout {
            for (i, t) in r.rollbacks.iter().enumerate() {
                let set = [
                    t.at_s.is_some(),
                    t.after_complete_s.is_some(),
                    t.at_progress.is_some(),
                ]
                .iter()
                .filter(|b| **b)
                .count();
                if set != 1 {
                    err(
                        &format!("id: {}", t.id),
                        format!("simulation.rollout.rollbacks[{i}]"),
                        "give exactly one of `at_s`, `after_complete_s`, `at_progress`".into(),
                    );
                }
            }
        }
        if s.requirements.is_empty() {
            err(
                "requirements:",
                "requirements".into(),
                "a scenario needs at least one requirement".into(),
            );
        }
        let mut rids = HashSet::new();
        for (i, r) in s.requirements.iter().enumerate() {
            let rp = format!("requirements[{i}]");
            let anchor = format!("id: {}", r.id);
            if !rids.insert(r.id.as_str()) {
                err(
                    &anchor,
                    format!("{rp}.id"),
                    format!("duplicate requirement id `{}`", r.id),
                );
            }
            match parse_measure(&r.measure) {
                Err(reason) => err(&r.measure, format!("{rp}.measure"), reason),
                Ok(Measure::CanI) => {
                    if kind != "rbac" {
                        err(
                            &r.measure,
                            format!("{rp}.measure"),
                            "`can_i` needs `simulation.rbac`".into(),
                        );
                    }
                    if r.can_i.is_empty() {
                        err(
                            &anchor,
                            format!("{rp}.can_i"),
                            "`measure: can_i` needs at least one `can_i` row".into(),
                        );
                    }
                }
                Ok(Measure::Metric { metric, timing, .. }) => {
                    if !r.can_i.is_empty() {
                        err(
                            &anchor,
                            format!("{rp}.can_i"),
                            "`can_i` rows need `measure: can_i`".into(),
                        );
                    }
                    if !metrics.contains(&metric.as_str()) {
                        err(&r.measure, format!("{rp}.measure"), format!("`{metric}` is not a metric of the {kind} simulation; use one of: {}", metrics.join(", ")));
                    }
                    if let Some(t) = timing {
                        if !timings.contains(&t.as_str()) {
                            err(
                                &r.measure,
                                format!("{rp}.measure"),
                                format!(
                                    "timing `{t}` is not defined in `simulation.rollout.rollbacks`"
                                ),
                            );
                        }
                    }
                }
            }
            for (j, p) in r.proves.iter().enumerate() {
                let ok = p.split_once('/').is_some_and(|(q, k)| {
                    pack.question(q)
                        .is_some_and(|q| q.key_points.iter().any(|kp| kp.id == k))
                });
                if !ok {
                    err(
                        p,
                        format!("{rp}.proves[{j}]"),
                        format!(
                            "`{p}` is not `question-id/key-point-id` of a key point in this pack"
                        ),
                    );
                }
            }
        }
        if errors.len() == before {
            out.push(s);
        }
    }
    // Configurations that claim to meet a scenario must name one that exists.
    for problem in &pack.problems {
        for (i, c) in problem.configurations.iter().enumerate() {
            if let Some(id) = &c.scenario {
                let known = out.iter().chain(&pack.scenarios).any(|s| &s.id == id);
                if !known {
                    errors.push(PackError::Invalid {
                        file: format!("questions ({})", problem.id),
                        line: 0,
                        path: format!("problem.configurations[{i}].scenario"),
                        reason: format!("unknown scenario `{id}`; use an id from scenarios/"),
                    });
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(text: &str, want: Result<(&str, Option<&str>, &str, f64), &str>) {
        let got = parse_measure(text);
        match want {
            Ok((m, t, op, v)) => assert_eq!(
                got,
                Ok(Measure::Metric {
                    metric: m.into(),
                    timing: t.map(str::to_string),
                    op: op.into(),
                    value: v
                })
            ),
            Err(contains) => {
                let e = got.expect_err(text);
                assert!(e.contains(contains), "{e:?} should contain {contains:?}");
            }
        }
    }

    #[test]
    fn measures_read_metric_timing_operator_and_number() {
        check(
            "failed_requests == 0",
            Ok(("failed_requests", None, "==", 0.0)),
        );
        check(
            "  rollback_s@mid-rollout <= 60 ",
            Ok(("rollback_s", Some("mid-rollout"), "<=", 60.0)),
        );
        check("min_available >= 6", Ok(("min_available", None, ">=", 6.0)));
        check("min_available => 6", Err("not a comparison"));
        check("min_available >= six", Err("not a number"));
        check("min_available >= inf", Err("not a number"));
        check("failed_requests", Err("not a measure"));
        assert_eq!(parse_measure("can_i"), Ok(Measure::CanI));
    }
}

#[cfg(test)]
mod pack_tests {
    use super::*;

    #[test]
    fn the_embedded_pack_has_the_four_scenarios() {
        let pack = Pack::embedded().unwrap_or_else(|e| panic!("{e}"));
        for id in [
            "payment-rollout",
            "flash-sale",
            "redis-cluster",
            "multi-team-rbac",
        ] {
            let s = pack.scenario(id).unwrap_or_else(|| panic!("scenario {id}"));
            assert!(!s.requirements.is_empty(), "{id}");
        }
        let p = pack.scenario("payment-rollout").expect("payment-rollout");
        let r = p.simulation.rollout.as_ref().expect("rollout");
        assert_eq!(r.replicas, 6);
        assert_eq!(
            r.rollbacks
                .iter()
                .map(|t| t.id.as_str())
                .collect::<Vec<_>>(),
            ["mid-rollout", "after-completion"]
        );
        assert_eq!(r.rollbacks[1].after_complete_s, Some(120.0));
        let f = pack.scenario("flash-sale").expect("flash-sale");
        let h = f.simulation.hpa.as_ref().expect("hpa");
        assert_eq!(
            h.traffic,
            "1000 for 60m, ramp to 10000 over 60s, 10000 for 30m, 1000 for 10m"
        );
        assert_eq!(h.pod_capacity_rps, 200.0);
        assert_eq!(pack.suggest_scenario("flash-sales"), Some("flash-sale"));
        assert_eq!(pack.suggest_scenario("zzz"), None);
    }

    #[track_caller]
    fn check(yaml: &str, want: &[&str]) {
        let pack = Pack::embedded().unwrap_or_else(|e| panic!("{e}"));
        let s: Scenario = serde_norway::from_str(yaml).unwrap_or_else(|e| panic!("{e}"));
        let texts: BTreeMap<String, String> =
            [("scenarios/x.yaml".to_string(), yaml.to_string())].into();
        let mut errors = Vec::new();
        let ok = validate(
            &pack,
            vec![("scenarios/x.yaml".into(), s)],
            &texts,
            &mut errors,
        );
        let got: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(got, want, "{got:#?}");
        assert_eq!(ok.len(), usize::from(want.is_empty()));
    }

    const GOOD: &str = "id: x\ntitle: t\nproblem: payment-rollout\nquestions: [rollout-zero-downtime]\ndescription: d\nsimulation:\n  rollout:\n    replicas: 6\n    rps: 100\n    to_image: a:2\n    rollbacks:\n    - {id: mid, text: t, at_progress: 0.5}\nrequirements:\n- id: r\n  text: t\n  measure: rollback_s@mid <= 60\n  proves: [rollout-zero-downtime/rollout-undo]\n";

    #[test]
    fn scenario_errors_name_file_line_path_and_reason() {
        check(GOOD, &[]);
        check(
            &GOOD.replace("problem: payment-rollout", "problem: nope"),
            &["scenarios/x.yaml:3: problem: `nope` is not a problem id in questions/"],
        );
        check(&GOOD.replace("rollback_s@mid", "rollback_s@late"), &["scenarios/x.yaml:16: requirements[0].measure: timing `late` is not defined in `simulation.rollout.rollbacks`"]);
        check(&GOOD.replace("rollback_s@mid", "dropped_requests"), &["scenarios/x.yaml:16: requirements[0].measure: `dropped_requests` is not a metric of the rollout simulation; use one of: duration_s, min_available, max_pods, requests_total, failed_requests, rollback_s, progress_deadline_exceeded"]);
        check(&GOOD.replace("rollout-undo]", "rollout-und]"), &["scenarios/x.yaml:17: requirements[0].proves[0]: `rollout-zero-downtime/rollout-und` is not `question-id/key-point-id` of a key point in this pack"]);
        check(&GOOD.replace("at_progress: 0.5", "at_progress: 0.5, at_s: 3"), &["scenarios/x.yaml:12: simulation.rollout.rollbacks[0]: give exactly one of `at_s`, `after_complete_s`, `at_progress`"]);
        check(&GOOD.replace("measure: rollback_s@mid <= 60", "measure: can_i"), &["scenarios/x.yaml:16: requirements[0].measure: `can_i` needs `simulation.rbac`", "scenarios/x.yaml:14: requirements[0].can_i: `measure: can_i` needs at least one `can_i` row"]);
    }

    #[test]
    fn unknown_fields_are_refused() {
        let e =
            serde_norway::from_str::<Scenario>(&GOOD.replace("rps: 100", "rps: 100\n    rpz: 1"))
                .expect_err("unknown field");
        assert!(e.to_string().contains("unknown field `rpz`"), "{e}");
    }
}
