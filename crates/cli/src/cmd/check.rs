//! `kubeprep check`: static findings and scenario requirements, as text for
//! people, JSON for programs, or SARIF 2.1.0 for code-scanning tools.
//!
//! The checks live in `kubeprep_sim::check`; this module reads the files,
//! resolves the scenario, and renders. It prints nothing else.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::ValueEnum;
use kubeprep_bank::{Pack, Scenario};
use kubeprep_sim::check::{
    self, Finding, Measure, Measured, Options, Report, RequirementResult, Severity,
};
use kubeprep_sim::manifest::{Parsed, ProblemKind};

use super::Global;
use crate::term::{self, Style};
use crate::Outcome;

/// Flags.
#[derive(clap::Args)]
pub struct Args {
    /// Manifest files (YAML or JSON, several documents each; a directory: its .yaml, .yml and .json files; `-` reads stdin)
    #[arg(
        short = 'f',
        long = "filename",
        value_name = "FILE",
        required_unless_present = "list_scenarios"
    )]
    files: Vec<PathBuf>,
    /// Also judge the scenario's requirements (see --list-scenarios)
    #[arg(long, value_name = "ID")]
    scenario: Option<String>,
    /// Output format
    #[arg(long, short, value_enum, default_value_t)]
    output: Format,
    /// List the scenarios and exit
    #[arg(long)]
    list_scenarios: bool,
}

/// How `check` prints its report.
#[derive(ValueEnum, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Findings grouped by object, then the requirements.
    #[default]
    Text,
    /// One JSON document (see `wire`).
    Json,
    /// SARIF 2.1.0, for code-scanning tools.
    Sarif,
}

pub fn run(g: &Global, a: Args) -> Result<Outcome> {
    if a.list_scenarios {
        let pack = g.load_pack()?;
        return list(&pack, a.output);
    }
    // Resolve everything before any work: the scenario, then the files.
    let scenario = match &a.scenario {
        Some(id) => {
            let pack = g.load_pack()?;
            Some(resolve(&pack, id)?.clone())
        }
        None => None,
    };
    if a.files.is_empty() {
        bail!("no manifests given; name them with -f FILE");
    }
    let files = super::manifests::expand(&a.files)?;
    let mut texts = Vec::with_capacity(files.len());
    for f in &files {
        texts.push((f.display().to_string(), super::manifests::read_text(f)?));
    }
    let requirements = match &scenario {
        Some(s) => check::scenario::requirements(s).map_err(anyhow::Error::msg)?,
        None => Vec::new(),
    };
    let opts = Options {
        zero_downtime: requirements.iter().any(
            |r| matches!(&r.measure, Measure::Metric { metric, .. } if metric == "failed_requests"),
        ),
    };
    let (parsed, findings) = check::run(&texts, &opts);
    unreadable(&parsed)?;
    let run = match &scenario {
        Some(s) => Some(check::scenario::run(s, &parsed).map_err(anyhow::Error::msg)?),
        None => None,
    };
    let report = match run {
        Some(r) => Report {
            findings,
            requirements: r.results,
            simulated: r.measured,
            notes: r.notes,
            not_run: r.not_run,
        },
        None => Report {
            findings,
            requirements: check::evaluate(&requirements, None),
            simulated: None,
            notes: Vec::new(),
            not_run: None,
        },
    };
    let files: Vec<String> = texts.into_iter().map(|(n, _)| n).collect();
    match a.output {
        Format::Text => term::print(&text(
            &report,
            scenario.as_ref(),
            &files,
            &parsed.skipped,
            g.color(),
        ))?,
        Format::Json => {
            term::print_json(&wire::CheckReport::new(&report, scenario.as_ref(), &files))?
        }
        Format::Sarif => term::print_json(&sarif::log(&report))?,
    }
    Ok(if report.failed() {
        Outcome::Findings
    } else {
        Outcome::Ok
    })
}

/// A document that cannot be read at all (not YAML, an unknown kind) is bad
/// input, not a finding: stop with its location.
fn unreadable(parsed: &Parsed) -> Result<()> {
    let bad: Vec<_> = parsed
        .problems
        .iter()
        .filter(|p| matches!(p.kind, ProblemKind::Syntax | ProblemKind::UnknownKind))
        .collect();
    if let Some(first) = bad.first() {
        let more = bad.len() - 1;
        if more > 0 {
            bail!("{first} (and {more} more unreadable document(s))");
        }
        bail!("{first}");
    }
    Ok(())
}

fn resolve<'p>(pack: &'p Pack, id: &str) -> Result<&'p Scenario> {
    if let Some(s) = pack.scenario(id) {
        return Ok(s);
    }
    let hint = match pack.suggest_scenario(id) {
        Some(s) => format!(" (did you mean `{s}`?)"),
        None => String::new(),
    };
    bail!("unknown scenario `{id}`{hint}; `kubeprep check --list-scenarios` lists them")
}

fn list(pack: &Pack, output: Format) -> Result<Outcome> {
    match output {
        Format::Json | Format::Sarif => {
            let list: Vec<wire::ScenarioSummary> = pack
                .scenarios
                .iter()
                .map(wire::ScenarioSummary::from)
                .collect();
            term::print_json(&list)?;
        }
        Format::Text => {
            let width = pack.scenarios.iter().map(|s| s.id.len()).max().unwrap_or(0);
            let mut s = String::new();
            for sc in &pack.scenarios {
                s.push_str(&format!(
                    "{:width$}  {} ({} requirements)\n",
                    sc.id,
                    sc.title,
                    sc.requirements.len()
                ));
            }
            term::print(&s)?;
        }
    }
    Ok(Outcome::Ok)
}

fn severity_style(s: Severity) -> Style {
    match s {
        Severity::Error => Style::Red,
        Severity::Warning => Style::Yellow,
        Severity::Info => Style::Cyan,
    }
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// Findings grouped by object (in document order), then the requirements and a summary.
fn text(
    report: &Report,
    scenario: Option<&Scenario>,
    files: &[String],
    skipped: &[kubeprep_sim::manifest::Skipped],
    color: bool,
) -> String {
    let clean = kubeprep_interview::sanitize;
    let mut out = String::new();
    let mut groups: Vec<(String, Vec<&Finding>)> = Vec::new();
    let mut keys: Vec<(Option<String>, String)> = Vec::new();
    for f in &report.findings {
        let loc = match (&f.file, f.line) {
            (Some(file), Some(l)) => format!("{file}:{l}"),
            (Some(file), None) => file.clone(),
            _ => String::new(),
        };
        let head = match (f.object.is_empty(), loc.is_empty()) {
            (false, false) => format!("{} ({loc})", f.object),
            (false, true) => f.object.clone(),
            (true, _) => loc,
        };
        // One group per object: a parser problem located deep in an object
        // joins the object's other findings.
        let key = (f.file.clone(), f.object.clone());
        match keys
            .iter()
            .position(|k| *k == key)
            .filter(|_| !f.object.is_empty())
        {
            Some(i) => groups[i].1.push(f),
            None => {
                keys.push(key);
                groups.push((head, vec![f]));
            }
        }
    }
    for (head, fs) in &groups {
        out.push_str(&term::paint(&clean(head), Style::Bold, color));
        out.push('\n');
        for f in fs {
            let sev = format!("{:7}", f.severity.as_str());
            out.push_str(&format!(
                "  {} {}",
                term::paint(&sev, severity_style(f.severity), color),
                f.id
            ));
            if let Some(p) = &f.path {
                out.push_str(&format!("  {}", term::paint(&clean(p), Style::Dim, color)));
            }
            out.push('\n');
            out.push_str(&format!("          {}\n", clean(&f.message)));
            out.push_str(&format!("          fix: {}\n", clean(&f.remediation)));
        }
        out.push('\n');
    }
    for s in skipped {
        out.push_str(&format!(
            "{}\n",
            term::paint(&clean(&s.to_string()), Style::Dim, color)
        ));
    }
    if !skipped.is_empty() {
        out.push('\n');
    }
    let (e, w, i) = report.counts();
    let objects = groups.len();
    out.push_str(&format!(
        "{}, {}, {} in {} ({} checked)\n",
        plural(e, "error"),
        plural(w, "warning"),
        plural(i, "info"),
        plural(objects, "object"),
        plural(files.len(), "file"),
    ));
    if let Some(s) = scenario {
        out.push_str(&format!(
            "\n{} {}: {}\n",
            term::paint("Scenario", Style::Bold, color),
            s.id,
            s.title
        ));
        if let Some(why) = &report.not_run {
            out.push_str(&format!("  not simulated: {}\n", clean(why)));
        }
        for (n, r) in report.requirements.iter().enumerate() {
            let (word, style) = match r.passed {
                Some(true) => ("PASS", Style::Green),
                Some(false) => ("FAIL", Style::Red),
                None => ("SKIP", Style::Dim),
            };
            out.push_str(&format!(
                "  {} {}. {}: {}\n",
                term::paint(word, style, color),
                n + 1,
                r.id,
                r.text
            ));
            let measured = r
                .measured
                .as_ref()
                .map(|m| format!("measured {m}; "))
                .unwrap_or_default();
            out.push_str(&format!(
                "          {measured}expected {}; {}\n",
                r.expected, r.reason
            ));
        }
        if !report.notes.is_empty() {
            out.push_str(&format!(
                "{}\n",
                term::paint("  What the simulation showed:", Style::Bold, color)
            ));
            for n in &report.notes {
                out.push_str(&format!("  - {n}\n"));
            }
        }
        let count = |v: Option<bool>| report.requirements.iter().filter(|r| r.passed == v).count();
        out.push_str(&format!(
            "requirements: {} passed, {} failed, {} not simulated\n",
            count(Some(true)),
            count(Some(false)),
            count(None)
        ));
    }
    out
}

/// The JSON of `kubeprep check --output json`: types of their own, pinned by
/// `tests/check.rs`.
pub mod wire {
    use super::*;
    use serde::Serialize;

    /// The whole report.
    #[derive(Serialize)]
    pub struct CheckReport {
        /// The files checked, as given.
        pub files: Vec<String>,
        /// Every finding.
        pub findings: Vec<WireFinding>,
        /// Counts by severity.
        pub summary: Summary,
        /// The scenario and its requirements, when `--scenario` was given.
        pub scenario: Option<WireScenario>,
        /// Whether the check failed (exit 1): an error finding or a failed requirement.
        pub failed: bool,
    }

    /// One finding.
    #[derive(Serialize)]
    pub struct WireFinding {
        pub id: String,
        pub severity: &'static str,
        pub object: String,
        pub file: Option<String>,
        pub line: Option<usize>,
        pub path: Option<String>,
        pub message: String,
        pub remediation: String,
    }

    /// Counts by severity.
    #[derive(Serialize)]
    pub struct Summary {
        pub errors: usize,
        pub warnings: usize,
        pub infos: usize,
    }

    /// The scenario's verdicts.
    #[derive(Serialize)]
    pub struct WireScenario {
        pub id: String,
        pub title: String,
        pub requirements: Vec<WireRequirement>,
        /// What the simulation showed, in sentences with the numbers.
        pub notes: Vec<String>,
        /// Why the scenario could not be simulated (null when it was).
        pub not_simulated: Option<String>,
    }

    /// One requirement's verdict.
    #[derive(Serialize)]
    pub struct WireRequirement {
        /// 1-based, as printed.
        pub number: usize,
        pub id: String,
        pub text: String,
        /// `true` met, `false` not met, `null` not simulated.
        pub passed: Option<bool>,
        /// A number, `"never"`, `"M/N rows"`, or null when not measured.
        pub measured: Option<serde_json::Value>,
        pub expected: String,
        pub reason: String,
        pub proves: Vec<String>,
    }

    /// One entry of `--list-scenarios --output json`.
    #[derive(Serialize)]
    pub struct ScenarioSummary {
        pub id: String,
        pub title: String,
        pub problem: String,
        pub questions: Vec<String>,
        pub requirements: Vec<String>,
    }

    impl From<&Scenario> for ScenarioSummary {
        fn from(s: &Scenario) -> Self {
            ScenarioSummary {
                id: s.id.clone(),
                title: s.title.clone(),
                problem: s.problem.clone(),
                questions: s.questions.clone(),
                requirements: s.requirements.iter().map(|r| r.id.clone()).collect(),
            }
        }
    }

    fn measured(m: &Measured) -> serde_json::Value {
        match m {
            Measured::Number(n) => serde_json::json!(n),
            other => serde_json::Value::String(other.to_string()),
        }
    }

    impl CheckReport {
        /// The wire form of a report.
        pub fn new(report: &Report, scenario: Option<&Scenario>, files: &[String]) -> Self {
            let (errors, warnings, infos) = report.counts();
            CheckReport {
                files: files.to_vec(),
                findings: report
                    .findings
                    .iter()
                    .map(|f| WireFinding {
                        id: f.id.clone(),
                        severity: f.severity.as_str(),
                        object: f.object.clone(),
                        file: f.file.clone(),
                        line: f.line,
                        path: f.path.clone(),
                        message: f.message.clone(),
                        remediation: f.remediation.clone(),
                    })
                    .collect(),
                summary: Summary {
                    errors,
                    warnings,
                    infos,
                },
                scenario: scenario.map(|s| WireScenario {
                    id: s.id.clone(),
                    title: s.title.clone(),
                    requirements: report
                        .requirements
                        .iter()
                        .enumerate()
                        .map(|(i, r): (usize, &RequirementResult)| WireRequirement {
                            number: i + 1,
                            id: r.id.clone(),
                            text: r.text.clone(),
                            passed: r.passed,
                            measured: r.measured.as_ref().map(measured),
                            expected: r.expected.clone(),
                            reason: r.reason.clone(),
                            proves: r.proves.clone(),
                        })
                        .collect(),
                    notes: report.notes.clone(),
                    not_simulated: report.not_run.clone(),
                }),
                failed: report.failed(),
            }
        }
    }
}

/// SARIF 2.1.0 (OASIS): one run whose driver lists every rule that fired,
/// one result per finding and per failed requirement.
mod sarif {
    use super::*;
    use serde_json::{json, Value};

    const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

    fn level(s: Severity) -> &'static str {
        match s {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "note",
        }
    }

    pub fn log(report: &Report) -> Value {
        // Rules in first-seen order; each result points at its rule by index.
        let mut rules: Vec<Value> = Vec::new();
        let mut index: BTreeMap<String, usize> = BTreeMap::new();
        let mut rule = |id: &str, severity: Severity, summary: &str, help: &str| -> usize {
            if let Some(i) = index.get(id) {
                return *i;
            }
            let i = rules.len();
            rules.push(json!({
                "id": id,
                "name": id,
                "shortDescription": {"text": summary},
                "fullDescription": {"text": summary},
                "help": {"text": help},
                "defaultConfiguration": {"level": level(severity)},
            }));
            index.insert(id.to_string(), i);
            i
        };
        let mut results = Vec::new();
        for f in &report.findings {
            let i = match check::rules::rule_for(&f.id) {
                Some(r) => rule(r.id, r.severity, r.summary, r.help),
                None => rule(&f.id, f.severity, &f.message, &f.remediation),
            };
            let mut region = serde_json::Map::new();
            region.insert("startLine".into(), json!(f.line.unwrap_or(1).max(1)));
            let mut result = json!({
                "ruleId": f.id,
                "ruleIndex": i,
                "level": level(f.severity),
                "message": {"text": format!("{}: {} Fix: {}", f.object, f.message, f.remediation)},
            });
            if let Some(file) = &f.file {
                result["locations"] = json!([{
                    "physicalLocation": {
                        "artifactLocation": {"uri": file},
                        "region": region,
                    },
                    "logicalLocations": [{"fullyQualifiedName": f.object, "kind": "object"}],
                }]);
            }
            if let Some(p) = &f.path {
                result["properties"] = json!({"path": p});
            }
            results.push(result);
        }
        for r in report
            .requirements
            .iter()
            .filter(|r| r.passed == Some(false))
        {
            let id = format!("scenario.{}", r.id);
            let i = rule(&id, Severity::Error, &r.text, &r.expected);
            results.push(json!({
                "ruleId": id,
                "ruleIndex": i,
                "level": "error",
                "message": {"text": format!("{}: {}", r.text, r.reason)},
            }));
        }
        json!({
            "$schema": SCHEMA,
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {
                    "name": "kubeprep",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://example.invalid/kubeprep",
                    "rules": rules,
                }},
                "results": results,
            }],
        })
    }
}
