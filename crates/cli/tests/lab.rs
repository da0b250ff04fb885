//! End-to-end tests of `kubeprep lab start crashloop`: piped shell sessions
//! against the real binary.

mod util;

use util::Kubeprep;

fn session(stdin: &str) -> util::Run {
    Kubeprep::new().run(
        &[
            "lab",
            "start",
            "crashloop",
            "--fault",
            "service-selector-mismatch",
            "--seed",
            "1",
        ],
        stdin.as_bytes(),
    )
}

/// The api Pod names, discovered from `get pods` output.
fn api_pods(out: &str) -> Vec<String> {
    out.lines()
        .filter(|l| l.starts_with("api-"))
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

#[test]
fn selector_mismatch_is_diagnosed_and_fixed() {
    let first = session("kubectl get pods\nkubectl get endpoints\n");
    first.assert_code(1);
    let pods = api_pods(&first.stdout);
    assert_eq!(pods.len(), 3, "{}", first.stdout);
    let api_lines: Vec<&str> = first
        .stdout
        .lines()
        .filter(|l| l.starts_with("api-"))
        .collect();
    for l in &api_lines {
        assert!(
            l.contains("CrashLoopBackOff") || l.contains(" Error "),
            "{l}"
        );
        assert!(l.contains("0/1"), "{l}");
    }
    let ep = first
        .stdout
        .lines()
        .find(|l| l.starts_with("postgres "))
        .expect("postgres endpoints row");
    assert!(ep.contains("<none>"), "{ep}");
    assert!(first.stdout.contains("Fault fixed: no"), "{}", first.stdout);

    let script = format!(
        "kubectl describe pod {0}\nkubectl logs {0} --tail 1\nkubectl logs {0} --previous\ncheck\n\
         kubectl patch svc postgres -p '{{\"spec\":{{\"selector\":{{\"app\":\"postgres\",\"tier\":null}}}}}}'\n\
         check\n{1}kubectl get pods\nexit\n",
        pods[0],
        "kubectl get endpoints\n".repeat(60)
    );
    let run = session(&script);
    run.assert_code(0);
    let out = &run.stdout;
    assert!(out.contains("ECONNREFUSED"), "{out}");
    assert!(
        out.contains(&format!("Name:             {}", pods[0])),
        "{out}"
    );
    assert!(out.contains("Last State:     Terminated"), "{out}");
    assert!(out.contains("Exit Code:    1"), "{out}");
    assert!(out.contains("Restart Count:"), "{out}");
    assert!(
        out.contains("Back-off restarting failed container"),
        "{out}"
    );
    assert!(out.contains("not fixed:"), "{out}");
    assert!(out.contains("service/postgres patched"), "{out}");
    assert!(out.contains("\nfixed:"), "{out}");
    assert!(out.contains("Fault fixed: yes"), "{out}");
    let last_get = out.rsplit("NAME ").next().unwrap_or_default();
    let running: Vec<&str> = last_get
        .lines()
        .filter(|l| l.starts_with("api-"))
        .filter(|l| l.contains("1/1") && l.contains("Running"))
        .collect();
    assert_eq!(running.len(), 3, "{last_get}");
}

#[test]
fn kubectl_errors_keep_the_shell_going() {
    let run = session("help\nkubectl label pod nope a=b\nkubectl get widgets\nfrobnicate\nkubectl logs nope\nkubectl delete pod nope\nkubectl get svc\n");
    let out = &run.stdout;
    assert!(
        out.contains("error: the server doesn't have a resource type \"widgets\""),
        "{out}"
    );
    assert!(out.contains("frobnicate: command not found"), "{out}");
    assert!(out.contains("pods \"nope\" not found"), "{out}");
    assert!(out.contains("CLUSTER-IP"), "{out}");
    assert!(out.contains("kubectl describe TYPE [NAME|PREFIX]"), "{out}");
    // `help` takes no cluster time and is not counted.
    assert!(out.contains("Commands used: 6"), "{out}");
}

#[test]
fn unknown_fault_is_a_one_line_error() {
    Kubeprep::new()
        .run(&["lab", "start", "crashloop", "--fault", "nope"], b"")
        .assert_code(2)
        .assert_one_line_error("service-selector-mismatch");
}

#[test]
fn set_env_fixes_a_wrong_db_host() {
    let run = Kubeprep::new().run(
        &[
            "lab",
            "start",
            "crashloop",
            "--fault",
            "wrong-db-host",
            "--seed",
            "1",
        ],
        b"check\nkubectl set env deployment/api DB_HOST=postgres\ncheck\nquit\n",
    );
    run.assert_code(0);
    let out = &run.stdout;
    assert!(out.contains("not fixed:"), "{out}");
    assert!(out.contains("deployment.apps/api env updated"), "{out}");
    assert!(out.contains("\nfixed:"), "{out}");
    assert!(out.contains("Commands used: 3"), "{out}");
}

#[test]
fn get_by_name_and_as_yaml() {
    let run = Kubeprep::new().run(
        &["lab", "start", "crashloop", "--fault", "wrong-db-host", "--seed", "1"],
        b"kubectl get cm api-config -o yaml\nkubectl get svc,endpoints\nkubectl get pods nope\nkubectl get po -o name\n",
    );
    let out = &run.stdout;
    assert!(out.contains("kind: ConfigMap\n"), "{out}");
    assert!(out.contains("  DB_HOST: postgresql\n"), "{out}");
    assert!(
        out.contains("CLUSTER-IP") && out.contains("ENDPOINTS"),
        "{out}"
    );
    assert!(
        out.contains("Error from server (NotFound): pods \"nope\" not found"),
        "{out}"
    );
    assert!(out.contains("output format \"name\""), "{out}");
}

#[test]
fn strategic_patch_merges_the_container_by_name() {
    let run = Kubeprep::new().run(
        &["lab", "start", "crashloop", "--fault", "wrong-command", "--seed", "1"],
        br#"kubectl patch deploy api -p '{"spec":{"template":{"spec":{"containers":[{"name":"api","command":["node","server.js"]}]}}}}'
check
"#,
    );
    run.assert_code(0);
    assert!(
        run.stdout.contains("deployment.apps/api patched"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("\nfixed:"), "{}", run.stdout);
}

#[test]
fn set_resources_fixes_an_oom_kill() {
    let run = Kubeprep::new().run(
        &["lab", "start", "crashloop", "--fault", "oom-killed", "--seed", "1"],
        b"kubectl get pods\nkubectl set resources deploy/api --limits=memory=lots\ncheck\nkubectl set resources deploy/api --limits=memory=512Mi --requests=memory=384Mi\ncheck\n",
    );
    run.assert_code(0);
    let out = &run.stdout;
    assert!(out.contains("OOMKilled"), "{out}");
    assert!(out.contains("quantities must match"), "{out}");
    assert!(out.contains("not fixed:"), "{out}");
    assert!(
        out.contains("resource requirements updated\nfixed:"),
        "{out}"
    );
}
