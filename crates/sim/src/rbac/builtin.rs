//! The built-in ClusterRoles a binding may name without the files defining
//! them: `cluster-admin`, `admin`, `edit` and `view`.
//!
//! `cluster-admin` is exact. `admin`, `edit` and `view` are abbreviated from
//! the bootstrap policy (`plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go`):
//! the resources an interview is about, with the real verbs; deprecated
//! `extensions` and rarely used groups are left out.

use super::rule::Rule;

const READ: &[&str] = &["get", "list", "watch"];
const WRITE: &[&str] = &["create", "delete", "deletecollection", "patch", "update"];

fn r(verbs: &[&str], groups: &[&str], resources: &[&str]) -> Rule {
    let s = |l: &[&str]| l.iter().map(|x| x.to_string()).collect();
    Rule {
        verbs: s(verbs),
        api_groups: s(groups),
        resources: s(resources),
        ..Rule::default()
    }
}

/// The names of the built-in ClusterRoles known here.
pub const NAMES: &[&str] = &["cluster-admin", "admin", "edit", "view"];

fn view() -> Vec<Rule> {
    vec![
        r(
            READ,
            &[""],
            &[
                "configmaps",
                "endpoints",
                "persistentvolumeclaims",
                "persistentvolumeclaims/status",
                "pods",
                "pods/log",
                "pods/status",
                "replicationcontrollers",
                "replicationcontrollers/scale",
                "replicationcontrollers/status",
                "serviceaccounts",
                "services",
                "services/status",
                "bindings",
                "events",
                "limitranges",
                "namespaces/status",
                "resourcequotas",
                "resourcequotas/status",
            ],
        ),
        r(READ, &[""], &["namespaces"]),
        r(READ, &["discovery.k8s.io"], &["endpointslices"]),
        r(
            READ,
            &["apps"],
            &[
                "controllerrevisions",
                "daemonsets",
                "daemonsets/status",
                "deployments",
                "deployments/scale",
                "deployments/status",
                "replicasets",
                "replicasets/scale",
                "replicasets/status",
                "statefulsets",
                "statefulsets/scale",
                "statefulsets/status",
            ],
        ),
        r(
            READ,
            &["autoscaling"],
            &[
                "horizontalpodautoscalers",
                "horizontalpodautoscalers/status",
            ],
        ),
        r(
            READ,
            &["batch"],
            &["cronjobs", "cronjobs/status", "jobs", "jobs/status"],
        ),
        r(
            READ,
            &["policy"],
            &["poddisruptionbudgets", "poddisruptionbudgets/status"],
        ),
        r(
            READ,
            &["networking.k8s.io"],
            &["ingresses", "ingresses/status", "networkpolicies"],
        ),
    ]
}

fn edit() -> Vec<Rule> {
    let mut rules = vec![
        r(
            WRITE,
            &[""],
            &[
                "pods",
                "pods/attach",
                "pods/exec",
                "pods/portforward",
                "pods/proxy",
            ],
        ),
        r(&["create"], &[""], &["pods/eviction"]),
        r(
            WRITE,
            &[""],
            &[
                "configmaps",
                "events",
                "persistentvolumeclaims",
                "replicationcontrollers",
                "replicationcontrollers/scale",
                "secrets",
                "serviceaccounts",
                "services",
                "services/proxy",
            ],
        ),
        r(&["create"], &[""], &["serviceaccounts/token"]),
        r(
            WRITE,
            &["apps"],
            &[
                "daemonsets",
                "deployments",
                "deployments/rollback",
                "deployments/scale",
                "replicasets",
                "replicasets/scale",
                "statefulsets",
                "statefulsets/scale",
            ],
        ),
        r(WRITE, &["autoscaling"], &["horizontalpodautoscalers"]),
        r(WRITE, &["batch"], &["cronjobs", "jobs"]),
        r(
            WRITE,
            &["networking.k8s.io"],
            &["ingresses", "networkpolicies"],
        ),
        r(WRITE, &["policy"], &["poddisruptionbudgets"]),
        r(
            READ,
            &[""],
            &[
                "pods/attach",
                "pods/exec",
                "pods/portforward",
                "pods/proxy",
                "secrets",
                "services/proxy",
            ],
        ),
        r(&["impersonate"], &[""], &["serviceaccounts"]),
    ];
    rules.extend(view());
    rules
}

fn admin() -> Vec<Rule> {
    let mut rules = vec![
        r(
            &[
                "create",
                "delete",
                "deletecollection",
                "get",
                "list",
                "patch",
                "update",
                "watch",
            ],
            &["rbac.authorization.k8s.io"],
            &["rolebindings", "roles"],
        ),
        r(
            &["create"],
            &["authorization.k8s.io"],
            &["localsubjectaccessreviews"],
        ),
    ];
    rules.extend(edit());
    rules
}

/// The rules of a built-in ClusterRole, or None for another name.
pub fn rules(name: &str) -> Option<Vec<Rule>> {
    match name {
        "cluster-admin" => Some(vec![
            r(&["*"], &["*"], &["*"]),
            Rule {
                verbs: vec!["*".into()],
                non_resource_urls: vec!["*".into()],
                ..Rule::default()
            },
        ]),
        "admin" => Some(admin()),
        "edit" => Some(edit()),
        "view" => Some(view()),
        _ => None,
    }
}
