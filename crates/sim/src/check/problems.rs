//! The parser's problems as findings: what the API server would reject
//! (unknown fields, missing fields, invalid values) and what cannot be read.
//!
//! The parser finds the problems; this module only names them with stable ids
//! and carries the parser's hint over as the remediation.

use super::{Finding, Severity};
use crate::manifest::{Problem, ProblemKind};

/// The check id for a kind of problem.
pub fn id(kind: ProblemKind) -> &'static str {
    match kind {
        ProblemKind::Syntax => "manifest.syntax",
        ProblemKind::UnknownKind => "manifest.unknown-kind",
        ProblemKind::UnknownField => "manifest.unknown-field",
        ProblemKind::MissingField => "manifest.missing-field",
        ProblemKind::Invalid => "manifest.invalid",
    }
}

/// The remediation when the parser gives no specific hint.
fn default_remediation(p: &Problem) -> String {
    match p.kind {
        ProblemKind::Syntax => "fix the YAML at this position (indentation, quoting, a missing `:`)".into(),
        ProblemKind::UnknownKind => format!(
            "use one of the kinds kubeprep simulates with its apiVersion ({})",
            crate::manifest::KINDS
                .iter()
                .map(|(v, k)| format!("{v} {k}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        ProblemKind::UnknownField => format!(
            "remove `{}` or move it where the object's schema has it (`kubectl explain` lists the fields)",
            p.path
        ),
        ProblemKind::MissingField => format!("add `{}`", p.path),
        ProblemKind::Invalid => format!("correct `{}` as the message says", p.path),
    }
}

/// One finding per problem, severity Error: the API server rejects them all.
pub fn findings(problems: &[Problem]) -> Vec<Finding> {
    problems
        .iter()
        .map(|p| Finding {
            id: id(p.kind).to_string(),
            severity: Severity::Error,
            object: p.object.clone().unwrap_or_default(),
            file: Some(p.file.clone()),
            line: p.line,
            path: (!p.path.is_empty()).then(|| p.path.clone()),
            message: p.message.clone(),
            remediation: p.hint.clone().unwrap_or_else(|| default_remediation(p)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(kind: ProblemKind, path: &str, hint: Option<&str>) -> Problem {
        Problem {
            kind,
            file: "deploy.yaml".into(),
            line: Some(24),
            column: Some(7),
            object: Some("Deployment/payment-api".into()),
            path: path.into(),
            message: "unknown field".into(),
            hint: hint.map(str::to_string),
        }
    }

    #[track_caller]
    fn check(p: Problem, id: &str, remediation_contains: &str) {
        let f = findings(std::slice::from_ref(&p));
        assert_eq!(f.len(), 1);
        let f = &f[0];
        assert_eq!(f.id, id);
        assert_eq!(f.severity, Severity::Error);
        assert_eq!(f.line, p.line);
        assert_eq!(f.file.as_deref(), Some("deploy.yaml"));
        assert_eq!(f.object, "Deployment/payment-api");
        assert!(
            f.remediation.contains(remediation_contains),
            "{:?} should contain {remediation_contains:?}",
            f.remediation
        );
    }

    #[test]
    fn every_problem_kind_has_its_id_and_the_hint_becomes_the_remediation() {
        check(
            problem(
                ProblemKind::UnknownField,
                "spec.template.spec.minReadySeconds",
                Some("minReadySeconds belongs at spec.minReadySeconds"),
            ),
            "manifest.unknown-field",
            "belongs at spec.minReadySeconds",
        );
        check(
            problem(ProblemKind::UnknownField, "spec.foo", None),
            "manifest.unknown-field",
            "remove `spec.foo`",
        );
        check(
            problem(ProblemKind::MissingField, "spec.selector", None),
            "manifest.missing-field",
            "add `spec.selector`",
        );
        check(
            problem(
                ProblemKind::Invalid,
                "spec.template.metadata.labels",
                Some("add app: payment-api to the template labels"),
            ),
            "manifest.invalid",
            "app: payment-api",
        );
        check(
            problem(ProblemKind::Syntax, "", None),
            "manifest.syntax",
            "indentation",
        );
        check(
            problem(ProblemKind::UnknownKind, "", None),
            "manifest.unknown-kind",
            "apps/v1 Deployment",
        );
    }
}
