//! Least-privilege findings about a policy: wildcards, Secret reads,
//! `pods/exec`, privilege-escalation verbs, cluster-admin bindings, roles
//! nobody is bound to and bindings to roles that do not exist.
//!
//! Findings never change what the authorizer decides; they say what a
//! reviewer would flag.

use crate::check::{Finding, Severity};

use super::{builtin, Binding, Policy, RoleDef, RoleKind, Rule};

fn finding(
    id: &str,
    severity: Severity,
    object: String,
    source: &super::Source,
    path: Option<String>,
    message: String,
    remediation: &str,
) -> Finding {
    Finding {
        id: id.to_string(),
        severity,
        object,
        file: source.file.clone(),
        line: source.line,
        path,
        message,
        remediation: remediation.to_string(),
    }
}

fn grants(rule: &Rule, verb: &str) -> bool {
    rule.verbs.iter().any(|v| v == verb)
}

fn core(rule: &Rule) -> bool {
    rule.api_groups.iter().any(|g| g.is_empty() || g == "*")
}

fn role_findings(role: &RoleDef, out: &mut Vec<Finding>) {
    let object = role.reference();
    for (i, rule) in role.rules.iter().enumerate() {
        let path = |field: &str| Some(format!("rules[{i}].{field}"));
        let mut push = |id: &str, sev: Severity, field: &str, message: String, fix: &str| {
            out.push(finding(
                id,
                sev,
                object.clone(),
                &role.source,
                path(field),
                message,
                fix,
            ));
        };
        if rule.verbs.iter().any(|v| v == "*") {
            push(
                "rbac.wildcard-verb",
                Severity::Warning,
                "verbs",
                format!("{object} grants every verb (`*`), including bind, escalate and impersonate where they apply"),
                "List the verbs the role needs (get, list, watch, create, update, patch, delete).",
            );
        }
        if rule.resources.iter().any(|r| r == "*") {
            push(
                "rbac.wildcard-resource",
                Severity::Warning,
                "resources",
                format!("{object} grants every resource (`*`) of its API groups, Secrets included"),
                "List the resources the role needs.",
            );
        }
        if rule.api_groups.iter().any(|g| g == "*") {
            push(
                "rbac.wildcard-api-group",
                Severity::Warning,
                "apiGroups",
                format!("{object} grants its resources in every API group (`*`), including ones added later"),
                "List the API groups (\"\" for core, apps, batch, ...).",
            );
        }
        let secrets = core(rule) && rule.resources.iter().any(|r| r == "secrets" || r == "*");
        if secrets {
            let reads: Vec<&str> = ["list", "watch", "*"]
                .into_iter()
                .filter(|v| grants(rule, v))
                .collect();
            if !reads.is_empty() {
                push(
                    "rbac.secrets-list",
                    Severity::Warning,
                    "resources",
                    format!(
                        "{object} can {} Secrets: list and watch return every Secret's data in the namespace{}",
                        reads.join("/"),
                        if role.kind == RoleKind::ClusterRole { " (every namespace when bound by a ClusterRoleBinding)" } else { "" }
                    ),
                    "Drop list/watch on secrets; grant get on named Secrets (resourceNames) or mount them into the workloads that need them.",
                );
            } else if grants(rule, "get") && rule.resource_names.is_empty() {
                push(
                    "rbac.secrets-get",
                    Severity::Info,
                    "resources",
                    format!("{object} can read any Secret by name (get without resourceNames)"),
                    "Limit get on secrets with resourceNames, or leave reads to the workloads.",
                );
            }
        }
        let exec: Vec<&str> = rule
            .resources
            .iter()
            .map(String::as_str)
            .filter(|r| matches!(*r, "pods/exec" | "pods/attach" | "*/exec" | "*/attach"))
            .collect();
        if core(rule)
            && !exec.is_empty()
            && (grants(rule, "create") || grants(rule, "get") || grants(rule, "*"))
        {
            push(
                "rbac.pods-exec",
                Severity::Warning,
                "resources",
                format!(
                    "{object} grants {}: a shell in any Pod it covers, with that Pod's environment, mounted Secrets and ServiceAccount token",
                    exec.join(", ")
                ),
                "Keep exec/attach for break-glass roles; use logs and ephemeral debug containers otherwise.",
            );
        }
        let dangerous: Vec<&str> = ["bind", "escalate", "impersonate"]
            .into_iter()
            .filter(|v| grants(rule, v))
            .collect();
        if !dangerous.is_empty() {
            push(
                "rbac.escalation-verb",
                Severity::Warning,
                "verbs",
                format!(
                    "{object} grants {}: the holder can gain permissions it does not have",
                    dangerous.join(", ")
                ),
                "Grant bind/escalate only with resourceNames on specific roles, impersonate only to a platform group.",
            );
        }
        let rbac_write = rule
            .api_groups
            .iter()
            .any(|g| g == super::RBAC_GROUP || g == "*")
            && rule.verbs.iter().any(|v| v == "*")
            && rule
                .resources
                .iter()
                .any(|r| r.contains("role") || r == "*");
        if rbac_write {
            push(
                "rbac.escalation-verb",
                Severity::Warning,
                "verbs",
                format!("{object} grants `*` on RBAC objects, which includes bind and escalate: cluster-admin in disguise"),
                "List the verbs without bind and escalate, or bind cluster-admin to a small group openly.",
            );
        }
    }
}

fn binding_findings(policy: &Policy, i: usize, b: &Binding, out: &mut Vec<Finding>) {
    let object = b.reference();
    let role = policy.role_of(i);
    if b.namespace.is_none() && b.role_kind == "Role" {
        out.push(finding(
            "rbac.invalid-role-ref",
            Severity::Error,
            object.clone(),
            &b.source,
            Some("roleRef.kind".into()),
            format!("{object} refers to Role {:?}; a ClusterRoleBinding can only refer to a ClusterRole", b.role_name),
            "Use a RoleBinding in the Role's namespace, or refer to a ClusterRole.",
        ));
    } else if role.is_none()
        && !(b.role_kind == "ClusterRole" && builtin::rules(&b.role_name).is_some())
    {
        // `system:` ClusterRoles exist in every cluster but are not modelled here.
        let system = b.role_kind == "ClusterRole" && b.role_name.starts_with("system:");
        out.push(finding(
            "rbac.missing-role",
            if system {
                Severity::Warning
            } else {
                Severity::Error
            },
            object.clone(),
            &b.source,
            Some("roleRef.name".into()),
            format!(
                "{object} refers to {} {:?}, which the files do not define{}: {}",
                b.role_kind,
                b.role_name,
                b.namespace.as_ref().filter(|_| b.role_kind == "Role").map(|ns| format!(" in namespace {ns}")).unwrap_or_default(),
                if system {
                    "a cluster's built-in system: roles are not modelled, so here the binding grants nothing"
                } else {
                    "the binding grants nothing"
                }
            ),
            "Define the role (a Role in the binding's namespace, or a ClusterRole), or fix roleRef.name.",
        ));
    }
    if b.role_kind == "ClusterRole" && b.role_name == "cluster-admin" {
        out.push(finding(
            "rbac.cluster-admin-binding",
            Severity::Warning,
            object.clone(),
            &b.source,
            Some("roleRef.name".into()),
            format!(
                "{object} grants cluster-admin (every verb on every resource{})",
                if b.namespace.is_some() { " in its namespace, RBAC objects included" } else { " in every namespace" }
            ),
            "Bind a role with only the permissions needed; keep cluster-admin for a small break-glass group.",
        ));
    }
    if let Some(ns) = &b.namespace {
        for (j, s) in b.subjects.iter().enumerate() {
            if s.kind == "ServiceAccount" && !s.namespace.is_empty() && s.namespace != *ns {
                out.push(finding(
                    "rbac.cross-namespace-service-account",
                    Severity::Info,
                    object.clone(),
                    &b.source,
                    Some(format!("subjects[{j}].namespace")),
                    format!(
                        "{object} grants rights in {ns} to ServiceAccount {}/{}, from another namespace",
                        s.namespace, s.name
                    ),
                    "Make sure that workload should reach into this namespace.",
                ));
            }
        }
    }
    if b.subjects.is_empty() {
        out.push(finding(
            "rbac.no-subjects",
            Severity::Info,
            object,
            &b.source,
            Some("subjects".into()),
            format!("{} has no subjects and grants nothing", b.reference()),
            "Add the User, Group or ServiceAccount the binding is for.",
        ));
    }
}

/// The least-privilege findings of a policy, roles first, then bindings,
/// in the order they were read.
pub fn findings(policy: &Policy) -> Vec<Finding> {
    let mut out = Vec::new();
    for role in policy.roles() {
        if role.builtin {
            continue;
        }
        role_findings(role, &mut out);
        let bound = policy.bindings().iter().any(|b| {
            b.role_name == role.name
                && match role.kind {
                    RoleKind::ClusterRole => b.role_kind == "ClusterRole",
                    RoleKind::Role => b.role_kind == "Role" && b.ns() == role.namespace,
                }
        });
        let aggregated = role.kind == RoleKind::ClusterRole
            && policy.roles().iter().any(|o| {
                o.aggregation.as_ref().is_some_and(|s| {
                    o.name != role.name && s.iter().any(|s| s.matches(&role.labels))
                })
            });
        if !bound && !aggregated {
            out.push(finding(
                "rbac.unbound-role",
                Severity::Warning,
                role.reference(),
                &role.source,
                None,
                format!("{} is bound to nobody, so it grants nothing", role.reference()),
                "Add a RoleBinding or ClusterRoleBinding naming the group that needs it, or delete the role.",
            ));
        }
    }
    for (i, b) in policy.bindings().iter().enumerate() {
        binding_findings(policy, i, b, &mut out);
    }
    out
}
