//! End-to-end tests of the lab's scoring: whole labs piped into `kubeprep lab
//! start crashloop` (diagnose, fix, exit → the scorecard, as text, JSON and a
//! Markdown report), and `kubeprep interview --hands-on` piped through the
//! lab to the interview's scorecard with its lab section, and resumed mid-lab.

mod util;

use util::Kubeprep;

fn lab(k: &Kubeprep, fault: &str, extra: &[&str], stdin: &str) -> util::Run {
    let mut args = vec!["lab", "start", "crashloop", "--fault", fault, "--seed", "1"];
    args.extend_from_slice(extra);
    k.run(&args, stdin.as_bytes())
}

/// The first api Pod's name, from a `kubectl get pods` run.
fn api_pod(k: &Kubeprep, fault: &str) -> String {
    let run = lab(k, fault, &[], "kubectl get pods\n");
    run.stdout
        .lines()
        .find(|l| l.starts_with("api-"))
        .and_then(|l| l.split_whitespace().next())
        .map(str::to_string)
        .unwrap_or_else(|| panic!("no api Pod in\n{}", run.stdout))
}

#[test]
fn selector_mismatch_lab_scores_a_systematic_fix_with_json_and_a_report() {
    let k = Kubeprep::new();
    let pod = api_pod(&k, "service-selector-mismatch");
    let script = format!(
        "kubectl get pods\n\
         kubectl describe pod {pod}\n\
         kubectl logs {pod} --previous\n\
         kubectl get endpoints\n\
         diagnose the pods crash\n\
         diagnose The postgres Service's selector doesn't match the postgres Pods' labels, so it has no endpoints and the api gets ECONNREFUSED on 5432 and exits 1.\n\
         kubectl patch svc postgres -p '{{\"spec\":{{\"selector\":{{\"app\":\"postgres\",\"tier\":null}}}}}}'\n\
         exit\n"
    );
    let run = lab(
        &k,
        "service-selector-mismatch",
        &["--output", "json", "--report", "lab.md"],
        &script,
    );
    run.assert_code(0);
    // The shell talked on stderr; stdout is one JSON document.
    assert!(run.stderr.contains("ECONNREFUSED"), "{}", run.stderr);
    let card: serde_json::Value =
        serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout));
    assert_eq!(card["fault"], "service-selector-mismatch");
    assert_eq!(card["fix"]["fixed"], true);
    assert_eq!(card["guessed"], false);
    assert_eq!(card["path_score"], 100);
    assert_eq!(card["commands"], 5);
    assert_eq!(card["changes"], 1);
    assert_eq!(card["hints"], 0);
    assert_eq!(card["diagnosis"]["attempts"], 2);
    let diag = card["diagnosis"]["score"].as_u64().unwrap_or(0);
    assert!(diag >= 70, "{card:#}");
    let overall = card["overall"].as_u64().unwrap_or(0);
    assert!(overall >= 85, "{card:#}");
    let path = card["path"].as_array().cloned().unwrap_or_default();
    let logs = path
        .iter()
        .find(|p| p["check"] == "previous-logs")
        .cloned()
        .unwrap_or_default();
    assert_eq!(logs["done"], true);
    assert_eq!(logs["before_first_change"], true);
    let md = std::fs::read_to_string(k.dir.path().join("lab.md")).expect("report written");
    assert!(md.starts_with("# kubeprep lab report"), "{md}");
    assert!(md.contains("## Hands-on lab"), "{md}");
    assert!(
        md.contains("| checked the Service's endpoints | yes | yes | yes |"),
        "{md}"
    );
}

#[test]
fn guessing_first_with_hints_scores_lower_and_the_text_says_why() {
    let k = Kubeprep::new();
    let pod = api_pod(&k, "oom-killed");
    let script = format!(
        "hint\nhint\n\
         kubectl label pod {pod} tried=restart\n\
         kubectl describe pod {pod}\n\
         kubectl set resources deployment/api --limits=memory=512Mi --requests=memory=256Mi\n\
         diagnose It was OOMKilled with exit code 137 because the memory limit was too low, so I raised it.\n\
         check\nexit\n"
    );
    let run = lab(&k, "oom-killed", &[], &script);
    run.assert_code(0);
    let out = &run.stdout;
    assert!(out.contains("Hint 1 (nudge):"), "{out}");
    assert!(out.contains("Hint 2 (direction):"), "{out}");
    assert!(out.contains("Fault fixed: yes"), "{out}");
    assert!(
        out.contains("changed the cluster before looking at the evidence"),
        "{out}"
    );
    assert!(out.contains("2 hint(s): -25%"), "{out}");
    assert!(out.contains("(only after a change)"), "{out}");
    let overall: u32 = out
        .lines()
        .find_map(|l| l.strip_prefix("Overall: "))
        .and_then(|l| l.split('/').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("an Overall line in\n{out}"));
    assert!(overall < 75, "{out}");
}

#[test]
fn an_unfixed_lab_exits_1_and_shows_why_and_the_solution() {
    let k = Kubeprep::new();
    let run = lab(
        &k,
        "wrong-db-host",
        &[],
        "kubectl get cm api-config -o yaml\ndiagnose \u{1b}[2Jthe database is down\n",
    );
    run.assert_code(1);
    let out = &run.stdout;
    assert!(out.contains("Fault fixed: no ("), "{out}");
    assert!(out.contains("Diagnosis: "), "{out}");
    assert!(out.contains("! \""), "a misconception flagged: {out}");
    assert!(
        !out.contains('\u{1b}'),
        "candidate text reaches the terminal raw: {out}"
    );
    assert!(out.contains("The systematic path:"), "{out}");
    assert!(out.contains("Set DB_HOST"), "{out}");
}

#[test]
fn bad_lab_flags_are_one_line_errors() {
    let k = Kubeprep::new();
    lab(&k, "no-such-fault", &[], "")
        .assert_code(2)
        .assert_one_line_error("unknown fault");
    lab(&k, "bad-image", &["--output", "yaml"], "").assert_code(2);
    let run = lab(
        &k,
        "bad-image",
        &["--report", "/nonexistent-dir/x.md"],
        "exit\n",
    );
    run.assert_code(2)
        .assert_one_line_error("cannot write the report");
}

/// Skips up to the lab: with seed 0 the flow (all skips) reaches the
/// troubleshooting phase after five questions; its fault is the seed's, the
/// first of the catalog (service-selector-mismatch).
const TO_THE_LAB: &str = "/skip\n/skip\n/skip\n/skip\n/skip\n";

#[test]
fn hands_on_interview_runs_the_lab_and_its_scorecard_has_the_lab_section() {
    let k = Kubeprep::new();
    let script = format!(
        "{TO_THE_LAB}\
         kubectl get pods\n\
         kubectl get endpoints\n\
         /hint\n\
         diagnose The postgres Service selector doesn't match the postgres pod labels, so its endpoints are empty and the api gets ECONNREFUSED and exits 1.\n\
         kubectl patch svc postgres -p '{{\"spec\":{{\"selector\":{{\"app\":\"postgres\",\"tier\":null}}}}}}'\n\
         done\n\
         /finish\n"
    );
    let run = k.run(
        &["interview", "--hands-on", "--seed", "0"],
        script.as_bytes(),
    );
    run.assert_code(0);
    let out = &run.stdout;
    assert!(out.contains("Let's make this one real."), "{out}");
    assert!(out.contains("CrashLoopBackOff"), "{out}");
    assert!(out.contains("Hint 1/4 (nudge):"), "{out}");
    assert!(out.contains("You fixed it"), "{out}");
    assert!(out.contains("[crashloop-debug: "), "{out}");
    assert!(out.contains("Hands-on lab"), "{out}");
    assert!(out.contains("Fault fixed: yes"), "{out}");
    assert!(
        out.contains("$ kubectl get endpoints"),
        "the transcript: {out}"
    );

    // Every export carries the lab.
    let id = out
        .lines()
        .find_map(|l| l.strip_prefix("Saved as session "))
        .and_then(|l| l.split(':').next())
        .unwrap_or_else(|| panic!("a session id in\n{out}"))
        .to_string();
    let json = k.run(&["report", &id, "--format", "json"], b"");
    json.assert_code(0);
    let card: serde_json::Value = serde_json::from_str(&json.stdout).expect("json report");
    assert_eq!(card["lab"]["fault"], "service-selector-mismatch");
    assert_eq!(card["lab"]["fix"]["fixed"], true);
    assert_eq!(card["lab"]["hints"], 1);
    let q = card["questions"]
        .as_array()
        .and_then(|qs| qs.iter().find(|q| q["id"] == "crashloop-debug"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(q["hints_used"], 1, "{q:#}");
    let md = k.run(&["report", &id, "--format", "md"], b"");
    assert!(md.stdout.contains("## Hands-on lab"), "{}", md.stdout);
    let html = k.run(&["report", &id, "--format", "html"], b"");
    assert!(
        html.stdout.contains("<section id=\"lab\">"),
        "{}",
        html.stdout
    );
}

#[test]
fn a_hands_on_lab_resumes_with_its_cluster_rebuilt_from_the_commands() {
    let k = Kubeprep::new();
    let first = format!(
        "{TO_THE_LAB}\
         kubectl describe pod nope\n\
         kubectl get endpoints\n\
         kubectl patch svc postgres -p '{{\"spec\":{{\"selector\":{{\"app\":\"postgres\",\"tier\":null}}}}}}'\n"
    );
    let run = k.run(
        &["interview", "--hands-on", "--seed", "0"],
        first.as_bytes(),
    );
    run.assert_code(0);
    assert!(
        run.stdout.contains("service/postgres patched"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("Continue with"), "{}", run.stdout);

    let run = k.run(
        &["interview", "--resume"],
        b"check\ndiagnose the selector of the postgres service does not match the pods, so no endpoints\ndone\n/finish\n",
    );
    run.assert_code(0);
    let out = &run.stdout;
    assert!(out.contains("Rebuilding the lab's cluster"), "{out}");
    // The patch made before the pause is still in the rebuilt world.
    assert!(out.contains("fixed: a new api Pod"), "{out}");
    assert!(out.contains("Fault fixed: yes"), "{out}");
    assert!(out.contains("Commands used: 4"), "{out}");
}
