//! CronJobs in the HPA simulation: when each fires (its `schedule`,
//! `timeZone` and `suspend`, through the `croner` crate) and what its
//! container's command does. Understood: `kubectl scale deployment/X
//! --replicas=N` (also `deploy/X`, `deployment X`, `--replicas N`) and
//! `kubectl patch hpa X -p '{"spec":{"minReplicas":N}}'` (merge, strategic
//! or JSON patch; `--patch`; `maxReplicas` too), directly or through
//! `sh -c "..."`. Anything else is reported as not understood.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use k8s_openapi::api::batch::v1::CronJob;

/// The most firings taken from one CronJob within a simulation.
const MAX_FIRINGS: usize = 10_000;

/// What a CronJob's container does to the simulated cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// `kubectl scale deployment/NAME --replicas=N`.
    Scale {
        /// The Deployment.
        deployment: String,
        /// The new `spec.replicas`.
        replicas: i32,
    },
    /// `kubectl patch hpa NAME` setting minReplicas and/or maxReplicas.
    PatchHpa {
        /// The HPA.
        hpa: String,
        /// New `spec.minReplicas`, if set.
        min: Option<i32>,
        /// New `spec.maxReplicas`, if set.
        max: Option<i32>,
    },
}

/// A CronJob as the simulation uses it.
#[derive(Debug, Clone)]
pub struct ScheduledJob {
    /// `metadata.name`.
    pub name: String,
    /// `spec.schedule`.
    pub schedule: String,
    /// The zone the schedule is read in.
    pub zone: Tz,
    /// `spec.suspend`.
    pub suspend: bool,
    /// What each run does, in order (a script may hold several commands).
    pub actions: Vec<Action>,
    /// Commands that were not understood, as written.
    pub not_understood: Vec<String>,
    cron: croner::Cron,
}

/// A problem with a CronJob that stops the simulation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("CronJob {name}: {message}")]
pub struct CronError {
    /// The CronJob.
    pub name: String,
    /// What is wrong.
    pub message: String,
}

impl ScheduledJob {
    /// Reads a CronJob; `default_zone` applies when it sets no `timeZone`
    /// (the controller manager's local zone, here the simulation clock's zone).
    pub fn from_cronjob(cj: &CronJob, default_zone: Tz) -> Result<ScheduledJob, CronError> {
        let name = cj.metadata.name.clone().unwrap_or_default();
        let fail = |message: String| CronError {
            name: name.clone(),
            message,
        };
        let spec = cj.spec.as_ref().ok_or_else(|| fail("has no spec".into()))?;
        let zone = match spec.time_zone.as_deref() {
            None => default_zone,
            Some(z) => Tz::from_str(z).map_err(|_| {
                fail(format!(
                    "unknown timeZone {z:?}; use an IANA name like Europe/Berlin"
                ))
            })?,
        };
        let schedule = spec.schedule.trim().to_string();
        if schedule.contains("TZ=") {
            return Err(fail(
                "a TZ= prefix in the schedule is not allowed; use spec.timeZone".into(),
            ));
        }
        let cron = croner::Cron::from_str(&schedule)
            .map_err(|e| fail(format!("schedule {schedule:?} does not parse ({e}); use five fields: minute hour day month weekday")))?;
        let mut actions = Vec::new();
        let mut not_understood = Vec::new();
        let containers = spec
            .job_template
            .spec
            .as_ref()
            .and_then(|j| j.template.spec.as_ref())
            .map(|p| p.containers.as_slice())
            .unwrap_or_default();
        for c in containers {
            let mut argv: Vec<String> = c.command.clone().unwrap_or_default();
            argv.extend(c.args.clone().unwrap_or_default());
            for cmd in commands(&argv) {
                match interpret(&cmd) {
                    Some(a) => actions.push(a),
                    None => not_understood.push(cmd.join(" ")),
                }
            }
        }
        Ok(ScheduledJob {
            name,
            schedule,
            zone,
            suspend: spec.suspend.unwrap_or(false),
            actions,
            not_understood,
            cron,
        })
    }

    /// The firing times in `[from, until)`, at most a fixed number; none when suspended.
    pub fn firings(&self, from: DateTime<Utc>, until: DateTime<Utc>) -> Vec<DateTime<Utc>> {
        let mut out = Vec::new();
        if self.suspend {
            return out;
        }
        let mut at = from.with_timezone(&self.zone);
        let mut inclusive = true;
        while out.len() < MAX_FIRINGS {
            let Ok(next) = self.cron.find_next_occurrence(&at, inclusive) else {
                break;
            };
            let utc = next.with_timezone(&Utc);
            if utc >= until {
                break;
            }
            out.push(utc);
            at = next;
            inclusive = false;
        }
        out
    }
}

/// Splits a container's argv into commands: `sh -c SCRIPT` is split into
/// words and at `&&`, `;`, `||` and newlines.
fn commands(argv: &[String]) -> Vec<Vec<String>> {
    let shells = ["sh", "/bin/sh", "bash", "/bin/bash", "/usr/bin/env"];
    if argv.len() >= 3 && shells.contains(&argv[0].as_str()) && argv[1] == "-c" {
        return split_script(&argv[2]);
    }
    if argv.is_empty() {
        return vec![];
    }
    vec![argv.to_vec()]
}

fn split_script(script: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = script.chars().peekable();
    let flush = |words: &mut Vec<String>, out: &mut Vec<Vec<String>>| {
        if !words.is_empty() {
            out.push(std::mem::take(words));
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for d in chars.by_ref() {
                    if d == '\'' {
                        break;
                    }
                    word.push(d);
                }
            }
            '"' => {
                in_word = true;
                while let Some(d) = chars.next() {
                    match d {
                        '"' => break,
                        '\\' => {
                            if let Some(e) = chars.next() {
                                word.push(e);
                            }
                        }
                        _ => word.push(d),
                    }
                }
            }
            '\\' => {
                if let Some(e) = chars.next() {
                    if e != '\n' {
                        word.push(e);
                        in_word = true;
                    }
                }
            }
            ';' | '\n' | '&' | '|' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
                flush(&mut words, &mut out);
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    flush(&mut words, &mut out);
    out
}

/// Splits `--flag=value`, returning (flag, Some(value)).
fn flag(arg: &str) -> (&str, Option<&str>) {
    match arg.split_once('=') {
        Some((f, v)) if f.starts_with('-') => (f, Some(v)),
        _ => (arg, None),
    }
}

/// Interprets one command; None when it is not one the simulation models.
pub fn interpret(argv: &[String]) -> Option<Action> {
    let first = argv.first()?;
    if !(first == "kubectl" || first.ends_with("/kubectl")) {
        return None;
    }
    // Positional words and flags with values.
    let mut positional: Vec<&str> = Vec::new();
    let mut flags: Vec<(&str, &str)> = Vec::new();
    let takes_value = [
        "-n",
        "--namespace",
        "--replicas",
        "-p",
        "--patch",
        "--type",
        "--context",
        "--kubeconfig",
        "-l",
        "--selector",
        "--current-replicas",
        "--timeout",
        "-o",
        "--output",
    ];
    let mut i = 1;
    while i < argv.len() {
        let a = argv[i].as_str();
        if a.starts_with('-') {
            let (f, v) = flag(a);
            match v {
                Some(v) => flags.push((f, v)),
                None if takes_value.contains(&f) => {
                    flags.push((f, argv.get(i + 1).map(String::as_str).unwrap_or("")));
                    i += 1;
                }
                None => flags.push((f, "")),
            }
        } else {
            positional.push(a);
        }
        i += 1;
    }
    let get = |names: &[&str]| {
        flags
            .iter()
            .rev()
            .find(|(f, _)| names.contains(f))
            .map(|(_, v)| *v)
    };
    let target = |kinds: &[&str]| -> Option<String> {
        let (kind, name) = match positional.get(1)?.split_once('/') {
            Some((k, n)) => (k, n.to_string()),
            None => (*positional.get(1)?, positional.get(2)?.to_string()),
        };
        let kind = kind.split('.').next().unwrap_or(kind);
        kinds
            .contains(&kind)
            .then_some(name)
            .filter(|n| !n.is_empty())
    };
    match *positional.first()? {
        "scale" => {
            let deployment = target(&["deployment", "deployments", "deploy"])?;
            let replicas = get(&["--replicas"])?
                .parse()
                .ok()
                .filter(|r: &i32| *r >= 0)?;
            Some(Action::Scale {
                deployment,
                replicas,
            })
        }
        "patch" => {
            let hpa = target(&["hpa", "horizontalpodautoscaler", "horizontalpodautoscalers"])?;
            let patch: serde_json::Value = serde_json::from_str(get(&["-p", "--patch"])?).ok()?;
            let int = |v: &serde_json::Value| {
                v.as_i64()
                    .and_then(|n| i32::try_from(n).ok())
                    .filter(|n| *n >= 0)
            };
            let (mut min, mut max) = (None, None);
            if let Some(ops) = patch.as_array() {
                for op in ops {
                    let path = op.get("path").and_then(|p| p.as_str()).unwrap_or("");
                    let verb = op.get("op").and_then(|p| p.as_str()).unwrap_or("");
                    if verb != "replace" && verb != "add" {
                        return None;
                    }
                    match path {
                        "/spec/minReplicas" => min = Some(int(op.get("value")?)?),
                        "/spec/maxReplicas" => max = Some(int(op.get("value")?)?),
                        _ => return None,
                    }
                }
            } else {
                let spec = patch.get("spec")?.as_object()?;
                for (k, v) in spec {
                    match k.as_str() {
                        "minReplicas" => min = Some(int(v)?),
                        "maxReplicas" => max = Some(int(v)?),
                        _ => return None,
                    }
                }
            }
            (min.is_some() || max.is_some()).then_some(Action::PatchHpa { hpa, min, max })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(argv: &[&str], expected: Option<Action>) {
        let argv: Vec<String> = argv.iter().map(|s| s.to_string()).collect();
        let cmds = commands(&argv);
        assert_eq!(cmds.len(), 1, "{cmds:?}");
        assert_eq!(interpret(&cmds[0]), expected, "{argv:?}");
    }

    fn scale(d: &str, r: i32) -> Option<Action> {
        Some(Action::Scale {
            deployment: d.into(),
            replicas: r,
        })
    }
    fn min(h: &str, n: i32) -> Option<Action> {
        Some(Action::PatchHpa {
            hpa: h.into(),
            min: Some(n),
            max: None,
        })
    }

    #[test]
    fn kubectl_commands() {
        check(
            &[
                "kubectl",
                "scale",
                "deployment/ecommerce-api",
                "--replicas=50",
            ],
            scale("ecommerce-api", 50),
        );
        check(
            &["kubectl", "scale", "deploy/api", "--replicas", "7"],
            scale("api", 7),
        );
        check(
            &[
                "kubectl",
                "-n",
                "shop",
                "scale",
                "deployment",
                "api",
                "--replicas=3",
            ],
            scale("api", 3),
        );
        check(
            &[
                "/usr/local/bin/kubectl",
                "scale",
                "deployments.apps/api",
                "--replicas=3",
            ],
            scale("api", 3),
        );
        check(
            &["sh", "-c", "kubectl scale deployment/api --replicas=9"],
            scale("api", 9),
        );
        check(
            &[
                "kubectl",
                "patch",
                "hpa/ecommerce-api-hpa",
                "--type=merge",
                "-p",
                r#"{"spec":{"minReplicas":60}}"#,
            ],
            min("ecommerce-api-hpa", 60),
        );
        check(
            &[
                "kubectl",
                "patch",
                "hpa",
                "h",
                "--patch",
                r#"{"spec":{"minReplicas":5}}"#,
            ],
            min("h", 5),
        );
        check(
            &[
                "kubectl",
                "patch",
                "horizontalpodautoscaler/h",
                "--type",
                "json",
                "-p",
                r#"[{"op":"replace","path":"/spec/minReplicas","value":60}]"#,
            ],
            min("h", 60),
        );
        check(
            &[
                "sh",
                "-c",
                r#"kubectl patch hpa h -p '{"spec":{"minReplicas":60,"maxReplicas":120}}'"#,
            ],
            Some(Action::PatchHpa {
                hpa: "h".into(),
                min: Some(60),
                max: Some(120),
            }),
        );
        // not understood
        check(
            &["kubectl", "scale", "statefulset/db", "--replicas=3"],
            None,
        );
        check(&["kubectl", "scale", "deployment/api"], None);
        check(
            &[
                "kubectl",
                "patch",
                "hpa",
                "h",
                "-p",
                r#"{"spec":{"metrics":[]}}"#,
            ],
            None,
        );
        check(&["kubectl", "rollout", "restart", "deployment/api"], None);
        check(&["curl", "http://x"], None);
    }

    #[test]
    fn scripts_split_into_commands() {
        let argv: Vec<String> = ["/bin/sh", "-c", "echo start && kubectl scale deploy/a --replicas=2; kubectl patch hpa h -p \"{\\\"spec\\\":{\\\"minReplicas\\\":3}}\""]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let got: Vec<_> = commands(&argv).iter().map(|c| interpret(c)).collect();
        assert_eq!(got, vec![None, scale("a", 2), min("h", 3)]);
    }

    fn cronjob(schedule: &str, tz: Option<&str>, suspend: bool) -> CronJob {
        let yaml = format!(
            "metadata: {{name: j}}\nspec:\n  schedule: {schedule:?}\n{}  suspend: {suspend}\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n          - name: c\n            image: k\n            command: [kubectl, scale, deployment/api, --replicas=50]\n",
            tz.map(|z| format!("  timeZone: {z}\n")).unwrap_or_default()
        );
        serde_norway::from_str(&yaml).expect("cronjob yaml")
    }

    #[test]
    fn firings_honour_time_zone_and_suspend() {
        let start: DateTime<Utc> = "2026-11-28T11:00:00Z".parse().expect("time");
        let end: DateTime<Utc> = "2026-11-28T15:00:00Z".parse().expect("time");
        let j =
            ScheduledJob::from_cronjob(&cronjob("50 * * * *", None, false), Tz::UTC).expect("ok");
        let got: Vec<String> = j
            .firings(start, end)
            .iter()
            .map(|t| t.format("%H:%M").to_string())
            .collect();
        assert_eq!(got, vec!["11:50", "12:50", "13:50", "14:50"]);
        assert_eq!(
            j.actions,
            vec![Action::Scale {
                deployment: "api".into(),
                replicas: 50
            }]
        );
        // 13:00 in Berlin is 12:00 UTC in November.
        let j = ScheduledJob::from_cronjob(
            &cronjob("0 13 28 11 *", Some("Europe/Berlin"), false),
            Tz::UTC,
        )
        .expect("ok");
        let got: Vec<String> = j
            .firings(start, end)
            .iter()
            .map(|t| t.format("%H:%M").to_string())
            .collect();
        assert_eq!(got, vec!["12:00"]);
        let j =
            ScheduledJob::from_cronjob(&cronjob("50 * * * *", None, true), Tz::UTC).expect("ok");
        assert!(j.firings(start, end).is_empty());
        let e = ScheduledJob::from_cronjob(&cronjob("61 * * * *", None, false), Tz::UTC)
            .expect_err("bad minute");
        assert!(
            e.to_string()
                .starts_with("CronJob j: schedule \"61 * * * *\" does not parse"),
            "{e}"
        );
        let e =
            ScheduledJob::from_cronjob(&cronjob("0 * * * *", Some("Mars/Base"), false), Tz::UTC)
                .expect_err("bad zone");
        assert_eq!(
            e.to_string(),
            "CronJob j: unknown timeZone \"Mars/Base\"; use an IANA name like Europe/Berlin"
        );
    }
}
