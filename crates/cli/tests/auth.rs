//! End-to-end tests of `kubeprep auth`: kubectl's can-i syntax and exit
//! codes, who-can, the matrix, lint and the escalation check, against the
//! seed fixtures and small policies written here.

mod util;

use util::Kubeprep;

const SEED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../sim/tests/fixtures/rbac/seed.yaml"
);
const CORRECTED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../sim/tests/fixtures/rbac/corrected.yaml"
);

const POLICY: &str = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: scaler
rules:
- apiGroups: ["*"]
  resources: ["*/scale"]
  verbs: ["update"]
- apiGroups: [""]
  resources: ["secrets"]
  resourceNames: ["db"]
  verbs: ["get"]
- nonResourceURLs: ["/metrics", "/logs/*"]
  verbs: ["get"]
- apiGroups: [""]
  resources: ["nodes"]
  verbs: ["get"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: scalers
  namespace: shop
subjects:
- kind: ServiceAccount
  name: autoscaler
- kind: User
  name: alice
roleRef:
  kind: ClusterRole
  name: scaler
  apiGroup: rbac.authorization.k8s.io
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: ops-view
subjects:
- kind: Group
  name: ops
roleRef:
  kind: ClusterRole
  name: view
  apiGroup: rbac.authorization.k8s.io
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: metrics
subjects:
- kind: Group
  name: system:serviceaccounts:monitoring
roleRef:
  kind: ClusterRole
  name: scaler
  apiGroup: rbac.authorization.k8s.io
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: dangling
  namespace: shop
subjects:
- kind: User
  name: bob
roleRef:
  kind: Role
  name: ghost
  apiGroup: rbac.authorization.k8s.io
"#;

fn with_policy() -> Kubeprep {
    let k = Kubeprep::new();
    std::fs::write(k.dir.path().join("rbac.yaml"), POLICY).unwrap();
    k
}

/// `kubeprep auth can-i ARGS -f rbac.yaml`: expected stdout and exit code.
#[track_caller]
fn check(k: &Kubeprep, args: &[&str], stdout: &str, code: i32) {
    let mut all = vec!["auth", "can-i"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["-f", "rbac.yaml"]);
    let r = k.run(&all, b"");
    assert_eq!(
        (r.stdout.as_str(), r.code),
        (stdout, code),
        "{args:?}\n--- stderr\n{}",
        r.stderr
    );
}

#[test]
fn can_i_answers_yes_and_no_like_kubectl() {
    let k = with_policy();
    // `*/scale` in any group, in the RoleBinding's namespace only.
    check(
        &k,
        &[
            "update",
            "deployments.apps",
            "--subresource",
            "scale",
            "-n",
            "shop",
            "--as",
            "alice",
        ],
        "yes\n",
        0,
    );
    check(
        &k,
        &[
            "update",
            "deploy",
            "--subresource",
            "scale",
            "-n",
            "shop",
            "--as",
            "alice",
        ],
        "yes\n",
        0,
    );
    check(
        &k,
        &[
            "update",
            "sts",
            "--subresource",
            "scale",
            "-n",
            "other",
            "--as",
            "alice",
        ],
        "no\n",
        1,
    );
    check(
        &k,
        &["update", "deployments", "-n", "shop", "--as", "alice"],
        "no\n",
        1,
    );
    // Resource names: TYPE/NAME, TYPE NAME; list never matches a named rule.
    check(
        &k,
        &["get", "secrets/db", "-n", "shop", "--as", "alice"],
        "yes\n",
        0,
    );
    check(
        &k,
        &["get", "secret", "db", "-n", "shop", "--as", "alice"],
        "yes\n",
        0,
    );
    check(
        &k,
        &["get", "secrets/other", "-n", "shop", "--as", "alice"],
        "no\n",
        1,
    );
    check(
        &k,
        &["list", "secrets", "-n", "shop", "--as", "alice"],
        "no\n",
        1,
    );
    // A ServiceAccount subject without namespace takes the RoleBinding's.
    check(
        &k,
        &[
            "get",
            "Secret",
            "db",
            "-n",
            "shop",
            "--as",
            "system:serviceaccount:shop:autoscaler",
        ],
        "yes\n",
        0,
    );
    check(
        &k,
        &[
            "get",
            "secrets",
            "db",
            "-n",
            "shop",
            "--as",
            "system:serviceaccount:other:autoscaler",
        ],
        "no\n",
        1,
    );
    // Service accounts get their groups, unless groups are given.
    check(
        &k,
        &[
            "get",
            "/metrics",
            "--as",
            "system:serviceaccount:monitoring:prom",
        ],
        "yes\n",
        0,
    );
    check(
        &k,
        &[
            "get",
            "/metrics",
            "--as",
            "system:serviceaccount:monitoring:prom",
            "--as-group",
            "x",
        ],
        "no\n",
        1,
    );
    // URL prefixes; URLs are not namespaced, RoleBindings never grant them.
    check(
        &k,
        &[
            "get",
            "/logs/kubelet",
            "--as",
            "system:serviceaccount:monitoring:prom",
        ],
        "yes\n",
        0,
    );
    check(
        &k,
        &[
            "get",
            "/logs",
            "--as",
            "system:serviceaccount:monitoring:prom",
        ],
        "no\n",
        1,
    );
    check(&k, &["get", "/metrics", "--as", "alice"], "no\n", 1);
    // Built-in `view` known by name; -A asks with namespace "".
    check(
        &k,
        &["list", "pods", "-A", "--as", "carol", "--as-group", "ops"],
        "yes\n",
        0,
    );
    check(
        &k,
        &[
            "get",
            "secrets",
            "-n",
            "shop",
            "--as",
            "carol",
            "--as-group",
            "ops",
        ],
        "no\n",
        1,
    );
    check(
        &k,
        &[
            "delete",
            "nodes",
            "--as",
            "root",
            "--as-group",
            "system:masters",
        ],
        "yes\n",
        0,
    );
    check(&k, &["get", "nodes", "-A", "--as", "alice"], "no\n", 1);
}

#[test]
fn can_i_why_quiet_json_and_warnings() {
    let k = with_policy();
    check(
        &k,
        &["update", "deployments/web", "--subresource", "scale", "-n", "shop", "--as", "alice", "--why"],
        "yes - RBAC: allowed by RoleBinding \"scalers/shop\" of ClusterRole \"scaler\" to User \"alice\"\n",
        0,
    );
    check(
        &k,
        &["get", "pods", "-n", "shop", "--as", "bob", "--why"],
        "no - RBAC: role.rbac.authorization.k8s.io \"ghost\" not found\n",
        1,
    );
    check(
        &k,
        &["get", "pods", "-n", "shop", "--as", "bob", "-q"],
        "",
        1,
    );
    let r = k.run(
        &[
            "auth",
            "can-i",
            "frob",
            "widgets.example.com",
            "--as",
            "a",
            "-f",
            "rbac.yaml",
        ],
        b"",
    );
    r.assert_code(1);
    assert!(
        r.stderr.contains(
            "Warning: the server doesn't have a resource type 'widgets' in group 'example.com'"
        ),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("Warning: verb 'frob' is not a known verb"),
        "{}",
        r.stderr
    );
    let r = k.run(
        &[
            "auth",
            "can-i",
            "get",
            "nodes",
            "--as",
            "a",
            "-f",
            "rbac.yaml",
        ],
        b"",
    );
    assert!(
        r.stderr
            .contains("Warning: resource 'nodes' is not namespace scoped"),
        "{}",
        r.stderr
    );
    let r = k.run(
        &[
            "auth",
            "can-i",
            "get",
            "secrets/db",
            "-n",
            "shop",
            "--as",
            "alice",
            "-f",
            "rbac.yaml",
            "-o",
            "json",
        ],
        b"",
    );
    r.assert_code(0);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["allowed"], true);
    assert_eq!(v["grant"]["binding"], "RoleBinding/shop/scalers");
    assert_eq!(v["target"]["resource"], "secrets");
    assert_eq!(v["target"]["name"], "db");
    assert_eq!(v["user"]["groups"][0], "system:authenticated");
}

#[test]
fn can_i_bad_input_is_one_line_and_exit_2() {
    let k = with_policy();
    k.run(&["auth", "can-i", "get", "pods", "-f", "rbac.yaml"], b"")
        .assert_code(2)
        .assert_one_line_error("--as USER");
    k.run(
        &[
            "auth",
            "can-i",
            "get",
            "pods",
            "--as",
            "a",
            "-f",
            "missing.yaml",
        ],
        b"",
    )
    .assert_code(2)
    .assert_one_line_error("missing.yaml");
    k.run(
        &[
            "auth",
            "can-i",
            "get",
            "/healthz",
            "--subresource",
            "x",
            "--as",
            "a",
            "-f",
            "rbac.yaml",
        ],
        b"",
    )
    .assert_code(2)
    .assert_one_line_error("--subresource");
    std::fs::write(k.dir.path().join("bad.yaml"), "kind: Role\n  : : [\n").unwrap();
    k.run(
        &[
            "auth", "can-i", "get", "pods", "--as", "a", "-f", "bad.yaml",
        ],
        b"",
    )
    .assert_code(2)
    .assert_one_line_error("bad.yaml");
}

#[test]
fn seed_who_can_matrix_and_lint() {
    let k = Kubeprep::new();
    let r = k.run(
        &[
            "auth",
            "who-can",
            "list",
            "secrets",
            "-n",
            "backend-team",
            "-f",
            SEED,
        ],
        b"",
    );
    r.assert_code(0);
    assert!(
        r.stdout.contains("backend-team")
            && r.stdout
                .contains("RoleBinding/backend-team/backend-developers"),
        "{}",
        r.stdout
    );
    let r = k.run(
        &[
            "auth",
            "who-can",
            "list",
            "secrets",
            "-n",
            "frontend-team",
            "-f",
            SEED,
            "-o",
            "json",
        ],
        b"",
    );
    assert_eq!(r.stdout.trim(), "[]");

    let r = k.run(&["auth", "matrix", "-f", SEED], b"");
    r.assert_code(0);
    assert!(r.stdout.contains("Group backend-team"), "{}", r.stdout);
    assert!(r.stdout.contains("rbac.unbound-role"), "{}", r.stdout);
    let r = k.run(&["auth", "matrix", "-f", SEED, "-o", "json"], b"");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["matrix"]["namespaces"].as_array().unwrap().len(), 3);
    let cells = v["matrix"]["rows"][0]["cells"].as_array().unwrap();
    let get = |perm: &str, ns: &str| {
        cells
            .iter()
            .find(|c| c["permission"] == perm && c["namespace"] == ns)
            .map(|c| c["allowed"].as_bool().unwrap())
    };
    assert_eq!(get("list secrets", "backend-team"), Some(true));
    assert_eq!(get("list secrets", "frontend-team"), Some(false));
    assert_eq!(get("delete namespaces", ""), Some(false));

    let r = k.run(
        &[
            "auth",
            "matrix",
            "-f",
            CORRECTED,
            "--subject",
            "Group:platform-team",
        ],
        b"",
    );
    r.assert_code(0);
    assert!(r.stdout.contains("Group platform-team"), "{}", r.stdout);

    let r = k.run(&["auth", "lint", "-f", SEED], b"");
    r.assert_code(1);
    for id in [
        "rbac.unbound-role",
        "rbac.secrets-list",
        "rbac.pods-exec",
        "rbac.escalation-verb",
    ] {
        assert!(r.stdout.contains(id), "{id}\n{}", r.stdout);
    }
}

const NEW_OBJECTS: &str = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: give-me-view
  namespace: shop
subjects:
- kind: User
  name: alice
roleRef:
  kind: ClusterRole
  name: view
  apiGroup: rbac.authorization.k8s.io
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: tiny
  namespace: shop
rules:
- apiGroups: [""]
  resources: ["secrets"]
  resourceNames: ["db"]
  verbs: ["get"]
"#;

#[test]
fn can_create_applies_the_escalation_check() {
    let k = with_policy();
    std::fs::write(k.dir.path().join("new.yaml"), NEW_OBJECTS).unwrap();
    let r = k.run(
        &[
            "auth",
            "can-create",
            "new.yaml",
            "--as",
            "alice",
            "-f",
            "rbac.yaml",
        ],
        b"",
    );
    r.assert_code(1);
    assert!(
        r.stdout
            .contains("yes Role/shop/tiny: the user already holds every permission it grants"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("no RoleBinding/shop/give-me-view: rolebindings.rbac.authorization.k8s.io \"give-me-view\" is forbidden: user \"alice\" (groups=[\"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains(r#"{APIGroups:[""], Resources:["pods"], Verbs:["get" "list" "watch"]}"#),
        "{}",
        r.stdout
    );
    let r = k.run(
        &[
            "auth",
            "can-create",
            "new.yaml",
            "--as",
            "x",
            "--as-group",
            "system:masters",
            "-f",
            "rbac.yaml",
            "-o",
            "json",
        ],
        b"",
    );
    r.assert_code(0);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v[0]["via"], "system_masters");
    // The platform team of the corrected setup may write anything (escalate).
    std::fs::write(
        k.dir.path().join("corrected.yaml"),
        std::fs::read(CORRECTED).unwrap(),
    )
    .unwrap();
    let r = k.run(
        &[
            "auth",
            "can-create",
            "new.yaml",
            "--as",
            "pat",
            "--as-group",
            "platform-team",
            "-f",
            "corrected.yaml",
        ],
        b"",
    );
    r.assert_code(0);
    assert!(
        r.stdout
            .contains("yes RoleBinding/shop/give-me-view: the user may bind the referenced role"),
        "{}",
        r.stdout
    );
}
