//! Least-privilege findings on small policies: each check fires on what it
//! is about and stays quiet on the corrected form.

use kubeprep_sim::check::Severity;
use kubeprep_sim::manifest;
use kubeprep_sim::rbac::{self, Policy};

fn findings(yaml: &str) -> Vec<(String, String, Severity)> {
    let parsed = manifest::parse_str("t.yaml", yaml);
    // Only a roleRef the API server refuses may be wrong: that is what some cases test.
    assert!(
        parsed
            .problems
            .iter()
            .all(|p| p.path.starts_with("roleRef")),
        "{:?}",
        parsed.problems
    );
    rbac::findings(&Policy::from_documents(&parsed.documents))
        .into_iter()
        .map(|f| (f.id, f.object, f.severity))
        .collect()
}

#[track_caller]
fn check(yaml: &str, want: &[(&str, &str, Severity)]) {
    let got = findings(yaml);
    let got: Vec<(&str, &str, Severity)> = got
        .iter()
        .map(|(i, o, s)| (i.as_str(), o.as_str(), *s))
        .collect();
    assert_eq!(got, want);
}

const RB: &str = "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\n";
const CRB: &str = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\n";
const CR: &str = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n";

#[test]
fn bindings() {
    use Severity::*;
    check(
        &format!("{CRB}metadata: {{name: admins}}\nsubjects: [{{kind: Group, name: ops}}]\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}}\n"),
        &[("rbac.cluster-admin-binding", "ClusterRoleBinding/admins", Warning)],
    );
    check(
        &format!("{RB}metadata: {{name: b, namespace: a}}\nsubjects: [{{kind: User, name: u}}]\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: ghost}}\n"),
        &[("rbac.missing-role", "RoleBinding/a/b", Error)],
    );
    check(
        &format!("{CRB}metadata: {{name: d}}\nsubjects: [{{kind: User, name: u}}]\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: 'system:auth-delegator'}}\n"),
        &[("rbac.missing-role", "ClusterRoleBinding/d", Warning)],
    );
    check(
        &format!("{CRB}metadata: {{name: d}}\nsubjects: [{{kind: User, name: u}}]\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}}\n"),
        &[("rbac.invalid-role-ref", "ClusterRoleBinding/d", Error)],
    );
    check(
        &format!("{RB}metadata: {{name: b, namespace: a}}\nsubjects: [{{kind: ServiceAccount, name: ci, namespace: tools}}, {{kind: ServiceAccount, name: own}}]\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}}\n"),
        &[("rbac.cross-namespace-service-account", "RoleBinding/a/b", Info)],
    );
}

#[test]
fn roles() {
    use Severity::*;
    let bound = |role: &str| {
        format!("---\n{CRB}metadata: {{name: x}}\nsubjects: [{{kind: User, name: u}}]\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: {role}}}\n")
    };
    check(
        &format!("{CR}metadata: {{name: all}}\nrules: [{{apiGroups: ['*'], resources: ['*'], verbs: ['*']}}]\n{}", bound("all")),
        &[
            ("rbac.wildcard-verb", "ClusterRole/all", Warning),
            ("rbac.wildcard-resource", "ClusterRole/all", Warning),
            ("rbac.wildcard-api-group", "ClusterRole/all", Warning),
            ("rbac.secrets-list", "ClusterRole/all", Warning),
            ("rbac.escalation-verb", "ClusterRole/all", Warning),
        ],
    );
    check(
        &format!("{CR}metadata: {{name: s}}\nrules: [{{apiGroups: [''], resources: [secrets], verbs: [get]}}, {{apiGroups: [''], resources: [pods/attach], verbs: [create]}}, {{apiGroups: [''], resources: [users], verbs: [impersonate]}}]\n{}", bound("s")),
        &[
            ("rbac.secrets-get", "ClusterRole/s", Info),
            ("rbac.pods-exec", "ClusterRole/s", Warning),
            ("rbac.escalation-verb", "ClusterRole/s", Warning),
        ],
    );
    // Named get on secrets, aggregated roles and bound roles are fine.
    check(
        &format!("{CR}metadata: {{name: s, labels: {{agg: 'yes'}}}}\nrules: [{{apiGroups: [''], resources: [secrets], resourceNames: [db], verbs: [get]}}]\n---\n{CR}metadata: {{name: a}}\naggregationRule: {{clusterRoleSelectors: [{{matchLabels: {{agg: 'yes'}}}}]}}\n{}", bound("a")),
        &[],
    );
    check(
        &format!("{CR}metadata: {{name: lonely}}\nrules: [{{apiGroups: [''], resources: [pods], verbs: [get]}}]\n"),
        &[("rbac.unbound-role", "ClusterRole/lonely", Warning)],
    );
}
