//! Findings about manifests: static checks and scenario requirements.
//!
//! Every finding has a stable check id (for example `container.no-readiness-probe`),
//! a severity and remediation text. Checks accept equivalent correct answers
//! (topologySpreadConstraints as well as pod anti-affinity, `512Mi` as well as
//! `536870912`).
//!
//! [`run`] reads manifest texts and collects every area's findings: the
//! parser's problems ([`problems`]), the workload checks ([`workload`]), the
//! checks across objects ([`relations`]) and, once merged, the RBAC and
//! StatefulSet areas (see [`area_findings`]). Requirements of a scenario are
//! in [`requirement`]; this module does not run simulations.

pub mod problems;
pub mod relations;
pub mod requirement;
pub mod rules;
pub mod scenario;
pub mod selector;
pub mod workload;

use std::collections::HashSet;

use serde::Serialize;

use crate::manifest::{self, Document, Object, Parsed};

pub use requirement::{
    evaluate, CanI, Comparison, Measure, Measured, Measurements, Requirement, RequirementResult,
};

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; not wrong.
    Info,
    /// Works, but fails under conditions the scenario cares about.
    Warning,
    /// Rejected by the API server, or breaks a requirement.
    Error,
}

impl Severity {
    /// The lowercase name used in every output (`info`, `warning`, `error`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One finding about one object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable check id, `area.what`, e.g. `deployment.selector-mismatch`.
    pub id: String,
    /// How much it matters.
    pub severity: Severity,
    /// The object, as `Kind/name` (empty for findings about the whole input).
    pub object: String,
    /// The file the object came from, when known.
    pub file: Option<String>,
    /// The 1-based line, when known.
    pub line: Option<usize>,
    /// The field path the finding is about, when there is one.
    pub path: Option<String>,
    /// What is wrong, in one sentence.
    pub message: String,
    /// How to fix it.
    pub remediation: String,
}

impl Finding {
    /// A finding about a document, located at the document.
    pub fn at(
        doc: &Document,
        id: &str,
        severity: Severity,
        path: impl Into<String>,
        message: impl Into<String>,
        remediation: impl Into<String>,
    ) -> Finding {
        let path = path.into();
        Finding {
            id: id.to_string(),
            severity,
            object: doc.object.reference(),
            file: Some(doc.file.clone()),
            line: Some(doc.line),
            path: (!path.is_empty()).then_some(path),
            message: message.into(),
            remediation: remediation.into(),
        }
    }
}

/// What the checks know about the situation the manifests are for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// The scenario asks for zero downtime and no failed requests: rollout
    /// safety findings (no preStop delay) become errors instead of warnings.
    pub zero_downtime: bool,
}

/// Where the fields a candidate actually wrote are remembered, independent of
/// the defaults the parser fills in (a defaulted `spec.replicas: 1` is not a
/// `replicas` fighting an HPA; a written one is).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Written {
    replicas: HashSet<(String, usize)>,
    known: bool,
}

impl Written {
    /// Reads which documents of `text` write `spec.replicas`. Documents are
    /// numbered as [`manifest::parse_str`] numbers them.
    pub fn scan(&mut self, file: &str, text: &str) {
        use serde::Deserialize;
        self.known = true;
        for (index, de) in serde_norway::Deserializer::from_str(text).enumerate() {
            let Ok(value) = serde_json::Value::deserialize(de) else {
                break;
            };
            if value.pointer("/spec/replicas").is_some() {
                self.replicas.insert((file.to_string(), index));
            }
        }
    }

    /// Whether the document wrote `spec.replicas`. Without a scan, a
    /// replicas value present on the typed object counts as written.
    pub fn replicas(&self, doc: &Document, typed: Option<i32>) -> bool {
        if self.known {
            self.replicas.contains(&(doc.file.clone(), doc.index))
        } else {
            typed.is_some()
        }
    }
}

/// Everything `kubeprep check` reports about a set of manifests.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    /// Static findings, in document order, most severe first within an object.
    pub findings: Vec<Finding>,
    /// The scenario's requirements and their verdicts (empty without a scenario).
    pub requirements: Vec<RequirementResult>,
    /// What the simulators measured, when a scenario was simulated.
    pub simulated: Option<Measurements>,
    /// What the simulation showed, in sentences with the numbers.
    pub notes: Vec<String>,
    /// Why the scenario could not be simulated, when it could not.
    pub not_run: Option<String>,
}

impl Report {
    /// Whether anything failed: an error-severity finding or a failed requirement.
    pub fn failed(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
            || self.requirements.iter().any(|r| r.passed == Some(false))
    }

    /// Counts of findings by severity: (errors, warnings, infos).
    pub fn counts(&self) -> (usize, usize, usize) {
        let n = |s| self.findings.iter().filter(|f| f.severity == s).count();
        (n(Severity::Error), n(Severity::Warning), n(Severity::Info))
    }
}

/// Parses the files `(name, text)` and reports every finding about them.
pub fn run(files: &[(String, String)], opts: &Options) -> (Parsed, Vec<Finding>) {
    let mut parsed = Parsed::default();
    let mut written = Written::default();
    for (name, text) in files {
        parsed.extend(manifest::parse_str(name, text));
        written.scan(name, text);
    }
    let findings = findings(&parsed, &written, opts);
    (parsed, findings)
}

/// Every finding about already parsed manifests.
pub fn findings(parsed: &Parsed, written: &Written, opts: &Options) -> Vec<Finding> {
    let mut out = problems::findings(&parsed.problems);
    let docs = &parsed.documents;
    for doc in docs {
        workload::check(doc, docs, opts, &mut out);
        relations::check(doc, docs, written, &mut out);
    }
    out.extend(area_findings(parsed));
    sort(&mut out);
    out
}

/// Findings from the other areas' checks: RBAC least privilege (unbound
/// roles, wildcards, Secrets access, escalation verbs) and the
/// StatefulSet checks; the static checks in this module leave those to them.
pub fn area_findings(parsed: &Parsed) -> Vec<Finding> {
    let mut out = Vec::new();
    let has_rbac = parsed.objects().any(|o| {
        matches!(
            o,
            manifest::Object::Role(_)
                | manifest::Object::ClusterRole(_)
                | manifest::Object::RoleBinding(_)
                | manifest::Object::ClusterRoleBinding(_)
        )
    });
    if has_rbac {
        out.extend(crate::rbac::findings(&crate::rbac::Policy::from_documents(
            &parsed.documents,
        )));
    }
    // The parser already reports a selector that does not match its template.
    out.extend(
        crate::statefulset::findings_in(&parsed.documents)
            .into_iter()
            .filter(|f| f.id != "statefulset.selector-mismatch"),
    );
    out
}

/// Orders findings by file and line, then most severe first, then by id; keeps
/// the relative order of findings about whole files (no line).
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (a.file.as_deref(), a.line, &a.object)
            .cmp(&(b.file.as_deref(), b.line, &b.object))
            .then(b.severity.cmp(&a.severity))
            .then(a.id.cmp(&b.id))
    });
}

/// The pod template of a workload and the path to it, when it has one.
pub(crate) fn pod_template(
    obj: &Object,
) -> Option<(&k8s_openapi::api::core::v1::PodTemplateSpec, &'static str)> {
    match obj {
        Object::Deployment(d) => d.spec.as_ref().map(|s| (&s.template, "spec.template")),
        Object::ReplicaSet(r) => r
            .spec
            .as_ref()
            .and_then(|s| s.template.as_ref())
            .map(|t| (t, "spec.template")),
        Object::StatefulSet(s) => s.spec.as_ref().map(|s| (&s.template, "spec.template")),
        Object::Job(j) => j.spec.as_ref().map(|s| (&s.template, "spec.template")),
        Object::CronJob(c) => c.spec.as_ref().and_then(|s| {
            s.job_template
                .spec
                .as_ref()
                .map(|j| (&j.template, "spec.jobTemplate.spec.template"))
        }),
        _ => None,
    }
}

/// The namespace an object lives in (`default` when not written).
pub(crate) fn namespace(obj: &Object) -> &str {
    obj.namespace().unwrap_or("default")
}
