//! RBAC speed: a million `can-i` checks against 10,000 bindings (and a
//! 100-binding baseline), through the subject and namespace indexes.

use kubeprep_sim::manifest;
use kubeprep_sim::rbac::{Attributes, Policy, Target, UserInfo};

fn main() {
    divan::main();
}

const CHECKS: usize = 1_000_000;

/// `bindings` bindings over 100 namespaces: RoleBindings of four roles to
/// users, groups and ServiceAccounts, and one ClusterRoleBinding in 100.
fn policy(bindings: usize) -> Policy {
    let mut y = String::from(
        "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: dev}
rules:
- {apiGroups: [apps], resources: [deployments, statefulsets, deployments/scale], verbs: [get, list, watch, create, update, patch]}
- {apiGroups: [''], resources: [pods, services, configmaps], verbs: [get, list, watch, create, delete]}
- {apiGroups: [''], resources: [secrets], verbs: [create, update]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules:
- {apiGroups: ['', apps, batch], resources: ['*'], verbs: [get, list, watch]}
- {nonResourceURLs: ['/metrics', '/logs/*'], verbs: [get]}
",
    );
    for i in 0..bindings {
        let ns = i % 100;
        let (kind, role) = if i % 2 == 0 {
            ("ClusterRole", "dev")
        } else {
            ("ClusterRole", "reader")
        };
        let subject = match i % 3 {
            0 => format!("{{kind: User, name: user-{i}}}"),
            1 => format!("{{kind: Group, name: team-{}}}", i % 500),
            _ => format!("{{kind: ServiceAccount, name: sa-{i}, namespace: ns-{ns}}}"),
        };
        if i % 100 == 99 {
            y.push_str(&format!(
                "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {{name: crb-{i}}}\nsubjects: [{subject}]\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: {kind}, name: {role}}}\n"
            ));
        } else {
            y.push_str(&format!(
                "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {{name: rb-{i}, namespace: ns-{ns}}}\nsubjects: [{subject}]\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: {kind}, name: {role}}}\n"
            ));
        }
    }
    // As several files: one file of 10,000 bindings is over the reader's
    // limit on values per file.
    let mut parsed = manifest::Parsed::default();
    for (n, chunk) in y
        .split("\n---\n")
        .collect::<Vec<_>>()
        .chunks(500)
        .enumerate()
    {
        parsed.extend(manifest::parse_str(
            &format!("bench-{n}.yaml"),
            &chunk.join("\n---\n"),
        ));
    }
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems.first());
    Policy::from_documents(&parsed.documents)
}

/// A deterministic mix of requests: users that match and users that do not,
/// groups, ServiceAccounts, namespaced and cluster-wide, URLs.
fn requests(bindings: usize) -> Vec<Attributes> {
    let verbs = ["get", "list", "create", "delete", "update"];
    let resources = [
        ("", "pods"),
        ("", "secrets"),
        ("apps", "deployments"),
        ("batch", "jobs"),
    ];
    (0..1000)
        .map(|k| {
            let i = (k * 7919) % bindings.max(1);
            let user = match k % 4 {
                0 => UserInfo::impersonated(&format!("user-{i}"), &[]),
                1 => UserInfo::impersonated("someone", &[format!("team-{}", i % 500)]),
                2 => UserInfo::impersonated(
                    &format!("system:serviceaccount:ns-{}:sa-{i}", i % 100),
                    &[],
                ),
                _ => UserInfo::impersonated("stranger", &["nobody".into()]),
            };
            let target = if k % 50 == 0 {
                Target::NonResource {
                    path: "/logs/kubelet".into(),
                }
            } else {
                let (g, r) = resources[k % resources.len()];
                let ns = if k % 10 == 0 {
                    String::new()
                } else {
                    format!("ns-{}", (i + k % 3) % 100)
                };
                Target::resource(&ns, g, r)
            };
            Attributes {
                user,
                verb: verbs[k % verbs.len()].into(),
                target,
            }
        })
        .collect()
}

#[divan::bench(args = [100, 10_000], sample_count = 5, sample_size = 1)]
fn million_can_i(bencher: divan::Bencher, bindings: usize) {
    let p = policy(bindings);
    let reqs = requests(bindings);
    bencher.bench_local(|| {
        let mut allowed = 0usize;
        for n in 0..CHECKS {
            if p.authorize(divan::black_box(&reqs[n % reqs.len()])).allowed {
                allowed += 1;
            }
        }
        allowed
    });
}

#[divan::bench(args = [100, 10_000], sample_count = 5, sample_size = 1)]
fn million_allows_without_reason(bencher: divan::Bencher, bindings: usize) {
    let p = policy(bindings);
    let reqs = requests(bindings);
    bencher.bench_local(|| {
        let mut allowed = 0usize;
        for n in 0..CHECKS {
            if p.allows(divan::black_box(&reqs[n % reqs.len()])) {
                allowed += 1;
            }
        }
        allowed
    });
}
