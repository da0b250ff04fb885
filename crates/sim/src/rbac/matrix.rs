//! The permission matrix: subjects × namespaces × key permissions, each cell
//! a `can-i` answer with the binding that grants it.
//!
//! A Group subject is asked as a user in only that group (plus
//! `system:authenticated`); a ServiceAccount with the groups the
//! authenticator gives it.

use serde::Serialize;

use super::{Attributes, Policy, Subject, Target, UserInfo, RBAC_GROUP};

/// One key permission the matrix asks about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Permission {
    /// Short label, kubectl-like (`get secrets`, `create pods/exec`).
    pub label: &'static str,
    /// The verb.
    pub verb: &'static str,
    /// The API group.
    pub group: &'static str,
    /// The resource.
    pub resource: &'static str,
    /// The subresource, or "".
    pub subresource: &'static str,
    /// Asked per namespace (true) or once cluster-wide (false).
    pub namespaced: bool,
}

const fn p(
    label: &'static str,
    verb: &'static str,
    group: &'static str,
    resource: &'static str,
    subresource: &'static str,
    namespaced: bool,
) -> Permission {
    Permission {
        label,
        verb,
        group,
        resource,
        subresource,
        namespaced,
    }
}

/// The permissions an RBAC review looks at first.
pub const KEY_PERMISSIONS: &[Permission] = &[
    p("get secrets", "get", "", "secrets", "", true),
    p("list secrets", "list", "", "secrets", "", true),
    p("create pods", "create", "", "pods", "", true),
    p("create pods/exec", "create", "", "pods", "exec", true),
    p(
        "create deployments",
        "create",
        "apps",
        "deployments",
        "",
        true,
    ),
    p(
        "update deployments",
        "update",
        "apps",
        "deployments",
        "",
        true,
    ),
    p(
        "create rolebindings",
        "create",
        RBAC_GROUP,
        "rolebindings",
        "",
        true,
    ),
    p(
        "bind clusterroles",
        "bind",
        RBAC_GROUP,
        "clusterroles",
        "",
        true,
    ),
    p("escalate roles", "escalate", RBAC_GROUP, "roles", "", true),
    p("impersonate users", "impersonate", "", "users", "", false),
    p("delete namespaces", "delete", "", "namespaces", "", false),
    p("get nodes", "get", "", "nodes", "", false),
    p(
        "create clusterrolebindings",
        "create",
        RBAC_GROUP,
        "clusterrolebindings",
        "",
        false,
    ),
];

/// One answer of the matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cell {
    /// The permission's label.
    pub permission: &'static str,
    /// The namespace, "" for a cluster-wide permission.
    pub namespace: String,
    /// Allowed or not.
    pub allowed: bool,
    /// The binding that grants it, when allowed.
    pub binding: Option<String>,
}

/// One subject's answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MatrixRow {
    /// The subject (a ServiceAccount with its namespace resolved).
    pub subject: Subject,
    /// The user asked as.
    pub user: UserInfo,
    /// One cell per namespaced permission × namespace, then per cluster permission.
    pub cells: Vec<Cell>,
}

/// Subjects × namespaces × key permissions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Matrix {
    /// The namespaces asked about.
    pub namespaces: Vec<String>,
    /// The permissions asked about.
    pub permissions: Vec<Permission>,
    /// One row per subject.
    pub rows: Vec<MatrixRow>,
}

/// The user a subject stands for.
pub fn user_for(subject: &Subject) -> UserInfo {
    match subject.kind.as_str() {
        "Group" => UserInfo {
            name: format!("member-of:{}", subject.name),
            groups: vec![subject.name.clone(), super::AUTHENTICATED.into()],
        },
        "ServiceAccount" => UserInfo::impersonated(
            &format!(
                "system:serviceaccount:{}:{}",
                subject.namespace, subject.name
            ),
            &[],
        ),
        _ => UserInfo::impersonated(&subject.name, &[]),
    }
}

/// Every subject the bindings name (ServiceAccounts with their namespace
/// resolved), sorted by kind and name.
pub fn subjects(policy: &Policy) -> Vec<Subject> {
    let mut out: Vec<Subject> = Vec::new();
    for b in policy.bindings() {
        for s in &b.subjects {
            let s = match s.kind.as_str() {
                "User" | "Group" => Subject {
                    namespace: String::new(),
                    ..s.clone()
                },
                "ServiceAccount" => {
                    let ns = if s.namespace.is_empty() {
                        b.ns()
                    } else {
                        &s.namespace
                    };
                    if ns.is_empty() {
                        continue;
                    }
                    Subject {
                        namespace: ns.to_string(),
                        ..s.clone()
                    }
                }
                _ => continue,
            };
            out.push(s);
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The matrix for these subjects (all the policy names when empty) over
/// the policy's namespaces.
pub fn matrix(policy: &Policy, only: &[Subject]) -> Matrix {
    let subjects = if only.is_empty() {
        subjects(policy)
    } else {
        only.to_vec()
    };
    let namespaces = policy.namespaces().to_vec();
    let rows = subjects
        .into_iter()
        .map(|subject| {
            let user = user_for(&subject);
            let mut cells = Vec::new();
            for perm in KEY_PERMISSIONS {
                let scopes: Vec<&str> = if perm.namespaced {
                    namespaces.iter().map(String::as_str).collect()
                } else {
                    vec![""]
                };
                for ns in scopes {
                    let d = policy.authorize(&Attributes {
                        user: user.clone(),
                        verb: perm.verb.into(),
                        target: Target::Resource {
                            namespace: ns.to_string(),
                            api_group: perm.group.into(),
                            resource: perm.resource.into(),
                            subresource: perm.subresource.into(),
                            name: String::new(),
                        },
                    });
                    cells.push(Cell {
                        permission: perm.label,
                        namespace: ns.to_string(),
                        allowed: d.allowed,
                        binding: d.grant.map(|g| g.binding),
                    });
                }
            }
            MatrixRow {
                subject,
                user,
                cells,
            }
        })
        .collect();
    Matrix {
        namespaces,
        permissions: KEY_PERMISSIONS.to_vec(),
        rows,
    }
}
