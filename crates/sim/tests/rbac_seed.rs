//! The seed's multi-team RBAC, run: who can read Secrets in which team
//! namespace, what the platform-admin ClusterRole grants (nothing, it is
//! unbound), and the findings a reviewer would raise.

use kubeprep_sim::manifest;
use kubeprep_sim::rbac::{self, Attributes, Policy, Target, UserInfo};

fn load(name: &str) -> Policy {
    let path = format!("{}/tests/fixtures/rbac/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("fixture");
    let parsed = manifest::parse_str(&path, &text);
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    Policy::from_documents(&parsed.documents)
}

/// `kubectl auth can-i VERB RESOURCE[/SUB] -n NS --as USER --as-group GROUP`.
#[track_caller]
fn check(p: &Policy, user: &str, group: &str, verb: &str, resource: &str, ns: &str, want: bool) {
    let groups: Vec<String> = if group.is_empty() {
        vec![]
    } else {
        vec![group.to_string()]
    };
    let (res, sub) = resource.split_once('/').unwrap_or((resource, ""));
    let (r, _) = rbac::resources::resolve(res);
    let d = p.authorize(&Attributes {
        user: UserInfo::impersonated(user, &groups),
        verb: verb.into(),
        target: Target::Resource {
            namespace: ns.into(),
            api_group: r.group,
            resource: r.resource,
            subresource: sub.into(),
            name: String::new(),
        },
    });
    assert_eq!(
        d.allowed, want,
        "{user} ({group}) {verb} {resource} in {ns:?}: {}",
        d.reason
    );
}

#[test]
fn seed_secrets_stay_inside_the_team_namespace() {
    let p = load("seed.yaml");
    // Backend developers read every Secret in their own namespace...
    check(
        &p,
        "jane",
        "backend-team",
        "get",
        "secrets",
        "backend-team",
        true,
    );
    check(
        &p,
        "jane",
        "backend-team",
        "list",
        "secrets",
        "backend-team",
        true,
    );
    check(
        &p,
        "jane",
        "backend-team",
        "watch",
        "secrets",
        "backend-team",
        false,
    );
    check(
        &p,
        "jane",
        "backend-team",
        "delete",
        "secrets",
        "backend-team",
        false,
    );
    // ...and none anywhere else.
    for ns in ["frontend-team", "data-team", "default", ""] {
        check(&p, "jane", "backend-team", "get", "secrets", ns, false);
        check(&p, "jane", "backend-team", "list", "secrets", ns, false);
    }
    // The other teams have no binding at all in the seed.
    check(
        &p,
        "fred",
        "frontend-team",
        "get",
        "secrets",
        "frontend-team",
        false,
    );
    check(&p, "dana", "data-team", "list", "pods", "data-team", false);
    // pods/exec and daemonsets are granted; RBAC objects are not.
    check(
        &p,
        "jane",
        "backend-team",
        "create",
        "pods/exec",
        "backend-team",
        true,
    );
    check(
        &p,
        "jane",
        "backend-team",
        "create",
        "daemonsets",
        "backend-team",
        true,
    );
    check(
        &p,
        "jane",
        "backend-team",
        "delete",
        "deployments",
        "backend-team",
        false,
    );
    check(
        &p,
        "jane",
        "backend-team",
        "create",
        "rolebindings",
        "backend-team",
        false,
    );
}

#[test]
fn seed_platform_admin_is_unbound() {
    let p = load("seed.yaml");
    check(
        &p,
        "pat",
        "platform-team",
        "delete",
        "namespaces",
        "",
        false,
    );
    check(&p, "pat", "platform-team", "get", "nodes", "", false);
    let f = rbac::findings(&p);
    let ids: Vec<(&str, &str)> = f
        .iter()
        .map(|f| (f.id.as_str(), f.object.as_str()))
        .collect();
    assert!(
        ids.contains(&("rbac.unbound-role", "ClusterRole/platform-admin")),
        "{ids:?}"
    );
    assert!(
        ids.contains(&("rbac.secrets-list", "Role/backend-team/developer")),
        "{ids:?}"
    );
    assert!(
        ids.contains(&("rbac.pods-exec", "Role/backend-team/developer")),
        "{ids:?}"
    );
    assert!(
        ids.contains(&("rbac.wildcard-verb", "ClusterRole/platform-admin")),
        "{ids:?}"
    );
    assert!(
        ids.contains(&("rbac.escalation-verb", "ClusterRole/platform-admin")),
        "{ids:?}"
    );
    assert!(
        !ids.iter().any(|(id, _)| *id == "rbac.missing-role"),
        "{ids:?}"
    );
    let unbound = f.iter().find(|f| f.id == "rbac.unbound-role").unwrap();
    assert!(unbound.file.as_deref().unwrap().ends_with("seed.yaml"));
    // The line is the manifest parser's (48 once it locates documents).
    assert!(unbound.line.is_some());
}

#[test]
fn corrected_setup_meets_the_four_requirements() {
    let p = load("corrected.yaml");
    let teams = ["frontend-team", "backend-team", "data-team"];
    for team in teams {
        for ns in teams {
            let own = team == ns;
            // 1. Each team manages its own workloads in its own namespace only.
            check(&p, "dev", team, "create", "deployments", ns, own);
            check(&p, "dev", team, "update", "deployments/scale", ns, own);
            // 2. Nobody in a team reads Secrets, its own included; writing its own is fine.
            check(&p, "dev", team, "get", "secrets", ns, false);
            check(&p, "dev", team, "list", "secrets", ns, false);
            check(&p, "dev", team, "create", "secrets", ns, own);
            check(&p, "dev", team, "create", "pods/exec", ns, false);
        }
    }
    // 3. The platform team administers the cluster.
    check(&p, "pat", "platform-team", "delete", "namespaces", "", true);
    check(&p, "pat", "platform-team", "bind", "clusterroles", "", true);
    // 4. Its `*` on RBAC objects lets it grant itself anything: cluster-admin in disguise.
    let pat = UserInfo::impersonated("pat", &["platform-team".into()]);
    let everything = rbac::RoleDef {
        kind: rbac::RoleKind::ClusterRole,
        namespace: String::new(),
        name: "anything".into(),
        rules: rbac::builtin::rules("cluster-admin").unwrap(),
        labels: Default::default(),
        aggregation: None,
        builtin: false,
        source: Default::default(),
    };
    assert_eq!(
        p.can_create_role(&pat, &everything).via,
        Some(rbac::Via::Escalate)
    );
    let dev = UserInfo::impersonated("jane", &["backend-team".into()]);
    assert!(!p.can_create_role(&dev, &everything).allowed);
    let who: Vec<String> = p
        .who_can("get", &Target::resource("frontend-team", "", "secrets"))
        .iter()
        .map(|g| g.subject.name.clone())
        .collect();
    assert!(who.is_empty(), "{who:?}");
    assert!(!rbac::findings(&p)
        .iter()
        .any(|f| f.id == "rbac.unbound-role"));
}

#[test]
fn matrix_of_the_seed() {
    let p = load("seed.yaml");
    let m = rbac::matrix(&p, &[]);
    assert_eq!(m.namespaces, ["backend-team", "data-team", "frontend-team"]);
    assert_eq!(m.rows.len(), 1);
    let row = &m.rows[0];
    assert_eq!(row.subject.name, "backend-team");
    let allowed: Vec<(&str, &str)> = row
        .cells
        .iter()
        .filter(|c| c.allowed)
        .map(|c| (c.permission, c.namespace.as_str()))
        .collect();
    assert_eq!(
        allowed,
        [
            ("get secrets", "backend-team"),
            ("list secrets", "backend-team"),
            ("create pods", "backend-team"),
            ("create pods/exec", "backend-team"),
            ("create deployments", "backend-team"),
            ("update deployments", "backend-team"),
        ]
    );
}
