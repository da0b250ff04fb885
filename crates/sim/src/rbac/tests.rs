//! The authorizer's table tests, ported from Kubernetes' `rbac_test.go`
//! (TestAuthorizer) and `rule_test.go` (TestAppliesTo), plus the escalation
//! checks of `escalation_check.go` and `rolebinding/policybased/storage.go`.

use super::*;

fn v(s: &str) -> Vec<String> {
    if s.is_empty() {
        Vec::new()
    } else {
        s.split(',').map(str::to_string).collect()
    }
}

/// API groups: "" is the core group, "~" none (a URL rule).
fn g(s: &str) -> Vec<String> {
    if s == "~" {
        Vec::new()
    } else {
        s.split(',').map(str::to_string).collect()
    }
}

/// A rule like upstream's `newRule(verbs, groups, resources, urls)`.
fn rule(verbs: &str, groups: &str, resources: &str, urls: &str) -> Rule {
    Rule {
        verbs: v(verbs),
        api_groups: g(groups),
        resources: v(resources),
        resource_names: Vec::new(),
        non_resource_urls: v(urls),
    }
}

fn role(kind: RoleKind, ns: &str, name: &str, rules: Vec<Rule>) -> RoleDef {
    RoleDef {
        kind,
        namespace: ns.into(),
        name: name.into(),
        rules,
        labels: BTreeMap::new(),
        aggregation: None,
        builtin: false,
        source: Source::default(),
    }
}

/// Subjects written `Kind:name` or `ServiceAccount:ns/name`.
fn subjects(list: &[&str]) -> Vec<Subject> {
    list.iter()
        .map(|s| {
            let (kind, rest) = s.split_once(':').expect("Kind:name");
            let (namespace, name) = match (kind, rest.split_once('/')) {
                ("ServiceAccount", Some((ns, n))) => (ns.to_string(), n.to_string()),
                _ => (String::new(), rest.to_string()),
            };
            Subject {
                kind: kind.into(),
                name,
                namespace,
            }
        })
        .collect()
}

fn binding(
    ns: Option<&str>,
    name: &str,
    role_kind: &str,
    role_name: &str,
    subs: &[&str],
) -> Binding {
    Binding {
        namespace: ns.map(str::to_string),
        name: name.into(),
        role_kind: role_kind.into(),
        role_name: role_name.into(),
        subjects: subjects(subs),
        source: Source::default(),
    }
}

fn policy(roles: Vec<RoleDef>, bindings: Vec<Binding>) -> Policy {
    PolicyBuilder {
        roles,
        bindings,
        namespaces: Vec::new(),
    }
    .build()
}

fn user(name: &str, groups: &str) -> UserInfo {
    UserInfo {
        name: name.into(),
        groups: v(groups),
    }
}

fn res(u: UserInfo, verb: &str, resource: &str, sub: &str, ns: &str, group: &str) -> Attributes {
    Attributes {
        user: u,
        verb: verb.into(),
        target: Target::Resource {
            namespace: ns.into(),
            api_group: group.into(),
            resource: resource.into(),
            subresource: sub.into(),
            name: String::new(),
        },
    }
}

fn url(u: UserInfo, verb: &str, path: &str) -> Attributes {
    Attributes {
        user: u,
        verb: verb.into(),
        target: Target::NonResource { path: path.into() },
    }
}

#[track_caller]
fn check(p: &Policy, a: Attributes, allowed: bool) {
    assert_eq!(
        p.allows(&a),
        allowed,
        "allows: {:?} {} {}",
        a.user,
        a.verb,
        a.target
    );
    let d = p.authorize(&a);
    assert_eq!(
        d.allowed, allowed,
        "{:?} {} {}: {}",
        a.user, a.verb, a.target, d.reason
    );
}

// Upstream: rbac_test.go TestAuthorizer case 0 — a ClusterRole bound by a
// RoleBinding grants only in the RoleBinding's namespace.
#[test]
fn cluster_role_through_role_binding_is_namespaced() {
    let p = policy(
        vec![role(
            RoleKind::ClusterRole,
            "",
            "admin",
            vec![rule("*", "*", "*", "*")],
        )],
        vec![binding(
            Some("ns1"),
            "b",
            "ClusterRole",
            "admin",
            &["User:admin", "Group:admins"],
        )],
    );
    check(
        &p,
        res(user("admin", ""), "get", "Pods", "", "ns1", ""),
        true,
    );
    check(
        &p,
        res(user("admin", ""), "watch", "Pods", "", "ns1", ""),
        true,
    );
    check(
        &p,
        res(user("admin", "group1"), "watch", "Foobar", "", "ns1", ""),
        true,
    );
    check(
        &p,
        res(user("joe", "admins"), "watch", "Foobar", "", "ns1", ""),
        true,
    );
    check(
        &p,
        res(
            user("joe", "group1,admins"),
            "watch",
            "Foobar",
            "",
            "ns1",
            "",
        ),
        true,
    );
    check(
        &p,
        res(user("admin", ""), "GET", "Pods", "", "ns2", ""),
        false,
    );
    check(
        &p,
        res(user("admin", ""), "GET", "Nodes", "", "", ""),
        false,
    );
    check(
        &p,
        res(user("admin", "admins"), "GET", "Pods", "", "ns2", ""),
        false,
    );
    check(
        &p,
        res(user("admin", "admins"), "GET", "Nodes", "", "", ""),
        false,
    );
}

// Upstream: TestAuthorizer case 1 — non-resource URLs.
#[test]
fn non_resource_urls() {
    let p = policy(
        vec![
            role(
                RoleKind::ClusterRole,
                "",
                "non-resource-url-getter",
                vec![rule("get", "", "", "/apis")],
            ),
            role(
                RoleKind::ClusterRole,
                "",
                "non-resource-url",
                vec![rule("*", "", "", "/apis")],
            ),
            role(
                RoleKind::ClusterRole,
                "",
                "non-resource-url-prefix",
                vec![rule("get", "", "", "/apis/*")],
            ),
        ],
        vec![
            binding(
                None,
                "a",
                "ClusterRole",
                "non-resource-url-getter",
                &["User:foo", "Group:bar"],
            ),
            binding(
                None,
                "b",
                "ClusterRole",
                "non-resource-url",
                &["User:admin", "Group:admin"],
            ),
            binding(
                None,
                "c",
                "ClusterRole",
                "non-resource-url-prefix",
                &["User:prefixed", "Group:prefixed"],
            ),
        ],
    );
    check(&p, url(user("foo", ""), "get", "/apis"), true);
    check(&p, url(user("", "bar"), "get", "/apis"), true);
    check(&p, url(user("admin", ""), "get", "/apis"), true);
    check(&p, url(user("", "admin"), "get", "/apis"), true);
    check(&p, url(user("admin", ""), "watch", "/apis"), true);
    check(&p, url(user("", "admin"), "watch", "/apis"), true);
    check(&p, url(user("prefixed", ""), "get", "/apis/v1"), true);
    check(&p, url(user("", "prefixed"), "get", "/apis/v1"), true);
    check(
        &p,
        url(user("prefixed", ""), "get", "/apis/v1/foobar"),
        true,
    );
    check(
        &p,
        url(user("", "prefixed"), "get", "/apis/v1/foorbar"),
        true,
    );
    // Wrong verb.
    check(&p, url(user("foo", ""), "watch", "/apis"), false);
    check(&p, url(user("", "bar"), "watch", "/apis"), false);
    // Wrong path.
    check(&p, url(user("foo", ""), "get", "/api/v1"), false);
    check(&p, url(user("", "bar"), "get", "/api/v1"), false);
    check(&p, url(user("admin", ""), "get", "/api/v1"), false);
    check(&p, url(user("", "admin"), "get", "/api/v1"), false);
    // Not covered by the prefix.
    check(&p, url(user("prefixed", ""), "get", "/api/v1"), false);
    check(&p, url(user("", "prefixed"), "get", "/api/v1"), false);
}

// Upstream: TestAuthorizer cases 2 and 3 — subresource resolution.
#[test]
fn subresources() {
    let p = policy(
        vec![role(
            RoleKind::ClusterRole,
            "",
            "admin",
            vec![rule("*", "*", "pods", "*")],
        )],
        vec![binding(
            Some("ns1"),
            "b",
            "ClusterRole",
            "admin",
            &["User:admin", "Group:admins"],
        )],
    );
    check(
        &p,
        res(user("admin", ""), "get", "pods", "", "ns1", ""),
        true,
    );
    check(
        &p,
        res(user("admin", ""), "get", "pods", "status", "ns1", ""),
        false,
    );
    let p = policy(
        vec![role(
            RoleKind::ClusterRole,
            "",
            "admin",
            vec![rule("*", "*", "pods/status", "*")],
        )],
        vec![binding(
            Some("ns1"),
            "b",
            "ClusterRole",
            "admin",
            &["User:admin", "Group:admins"],
        )],
    );
    check(
        &p,
        res(user("admin", ""), "get", "pods", "status", "ns1", ""),
        true,
    );
    check(
        &p,
        res(user("admin", ""), "get", "pods", "", "ns1", ""),
        false,
    );
}

#[track_caller]
fn check_applies(subs: &[&str], u: UserInfo, binding_ns: &str, want: Option<usize>) {
    let subs = subjects(subs);
    let got = subs.iter().position(|s| s.applies_to(&u, binding_ns));
    assert_eq!(got, want, "{subs:?} for {u:?} in {binding_ns:?}");
}

// Upstream: rule_test.go TestAppliesTo, case by case.
#[test]
fn applies_to() {
    // single subject that matches username
    check_applies(&["User:foobar"], user("foobar", ""), "", Some(0));
    // single subject that does not match username
    check_applies(&["User:foobar"], user("baz", ""), "", None);
    // multiple subjects, one that matches username
    check_applies(
        &["User:foobar", "User:kubernetes-admin"],
        user("kubernetes-admin", ""),
        "",
        Some(1),
    );
    // multiple subjects, none that match username
    check_applies(
        &["User:foobar", "User:kubernetes-admin"],
        user("kubelet", ""),
        "",
        None,
    );
    // multiple subjects, one that matches group
    check_applies(
        &["Group:foobar", "Group:kubernetes-admin"],
        user("baz", "kubernetes-admin"),
        "",
        Some(1),
    );
    // multiple subjects, one that matches group, should skip over non-matching service accounts
    check_applies(
        &[
            "ServiceAccount:kube-system/foobar",
            "Group:foobar",
            "Group:kubernetes-admin",
        ],
        user("baz", "kubernetes-admin"),
        "",
        Some(2),
    );
    // multiple subjects, none that match group
    check_applies(
        &["Group:foobar", "Group:kubernetes-admin"],
        user("baz", "kubernetes-foo"),
        "",
        None,
    );
    // multiple subjects, matches all authenticated / unauthenticated
    check_applies(
        &["Group:foobar", "Group:system:authenticated"],
        user("baz", "system:authenticated"),
        "",
        Some(1),
    );
    check_applies(
        &["Group:foobar", "Group:system:unauthenticated"],
        user("baz", "system:unauthenticated"),
        "",
        Some(1),
    );
    // user and group named alike: a User subject never matches a group
    check_applies(&["User:admins"], user("baz", "admins"), "", None);
    // a subject named `*` is not a wildcard
    check_applies(&["User:*", "Group:*"], user("baz", "admins"), "", None);
    // service account with matching name and namespace
    check_applies(
        &["ServiceAccount:kube-system/default"],
        user("system:serviceaccount:kube-system:default", ""),
        "",
        Some(0),
    );
    // service account without namespace takes the binding's
    check_applies(
        &["ServiceAccount:default"],
        user("system:serviceaccount:default:default", ""),
        "default",
        Some(0),
    );
    check_applies(
        &["ServiceAccount:default"],
        user("system:serviceaccount:other:default", ""),
        "default",
        None,
    );
    // service account without namespace in a ClusterRoleBinding never matches
    check_applies(
        &["ServiceAccount:default"],
        user("system:serviceaccount::default", ""),
        "",
        None,
    );
    // multiple service accounts, one matches
    check_applies(
        &[
            "ServiceAccount:kube-system/foo",
            "ServiceAccount:default/default",
        ],
        user("system:serviceaccount:default:default", ""),
        "",
        Some(1),
    );
    // a service account's name is not a prefix match
    check_applies(
        &["ServiceAccount:ns/default"],
        user("system:serviceaccount:ns:default2", ""),
        "",
        None,
    );
    // unknown kinds never match
    check_applies(&["Robot:baz"], user("baz", ""), "", None);
}

#[test]
fn impersonation_groups_as_kubectl_gets_them() {
    let sa = UserInfo::impersonated("system:serviceaccount:team:ci", &[]);
    assert_eq!(
        sa.groups,
        [
            "system:serviceaccounts",
            "system:serviceaccounts:team",
            "system:authenticated"
        ]
    );
    let sa = UserInfo::impersonated("system:serviceaccount:team:ci", &["x".into()]);
    assert_eq!(sa.groups, ["x", "system:authenticated"]);
    let u = UserInfo::impersonated("alice", &["system:authenticated".into()]);
    assert_eq!(u.groups, ["system:authenticated"]);
    let anon = UserInfo::impersonated("system:anonymous", &[]);
    assert_eq!(anon.groups, ["system:unauthenticated"]);
    assert_eq!(
        UserInfo::impersonated("system:serviceaccount:bad", &[]).groups,
        ["system:authenticated"]
    );
}

#[test]
fn reasons_name_binding_role_and_subject() {
    let p = policy(
        vec![
            role(
                RoleKind::ClusterRole,
                "",
                "reader",
                vec![rule("get", "", "pods", "")],
            ),
            role(
                RoleKind::Role,
                "ns1",
                "sec",
                vec![rule("get", "", "secrets", "")],
            ),
        ],
        vec![
            binding(None, "crb", "ClusterRole", "reader", &["Group:devs"]),
            binding(Some("ns1"), "rb", "Role", "sec", &["ServiceAccount:ci"]),
            binding(Some("ns1"), "broken", "Role", "nope", &["User:bob"]),
        ],
    );
    let d = p.authorize(&res(user("a", "devs"), "get", "pods", "", "ns9", ""));
    assert_eq!(
        d.reason,
        r#"RBAC: allowed by ClusterRoleBinding "crb" of ClusterRole "reader" to Group "devs""#
    );
    let d = p.authorize(&res(
        user("system:serviceaccount:ns1:ci", ""),
        "get",
        "secrets",
        "",
        "ns1",
        "",
    ));
    assert_eq!(
        d.reason,
        r#"RBAC: allowed by RoleBinding "rb/ns1" of Role "sec" to ServiceAccount "ci/ns1""#
    );
    assert_eq!(
        d.grant.map(|g| g.binding).as_deref(),
        Some("RoleBinding/ns1/rb")
    );
    let d = p.authorize(&res(user("bob", ""), "get", "secrets", "", "ns1", ""));
    assert!(!d.allowed);
    assert_eq!(
        d.reason,
        r#"RBAC: role.rbac.authorization.k8s.io "nope" not found"#
    );
    // A Role is resolved in the binding's namespace only.
    check(
        &p,
        res(
            user("system:serviceaccount:ns1:ci", ""),
            "get",
            "secrets",
            "",
            "ns2",
            "",
        ),
        false,
    );
}

#[test]
fn cluster_role_binding_cannot_use_a_role() {
    let p = policy(
        vec![role(
            RoleKind::Role,
            "default",
            "r",
            vec![rule("*", "*", "*", "")],
        )],
        vec![binding(None, "crb", "Role", "r", &["User:u"])],
    );
    check(
        &p,
        res(user("u", ""), "get", "pods", "", "default", ""),
        false,
    );
}

#[test]
fn builtins_and_aggregation() {
    let mut extra = role(
        RoleKind::ClusterRole,
        "",
        "widgets-view",
        vec![rule("get", "example.com", "widgets", "")],
    );
    extra.labels.insert(
        "rbac.authorization.k8s.io/aggregate-to-view".into(),
        "true".into(),
    );
    let mut agg = role(
        RoleKind::ClusterRole,
        "",
        "agg",
        vec![rule("delete", "", "pods", "")],
    );
    agg.aggregation = Some(vec![Selector {
        labels: BTreeMap::from([(
            "rbac.authorization.k8s.io/aggregate-to-view".to_string(),
            "true".to_string(),
        )]),
        expressions: Vec::new(),
    }]);
    let p = policy(
        vec![extra, agg],
        vec![
            binding(Some("t"), "v", "ClusterRole", "view", &["User:viewer"]),
            binding(Some("t"), "e", "ClusterRole", "edit", &["User:editor"]),
            binding(None, "ca", "ClusterRole", "cluster-admin", &["User:root"]),
            binding(None, "a", "ClusterRole", "agg", &["User:agg"]),
        ],
    );
    check(
        &p,
        res(user("viewer", ""), "list", "pods", "", "t", ""),
        true,
    );
    check(
        &p,
        res(user("viewer", ""), "get", "secrets", "", "t", ""),
        false,
    );
    check(
        &p,
        res(user("viewer", ""), "get", "widgets", "", "t", "example.com"),
        true,
    );
    check(
        &p,
        res(user("editor", ""), "get", "widgets", "", "t", "example.com"),
        true,
    );
    check(
        &p,
        res(user("editor", ""), "create", "pods", "exec", "t", ""),
        true,
    );
    check(
        &p,
        res(
            user("editor", ""),
            "create",
            "rolebindings",
            "",
            "t",
            RBAC_GROUP,
        ),
        false,
    );
    check(&p, url(user("root", ""), "get", "/healthz"), true);
    check(
        &p,
        res(user("root", ""), "delete", "nodes", "", "", ""),
        true,
    );
    // An aggregated ClusterRole's own rules are replaced by the collected ones.
    check(
        &p,
        res(user("agg", ""), "get", "widgets", "", "x", "example.com"),
        true,
    );
    check(
        &p,
        res(user("agg", ""), "delete", "pods", "", "x", ""),
        false,
    );
    // system:masters is allowed before RBAC.
    check(
        &p,
        res(
            user("nobody", "system:masters"),
            "delete",
            "nodes",
            "",
            "",
            "",
        ),
        true,
    );
}

#[test]
fn who_can_lists_subjects_with_bindings() {
    let p = policy(
        vec![
            role(
                RoleKind::ClusterRole,
                "",
                "reader",
                vec![rule("get,list", "", "secrets", "")],
            ),
            role(
                RoleKind::Role,
                "a",
                "r",
                vec![rule("get", "", "secrets", "")],
            ),
        ],
        vec![
            binding(
                None,
                "crb",
                "ClusterRole",
                "reader",
                &["Group:auditors", "ServiceAccount:nons"],
            ),
            binding(
                Some("a"),
                "rb",
                "Role",
                "r",
                &["ServiceAccount:ci", "User:ann"],
            ),
            binding(Some("b"), "rb", "Role", "r", &["User:bob"]),
        ],
    );
    let who: Vec<String> = p
        .who_can("get", &Target::resource("a", "", "secrets"))
        .iter()
        .map(|g| {
            format!(
                "{} {} {} via {}",
                g.subject.kind, g.subject.namespace, g.subject.name, g.binding
            )
        })
        .collect();
    assert_eq!(
        who,
        [
            "Group  auditors via ClusterRoleBinding/crb",
            "ServiceAccount a ci via RoleBinding/a/rb",
            "User  ann via RoleBinding/a/rb",
        ]
    );
    assert_eq!(
        p.who_can("list", &Target::resource("a", "", "secrets"))
            .len(),
        1
    );
}

#[test]
fn escalation_checks() {
    let p = policy(
        vec![
            role(
                RoleKind::ClusterRole,
                "",
                "pod-reader",
                vec![rule("get,list", "", "pods", "")],
            ),
            role(
                RoleKind::ClusterRole,
                "",
                "secret-reader",
                vec![rule("get", "", "secrets", "")],
            ),
            role(
                RoleKind::ClusterRole,
                "",
                "binder",
                vec![Rule {
                    resource_names: vec!["secret-reader".into()],
                    ..rule("bind", RBAC_GROUP, "clusterroles", "")
                }],
            ),
            role(
                RoleKind::ClusterRole,
                "",
                "escalator",
                vec![rule("escalate", RBAC_GROUP, "roles", "")],
            ),
        ],
        vec![
            binding(
                Some("dev"),
                "r",
                "ClusterRole",
                "pod-reader",
                &["User:lead"],
            ),
            binding(Some("dev"), "b", "ClusterRole", "binder", &["User:binder"]),
            binding(Some("dev"), "e", "ClusterRole", "escalator", &["User:esc"]),
        ],
    );
    let lead = UserInfo::impersonated("lead", &[]);
    let to = |ns: Option<&str>, role: &str| binding(ns, "new", "ClusterRole", role, &["User:x"]);
    // Covers: the lead holds pod-reader in dev, so may grant it there only.
    let e = p.can_create_binding(&lead, &to(Some("dev"), "pod-reader"));
    assert_eq!((e.allowed, e.via), (true, Some(Via::Covers)));
    let e = p.can_create_binding(&lead, &to(Some("prod"), "pod-reader"));
    assert!(!e.allowed);
    assert_eq!(
        e.message,
        "rolebindings.rbac.authorization.k8s.io \"new\" is forbidden: user \"lead\" (groups=[\"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"get\" \"list\"]}"
    );
    let e = p.can_create_binding(&lead, &to(Some("dev"), "secret-reader"));
    assert_eq!(e.missing, vec![rule("get", "", "secrets", "")]);
    // bind, per role name and namespace.
    let binder = UserInfo::impersonated("binder", &[]);
    assert_eq!(
        p.can_create_binding(&binder, &to(Some("dev"), "secret-reader"))
            .via,
        Some(Via::Bind)
    );
    assert!(
        !p.can_create_binding(&binder, &to(Some("dev"), "pod-reader"))
            .allowed
    );
    assert!(
        !p.can_create_binding(&binder, &to(None, "secret-reader"))
            .allowed
    );
    // A missing role is Forbidden with not found.
    let e = p.can_create_binding(&lead, &to(Some("dev"), "ghost"));
    assert!(
        e.message
            .ends_with("clusterrole.rbac.authorization.k8s.io \"ghost\" not found"),
        "{}",
        e.message
    );
    // system:masters.
    let root = UserInfo::impersonated("root", &["system:masters".into()]);
    assert_eq!(
        p.can_create_binding(&root, &to(None, "ghost")).via,
        Some(Via::SystemMasters)
    );
    // Roles: escalate, or covers.
    let new_role = role(
        RoleKind::Role,
        "dev",
        "new",
        vec![rule("get,list", "", "pods", "")],
    );
    assert_eq!(p.can_create_role(&lead, &new_role).via, Some(Via::Covers));
    let bigger = role(
        RoleKind::Role,
        "dev",
        "new",
        vec![rule("get,delete", "", "pods", "")],
    );
    let e = p.can_create_role(&lead, &bigger);
    assert_eq!(e.missing, vec![rule("delete", "", "pods", "")]);
    let esc = UserInfo::impersonated("esc", &[]);
    assert_eq!(p.can_create_role(&esc, &bigger).via, Some(Via::Escalate));
    let cluster = role(
        RoleKind::ClusterRole,
        "",
        "new",
        vec![rule("get", "", "pods", "")],
    );
    assert!(!p.can_create_role(&esc, &cluster).allowed);
}
