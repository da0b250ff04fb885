//! Rendering `kubeprep auth` answers: yes/no lines, kubectl-style tables and
//! the JSON documents (`--output json`), whose shapes are pinned by
//! `crates/cli/tests/auth.rs`.

use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};
use kubeprep_sim::check::{Finding, Severity};
use kubeprep_sim::rbac::{self, Attributes, Decision, Escalation, Grant, Matrix, Target, UserInfo};
use serde::Serialize;

use crate::term::{paint, Style};

/// `can-i` text: `yes` or `no`, and with `--why` the reason on the same line.
pub fn can_i(d: &Decision, why: bool, color: bool) -> String {
    let word = if d.allowed {
        paint("yes", Style::Green, color)
    } else {
        paint("no", Style::Red, color)
    };
    if !why {
        return format!("{word}\n");
    }
    let reason = if !d.reason.is_empty() {
        d.reason.clone()
    } else {
        "no binding grants it (RBAC denies by default)".to_string()
    };
    format!("{word} - {reason}\n")
}

/// The `can-i --output json` document.
#[derive(Serialize)]
pub struct CanIJson<'a> {
    allowed: bool,
    reason: &'a str,
    user: &'a UserInfo,
    verb: &'a str,
    target: &'a Target,
    grant: Option<&'a Grant>,
}

impl<'a> CanIJson<'a> {
    pub fn new(a: &'a Attributes, d: &'a Decision) -> CanIJson<'a> {
        CanIJson {
            allowed: d.allowed,
            reason: &d.reason,
            user: &a.user,
            verb: &a.verb,
            target: &a.target,
            grant: d.grant.as_ref(),
        }
    }
}

fn table(header: Vec<String>) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header);
    t
}

/// `who-can` text: one row per subject.
pub fn who_can(verb: &str, target: &Target, grants: &[Grant], color: bool) -> String {
    let title = paint(&format!("Who can {verb} {target}:"), Style::Bold, color);
    if grants.is_empty() {
        return format!(
            "{title}\nnobody (bindings of system:masters aside: that group is always allowed)\n"
        );
    }
    let mut t = table(
        ["KIND", "NAME", "NAMESPACE", "BINDING", "ROLE"]
            .map(String::from)
            .to_vec(),
    );
    for g in grants {
        t.add_row(vec![
            g.subject.kind.clone(),
            g.subject.name.clone(),
            g.subject.namespace.clone(),
            g.binding.clone(),
            g.role.clone(),
        ]);
    }
    format!("{title}\n{t}\n")
}

/// `matrix` text: one table, a block of rows per subject, a column per
/// namespace and one for cluster-wide permissions.
pub fn matrix(m: &Matrix, color: bool) -> String {
    if m.rows.is_empty() {
        return "No subjects: the files bind nobody.\n".to_string();
    }
    let mut header = vec!["SUBJECT".to_string(), "PERMISSION".to_string()];
    header.extend(m.namespaces.iter().cloned());
    header.push("(cluster)".to_string());
    let mut t = table(header);
    for row in &m.rows {
        let who = match row.subject.kind.as_str() {
            "ServiceAccount" => format!(
                "ServiceAccount {}/{}",
                row.subject.namespace, row.subject.name
            ),
            k => format!("{k} {}", row.subject.name),
        };
        for (i, perm) in m.permissions.iter().enumerate() {
            let mut line = vec![
                if i == 0 { who.clone() } else { String::new() },
                perm.label.to_string(),
            ];
            let cell = |ns: &str| {
                row.cells
                    .iter()
                    .find(|c| c.permission == perm.label && c.namespace == ns)
                    .map(|c| {
                        if c.allowed {
                            paint("yes", Style::Green, color)
                        } else {
                            paint("-", Style::Dim, color)
                        }
                    })
                    .unwrap_or_default()
            };
            for ns in &m.namespaces {
                line.push(if perm.namespaced {
                    cell(ns)
                } else {
                    String::new()
                });
            }
            line.push(if perm.namespaced {
                String::new()
            } else {
                cell("")
            });
            t.add_row(line);
        }
    }
    format!("{t}\nyes = allowed; a Group is asked as a member of only that group.\n")
}

/// The `matrix --output json` document.
#[derive(Serialize)]
pub struct MatrixJson<'a> {
    pub matrix: &'a Matrix,
    pub findings: &'a [Finding],
}

/// Findings, one block each.
pub fn findings(fs: &[Finding], color: bool) -> String {
    if fs.is_empty() {
        return "No least-privilege findings.\n".to_string();
    }
    let mut s = paint(&format!("{} finding(s):\n", fs.len()), Style::Bold, color);
    for f in fs {
        let (sev, style) = match f.severity {
            Severity::Error => ("error", Style::Red),
            Severity::Warning => ("warning", Style::Yellow),
            Severity::Info => ("info", Style::Cyan),
        };
        let mut place = match (&f.file, f.line) {
            (Some(file), Some(line)) => format!(" {file}:{line}"),
            (Some(file), None) => format!(" {file}"),
            _ => String::new(),
        };
        if let Some(path) = &f.path {
            place.push_str(&format!(" {path}"));
        }
        // The message names the object already.
        s.push_str(&format!(
            "{} [{}]{place}: {}\n    fix: {}\n",
            paint(sev, style, color),
            f.id,
            f.message,
            f.remediation
        ));
    }
    s
}

/// `can-create` text: `yes`/`no` per object, with the API server's message.
pub fn can_create(verdicts: &[(String, Escalation)], color: bool) -> String {
    let mut s = String::new();
    for (object, e) in verdicts {
        if e.allowed {
            let via = match e.via {
                Some(rbac::Via::SystemMasters) => "the user is in system:masters",
                Some(rbac::Via::Bind) => "the user may bind the referenced role",
                Some(rbac::Via::Escalate) => "the user may escalate roles",
                Some(rbac::Via::Covers) | None => {
                    "the user already holds every permission it grants"
                }
            };
            s.push_str(&format!(
                "{} {object}: {via}\n",
                paint("yes", Style::Green, color)
            ));
        } else {
            s.push_str(&format!(
                "{} {object}: {}\n",
                paint("no", Style::Red, color),
                e.message
            ));
        }
    }
    s
}

#[derive(Serialize)]
struct CanCreateJson<'a> {
    object: &'a str,
    #[serde(flatten)]
    escalation: &'a Escalation,
}

/// The `can-create --output json` document: one entry per object.
pub fn can_create_json(verdicts: &[(String, Escalation)]) -> impl Serialize + '_ {
    verdicts
        .iter()
        .map(|(object, escalation)| CanCreateJson { object, escalation })
        .collect::<Vec<_>>()
}
