//! The hands-on lab session: path classification from kubectl lines and API
//! requests, diagnosis grading against each fault's rubric, and the lab
//! score (systematic beats guessing, hints cost, wrong diagnoses score low).

mod common;

use kubeprep_bank::{LabCheck, Pack};
use kubeprep_grade::Grader;
use kubeprep_interview::lab::{self, LabSession, Step};
use kubeprep_sim::lab::Fault;

use LabCheck::*;

#[track_caller]
fn kubectl(line: &str, checks: &[LabCheck], change: bool) {
    let words: Vec<&str> = line.split_whitespace().collect();
    let s = Step::from_kubectl(&words);
    assert_eq!(s.checks, checks, "checks of {line:?}");
    assert_eq!(s.change, change, "change of {line:?}");
}

#[test]
fn kubectl_lines_are_classified() {
    kubectl("kubectl get pods", &[], false);
    kubectl("kubectl get pods -o wide", &[], false);
    kubectl(
        "kubectl describe pod api-7d9c-x2",
        &[DescribePod, Events],
        false,
    );
    kubectl("k describe po api-1", &[DescribePod, Events], false);
    kubectl("kubectl logs api-1", &[], false);
    kubectl("kubectl logs api-1 --previous", &[PreviousLogs], false);
    kubectl("kubectl logs -p api-1 -c api", &[PreviousLogs], false);
    kubectl(
        "kubectl get events --sort-by=.lastTimestamp",
        &[Events],
        false,
    );
    kubectl("kubectl events", &[Events], false);
    kubectl("kubectl get endpoints", &[Endpoints], false);
    kubectl("kubectl get ep postgres", &[Endpoints], false);
    kubectl("kubectl get svc,endpoints", &[Endpoints], false);
    kubectl("kubectl describe svc postgres", &[Endpoints], false);
    kubectl("kubectl get svc", &[], false);
    kubectl("kubectl get cm api-config -o yaml", &[Config], false);
    kubectl("kubectl get secrets", &[Config], false);
    kubectl("kubectl get deploy api -o yaml", &[Config], false);
    kubectl("kubectl get deployment/api -ojson", &[Config], false);
    kubectl("kubectl get deploy", &[], false);
    kubectl("kubectl set env deploy/api --list", &[Config], false);
    kubectl("kubectl set env deploy/api DB_HOST=postgres", &[], true);
    kubectl("kubectl get netpol", &[NetworkPolicies], false);
    kubectl(
        "kubectl run debug --image=busybox --rm -it -- nslookup postgres",
        &[Connectivity],
        false,
    );
    kubectl(
        "kubectl run debug --image=busybox --rm -it -- sh",
        &[Connectivity],
        false,
    );
    kubectl("kubectl exec api-1 -- env", &[Config], false);
    kubectl("kubectl exec -it api-1 -- sh", &[Connectivity], false);
    kubectl("kubectl patch svc postgres -p {\"spec\":{}}", &[], true);
    kubectl("kubectl delete pod api-1", &[], true);
    kubectl("kubectl rollout restart deployment/api", &[], true);
    kubectl("kubectl rollout status deployment/api", &[], false);
    kubectl(
        "kubectl label pod postgres-0 app=postgres --overwrite",
        &[],
        true,
    );
    kubectl(
        "kubectl set resources deploy/api --limits=memory=256Mi",
        &[],
        true,
    );
    assert_eq!(
        Step::from_inside("nc -zv postgres 5432").checks,
        [Connectivity]
    );
    assert_eq!(Step::from_inside("ls /").checks, []);
}

#[track_caller]
fn api(method: &str, path: &str, query: &str, checks: &[LabCheck], change: bool) {
    let s = Step::from_api(method, path, query)
        .unwrap_or_else(|| panic!("{method} {path} is a candidate action"));
    assert_eq!(s.checks, checks, "checks of {method} {path}?{query}");
    assert_eq!(s.change, change, "change of {method} {path}?{query}");
}

#[test]
fn api_requests_are_classified() {
    let ns = "/api/v1/namespaces/default";
    api("GET", &format!("{ns}/pods"), "limit=500", &[], false);
    api(
        "GET",
        &format!("{ns}/pods/api-1/log"),
        "previous=true",
        &[PreviousLogs],
        false,
    );
    api(
        "GET",
        &format!("{ns}/pods/api-1/log"),
        "container=api",
        &[],
        false,
    );
    api(
        "GET",
        &format!("{ns}/events"),
        "fieldSelector=involvedObject.name%3Dapi-1%2CinvolvedObject.namespace%3Ddefault",
        &[DescribePod, Events],
        false,
    );
    api("GET", "/api/v1/events", "", &[Events], false);
    api(
        "GET",
        &format!("{ns}/endpoints/postgres"),
        "",
        &[Endpoints],
        false,
    );
    api(
        "GET",
        "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices",
        "labelSelector=kubernetes.io%2Fservice-name%3Dpostgres",
        &[Endpoints],
        false,
    );
    api("GET", &format!("{ns}/secrets"), "", &[Config], false);
    api(
        "GET",
        "/apis/apps/v1/namespaces/default/deployments/api",
        "",
        &[Config],
        false,
    );
    api(
        "GET",
        "/apis/apps/v1/namespaces/default/deployments",
        "",
        &[],
        false,
    );
    api(
        "GET",
        "/apis/networking.k8s.io/v1/namespaces/default/networkpolicies",
        "",
        &[NetworkPolicies],
        false,
    );
    api(
        "POST",
        &format!("{ns}/pods/api-1/exec"),
        "command=nslookup&command=postgres&stdout=true",
        &[Connectivity],
        false,
    );
    api(
        "GET",
        &format!("{ns}/pods/api-1/exec"),
        "command=sh&command=-c&command=nc+-zv+postgres+5432&stdin=true&tty=true",
        &[Connectivity],
        false,
    );
    api(
        "GET",
        &format!("{ns}/pods/api-1/exec"),
        "command=printenv",
        &[Config],
        false,
    );
    api("POST", &format!("{ns}/pods"), "", &[Connectivity], false);
    api("PATCH", &format!("{ns}/services/postgres"), "", &[], true);
    api(
        "PATCH",
        "/apis/apps/v1/namespaces/default/deployments/api",
        "fieldManager=kubectl-edit",
        &[],
        true,
    );
    api("DELETE", &format!("{ns}/pods/api-1"), "", &[], true);
    assert_eq!(Step::from_api("GET", "/api", ""), None);
    assert_eq!(Step::from_api("GET", "/apis/apps/v1", ""), None);
    assert_eq!(Step::from_api("GET", "/openapi/v3", ""), None);
    assert_eq!(Step::from_api("GET", "/version", ""), None);
}

/// A right diagnosis for each fault, in a candidate's words.
const RIGHT: &[(&str, &str)] = &[
    ("service-selector-mismatch", "The postgres Service's selector doesn't match the labels on the postgres pods, so its endpoints are empty and the app gets ECONNREFUSED on 5432 and exits 1."),
    ("missing-secret-key", "The app exits because the DB_PASSWORD environment variable is missing: the api-secrets Secret stores the password under the key DB_PASS instead."),
    ("oom-killed", "The container is OOMKilled with exit code 137 because the memory limit is too low for the app, so we need to raise the limit."),
    ("wrong-command", "The container command is wrong: it runs node --version, which exits 0 as Completed, and the restart policy restarts it."),
    ("bad-image", "The image tag is wrong so the pull fails with ErrImagePull and ImagePullBackOff; the container never starts, so there are no logs."),
    ("liveness-wrong-port", "The liveness probe checks port 8080 but the app listens on 3000, so the probe fails and the kubelet kills the container with 137."),
    ("wrong-db-host", "DB_HOST in the api-config ConfigMap is wrong, so the DNS lookup fails with getaddrinfo ENOTFOUND; it should be the postgres Service name."),
    ("redis-auth", "Redis rejects the login with WRONGPASS because REDIS_PASSWORD in the api-secrets Secret is wrong; the right one is in redis-auth."),
    ("egress-blocked", "The api-egress NetworkPolicy blocks egress to postgres on 5432, so the connection times out and the app exits."),
    ("missing-configmap", "The pods are in CreateContainerConfigError because the api-config ConfigMap they reference does not exist, so it's not a crash loop at all."),
];

fn setup() -> (Pack,) {
    (common::pack(),)
}

fn session<'a>(pack: &'a Pack, grader: &'a Grader, fault: &str) -> LabSession<'a> {
    LabSession::new(pack, grader, "crashloop", fault, 7)
        .unwrap_or_else(|| panic!("the pack has lab crashloop with fault {fault}"))
}

fn step(s: &mut LabSession<'_>, t: &mut i64, line: &str) {
    *t += 5_000;
    let words: Vec<&str> = line.split_whitespace().collect();
    s.record(*t, Step::from_kubectl(&words));
}

#[test]
fn every_fault_of_the_world_has_lab_content() {
    let (pack,) = setup();
    let lab = pack.lab("crashloop").expect("lab crashloop");
    assert_eq!(lab.question, "crashloop-debug");
    for f in Fault::ALL {
        assert!(lab.fault(f.id()).is_some(), "no content for fault {f}");
    }
    assert_eq!(lab.faults.len(), Fault::ALL.len());
}

#[test]
fn a_right_diagnosis_in_the_candidates_words_scores_high_for_every_fault() {
    let (pack,) = setup();
    let grader = common::grader(&pack);
    for (fault, text) in RIGHT {
        let mut s = session(&pack, &grader, fault);
        let d = s.diagnose(1_000, text).expect("graded");
        assert!(
            d.assessment.score >= 70,
            "{fault}: {} -- {}",
            d.assessment.score,
            d.assessment.feedback
        );
        assert!(
            d.assessment.misconceptions.is_empty(),
            "{fault}: {:?}",
            d.assessment.misconceptions
        );
    }
}

#[test]
fn another_faults_diagnosis_scores_low() {
    let (pack,) = setup();
    let grader = common::grader(&pack);
    for (i, (fault, _)) in RIGHT.iter().enumerate() {
        // The next fault's right diagnosis is this fault's wrong one.
        let (other, wrong) = RIGHT[(i + 1) % RIGHT.len()];
        let mut s = session(&pack, &grader, fault);
        let d = s.diagnose(1_000, wrong).expect("graded");
        assert!(
            d.assessment.score < 40,
            "{fault} diagnosed as {other}: {} -- {}",
            d.assessment.score,
            d.assessment.feedback
        );
    }
}

#[test]
fn a_vague_or_wrong_diagnosis_scores_low() {
    let (pack,) = setup();
    let grader = common::grader(&pack);
    let mut s = session(&pack, &grader, "service-selector-mismatch");
    for wrong in [
        "The pods are crashing.",
        "I think the database is down, so I restarted the pods.",
        "CrashLoopBackOff means exit code 1 so the app has a bug.",
    ] {
        let d = s.diagnose(1_000, wrong).expect("graded");
        assert!(d.assessment.score < 40, "{wrong}: {}", d.assessment.score);
    }
    let d = s
        .diagnose(
            2_000,
            "CrashLoopBackOff means exit code 1 so the app has a bug.",
        )
        .expect("graded");
    assert_eq!(d.assessment.misconceptions.len(), 1, "{:?}", d.assessment);
}

const SYSTEMATIC: &[&str] = &[
    "kubectl get pods",
    "kubectl describe pod api-1",
    "kubectl logs api-1 --previous",
    "kubectl get endpoints",
    "kubectl get svc postgres -o yaml",
    "kubectl patch svc postgres -p {}",
    "kubectl get pods",
];

const GUESS_FIRST: &[&str] = &[
    "kubectl get pods",
    "kubectl delete pod api-1",
    "kubectl rollout restart deployment/api",
    "kubectl patch svc postgres -p {}",
    "kubectl describe pod api-1",
    "kubectl logs api-1 --previous",
    "kubectl get endpoints",
];

fn run(
    pack: &Pack,
    grader: &Grader,
    lines: &[&str],
    hints: u8,
    diagnosis: &str,
) -> lab::LabScorecard {
    let mut s = session(pack, grader, "service-selector-mismatch");
    let mut t = 0;
    for _ in 0..hints {
        s.hint(t).expect("a hint");
    }
    for l in lines {
        step(&mut s, &mut t, l);
    }
    s.diagnose(t, diagnosis).expect("graded");
    s.scorecard(Ok(()))
}

#[test]
fn a_systematic_path_scores_higher_than_guessing_first() {
    let (pack,) = setup();
    let grader = common::grader(&pack);
    let right = RIGHT[0].1;
    let systematic = run(&pack, &grader, SYSTEMATIC, 0, right);
    let guess = run(&pack, &grader, GUESS_FIRST, 0, right);
    assert_eq!(systematic.path_score, 100, "{systematic:#?}");
    assert!(!systematic.guessed);
    assert!(guess.guessed);
    assert_eq!(guess.path_score, 50, "{guess:#?}");
    assert!(
        systematic.overall > guess.overall,
        "{} vs {}",
        systematic.overall,
        guess.overall
    );
    assert_eq!(systematic.commands, 7);
    assert_eq!(systematic.changes, 1);
    assert_eq!(guess.changes, 3);
    assert!(systematic.fix.fixed);
    let logs = systematic
        .path
        .iter()
        .find(|p| p.check == "previous-logs")
        .expect("row");
    assert!(logs.done && logs.before_first_change && logs.expected);
    assert_eq!(
        logs.command.as_deref(),
        Some("kubectl logs api-1 --previous")
    );
}

#[test]
fn hints_lower_the_score_and_stop_after_four() {
    let (pack,) = setup();
    let grader = common::grader(&pack);
    let right = RIGHT[0].1;
    let none = run(&pack, &grader, SYSTEMATIC, 0, right);
    let two = run(&pack, &grader, SYSTEMATIC, 2, right);
    let four = run(&pack, &grader, SYSTEMATIC, 4, right);
    assert!(none.overall > two.overall && two.overall > four.overall);
    assert_eq!(two.points.hint_penalty_percent, 25);
    let mut s = session(&pack, &grader, "bad-image");
    let names: Vec<&str> = (0..4).map(|i| s.hint(i).expect("hint").name).collect();
    assert_eq!(names, ["nudge", "direction", "partial", "walkthrough"]);
    assert_eq!(s.hint(5), None);
    assert_eq!(s.hints_used(), 4);
}

#[test]
fn an_unfixed_lab_without_diagnosis_scores_only_its_path() {
    let (pack,) = setup();
    let grader = common::grader(&pack);
    let mut s = session(&pack, &grader, "oom-killed");
    let mut t = 0;
    step(&mut s, &mut t, "kubectl describe pod api-1");
    let card = s.scorecard(Err("the memory limit is still 64Mi".into()));
    assert!(!card.fix.fixed);
    assert_eq!(card.points.diagnosis, 0);
    assert_eq!(card.points.fix, 0);
    assert_eq!(card.points.path, 30);
    assert_eq!(card.overall, 30);
    assert_eq!(card.sim_ms, 5_000);
    let text = lab::text(&card);
    assert!(
        text.contains("Fault fixed: no (the memory limit is still 64Mi)"),
        "{text}"
    );
    assert!(text.contains("Diagnosis: none given"), "{text}");
}

#[test]
fn candidate_words_are_sanitised_in_text_and_escaped_in_markdown() {
    let (pack,) = setup();
    let grader = common::grader(&pack);
    let mut s = session(&pack, &grader, "service-selector-mismatch");
    s.diagnose(
        0,
        "The selector doesn't match the pod labels \u{1b}[31m<b>so</b> the endpoints are empty.",
    )
    .expect("graded");
    let card = s.scorecard(Ok(()));
    let text = lab::text(&card);
    assert!(!text.contains('\u{1b}'), "{text}");
    let md = lab::markdown(&card);
    assert!(!md.contains("<b>"), "{md}");
    assert!(md.contains("## Hands-on lab:"), "{md}");
    let json = lab::json(&card);
    assert_eq!(json["fault"], "service-selector-mismatch");
    assert_eq!(json["fix"]["fixed"], true);
    assert!(json["path"].as_array().is_some_and(|p| p.len() == 7));
    assert!(json["diagnosis"]["score"].as_u64().is_some());
}

mod hands_on {
    use kubeprep_interview::{Event, Interview, Output};

    use super::common;

    #[test]
    fn the_lab_inside_an_interview_is_folded_from_events_and_replays_identically() {
        let pack = common::pack();
        let grader = common::grader(&pack);
        let t = common::T0;
        let mut events = vec![
            Event::Started {
                at_ms: t,
                pack: pack.id.clone(),
                pack_version: pack.version.clone(),
                candidate: None,
                seed: 0,
            },
            Event::HandsOn { at_ms: t },
        ];
        let mut interview = Interview::new(&pack, &grader);
        for e in &events {
            interview.apply(e);
        }
        // Skip until the troubleshooting question opens the lab.
        let mut n = 0;
        while interview.open_lab().is_none() {
            n += 1;
            assert!(n < 12, "the lab never opened");
            let e = Event::Skipped {
                at_ms: t + n * 1_000,
            };
            interview.apply(&e);
            events.push(e);
        }
        let open = interview.open_lab().expect("open lab");
        assert_eq!(open.lab, "crashloop");
        assert_eq!(
            open.fault, "service-selector-mismatch",
            "seed 0 picks the first fault"
        );
        let lab_events = [
            Event::LabCommand {
                at_ms: t + 60_000,
                line: "kubectl describe pod api-1".into(),
                sim_ms: 5_000,
                refused: false,
                inside: vec![],
            },
            Event::LabCommand {
                at_ms: t + 61_000,
                line: "kubectl logs api-1 --previous".into(),
                sim_ms: 10_000,
                refused: false,
                inside: vec![],
            },
            Event::LabCommand {
                at_ms: t + 62_000,
                line: "kubectl get endpoints".into(),
                sim_ms: 15_000,
                refused: false,
                inside: vec![],
            },
            Event::HintRequested { at_ms: t + 63_000 },
            Event::LabDiagnosed {
                at_ms: t + 64_000,
                text: "The postgres Service selector doesn't match the postgres pod labels, so the endpoints are empty and the api gets ECONNREFUSED.".into(),
                sim_ms: 15_000,
            },
            Event::LabCommand {
                at_ms: t + 65_000,
                line: r#"kubectl patch svc postgres -p '{"spec":{"selector":{"app":"postgres"}}}'"#
                    .into(),
                sim_ms: 20_000,
                refused: false,
                inside: vec![],
            },
            Event::LabDone {
                at_ms: t + 66_000,
                sim_ms: 20_000,
                fixed: true,
                reason: None,
            },
        ];
        let mut replies = Vec::new();
        for e in lab_events {
            replies.extend(interview.apply(&e));
            events.push(e);
        }
        assert!(interview.open_lab().is_none(), "done closes the lab");
        assert!(
            replies.iter().any(|o| matches!(
                o,
                Output::Hint {
                    level: 1,
                    name: "nudge",
                    ..
                }
            )),
            "{replies:?}"
        );
        let card = interview.scorecard();
        let lab = card.lab.clone().expect("the scorecard has the lab");
        assert!(lab.fix.fixed);
        assert_eq!(lab.hints, 1);
        assert_eq!(lab.path_score, 100);
        assert_eq!(lab.commands, 4);
        let q = card
            .questions
            .iter()
            .find(|q| q.id == "crashloop-debug")
            .expect("the lab's question counts");
        assert_eq!(q.hints_used, 1);
        let a = q.assessment.as_ref().expect("graded");
        // The path proved the debugging steps the diagnosis never had to say
        // (the endpoints it said in words, which stand as they are).
        for kp in ["describe-pod", "logs-previous", "check-endpoints"] {
            let p = a.key_points.iter().find(|k| k.id == kp).expect("key point");
            assert!(p.hit(), "{kp}: {p:?}");
        }
        for kp in ["describe-pod", "logs-previous"] {
            let p = a.key_points.iter().find(|k| k.id == kp).expect("key point");
            assert!(
                p.evidence
                    .as_deref()
                    .is_some_and(|e| e.contains("In the lab")),
                "{p:?}"
            );
        }
        let troubleshooting = card
            .areas
            .iter()
            .find(|a| a.id == "troubleshooting")
            .expect("area");
        assert!(
            troubleshooting.score.is_some_and(|s| s > 0),
            "{troubleshooting:?}"
        );

        let (again, _) = Interview::replay(&pack, &grader, &events);
        assert_eq!(again.scorecard().lab, card.lab);
        assert_eq!(again.scorecard().questions, card.questions);
    }
}
