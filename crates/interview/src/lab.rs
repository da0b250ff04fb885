//! A hands-on lab session and its score: what the candidate did in the
//! simulated broken cluster (kubectl lines from the built-in shell, HTTP
//! requests from `lab serve`, hints, diagnoses), the path that shows — which
//! checks a systematic investigator makes, and whether they came before the
//! first change — and the [`LabScorecard`] with its terminal, Markdown and
//! JSON renderings.
//!
//! Pure: no I/O, no clock, and no world. The caller owns the lab world, feeds
//! every action here with the world's simulated time, and hands over the
//! world's verdict on the fix (`World::fault_fixed`) when the lab ends; a fix
//! is judged by state, never by words. The diagnosis is graded by the same
//! [`Grader`] as interview answers, against the fault's rubric from the pack
//! (`labs/*.yaml`).
//!
//! # Scoring
//!
//! Overall = diagnosis 40 + fix 30 + path 30, less the interview's hint
//! penalty (10 %, 25 %, 45 %, 70 % after 1–4 hints):
//!
//! - **Diagnosis** (40): the grader's 0–100 score of the last `diagnose`
//!   against the fault's rubric, scaled. It is what an interviewer cares
//!   about most: knowing why, in words.
//! - **Fix** (30): all or nothing, from the world's state.
//! - **Path** (30): the checks that lead to this fault (the pack's
//!   `evidence`), each full marks when made before the first change and half
//!   after it (looking after a guess is still looking). A change before any
//!   of them is flagged as a guess.
//!
//! Commands and simulated time are reported, not scored: a careful path takes
//! a few more commands, and that should not cost.

use std::fmt::Write as _;

use kubeprep_bank::{Lab, LabCheck, LabFault, Pack};
use kubeprep_grade::{Assessment, GradeError, Grader, Level};
use serde::Serialize;

use crate::flow;
use crate::report::md;
use crate::sanitize::sanitize;

/// Points the diagnosis can earn.
pub const DIAGNOSIS_POINTS: f32 = 40.0;
/// Points the fix earns.
pub const FIX_POINTS: f32 = 30.0;
/// Points the path can earn.
pub const PATH_POINTS: f32 = 30.0;
/// Share of a check's credit when it was made only after the first change.
const AFTER_CHANGE_CREDIT: f32 = 0.5;

/// One thing the candidate did to the cluster, classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// What was run, as given (candidate text: sanitise before showing).
    pub text: String,
    /// The checks it makes.
    pub checks: Vec<LabCheck>,
    /// Whether it changes the cluster (patch, apply, set, delete, ...).
    pub change: bool,
}

/// Interactive shells a debug Pod is usually opened with.
const SHELLS: &[&str] = &["sh", "bash", "ash", "/bin/sh", "/bin/bash", "/bin/ash"];
/// Programs that test DNS or a connection from inside the cluster.
const NET_TOOLS: &[&str] = &[
    "nslookup",
    "nc",
    "ncat",
    "netcat",
    "wget",
    "curl",
    "ping",
    "telnet",
    "dig",
    "host",
    "psql",
    "pg_isready",
    "redis-cli",
];
/// Programs that show a container's configuration from inside.
const ENV_TOOLS: &[&str] = &["env", "printenv", "cat"];
/// kubectl flags that take a value as the next word.
const VALUE_FLAGS: &[&str] = &[
    "-n",
    "--namespace",
    "-o",
    "--output",
    "-l",
    "--selector",
    "-c",
    "--container",
    "--tail",
    "-p",
    "--patch",
    "--type",
    "--image",
    "-f",
    "--filename",
    "--field-selector",
    "--sort-by",
    "--since",
    "--target",
    "--limits",
    "--requests",
    "--replicas",
];

/// The lab's kinds, as kubectl spells them in any form.
fn kind_of(word: &str) -> &str {
    let w = word.to_ascii_lowercase();
    let w = w.split('.').next().unwrap_or("");
    match w {
        "po" | "pod" | "pods" => "pod",
        "svc" | "service" | "services" => "service",
        "ep" | "endpoints" | "endpoint" | "endpointslice" | "endpointslices" => "endpoints",
        "deploy" | "deployment" | "deployments" => "deployment",
        "rs" | "replicaset" | "replicasets" => "replicaset",
        "cm" | "configmap" | "configmaps" => "configmap",
        "secret" | "secrets" => "secret",
        "netpol" | "networkpolicy" | "networkpolicies" => "networkpolicy",
        "ev" | "event" | "events" => "event",
        _ => "other",
    }
}

fn push(checks: &mut Vec<LabCheck>, c: LabCheck) {
    if !checks.contains(&c) {
        checks.push(c);
    }
}

/// What a command run inside the cluster checks (`nslookup postgres`, `env`).
fn inside_checks(words: &[&str], checks: &mut Vec<LabCheck>) {
    for w in words.iter().flat_map(|w| w.split_whitespace()) {
        let w = w.trim_matches(['"', '\'', ';', '(', ')']);
        let prog = w.rsplit('/').next().unwrap_or(w);
        if NET_TOOLS.contains(&prog) {
            push(checks, LabCheck::Connectivity);
        }
        if ENV_TOOLS.contains(&prog) {
            push(checks, LabCheck::Config);
        }
    }
}

impl Step {
    /// Classifies a kubectl command line split into words (with or without
    /// the leading `kubectl`): `describe pod X` describes the Pod; `logs X
    /// --previous` reads the crashed run; `get events`, `get endpoints`,
    /// `get cm|secret`, `get deploy X -o yaml`, `set env … --list`, `get
    /// netpol` make their checks; `run`/`exec`/`debug` with nslookup, nc,
    /// wget (or an interactive shell) test from inside; patch, apply, edit,
    /// create, replace, delete, label, annotate, scale, set, rollout
    /// restart|undo are changes.
    pub fn from_kubectl(args: &[&str]) -> Step {
        let text = args.join(" ");
        let args = match args.first() {
            Some(&"kubectl" | &"k") => &args[1..],
            _ => args,
        };
        let (before, inside) = match args.iter().position(|a| *a == "--") {
            Some(i) => (&args[..i], &args[i + 1..]),
            None => (args, &args[args.len()..]),
        };
        let mut words = Vec::new();
        let mut flags = Vec::new();
        let mut skip = false;
        for a in before {
            if skip {
                skip = false;
                flags.push(*a);
                continue;
            }
            if a.starts_with('-') {
                flags.push(*a);
                skip = VALUE_FLAGS.contains(a);
            } else {
                words.push(*a);
            }
        }
        let output = flags.iter().enumerate().find_map(|(i, f)| {
            if *f == "-o" || *f == "--output" {
                flags.get(i + 1).copied()
            } else {
                f.strip_prefix("--output=")
                    .or_else(|| f.strip_prefix("-o="))
                    .or_else(|| f.strip_prefix("-o").filter(|r| !r.is_empty()))
            }
        });
        let detailed = matches!(output, Some(o) if o.starts_with("yaml") || o.starts_with("json"));
        let mut checks = Vec::new();
        let mut change = false;
        let verb = words.first().copied().unwrap_or("");
        // `get svc,ep`, `get deploy/api`, `describe pod api-1`.
        let kinds: Vec<&str> = words
            .get(1)
            .map(|w| {
                w.split(',')
                    .map(|k| kind_of(k.split('/').next().unwrap_or(k)))
                    .collect()
            })
            .unwrap_or_default();
        match verb {
            "get" | "describe" => {
                let describe = verb == "describe";
                for k in kinds {
                    match k {
                        "pod" if describe => {
                            push(&mut checks, LabCheck::DescribePod);
                            push(&mut checks, LabCheck::Events);
                        }
                        "pod" if detailed => push(&mut checks, LabCheck::Config),
                        "event" => push(&mut checks, LabCheck::Events),
                        "endpoints" => push(&mut checks, LabCheck::Endpoints),
                        "service" if describe => push(&mut checks, LabCheck::Endpoints),
                        "configmap" | "secret" => push(&mut checks, LabCheck::Config),
                        "deployment" | "replicaset" if describe || detailed => {
                            push(&mut checks, LabCheck::Config)
                        }
                        "networkpolicy" => push(&mut checks, LabCheck::NetworkPolicies),
                        _ => {}
                    }
                }
            }
            "events" => push(&mut checks, LabCheck::Events),
            "logs" | "log" => {
                let previous = flags
                    .iter()
                    .any(|f| matches!(*f, "-p" | "--previous" | "--previous=true" | "-p=true"));
                if previous {
                    push(&mut checks, LabCheck::PreviousLogs);
                }
            }
            "set" if words.get(1) == Some(&"env") && flags.contains(&"--list") => {
                push(&mut checks, LabCheck::Config)
            }
            "run" | "exec" | "debug" => {
                inside_checks(inside, &mut checks);
                let interactive = flags.iter().any(|f| {
                    matches!(*f, "-i" | "-it" | "-ti" | "--stdin" | "--tty" | "-t")
                        || f.starts_with("--stdin=")
                });
                let shell = inside.is_empty() || inside.iter().any(|w| SHELLS.contains(w));
                if interactive && shell {
                    // A shell inside the cluster is where nslookup and nc are run.
                    push(&mut checks, LabCheck::Connectivity);
                }
            }
            "patch" | "edit" | "apply" | "create" | "replace" | "delete" | "label" | "annotate"
            | "scale" | "set" | "autoscale" | "expose" | "cordon" | "drain" | "taint" => {
                change = true
            }
            "rollout" => {
                change = matches!(
                    words.get(1).copied(),
                    Some("restart" | "undo" | "pause" | "resume")
                )
            }
            _ => {}
        }
        Step {
            text,
            checks,
            change,
        }
    }

    /// Classifies a command line as typed (quotes group words, as in a shell).
    pub fn from_line(line: &str) -> Step {
        let words = shell_words(line);
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        let mut step = Step::from_kubectl(&words);
        step.text = line.trim().to_string();
        step
    }

    /// Classifies a line typed in a shell inside the cluster (a debug Pod's
    /// `nslookup postgres`, `nc -zv postgres 5432`, `env`).
    pub fn from_inside(line: &str) -> Step {
        let words: Vec<&str> = line.split_whitespace().collect();
        let mut checks = Vec::new();
        inside_checks(&words, &mut checks);
        Step {
            text: line.trim().to_string(),
            checks,
            change: false,
        }
    }

    /// Classifies a Kubernetes API request from `lab serve` (method, URL
    /// path, raw query). Discovery and OpenAPI requests are not candidate
    /// actions: `None`.
    ///
    /// `GET …/pods/X/log?previous=true` reads the crashed run; events
    /// filtered by `involvedObject` are what `kubectl describe` fetches (the
    /// Pod's describe, and its events); `endpoints`/`endpointslices`,
    /// `configmaps`/`secrets` (and one Deployment or ReplicaSet by name),
    /// `networkpolicies` make their checks; `POST …/exec|attach`, creating a
    /// Pod and adding an ephemeral container test from inside; any other
    /// `POST`, `PUT`, `PATCH` or `DELETE` is a change.
    pub fn from_api(method: &str, path: &str, query: &str) -> Option<Step> {
        let method = method.to_ascii_uppercase();
        let text = if query.is_empty() {
            format!("{method} {path}")
        } else {
            format!("{method} {path}?{query}")
        };
        let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
        let rest: &[&str] = match segs.as_slice() {
            ["api", _version, rest @ ..] => rest,
            ["apis", _group, _version, rest @ ..] => rest,
            _ => return None,
        };
        let rest = match rest {
            ["namespaces", _ns, rest @ ..] if !rest.is_empty() => rest,
            // Discovery (`/api/v1`, `/apis/apps/v1`) and a namespace itself.
            [] | ["namespaces", ..] => return None,
            rest => rest,
        };
        let resource = rest[0];
        let name = rest.get(1).copied();
        let sub = rest.get(2).copied();
        let params = query_pairs(query);
        let param = |k: &str| {
            params
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        let mut checks = Vec::new();
        let mut change = false;
        let read = matches!(method.as_str(), "GET" | "HEAD" | "LIST" | "WATCH");
        // exec and attach: POST (SPDY) or GET (a WebSocket upgrade, kubectl 1.30+).
        if resource == "pods" && name.is_some() && matches!(sub, Some("exec" | "attach")) {
            let command: Vec<&str> = params
                .iter()
                .filter(|(k, _)| k == "command")
                .map(|(_, v)| v.as_str())
                .collect();
            inside_checks(&command, &mut checks);
            if command.is_empty() || command.iter().any(|c| SHELLS.contains(c)) {
                push(&mut checks, LabCheck::Connectivity);
            }
        } else if read {
            match (resource, name, sub) {
                ("pods", Some(_), Some("log")) => {
                    if matches!(param("previous"), Some("true" | "1")) {
                        push(&mut checks, LabCheck::PreviousLogs);
                    }
                }
                ("events", None, _) => {
                    if param("fieldSelector").is_some_and(|f| f.contains("involvedObject")) {
                        push(&mut checks, LabCheck::DescribePod);
                    }
                    push(&mut checks, LabCheck::Events);
                }
                ("endpoints" | "endpointslices", ..) => push(&mut checks, LabCheck::Endpoints),
                ("configmaps" | "secrets", ..) => push(&mut checks, LabCheck::Config),
                ("deployments" | "replicasets", Some(_), None) => {
                    push(&mut checks, LabCheck::Config)
                }
                ("networkpolicies", ..) => push(&mut checks, LabCheck::NetworkPolicies),
                _ => {}
            }
        } else {
            match (method.as_str(), resource, name, sub) {
                ("PATCH", "pods", Some(_), Some("ephemeralcontainers"))
                | ("POST", "pods", None, None) => push(&mut checks, LabCheck::Connectivity),
                ("POST" | "PUT" | "PATCH" | "DELETE", ..) => change = true,
                _ => {}
            }
        }
        Some(Step {
            text,
            checks,
            change,
        })
    }
}

/// A line's words: whitespace separates, quotes group.
fn shell_words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut open = false;
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                open = true;
            }
            (None, c) if c.is_whitespace() => {
                if open || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                    open = false;
                }
            }
            (None, c) => cur.push(c),
        }
    }
    if open || !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// `a=1&b=x%3Dy` as decoded pairs (`+` is a space).
fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                    }
                    Err(_) => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One hint of the fault's ladder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabHint {
    /// 1–4.
    pub level: u8,
    /// `nudge`, `direction`, `partial` or `walkthrough`.
    pub name: &'static str,
    /// The hint.
    pub text: String,
}

/// A diagnosis given with `diagnose`, graded.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnosis {
    /// Simulated time when it was given (ms since the lab began).
    pub sim_ms: i64,
    /// The candidate's words.
    pub text: String,
    /// The grade against the fault's rubric (evidence is the candidate's words).
    pub assessment: Assessment,
}

/// What happened, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// A command or request.
    Step(Step),
    /// A hint of this level was shown.
    Hint(u8),
    /// A diagnosis (index into [`LabSession::diagnoses`]).
    Diagnosed(usize),
}

/// An action with the simulated time it happened at.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    /// Simulated ms since the lab began.
    pub sim_ms: i64,
    /// What it was.
    pub action: Action,
}

/// A lab in progress: every action, the hints taken and the diagnoses.
#[derive(Clone)]
pub struct LabSession<'a> {
    grader: &'a Grader,
    lab: &'a Lab,
    fault: &'a LabFault,
    seed: u64,
    actions: Vec<Recorded>,
    hints: u8,
    diagnoses: Vec<Diagnosis>,
    sim_ms: i64,
}

impl<'a> LabSession<'a> {
    /// A new session of lab `lab` with fault `fault` (ids as in the pack);
    /// `None` when the pack has no such lab or fault.
    pub fn new(
        pack: &'a Pack,
        grader: &'a Grader,
        lab: &str,
        fault: &str,
        seed: u64,
    ) -> Option<LabSession<'a>> {
        let lab = pack.lab(lab)?;
        let fault = lab.fault(fault)?;
        Some(LabSession {
            grader,
            lab,
            fault,
            seed,
            actions: Vec::new(),
            hints: 0,
            diagnoses: Vec::new(),
            sim_ms: 0,
        })
    }

    /// The lab.
    pub fn lab(&self) -> &'a Lab {
        self.lab
    }

    /// The fault's content.
    pub fn fault(&self) -> &'a LabFault {
        self.fault
    }

    /// Every action so far.
    pub fn actions(&self) -> &[Recorded] {
        &self.actions
    }

    /// Every diagnosis so far (the last one counts).
    pub fn diagnoses(&self) -> &[Diagnosis] {
        &self.diagnoses
    }

    /// Hints taken so far.
    pub fn hints_used(&self) -> u8 {
        self.hints
    }

    fn at(&mut self, sim_ms: i64) -> i64 {
        self.sim_ms = self.sim_ms.max(sim_ms);
        sim_ms
    }

    /// Moves the lab's simulated clock to `sim_ms` without an action (the
    /// world's time when the candidate leaves).
    pub fn record_time(&mut self, sim_ms: i64) {
        self.at(sim_ms);
    }

    /// Records a command or request made at simulated time `sim_ms`.
    pub fn record(&mut self, sim_ms: i64, step: Step) {
        let sim_ms = self.at(sim_ms);
        self.actions.push(Recorded {
            sim_ms,
            action: Action::Step(step),
        });
    }

    /// The next hint of the fault's ladder, or `None` after the fourth.
    pub fn hint(&mut self, sim_ms: i64) -> Option<LabHint> {
        let h = &self.fault.hints;
        let (name, text) = match self.hints {
            0 => ("nudge", &h.nudge),
            1 => ("direction", &h.direction),
            2 => ("partial", &h.partial),
            3 => ("walkthrough", &h.walkthrough),
            _ => return None,
        };
        self.hints += 1;
        let sim_ms = self.at(sim_ms);
        self.actions.push(Recorded {
            sim_ms,
            action: Action::Hint(self.hints),
        });
        Some(LabHint {
            level: self.hints,
            name,
            text: text.trim().to_string(),
        })
    }

    /// Grades `text` as the root cause against the fault's rubric and
    /// records it; the last diagnosis is the one scored.
    pub fn diagnose(&mut self, sim_ms: i64, text: &str) -> Result<&Diagnosis, GradeError> {
        let assessment = self
            .grader
            .grade(&self.lab.question_id(&self.fault.id), text)?;
        let sim_ms = self.at(sim_ms);
        self.diagnoses.push(Diagnosis {
            sim_ms,
            text: text.trim().to_string(),
            assessment,
        });
        let i = self.diagnoses.len() - 1;
        self.actions.push(Recorded {
            sim_ms,
            action: Action::Diagnosed(i),
        });
        Ok(&self.diagnoses[i])
    }

    /// The steps, in order.
    fn steps(&self) -> impl Iterator<Item = &Step> {
        self.actions.iter().filter_map(|r| match &r.action {
            Action::Step(s) => Some(s),
            _ => None,
        })
    }

    /// Each check: whether it was made, and whether before the first change.
    pub fn path(&self) -> Vec<PathCheck> {
        let first_change = self.steps().position(|s| s.change);
        LabCheck::ALL
            .iter()
            .map(|&check| {
                let first = self.steps().position(|s| s.checks.contains(&check));
                PathCheck {
                    check: check.id(),
                    text: check.describe(),
                    expected: self.fault.evidence.contains(&check),
                    done: first.is_some(),
                    before_first_change: match (first, first_change) {
                        (Some(f), Some(c)) => f < c,
                        (Some(_), None) => true,
                        (None, _) => false,
                    },
                    command: first
                        .and_then(|i| self.steps().nth(i))
                        .map(|s| s.text.clone()),
                }
            })
            .collect()
    }

    /// The lab's result. `fixed` is the world's verdict
    /// (`World::fault_fixed()`): `Err` carries why it is not fixed.
    pub fn scorecard(&self, fixed: Result<(), String>) -> LabScorecard {
        let path = self.path();
        let expected: Vec<&PathCheck> = path.iter().filter(|p| p.expected).collect();
        let path_share = if expected.is_empty() {
            1.0
        } else {
            expected
                .iter()
                .map(|p| match (p.done, p.before_first_change) {
                    (true, true) => 1.0,
                    (true, false) => AFTER_CHANGE_CREDIT,
                    _ => 0.0,
                })
                .sum::<f32>()
                / expected.len() as f32
        };
        let first_change = self.steps().position(|s| s.change);
        let guessed = match first_change {
            Some(c) => !self
                .steps()
                .take(c)
                .any(|s| s.checks.iter().any(|k| self.fault.evidence.contains(k))),
            None => false,
        };
        let last = self.diagnoses.last();
        let diagnosis = DiagnosisResult {
            given: last.is_some(),
            text: last.map(|d| d.text.clone()),
            attempts: self.diagnoses.len(),
            score: last.map_or(0, |d| d.assessment.score),
            level: last.map_or(Level::Novice, |d| d.assessment.level).as_str(),
            key_points: last
                .map(|d| {
                    d.assessment
                        .key_points
                        .iter()
                        .map(|k| LabPoint {
                            id: k.id.clone(),
                            text: k.text.clone(),
                            hit: k.hit(),
                            evidence: k.evidence.clone(),
                        })
                        .collect()
                })
                .unwrap_or_else(|| {
                    self.fault
                        .key_points
                        .iter()
                        .map(|k| LabPoint {
                            id: k.id.clone(),
                            text: k.text.clone(),
                            hit: false,
                            evidence: None,
                        })
                        .collect()
                }),
            misconceptions: last
                .map(|d| {
                    d.assessment
                        .misconceptions
                        .iter()
                        .map(|m| LabMisconception {
                            id: m.id.clone(),
                            text: m.text.clone(),
                            correction: m.correction.trim().to_string(),
                            evidence: m.evidence.clone(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            feedback: last.map(|d| d.assessment.feedback.clone()),
        };
        let fixed_ok = fixed.is_ok();
        let diagnosis_points = DIAGNOSIS_POINTS * f32::from(diagnosis.score) / 100.0;
        let fix_points = if fixed_ok { FIX_POINTS } else { 0.0 };
        let path_points = PATH_POINTS * path_share;
        let raw = (diagnosis_points + fix_points + path_points)
            .round()
            .clamp(0.0, 100.0) as u8;
        let overall = flow::penalised(raw, self.hints);
        let commands = self.steps().count();
        LabScorecard {
            lab: self.lab.id.clone(),
            title: self.lab.title.clone(),
            fault: self.fault.id.clone(),
            seed: self.seed,
            overall,
            level: Level::from_score(overall).as_str(),
            points: Points {
                diagnosis: diagnosis_points.round() as u8,
                fix: fix_points.round() as u8,
                path: path_points.round() as u8,
                hint_penalty_percent: flow::hint_penalty_percent(self.hints),
            },
            diagnosis,
            fix: FixResult {
                fixed: fixed_ok,
                reason: fixed.err(),
            },
            path,
            path_score: (path_share * 100.0).round() as u8,
            guessed,
            commands,
            changes: self.steps().filter(|s| s.change).count(),
            sim_ms: self.sim_ms,
            hints: self.hints,
            cause: self.fault.cause.trim().to_string(),
            solution: self.fault.fix.trim().to_string(),
            systematic_path: self
                .fault
                .path
                .iter()
                .map(|s| s.trim().to_string())
                .collect(),
        }
    }
}

/// A lab's result: the JSON shape `--output json` prints (a wire type: its
/// field names are the contract).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabScorecard {
    /// Lab id, e.g. `crashloop`.
    pub lab: String,
    /// Lab title.
    pub title: String,
    /// The injected fault's id.
    pub fault: String,
    /// The world's seed.
    pub seed: u64,
    /// 0–100: diagnosis 40 + fix 30 + path 30, less the hint penalty.
    pub overall: u8,
    /// `novice`, `intermediate` or `expert`.
    pub level: &'static str,
    /// How the overall score is made up.
    pub points: Points,
    /// The diagnosis, graded.
    pub diagnosis: DiagnosisResult,
    /// Whether the fault is fixed, by the world's state.
    pub fix: FixResult,
    /// Every check: expected for this fault or not, done or not, before the first change or not.
    pub path: Vec<PathCheck>,
    /// 0–100: the share of this fault's expected checks made (half credit after the first change).
    pub path_score: u8,
    /// A change came before any look at this fault's evidence.
    pub guessed: bool,
    /// Commands (or API requests) made.
    pub commands: usize,
    /// Of which changed the cluster.
    pub changes: usize,
    /// Simulated time the lab took, in ms.
    pub sim_ms: i64,
    /// Hints taken (0–4).
    pub hints: u8,
    /// The root cause, as an expert says it.
    pub cause: String,
    /// The fix, in words.
    pub solution: String,
    /// The systematic path for this fault.
    pub systematic_path: Vec<String>,
}

/// The overall score's parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Points {
    /// Of 40.
    pub diagnosis: u8,
    /// Of 30.
    pub fix: u8,
    /// Of 30.
    pub path: u8,
    /// Taken off the sum for hints, in percent.
    pub hint_penalty_percent: u8,
}

/// The last diagnosis, graded against the fault's rubric.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiagnosisResult {
    /// Whether `diagnose` was used at all.
    pub given: bool,
    /// The candidate's words (the last diagnosis).
    pub text: Option<String>,
    /// How many diagnoses were given.
    pub attempts: usize,
    /// The grader's 0–100.
    pub score: u8,
    /// The grader's level.
    pub level: &'static str,
    /// The rubric's key points, hit or missed, with the words that earned them.
    pub key_points: Vec<LabPoint>,
    /// Wrong beliefs stated, with corrections.
    pub misconceptions: Vec<LabMisconception>,
    /// The grader's feedback.
    pub feedback: Option<String>,
}

/// One key point of the diagnosis rubric.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabPoint {
    /// Id.
    pub id: String,
    /// What it is.
    pub text: String,
    /// Made or not.
    pub hit: bool,
    /// The candidate's sentence that made it.
    pub evidence: Option<String>,
}

/// A wrong belief the diagnosis stated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabMisconception {
    /// Id.
    pub id: String,
    /// The belief.
    pub text: String,
    /// The correction.
    pub correction: String,
    /// The candidate's sentence.
    pub evidence: String,
}

/// The fix, by state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FixResult {
    /// Whether the fault is gone.
    pub fixed: bool,
    /// Why not, when it is not.
    pub reason: Option<String>,
}

/// One check of the path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PathCheck {
    /// Check id, e.g. `previous-logs`.
    pub check: &'static str,
    /// What it means.
    pub text: &'static str,
    /// It leads to this fault's cause (it is scored).
    pub expected: bool,
    /// It was made.
    pub done: bool,
    /// It was made before the first change (or there was no change).
    pub before_first_change: bool,
    /// The first command that made it (candidate text).
    pub command: Option<String>,
}

impl LabScorecard {
    /// The diagnosis' missed key points, for "what to work on".
    pub fn missed(&self) -> Vec<&str> {
        self.diagnosis
            .key_points
            .iter()
            .filter(|k| !k.hit)
            .map(|k| k.text.as_str())
            .collect()
    }
}

fn minutes(ms: i64) -> String {
    crate::output::clock(ms)
}

/// The scorecard for a terminal: plain text, candidate words sanitised.
pub fn text(card: &LabScorecard) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "Lab scorecard: {} -- fault {}",
        card.title,
        sanitize(&card.fault)
    );
    let _ = writeln!(
        o,
        "Overall: {}/100 ({})  [diagnosis {}/40, fix {}/30, path {}/30{}]",
        card.overall,
        card.level,
        card.points.diagnosis,
        card.points.fix,
        card.points.path,
        if card.hints > 0 {
            format!(
                ", {} hint(s): -{}%",
                card.hints, card.points.hint_penalty_percent
            )
        } else {
            String::new()
        }
    );
    let _ = writeln!(o);
    match &card.diagnosis.text {
        Some(t) => {
            let _ = writeln!(
                o,
                "Diagnosis: {}/100 ({}) -- \"{}\"",
                card.diagnosis.score,
                card.diagnosis.level,
                one_line(&sanitize(t), 160)
            );
            for k in &card.diagnosis.key_points {
                let mark = if k.hit { "+" } else { "-" };
                let _ = write!(o, "  {mark} {}", k.text);
                if let Some(e) = &k.evidence {
                    let _ = write!(o, " (\"{}\")", one_line(&sanitize(e), 90));
                }
                let _ = writeln!(o);
            }
            for m in &card.diagnosis.misconceptions {
                let _ = writeln!(
                    o,
                    "  ! \"{}\" -- {}",
                    one_line(&sanitize(&m.evidence), 90),
                    m.correction
                );
            }
        }
        None => {
            let _ = writeln!(
                o,
                "Diagnosis: none given (use `diagnose <root cause>` next time)"
            );
        }
    }
    let _ = match &card.fix.reason {
        None if card.fix.fixed => writeln!(o, "Fault fixed: yes"),
        Some(r) => writeln!(o, "Fault fixed: no ({})", sanitize(r)),
        None => writeln!(o, "Fault fixed: no"),
    };
    let _ = writeln!(
        o,
        "Path: {}/100{}",
        card.path_score,
        if card.guessed {
            " -- changed the cluster before looking at the evidence (a guess)"
        } else {
            ""
        }
    );
    for p in &card.path {
        if !p.expected && !p.done {
            continue;
        }
        let mark = match (p.done, p.before_first_change) {
            (true, true) => "+",
            (true, false) => "~",
            _ => "-",
        };
        let when = match (p.done, p.before_first_change) {
            (true, true) => " (before the first change)",
            (true, false) => " (only after a change)",
            _ => "",
        };
        let extra = if p.expected { "" } else { " [not needed here]" };
        let _ = writeln!(o, "  {mark} {}{when}{extra}", p.text);
    }
    let _ = writeln!(
        o,
        "Commands used: {}; changes: {}; simulated time: {}; hints: {}",
        card.commands,
        card.changes,
        minutes(card.sim_ms),
        card.hints
    );
    let _ = writeln!(o, "\nCause: {}", card.cause);
    let _ = writeln!(o, "Fix: {}", card.solution);
    let _ = writeln!(o, "The systematic path:");
    for (i, s) in card.systematic_path.iter().enumerate() {
        let _ = writeln!(o, "  {}. {s}", i + 1);
    }
    o
}

fn one_line(s: &str, max: usize) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() <= max {
        s
    } else {
        let cut: String = s.chars().take(max - 1).collect();
        format!("{}…", cut.trim_end())
    }
}

/// The scorecard as a Markdown section (a `##` heading), candidate words escaped.
pub fn markdown(card: &LabScorecard) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "## Hands-on lab: {}\n", md(&card.title));
    let _ = writeln!(
        o,
        "**Fault:** `{}` · **Overall: {}/100 ({})** · diagnosis {}/40 · fix {}/30 · path {}/30 · hints {} (-{}%)\n",
        card.fault.replace('`', ""),
        card.overall,
        card.level,
        card.points.diagnosis,
        card.points.fix,
        card.points.path,
        card.hints,
        card.points.hint_penalty_percent
    );
    let _ = writeln!(o, "### Diagnosis\n");
    match &card.diagnosis.text {
        Some(t) => {
            let _ = writeln!(
                o,
                "{}/100 ({}), {} attempt(s). Last: \"{}\"\n",
                card.diagnosis.score,
                card.diagnosis.level,
                card.diagnosis.attempts,
                md(t)
            );
            for k in &card.diagnosis.key_points {
                let _ = writeln!(
                    o,
                    "- {} {}{}",
                    if k.hit { "✔" } else { "✘" },
                    md(&k.text),
                    k.evidence
                        .as_deref()
                        .map(|e| format!(" -- \"{}\"", md(e)))
                        .unwrap_or_default()
                );
            }
            for m in &card.diagnosis.misconceptions {
                let _ = writeln!(o, "- ⚠ \"{}\" -- {}", md(&m.evidence), md(&m.correction));
            }
        }
        None => {
            let _ = writeln!(o, "No diagnosis was given.");
        }
    }
    let _ = writeln!(o, "\n### Fix\n");
    let _ = match &card.fix.reason {
        None if card.fix.fixed => writeln!(o, "Fixed."),
        Some(r) => writeln!(o, "Not fixed: {}", md(r)),
        None => writeln!(o, "Not fixed."),
    };
    let _ = writeln!(
        o,
        "\n### Path\n\n{}/100{} · {} commands, {} changes, {} simulated\n",
        card.path_score,
        if card.guessed {
            " · changed the cluster before looking at the evidence"
        } else {
            ""
        },
        card.commands,
        card.changes,
        minutes(card.sim_ms)
    );
    let _ = writeln!(
        o,
        "| Check | Needed here | Done | Before the first change |"
    );
    let _ = writeln!(o, "|---|---|---|---|");
    for p in &card.path {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} |",
            md(p.text),
            yes(p.expected),
            yes(p.done),
            if p.done {
                yes(p.before_first_change)
            } else {
                "–"
            }
        );
    }
    let _ = writeln!(o, "\n### Solution\n");
    let _ = writeln!(o, "**Cause:** {}\n", md(&card.cause));
    let _ = writeln!(o, "**Fix:** {}\n", md(&card.solution));
    for (i, s) in card.systematic_path.iter().enumerate() {
        let _ = writeln!(o, "{}. {}", i + 1, md(s));
    }
    o
}

fn yes(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// The scorecard as JSON (the shape of [`LabScorecard`]).
pub fn json(card: &LabScorecard) -> serde_json::Value {
    serde_json::to_value(card).unwrap_or(serde_json::Value::Null)
}
