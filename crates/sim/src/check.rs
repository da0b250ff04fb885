//! Findings about manifests: static checks and scenario requirements.
//!
//! Every finding has a stable check id (for example `deployment.no-readiness-probe`),
//! a severity and remediation text. Checks accept equivalent correct answers
//! (topologySpreadConstraints as well as pod anti-affinity, `512Mi` as well as
//! `536870912`).

use serde::Serialize;

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
