//! Scenario requirements and their verdicts.
//!
//! A requirement names what it measures: a simulator metric compared with a
//! number (`failed_requests == 0`, `rollback_s <= 60` at a given timing) or a
//! set of `kubectl auth can-i` rows with the expected answers. The simulators
//! fill [`Measurements`]; [`evaluate`] turns them into one
//! [`RequirementResult`] per requirement. A requirement whose measurement is
//! absent (its simulator was not run) has no verdict, not a failure.

use std::collections::BTreeMap;
use std::fmt;

/// How a measured number is compared with the expected one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl Comparison {
    /// Whether `measured OP expected` holds.
    pub fn holds(self, measured: f64, expected: f64) -> bool {
        match self {
            Comparison::Eq => measured == expected,
            Comparison::Ne => measured != expected,
            Comparison::Lt => measured < expected,
            Comparison::Le => measured <= expected,
            Comparison::Gt => measured > expected,
            Comparison::Ge => measured >= expected,
        }
    }

    /// The operator as written (`<=`).
    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::Eq => "==",
            Comparison::Ne => "!=",
            Comparison::Lt => "<",
            Comparison::Le => "<=",
            Comparison::Gt => ">",
            Comparison::Ge => ">=",
        }
    }

    /// Reads an operator as written (`==`, `<=`, ...).
    pub fn parse(s: &str) -> Option<Comparison> {
        Some(match s {
            "==" => Comparison::Eq,
            "!=" => Comparison::Ne,
            "<" => Comparison::Lt,
            "<=" => Comparison::Le,
            ">" => Comparison::Gt,
            ">=" => Comparison::Ge,
            _ => return None,
        })
    }
}

/// One `kubectl auth can-i` question and the answer the requirement expects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanI {
    /// The verb, e.g. `get`.
    pub verb: String,
    /// The resource as kubectl takes it, e.g. `secrets` or `deployments.apps`.
    pub resource: String,
    /// The subresource, e.g. `exec`.
    pub subresource: Option<String>,
    /// The namespace (`None` for cluster scope).
    pub namespace: Option<String>,
    /// `--as`.
    pub user: Option<String>,
    /// `--as-group`, each.
    pub groups: Vec<String>,
    /// The expected answer.
    pub expected: bool,
}

impl CanI {
    /// The question as a kubectl command line; also the key in [`Measurements::can_i`].
    pub fn command(&self) -> String {
        let mut s = format!("can-i {} {}", self.verb, self.resource);
        if let Some(sr) = &self.subresource {
            s.push_str(&format!(" --subresource {sr}"));
        }
        if let Some(ns) = &self.namespace {
            s.push_str(&format!(" -n {ns}"));
        }
        if let Some(u) = &self.user {
            s.push_str(&format!(" --as {u}"));
        }
        for g in &self.groups {
            s.push_str(&format!(" --as-group {g}"));
        }
        s
    }
}

/// What a requirement measures.
#[derive(Debug, Clone, PartialEq)]
pub enum Measure {
    /// A simulator metric compared with a number.
    Metric {
        /// The metric, as the simulators name it in their JSON (`failed_requests`).
        metric: String,
        /// A named run of the simulation (`mid-rollout`), when the scenario has several.
        timing: Option<String>,
        /// The comparison.
        op: Comparison,
        /// The number it is compared with.
        value: f64,
    },
    /// RBAC questions, each with its expected answer.
    CanI(Vec<CanI>),
}

impl Measure {
    /// The key of a metric in [`Measurements::values`]: `metric` or `metric@timing`.
    pub fn key(metric: &str, timing: Option<&str>) -> String {
        match timing {
            Some(t) => format!("{metric}@{t}"),
            None => metric.to_string(),
        }
    }
}

/// One requirement of a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Requirement {
    /// Stable id within the scenario, e.g. `no-failed-requests`.
    pub id: String,
    /// The requirement as the problem states it.
    pub text: String,
    /// What it measures.
    pub measure: Measure,
    /// Question key points a met requirement proves, as `question-id/key-point-id`.
    pub proves: Vec<String>,
}

/// What the simulators measured for one scenario.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Measurements {
    /// Metric values by [`Measure::key`]; `None` when the thing measured never
    /// happened (a rollout that never completed has no duration).
    pub values: BTreeMap<String, Option<f64>>,
    /// can-i answers by [`CanI::command`].
    pub can_i: BTreeMap<String, bool>,
}

impl Measurements {
    /// Records a metric (`None`: what it times never happened), optionally for
    /// a named run (`timing`), as the simulators' JSON names it.
    pub fn record(&mut self, metric: &str, timing: Option<&str>, value: Option<f64>) {
        self.values.insert(Measure::key(metric, timing), value);
    }

    /// Records the answer to one can-i question.
    pub fn record_can_i(&mut self, question: &CanI, allowed: bool) {
        self.can_i.insert(question.command(), allowed);
    }
}

/// What was measured for a requirement.
#[derive(Debug, Clone, PartialEq)]
pub enum Measured {
    /// A metric's value.
    Number(f64),
    /// A metric that has no value because what it times never happened.
    Never,
    /// can-i rows answered as expected, out of all rows.
    Rows {
        /// Rows answered as expected.
        matched: usize,
        /// All rows.
        total: usize,
    },
}

impl fmt::Display for Measured {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Measured::Number(n) => write!(f, "{}", trim(*n)),
            Measured::Never => write!(f, "never"),
            Measured::Rows { matched, total } => write!(f, "{matched}/{total} rows"),
        }
    }
}

/// A number without a useless `.0`.
fn trim(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n:.2}")
    }
}

/// The verdict on one requirement.
#[derive(Debug, Clone, PartialEq)]
pub struct RequirementResult {
    /// The requirement's id.
    pub id: String,
    /// Its text.
    pub text: String,
    /// `Some(true)` met, `Some(false)` not met, `None` not simulated.
    pub passed: Option<bool>,
    /// What was measured, when it was.
    pub measured: Option<Measured>,
    /// What was expected, e.g. `rollback_s@mid-rollout <= 60`.
    pub expected: String,
    /// Why it passed or failed, in one sentence.
    pub reason: String,
    /// The key points it proves when met.
    pub proves: Vec<String>,
}

/// Judges every requirement against what was measured (`None`: nothing was simulated).
pub fn evaluate(
    requirements: &[Requirement],
    measured: Option<&Measurements>,
) -> Vec<RequirementResult> {
    requirements.iter().map(|r| judge(r, measured)).collect()
}

fn judge(r: &Requirement, m: Option<&Measurements>) -> RequirementResult {
    let mut out = RequirementResult {
        id: r.id.clone(),
        text: r.text.clone(),
        passed: None,
        measured: None,
        expected: String::new(),
        reason: String::new(),
        proves: r.proves.clone(),
    };
    match &r.measure {
        Measure::Metric {
            metric,
            timing,
            op,
            value,
        } => {
            let key = Measure::key(metric, timing.as_deref());
            out.expected = format!("{key} {} {}", op.symbol(), trim(*value));
            match m.and_then(|m| m.values.get(&key)) {
                None => out.reason = format!("not simulated: no measurement of {key}"),
                Some(None) => {
                    out.passed = Some(false);
                    out.measured = Some(Measured::Never);
                    out.reason = format!("{key} never happened within the simulated time");
                }
                Some(Some(v)) => {
                    let ok = op.holds(*v, *value);
                    out.passed = Some(ok);
                    out.measured = Some(Measured::Number(*v));
                    out.reason = format!(
                        "{key} was {}, {} {} {}",
                        trim(*v),
                        if ok { "which meets" } else { "which breaks" },
                        op.symbol(),
                        trim(*value)
                    );
                }
            }
        }
        Measure::CanI(rows) => {
            out.expected = format!("{} can-i rows answer as expected", rows.len());
            let answers: Option<Vec<Option<bool>>> = m.map(|m| {
                rows.iter()
                    .map(|row| m.can_i.get(&row.command()).copied())
                    .collect()
            });
            match answers {
                Some(a) if !a.is_empty() && a.iter().all(Option::is_some) => {
                    let wrong: Vec<String> = rows
                        .iter()
                        .zip(&a)
                        .filter(|(row, got)| **got != Some(row.expected))
                        .map(|(row, _)| {
                            format!(
                                "`{}` should be {}",
                                row.command(),
                                if row.expected { "yes" } else { "no" }
                            )
                        })
                        .collect();
                    out.measured = Some(Measured::Rows {
                        matched: rows.len() - wrong.len(),
                        total: rows.len(),
                    });
                    out.passed = Some(wrong.is_empty());
                    out.reason = if wrong.is_empty() {
                        "every can-i row answers as expected".into()
                    } else {
                        wrong.join("; ")
                    };
                }
                _ => out.reason = "not simulated: the RBAC answers were not computed".into(),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metric(metric: &str, timing: Option<&str>, op: Comparison, value: f64) -> Requirement {
        Requirement {
            id: "r".into(),
            text: "t".into(),
            measure: Measure::Metric {
                metric: metric.into(),
                timing: timing.map(str::to_string),
                op,
                value,
            },
            proves: vec![],
        }
    }

    #[track_caller]
    fn check(
        r: Requirement,
        values: &[(&str, Option<f64>)],
        passed: Option<bool>,
        reason_contains: &str,
    ) {
        let m = Measurements {
            values: values.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            can_i: BTreeMap::new(),
        };
        let got = evaluate(std::slice::from_ref(&r), Some(&m)).remove(0);
        assert_eq!(got.passed, passed, "{got:?}");
        assert!(
            got.reason.contains(reason_contains),
            "{:?} should contain {reason_contains:?}",
            got.reason
        );
    }

    #[test]
    fn recorded_metrics_are_found_by_their_key() {
        let mut m = Measurements::default();
        m.record("rollback_s", Some("after-completion"), Some(95.0));
        m.record("duration_s", None, None);
        assert_eq!(
            m.values.get("rollback_s@after-completion"),
            Some(&Some(95.0))
        );
        assert_eq!(m.values.get("duration_s"), Some(&None));
    }

    #[test]
    fn metrics_pass_fail_or_are_not_simulated() {
        check(
            metric("failed_requests", None, Comparison::Eq, 0.0),
            &[("failed_requests", Some(0.0))],
            Some(true),
            "failed_requests was 0, which meets == 0",
        );
        check(
            metric("failed_requests", None, Comparison::Eq, 0.0),
            &[("failed_requests", Some(37.0))],
            Some(false),
            "was 37, which breaks",
        );
        check(
            metric("rollback_s", Some("after-completion"), Comparison::Le, 60.0),
            &[("rollback_s@after-completion", Some(115.5))],
            Some(false),
            "115.50",
        );
        check(
            metric("rollback_s", Some("mid-rollout"), Comparison::Le, 60.0),
            &[("rollback_s@mid-rollout", Some(60.0))],
            Some(true),
            "meets",
        );
        check(
            metric("rollback_s", Some("mid-rollout"), Comparison::Le, 60.0),
            &[("rollback_s@mid-rollout", None)],
            Some(false),
            "never happened",
        );
        check(
            metric("rollback_s", Some("mid-rollout"), Comparison::Le, 60.0),
            &[("rollback_s", Some(1.0))],
            None,
            "not simulated",
        );
        check(
            metric("min_available", None, Comparison::Ge, 6.0),
            &[("min_available", Some(5.0))],
            Some(false),
            "breaks >= 6",
        );
    }

    #[test]
    fn can_i_rows_pass_only_when_every_row_answers_as_expected() {
        let row = |verb: &str, ns: &str, group: &str, expected: bool| CanI {
            verb: verb.into(),
            resource: "secrets".into(),
            subresource: None,
            namespace: Some(ns.into()),
            user: Some("dev".into()),
            groups: vec![group.into()],
            expected,
        };
        let rows = vec![
            row("get", "frontend-team", "backend-team", false),
            row("get", "backend-team", "backend-team", true),
        ];
        let r = Requirement {
            id: "no-cross-team-secrets".into(),
            text: "t".into(),
            measure: Measure::CanI(rows.clone()),
            proves: vec![],
        };
        let mut m = Measurements::default();
        assert_eq!(evaluate(std::slice::from_ref(&r), Some(&m))[0].passed, None);
        m.record_can_i(&rows[0], false);
        assert_eq!(
            evaluate(std::slice::from_ref(&r), Some(&m))[0].passed,
            None,
            "a missing row is not a verdict"
        );
        m.can_i.insert(rows[1].command(), true);
        let ok = evaluate(std::slice::from_ref(&r), Some(&m)).remove(0);
        assert_eq!(ok.passed, Some(true));
        assert_eq!(
            ok.measured,
            Some(Measured::Rows {
                matched: 2,
                total: 2
            })
        );
        m.can_i.insert(rows[0].command(), true);
        let bad = evaluate(std::slice::from_ref(&r), Some(&m)).remove(0);
        assert_eq!(bad.passed, Some(false));
        assert!(
            bad.reason.contains(
                "can-i get secrets -n frontend-team --as dev --as-group backend-team` should be no"
            ),
            "{}",
            bad.reason
        );
    }
}
